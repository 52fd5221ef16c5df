/**
 * The lifecycle engine API: {@link io.github.vmlifecycle.LifecycleEngine} runs pause, unpause,
 * suspend, resume, rescue, unrescue, stop, start and hard reboot with Nova's state rules
 * ({@link io.github.vmlifecycle.LifecycleRules}), recovers what a dead process left, keeps the stored
 * state in step with the hypervisor ({@link io.github.vmlifecycle.PowerSyncRules}) and reports every
 * change as an {@link io.github.vmlifecycle.ActionRecord} and {@link io.github.vmlifecycle.LifecycleEvent}
 * named by an {@link io.github.vmlifecycle.ActionKind}. Records are {@link io.github.vmlifecycle.Instance}
 * values kept in an {@link io.github.vmlifecycle.spi.InstanceStore} ({@link
 * io.github.vmlifecycle.InstanceStores} has the in-memory and durable file stores). Every error is a
 * {@link io.github.vmlifecycle.VmLifecycleException} with a {@link io.github.vmlifecycle.VmLifecycleException.Kind}.
 */
package io.github.vmlifecycle;
