package io.github.vmlifecycle;

import io.github.vmlifecycle.internal.InstanceRefs;
import io.github.vmlifecycle.internal.TruthDerivation;
import io.github.vmlifecycle.spi.DriverInstance;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the stored record for a name or UUID, adopting an instance the hypervisor knows but the store
 * does not.
 */
final class InstanceResolver {

  private final EngineContext ctx;

  InstanceResolver(EngineContext ctx) {
    this.ctx = ctx;
  }

  Instance resolve(String ref) {
    InstanceRefs.validate(ref);
    String key = InstanceRefs.isUuid(ref) ? ref.toLowerCase(Locale.ROOT) : ref;
    Optional<Instance> stored = ctx.store.get(key);
    if (stored.isPresent()) {
      return stored.get();
    }
    Optional<DriverInstance> known;
    try {
      known = ctx.driver.find(ref);
    } catch (RuntimeException e) {
      Optional<Instance> byName = ctx.store.findByName(ref);
      if (byName.isPresent()) {
        return byName.get();
      }
      throw e;
    }
    if (known.isPresent()) {
      return ctx.store.get(known.get().id()).orElseGet(() -> adopt(known.get()));
    }
    return ctx.store.findByName(ref).orElseThrow(() -> new InstanceNotFoundException(ref));
  }

  /** Stores an instance the hypervisor knows, with the vm_state its power state implies. */
  Instance adopt(DriverInstance d) {
    Instant now = ctx.clock.instant();
    VmState state = TruthDerivation.vmState(Optional.of(d));
    Optional<String> original = Optional.empty();
    if (state == VmState.RESCUED) {
      original = ctx.embeddedOriginal(d.id());
      if (original.isEmpty()) {
        state = VmState.ERROR;
      }
    }
    Instance adopted = Instance.builder()
        .id(d.id().toLowerCase(Locale.ROOT))
        .name(d.name())
        .vmState(state)
        .powerState(d.powerState())
        .originalDefinition(original)
        .rescuedAt(original.isPresent() ? Optional.of(now) : Optional.empty())
        .updatedAt(now)
        .build();
    if (ctx.store.insertIfAbsent(adopted)) {
      String requestId = ctx.requestIds.get();
      ctx.record(adopted.id(), adopted.vmState(), adopted.vmState(), ActionKind.ADOPT, requestId, now, ActionRecord.Result.SUCCEEDED,
          Optional.of("adopted from the hypervisor: power state " + d.powerState().novaName()
              + (d.hasSavedMemory() ? " with saved memory" : "")
              + (d.rescueDefinition() ? " with a rescue definition" : "")),
          Optional.empty());
      return adopted;
    }
    return ctx.store.get(adopted.id()).orElse(adopted);
  }
}
