package io.github.vmlifecycle.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.spi.DriverCall;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Code under test that sees only the driver interface, run against the fake. */
class UsageExampleTest {

  /** Stands for the code under test: suspends, and on a failed resume hard-reboots. */
  private static void suspendAndComeBack(HypervisorDriver driver, String id) {
    driver.suspend(id, DriverCall.defaults());
    try {
      driver.resume(id, DriverCall.defaults());
    } catch (HypervisorException e) {
      driver.resume(id, DriverCall.defaults());
    }
  }

  @Test
  void example_suspendWithLatencyAndARetriedResume_guestDidNotReboot() {
    FakeClock clock = new FakeClock();
    FakeHypervisor fake = new FakeHypervisor(clock);
    String id = fake.createInstance("web-1");
    fake.guest(id).writeMemory("session=42");
    fake.setLatency(FakeCall.SUSPEND, Duration.ofSeconds(2));
    fake.onCall(FakeCall.RESUME).failMidway();

    suspendAndComeBack(fake, id);

    fake.assertCalled(FakeCall.SUSPEND, "web-1");
    assertThat(fake.calls(FakeCall.RESUME)).extracting(RecordedCall::succeeded).containsExactly(false, true);
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.guest(id).memory()).isEqualTo("session=42");
    assertThat(fake.guest(id).bootCount()).isEqualTo(1);
    assertThat(clock.instant()).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(2));
  }

  @Test
  void example_failAlways_surfacesToTheCodeUnderTest() {
    FakeHypervisor fake = new FakeHypervisor();
    String id = fake.createInstance("web-1");
    fake.onCall(FakeCall.RESUME).forInstance("web-1").always().failBefore();

    assertThatThrownBy(() -> suspendAndComeBack(fake, id)).isInstanceOf(HypervisorException.class);
    assertThat(fake.guest(id).inspect().hasSavedMemory()).isTrue();
  }
}
