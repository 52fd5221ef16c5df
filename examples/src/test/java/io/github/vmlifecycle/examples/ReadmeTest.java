package io.github.vmlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the README's quick start equal to the consumer project's {@code QuickStart.java} (imports
 * included), and compiles and runs that source against this build's modules. (The consumer project
 * itself builds and runs it against the installed artifacts; the CLI module keeps the README's state
 * table and diagram equal to the core's rules.)
 */
class ReadmeTest {
  static final Path ROOT = Path.of(System.getProperty("maven.multiModuleProjectDirectory",
      Path.of("").toAbsolutePath().getParent().toString()));
  private static final Path QUICK_START =
      ROOT.resolve("consumer/classpath/src/main/java/com/example/quickstart/QuickStart.java");

  @TempDir Path classes;

  private static String between(String text, String begin, String end) {
    int b = text.indexOf(begin);
    int e = text.indexOf(end, b);
    assertThat(b).as(begin).isNotNegative();
    assertThat(e).as(end).isGreaterThan(b);
    return text.substring(text.indexOf('\n', b) + 1, e);
  }

  @Test
  void quickStart_inTheReadme_isTheConsumerProjectsSourceWithItsImports() throws Exception {
    String source = Files.readString(QUICK_START);
    String fromImports = source.substring(source.indexOf("import "));
    String block = between(Files.readString(ROOT.resolve("README.md")), "<!-- quickstart:begin", "<!-- quickstart:end");
    assertThat(block).isEqualTo("```java\n" + fromImports + "```\n");
  }

  @Test
  void quickStart_compiledFromTheConsumerProject_runs() throws Exception {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int rc = javac.run(null, null, diagnostics, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
        QUICK_START.toString());
    assertThat(rc).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stdout = System.out;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      Method main = loader.loadClass("com.example.quickstart.QuickStart").getMethod("main", String[].class);
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[0]);
    } finally {
      System.setOut(stdout);
    }
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).contains("instance.pause.start", "instance.rescue.end", "RESCUED true", "UNRESCUE SUCCEEDED")
        .anyMatch(l -> l.startsWith("Cannot 'unpause' instance web-1"));
  }
}
