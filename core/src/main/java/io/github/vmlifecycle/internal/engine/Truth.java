package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.internal.TruthDerivation;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.HypervisorDriver;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the hypervisor says about one instance, or why it could not say, and the record that matches
 * it. Immutable.
 */
final class Truth {
  private static final Logger LOG = LoggerFactory.getLogger("io.github.vmlifecycle.LifecycleEngine");

  final Optional<DriverInstance> instance;
  final RuntimeException error;

  private Truth(Optional<DriverInstance> instance, RuntimeException error) {
    this.instance = instance;
    this.error = error;
  }

  /** Asks the driver; never throws. */
  static Truth observe(HypervisorDriver driver, String id) {
    try {
      return new Truth(driver.find(id), null);
    } catch (RuntimeException e) {
      return new Truth(Optional.empty(), e);
    }
  }

  boolean known() {
    return error == null;
  }

  /** The original definition embedded in the current rescue definition, if it can be read. */
  static Optional<String> embeddedOriginal(HypervisorDriver driver, String id) {
    try {
      return driver.embeddedOriginalDefinition(id);
    } catch (RuntimeException e) {
      LOG.warn("Could not read the embedded original definition of {}", id, e);
      return Optional.empty();
    }
  }

  /**
   * Builds the idle record that matches what the hypervisor reports. When the hypervisor could not be
   * asked, the vm_state becomes {@code unknownState} and nothing else is dropped. A rescue definition in
   * place means RESCUED, with the original definition from the record or, failing that, from the
   * definition itself; without either the instance is ERROR. The original definition is only dropped
   * once the hypervisor no longer holds a rescue definition.
   */
  Instance settle(HypervisorDriver driver, Instance current, Instant now, VmState unknownState,
      boolean enteringRescue) {
    Instance.Builder b = NextRecord.idle(current, now);
    if (!known()) {
      return b.vmState(unknownState).build();
    }
    VmState truth = TruthDerivation.vmState(instance);
    b.powerState(TruthDerivation.powerState(instance));
    if (truth == VmState.RESCUED) {
      Optional<String> original = current.originalDefinition();
      if (original.isEmpty()) {
        original = embeddedOriginal(driver, current.id());
      }
      if (original.isEmpty()) {
        return b.vmState(VmState.ERROR).build();
      }
      b.originalDefinition(original);
      if (current.rescuedAt().isEmpty() || enteringRescue) {
        b.rescuedAt(now);
      }
      return b.vmState(VmState.RESCUED).build();
    }
    return NextRecord.outOfRescue(b.vmState(truth)).build();
  }
}
