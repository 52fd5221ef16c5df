package io.github.vmlifecycle.internal.rescue;

import static org.assertj.core.api.Assertions.fail;

import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The libvirt domain definitions the rescue tests run over: the project's own set in the test resources
 * ({@code domain-xml/}, covering disk types, devices, buses, boot orders, kernels, firmware, host devices
 * and metadata), plus an optional extra corpus named by system property {@code vmlifecycle.extraCorpus}
 * or environment variable {@code VMLIFE_EXTRA_CORPUS} (CI passes one in). An extra corpus that is named
 * but missing fails the test rather than being skipped.
 *
 * <p>The definitions that must be refused are listed with their reasons in {@code
 * domain-xml/refusals.properties} (the own set) and {@code extra-corpus-refusals.properties} (known
 * files of an extra corpus): {@code file.xml=LEGACY_REASON,STABLE_REASON}, {@code -} for none.
 */
public final class Corpus {
  private static final String OWN = "/domain-xml";

  private Corpus() {}

  /** The directory of the project's own definitions. */
  public static Path ownDirectory() {
    URL url = Corpus.class.getResource(OWN);
    if (url == null) {
      return fail("The test resources hold no " + OWN + " directory");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The extra corpus directory, when one is named. */
  public static Optional<Path> extraDirectory() {
    String named = System.getProperty("vmlifecycle.extraCorpus");
    if (named == null || named.isBlank()) {
      named = System.getenv("VMLIFE_EXTRA_CORPUS");
    }
    if (named == null || named.isBlank()) {
      return Optional.empty();
    }
    Path dir = Path.of(named).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      return fail("The extra domain XML corpus " + dir + " does not exist");
    }
    return Optional.of(dir);
  }

  /** The project's own definitions, sorted by name. */
  public static List<Path> own() {
    return xmlIn(ownDirectory());
  }

  /** The own definitions followed by those of the extra corpus, if any. */
  public static List<Path> files() {
    List<Path> all = new ArrayList<>(own());
    extraDirectory().ifPresent(dir -> all.addAll(xmlIn(dir)));
    return all;
  }

  /** The largest definition of {@link #files()}. */
  public static Path largest() {
    return files().stream().max((a, b) -> Long.compare(size(a), size(b))).orElseThrow();
  }

  /**
   * The expected refusals by file name: element 0 for the legacy modes, 1 for the stable modes, null
   * where the rescue must succeed.
   */
  public static Map<String, Reason[]> refusals(String resource) {
    Properties p = new Properties();
    try (InputStream in = Corpus.class.getResourceAsStream(resource)) {
      if (in == null) {
        return fail("The test resources hold no " + resource);
      }
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, Reason[]> refusals = new HashMap<>();
    for (String name : p.stringPropertyNames()) {
      String[] reasons = p.getProperty(name).split(",");
      refusals.put(name, new Reason[] {reason(reasons[0]), reason(reasons[1])});
    }
    return refusals;
  }

  private static Reason reason(String text) {
    return text.strip().equals("-") ? null : Reason.valueOf(text.strip());
  }

  private static List<Path> xmlIn(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> xml = files.filter(p -> p.getFileName().toString().endsWith(".xml")).sorted().toList();
      if (xml.isEmpty()) {
        fail("The domain XML corpus " + dir + " holds no .xml file");
      }
      return xml;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
