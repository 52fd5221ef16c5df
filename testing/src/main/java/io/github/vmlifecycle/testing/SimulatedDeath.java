package io.github.vmlifecycle.testing;

/**
 * Thrown by a {@link StepObservers#dieAt} observer: it stands for the death of the managing process at a
 * step boundary, so it is an {@link Error} that the engine's and drivers' failure handling (which catch
 * exceptions) let pass, and nothing more is written. Catch it in the test, then recover with a fresh
 * engine as a restarted process would.
 *
 * <p>Immutable; no stack trace is recorded.
 */
public final class SimulatedDeath extends Error {
  private static final long serialVersionUID = 1L;

  /** The step at which the death was simulated. */
  private final String step;
  /** Which occurrence of the step it was, from 1. */
  private final int occurrence;

  /**
   * Creates the error.
   *
   * @param step the step at which the process died
   * @param occurrence which occurrence of the step it was, from 1
   */
  public SimulatedDeath(String step, int occurrence) {
    super("simulated death of the managing process at step " + step + " (occurrence " + occurrence + ")",
        null, false, false);
    this.step = step;
    this.occurrence = occurrence;
  }

  /**
   * Returns the step at which the process died.
   *
   * @return the step name, such as {@code store.write.after}
   */
  public String step() {
    return step;
  }

  /**
   * Returns which occurrence of the step it was.
   *
   * @return the occurrence, from 1
   */
  public int occurrence() {
    return occurrence;
  }
}
