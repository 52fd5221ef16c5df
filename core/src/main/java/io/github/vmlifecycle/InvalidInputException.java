package io.github.vmlifecycle;

/**
 * Thrown when input is invalid: an instance id with path characters, a missing file, a malformed or
 * hostile domain XML document, contradictory options. Nothing was changed.
 */
public class InvalidInputException extends VmLifecycleException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong and, where it helps, what is expected
   */
  public InvalidInputException(String message) {
    super(Kind.INVALID_INPUT, null, message, null);
  }

  /**
   * Creates the exception for an instance.
   *
   * @param instance the instance concerned, or null
   * @param message what is wrong
   * @param cause the underlying cause, or null
   */
  public InvalidInputException(String instance, String message, Throwable cause) {
    super(Kind.INVALID_INPUT, instance, message, cause);
  }
}
