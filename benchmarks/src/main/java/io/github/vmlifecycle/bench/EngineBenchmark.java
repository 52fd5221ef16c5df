package io.github.vmlifecycle.bench;

import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.fake.FakeHypervisor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Full operations per second through the engine, with the fake driver and the in-memory store: each
 * invocation is a pause and an unpause of the thread's own instance (two operations: accept with
 * compare-and-set, driver call, final save, action log). On 1 and on 2 threads, on disjoint instances.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class EngineBenchmark {

  /** One engine over one fake shared by all threads. */
  @State(Scope.Benchmark)
  public static class Shared {
    FakeHypervisor fake;
    LifecycleEngine engine;
    final AtomicInteger next = new AtomicInteger();

    /** Builds the engine; the fake records no calls, so that only the engine is measured. */
    @Setup(Level.Trial)
    public void setUp() {
      fake = FakeHypervisor.builder().recordCapacity(0).build();
      engine = LifecycleEngine.builder().driver(fake).store(InstanceStores.inMemory(16))
          .syncOnDriverEvents(false).build();
    }

    /** Closes the engine. */
    @TearDown(Level.Trial)
    public void tearDown() {
      engine.close();
    }
  }

  /** The instance owned by one benchmark thread. */
  @State(Scope.Thread)
  public static class Mine {
    String id;

    /**
     * Creates this thread's instance.
     *
     * @param shared the engine
     */
    @Setup(Level.Trial)
    public void setUp(Shared shared) {
      id = shared.fake.createInstance("bench-" + shared.next.incrementAndGet());
      shared.engine.get(id);
    }
  }

  /**
   * Pause and unpause on one thread.
   *
   * @param shared the engine
   * @param mine this thread's instance
   * @return the last state, so that nothing is optimised away
   */
  @Benchmark
  @Threads(1)
  @OperationsPerInvocation(2)
  public Object oneThread(Shared shared, Mine mine) {
    shared.engine.pause(mine.id);
    return shared.engine.unpause(mine.id);
  }

  /**
   * Pause and unpause on two threads, each on its own instance.
   *
   * @param shared the engine
   * @param mine this thread's instance
   * @return the last state, so that nothing is optimised away
   */
  @Benchmark
  @Threads(2)
  @OperationsPerInvocation(2)
  public Object twoThreads(Shared shared, Mine mine) {
    shared.engine.pause(mine.id);
    return shared.engine.unpause(mine.id);
  }
}
