/**
 * vmlifecycle core: the lifecycle states and rules, the operation engine, the instance stores and the
 * rescue domain-XML rewriter, behind the {@link io.github.vmlifecycle.spi.HypervisorDriver} SPI.
 */
module io.github.vmlifecycle {
  requires transitive java.xml;
  requires com.google.common;
  requires org.slf4j;
  requires static org.immutables.value;
  requires static com.google.errorprone.annotations;
  requires static java.compiler;

  exports io.github.vmlifecycle;
  exports io.github.vmlifecycle.spi;
  // Implementation helpers shared with this project's own drivers only; not API.
  exports io.github.vmlifecycle.internal to io.github.vmlifecycle.libvirt, io.github.vmlifecycle.fake;
}
