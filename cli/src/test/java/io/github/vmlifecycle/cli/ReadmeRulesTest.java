package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.LifecycleRules;
import io.github.vmlifecycle.PowerSyncRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's state table, diagram and power-sync table equal to what {@code vmlife rules} prints from the core's
 * rules. (The examples module keeps the README's quick start equal to its code.)
 */
class ReadmeRulesTest {
  private static final Path ROOT = Path.of(System.getProperty("maven.multiModuleProjectDirectory",
      Path.of("").toAbsolutePath().getParent().toString()));

  /** The README's text between {@code <!-- name:begin ...} (after that line) and {@code <!-- name:end}. */
  private static String section(String name) throws Exception {
    Matcher m = Pattern.compile("<!-- " + name + ":begin[^\n]*\n(.*?)<!-- " + name + ":end", Pattern.DOTALL)
        .matcher(Files.readString(ROOT.resolve("README.md")));
    assertThat(m.find()).as("README section %s", name).isTrue();
    return m.group(1);
  }

  @Test
  void stateTable_inTheReadme_isTheCoresTable() throws Exception {
    assertThat(section("rules"))
        .isEqualTo(RulesCommand.table(LifecycleRules.standard()));
  }

  @Test
  void powerSyncTable_inTheReadme_isTheCoresTable() throws Exception {
    assertThat(section("powersync")).isEqualTo(RulesCommand.syncTable(PowerSyncRules.standard()));
  }

  @Test
  void stateDiagram_inTheReadme_isGeneratedFromTheCoresTable() throws Exception {
    assertThat(section("mermaid"))
        .isEqualTo("```mermaid\n" + RulesCommand.mermaid(LifecycleRules.standard()) + "```\n");
  }
}
