package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.libvirt.LibvirtDriver;
import io.github.vmlifecycle.libvirt.LibvirtDriverOptions;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.spi.InstanceStore;
import io.github.vmlifecycle.spi.StepObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** Opens the driver and store a command works on, from {@code --uri} and {@code --state-dir}. */
final class Sessions {
  /** The URI that selects the in-memory fake hypervisor. */
  static final String FAKE_URI = "fake:///";

  private Sessions() {}

  static Vmlife.Session open(Optional<String> uri, Optional<Path> stateDir) {
    boolean fake = uri.isPresent() && uri.get().startsWith("fake:");
    Duration latency = fake ? fakeLatency(uri.get()) : Duration.ZERO;
    InstanceStore store = fake && stateDir.isEmpty()
        ? InstanceStores.inMemory()
        : InstanceStores.directory(stateDir.orElseGet(Sessions::defaultStateDir));
    StepObserver steps = StepTracing.observer(System.getenv(), System.err, Sessions.class.getClassLoader());
    HypervisorDriver driver = fake
        ? sampleFake(latency)
        : LibvirtDriver.connect(LibvirtDriverOptions.builder().uri(uri.orElse(null)).build());
    return session(driver, store, true, Clock.systemUTC(), steps);
  }

  /** A session over {@code driver} and {@code store}; closing it closes the driver when {@code ownsDriver}. */
  static Vmlife.Session session(HypervisorDriver driver, InstanceStore store, boolean ownsDriver) {
    return session(driver, store, ownsDriver, Clock.systemUTC());
  }

  /** A session whose engine reads the time from {@code clock} (rescue deadlines, action times). */
  static Vmlife.Session session(HypervisorDriver driver, InstanceStore store, boolean ownsDriver, Clock clock) {
    return session(driver, store, ownsDriver, clock, StepObserver.NONE);
  }

  /** A session whose engine (and through it the driver) reports its step boundaries to {@code steps}. */
  static Vmlife.Session session(
      HypervisorDriver driver, InstanceStore store, boolean ownsDriver, Clock clock, StepObserver steps) {
    LifecycleEngine engine = LifecycleEngine.builder()
        .driver(driver)
        .store(store)
        .clock(clock)
        .stepObserver(steps)
        .syncOnDriverEvents(false)
        .closeDriverOnClose(ownsDriver)
        .build();
    return new Vmlife.Session() {
      @Override
      public LifecycleEngine engine() {
        return engine;
      }

      @Override
      public String previewRescue(String id, RescueRequest request) {
        return RescuePreview.preview(engine, driver, id, request);
      }

      @Override
      public void close() {
        engine.close();
      }
    };
  }

  /**
   * A fresh fake hypervisor with three running sample instances, web-1, web-2 and db-1, and a rescue
   * image {@code /images/rescue.qcow2}.
   */
  static FakeHypervisor sampleFake() {
    return sampleFake(Duration.ZERO);
  }

  /** The sample fake, each lifecycle call taking {@code latency} of real time (as a slow host would). */
  static FakeHypervisor sampleFake(Duration latency) {
    FakeHypervisor fake = FakeHypervisor.builder().realSleepLatency(!latency.isZero()).build();
    for (FakeCall call : FakeCall.values()) {
      if (call.operation().isPresent()) {
        fake.setLatency(call, latency);
      }
    }
    fake.addImage("/images/rescue.qcow2");
    fake.createInstance("web-1");
    fake.createInstance("web-2");
    fake.createInstance("db-1");
    return fake;
  }

  /**
   * Reads {@code fake:///} or {@code fake:///?latency=<N>ms}: the latency each lifecycle call of the fake
   * takes in real time, for trying concurrent or slow operations by hand.
   */
  static Duration fakeLatency(String uri) {
    if (uri.equals(FAKE_URI)) {
      return Duration.ZERO;
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("fake:///\\?latency=(\\d{1,6})ms").matcher(uri);
    if (!m.matches()) {
      throw new InvalidInputException("Unknown fake URI '" + uri + "'; use " + FAKE_URI + " or "
          + FAKE_URI + "?latency=<milliseconds>ms");
    }
    return Duration.ofMillis(Long.parseLong(m.group(1)));
  }

  static Path defaultStateDir() {
    String xdg = System.getenv("XDG_STATE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "state");
    return base.resolve("vmlife");
  }
}
