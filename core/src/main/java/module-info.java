/**
 * vmlifecycle core: the lifecycle states and rules, the operation engine, the instance stores and the
 * rescue domain-XML rewriter, behind the {@link io.github.vmlifecycle.spi.HypervisorDriver} SPI.
 */
module io.github.vmlifecycle {
  requires transitive java.xml;
  requires org.slf4j;
  requires static org.immutables.value;
  requires static java.compiler;

  exports io.github.vmlifecycle;
  exports io.github.vmlifecycle.rescue;
  exports io.github.vmlifecycle.spi;
}
