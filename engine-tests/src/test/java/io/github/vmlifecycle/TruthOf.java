package io.github.vmlifecycle;

import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.DriverInstance;

/** The vm_state a test expects from what the fake reports, written independently of the engine. */
final class TruthOf {
  private TruthOf() {}

  static VmState fake(FakeHypervisor fake, String id) {
    DriverInstance d = fake.guest(id).inspect();
    if (d.rescueDefinition()) {
      return VmState.RESCUED;
    }
    if (d.powerState() == PowerState.RUNNING) {
      return VmState.ACTIVE;
    }
    if (d.powerState() == PowerState.PAUSED) {
      return VmState.PAUSED;
    }
    if (d.powerState() == PowerState.SHUTDOWN) {
      return d.hasSavedMemory() ? VmState.SUSPENDED : VmState.STOPPED;
    }
    return VmState.ERROR;
  }
}
