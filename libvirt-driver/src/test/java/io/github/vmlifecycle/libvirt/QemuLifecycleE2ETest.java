package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.RebootOutcome;
import io.github.vmlifecycle.spi.StopOutcome;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The lifecycle on a real libvirtd + QEMU (TCG) guest, verified from inside the guest through its
 * serial console: a counter printed every ~0.2 s, boot lines, disk serials and on-disk markers.
 * Needs {@code .ci/libvirt-setup.sh} and {@code .ci/guest-fixture.sh}; skipped without them, except
 * on CI ({@code CI=true}) where it fails.
 */
class QemuLifecycleE2ETest {
  private static final Duration BOOT = Duration.ofSeconds(60);
  private static LibvirtDriver driver;

  @BeforeAll
  static void connect() {
    QemuGuest.fixture();
    driver = QemuGuest.driver();
  }

  @AfterAll
  static void disconnect() {
    if (driver != null) {
      driver.close();
    }
  }

  private DriverInstance state(QemuGuest g) {
    return driver.find(g.uuid).orElseThrow();
  }

  private static String name(TestInfo info) {
    return info.getTestMethod().orElseThrow().getName().replaceAll("_.*", "");
  }

  @Test
  void pause_unpause_counterStopsWhilePausedAndContinuesWithoutReboot(TestInfo info) throws Exception {
    try (QemuGuest g = QemuGuest.define(name(info), "", "ROOTDISK", "DATADISK")) {
      List<DriverEvent> events = new CopyOnWriteArrayList<>();
      AutoCloseable subscription = driver.subscribe(e -> {
        if (e.instanceId().equals(g.uuid)) {
          events.add(e);
        }
      });
      try {
        driver.start(g.uuid, Calls.plain());
        g.awaitTick(3, BOOT);
        assertThat(g.currentBoot()).contains("VML-DISK vda serial=ROOTDISK", "VML-DISK vdb serial=DATADISK",
            "VML-MARK vda ORIGINAL", "VML-MARK vdb ORIGINAL");

        driver.pause(g.uuid, Calls.plain());
        assertThat(state(g).powerState()).isEqualTo(PowerState.PAUSED);
        Thread.sleep(300);
        int atPause = g.lastTick().orElseThrow();
        Thread.sleep(1200); // six ticks' time
        assertThat(g.lastTick()).hasValue(atPause);

        driver.unpause(g.uuid, Calls.plain());
        assertThat(state(g).powerState()).isEqualTo(PowerState.RUNNING);
        g.awaitTick(atPause + 2, Duration.ofSeconds(10));
        List<Integer> ticks = g.ticks();
        assertThat(ticks.subList(ticks.indexOf(atPause), ticks.indexOf(atPause) + 3))
            .containsExactly(atPause, atPause + 1, atPause + 2);
        assertThat(g.boots()).isEqualTo(1);
        Thread.sleep(200); // events arrive on the event-loop thread
        assertThat(events).extracting(DriverEvent::type)
            .containsSubsequence(DriverEvent.Type.STARTED, DriverEvent.Type.SUSPENDED, DriverEvent.Type.RESUMED);
      } finally {
        subscription.close();
      }
    }
  }

  @Test
  void suspend_resume_savesMemoryToDiskFreesTheProcessAndContinuesTheCounter(TestInfo info) throws Exception {
    try (QemuGuest g = QemuGuest.define(name(info), "", "ROOTDISK")) {
      driver.start(g.uuid, Calls.plain());
      g.awaitTick(3, BOOT);
      long pid = g.qemuPid().orElseThrow();
      List<long[]> progress = new CopyOnWriteArrayList<>();

      driver.suspend(g.uuid, Calls.progress((id, done, total) -> progress.add(new long[] {done, total})));
      int atSuspend = g.lastTick().orElseThrow();
      DriverInstance s = state(g);
      assertThat(s.powerState()).isEqualTo(PowerState.SHUTDOWN);
      assertThat(s.hasSavedMemory()).isTrue();
      assertThat(g.saveImage()).exists();
      assertThat(Files.size(g.saveImage())).isGreaterThan(1 << 20);
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("QEMU process").isFalse();
      assertThat(g.qemuPid()).isEmpty();
      // Polls during the save may or may not get an answer (QEMU under TCG can leave its monitor
      // unanswered for the whole save); completion is always reported, and every report is sane.
      assertThat(progress).isNotEmpty();
      long[] last = progress.get(progress.size() - 1);
      assertThat(last[1]).isGreaterThanOrEqualTo(256L << 20);
      assertThat(last[0]).isEqualTo(last[1]);
      assertThat(progress).allSatisfy(p -> assertThat(p[0]).isBetween(0L, p[1]));
      for (int k = 1; k < progress.size(); k++) {
        assertThat(progress.get(k)[0]).isGreaterThanOrEqualTo(progress.get(k - 1)[0]);
      }
      Thread.sleep(600);
      assertThat(g.lastTick()).hasValue(atSuspend);

      driver.resume(g.uuid, Calls.plain());
      DriverInstance r = state(g);
      assertThat(r.powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(r.hasSavedMemory()).isFalse();
      assertThat(g.saveImage()).doesNotExist();
      g.awaitTick(atSuspend + 2, Duration.ofSeconds(10));
      List<Integer> ticks = g.ticks();
      int i = ticks.lastIndexOf(atSuspend);
      assertThat(ticks.subList(i, i + 3)).containsExactly(atSuspend, atSuspend + 1, atSuspend + 2);
      assertThat(g.boots()).as("no reboot").isEqualTo(1);
    }
  }

  @Test
  void stop_start_cleanShutdownThenAFreshBoot(TestInfo info) throws Exception {
    try (QemuGuest g = runningGuest(info, "")) {
      long t0 = System.nanoTime();
      assertThat(driver.stop(g.uuid, Calls.stop(Duration.ofSeconds(30)))).isEqualTo(StopOutcome.CLEAN);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(state(g).powerState()).isEqualTo(PowerState.SHUTDOWN);
      assertThat(g.lines()).contains("VML-POWEROFF");
      assertThat(took).isLessThan(Duration.ofSeconds(20));
      assertThat(g.qemuPid()).isEmpty();

      driver.start(g.uuid, Calls.plain());
      g.awaitBoot(1, 2, BOOT);
      assertThat(state(g).powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(g.currentBoot()).contains("VML-TICK 0");
    }
  }

  @Test
  void stop_guestIgnoringShutdown_isAskedEveryRetryIntervalThenForcedOffAfterTheTimeout(TestInfo info)
      throws Exception {
    try (QemuGuest g = runningGuest(info, "vmlignoreshutdown")) {
      List<String> requests = new CopyOnWriteArrayList<>();
      DriverCall call = Calls.builder().shutdownTimeout(Duration.ofSeconds(3))
          .steps((id, step) -> {
            if (step.equals("power-off.shutdown-requested")) {
              requests.add(id);
            }
          }).build();
      long t0 = System.nanoTime();
      assertThat(driver.stop(g.uuid, call)).isEqualTo(StopOutcome.DESTROYED);
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(state(g).powerState()).isEqualTo(PowerState.SHUTDOWN);
      assertThat(took).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(15));
      assertThat(requests).as("asked at 0, 1 and 2 s (Calls.RETRY)").hasSizeBetween(3, 4).containsOnly(g.uuid);
      assertThat(g.lines()).doesNotContain("VML-POWEROFF");
    }
  }

  @Test
  void stop_deadlineBeforeTheShutdownTimeout_isTimeoutAtTheDeadlineAndTheGuestKeepsRunning(TestInfo info)
      throws Exception {
    try (QemuGuest g = runningGuest(info, "vmlignoreshutdown")) {
      DriverCall call = Calls.builder().shutdownTimeout(Duration.ofSeconds(60))
          .deadline(Instant.now().plusSeconds(2)).build();
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> driver.stop(g.uuid, call))
          .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.code()).isEqualTo(Code.TIMEOUT));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(10));
      assertThat(state(g).powerState()).isEqualTo(PowerState.RUNNING);
    }
  }

  @Test
  void hardReboot_restartsTheCounterAndKeepsTheDisk(TestInfo info) throws Exception {
    try (QemuGuest g = QemuGuest.define(name(info), "vmlwrite=HELLO", "ROOTDISK")) {
      driver.start(g.uuid, Calls.plain());
      g.awaitTick(5, BOOT);
      assertThat(g.currentBoot()).contains("VML-MARK vda ORIGINAL", "VML-WROTE vda HELLO");

      driver.hardReboot(g.uuid, Calls.plain());
      g.awaitBoot(1, 1, BOOT);
      assertThat(state(g).powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(g.currentBoot()).contains("VML-MARK vda HELLO", "VML-TICK 0");

      // from SUSPENDED: the image is discarded and the guest boots afresh
      driver.suspend(g.uuid, Calls.plain());
      assertThat(g.saveImage()).exists();
      driver.hardReboot(g.uuid, Calls.plain());
      g.awaitBoot(2, 1, BOOT);
      assertThat(g.saveImage()).doesNotExist();
      assertThat(state(g).hasSavedMemory()).isFalse();
      assertThat(g.boots()).isEqualTo(3);
    }
  }

  @Test
  void softReboot_guestHonouringThePowerButton_shutsDownCleanlyAndBootsAgain(TestInfo info) throws Exception {
    try (QemuGuest g = runningGuest(info, "")) {
      long t0 = System.nanoTime();
      RebootOutcome outcome = driver.softReboot(g.uuid, Calls.builder().softRebootTimeout(Duration.ofSeconds(30)).build());
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(outcome).isEqualTo(RebootOutcome.SOFT);
      assertThat(took).isLessThan(Duration.ofSeconds(20));
      g.awaitBoot(1, 1, BOOT);
      assertThat(state(g).powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(g.lines()).as("the guest saw the power button, then booted again").contains("VML-POWEROFF");
      assertThat(g.boots()).isEqualTo(2);
    }
  }

  @Test
  void softReboot_guestIgnoringThePowerButton_isHardRebootedAfterTheTimeout(TestInfo info) throws Exception {
    try (QemuGuest g = runningGuest(info, "vmlignoreshutdown")) {
      long t0 = System.nanoTime();
      RebootOutcome outcome = driver.softReboot(g.uuid, Calls.builder().softRebootTimeout(Duration.ofSeconds(3)).build());
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      assertThat(outcome).isEqualTo(RebootOutcome.HARD);
      assertThat(took).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(15));
      g.awaitBoot(1, 1, BOOT);
      assertThat(g.lines()).doesNotContain("VML-POWEROFF");
      assertThat(g.boots()).isEqualTo(2);
    }
  }

  /** Defines a guest with one disk, starts it and waits until its counter reached 2. */
  private QemuGuest runningGuest(TestInfo info, String cmdlineExtra) throws Exception {
    QemuGuest g = QemuGuest.define(name(info), cmdlineExtra, "ROOTDISK");
    try {
      driver.start(g.uuid, Calls.plain());
      g.awaitTick(2, BOOT);
      return g;
    } catch (Exception | AssertionError e) {
      g.close();
      throw e;
    }
  }
}
