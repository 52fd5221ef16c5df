package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.OperationOptions;
import io.github.vmlifecycle.VmState;
import java.time.Instant;
import java.util.Optional;

/**
 * An operation whose task_state is set in the store and that is ready to run (or, for recovery, one
 * that a dead process left and that this engine has taken over). Created by {@link OperationPath};
 * thread-confined to the thread that runs it.
 */
public final class Accepted {
  final Instance instance;
  final Operation operation;
  final OperationOptions options;
  final ActionKind kind;
  final VmState vmStateBefore;
  final Instant acceptedAt;
  /** Why the engine itself started this operation, recorded in its action and events; empty for a caller's. */
  final Optional<String> note;
  /** Whether success lands on what the hypervisor shows rather than on the rule's target state. */
  final boolean landOnTruth;
  /** The action recorded when the operation ended. */
  ActionRecord outcome;

  Accepted(Instance instance, Operation operation, OperationOptions options, ActionKind kind, VmState before,
      Instant at, Optional<String> note, boolean landOnTruth) {
    this.instance = instance;
    this.operation = operation;
    this.options = options;
    this.kind = kind;
    this.vmStateBefore = before;
    this.acceptedAt = at;
    this.note = note;
    this.landOnTruth = landOnTruth;
  }

  /** The operation accepted. */
  public Operation operation() {
    return operation;
  }

  /** The action recorded when it ended, or empty while it has not. */
  public Optional<ActionRecord> outcome() {
    return Optional.ofNullable(outcome);
  }

  String requestId() {
    return instance.requestId().orElseThrow();
  }

  /** {@code message} prefixed with the note, when there is one. */
  String withNote(String message) {
    return note.map(n -> n + "; " + message).orElse(message);
  }

  /** A new action entry for this operation. */
  ActionLog.Entry entry() {
    return new ActionLog.Entry(kind, requestId(), acceptedAt, vmStateBefore);
  }
}
