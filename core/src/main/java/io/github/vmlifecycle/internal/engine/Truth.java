package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
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

  /**
   * Checks that the original definition embedded in the domain's rescue definition, when it has one,
   * is {@code stored}, the copy in the durable store. The store is trusted and the domain's XML is not:
   * anyone who may edit a domain could otherwise make unrescue define something else.
   *
   * @throws InvalidDomainXmlException ORIGINAL_MISMATCH if they differ or the embedded copy is damaged
   */
  static void requireEmbeddedMatches(HypervisorDriver driver, Instance instance, String stored) {
    Optional<String> embedded;
    try {
      embedded = driver.embeddedOriginalDefinition(instance.id());
    } catch (InvalidDomainXmlException e) {
      throw mismatch(instance, "it is damaged (" + e.getMessage() + ")", e);
    }
    if (embedded.isPresent() && !embedded.get().equals(stored)) {
      throw mismatch(instance, "it differs from the copy in the state store", null);
    }
  }

  private static InvalidDomainXmlException mismatch(Instance instance, String why, Exception cause) {
    return new InvalidDomainXmlException(Reason.ORIGINAL_MISMATCH, "The original definition embedded in the "
        + "rescue definition of instance " + instance.name() + " cannot be trusted: " + why + ". The domain's XML "
        + "was changed outside vmlifecycle; unrescue refuses and nothing was changed. Compare 'vmlife xml "
        + "unrescue' of the domain's XML with what you expect, then define the right one yourself", cause);
  }

  /**
   * Builds the idle record that matches what the hypervisor reports. When the hypervisor could not be
   * asked, the vm_state becomes {@code unknownState} and nothing else is dropped. A rescue definition in
   * place means RESCUED, with the original definition from the record; without it the instance is
   * ERROR (the copy embedded in the domain is never trusted on its own). The original definition is only dropped
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
        LOG.warn("Instance {} runs a rescue definition whose original is not in the state store; the copy "
            + "embedded in the domain is not trusted, so it is ERROR", current.name());
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
