package io.github.vmlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's quick start equal to {@link QuickStart}, and runs it. (The CLI module keeps the
 * README's state table and diagram equal to the core's rules.)
 */
class ReadmeTest {
  private static final Path ROOT = Path.of(System.getProperty("maven.multiModuleProjectDirectory",
      Path.of("").toAbsolutePath().getParent().toString()));

  private static String between(String text, String begin, String end) {
    int b = text.indexOf(begin);
    int e = text.indexOf(end, b);
    assertThat(b).as(begin).isNotNegative();
    assertThat(e).as(end).isGreaterThan(b);
    return text.substring(text.indexOf('\n', b) + 1, e);
  }

  private static String readme() throws Exception {
    return Files.readString(ROOT.resolve("README.md"));
  }

  @Test
  void quickStart_inTheReadme_isTheCompiledExample() throws Exception {
    String source = Files.readString(ROOT.resolve("examples/src/main/java/io/github/vmlifecycle/examples/QuickStart.java"));
    String code = between(source, "// quickstart:begin", "    // quickstart:end");
    String dedented = Arrays.stream(code.split("\n")).map(l -> l.length() >= 4 ? l.substring(4) : l.strip())
        .collect(Collectors.joining("\n")) + "\n";
    String block = between(readme(), "<!-- quickstart:begin", "<!-- quickstart:end");
    assertThat(block).isEqualTo("```java\n" + dedented + "```\n");
  }

  @Test
  void quickStart_runs() throws Exception {
    QuickStart.main(new String[0]);
  }
}
