package io.github.vmlifecycle;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Thrown when the instance store cannot be read or written: an unreadable, corrupt or truncated file,
 * a directory without permission, a full disk. The message names the file.
 */
public final class StoreException extends VmLifecycleException {
  private static final long serialVersionUID = 1L;

  /** Why the store refused or failed; stable across releases. Callers decide on it, never on the message. */
  public enum Reason {
    /** Reading or writing failed (permission, full disk, an I/O error). */
    IO,
    /** A record or log line cannot be decoded. */
    CORRUPT,
    /**
     * The state directory is not safe to trust: not owned by the user running vmlifecycle, or writable
     * by its group or by others.
     */
    UNSAFE_DIRECTORY,
    /** A store file is a symbolic link, a FIFO, a directory or another non-regular file. */
    NOT_A_REGULAR_FILE,
    /** A store file is larger than the store's size limit for it. */
    TOO_LARGE
  }

  private final transient Path file;
  /** Why the store refused or failed. */
  private final Reason reason;

  /**
   * Creates the exception with reason {@link Reason#IO}.
   *
   * @param file the file concerned, or null
   * @param message what is wrong, naming the file
   * @param cause the underlying cause, or null
   */
  public StoreException(Path file, String message, Throwable cause) {
    this(Reason.IO, file, message, cause);
  }

  /**
   * Creates the exception.
   *
   * @param reason why the store refused or failed
   * @param file the file concerned, or null
   * @param message what is wrong, naming the file
   * @param cause the underlying cause, or null
   */
  public StoreException(Reason reason, Path file, String message, Throwable cause) {
    super(Kind.STORE, null, message, cause);
    this.reason = java.util.Objects.requireNonNull(reason, "reason");
    this.file = file;
  }

  /**
   * Returns why the store refused or failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * Returns the file concerned, when known.
   *
   * @return the file or empty
   */
  public Optional<Path> file() {
    return Optional.ofNullable(file);
  }
}
