package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LatencyTest {

  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final String id = fake.createInstance("web");

  @Test
  void latency_advancesTheClockInsteadOfSleeping() {
    fake.setLatency(FakeCall.SUSPEND, Duration.ofMillis(2100));
    fake.setLatency(FakeCall.RESUME, Duration.ofMillis(740));
    Instant start = clock.instant();
    long realStart = System.nanoTime();

    fake.suspend(id, call());
    fake.resume(id, call());

    assertThat(Duration.between(start, clock.instant())).isEqualTo(Duration.ofMillis(2840));
    assertThat(Duration.ofNanos(System.nanoTime() - realStart)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  void latency_appliesOnlyToItsCallKindAndCanBeRemoved() {
    fake.setLatency(FakeCall.PAUSE, Duration.ofSeconds(1));
    Instant start = clock.instant();

    fake.find(id);
    fake.pause(id, call());
    fake.setLatency(FakeCall.PAUSE, Duration.ZERO);
    fake.unpause(id, call());
    fake.pause(id, call());

    assertThat(clock.instant()).isEqualTo(start.plusSeconds(1));
  }

  @Test
  void latency_isVisibleInEventTimestampsAndRecordedCalls() {
    List<DriverEvent> events = new CopyOnWriteArrayList<>();
    fake.subscribe(events::add);
    fake.setLatency(FakeCall.PAUSE, Duration.ofSeconds(3));
    Instant start = clock.instant();

    fake.pause(id, call());

    assertThat(fake.takeCall().timestamp()).isEqualTo(start);
    assertThat(events).singleElement().extracting(DriverEvent::timestamp).isEqualTo(start.plusSeconds(3));
  }

  @Test
  void latency_ofCallsThatOverlap_doesNotAddUp() throws Exception {
    int threads = 8;
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      ids.add(fake.createInstance("vm-" + i));
    }
    List<DriverEvent> events = new CopyOnWriteArrayList<>();
    fake.subscribe(events::add);
    fake.setLatency(FakeCall.PAUSE, Duration.ofSeconds(2));
    FakeHang hang = fake.onCall(FakeCall.PAUSE).always().hang(Duration.ofHours(1));
    Instant start = clock.instant();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (String vm : ids) {
      Thread t = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        fake.pause(vm, call());
      });
      t.start();
      workers.add(t);
    }

    go.countDown();
    long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (hang.waitingCalls() < threads && System.nanoTime() < until) {
      Thread.sleep(1);
    }
    assertThat(hang.waitingCalls()).isEqualTo(threads);
    hang.release();
    for (Thread t : workers) {
      t.join(30_000);
    }

    assertThat(clock.instant()).isEqualTo(start.plusSeconds(2));
    assertThat(fake.calls(FakeCall.PAUSE)).hasSize(threads).allMatch(RecordedCall::succeeded)
        .allMatch(c -> c.timestamp().equals(start));
    assertThat(events).hasSize(threads).allMatch(e -> e.timestamp().equals(start.plusSeconds(2)));
  }

  @Test
  void latency_ofAFailedCall_isStillTaken() {
    fake.setLatency(FakeCall.PAUSE, Duration.ofSeconds(1));
    fake.onCall(FakeCall.PAUSE).failBefore();
    Instant start = clock.instant();

    assertThatThrownBy(() -> fake.pause(id, call())).isInstanceOf(io.github.vmlifecycle.HypervisorException.class);

    assertThat(clock.instant()).isEqualTo(start.plusSeconds(1));
  }

  @Test
  void latency_negative_isRefused() {
    assertThatThrownBy(() -> fake.setLatency(FakeCall.PAUSE, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void realSleepMode_sleepsAndAdvances() {
    FakeHypervisor demo = FakeHypervisor.builder().clock(clock).realSleepLatency(true).build();
    String vm = demo.createInstance("demo");
    demo.setLatency(FakeCall.PAUSE, Duration.ofMillis(30));
    Instant start = clock.instant();
    long realStart = System.nanoTime();

    demo.pause(vm, call());

    assertThat(Duration.ofNanos(System.nanoTime() - realStart)).isGreaterThanOrEqualTo(Duration.ofMillis(30));
    assertThat(clock.instant()).isEqualTo(start.plusMillis(30));
  }
}
