/**
 * The service-provider interfaces below the engine: {@link io.github.vmlifecycle.spi.HypervisorDriver}
 * (one method per operation, each with a {@link io.github.vmlifecycle.spi.DriverCall} context),
 * {@link io.github.vmlifecycle.spi.InstanceStore} (records and action logs with compare-and-set), the
 * write-ahead {@link io.github.vmlifecycle.spi.OperationJournal}, the
 * {@link io.github.vmlifecycle.spi.StepObserver} of step boundaries, and
 * {@link io.github.vmlifecycle.spi.HardenedXml}, the hardened XML parser drivers share with the core.
 * The module {@code vmlifecycle-testing} has the contract tests an implementation extends.
 */
package io.github.vmlifecycle.spi;
