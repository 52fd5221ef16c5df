package io.github.vmlifecycle.libvirt;

/**
 * Observes the steps of the libvirt driver's multi-step calls as each one completes, such as
 * {@code rescue.powered-off}, {@code rescue.files-created}, {@code rescue.defined} and
 * {@code rescue.started}: for tracing, and for fault-injection tests that stop the managing process
 * at a step boundary. Called on the calling thread; must be quick. An exception it throws propagates
 * out of the driver call as if the step after it had failed.
 */
@FunctionalInterface
public interface StepListener {

  /** A listener that ignores every step. */
  StepListener NONE = (instanceId, step) -> {};

  /**
   * Called when a step has completed.
   *
   * @param instanceId the instance id or name the call was given
   * @param step the step, {@code <call>.<what is now done>}
   */
  void onStep(String instanceId, String step);
}
