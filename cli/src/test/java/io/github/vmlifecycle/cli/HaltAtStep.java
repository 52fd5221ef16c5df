package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.spi.StepObserver;
import java.io.PrintStream;

/**
 * The kill tests' step observer, which {@code vmlife} loads through its {@code ServiceLoader} extension
 * point when it runs on the test class path: with {@code VMLIFE_TEST_HALT_AT=<step>} (a label as the
 * trace prints it, {@code <name>#k} for a repeat) it stops the process at that step boundary, printing
 * {@code VMLIFE-HALTED <step>} on stderr and blocking until the process is killed, so that a test can
 * kill it with SIGKILL exactly there. Without the variable it does nothing.
 *
 * <p>Thread-safe.
 */
public final class HaltAtStep implements StepObserver {
  /** The environment variable naming the step to halt at. */
  static final String HALT_ENV = "VMLIFE_TEST_HALT_AT";

  private final String haltAt;
  private final StepTracing.Labels labels = new StepTracing.Labels();
  private final PrintStream err;

  /** Creates the observer from the environment; called by {@code ServiceLoader}. */
  public HaltAtStep() {
    this(System.getenv(HALT_ENV), System.err);
  }

  HaltAtStep(String haltAt, PrintStream err) {
    this.haltAt = haltAt;
    this.err = err;
  }

  /**
   * Blocks forever if this occurrence of {@code step} is the one to halt at.
   *
   * @param instanceId the instance id
   * @param step the step
   */
  @Override
  public void onStep(String instanceId, String step) {
    if (haltAt == null || haltAt.isEmpty()) {
      return;
    }
    String label = labels.label(step);
    if (!label.equals(haltAt)) {
      return;
    }
    synchronized (err) {
      err.println("VMLIFE-HALTED " + label);
      err.flush();
    }
    while (true) {
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        // keep blocking: only a kill ends a halted process
      }
    }
  }
}
