package io.github.vmlifecycle.internal.rescue;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs libvirt's {@code virt-xml-validate FILE domain} on files, in parallel. When the tool is
 * missing, a test fails under {@code CI=true} and is skipped elsewhere.
 */
public final class VirtXmlValidate {
  private VirtXmlValidate() {}

  /** Finds virt-xml-validate in /usr/bin or on the PATH. */
  public static Optional<Path> tool() {
    return find("virt-xml-validate");
  }

  /** Finds an executable in /usr/bin or on the PATH. */
  static Optional<Path> find(String program) {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    return Stream.concat(Stream.of("/usr/bin"), Stream.of(path.split(":")))
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, program))
        .filter(Files::isExecutable)
        .findFirst();
  }

  /** Returns the tool, failing the test under CI=true and skipping it elsewhere when it is missing. */
  public static Path requireTool() {
    return requireTool(tool(), System.getenv("CI"));
  }

  static Path requireTool(Optional<Path> tool, String ci) {
    return require(tool, ci, "virt-xml-validate is not installed (Debian: libvirt-clients and libxml2-utils)");
  }

  /** Returns the tool; when it is missing, fails the test under CI=true and skips it elsewhere. */
  static Path require(Optional<Path> tool, String ci, String why) {
    if (tool.isEmpty()) {
      if ("true".equals(ci)) {
        fail(why + "; it is required when CI=true");
      }
      Assumptions.assumeTrue(false, why);
    }
    return tool.get();
  }

  /** Validates every file as a domain; returns the tool's output for each file that is invalid. */
  public static Map<Path, String> invalid(Path tool, List<Path> files) {
    Map<Path, String> failures = new ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()));
    try {
      List<Future<?>> jobs = new java.util.ArrayList<>();
      for (Path f : files) {
        jobs.add(pool.submit(() -> validate(tool, f).ifPresent(out -> failures.put(f, out))));
      }
      for (Future<?> job : jobs) {
        job.get(60, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new IllegalStateException("virt-xml-validate did not finish", e);
    } finally {
      pool.shutdownNow();
    }
    return failures;
  }

  private static Optional<String> validate(Path tool, Path file) {
    try {
      Process p =
          new ProcessBuilder(tool.toString(), file.toString(), "domain").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Optional.of("timed out");
      }
      return p.exitValue() == 0 ? Optional.empty() : Optional.of(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }
}
