package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code qemu-img} on the hypervisor host: reading an image's format and backing file, and
 * creating copy-on-write overlays. Stateless and thread-safe.
 */
public final class QemuImg {
  private static final long TIMEOUT_SECONDS = 120;

  /**
   * What {@code qemu-img info} says about an image.
   *
   * @param format the image's format
   * @param backingFile its backing file, if any
   * @param backingFormat the backing file's format, if recorded
   */
  public record Info(String format, Optional<String> backingFile, Optional<String> backingFormat) {}

  private final String program;

  /**
   * Creates the runner.
   *
   * @param program the {@code qemu-img} program, a path or a name on the PATH
   */
  public QemuImg(String program) {
    this.program = program;
  }

  /**
   * Reads an image's format and backing file ({@code qemu-img info -U --output=json}; {@code -U}
   * because a running guest holds the image's write lock).
   *
   * @param image the image
   * @param instance the instance concerned, for errors
   * @return what qemu-img reports
   * @throws HypervisorException with {@link Code#OPERATION_FAILED} if qemu-img fails or is missing
   */
  public Info info(Path image, String instance) {
    String json = run(List.of(program, "info", "-U", "--output=json", image.toString()), instance);
    String format = string(json, "format").orElseThrow(() -> new HypervisorException(
        Code.OPERATION_FAILED, instance, Operation.RESCUE, "qemu-img info gave no format for " + image, null));
    Optional<String> backing = string(json, "full-backing-filename").or(() -> string(json, "backing-filename"));
    if (backing.isPresent() && !backing.get().startsWith("/")) {
      backing = Optional.of(image.toAbsolutePath().getParent().resolve(backing.get()).normalize().toString());
    }
    return new Info(format, backing, string(json, "backing-filename-format"));
  }

  /**
   * Creates a qcow2 overlay whose backing file is {@code backing} (which is never written).
   *
   * @param overlay the overlay to create (replaced if present)
   * @param backing the backing image, absolute
   * @param backingFormat the backing image's format
   * @param instance the instance concerned, for errors
   * @throws HypervisorException with {@link Code#OPERATION_FAILED} if qemu-img fails or is missing
   */
  void createOverlay(Path overlay, Path backing, String backingFormat, String instance) {
    run(List.of(program, "create", "-q", "-f", "qcow2", "-F", backingFormat, "-b", backing.toString(),
        overlay.toString()), instance);
  }

  private static Optional<String> string(String json, String key) {
    Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
    if (!m.find()) {
      return Optional.empty();
    }
    String v = m.group(1);
    StringBuilder out = new StringBuilder(v.length());
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length()) {
        char n = v.charAt(++i);
        switch (n) {
          case 'n' -> out.append('\n');
          case 't' -> out.append('\t');
          case 'u' -> {
            out.append((char) Integer.parseInt(v.substring(i + 1, Math.min(i + 5, v.length())), 16));
            i += 4;
          }
          default -> out.append(n);
        }
      } else {
        out.append(c);
      }
    }
    return Optional.of(out.toString());
  }

  private static String run(List<String> command, String instance) {
    Process p;
    try {
      p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new HypervisorException(Code.OPERATION_FAILED, instance, Operation.RESCUE,
          "Cannot run " + command.get(0) + " (Debian package qemu-utils): " + e.getMessage(), e);
    }
    try (InputStream in = p.getInputStream()) {
      byte[] out = in.readAllBytes();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new HypervisorException(Code.TIMEOUT, instance, Operation.RESCUE,
            String.join(" ", command) + " did not finish within " + TIMEOUT_SECONDS + " s", null);
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new HypervisorException(Code.OPERATION_FAILED, instance, Operation.RESCUE,
            String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + text.strip(), null);
      }
      return text;
    } catch (IOException e) {
      throw new HypervisorException(Code.OPERATION_FAILED, instance, Operation.RESCUE,
          String.join(" ", command) + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new HypervisorException(Code.OPERATION_FAILED, instance, Operation.RESCUE,
          "Interrupted while running " + command.get(0), e);
    }
  }
}
