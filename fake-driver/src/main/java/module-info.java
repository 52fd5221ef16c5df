/**
 * vmlifecycle fake hypervisor: an in-memory {@link io.github.vmlifecycle.spi.HypervisorDriver} for tests, with
 * realistic power states, scripted faults, deterministic latency, recorded calls and lifecycle events.
 */
module io.github.vmlifecycle.fake {
  requires transitive io.github.vmlifecycle;
  requires org.slf4j;
  requires static org.immutables.value;
  requires static java.compiler;

  exports io.github.vmlifecycle.fake;
}
