package io.github.vmlifecycle.cli;

/**
 * Makes text from the hypervisor, the store or an error safe to print on a terminal: control characters
 * (C0, DEL, C1, so also ESC and CSI) and the Unicode bidirectional controls, which could move the cursor,
 * recolour or rewrite what an operator sees, are shown as {@code \xHH} or {@code \\uHHHH}; a backslash is
 * doubled so that the escaping reads back unambiguously. Stateless; thread-safe.
 */
final class TerminalText {
  private TerminalText() {}

  /**
   * Returns {@code text} with every character that could act on a terminal escaped.
   *
   * @param text any text, or null
   * @return the printable text ({@code "null"} for null)
   */
  static String safe(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder sb = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String replacement = replacement(c);
      if (replacement != null && sb == null) {
        sb = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (sb != null) {
        if (replacement != null) {
          sb.append(replacement);
        } else {
          sb.append(c);
        }
      }
    }
    return sb == null ? text : sb.toString();
  }

  /**
   * Returns each line of {@code text} made safe, the line breaks kept.
   *
   * @param text multi-line text
   * @return the printable text
   */
  static String safeLines(String text) {
    String[] lines = text.split("\n", -1);
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        sb.append('\n');
      }
      sb.append(safe(lines[i]));
    }
    return sb.toString();
  }

  private static String replacement(char c) {
    if (c == '\\') {
      return "\\\\";
    }
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
      return String.format("\\x%02x", (int) c);
    }
    if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f
        || c == 0x061c) {
      return String.format("\\u%04x", (int) c);
    }
    return null;
  }
}
