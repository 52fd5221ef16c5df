package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.OperationOptions;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options of every command that can stop a guest (stop, rescue, reboot, sync, recover): Nova's
 * {@code shutdown_timeout} and {@code shutdown_retry_interval}. Unset, the engine's defaults apply (60 s
 * and 10 s). A picocli mixin; not thread-safe.
 */
final class ShutdownOptions {
  @Option(names = "--shutdown-timeout", paramLabel = "SECONDS",
      description = "Seconds to wait for a clean shutdown before destroying the guest (0: at once; default 60).")
  Long timeout;

  @Option(names = "--shutdown-retry-interval", paramLabel = "SECONDS",
      description = "Seconds between two clean shutdown requests (default 10).")
  Long retryInterval;

  /**
   * Returns {@code b} with the shutdown timeout and retry interval given on the command line.
   *
   * @throws InvalidInputException if the timeout is negative or the interval not positive
   */
  OperationOptions.Builder applyTo(OperationOptions.Builder b) {
    if (timeout != null) {
      if (timeout < 0) {
        throw new InvalidInputException("--shutdown-timeout must not be negative: " + timeout);
      }
      b.shutdownTimeout(Duration.ofSeconds(timeout));
    }
    if (retryInterval != null) {
      if (retryInterval <= 0) {
        throw new InvalidInputException("--shutdown-retry-interval must be positive: " + retryInterval);
      }
      b.shutdownRetryInterval(Duration.ofSeconds(retryInterval));
    }
    return b;
  }

  /** Returns options carrying only the shutdown timeout and retry interval given. */
  OperationOptions options() {
    return applyTo(OperationOptions.builder()).build();
  }
}
