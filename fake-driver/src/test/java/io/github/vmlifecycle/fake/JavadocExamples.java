package io.github.vmlifecycle.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.OperationOptions;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.VmState;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The examples of the fake's javadoc, compiled and run: each region between {@code // javadoc:FILE:begin}
 * and {@code // javadoc:FILE:end} is the {@code <pre>{@code ...}</pre>} block of FILE's documentation, as
 * {@link JavadocExamplesTest} checks.
 */
final class JavadocExamples {
  private JavadocExamples() {}

  static void packageInfo() {
    // javadoc:package-info.java:begin
    FakeClock clock = new FakeClock();
    FakeHypervisor fake = new FakeHypervisor(clock);
    String id = fake.createInstance("web-1");                   // RUNNING
    fake.guest(id).writeMemory("session=42");
    fake.setLatency(FakeCall.SUSPEND, Duration.ofSeconds(2));   // moves the clock, never sleeps
    fake.onCall(FakeCall.RESUME).failMidway();                  // the next resume fails half-way

    try (LifecycleEngine engine = LifecycleEngine.builder()    // the code under test
        .driver(fake).clock(clock).executor(Runnable::run).build()) {
      engine.suspend("web-1");
      assertThatThrownBy(() -> engine.resume("web-1")).isInstanceOf(VmLifecycleException.class);
      assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.SUSPENDED);  // landed on the truth
      engine.resume("web-1");                                   // the retry succeeds
    }

    fake.assertCalled(FakeCall.SUSPEND, "web-1");
    assertThat(fake.guest(id).memory()).isEqualTo("session=42");  // the guest did not reboot
    assertThat(fake.guest(id).bootCount()).isEqualTo(1);
    assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(2));
    // javadoc:package-info.java:end
  }

  static void fakeHang() throws InterruptedException {
    FakeClock clock = new FakeClock();
    FakeHypervisor fake = new FakeHypervisor(clock);
    fake.createInstance("web-1");
    try (LifecycleEngine engine = LifecycleEngine.builder().driver(fake).clock(clock).build()) {
      // javadoc:FakeHang.java:begin
      FakeHang hang = fake.onCall(FakeCall.PAUSE).hang(Duration.ofSeconds(30));
      CompletableFuture<Instance> pausing =
          engine.submit("web-1", Operation.PAUSE, OperationOptions.defaults());
      assertThat(hang.awaitWaiting(Duration.ofSeconds(10))).isTrue();  // blocked in the hypervisor
      clock.advance(Duration.ofSeconds(30));                          // until its timeout
      assertThat(pausing).failsWithin(Duration.ofSeconds(10));        // a TIMEOUT hypervisor error
      assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.ACTIVE);
      // javadoc:FakeHang.java:end
    }
  }
}
