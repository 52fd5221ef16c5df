package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.spi.StepObserver;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepTracingTest {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  /** Records the steps it sees; listed as a service only in {@link #observer_serviceOnTheClassPath_observesToo}. */
  public static final class Recording implements StepObserver {
    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    /** Called by ServiceLoader. */
    public Recording() {}

    @Override
    public void onStep(String instanceId, String step) {
      SEEN.add(step);
    }
  }

  @Test
  void observer_traceOn_printsEachStepWithRepeatsNumbered() {
    StepObserver observer = StepTracing.observer(Map.of(StepTracing.TRACE_ENV, "1"), err, emptyLoader());
    observer.onStep("a", "store.write.before");
    observer.onStep("a", "store.write.after");
    observer.onStep("a", "store.write.before");
    observer.onStep("b", "store.write.before");
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly("VMLIFE-STEP store.write.before",
        "VMLIFE-STEP store.write.after", "VMLIFE-STEP store.write.before#2", "VMLIFE-STEP store.write.before#3");
  }

  @Test
  void observer_nothingAsked_isNone() {
    assertThat(StepTracing.observer(Map.of(StepTracing.TRACE_ENV, "0"), err, emptyLoader()))
        .isSameAs(StepObserver.NONE);
  }

  @Test
  void observer_serviceOnTheClassPath_observesToo(@TempDir Path dir) throws Exception {
    Path services = Files.createDirectories(dir.resolve("META-INF/services"));
    Files.writeString(services.resolve(StepObserver.class.getName()), Recording.class.getName() + "\n");
    Recording.SEEN.clear();
    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, emptyLoader())) {
      StepObserver observer = StepTracing.observer(Map.of(StepTracing.TRACE_ENV, "1"), err, loader);
      observer.onStep("a", "rescue.defined");
    }
    assertThat(Recording.SEEN).containsExactly("rescue.defined");
    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("VMLIFE-STEP rescue.defined\n");
  }

  @Test
  void haltAtStep_namedRepeat_printsHaltedAndBlocks() throws Exception {
    HaltAtStep halt = new HaltAtStep("store.write.after#2", err);
    halt.onStep("a", "store.write.after");
    Thread worker = new Thread(() -> halt.onStep("a", "store.write.after"));
    worker.setDaemon(true);
    worker.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (bytes.size() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    worker.join(200);
    assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("VMLIFE-HALTED store.write.after#2\n");
    assertThat(worker.isAlive()).as("still halted").isTrue();
    worker.interrupt();
    worker.join(200);
    assertThat(worker.isAlive()).as("an interrupt does not end the halt").isTrue();
  }

  /** A loader that sees this test's classes but not the test class path's service files. */
  private static ClassLoader emptyLoader() {
    return new ClassLoader(StepTracingTest.class.getClassLoader()) {
      @Override
      public java.util.Enumeration<URL> getResources(String name) {
        return java.util.Collections.emptyEnumeration();
      }
    };
  }
}
