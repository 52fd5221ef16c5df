package io.github.vmlifecycle.internal;

import io.github.vmlifecycle.InvalidInputException;

/** Validation of instance references (names and UUIDs) given by callers. */
public final class InstanceRefs {
  /** The longest reference accepted. */
  public static final int MAX_LENGTH = 255;

  private InstanceRefs() {}

  /**
   * Checks that {@code ref} can name an instance: not empty, not too long, no path separators, no
   * {@code ..}, no control characters.
   *
   * @param ref the reference given by a caller
   * @return {@code ref}
   * @throws InvalidInputException if it cannot name an instance
   */
  public static String validate(String ref) {
    if (ref == null || ref.isBlank()) {
      throw new InvalidInputException("An instance name or UUID is required");
    }
    if (ref.length() > MAX_LENGTH) {
      throw new InvalidInputException("Instance reference is longer than " + MAX_LENGTH + " characters");
    }
    for (int i = 0; i < ref.length(); i++) {
      char c = ref.charAt(i);
      if (c == '/' || c == '\\' || Character.isISOControl(c)) {
        throw new InvalidInputException("Invalid instance reference '" + printable(ref)
            + "': it must not contain path separators or control characters");
      }
    }
    if (ref.equals(".") || ref.contains("..")) {
      throw new InvalidInputException("Invalid instance reference '" + printable(ref) + "': it must not contain '..'");
    }
    return ref;
  }

  /**
   * Returns whether {@code ref} has the form of a UUID (8-4-4-4-12 hexadecimal digits, any case).
   *
   * @param ref a reference
   * @return true for a UUID
   */
  public static boolean isUuid(String ref) {
    if (ref.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = ref.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : Character.digit(c, 16) < 0) {
        return false;
      }
    }
    return true;
  }

  private static String printable(String ref) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ref.length(); i++) {
      char c = ref.charAt(i);
      sb.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return sb.toString();
  }
}
