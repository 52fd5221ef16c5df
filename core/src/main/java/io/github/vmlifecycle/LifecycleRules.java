package io.github.vmlifecycle;

import static io.github.vmlifecycle.VmState.ACTIVE;
import static io.github.vmlifecycle.VmState.ERROR;
import static io.github.vmlifecycle.VmState.PAUSED;
import static io.github.vmlifecycle.VmState.RESCUED;
import static io.github.vmlifecycle.VmState.STOPPED;
import static io.github.vmlifecycle.VmState.SUSPENDED;

import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;

/**
 * The lifecycle table: for every {@link Operation}, the {@link TransitionRule} that says where it may
 * start and where it lands. This is the single place the state rules live; the engine, the CLI and the
 * documentation all read it.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class LifecycleRules {

  private static final LifecycleRules STANDARD = new LifecycleRules(rules(
      rule(Operation.PAUSE, TaskState.PAUSING, PAUSED, PowerState.PAUSED, ACTIVE),
      rule(Operation.UNPAUSE, TaskState.UNPAUSING, ACTIVE, PowerState.RUNNING, PAUSED),
      rule(Operation.SUSPEND, TaskState.SUSPENDING, SUSPENDED, PowerState.SHUTDOWN, ACTIVE),
      rule(Operation.RESUME, TaskState.RESUMING, ACTIVE, PowerState.RUNNING, SUSPENDED),
      rule(Operation.RESCUE, TaskState.RESCUING, RESCUED, PowerState.RUNNING, ACTIVE, STOPPED, ERROR),
      rule(Operation.UNRESCUE, TaskState.UNRESCUING, ACTIVE, PowerState.RUNNING, RESCUED),
      rule(Operation.STOP, TaskState.POWERING_OFF, STOPPED, PowerState.SHUTDOWN, ACTIVE, ERROR),
      rule(Operation.START, TaskState.POWERING_ON, ACTIVE, PowerState.RUNNING, STOPPED),
      rule(Operation.SOFT_REBOOT, TaskState.REBOOTING, ACTIVE, PowerState.RUNNING, ACTIVE),
      TransitionRule.builder()
          .operation(Operation.HARD_REBOOT)
          .taskState(TaskState.REBOOTING_HARD)
          .vmStateAfter(ACTIVE)
          .powerStateAfter(PowerState.RUNNING)
          .addAllowedVmStates(ACTIVE, STOPPED, PAUSED, SUSPENDED, ERROR)
          .addPreemptableTaskStates(
              TaskState.PAUSING, TaskState.UNPAUSING, TaskState.SUSPENDING, TaskState.RESUMING,
              TaskState.REBOOTING, TaskState.REBOOTING_HARD)
          .build()));

  private final Map<Operation, TransitionRule> rules;

  private LifecycleRules(Map<Operation, TransitionRule> rules) {
    this.rules = rules;
  }

  private static Map<Operation, TransitionRule> rules(TransitionRule... all) {
    Map<Operation, TransitionRule> byOperation = new EnumMap<>(Operation.class);
    for (TransitionRule r : all) {
      byOperation.put(r.operation(), r);
    }
    return Collections.unmodifiableMap(byOperation);
  }

  /**
   * Returns the standard table (REFERENCE section 2: Nova's rules, with only unrescue leaving RESCUED).
   *
   * @return the shared standard table
   */
  public static LifecycleRules standard() {
    return STANDARD;
  }

  /**
   * Returns the rule for an operation.
   *
   * @param operation the operation
   * @return its rule, never null
   */
  public TransitionRule rule(Operation operation) {
    return rules.get(operation);
  }

  /**
   * Returns every rule, in {@link Operation} order.
   *
   * @return an unmodifiable collection of all rules
   */
  public Collection<TransitionRule> all() {
    return rules.values();
  }

  /**
   * Returns the reason an operation is not allowed, or empty when it is. Locks are not considered
   * here; see {@link #check}.
   *
   * @param operation the requested operation
   * @param vmState the instance's vm_state
   * @param taskState the instance's task_state, empty when idle
   * @return the refused attribute and its value, or empty when the request is legal
   */
  public Optional<Refusal> refusal(Operation operation, VmState vmState, Optional<TaskState> taskState) {
    TransitionRule rule = rule(operation);
    if (taskState.isPresent() && !rule.preemptableTaskStates().contains(taskState.get())) {
      return Optional.of(new Refusal("task_state", taskState.get().novaName()));
    }
    if (!rule.allowedVmStates().contains(vmState)) {
      return Optional.of(new Refusal("vm_state", vmState.novaName()));
    }
    return Optional.empty();
  }

  /**
   * Checks that an instance may start an operation now.
   *
   * @param instance the instance as stored
   * @param operation the requested operation
   * @throws InstanceLockedException if the instance is locked
   * @throws InstanceBusyException if another operation is in flight and this one may not pre-empt it
   * @throws InvalidStateException if the vm_state does not allow the operation
   */
  public void check(Instance instance, Operation operation) {
    if (instance.locked()) {
      throw new InstanceLockedException(instance.name(), operation);
    }
    Optional<Refusal> refusal = refusal(operation, instance.vmState(), instance.taskState());
    if (refusal.isPresent()) {
      if (refusal.get().attribute().equals("task_state")) {
        throw new InstanceBusyException(instance.name(), operation, instance.taskState().get());
      }
      throw new InvalidStateException(instance.name(), operation, refusal.get().attribute(),
          refusal.get().value());
    }
  }

  /**
   * Returns the table as a map, for printing.
   *
   * @return an unmodifiable map from operation to rule, in {@link Operation} order
   */
  public Map<Operation, TransitionRule> asMap() {
    return rules;
  }

  private static TransitionRule rule(
      Operation op, TaskState task, VmState after, PowerState power, VmState first, VmState... rest) {
    return TransitionRule.builder()
        .operation(op)
        .taskState(task)
        .vmStateAfter(after)
        .powerStateAfter(power)
        .allowedVmStates(EnumSet.of(first, rest))
        .build();
  }

  /**
   * Why a request is not allowed: the attribute ({@code "vm_state"} or {@code "task_state"}) and its
   * value in Nova's lower-case spelling.
   *
   * @param attribute the attribute that refused the request
   * @param value the attribute's current value
   */
  public record Refusal(String attribute, String value) {}
}
