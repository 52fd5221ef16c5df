package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.timeout;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.PowerState;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HangTest {

  private static final Duration REAL_WAIT = Duration.ofSeconds(10);

  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final String id = fake.createInstance("web");
  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  private static Throwable failureOf(Future<?> future) throws Exception {
    try {
      future.get(REAL_WAIT.toSeconds(), TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void hang_releasedByTheTest_proceedsNormally() throws Exception {
    FakeHang hang = fake.onCall(FakeCall.PAUSE).hang(Duration.ofSeconds(30));
    Future<?> call = pool.submit(() -> fake.pause(id, call()));

    assertThat(hang.awaitWaiting(REAL_WAIT)).isTrue();
    assertThat(call.isDone()).isFalse();
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    hang.release();

    assertThat(failureOf(call)).isNull();
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.PAUSED);
    assertThat(hang.isReleased()).isTrue();
    assertThat(hang.waitingCalls()).isZero();
  }

  @Test
  void hang_clockAdvancedPastTheTimeout_throwsTimeoutAndChangesNothing() throws Exception {
    FakeHang hang = fake.onCall(FakeCall.SUSPEND).hang(Duration.ofSeconds(30));
    Future<?> call = pool.submit(() -> fake.suspend(id, call()));
    assertThat(hang.awaitWaiting(REAL_WAIT)).isTrue();

    clock.advance(Duration.ofSeconds(29));
    assertThat(hang.waitingCalls()).isEqualTo(1);
    clock.advance(Duration.ofSeconds(1));

    Throwable failure = failureOf(call);
    assertThat(failure).isInstanceOfSatisfying(HypervisorException.class,
        e -> assertThat(e.code()).isEqualTo(Code.TIMEOUT));
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.guest(id).inspect().hasSavedMemory()).isFalse();
  }

  @Test
  void hang_zeroTimeout_timesOutAtOnceOnTheCallingThread() {
    fake.onCall(FakeCall.START).hang(Duration.ZERO);
    fake.stop(id, timeout(Duration.ZERO));

    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> fake.start(id, call()));

    assertThat(failure).isInstanceOfSatisfying(HypervisorException.class,
        e -> assertThat(e.code()).isEqualTo(Code.TIMEOUT));
  }

  @Test
  void hang_disconnect_endsTheWaitWithConnection() throws Exception {
    FakeHang hang = fake.onCall(FakeCall.PAUSE).hang(Duration.ofSeconds(30));
    Future<?> call = pool.submit(() -> fake.pause(id, call()));
    assertThat(hang.awaitWaiting(REAL_WAIT)).isTrue();

    fake.disconnect();

    assertThat(failureOf(call)).isInstanceOfSatisfying(HypervisorException.class,
        e -> assertThat(e.code()).isEqualTo(Code.CONNECTION));
  }

  @Test
  void hang_close_endsTheWaitWithConnection() throws Exception {
    FakeHang hang = fake.onCall(FakeCall.LIST).hang(Duration.ofSeconds(30));
    Future<?> call = pool.submit(fake::list);
    assertThat(hang.awaitWaiting(REAL_WAIT)).isTrue();

    fake.close();

    assertThat(failureOf(call)).isInstanceOfSatisfying(HypervisorException.class,
        e -> assertThat(e.code()).isEqualTo(Code.CONNECTION));
  }

  @Test
  void hang_onOneInstance_doesNotBlockOthers() throws Exception {
    String other = fake.createInstance("other");
    FakeHang hang = fake.onCall(FakeCall.PAUSE).forInstance(id).hang(Duration.ofSeconds(30));
    Future<?> blocked = pool.submit(() -> fake.pause(id, call()));
    assertThat(hang.awaitWaiting(REAL_WAIT)).isTrue();

    CompletableFuture.runAsync(() -> fake.pause(other, call()), pool).get(REAL_WAIT.toSeconds(), TimeUnit.SECONDS);

    assertThat(fake.guest(other).inspect().powerState()).isEqualTo(PowerState.PAUSED);
    assertThat(blocked.isDone()).isFalse();
    hang.release();
    assertThat(failureOf(blocked)).isNull();
  }

  @Test
  void hang_always_blocksEveryCallUntilReleasedThenLetsThemPass() throws Exception {
    FakeHang hang = fake.onCall(FakeCall.FIND).always().hang(Duration.ofMinutes(1));
    Future<?> first = pool.submit(() -> fake.find(id));
    Future<?> second = pool.submit(() -> fake.find(id));
    assertThat(hang.awaitWaiting(REAL_WAIT)).isTrue();

    hang.release();

    assertThat(failureOf(first)).isNull();
    assertThat(failureOf(second)).isNull();
    assertThat(fake.find(id)).isPresent();
  }

  @Test
  void awaitWaiting_nothingBlocked_returnsFalse() throws Exception {
    FakeHang hang = fake.onCall(FakeCall.PAUSE).hang(Duration.ofSeconds(1));

    assertThat(hang.awaitWaiting(Duration.ofMillis(20))).isFalse();
    assertThat(hang.timeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void hang_expired_timesOutWithoutAdvancingTheClock() throws Exception {
    FakeHang hang = fake.onCall(FakeCall.RESUME).hang(Duration.ofMinutes(5));
    fake.suspend(id, call());
    Future<?> call = pool.submit(() -> fake.resume(id, call()));
    assertThat(hang.awaitWaiting(REAL_WAIT)).isTrue();

    hang.expire();

    assertThat(failureOf(call)).isInstanceOfSatisfying(HypervisorException.class,
        e -> assertThat(e.code()).isEqualTo(Code.TIMEOUT));
    assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START);
    assertThat(hang.isExpired()).isTrue();
    assertThat(fake.guest(id).inspect().hasSavedMemory()).isTrue();
  }

  @Test
  void hang_expiredBeforeTheCall_timesOutAtOnce() {
    FakeHang hang = fake.onCall(FakeCall.PAUSE).hang(Duration.ofMinutes(5));
    hang.expire();

    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> fake.pause(id, call()));

    assertThat(failure).isInstanceOfSatisfying(HypervisorException.class,
        e -> assertThat(e.code()).isEqualTo(Code.TIMEOUT));
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
  }
}
