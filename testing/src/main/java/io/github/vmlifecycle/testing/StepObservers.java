package io.github.vmlifecycle.testing;

import io.github.vmlifecycle.spi.StepObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link StepObserver}s for tests: one that kills the operation at a step as the death of the process
 * would ({@link #dieAt}), and one that records every step ({@link #recording()}). Pass them to
 * {@code LifecycleEngine.builder().stepObserver(...)} or to a driver through
 * {@code DriverCall.builder().steps(...)}.
 *
 * <pre>{@code
 * LifecycleEngine engine = LifecycleEngine.builder().driver(fake).store(store)
 *     .stepObserver(StepObservers.dieAt("engine.driver-returned")).build();
 * assertThatThrownBy(() -> engine.suspend("web")).isInstanceOf(SimulatedDeath.class);
 * // recover with a fresh engine on the same store and driver
 * }</pre>
 */
public final class StepObservers {
  private StepObservers() {}

  /**
   * Returns an observer that throws a {@link SimulatedDeath} at the first occurrence of {@code step}.
   *
   * @param step the step name, such as {@code store.write.before}
   * @return a new observer; thread-safe
   */
  public static StepObserver dieAt(String step) {
    return dieAt(step, 1);
  }

  /**
   * Returns an observer that throws a {@link SimulatedDeath} at the {@code occurrence}-th occurrence of
   * {@code step}, counted over all instances, and at no other; earlier and later occurrences pass.
   *
   * @param step the step name, such as {@code store.write.before}
   * @param occurrence which occurrence to die at, from 1
   * @return a new observer; thread-safe
   * @throws IllegalArgumentException if {@code occurrence} is less than 1
   */
  public static StepObserver dieAt(String step, int occurrence) {
    Objects.requireNonNull(step, "step");
    if (occurrence < 1) {
      throw new IllegalArgumentException("The occurrence counts from 1, got " + occurrence);
    }
    AtomicInteger seen = new AtomicInteger();
    return (instanceId, reached) -> {
      if (reached.equals(step) && seen.incrementAndGet() == occurrence) {
        throw new SimulatedDeath(step, occurrence);
      }
    };
  }

  /**
   * Returns an observer that records every step, in the order they were reached.
   *
   * @return a new, empty recorder
   */
  public static Recorder recording() {
    return new Recorder();
  }

  /** A {@link StepObserver} that records the steps it sees. Thread-safe. */
  public static final class Recorder implements StepObserver {
    private final List<String> steps = new ArrayList<>();

    private Recorder() {}

    /**
     * Records the step.
     *
     * @param instanceId the instance id (not recorded)
     * @param step the step
     */
    @Override
    public synchronized void onStep(String instanceId, String step) {
      steps.add(step);
    }

    /**
     * Returns the steps seen so far, oldest first, repeats included.
     *
     * @return an immutable snapshot
     */
    public synchronized List<String> steps() {
      return List.copyOf(steps);
    }
  }
}
