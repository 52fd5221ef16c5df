/**
 * The fake hypervisor: an in-memory {@link io.github.vmlifecycle.spi.HypervisorDriver} for tests of code that
 * drives VM lifecycles, much as OkHttp's MockWebServer is for HTTP clients.
 *
 * <pre>{@code
 * FakeClock clock = new FakeClock();
 * FakeHypervisor fake = new FakeHypervisor(clock);
 * String id = fake.createInstance("web-1");                   // RUNNING
 * fake.guest(id).writeMemory("session=42");
 * fake.setLatency(FakeCall.SUSPEND, Duration.ofSeconds(2));   // moves the clock, never sleeps
 * fake.onCall(FakeCall.RESUME).failMidway();                  // the next resume fails half-way
 *
 * try (LifecycleEngine engine = LifecycleEngine.builder()    // the code under test
 *     .driver(fake).clock(clock).executor(Runnable::run).build()) {
 *   engine.suspend("web-1");
 *   assertThatThrownBy(() -> engine.resume("web-1")).isInstanceOf(VmLifecycleException.class);
 *   assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.SUSPENDED);  // landed on the truth
 *   engine.resume("web-1");                                   // the retry succeeds
 * }
 *
 * fake.assertCalled(FakeCall.SUSPEND, "web-1");
 * assertThat(fake.guest(id).memory()).isEqualTo("session=42");  // the guest did not reboot
 * assertThat(fake.guest(id).bootCount()).isEqualTo(1);
 * assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(2));
 * }</pre>
 *
 * <p>{@link io.github.vmlifecycle.fake.FakeHypervisor} is the driver and its hypervisor-wide test controls;
 * {@link io.github.vmlifecycle.fake.FakeGuest} is a handle on one guest (state, behaviour, changes behind the
 * engine's back);
 * {@link io.github.vmlifecycle.fake.FakeInstanceSpec} describes an instance to create;
 * {@link io.github.vmlifecycle.fake.FaultScript} and {@link io.github.vmlifecycle.fake.FakeHang} script faults
 * per {@link io.github.vmlifecycle.fake.FakeCall}; {@link io.github.vmlifecycle.fake.RecordedCall} is what was
 * called; {@link io.github.vmlifecycle.fake.FakeClock} is the one source of time.
 */
package io.github.vmlifecycle.fake;
