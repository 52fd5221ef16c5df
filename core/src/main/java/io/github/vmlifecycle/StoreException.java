package io.github.vmlifecycle;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Thrown when the instance store cannot be read or written: an unreadable, corrupt or truncated file,
 * a directory without permission, a full disk. The message names the file.
 */
public final class StoreException extends VmLifecycleException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  /**
   * Creates the exception.
   *
   * @param file the file concerned, or null
   * @param message what is wrong, naming the file
   * @param cause the underlying cause, or null
   */
  public StoreException(Path file, String message, Throwable cause) {
    super(Kind.STORE, null, message, cause);
    this.file = file;
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
