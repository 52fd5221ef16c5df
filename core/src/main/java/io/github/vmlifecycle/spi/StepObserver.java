package io.github.vmlifecycle.spi;

/**
 * Observes the step boundaries of lifecycle work as each step completes: the engine's own (every store
 * write, before and after, such as {@code store.write.before}, and {@code engine.accepted},
 * {@code engine.intent-saved}, {@code engine.driver-returned}) and a driver's (such as
 * {@code rescue.powered-off}, {@code rescue.defined}, or the fake's {@code suspend.midway}). One
 * observer serves tracing, crash-point tests that stop an operation at a boundary as a killed process
 * would, and kill tests of whole processes.
 *
 * <p>Called on the thread doing the work; must be quick. An exception or error it throws propagates out
 * of the call as if the step after the boundary had failed; an {@link Error} unwinds without any
 * failure handling, exactly like the death of the process. Implementations must be thread-safe.
 */
@FunctionalInterface
public interface StepObserver {

  /** An observer that ignores every step. */
  StepObserver NONE = (instanceId, step) -> {};

  /**
   * Called when a step boundary is reached.
   *
   * @param instanceId the instance id (or the name a driver call was given)
   * @param step the step, {@code <part>.<what is now done>}, lower case
   */
  void onStep(String instanceId, String step);
}
