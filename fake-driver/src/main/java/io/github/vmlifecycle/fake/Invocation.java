package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One change to an instance in progress: collects the events it raises (delivered after the instance lock is
 * released), reports its midway points as steps and applies a midway fault there, waits on the fake clock
 * within the call's deadline, and builds the hypervisor's refusals. Used by one thread.
 */
final class Invocation {

  private final FakeCall call;
  private final String id;
  private final FaultRule fault;
  private final FakeClock clock;
  private final DriverCall context;
  private List<DriverEvent> events;

  /**
   * Creates the invocation of {@code call} (null for a change behind the engine's back) on instance {@code id}.
   */
  Invocation(FakeCall call, String id, FaultRule fault, FakeClock clock, DriverCall context) {
    this.call = call;
    this.id = id;
    this.fault = fault;
    this.clock = clock;
    this.context = context;
  }

  FakeClock clock() {
    return clock;
  }

  DriverCall context() {
    return context;
  }

  void event(DriverEvent.Type type) {
    if (events == null) {
      events = new ArrayList<>(4);
    }
    events.add(DriverEvent.builder().instanceId(id).type(type).timestamp(clock.instant()).build());
  }

  List<DriverEvent> events() {
    return events == null ? List.of() : events;
  }

  /**
   * Reaches midway point {@code point}: reports its step to the call's step observer (whose exception or error
   * propagates), then throws the scripted fault when it is a midway fault at this point.
   */
  void checkpoint(int point) {
    context.steps().onStep(id, call.steps().get(point - 1));
    if (fault != null && fault.kind == FaultRule.Kind.MIDWAY && fault.point == point) {
      throw fault.exception(id);
    }
  }

  /**
   * Waits {@code amount} by advancing the fake clock, or, when the call's deadline comes first, advances it to
   * the deadline and throws code TIMEOUT.
   */
  void await(Duration amount, String waitingFor) {
    Optional<Instant> deadline = context.deadline();
    Instant until = clock.instant().plus(amount);
    if (deadline.isPresent() && deadline.get().isBefore(until)) {
      Instant now = clock.instant();
      if (deadline.get().isAfter(now)) {
        clock.advance(Duration.between(now, deadline.get()));
      }
      throw new HypervisorException(HypervisorException.Code.TIMEOUT, id, call == null ? null : call.operationOrNull(),
          what() + " of instance " + id + " reached its deadline " + deadline.get() + " while waiting for "
              + waitingFor, null);
    }
    clock.advance(amount);
  }

  /** Returns libvirt's refusal of a request that the guest's state does not allow. */
  HypervisorException invalid(String reason) {
    return new HypervisorException(HypervisorException.Code.OPERATION_INVALID, id,
        call == null ? null : call.operationOrNull(),
        what() + " of instance " + id + " failed: Requested operation is not valid: " + reason, null);
  }

  private String what() {
    return call == null ? "request" : call.name().toLowerCase(Locale.ROOT);
  }
}
