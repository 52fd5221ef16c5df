package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.PowerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.LifecycleEngine;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;

/**
 * Measurements, not tests of behaviour (they still check that every call did what it should). Not run
 * by default (the class name does not end in Test, and it is tagged "measure"); run with
 *
 * <pre>mvn -B -q -pl libvirt-driver -am test -Dtest=LibvirtMeasurements -Dvmlifecycle.excludedGroups= \
 *     -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * Results are printed and written to {@code target/measurements.txt}.
 */
@Tag("measure")
class LibvirtMeasurements {
  private static final int WARMUP = 300;
  private static final int ROUNDS = 1000;
  private static final int REPEATS = 7;

  @Test
  void pauseUnpause_driverVersusRawLibvirtJava_onTheTestDriver(@TempDir Path dir) throws Exception {
    String uri = new TestNode().domain("m", 1, TestNode.Run.RUNNING).write(dir);
    String id = TestNode.uuid(1);
    List<Double> driverUs = new ArrayList<>();
    List<Double> rawUs = new ArrayList<>();
    List<Double> engineUs = new ArrayList<>();
    // each test:///<file> connection loads its own copy of the node: same domain, separate state
    Connect c = new Connect(uri);
    try (LibvirtDriver driver = LibvirtDriver.connect(uri);
        LibvirtDriver engineDriver = LibvirtDriver.connect(uri);
        LifecycleEngine engine = LifecycleEngine.builder().driver(engineDriver)
            .store(InstanceStores.inMemory(16)).syncOnDriverEvents(false).build()) {
      for (int i = 0; i < WARMUP; i++) {
        driver.pause(id, Calls.plain());
        driver.unpause(id, Calls.plain());
        engine.pause(id);
        engine.unpause(id);
        raw(c, id);
      }
      for (int rep = 0; rep < REPEATS; rep++) { // interleaved batches, so machine noise hits both
        long t0 = System.nanoTime();
        for (int i = 0; i < ROUNDS; i++) {
          driver.pause(id, Calls.plain());
          driver.unpause(id, Calls.plain());
        }
        driverUs.add((System.nanoTime() - t0) / 1e3 / ROUNDS);
        t0 = System.nanoTime();
        for (int i = 0; i < ROUNDS; i++) {
          raw(c, id);
        }
        rawUs.add((System.nanoTime() - t0) / 1e3 / ROUNDS);
        t0 = System.nanoTime();
        for (int i = 0; i < ROUNDS; i++) {
          engine.pause(id);
          engine.unpause(id);
        }
        engineUs.add((System.nanoTime() - t0) / 1e3 / ROUNDS);
      }
      assertThat(driver.find(id).orElseThrow().powerState()).isEqualTo(PowerState.RUNNING);
    } finally {
      c.close();
    }
    report(String.format(Locale.ROOT,
        "test driver, pause+unpause round trip (median of %d batches of %d): LibvirtDriver %.1f us,"
            + " raw libvirt-java %.1f us, ratio %.2f; through LifecycleEngine (in-memory store) %.1f us,"
            + " ratio %.2f", REPEATS, ROUNDS, median(driverUs), median(rawUs), median(driverUs) / median(rawUs),
        median(engineUs), median(engineUs) / median(rawUs)));
  }

  /** The same libvirt calls without the driver: look up, suspend, resume, free (twice, as the driver). */
  private static void raw(Connect c, String id) throws Exception {
    Domain d = c.domainLookupByUUIDString(id);
    try {
      d.suspend();
    } finally {
      d.free();
    }
    d = c.domainLookupByUUIDString(id);
    try {
      d.resume();
    } finally {
      d.free();
    }
  }

  @Test
  void pauseVersusSuspend_onARealQemuGuest() throws Exception {
    try (LibvirtDriver driver = QemuGuest.driver();
        QemuGuest g = QemuGuest.define("measure", "", "ROOTDISK")) {
      driver.start(g.uuid, Calls.plain());
      g.awaitTick(3, Duration.ofSeconds(60));
      List<Double> pause = new ArrayList<>();
      List<Double> unpause = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        long t0 = System.nanoTime();
        driver.pause(g.uuid, Calls.plain());
        long t1 = System.nanoTime();
        driver.unpause(g.uuid, Calls.plain());
        long t2 = System.nanoTime();
        pause.add((t1 - t0) / 1e6);
        unpause.add((t2 - t1) / 1e6);
      }
      List<Double> save = new ArrayList<>();
      List<Double> restore = new ArrayList<>();
      List<Long> sizes = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        g.awaitTick(g.lastTick().orElse(0) + 1, Duration.ofSeconds(10));
        long t0 = System.nanoTime();
        driver.suspend(g.uuid, Calls.plain());
        long t1 = System.nanoTime();
        sizes.add(Files.size(g.saveImage()));
        long t2 = System.nanoTime();
        driver.resume(g.uuid, Calls.plain());
        long t3 = System.nanoTime();
        save.add((t1 - t0) / 1e6);
        restore.add((t3 - t2) / 1e6);
      }
      assertThat(g.boots()).isEqualTo(1);
      double mb = sizes.get(sizes.size() - 1) / 1e6;
      report(String.format(Locale.ROOT,
          "QEMU TCG 256 MiB guest: pause median %.1f ms, unpause median %.1f ms (round trip %.1f ms);"
              + " suspend median %.0f ms, resume median %.0f ms (round trip %.0f ms);"
              + " managed-save image %.1f MB, save %.0f MB/s, restore %.0f MB/s",
          median(pause), median(unpause), median(pause) + median(unpause), median(save), median(restore),
          median(save) + median(restore), mb, mb / (median(save) / 1e3), mb / (median(restore) / 1e3)));
    }
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    Collections.sort(s);
    return s.get(s.size() / 2);
  }

  private static void report(String line) throws Exception {
    System.out.println("MEASURE " + line);
    Path out = Path.of("target/measurements.txt");
    Files.createDirectories(out.getParent());
    Files.writeString(out, line + System.lineSeparator(),
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
  }
}
