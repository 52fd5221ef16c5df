package io.github.vmlifecycle.bench;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.TaskState;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.InstanceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of {@code recover()} with the fake driver and the durable file store, over a fleet of which
 * one in ten instances was left mid-operation (task_state PAUSING: the guest runs, so it lands ACTIVE).
 * Each invocation is one whole recovery after a simulated crash; the crash is re-created before each.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class RecoveryBenchmark {
  @Param({"1000", "10000", "100000"})
  int instances;

  private Path dir;
  private FakeHypervisor fake;
  private InstanceStore store;
  private LifecycleEngine engine;
  private final List<String> stuck = new ArrayList<>();

  /**
   * Creates the fleet and the store.
   *
   * @throws IOException if the temporary directory cannot be created
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("vmlife-recovery-bench");
    fake = FakeHypervisor.builder().recordCapacity(0).build();
    store = InstanceStores.directory(dir);
    engine = LifecycleEngine.builder().driver(fake).store(store).syncOnDriverEvents(false).build();
    for (int i = 0; i < instances; i++) {
      String id = fake.createInstance("vm-" + i);
      engine.get(id);
      if (i % 10 == 0) {
        stuck.add(id);
      }
    }
  }

  /** Leaves one instance in ten with a task_state, as a killed process would. */
  @Setup(Level.Invocation)
  public void crash() {
    for (String id : stuck) {
      Instance i = store.get(id).orElseThrow();
      store.compareAndSet(i.version(), Instance.copyOf(i).taskState(TaskState.PAUSING).requestId("req-dead")
          .version(i.version() + 1).build());
    }
  }

  /**
   * One recovery of the whole fleet.
   *
   * @return the recover actions
   */
  @Benchmark
  public List<ActionRecord> recover() {
    List<ActionRecord> done = engine.recover();
    if (done.size() != stuck.size()) {
      throw new IllegalStateException("recovered " + done.size() + " of " + stuck.size());
    }
    return done;
  }

  /**
   * Removes the store.
   *
   * @throws IOException if it cannot be removed
   */
  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    engine.close();
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
