package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.VmState;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Runs one command on each of the IDs the user gave, in order, going on after a failure: one ID prints
 * the instance (or the error) as before; several print one result line per ID (in JSON one array with an
 * element per ID) and the command exits with the worst of their exit codes. Errors name the instance as
 * the user typed it. Not thread-safe: one batch serves one command.
 */
final class Batch {
  private final Output output;
  private final LifecycleEngine engine;

  Batch(Output output, LifecycleEngine engine) {
    this.output = output;
    this.engine = engine;
  }

  /** One ID's outcome: the instance (or the text) it produced, or the error it failed with. */
  static final class Result<T> {
    final String typed;
    final Optional<T> value;
    final Optional<VmLifecycleException> error;
    final Optional<String> uuid;

    private Result(String typed, Optional<T> value, Optional<VmLifecycleException> error, Optional<String> uuid) {
      this.typed = typed;
      this.value = value;
      this.error = error;
      this.uuid = uuid;
    }
  }

  /**
   * Applies {@code action} to each ID and prints the results.
   *
   * @return the worst exit code of the IDs
   */
  int run(List<String> ids, Function<String, Instance> action) {
    List<Result<Instance>> results = apply(ids, action);
    if (results.size() == 1) {
      Result<Instance> only = results.get(0);
      only.value.ifPresent(output::instance);
    } else {
      output.instanceResults(results);
    }
    printErrorsUnlessJsonBatch(results);
    return worst(results);
  }

  /**
   * Computes a rescue preview for each ID and prints them (diffs as text; in JSON objects with the ID
   * and the diff).
   *
   * @return the worst exit code of the IDs
   */
  int previews(List<String> ids, Function<String, String> preview) {
    List<Result<String>> results = apply(ids, preview);
    output.previews(results, results.size() == 1);
    printErrorsUnlessJsonBatch(results);
    return worst(results);
  }

  private <T> List<Result<T>> apply(List<String> ids, Function<String, T> action) {
    List<Result<T>> results = new ArrayList<>();
    for (String id : ids) {
      try {
        results.add(new Result<>(id, Optional.of(action.apply(id)), Optional.empty(), Optional.empty()));
      } catch (VmLifecycleException e) {
        results.add(new Result<>(id, Optional.empty(), Optional.of(e), uuidOf(id)));
      }
    }
    return results;
  }

  private <T> void printErrorsUnlessJsonBatch(List<Result<T>> results) {
    if (output.json() && results.size() > 1) {
      return;
    }
    for (Result<T> r : results) {
      r.error.ifPresent(e -> output.error(e, r.typed, r.uuid));
    }
  }

  private static <T> int worst(List<Result<T>> results) {
    int code = ExitCodes.OK;
    for (Result<T> r : results) {
      if (r.error.isPresent()) {
        code = ExitCodes.worse(code, ExitCodes.of(r.error.get().kind()));
      }
    }
    return code;
  }

  /** The UUID behind what the user typed, to name the instance as typed in messages that carry the UUID. */
  private Optional<String> uuidOf(String typed) {
    try {
      return Optional.of(engine.get(typed).id());
    } catch (VmLifecycleException e) {
      return Optional.empty();
    }
  }

  /**
   * Returns the filter of {@code list --state}: every instance when {@code states} is null or empty, else
   * those in one of the named vm_states.
   *
   * @throws io.github.vmlifecycle.InvalidInputException if a name is not a vm_state
   */
  static Predicate<Instance> inStates(List<String> states) {
    if (states == null || states.isEmpty()) {
      return i -> true;
    }
    Set<VmState> wanted = EnumSet.noneOf(VmState.class);
    states.forEach(s -> wanted.add(VmState.fromName(s)));
    return i -> wanted.contains(i.vmState());
  }
}
