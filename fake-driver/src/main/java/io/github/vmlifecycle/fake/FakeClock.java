package io.github.vmlifecycle.fake;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * A mutable clock for tests: time stands still until {@link #advance} moves it forward. Use one instance as
 * both the {@link FakeHypervisor}'s clock and the engine's, so that injected latency, hangs with timeouts and
 * recorded timestamps all agree.
 *
 * <p>Thread-safe: reading is lock-free; clocks made by {@link #withZone} share the same time.
 */
public final class FakeClock extends Clock {

  /** The instant a clock made by {@link #FakeClock()} starts at: 2026-01-01T00:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");

  private final Shared shared;
  private final ZoneId zone;

  /** Creates a clock at {@link #DEFAULT_START} in UTC. */
  public FakeClock() {
    this(DEFAULT_START);
  }

  /**
   * Creates a clock at {@code start} in UTC.
   *
   * @param start the initial instant
   */
  public FakeClock(Instant start) {
    this(new Shared(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  private FakeClock(Shared shared, ZoneId zone) {
    this.shared = shared;
    this.zone = zone;
  }

  /**
   * Moves the time forward and wakes every call that waits for a deadline on this clock.
   *
   * @param amount how far to move; zero does nothing
   * @return the new instant
   * @throws IllegalArgumentException if {@code amount} is negative
   */
  public Instant advance(Duration amount) {
    if (amount.isNegative()) {
      throw new IllegalArgumentException("A clock only moves forward; got " + amount);
    }
    synchronized (shared) {
      if (!amount.isZero()) {
        shared.now = shared.now.plus(amount);
      }
      shared.notifyAll();
      return shared.now;
    }
  }

  /**
   * Moves the time forward to {@code target}, unless it is already there or later, and then wakes every call
   * that waits for a deadline on this clock.
   *
   * @param target the instant to move to
   * @return the new instant: {@code target} or the later instant the clock already showed
   */
  public Instant advanceTo(Instant target) {
    Objects.requireNonNull(target, "target");
    if (!target.isAfter(shared.now)) {
      return shared.now;
    }
    synchronized (shared) {
      if (target.isAfter(shared.now)) {
        shared.now = target;
      }
      shared.notifyAll();
      return shared.now;
    }
  }

  /**
   * Returns the current instant.
   *
   * @return the instant, which changes only through {@link #advance}
   */
  @Override
  public Instant instant() {
    return shared.now;
  }

  /**
   * Returns the current instant in milliseconds since the epoch.
   *
   * @return the milliseconds
   */
  @Override
  public long millis() {
    return shared.now.toEpochMilli();
  }

  /**
   * Returns the zone.
   *
   * @return the zone, UTC unless made by {@link #withZone}
   */
  @Override
  public ZoneId getZone() {
    return zone;
  }

  /**
   * Returns a clock in another zone that shares this clock's time: advancing either advances both.
   *
   * @param zone the zone
   * @return the clock
   */
  @Override
  public FakeClock withZone(ZoneId zone) {
    return new FakeClock(shared, Objects.requireNonNull(zone, "zone"));
  }

  /**
   * Blocks until {@code done} is true or this clock reaches {@code deadline}, re-checking whenever the clock
   * advances or {@link #wakeAll} is called.
   *
   * @return true when {@code done} became true, false when the deadline was reached first
   * @throws InterruptedException if the waiting thread is interrupted
   */
  boolean awaitUntil(Instant deadline, BooleanSupplier done) throws InterruptedException {
    synchronized (shared) {
      while (true) {
        if (done.getAsBoolean()) {
          return true;
        }
        if (!shared.now.isBefore(deadline)) {
          return false;
        }
        shared.wait();
      }
    }
  }

  /** Wakes every thread waiting in {@link #awaitUntil} so that it re-checks its condition. */
  void wakeAll() {
    synchronized (shared) {
      shared.notifyAll();
    }
  }

  @Override
  public String toString() {
    return "FakeClock[" + shared.now + ", " + zone + "]";
  }

  private static final class Shared {
    volatile Instant now;

    Shared(Instant now) {
      this.now = now;
    }
  }
}
