package io.github.vmlifecycle.fake;

import java.time.Duration;

/**
 * A scripted hang, made by {@link FaultScript#hang}: each call it matches blocks, before changing anything,
 * until the test {@link #release releases} it (the call then proceeds normally), or the {@link FakeClock} is
 * advanced to the call's deadline or the test {@link #expire expires} it (the call then throws a
 * {@code HypervisorException} with code TIMEOUT, having changed nothing). A disconnect or close of the fake ends
 * the wait with code CONNECTION.
 *
 * <p>An operation that hangs until its timeout, run by an engine over the fake:
 *
 * <pre>{@code
 * FakeHang hang = fake.onCall(FakeCall.PAUSE).hang(Duration.ofSeconds(30));
 * CompletableFuture<Instance> pausing =
 *     engine.submit("web-1", Operation.PAUSE, OperationOptions.defaults());
 * assertThat(hang.awaitWaiting(Duration.ofSeconds(10))).isTrue();  // blocked in the hypervisor
 * clock.advance(Duration.ofSeconds(30));                          // until its timeout
 * assertThat(pausing).failsWithin(Duration.ofSeconds(10));        // a TIMEOUT hypervisor error
 * assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.ACTIVE);
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class FakeHang {

  private final FakeClock clock;
  private final Duration timeout;
  private volatile boolean released;
  private volatile boolean expired;
  private int waiting;

  FakeHang(FakeClock clock, Duration timeout) {
    this.clock = clock;
    this.timeout = timeout;
  }

  /**
   * Returns how long, by the fake clock, a matched call waits before it times out.
   *
   * @return the timeout
   */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Releases every call blocked in this hang and lets later matching calls pass without blocking.
   */
  public void release() {
    released = true;
    clock.wakeAll();
  }

  /**
   * Makes every call blocked in this hang, and every later matching call, time out at once without advancing
   * the clock. Takes precedence over {@link #release}.
   */
  public void expire() {
    expired = true;
    clock.wakeAll();
  }

  /**
   * Returns whether {@link #expire} was called.
   *
   * @return true once expired
   */
  public boolean isExpired() {
    return expired;
  }

  /**
   * Returns whether {@link #release} was called.
   *
   * @return true once released
   */
  public boolean isReleased() {
    return released;
  }

  /**
   * Returns how many calls are blocked in this hang right now.
   *
   * @return the number of blocked calls
   */
  public synchronized int waitingCalls() {
    return waiting;
  }

  /**
   * Waits, in real time, until at least one call is blocked in this hang: the way for a test to know that
   * another thread has reached the hang before it advances the clock or releases it.
   *
   * @param realTimeout how long to wait at most, in real time
   * @return true when a call is blocked, false when the real timeout passed first
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public synchronized boolean awaitWaiting(Duration realTimeout) throws InterruptedException {
    long deadline = System.nanoTime() + realTimeout.toNanos();
    while (waiting == 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }

  synchronized void enter() {
    waiting++;
    notifyAll();
  }

  synchronized void exit() {
    waiting--;
  }
}
