/**
 * vmlifecycle's libvirt driver: the {@link io.github.vmlifecycle.spi.HypervisorDriver} over libvirt-java
 * (QEMU/KVM locally or remotely, and libvirt's test driver).
 */
module io.github.vmlifecycle.libvirt {
  requires transitive io.github.vmlifecycle;
  requires java.xml;
  requires org.slf4j;
  requires static org.immutables.value; // core's annotations, read by javadoc; not needed at run time
  // libvirt-java 0.5.4 has no module descriptor nor Automatic-Module-Name: its name comes from the jar
  // file name (libvirt-0.5.4.jar). JNA declares Automatic-Module-Name com.sun.jna.
  requires libvirt;
  requires com.sun.jna;

  exports io.github.vmlifecycle.libvirt;
  // io.github.vmlifecycle.libvirt.internal is the implementation and is not exported
}
