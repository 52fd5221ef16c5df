/**
 * The engine's implementation: {@link io.github.vmlifecycle.internal.engine.OperationPath} is the one
 * path of every record change; {@link io.github.vmlifecycle.internal.engine.NextRecord} builds every
 * next record and {@link io.github.vmlifecycle.internal.engine.ActionLog} writes every action and event.
 * Not API: no module exports this package.
 */
package io.github.vmlifecycle.internal.engine;
