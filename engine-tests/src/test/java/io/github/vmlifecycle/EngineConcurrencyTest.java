package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.InstanceStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads racing operations, released together from one latch. */
class EngineConcurrencyTest {
  private static final int THREADS = 16;

  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
  @TempDir Path dir;

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).as("no thread stuck").isTrue();
  }

  @Test
  void racingAccepts_onOneInstance_exactlyOneWinsAndTheRestNameItsTask() throws Exception {
    for (InstanceStore store : List.of(InstanceStores.inMemory(), InstanceStores.directory(dir))) {
      FakeHypervisor fake = new FakeHypervisor(new FakeClock());
      String id = fake.createInstance("web-" + System.nanoTime());
      try (LifecycleEngine engine = engine(fake, store)) {
        engine.get(id);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          Operation op = t % 2 == 0 ? Operation.PAUSE : Operation.SUSPEND;
          results.add(pool.submit(() -> {
            start.await();
            try {
              engine.execute(id, op, OperationOptions.defaults());
              return "won:" + op;
            } catch (InstanceBusyException e) {
              return "busy:" + e.blockingTask();
            } catch (InvalidStateException e) {
              return "state:" + e.value();
            }
          }));
        }
        start.countDown();
        List<String> outcomes = new ArrayList<>();
        for (Future<String> f : results) {
          outcomes.add(f.get(30, TimeUnit.SECONDS));
        }
        List<String> winners = outcomes.stream().filter(o -> o.startsWith("won:")).toList();
        assertThat(winners).as(outcomes.toString()).hasSize(1);
        Operation won = Operation.valueOf(winners.get(0).substring(4));
        TaskState winnerTask = won == Operation.PAUSE ? TaskState.PAUSING : TaskState.SUSPENDING;
        VmState landed = won == Operation.PAUSE ? VmState.PAUSED : VmState.SUSPENDED;
        // Losers either lost the compare-and-set to the winner's task, or came after it had landed.
        assertThat(outcomes).allMatch(o -> o.startsWith("won:") || o.equals("busy:" + winnerTask)
            || o.equals("state:" + landed.novaName()));
        Instance after = engine.get(id);
        assertThat(after.vmState()).isEqualTo(landed);
        assertThat(after.taskState()).isEmpty();
        assertThat(engine.actions(id)).filteredOn(a -> !(a.action() == ActionKind.ADOPT)).hasSize(1);
      }
    }
  }

  @Test
  void manyThreads_onManyInstances_allFinishConsistently() throws Exception {
    FakeHypervisor fake = new FakeHypervisor(new FakeClock());
    fake.addImage("/images/rescue.qcow2");
    int instances = 32;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      ids.add(fake.createInstance("vm-" + i));
    }
    Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    try (LifecycleEngine engine = engine(fake, InstanceStores.inMemory())) {
      ids.forEach(engine::get);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int seed = t;
        futures.add(pool.submit(() -> {
          start.await();
          java.util.Random random = new java.util.Random(seed);
          Operation[] ops = Operation.values();
          for (int n = 0; n < 400; n++) {
            String id = ids.get(random.nextInt(instances));
            Operation op = ops[random.nextInt(ops.length)];
            OperationOptions options = OperationOptions.builder().shutdownTimeout(Duration.ZERO)
                .rescueRequest(RescueRequest.builder().image("/images/rescue.qcow2").build()).build();
            try {
              engine.execute(id, op, options);
              outcomes.computeIfAbsent("ok", k -> new AtomicInteger()).incrementAndGet();
            } catch (VmLifecycleException e) {
              outcomes.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger()).incrementAndGet();
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertThat(outcomes.get("ok")).as(outcomes.toString()).isNotNull();
      assertThat(outcomes.keySet()).as(outcomes.toString()).isSubsetOf("ok", "InvalidStateException",
          "InstanceBusyException", "OperationSupersededException", "HypervisorException");
      for (String id : ids) {
        Instance i = engine.get(id);
        assertThat(i.taskState()).as(id).isEmpty();
        assertThat(i.vmState()).as(id).isEqualTo(TruthOf.fake(fake, id));
        assertThat(i.vmState() == VmState.RESCUED).isEqualTo(i.originalDefinition().isPresent());
      }
    }
  }

  private LifecycleEngine engine(FakeHypervisor fake, InstanceStore store) {
    return LifecycleEngine.builder().driver(fake).store(store).executor(pool).syncOnDriverEvents(false).build();
  }
}
