/**
 * The {@code vmlife} command line: virsh-style commands for every lifecycle operation over libvirt or
 * the fake hypervisor, on the durable file store. An application, not a library API: its classes may
 * change in any release; use {@link io.github.vmlifecycle.LifecycleEngine} from code.
 */
package io.github.vmlifecycle.cli;
