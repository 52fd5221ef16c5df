package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.LifecycleRules;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's state table and diagram equal to what {@code vmlife rules} prints from the core's
 * rules. (The examples module keeps the README's quick start equal to its code.)
 */
class ReadmeRulesTest {
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
  void stateTable_inTheReadme_isTheCoresTable() throws Exception {
    assertThat(between(readme(), "<!-- rules:begin", "<!-- rules:end"))
        .isEqualTo(RulesCommand.table(LifecycleRules.standard()));
  }

  @Test
  void stateDiagram_inTheReadme_isGeneratedFromTheCoresTable() throws Exception {
    assertThat(between(readme(), "<!-- mermaid:begin", "<!-- mermaid:end"))
        .isEqualTo("```mermaid\n" + RulesCommand.mermaid(LifecycleRules.standard()) + "```\n");
  }
}
