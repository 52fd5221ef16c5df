package io.github.vmlifecycle.fake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps every {@code <pre>{@code ...}</pre>} example of the fake's javadoc equal to its region of
 * {@link JavadocExamples}, and runs those examples.
 */
class JavadocExamplesTest {
  private static final Path BASE = Path.of(System.getProperty("basedir", "."));
  private static final Path MAIN = BASE.resolve("src/main/java/io/github/vmlifecycle/fake");
  private static final Path EXAMPLES = BASE.resolve("src/test/java/io/github/vmlifecycle/fake/JavadocExamples.java");
  private static final Pattern BLOCK = Pattern.compile("<pre>\\{@code\\n(.*?)\\n \\* }</pre>", Pattern.DOTALL);
  private static final Pattern REGION =
      Pattern.compile("\\n( *)// javadoc:(\\S+):begin\\n(.*?)\\n *// javadoc:\\2:end", Pattern.DOTALL);

  @Test
  void javadocExamples_everyBlock_isTheCompiledExample() {
    Map<String, String> blocks = new LinkedHashMap<>();
    for (Path file : mainSources()) {
      Matcher m = BLOCK.matcher(read(file));
      while (m.find()) {
        String code = m.group(1).lines().map(l -> l.startsWith(" * ") ? l.substring(3) : l.replaceFirst("^ \\*$", ""))
            .collect(Collectors.joining("\n"));
        assertThat(blocks.put(file.getFileName().toString(), code)).as("one example per file: " + file).isNull();
      }
    }
    Map<String, String> regions = new LinkedHashMap<>();
    Matcher m = REGION.matcher(read(EXAMPLES));
    while (m.find()) {
      int indent = m.group(1).length();
      regions.put(m.group(2), m.group(3).lines().map(l -> l.length() >= indent ? l.substring(indent) : l.strip())
          .collect(Collectors.joining("\n")));
    }

    assertThat(blocks).isNotEmpty();
    assertThat(regions).isEqualTo(blocks);
  }

  @Test
  void packageInfoExample_runs() {
    JavadocExamples.packageInfo();
  }

  @Test
  void fakeHangExample_runs() throws Exception {
    JavadocExamples.fakeHang();
  }

  private static List<Path> mainSources() {
    try (Stream<Path> files = Files.list(MAIN)) {
      return new ArrayList<>(files.filter(p -> p.toString().endsWith(".java")).sorted().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
