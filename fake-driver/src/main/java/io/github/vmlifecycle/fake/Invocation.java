package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.spi.DriverEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One change to an instance in progress: collects the events it raises (delivered after the instance lock is
 * released), applies a midway fault at its checkpoints, and builds the hypervisor's refusals.
 */
final class Invocation {

  private final FakeCall call;
  private final String id;
  private final FaultRule fault;
  private final FakeClock clock;
  private List<DriverEvent> events;

  Invocation(FakeCall call, String id, FaultRule fault, FakeClock clock) {
    this.call = call;
    this.id = id;
    this.fault = fault;
    this.clock = clock;
  }

  FakeClock clock() {
    return clock;
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

  /** Throws the scripted fault when it is a midway fault at {@code point}. */
  void checkpoint(int point) {
    if (fault != null && fault.kind == FaultRule.Kind.MIDWAY && fault.point == point) {
      throw fault.exception(id);
    }
    if (fault != null && fault.kind == FaultRule.Kind.DEATH && fault.point == point) {
      throw new FakeProcessDeath(call, point);
    }
  }

  /** Returns libvirt's refusal of a request that the guest's state does not allow. */
  HypervisorException invalid(String reason) {
    String what = call == null ? "request" : call.name().toLowerCase(Locale.ROOT);
    return new HypervisorException(HypervisorException.Code.OPERATION_INVALID, id,
        call == null ? null : call.operationOrNull(),
        what + " of instance " + id + " failed: Requested operation is not valid: " + reason, null);
  }
}
