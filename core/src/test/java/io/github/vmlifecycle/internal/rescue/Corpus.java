package io.github.vmlifecycle.internal.rescue;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The shared corpus of real libvirt domain XML: the directory named by system property {@code
 * vmlifecycle.corpus} (set by surefire), else {@code ../shared/corpus/domain-xml} relative to the
 * project root. A missing corpus fails the test rather than skipping it.
 */
public final class Corpus {
  private Corpus() {}

  public static Path directory() {
    List<Path> candidates = new ArrayList<>();
    String property = System.getProperty("vmlifecycle.corpus");
    if (property != null && !property.isBlank()) {
      candidates.add(Path.of(property));
    }
    Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    Path projectRoot = Files.isDirectory(here.resolve("core")) ? here : here.getParent();
    candidates.add(projectRoot.resolve("../shared/corpus/domain-xml"));
    for (Path candidate : candidates) {
      if (Files.isDirectory(candidate)) {
        return candidate.normalize();
      }
    }
    return fail("The domain XML corpus is missing; looked in " + candidates);
  }

  public static List<Path> files() {
    try (Stream<Path> files = Files.list(directory())) {
      List<Path> xml = files.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList();
      if (xml.isEmpty()) {
        fail("The domain XML corpus " + directory() + " holds no .xml file");
      }
      return xml;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Path largest() {
    return files().stream()
        .max((a, b) -> Long.compare(size(a), size(b)))
        .orElseThrow();
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
