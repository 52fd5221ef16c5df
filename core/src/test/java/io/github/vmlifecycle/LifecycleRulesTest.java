package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LifecycleRulesTest {
  /** The table of REFERENCE.md section 2, written out independently of the production table. */
  private static final Map<Operation, Set<VmState>> ALLOWED = Map.of(
      Operation.PAUSE, EnumSet.of(VmState.ACTIVE),
      Operation.UNPAUSE, EnumSet.of(VmState.PAUSED),
      Operation.SUSPEND, EnumSet.of(VmState.ACTIVE),
      Operation.RESUME, EnumSet.of(VmState.SUSPENDED),
      Operation.RESCUE, EnumSet.of(VmState.ACTIVE, VmState.STOPPED, VmState.ERROR),
      Operation.UNRESCUE, EnumSet.of(VmState.RESCUED),
      Operation.STOP, EnumSet.of(VmState.ACTIVE, VmState.ERROR),
      Operation.START, EnumSet.of(VmState.STOPPED),
      Operation.SOFT_REBOOT, EnumSet.of(VmState.ACTIVE),
      Operation.HARD_REBOOT,
          EnumSet.of(VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED, VmState.ERROR));

  private final LifecycleRules rules = LifecycleRules.standard();

  static Stream<Arguments> everyCell() {
    return Stream.of(Operation.values())
        .flatMap(op -> Stream.of(VmState.values()).map(state -> Arguments.of(op, state)));
  }

  @ParameterizedTest(name = "{0} from {1}")
  @MethodSource("everyCell")
  void check_everyOperationAndVmState_followsTheReferenceTable(Operation op, VmState state) {
    Instance instance = instance(state, Optional.empty(), false);
    if (ALLOWED.get(op).contains(state)) {
      rules.check(instance, op);
      assertThat(rules.refusal(op, state, Optional.empty())).isEmpty();
    } else {
      assertThatThrownBy(() -> rules.check(instance, op))
          .isInstanceOfSatisfying(InvalidStateException.class, e -> {
            assertThat(e.getMessage()).isEqualTo("Cannot '" + op.apiName() + "' instance web-1 while it is in vm_state "
                + state.novaName());
            assertThat(e.attribute()).isEqualTo("vm_state");
            assertThat(e.value()).isEqualTo(state.novaName());
            assertThat(e.operation()).isEqualTo(op);
            assertThat(e.kind()).isEqualTo(VmLifecycleException.Kind.INVALID_STATE);
          });
    }
  }

  static Stream<Arguments> everyOperationAndTask() {
    return Stream.of(Operation.values())
        .flatMap(op -> Stream.of(TaskState.values()).map(task -> Arguments.of(op, task)));
  }

  @ParameterizedTest(name = "{0} while {1}")
  @MethodSource("everyOperationAndTask")
  void check_everyTaskState_blocksAllButHardRebootOfPreemptableTasks(Operation op, TaskState task) {
    VmState allowedState = ALLOWED.get(op).iterator().next();
    Instance instance = instance(allowedState, Optional.of(task), false);
    boolean preempts = op == Operation.HARD_REBOOT && EnumSet.of(TaskState.PAUSING, TaskState.UNPAUSING,
        TaskState.SUSPENDING, TaskState.RESUMING, TaskState.REBOOTING, TaskState.REBOOTING_HARD).contains(task);
    if (preempts) {
      rules.check(instance, op);
    } else {
      assertThatThrownBy(() -> rules.check(instance, op))
          .isInstanceOfSatisfying(InstanceBusyException.class, e -> {
            assertThat(e.blockingTask()).isEqualTo(task);
            assertThat(e.getMessage()).contains("task_state " + task.novaName()).contains("web-1");
            assertThat(e.kind()).isEqualTo(VmLifecycleException.Kind.BUSY);
          });
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("operations")
  void check_lockedInstance_isRefusedWithItsOwnType(Operation op) {
    Instance instance = instance(ALLOWED.get(op).iterator().next(), Optional.empty(), true);
    assertThatThrownBy(() -> rules.check(instance, op))
        .isInstanceOf(InstanceLockedException.class)
        .hasMessageContaining("instance web-1 is locked");
  }

  static Stream<Operation> operations() {
    return Stream.of(Operation.values());
  }

  @Test
  void rule_everyOperation_hasTheReferenceTaskAndLanding() {
    assertThat(rules.all()).hasSize(Operation.values().length);
    assertThat(rules.rule(Operation.PAUSE).taskState()).isEqualTo(TaskState.PAUSING);
    assertThat(rules.rule(Operation.SUSPEND).powerStateAfter()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(rules.rule(Operation.RESCUE).vmStateAfter()).isEqualTo(VmState.RESCUED);
    assertThat(rules.rule(Operation.UNRESCUE).vmStateAfter()).isEqualTo(VmState.ACTIVE);
    assertThat(rules.rule(Operation.STOP).taskState()).isEqualTo(TaskState.POWERING_OFF);
    assertThat(rules.rule(Operation.HARD_REBOOT).taskState()).isEqualTo(TaskState.REBOOTING_HARD);
    assertThat(rules.rule(Operation.SOFT_REBOOT).taskState()).isEqualTo(TaskState.REBOOTING);
    assertThat(rules.rule(Operation.SOFT_REBOOT).vmStateAfter()).isEqualTo(VmState.ACTIVE);
    assertThat(rules.rule(Operation.SOFT_REBOOT).powerStateAfter()).isEqualTo(PowerState.RUNNING);
    for (TransitionRule rule : rules.all()) {
      assertThat(rule.allowedVmStates()).isEqualTo(ALLOWED.get(rule.operation()));
    }
  }

  @Test
  void rescued_onlyUnrescueLeavesIt() {
    for (Operation op : Operation.values()) {
      boolean allowed = rules.refusal(op, VmState.RESCUED, Optional.empty()).isEmpty();
      assertThat(allowed).as(op.name()).isEqualTo(op == Operation.UNRESCUE);
    }
  }

  private static Instance instance(VmState state, Optional<TaskState> task, boolean locked) {
    return Instance.builder()
        .id("00000000-0000-0000-0000-000000000001")
        .name("web-1")
        .vmState(state)
        .taskState(task)
        .powerState(PowerState.RUNNING)
        .locked(locked)
        .originalDefinition(state == VmState.RESCUED ? Optional.of("<domain/>") : Optional.empty())
        .build();
  }
}
