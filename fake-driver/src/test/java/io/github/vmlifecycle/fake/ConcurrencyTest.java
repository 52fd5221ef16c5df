package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.timeout;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConcurrencyTest {

  private static final int THREADS = 16;
  private static final int ROUNDS = 500;

  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake =
      FakeHypervisor.builder().clock(clock).recordCapacity(THREADS * ROUNDS * 6).build();
  private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  private void runAll(List<Runnable> tasks) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (Runnable task : tasks) {
      futures.add(pool.submit(() -> {
        go.await();
        task.run();
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void manyThreadsOnManyInstances_agreeWithTheSequentialOutcome() throws Exception {
    ConcurrentHashMap<String, AtomicInteger> eventsPerInstance = new ConcurrentHashMap<>();
    fake.subscribe(e -> eventsPerInstance.computeIfAbsent(e.instanceId(), k -> new AtomicInteger()).incrementAndGet());
    List<String> ids = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      ids.add(fake.createInstance("vm-" + t));
    }
    eventsPerInstance.clear();
    fake.setLatency(FakeCall.SUSPEND, Duration.ofMillis(1));
    List<Runnable> tasks = new ArrayList<>();
    for (String id : ids) {
      tasks.add(() -> {
        fake.guest(id).writeMemory(id);
        for (int i = 0; i < ROUNDS; i++) {
          fake.pause(id, call());
          fake.unpause(id, call());
          fake.suspend(id, call());
          fake.resume(id, call());
          fake.stop(id, timeout(Duration.ZERO));
          fake.start(id, call());
        }
      });
    }

    runAll(tasks);

    for (String id : ids) {
      DriverInstance vm = fake.guest(id).inspect();
      assertThat(vm.powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(vm.hasSavedMemory()).isFalse();
      assertThat(fake.guest(id).bootCount()).isEqualTo(1 + ROUNDS);
      assertThat(eventsPerInstance.get(id)).hasValue(ROUNDS * 7);
    }
    assertThat(fake.calls()).hasSize(THREADS * ROUNDS * 6);
    assertThat(fake.calls()).allMatch(RecordedCall::succeeded);
    // each thread's own suspends follow one another; other threads' suspends overlap them or not
    assertThat(clock.instant()).isBetween(FakeClock.DEFAULT_START.plusMillis(ROUNDS),
        FakeClock.DEFAULT_START.plusMillis((long) THREADS * ROUNDS));
  }

  @Test
  void manyThreadsOnOneInstance_neverCorruptItsState() throws Exception {
    String id = fake.createInstance("shared");
    List<DriverEvent.Type> events = java.util.Collections.synchronizedList(new ArrayList<>());
    fake.subscribe(e -> events.add(e.type()));
    List<Runnable> tasks = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      boolean pauser = t % 2 == 0;
      tasks.add(() -> {
        for (int i = 0; i < ROUNDS; i++) {
          if (pauser) {
            fake.pause(id, call());
          } else {
            fake.unpause(id, call());
          }
        }
      });
    }

    runAll(tasks);
    fake.unpause(id, call());

    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    long suspended = events.stream().filter(t -> t == DriverEvent.Type.SUSPENDED).count();
    long resumed = events.stream().filter(t -> t == DriverEvent.Type.RESUMED).count();
    assertThat(suspended).isEqualTo(resumed);
  }

  @Test
  void faultsConsumedConcurrently_failExactlyTheScriptedNumberOfCalls() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      ids.add(fake.createInstance("vm-" + t));
    }
    fake.onCall(FakeCall.PAUSE).times(100).failBefore();
    AtomicInteger failures = new AtomicInteger();
    List<Runnable> tasks = new ArrayList<>();
    for (String id : ids) {
      tasks.add(() -> {
        for (int i = 0; i < 50; i++) {
          try {
            fake.pause(id, call());
          } catch (io.github.vmlifecycle.HypervisorException e) {
            failures.incrementAndGet();
          }
        }
      });
    }

    runAll(tasks);

    assertThat(failures).hasValue(100);
  }

  @Test
  void recordingIsBoundedUnderConcurrency() throws Exception {
    FakeHypervisor bounded = FakeHypervisor.builder().recordCapacity(100).build();
    List<Runnable> tasks = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      String id = bounded.createInstance("vm-" + t);
      tasks.add(() -> {
        for (int i = 0; i < ROUNDS; i++) {
          bounded.pause(id, call());
          bounded.unpause(id, call());
        }
      });
    }

    runAll(tasks);

    assertThat(bounded.calls().size()).isBetween(100 - THREADS, 100 + THREADS);
  }
}
