/**
 * Test support for vmlifecycle.
 *
 * <ul>
 *   <li>{@link io.github.vmlifecycle.testing.HypervisorDriverContract}: the JUnit 5 test that every
 *       {@link io.github.vmlifecycle.spi.HypervisorDriver} extends to prove it behaves as the engine needs.
 *   <li>{@link io.github.vmlifecycle.testing.InstanceStoreContract}: the same for an
 *       {@link io.github.vmlifecycle.spi.InstanceStore}.
 *   <li>{@link io.github.vmlifecycle.testing.StepObservers}: step observers that record steps, or stop an
 *       operation at a step with a {@link io.github.vmlifecycle.testing.SimulatedDeath} as a killed process
 *       would stop.
 *   <li>{@link io.github.vmlifecycle.testing.LogCapture}: captures what slf4j-simple logs.
 * </ul>
 *
 * <pre>{@code
 * class MyDriverContractTest extends HypervisorDriverContract {
 *   private final MyDriver driver = new MyDriver();
 *
 *   protected HypervisorDriver driver() { return driver; }
 *   protected String createRunningInstance(String name) { return driver.createRunning(name); }
 *   protected RescueRequest rescueRequest() { return RescueRequest.builder().image("/img/rescue.qcow2").build(); }
 * }
 * }</pre>
 */
package io.github.vmlifecycle.testing;
