package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.spi.StepObserver;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * The {@link StepObserver} of a {@code vmlife} process, which sees every step boundary of the engine
 * (each store write, before and after) and of the driver (each completed step of a libvirt call):
 *
 * <ul>
 *   <li>Diagnostics: with {@code VMLIFE_TRACE_STEPS=1} in the environment, each step is printed on
 *       stderr as {@code VMLIFE-STEP <name>}, {@code <name>#k} for its k-th occurrence after the first.
 *   <li>Extension point: every {@link StepObserver} that {@link ServiceLoader} finds on the class path
 *       (listed in {@code META-INF/services/io.github.vmlifecycle.spi.StepObserver}, with a public
 *       no-argument constructor) observes the steps too, after the trace. The CLI's kill tests add one
 *       that halts the process at a chosen step.
 * </ul>
 */
final class StepTracing {
  /** The environment variable that turns the step trace on when set to {@code 1}. */
  static final String TRACE_ENV = "VMLIFE_TRACE_STEPS";

  private StepTracing() {}

  /**
   * Returns the observer of this process: the trace if {@code env} asks for it, then the observers found
   * on the class path; {@link StepObserver#NONE} when there is neither.
   *
   * @param env the environment
   * @param err where the trace is printed
   * @param loader the class loader that the service lookup searches
   * @return the observer; thread-safe
   * @throws java.util.ServiceConfigurationError if a listed observer cannot be loaded or created
   */
  static StepObserver observer(Map<String, String> env, PrintStream err, ClassLoader loader) {
    List<StepObserver> observers = new ArrayList<>();
    if ("1".equals(env.get(TRACE_ENV))) {
      observers.add(new Trace(err));
    }
    ServiceLoader.load(StepObserver.class, loader).forEach(observers::add);
    if (observers.isEmpty()) {
      return StepObserver.NONE;
    }
    if (observers.size() == 1) {
      return observers.get(0);
    }
    List<StepObserver> all = List.copyOf(observers);
    return (instanceId, step) -> all.forEach(o -> o.onStep(instanceId, step));
  }

  /**
   * Names the occurrences of steps: a step's first occurrence by its name, the k-th after it
   * {@code <name>#k}. Thread-safe.
   */
  static final class Labels {
    private final Map<String, Integer> seen = new HashMap<>();

    /**
     * Counts an occurrence of {@code step} and returns its label.
     *
     * @param step the step name
     * @return {@code step}, or {@code step#k} for its k-th occurrence
     */
    synchronized String label(String step) {
      int n = seen.merge(step, 1, Integer::sum);
      return n == 1 ? step : step + "#" + n;
    }
  }

  /** Prints {@code VMLIFE-STEP <label>} for each step. Thread-safe. */
  private static final class Trace implements StepObserver {
    private final Labels labels = new Labels();
    private final PrintStream err;

    Trace(PrintStream err) {
      this.err = err;
    }

    @Override
    public void onStep(String instanceId, String step) {
      String line = "VMLIFE-STEP " + labels.label(step);
      synchronized (err) {
        err.println(line);
        err.flush();
      }
    }
  }
}
