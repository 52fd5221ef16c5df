package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.spi.DriverCall;
import java.time.Instant;
import java.util.Optional;

/**
 * Runs each hypervisor call of the fake, in order: fails when closed or disconnected, finds the instance,
 * applies a matched fault's before-part, applies the latency, changes the instance under its lock, delivers the
 * events raised, applies an after-fault, and records the call. Thread-safe.
 *
 * <p>Latency is per call: a call that begins at instant T moves the clock to T plus its latency (unless the
 * clock is already later), so calls of several threads that overlap do not add their latencies up, and a
 * call that fails still takes its latency.
 */
final class CallRunner {

  /** A call's body that reads no single instance. */
  @FunctionalInterface
  interface Read<T> {
    T get();
  }

  /** A call's body on one instance, run under its lock. */
  @FunctionalInterface
  interface VmCall<T> {
    T apply(FakeVm vm, Invocation inv);
  }

  private final FakeClock clock;
  private final CallGate gate;
  private final CallLog log;
  private final Guests guests;
  private final Subscribers subscribers;

  CallRunner(FakeClock clock, CallGate gate, CallLog log, Guests guests, Subscribers subscribers) {
    this.clock = clock;
    this.gate = gate;
    this.log = log;
    this.guests = guests;
    this.subscribers = subscribers;
  }

  /** Runs a call that takes no instance id, or takes one that may name no instance. */
  <T> T call(FakeCall call, String argument, Read<T> body) {
    Instant began = clock.instant();
    Instant end = began;
    Class<? extends Throwable> failure = null;
    try {
      end = began.plus(gate.enter(call, argument));
      FakeVm vm = argument == null ? null : guests.lookupAny(argument);
      FaultRule fault = gate.match(call, vm, argument);
      gate.before(fault, call, argument, Optional.empty());
      clock.advanceTo(end);
      T result = body.get();
      gate.after(fault, argument);
      return result;
    } catch (RuntimeException | Error e) {
      failure = e.getClass();
      throw e;
    } finally {
      clock.advanceTo(end);
      log.record(call, argument, began, failure);
    }
  }

  /** Runs a call on the instance with UUID {@code id}, in the context {@code context}. */
  <T> T onInstance(FakeCall call, String id, DriverCall context, VmCall<T> body) {
    Instant began = clock.instant();
    Instant end = began;
    Class<? extends Throwable> failure = null;
    try {
      end = began.plus(gate.enter(call, id));
      FakeVm vm = guests.lookupId(id);
      if (vm == null) {
        throw new InstanceNotFoundException(String.valueOf(id));
      }
      FaultRule fault = gate.match(call, vm, id);
      gate.before(fault, call, id, context.deadline());
      clock.advanceTo(end);
      Invocation inv = new Invocation(call, vm.id, fault, clock, context);
      T result;
      vm.lock.lock();
      try {
        if (vm.isRemoved()) {
          throw new InstanceNotFoundException(id);
        }
        result = body.apply(vm, inv);
      } finally {
        vm.lock.unlock();
        subscribers.emit(inv.events());
      }
      gate.after(fault, id);
      return result;
    } catch (RuntimeException | Error e) {
      failure = e.getClass();
      throw e;
    } finally {
      clock.advanceTo(end);
      log.record(call, id, began, failure);
    }
  }
}
