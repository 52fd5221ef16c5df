package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.HypervisorException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What every call passes before it reaches an instance: the connection state, the injected latency and the
 * scripted faults (their matching, and their parts before and after the change).
 */
final class CallGate {

  private final FakeClock clock;
  private final boolean realSleep;
  private final CopyOnWriteArrayList<FaultRule> faults = new CopyOnWriteArrayList<>();
  private final AtomicLongArray latencyNanos = new AtomicLongArray(FakeCall.values().length);
  private final AtomicLong connectionGeneration = new AtomicLong();
  private volatile boolean connected = true;
  private volatile boolean closed;

  CallGate(FakeClock clock, boolean realSleep) {
    this.clock = clock;
    this.realSleep = realSleep;
  }

  void setLatency(FakeCall call, Duration latency) {
    latencyNanos.set(call.ordinal(), latency.toNanos());
  }

  void addFault(FaultRule rule) {
    faults.add(rule);
  }

  void clearFaults() {
    faults.clear();
  }

  void disconnect() {
    connected = false;
    connectionGeneration.incrementAndGet();
    clock.wakeAll();
  }

  void reconnect() {
    connected = true;
  }

  void close() {
    if (!closed) {
      closed = true;
      connectionGeneration.incrementAndGet();
      clock.wakeAll();
    }
  }

  boolean isClosed() {
    return closed;
  }

  boolean isConnected() {
    return connected && !closed;
  }

  /**
   * Fails when disconnected or closed, then returns the call's latency (after sleeping it in real-sleep mode):
   * the caller moves the clock to the call's start plus this latency, so that calls that overlap do not add
   * their latencies up.
   */
  Duration enter(FakeCall call, String instance) {
    if (closed || !connected) {
      throw connectionLost(call, instance);
    }
    long nanos = latencyNanos.get(call.ordinal());
    if (nanos <= 0) {
      return Duration.ZERO;
    }
    if (realSleep) {
      try {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HypervisorException(HypervisorException.Code.OPERATION_FAILED, instance,
            call.operationOrNull(), "Interrupted during the injected latency of " + call, e);
      }
    }
    return Duration.ofNanos(nanos);
  }

  /** Takes one use of the first fault that matches the call; null when none does. */
  FaultRule match(FakeCall call, FakeVm vm, String argument) {
    if (faults.isEmpty()) {
      return null;
    }
    for (FaultRule rule : faults) {
      if (rule.matches(call, vm == null ? null : vm.id, vm == null ? null : vm.name, argument)
          && rule.tryConsume()) {
        if (rule.exhausted()) {
          faults.remove(rule);
        }
        return rule;
      }
    }
    return null;
  }

  /**
   * Applies the part of a fault that acts before the change: fail, disconnect or hang (until the hang's timeout
   * or {@code deadline}, whichever comes first).
   */
  void before(FaultRule fault, FakeCall call, String instance, Optional<Instant> deadline) {
    if (fault == null) {
      return;
    }
    switch (fault.kind) {
      case BEFORE -> throw fault.exception(instance);
      case DISCONNECT -> {
        disconnect();
        throw connectionLost(call, instance);
      }
      case HANG -> hang(fault, call, instance, deadline);
      default -> { }
    }
  }

  /** Applies the part of a fault that acts after the change. */
  void after(FaultRule fault, String instance) {
    if (fault != null && fault.kind == FaultRule.Kind.AFTER) {
      throw fault.exception(instance);
    }
  }

  private void hang(FaultRule fault, FakeCall call, String instance, Optional<Instant> callDeadline) {
    FakeHang hang = fault.hang;
    long generation = connectionGeneration.get();
    Instant hangDeadline = clock.instant().plus(hang.timeout());
    Instant deadline = callDeadline.filter(d -> d.isBefore(hangDeadline)).orElse(hangDeadline);
    boolean released;
    hang.enter();
    try {
      released = clock.awaitUntil(deadline,
          () -> hang.isReleased() || hang.isExpired() || connectionGeneration.get() != generation);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HypervisorException(HypervisorException.Code.TIMEOUT, instance, call.operationOrNull(),
          call + " on instance " + instance + " was interrupted while the hypervisor hung", e);
    } finally {
      hang.exit();
    }
    if (connectionGeneration.get() != generation) {
      throw connectionLost(call, instance);
    }
    if (!released || hang.isExpired()) {
      throw new HypervisorException(HypervisorException.Code.TIMEOUT, instance, call.operationOrNull(),
          call.name().toLowerCase(Locale.ROOT) + " of instance " + instance
              + " timed out at " + deadline + ": the hypervisor did not answer", null);
    }
  }

  HypervisorException connectionLost(FakeCall call, String instance) {
    String what = call == null ? "subscribe" : call.name().toLowerCase(Locale.ROOT);
    String why = closed ? "the connection is closed" : "Cannot recv data: Connection reset by peer";
    return new HypervisorException(HypervisorException.Code.CONNECTION, instance,
        call == null ? null : call.operationOrNull(),
        what + (instance == null ? "" : " of instance " + instance) + " failed: " + why, null);
  }

}
