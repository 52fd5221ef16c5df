/**
 * The libvirt driver of vmlifecycle: {@link io.github.vmlifecycle.libvirt.LibvirtDriver}, the
 * {@link io.github.vmlifecycle.spi.HypervisorDriver} over libvirt (QEMU/KVM, locally or remotely, and
 * libvirt's test driver), configured by {@link io.github.vmlifecycle.libvirt.LibvirtDriverOptions}.
 *
 * <p>Give a connected driver to the {@link io.github.vmlifecycle.LifecycleEngine}; per-call settings
 * (journal, progress, shutdown timeout and retry interval, deadline, step observer) come with each
 * call as a {@link io.github.vmlifecycle.spi.DriverCall}, connection-wide ones with the options. The
 * implementation lives in {@code io.github.vmlifecycle.libvirt.internal}, which the module does not
 * export.
 */
package io.github.vmlifecycle.libvirt;
