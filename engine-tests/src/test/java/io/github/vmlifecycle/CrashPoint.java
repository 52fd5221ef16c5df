package io.github.vmlifecycle;

import io.github.vmlifecycle.spi.StepObserver;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A step boundary of an operation at which a test simulates the death of the managing process, by the
 * engine's own step names (see {@link StepObserver}): the engine stops there without saving anything
 * more, exactly as if the process had been killed.
 */
enum CrashPoint {
  /** After the task_state was set and the START event is out, before anything else. */
  AFTER_ACCEPT("engine.accepted"),
  /** After the write-ahead intent was stored (rescue: the original definition), before the driver call. */
  AFTER_INTENT("engine.intent-saved"),
  /** After the driver call returned, before the final state was saved. */
  AFTER_DRIVER_CALL("engine.driver-returned");

  final String step;

  CrashPoint(String step) {
    this.step = step;
  }

  /** Thrown to unwind a simulated crash; an {@link Error} so that no failure handling runs. */
  static final class SimulatedCrash extends Error {
    private static final long serialVersionUID = 1L;

    SimulatedCrash(String step) {
      super("simulated crash at " + step, null, false, false);
    }
  }

  /** A step observer that kills the operation at the armed point once. Thread-safe. */
  static final class Armed implements StepObserver {
    private final AtomicReference<CrashPoint> armed = new AtomicReference<>();

    @Override
    public void onStep(String instanceId, String step) {
      CrashPoint point = armed.get();
      if (point != null && point.step.equals(step) && armed.compareAndSet(point, null)) {
        throw new SimulatedCrash(step);
      }
    }

    /**
     * Runs {@code work} with the crash armed at {@code point}.
     *
     * @return true if the crash point was reached; false if the work ended before it (a failure is
     *     rethrown as usual)
     */
    boolean runUntil(CrashPoint point, Supplier<?> work) {
      armed.set(point);
      try {
        work.get();
        return false;
      } catch (SimulatedCrash expected) {
        return true;
      } finally {
        armed.set(null);
      }
    }
  }
}
