package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.VmState;
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
public final class InstanceResolver {

  private final EngineContext ctx;

  /**
   * Creates the resolver of one engine.
   *
   * @param ctx the engine's context
   */
  public InstanceResolver(EngineContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Returns the stored record of {@code ref}, adopting it from the hypervisor when only that knows it.
   *
   * @throws InstanceNotFoundException if neither knows it
   * @throws InvalidInputException if {@code ref} cannot name an instance
   */
  public Instance resolve(String ref) {
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
  public Instance adopt(DriverInstance d) {
    Instant now = ctx.clock.instant();
    VmState state = TruthDerivation.vmState(Optional.of(d));
    if (state == VmState.RESCUED) {
      // The original embedded in a rescue definition is not trusted without the store's copy.
      state = VmState.ERROR;
    }
    Instance adopted = Instance.builder()
        .id(d.id().toLowerCase(Locale.ROOT))
        .name(d.name())
        .vmState(state)
        .powerState(d.powerState())
        .updatedAt(now)
        .build();
    if (ctx.store.insertIfAbsent(adopted)) {
      ctx.log.ended(adopted, new ActionLog.Entry(ActionKind.ADOPT, ctx.requestIds.get(), now, adopted.vmState())
          .note(Optional.of("adopted from the hypervisor: power state " + d.powerState().novaName()
              + (d.hasSavedMemory() ? " with saved memory" : "")
              + (d.rescueDefinition() ? " with a rescue definition whose embedded original is not trusted "
                  + "without the state store's copy (see 'vmlife xml unrescue')" : ""))));
      return adopted;
    }
    return ctx.store.get(adopted.id()).orElse(adopted);
  }
}
