package io.github.vmlifecycle.libvirt;

import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.OperationJournal;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;

/**
 * The {@link DriverCall}s the libvirt tests make: a fresh in-memory journal unless one is given, and a
 * shutdown request re-sent every second (a booting guest may miss the first ACPI event).
 */
final class Calls {
  /** How often the tests' stops ask the guest again. */
  static final Duration RETRY = Duration.ofSeconds(1);

  private Calls() {}

  static DriverCall.Builder builder() {
    return DriverCall.builder().shutdownRetryInterval(RETRY);
  }

  static DriverCall plain() {
    return builder().build();
  }

  static DriverCall journal(OperationJournal journal) {
    return builder().journal(journal).build();
  }

  static DriverCall progress(ProgressListener progress) {
    return builder().progress(progress).build();
  }

  static DriverCall stop(Duration shutdownTimeout) {
    return builder().shutdownTimeout(shutdownTimeout).build();
  }
}
