package io.github.vmlifecycle.cli;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CLI's fault-injection hook, off unless its environment variables are set. Step boundaries are
 * every write to the state store (before and after) and every completed step of a libvirt call; each
 * is named, with {@code #k} for its k-th occurrence after the first.
 *
 * <ul>
 *   <li>{@code VMLIFE_TEST_TRACE_STEPS=1} prints {@code VMLIFE-STEP <name>} on stderr at each one.
 *   <li>{@code VMLIFE_TEST_HALT_AT=<name>} stops the process there: it prints
 *       {@code VMLIFE-HALTED <name>} on stderr and blocks until it is killed, so that a test can kill
 *       it with SIGKILL exactly at that boundary.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class StepHook {
  static final String TRACE_ENV = "VMLIFE_TEST_TRACE_STEPS";
  static final String HALT_ENV = "VMLIFE_TEST_HALT_AT";

  private final boolean trace;
  private final String haltAt;
  private final PrintStream err;
  private final Map<String, Integer> seen = new HashMap<>();

  private StepHook(boolean trace, String haltAt, PrintStream err) {
    this.trace = trace;
    this.haltAt = haltAt;
    this.err = err;
  }

  /** The hook the environment asks for, or empty when neither variable is set. */
  static Optional<StepHook> fromEnvironment(Map<String, String> env, PrintStream err) {
    boolean trace = "1".equals(env.get(TRACE_ENV));
    String halt = env.get(HALT_ENV);
    if (!trace && (halt == null || halt.isEmpty())) {
      return Optional.empty();
    }
    return Optional.of(new StepHook(trace, halt, err));
  }

  /** Marks a step boundary; blocks forever if it is the one to halt at. */
  void step(String name) {
    String label;
    synchronized (this) {
      int n = seen.merge(name, 1, Integer::sum);
      label = n == 1 ? name : name + "#" + n;
      if (trace) {
        err.println("VMLIFE-STEP " + label);
        err.flush();
      }
    }
    if (label.equals(haltAt)) {
      err.println("VMLIFE-HALTED " + label);
      err.flush();
      while (true) {
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          // keep blocking: only a kill ends a halted process
        }
      }
    }
  }
}
