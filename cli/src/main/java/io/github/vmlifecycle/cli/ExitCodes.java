package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.VmLifecycleException;

/** The exit codes of {@code vmlife}, derived from the exception kind, never from message text. */
public final class ExitCodes {
  /** Done. */
  public static final int OK = 0;
  /** The command line is wrong. */
  public static final int USAGE = 2;
  /** Not allowed in the current state, locked, or busy. */
  public static final int NOT_ALLOWED = 3;
  /** No such instance. */
  public static final int NOT_FOUND = 4;
  /** The hypervisor failed (or the state store could not be used). */
  public static final int HYPERVISOR = 5;
  /** Invalid or refused input. */
  public static final int INVALID_INPUT = 6;
  /**
   * Done for every instance whose record could be read, but at least one record could not (corrupt, too
   * large, not a regular file) and was skipped; each is named on stderr.
   */
  public static final int SKIPPED = 7;

  private ExitCodes() {}

  /**
   * Returns the exit code for an exception kind.
   *
   * @param kind the kind
   * @return its exit code
   */
  public static int of(VmLifecycleException.Kind kind) {
    switch (kind) {
      case INVALID_STATE:
      case LOCKED:
      case BUSY:
        return NOT_ALLOWED;
      case NOT_FOUND:
        return NOT_FOUND;
      case INVALID_INPUT:
        return INVALID_INPUT;
      case HYPERVISOR:
      case STORE:
      default:
        return HYPERVISOR;
    }
  }
}
