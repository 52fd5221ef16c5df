package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.spi.DriverCall;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The fake's guests by id and by name, and access to one guest outside a hypervisor call: reading its state
 * and changing it behind the engine's back, under its lock, delivering the events raised afterwards. Thread-safe.
 */
final class Guests {

  /** The context of changes behind the engine's back, which never wait or report steps. */
  private static final DriverCall BEHIND_BACK = DriverCall.defaults();

  private final FakeClock clock;
  private final Subscribers subscribers;
  private final ConcurrentHashMap<String, FakeVm> byId = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, FakeVm> byName = new ConcurrentHashMap<>();
  private final Object createLock = new Object();

  Guests(FakeClock clock, Subscribers subscribers) {
    this.clock = clock;
    this.subscribers = subscribers;
  }

  /** Adds a guest; throws IllegalArgumentException if one with its name or UUID exists. */
  void add(FakeVm vm) {
    synchronized (createLock) {
      if (byId.containsKey(vm.id) || byName.containsKey(vm.name)) {
        throw new IllegalArgumentException(
            "An instance named '" + vm.name + "' or with UUID " + vm.id + " exists already");
      }
      byId.put(vm.id, vm);
      byName.put(vm.name, vm);
    }
  }

  Collection<FakeVm> all() {
    return byId.values();
  }

  /** Returns the guest with UUID {@code id} in any case, or null. */
  FakeVm lookupId(String id) {
    if (id == null) {
      return null;
    }
    FakeVm vm = byId.get(id);
    return vm != null ? vm : byId.get(id.toLowerCase(Locale.ROOT));
  }

  /** Returns the guest with UUID (any case) or name {@code idOrName}, or null. */
  FakeVm lookupAny(String idOrName) {
    FakeVm vm = lookupId(idOrName);
    return vm != null || idOrName == null ? vm : byName.get(idOrName);
  }

  /** Returns the guest named by UUID or name; throws InstanceNotFoundException when there is none. */
  FakeVm require(String idOrName) {
    FakeVm vm = lookupAny(idOrName);
    if (vm == null || vm.isRemoved()) {
      throw new InstanceNotFoundException(String.valueOf(idOrName));
    }
    return vm;
  }

  /** Applies {@code body} to a guest under its lock; throws InstanceNotFoundException once it is removed. */
  <T> T read(FakeVm vm, Function<FakeVm, T> body) {
    vm.lock.lock();
    try {
      requireNotRemoved(vm);
      return body.apply(vm);
    } finally {
      vm.lock.unlock();
    }
  }

  /** Changes a guest behind the engine's back under its lock, then delivers the events it raised. */
  void behindBack(FakeVm vm, BiConsumer<FakeVm, Invocation> change) {
    Invocation inv = new Invocation(null, vm.id, null, clock, BEHIND_BACK);
    vm.lock.lock();
    try {
      requireNotRemoved(vm);
      change.accept(vm, inv);
    } finally {
      vm.lock.unlock();
      subscribers.emit(inv.events());
    }
  }

  /** Destroys and undefines a guest behind the engine's back; afterwards it is unknown. */
  void remove(FakeVm vm) {
    behindBack(vm, (v, inv) -> {
      v.remove(inv);
      synchronized (createLock) {
        byId.remove(v.id, v);
        byName.remove(v.name, v);
      }
    });
  }

  private static void requireNotRemoved(FakeVm vm) {
    if (vm.isRemoved()) {
      throw new InstanceNotFoundException(vm.id);
    }
  }
}
