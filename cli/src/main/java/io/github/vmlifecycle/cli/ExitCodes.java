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
  /** The hypervisor failed. */
  public static final int HYPERVISOR = 5;
  /** Invalid or refused input. */
  public static final int INVALID_INPUT = 6;
  /** The state store could not be read or written (a file named in the message). */
  public static final int STORE = 7;

  /**
   * Done for every instance whose record could be read, but at least one record could not (corrupt, too
   * large, not a regular file) and was skipped; each is named on stderr.
   */
  public static final int SKIPPED = 8;

  /** Exit codes from the least to the most severe, for a command given several IDs. */
  private static final int[] SEVERITY = {OK, SKIPPED, NOT_ALLOWED, NOT_FOUND, INVALID_INPUT, USAGE, HYPERVISOR,
      STORE};

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
      case STORE:
        return STORE;
      case HYPERVISOR:
      default:
        return HYPERVISOR;
    }
  }

  /**
   * Returns the more severe of two exit codes: the code of a command given several IDs is the worst of
   * its IDs' codes, in the order store failure (7), hypervisor failure (5), usage (2), invalid input (6),
   * no such instance (4), not allowed (3), done (0).
   *
   * @param a an exit code of this class
   * @param b another
   * @return the more severe of the two
   * @throws IllegalArgumentException if either is not an exit code of this class
   */
  public static int worse(int a, int b) {
    return rank(a) >= rank(b) ? a : b;
  }

  private static int rank(int code) {
    for (int i = 0; i < SEVERITY.length; i++) {
      if (SEVERITY[i] == code) {
        return i;
      }
    }
    throw new IllegalArgumentException("Not an exit code of vmlife: " + code);
  }
}
