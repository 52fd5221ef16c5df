package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Random call sequences against a tiny independent model of power state, saved memory and rescue. */
class FakeHypervisorPropertyTest {

  /** The steps a sequence is made of: the driver's calls and the behind-our-back helpers. */
  enum Step {
    PAUSE, UNPAUSE, SUSPEND, RESUME, STOP, STOP_CLEAN, START, HARD_REBOOT, RESCUE, UNRESCUE,
    GUEST_SHUTS_DOWN, GUEST_CRASHES, GUEST_SLEEPS, DESTROY_BEHIND_BACK;

    boolean isDriverCall() {
      return ordinal() <= UNRESCUE.ordinal();
    }
  }

  /** What the model expects a step to do. */
  enum Outcome { OK, REFUSED, INJECTED, HELPER_REFUSED }

  /** The model: written from the libvirt rules, not from the fake's code. */
  static final class Model {
    private static final Set<PowerState> ACTIVE =
        EnumSet.of(PowerState.RUNNING, PowerState.PAUSED, PowerState.CRASHED, PowerState.SUSPENDED);

    PowerState power = PowerState.RUNNING;
    boolean saved;
    boolean rescue;
    int boots = 1;
    String memory = "";

    boolean active() {
      return ACTIVE.contains(power);
    }

    /** Applies a step with an injected fault (0 none, 1 before, 2 after) and returns the expected outcome. */
    Outcome apply(Step step, int fault) {
      if (fault == 1) {
        return Outcome.INJECTED;
      }
      Outcome outcome = apply(step);
      return outcome == Outcome.OK && fault == 2 ? Outcome.INJECTED : outcome;
    }

    private Outcome apply(Step step) {
      switch (step) {
        case PAUSE:
          if (power == PowerState.RUNNING) {
            power = PowerState.PAUSED;
          }
          return power == PowerState.PAUSED ? Outcome.OK : Outcome.REFUSED;
        case UNPAUSE:
          if (power == PowerState.PAUSED) {
            power = PowerState.RUNNING;
          }
          return power == PowerState.RUNNING ? Outcome.OK : Outcome.REFUSED;
        case SUSPEND:
          if (power != PowerState.RUNNING && power != PowerState.PAUSED) {
            return Outcome.REFUSED;
          }
          power = PowerState.SHUTDOWN;
          saved = true;
          return Outcome.OK;
        case RESUME:
          if (active() || !saved) {
            return Outcome.REFUSED;
          }
          power = PowerState.RUNNING;
          saved = false;
          return Outcome.OK;
        case STOP:
        case STOP_CLEAN:
        case DESTROY_BEHIND_BACK:
          if (!active()) {
            return Outcome.OK;
          }
          power = PowerState.SHUTDOWN;
          memory = "";
          return Outcome.OK;
        case START:
          if (active()) {
            return Outcome.REFUSED;
          }
          if (!saved) {
            boot();
          }
          power = PowerState.RUNNING;
          saved = false;
          return Outcome.OK;
        case HARD_REBOOT:
          saved = false;
          boot();
          return Outcome.OK;
        case RESCUE:
        case UNRESCUE:
          if (saved || step == Step.RESCUE && rescue) {
            return Outcome.REFUSED;
          }
          rescue = step == Step.RESCUE;
          boot();
          return Outcome.OK;
        case GUEST_SHUTS_DOWN:
        case GUEST_CRASHES:
        case GUEST_SLEEPS:
          if (power != PowerState.RUNNING) {
            return Outcome.HELPER_REFUSED;
          }
          power = step == Step.GUEST_SHUTS_DOWN ? PowerState.SHUTDOWN
              : step == Step.GUEST_CRASHES ? PowerState.CRASHED : PowerState.SUSPENDED;
          if (step == Step.GUEST_SHUTS_DOWN) {
            memory = "";
          }
          return Outcome.OK;
        default:
          throw new AssertionError(step);
      }
    }

    private void boot() {
      power = PowerState.RUNNING;
      boots++;
      memory = "";
    }
  }

  private static void run(FakeHypervisor fake, String id, String original, Step step) {
    switch (step) {
      case PAUSE -> fake.pause(id, call());
      case UNPAUSE -> fake.unpause(id, call());
      case SUSPEND -> fake.suspend(id, call());
      case RESUME -> fake.resume(id, call());
      case STOP -> fake.stop(id, timeout(Duration.ZERO));
      case STOP_CLEAN -> fake.stop(id, timeout(Duration.ofSeconds(30)));
      case START -> fake.start(id, call());
      case HARD_REBOOT -> fake.hardReboot(id, call());
      case RESCUE -> fake.rescue(id, original, RescueRequest.defaults(), call());
      case UNRESCUE -> fake.unrescue(id, original, call());
      case GUEST_SHUTS_DOWN -> fake.guest(id).shutsDown();
      case GUEST_CRASHES -> fake.guest(id).crashes();
      case GUEST_SLEEPS -> fake.guest(id).suspendsToRam();
      case DESTROY_BEHIND_BACK -> fake.guest(id).destroyBehindBack();
      default -> throw new AssertionError(step);
    }
  }

  private static void check(List<Integer> encoded) {
    FakeHypervisor fake = new FakeHypervisor();
    String id = fake.define(FakeInstanceSpec.builder().name("vm").backingImage("/images/base.qcow2").build());
    String original = fake.definition(id);
    Model model = new Model();
    int n = 0;
    for (int value : encoded) {
      Step step = Step.values()[value % Step.values().length];
      int fault = step.isDriverCall() ? value / Step.values().length % 5 : 0;
      if (fault == 1 || fault == 2) {
        FaultScript script = fake.onCall(FakeCall.valueOf(step == Step.STOP_CLEAN ? "STOP" : step.name()));
        if (fault == 1) {
          script.failBefore();
        } else {
          script.failAfter();
        }
      }
      String context = "step " + n + " " + step + " fault " + fault + " in " + encoded;

      Outcome expected = model.apply(step, fault > 2 ? 0 : fault);
      Throwable thrown = catchThrowable(() -> run(fake, id, original, step));

      switch (expected) {
        case OK -> assertThat(thrown).as(context).isNull();
        case REFUSED -> assertThat(thrown).as(context).isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(Code.OPERATION_INVALID));
        case INJECTED -> assertThat(thrown).as(context).isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(Code.OPERATION_FAILED));
        case HELPER_REFUSED -> assertThat(thrown).as(context).isInstanceOf(IllegalStateException.class);
        default -> throw new AssertionError(expected);
      }
      fake.clearFaults();
      DriverInstance vm = fake.guest(id).inspect();
      assertThat(vm.powerState()).as(context).isEqualTo(model.power);
      assertThat(vm.hasSavedMemory()).as(context).isEqualTo(model.saved);
      assertThat(vm.rescueDefinition()).as(context).isEqualTo(model.rescue);
      assertThat(fake.guest(id).bootCount()).as(context).isEqualTo(model.boots);
      assertThat(fake.guest(id).memory()).as(context).isEqualTo(model.memory);
      assertThat(fake.guest(id).files().contains("disk.rescue")).as(context).isEqualTo(model.rescue);
      if (model.active()) {
        model.memory = "m" + n;
        fake.guest(id).writeMemory(model.memory);
      }
      n++;
    }
  }

  @Test
  void randomCallSequences_agreeWithTheModelAfterEveryStep() {
    qt().withFixedSeed(20261124L)
        .withExamples(500)
        .forAll(lists().of(integers().between(0, Step.values().length * 5 - 1)).ofSizeBetween(1, 60))
        .checkAssert(FakeHypervisorPropertyTest::check);
  }
}
