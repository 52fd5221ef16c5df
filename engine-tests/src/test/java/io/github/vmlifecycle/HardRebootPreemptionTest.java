package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHang;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.DriverCall;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A hard reboot is the way out of a hung call: it runs at once while the call hangs, defines again the
 * definition kept when the hung call was accepted, and the hung call's late end does not overwrite it.
 */
class HardRebootPreemptionTest {
  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final String id = fake.createInstance("web-1");
  private final String original = fake.definition(id);
  private final LifecycleEngine engine = LifecycleEngine.builder().driver(fake).clock(clock).executor(pool)
      .syncOnDriverEvents(false).build();

  @AfterEach
  void tearDown() {
    engine.close();
    pool.shutdownNow();
  }

  /** How the hung call ends after the hard reboot: it fails (as libvirt's does once the domain is destroyed) or completes. */
  enum LateEnd { FAILS, COMPLETES }

  @ParameterizedTest(name = "hung pause {0} late")
  @EnumSource(LateEnd.class)
  void hardReboot_whilePauseHangs_runsAtOnceRestoresTheDefinitionAndKeepsItsResult(LateEnd lateEnd) throws Exception {
    engine.get(id);
    FakeHang hang = fake.onCall(FakeCall.PAUSE).hang(Duration.ofHours(1));
    CompletableFuture<Instance> pausing = engine.submit(id, Operation.PAUSE, OperationOptions.defaults());
    assertThat(hang.awaitWaiting(Duration.ofSeconds(10))).isTrue();
    assertThat(engine.get(id).taskState()).contains(TaskState.PAUSING);
    // what the hung call left behind: a changed persistent definition
    String changed = original.replace("</domain>", "<description>left by a hung call</description></domain>");
    fake.unrescue(id, changed, DriverCall.defaults());
    assertThat(fake.definition(id)).isEqualTo(changed);
    int boots = fake.guest(id).bootCount();

    Instance rebooted = engine.hardReboot(id); // returns while the pause still hangs

    assertThat(hang.waitingCalls()).isEqualTo(1);
    assertThat(rebooted.vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(rebooted.taskState()).isEmpty();
    assertThat(rebooted.definitionAtAccept()).isEmpty();
    assertThat(fake.definition(id)).isEqualTo(original);
    assertThat(fake.guest(id).bootCount()).isEqualTo(boots + 1);
    if (lateEnd == LateEnd.FAILS) {
      hang.expire();
      assertThatThrownBy(() -> pausing.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(HypervisorException.class);
    } else {
      hang.release();
      assertThatThrownBy(() -> pausing.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(OperationSupersededException.class);
    }
    Instance now = engine.get(id);
    assertThat(now.version()).as("the late end wrote nothing").isEqualTo(rebooted.version());
    assertThat(now.vmState()).isEqualTo(VmState.ACTIVE);
    List<ActionRecord> actions = engine.actions(id);
    assertThat(actions).extracting(ActionRecord::action).containsSubsequence(ActionKind.REBOOT, ActionKind.PAUSE);
    ActionRecord reboot = actions.stream().filter(a -> a.action() == ActionKind.REBOOT).findFirst().orElseThrow();
    ActionRecord pause = actions.stream().filter(a -> a.action() == ActionKind.PAUSE).findFirst().orElseThrow();
    assertThat(reboot.result()).isEqualTo(ActionRecord.Result.SUCCEEDED);
    assertThat(pause.result()).isEqualTo(ActionRecord.Result.FAILED);
  }

  @ParameterizedTest(name = "accepting {0} keeps the definition")
  @EnumSource(value = Operation.class, names = {"PAUSE", "SUSPEND", "SOFT_REBOOT"})
  void accept_ofAPreemptableOperation_keepsTheDefinitionUntilItLands(Operation op) throws Exception {
    engine.get(id);
    FakeHang hang = fake.onCall(FakeCall.valueOf(op.name())).hang(Duration.ofHours(1));
    CompletableFuture<Instance> running = engine.submit(id, op, OperationOptions.defaults());
    assertThat(hang.awaitWaiting(Duration.ofSeconds(10))).isTrue();
    assertThat(engine.get(id).definitionAtAccept()).contains(original);
    hang.release();
    assertThat(running.get(10, TimeUnit.SECONDS).definitionAtAccept()).isEmpty();
  }
}
