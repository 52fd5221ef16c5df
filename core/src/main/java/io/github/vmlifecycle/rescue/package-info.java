/**
 * Rescue: what a rescue boots ({@link io.github.vmlifecycle.rescue.RescueRequest}, with its
 * {@link io.github.vmlifecycle.rescue.RescueDevice} and {@link io.github.vmlifecycle.rescue.RescueBus}),
 * the plan of the rescue definition ({@link io.github.vmlifecycle.rescue.RescueXmlSpec}), and the
 * rewriter that turns a domain definition into its rescue definition and back
 * ({@link io.github.vmlifecycle.rescue.RescueDomainXml}: Nova's legacy and stable device modes, the
 * original kept in the definition's metadata).
 */
package io.github.vmlifecycle.rescue;
