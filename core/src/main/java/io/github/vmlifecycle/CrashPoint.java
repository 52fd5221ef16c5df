package io.github.vmlifecycle;

/**
 * A step boundary of an operation at which tests simulate the death of the managing process: the
 * engine stops there without saving anything more, exactly as if the process had been killed.
 */
enum CrashPoint {
  /** After the task_state was set, before anything else. */
  AFTER_ACCEPT,
  /** After the write-ahead intent was stored (rescue: the original definition), before the driver call. */
  AFTER_INTENT,
  /** After the driver call returned, before the final state was saved. */
  AFTER_DRIVER_CALL;

  /** Thrown to unwind a simulated crash; an {@link Error} so that no failure handling runs. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(CrashPoint point) {
      super("simulated crash at " + point, null, false, false);
    }
  }
}
