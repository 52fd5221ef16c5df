package io.github.vmlifecycle.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FakeClockTest {

  @Test
  void newClock_standsStillAtTheDefaultStart() {
    FakeClock clock = new FakeClock();

    assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START);
    assertThat(clock.instant()).isEqualTo(clock.instant());
    assertThat(clock.millis()).isEqualTo(FakeClock.DEFAULT_START.toEpochMilli());
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void advance_movesForwardAndReturnsTheNewInstant() {
    FakeClock clock = new FakeClock(Instant.EPOCH);

    assertThat(clock.advance(Duration.ofSeconds(90))).isEqualTo(Instant.ofEpochSecond(90));
    assertThat(clock.advance(Duration.ZERO)).isEqualTo(Instant.ofEpochSecond(90));
    assertThat(clock.instant()).isEqualTo(Instant.ofEpochSecond(90));
  }

  @Test
  void advance_negative_isRefused() {
    FakeClock clock = new FakeClock();

    assertThatThrownBy(() -> clock.advance(Duration.ofNanos(-1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withZone_sharesTheTime() {
    FakeClock clock = new FakeClock();
    FakeClock paris = clock.withZone(ZoneId.of("Europe/Paris"));

    clock.advance(Duration.ofHours(1));

    assertThat(paris.instant()).isEqualTo(clock.instant());
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
  }

  @Test
  void awaitUntil_returnsFalseAtTheDeadlineAndTrueWhenDone() throws Exception {
    FakeClock clock = new FakeClock();
    Instant deadline = clock.instant().plusSeconds(5);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      CountDownLatch waiting = new CountDownLatch(1);
      var result = pool.submit(() -> {
        waiting.countDown();
        return clock.awaitUntil(deadline, () -> false);
      });
      waiting.await();
      clock.advance(Duration.ofSeconds(5));
      assertThat(result.get(10, TimeUnit.SECONDS)).isFalse();
      assertThat(clock.awaitUntil(deadline, () -> true)).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void advance_isThreadSafe() throws Exception {
    FakeClock clock = new FakeClock(Instant.EPOCH);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < 8; t++) {
      pool.submit(() -> {
        go.await();
        for (int i = 0; i < 1000; i++) {
          clock.advance(Duration.ofMillis(1));
        }
        return null;
      });
    }
    go.countDown();
    pool.shutdown();

    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    assertThat(clock.instant()).isEqualTo(Instant.ofEpochSecond(8));
  }
}
