package io.github.vmlifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A small model of instances and the hypervisor under them, written separately from the production
 * table and engine (its own rules, its own hypervisor semantics, its own recovery and sync policy).
 */
final class LifecycleModel {
  /** One instance: what the store should say and what the hypervisor should hold. */
  static final class Vm {
    final VmState vm;
    final boolean locked;
    final PowerState power;
    final boolean saved;
    final boolean rescueDef;
    final boolean original;

    Vm(VmState vm, boolean locked, PowerState power, boolean saved, boolean rescueDef, boolean original) {
      this.vm = vm;
      this.locked = locked;
      this.power = power;
      this.saved = saved;
      this.rescueDef = rescueDef;
      this.original = original;
    }

    Vm vm(VmState v) {
      return new Vm(v, locked, power, saved, rescueDef, original);
    }

    Vm locked(boolean l) {
      return new Vm(vm, l, power, saved, rescueDef, original);
    }

    Vm hv(PowerState p, boolean s, boolean r) {
      return new Vm(vm, locked, p, s, r, original);
    }

    Vm original(boolean o) {
      return new Vm(vm, locked, power, saved, rescueDef, o);
    }

    boolean active() {
      return power != PowerState.SHUTDOWN;
    }

    /** The vm_state the hypervisor's state implies. */
    VmState truth() {
      if (rescueDef) {
        return VmState.RESCUED;
      }
      switch (power) {
        case RUNNING:
          return VmState.ACTIVE;
        case PAUSED:
          return VmState.PAUSED;
        default:
          return saved ? VmState.SUSPENDED : VmState.STOPPED;
      }
    }

    /** Lands on the truth, keeping the original exactly while a rescue definition is in place. */
    Vm settled() {
      VmState t = truth();
      return vm(t).original(t == VmState.RESCUED);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Vm)) {
        return false;
      }
      Vm v = (Vm) o;
      return vm == v.vm && locked == v.locked && power == v.power && saved == v.saved && rescueDef == v.rescueDef
          && original == v.original;
    }

    @Override
    public int hashCode() {
      return Objects.hash(vm, locked, power, saved, rescueDef, original);
    }

    @Override
    public String toString() {
      return vm + (locked ? "+locked" : "") + "/" + power + (saved ? "+saved" : "") + (rescueDef ? "+rescueDef" : "")
          + (original ? "+original" : "");
    }
  }

  final List<Vm> vms;
  final String outcome;

  LifecycleModel(List<Vm> vms, String outcome) {
    this.vms = List.copyOf(vms);
    this.outcome = outcome;
  }

  static LifecycleModel initial(int instances) {
    List<Vm> vms = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      vms.add(new Vm(VmState.ACTIVE, false, PowerState.RUNNING, false, false, false));
    }
    return new LifecycleModel(vms, "start");
  }

  LifecycleModel with(int k, Vm vm, String outcome) {
    List<Vm> next = new ArrayList<>(vms);
    next.set(k, vm);
    return new LifecycleModel(next, outcome);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LifecycleModel && ((LifecycleModel) o).vms.equals(vms)
        && ((LifecycleModel) o).outcome.equals(outcome);
  }

  @Override
  public int hashCode() {
    return Objects.hash(vms, outcome);
  }

  @Override
  public String toString() {
    return vms + " after " + outcome;
  }

  // ---- the rules, written out again ----

  static boolean allowed(Operation op, VmState s) {
    switch (op) {
      case PAUSE:
      case SUSPEND:
      case SOFT_REBOOT:
        return s == VmState.ACTIVE;
      case UNPAUSE:
        return s == VmState.PAUSED;
      case RESUME:
        return s == VmState.SUSPENDED;
      case RESCUE:
        return s == VmState.ACTIVE || s == VmState.STOPPED || s == VmState.ERROR;
      case UNRESCUE:
        return s == VmState.RESCUED;
      case STOP:
        return s == VmState.ACTIVE || s == VmState.ERROR;
      case START:
        return s == VmState.STOPPED;
      case HARD_REBOOT:
        return s != VmState.RESCUED;
      default:
        throw new AssertionError(op);
    }
  }

  static VmState after(Operation op) {
    switch (op) {
      case PAUSE:
        return VmState.PAUSED;
      case SUSPEND:
        return VmState.SUSPENDED;
      case RESCUE:
        return VmState.RESCUED;
      case STOP:
        return VmState.STOPPED;
      default:
        return VmState.ACTIVE;
    }
  }

  static TaskState task(Operation op) {
    switch (op) {
      case PAUSE:
        return TaskState.PAUSING;
      case UNPAUSE:
        return TaskState.UNPAUSING;
      case SUSPEND:
        return TaskState.SUSPENDING;
      case RESUME:
        return TaskState.RESUMING;
      case RESCUE:
        return TaskState.RESCUING;
      case UNRESCUE:
        return TaskState.UNRESCUING;
      case STOP:
        return TaskState.POWERING_OFF;
      case START:
        return TaskState.POWERING_ON;
      case SOFT_REBOOT:
        return TaskState.REBOOTING;
      default:
        return TaskState.REBOOTING_HARD;
    }
  }

  /** The hypervisor's effect of a call, fully (point 0) or up to a midway point; null when it refuses. */
  static Vm hypervisor(Operation op, Vm v, int point) {
    PowerState p = v.power;
    switch (op) {
      case PAUSE:
        return p == PowerState.SHUTDOWN ? null : v.hv(PowerState.PAUSED, v.saved, v.rescueDef);
      case UNPAUSE:
        return p == PowerState.SHUTDOWN ? null : v.hv(PowerState.RUNNING, v.saved, v.rescueDef);
      case SUSPEND:
        if (!v.active()) {
          return null;
        }
        return point == 1 ? v.hv(PowerState.PAUSED, false, v.rescueDef) : v.hv(PowerState.SHUTDOWN, true, v.rescueDef);
      case RESUME:
        if (v.active() || !v.saved) {
          return null;
        }
        return point == 1 ? v : v.hv(PowerState.RUNNING, false, v.rescueDef);
      case STOP:
        if (!v.active()) {
          return v;
        }
        return point == 1 ? v : v.hv(PowerState.SHUTDOWN, v.saved, v.rescueDef);
      case START:
        return v.active() ? null : v.hv(PowerState.RUNNING, false, v.rescueDef);
      case SOFT_REBOOT:
        // a running guest that honours the request boots again; any other is hard-rebooted
        return v.hv(PowerState.RUNNING, false, v.rescueDef);
      case HARD_REBOOT:
        return point == 1 ? v.hv(PowerState.SHUTDOWN, false, v.rescueDef) : v.hv(PowerState.RUNNING, false, v.rescueDef);
      case RESCUE:
        if (v.saved) {
          return null;
        }
        if (point == 1 || point == 2) {
          return v.hv(PowerState.SHUTDOWN, false, v.rescueDef);
        }
        return point == 3 ? v.hv(PowerState.SHUTDOWN, false, true) : v.hv(PowerState.RUNNING, false, true);
      case UNRESCUE:
        if (v.saved) {
          return null;
        }
        if (point == 1) {
          return v.hv(PowerState.SHUTDOWN, false, v.rescueDef);
        }
        return point == 2 ? v.hv(PowerState.SHUTDOWN, false, false) : v.hv(PowerState.RUNNING, false, false);
      default:
        throw new AssertionError(op);
    }
  }
}
