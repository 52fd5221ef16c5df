package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.libvirt.TestNode.Run;
import io.github.vmlifecycle.libvirt.internal.DomainXml;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.StopOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.LibvirtException;

/** The driver against libvirt's test driver, one isolated node per test. */
class LibvirtDriverTest {
  private static final String MDEV = "<hostdev mode='subsystem' type='mdev' model='vfio-pci'>"
      + "<source><address uuid='c2177883-f1bb-47f0-914d-32a22e3a8804'/></source></hostdev>";
  private static final String PCI = "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
      + "<address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source></hostdev>";

  @TempDir Path dir;
  private LibvirtDriver driver;

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  private LibvirtDriver open(TestNode node) throws Exception {
    driver = LibvirtDriver.connect(LibvirtDriverOptions.builder().uri(node.write(dir))
        .resumeWaitTimeout(Duration.ofSeconds(5)).build());
    return driver;
  }

  private LibvirtDriver standard() throws Exception {
    return open(new TestNode()
        .domain("running", 1, Run.RUNNING)
        .domain("paused", 2, Run.PAUSED)
        .domain("stopped", 3, Run.SHUTOFF)
        .domain("saved", 4, Run.SHUTOFF, true, ""));
  }

  private DriverInstance get(String id) {
    return driver.find(id).orElseThrow();
  }

  private static String u(int n) {
    return TestNode.uuid(n);
  }

  @Test
  void list_everyDomain_reportsPowerStateAndSavedMemory() throws Exception {
    standard();
    assertThat(driver.list()).extracting(DriverInstance::name, DriverInstance::id,
            DriverInstance::powerState, DriverInstance::hasSavedMemory, DriverInstance::rescueDefinition)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("running", u(1), PowerState.RUNNING, false, false),
            org.assertj.core.groups.Tuple.tuple("paused", u(2), PowerState.PAUSED, false, false),
            org.assertj.core.groups.Tuple.tuple("stopped", u(3), PowerState.SHUTDOWN, false, false),
            org.assertj.core.groups.Tuple.tuple("saved", u(4), PowerState.SHUTDOWN, true, false));
  }

  @Test
  void find_byUuidInAnyCaseOrName_findsTheDomain() throws Exception {
    standard();
    assertThat(get(u(1).toUpperCase()).name()).isEqualTo("running");
    assertThat(get("paused").id()).isEqualTo(u(2));
    assertThat(driver.find(u(99))).isEmpty();
    assertThat(driver.find("nope")).isEmpty();
  }

  @Test
  void find_blankOrNulId_isInvalidInput() throws Exception {
    standard();
    assertThatThrownBy(() -> driver.find(" ")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> driver.pause(null, Calls.plain())).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> driver.pause("a\0b", Calls.plain())).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void pause_running_isPausedAndRepeatable() throws Exception {
    standard();
    driver.pause(u(1), Calls.plain());
    assertThat(get(u(1)).powerState()).isEqualTo(PowerState.PAUSED);
    driver.pause(u(1), Calls.plain());
    assertThat(get(u(1)).powerState()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void pause_stopped_isOperationInvalidAndChangesNothing() throws Exception {
    standard();
    assertThatThrownBy(() -> driver.pause(u(3), Calls.plain()))
        .isInstanceOfSatisfying(HypervisorException.class, e -> {
          assertThat(e.code()).isEqualTo(Code.OPERATION_INVALID);
          assertThat(e.operation()).contains(Operation.PAUSE);
          assertThat(e.instance()).contains(u(3));
        });
    assertThat(get(u(3)).powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void unpause_paused_runsAndRunningStaysRunning() throws Exception {
    standard();
    driver.unpause(u(2), Calls.plain());
    assertThat(get(u(2)).powerState()).isEqualTo(PowerState.RUNNING);
    driver.unpause(u(2), Calls.plain());
    assertThat(get(u(2)).powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void unpause_stopped_isOperationInvalid() throws Exception {
    standard();
    assertThatThrownBy(() -> driver.unpause("stopped", Calls.plain()))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(Code.OPERATION_INVALID));
  }

  @Test
  void suspend_running_stopsWithManagedSaveImage() throws Exception {
    standard();
    List<long[]> progress = new CopyOnWriteArrayList<>();
    List<String> ids = new CopyOnWriteArrayList<>();
    driver.suspend(u(1), Calls.progress((id, done, total) -> {
      ids.add(id);
      progress.add(new long[] {done, total});
    }));
    DriverInstance i = get(u(1));
    assertThat(i.powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(i.hasSavedMemory()).isTrue();
    // the test driver has no job information: only completion, sized as the guest's memory (64 MiB)
    assertThat(ids).containsOnly(u(1));
    assertThat(progress).singleElement()
        .satisfies(p -> assertThat(p).containsExactly(64L << 20, 64L << 20));
    driver.suspend(u(1), Calls.plain()); // already suspended: stays so
    assertThat(get(u(1)).hasSavedMemory()).isTrue();
  }

  @Test
  void suspend_withMediatedDevice_isUnsupportedAndChangesNothing() throws Exception {
    open(new TestNode().domain("vgpu", 7, Run.RUNNING, false, MDEV));
    assertThatThrownBy(() -> driver.suspend("vgpu", Calls.plain()))
        .isInstanceOfSatisfying(HypervisorException.class, e -> {
          assertThat(e.code()).isEqualTo(Code.UNSUPPORTED);
          assertThat(e.getMessage()).contains("mediated");
        });
    DriverInstance i = get("vgpu");
    assertThat(i.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(i.hasSavedMemory()).isFalse();
  }

  @Test
  void suspend_pciDeviceThatCannotBeDetached_isUnsupportedAndRollsBack() throws Exception {
    // The test driver cannot hot-unplug: suspend must leave the guest running, unsaved, and remember
    // nothing.
    open(new TestNode().domain("pci", 8, Run.RUNNING, false, PCI));
    assertThatThrownBy(() -> driver.suspend("pci", Calls.plain()))
        .isInstanceOfSatisfying(HypervisorException.class, e -> {
          assertThat(e.code()).isEqualTo(Code.UNSUPPORTED);
          assertThat(e.getCause()).isInstanceOf(LibvirtException.class);
        });
    DriverInstance i = get("pci");
    assertThat(i.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(i.hasSavedMemory()).isFalse();
    assertThat(driver.definition("pci")).doesNotContain(DomainXml.SUSPEND_NS).contains("hostdev");
  }

  @Test
  void suspend_pciDevice_writesTheDevicesToTheJournalBeforeDetachingAndDropsThemOnRollback() throws Exception {
    open(new TestNode().domain("pci", 8, Run.RUNNING, false, PCI));
    RecordingJournal journal = new RecordingJournal();
    assertThatThrownBy(() -> driver.suspend("pci", Calls.journal(journal)))
        .isInstanceOf(HypervisorException.class);
    assertThat(journal.history).containsExactly("put suspend.detached", "remove suspend.detached");
    assertThat(journal.entries()).isEmpty();
  }

  @Test
  void repair_activeDomainWithDevicesNotedAsDetached_attachesThemAgainAndDropsTheNote() throws Exception {
    open(new TestNode().domain("pci", 8, Run.RUNNING, false, PCI));
    RecordingJournal journal = new RecordingJournal();
    journal.put("suspend.detached", DomainXml.suspendMetadata(List.of(PCI)));
    driver.repair("pci", Calls.journal(journal));
    assertThat(journal.entries()).isEmpty();
    assertThat(get("pci").powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void suspend_stoppedWithoutImage_isOperationInvalid() throws Exception {
    standard();
    assertThatThrownBy(() -> driver.suspend(u(3), Calls.plain()))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(Code.OPERATION_INVALID));
  }

  @Test
  void resume_suspended_runsAndTheImageIsGone() throws Exception {
    standard();
    driver.suspend(u(1), Calls.plain());
    driver.resume(u(1), Calls.plain());
    DriverInstance i = get(u(1));
    assertThat(i.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(i.hasSavedMemory()).isFalse();
    driver.resume(u(4), Calls.plain());
    assertThat(get(u(4)).powerState()).isEqualTo(PowerState.RUNNING);
    driver.resume(u(4), Calls.plain()); // running already: stays so
    assertThat(get(u(4)).powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void resume_savedWhilePaused_endsRunning() throws Exception {
    standard();
    driver.suspend(u(2), Calls.plain());
    assertThat(get(u(2)).hasSavedMemory()).isTrue();
    driver.resume(u(2), Calls.plain());
    assertThat(get(u(2)).powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void resume_stoppedWithoutImage_isOperationInvalid() throws Exception {
    standard();
    assertThatThrownBy(() -> driver.resume(u(3), Calls.plain()))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(Code.OPERATION_INVALID));
    assertThat(get(u(3)).powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void stop_running_shutsDownCleanlyAndThenIsAlreadyOff() throws Exception {
    standard();
    List<String> steps = new CopyOnWriteArrayList<>();
    DriverCall call = Calls.builder().shutdownTimeout(Duration.ofSeconds(5))
        .steps((id, step) -> steps.add(id + " " + step)).build();
    assertThat(driver.stop(u(1), call)).isEqualTo(StopOutcome.CLEAN);
    assertThat(get(u(1)).powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(steps).containsExactly(u(1) + " power-off.shutdown-requested", u(1) + " stop.off");
    assertThat(driver.stop(u(1), Calls.stop(Duration.ofSeconds(5)))).isEqualTo(StopOutcome.ALREADY_OFF);
    assertThat(get(u(1)).powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void stop_suspended_isANoOpThatKeepsTheImage() throws Exception {
    standard();
    assertThat(driver.stop(u(4), Calls.stop(Duration.ZERO))).isEqualTo(StopOutcome.ALREADY_OFF);
    assertThat(driver.stop(u(4), Calls.stop(Duration.ofSeconds(1)))).isEqualTo(StopOutcome.ALREADY_OFF);
    DriverInstance i = get(u(4));
    assertThat(i.powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(i.hasSavedMemory()).isTrue();
  }

  @Test
  void stop_zeroTimeout_destroysAtOnce() throws Exception {
    standard();
    assertThat(driver.stop(u(2), Calls.stop(Duration.ZERO))).isEqualTo(StopOutcome.DESTROYED);
    assertThat(get(u(2)).powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void stop_deadlineBeforeTheShutdownTimeoutPassed_isTimeoutAndLeavesTheGuestRunning() throws Exception {
    standard();
    DriverCall call = Calls.builder().shutdownTimeout(Duration.ofSeconds(30))
        .deadline(Instant.now().minusSeconds(1)).build();
    assertThatThrownBy(() -> driver.stop(u(1), call))
        .isInstanceOfSatisfying(HypervisorException.class, e -> {
          assertThat(e.code()).isEqualTo(Code.TIMEOUT);
          assertThat(e.operation()).contains(Operation.STOP);
        });
    assertThat(get(u(1)).powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void stop_deadlineAfterTheShutdownTimeout_destroysAtTheTimeout() throws Exception {
    standard();
    DriverCall call = Calls.builder().shutdownTimeout(Duration.ZERO)
        .deadline(Instant.now().plusSeconds(60)).build();
    assertThat(driver.stop(u(1), call)).isEqualTo(StopOutcome.DESTROYED);
    assertThat(get(u(1)).powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void stop_nullCall_isRefusedAndChangesNothing() throws Exception {
    standard();
    assertThatThrownBy(() -> driver.stop(u(1), null)).isInstanceOf(NullPointerException.class);
    assertThat(get(u(1)).powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void start_stopped_runs() throws Exception {
    standard();
    driver.start(u(3), Calls.plain());
    assertThat(get(u(3)).powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void start_running_isOperationInvalid() throws Exception {
    standard();
    assertThatThrownBy(() -> driver.start(u(1), Calls.plain()))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(Code.OPERATION_INVALID));
  }

  @Test
  void hardReboot_fromEveryState_runsWithoutImage() throws Exception {
    standard();
    for (int n = 1; n <= 4; n++) {
      driver.hardReboot(u(n), Calls.plain());
      DriverInstance i = get(u(n));
      assertThat(i.powerState()).as("instance %d", n).isEqualTo(PowerState.RUNNING);
      assertThat(i.hasSavedMemory()).as("instance %d", n).isFalse();
    }
  }

  @Test
  void definition_isThePersistentXml() throws Exception {
    standard();
    String xml = driver.definition("running");
    assertThat(xml).contains("<name>running</name>").contains("<uuid>" + u(1) + "</uuid>");
  }

  @Test
  void everyOperation_unknownInstance_isNotFound() throws Exception {
    standard();
    String missing = u(99);
    List<Consumer<String>> ops = List.of(
        id -> driver.pause(id, Calls.plain()), id -> driver.unpause(id, Calls.plain()),
        id -> driver.suspend(id, Calls.plain()), id -> driver.resume(id, Calls.plain()),
        id -> driver.stop(id, Calls.stop(Duration.ZERO)), id -> driver.start(id, Calls.plain()),
        id -> driver.hardReboot(id, Calls.plain()), driver::definition, driver::embeddedOriginalDefinition,
        id -> driver.rescue(id, "<domain/>", RescueRequest.defaults(), Calls.plain()),
        id -> driver.unrescue(id, "<domain/>", Calls.plain()));
    for (Consumer<String> op : ops) {
      assertThatThrownBy(() -> op.accept(missing))
          .isInstanceOfSatisfying(InstanceNotFoundException.class, e -> {
            assertThat(e.instance()).contains(missing);
            assertThat(e.getSuppressed()).hasOnlyElementsOfType(LibvirtException.class).hasSize(1);
          });
      assertThatThrownBy(() -> op.accept("no-such-name")).isInstanceOf(InstanceNotFoundException.class);
    }
  }

  @Test
  void subscribe_lifecycleChanges_areDeliveredUntilClosed() throws Exception {
    standard();
    List<DriverEvent> events = new CopyOnWriteArrayList<>();
    AutoCloseable handle = driver.subscribe(events::add);
    driver.pause(u(1), Calls.plain());
    driver.unpause(u(1), Calls.plain());
    driver.stop(u(1), Calls.stop(Duration.ZERO));
    driver.start(u(1), Calls.plain());
    awaitEvents(events, 4);
    assertThat(events).extracting(DriverEvent::instanceId).containsOnly(u(1));
    assertThat(events).extracting(DriverEvent::type).containsExactly(DriverEvent.Type.SUSPENDED,
        DriverEvent.Type.RESUMED, DriverEvent.Type.STOPPED, DriverEvent.Type.STARTED);
    handle.close();
    driver.pause(u(1), Calls.plain());
    Thread.sleep(300);
    assertThat(events).hasSize(4);
  }

  private static void awaitEvents(List<DriverEvent> events, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (events.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }
}
