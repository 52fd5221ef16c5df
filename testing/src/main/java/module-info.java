/**
 * vmlifecycle testing: the contract tests that a {@link io.github.vmlifecycle.spi.HypervisorDriver} or an
 * {@link io.github.vmlifecycle.spi.InstanceStore} implementation extends, step observers for crash tests,
 * and a log capture. For test scope only.
 */
module io.github.vmlifecycle.testing {
  requires transitive io.github.vmlifecycle;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;
  requires org.slf4j;
  requires static org.immutables.value; // core's annotations, read by javadoc; not needed at run time

  exports io.github.vmlifecycle.testing;
  opens io.github.vmlifecycle.testing to org.junit.platform.commons;
}
