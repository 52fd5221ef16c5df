package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.OperationJournal;
import io.github.vmlifecycle.spi.ProgressListener;
import io.github.vmlifecycle.spi.StepObserver;
import java.time.Duration;

/** Short ways for the fake's tests to make the {@link DriverCall} of a driver call. */
final class Calls {

  private Calls() {}

  /** A call with every default. */
  static DriverCall call() {
    return DriverCall.defaults();
  }

  /** A call with a clean-shutdown timeout. */
  static DriverCall timeout(Duration shutdownTimeout) {
    return DriverCall.builder().shutdownTimeout(shutdownTimeout).build();
  }

  /** A call with a progress listener. */
  static DriverCall progress(ProgressListener progress) {
    return DriverCall.builder().progress(progress).build();
  }

  /** A call with a journal. */
  static DriverCall journal(OperationJournal journal) {
    return DriverCall.builder().journal(journal).build();
  }

  /** A call with a step observer. */
  static DriverCall steps(StepObserver steps) {
    return DriverCall.builder().steps(steps).build();
  }
}
