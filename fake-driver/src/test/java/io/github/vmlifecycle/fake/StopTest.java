package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.StopOutcome;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How a stop (and the power-off of a rescue) asks, waits on the fake clock, gives up and reports. */
class StopTest {

  private final FakeHypervisor fake = new FakeHypervisor();
  private final String id = fake.define(
      FakeInstanceSpec.builder().name("web-1").backingImage("/images/base.qcow2").build());
  private final FakeGuest guest = fake.guest(id);
  private final Instant start = fake.clock().instant();

  private static DriverCall stopCall(Duration timeout, Duration retryInterval) {
    return DriverCall.builder().shutdownTimeout(timeout).shutdownRetryInterval(retryInterval).build();
  }

  @Test
  void stop_cooperativeGuest_isCleanAtOnce() {
    assertThat(fake.stop(id, timeout(Duration.ofSeconds(60)))).isEqualTo(StopOutcome.CLEAN);

    assertThat(fake.clock().instant()).isEqualTo(start);
    assertThat(guest.shutdownRequests()).isEqualTo(1);
  }

  @Test
  void stop_zeroTimeout_destroysWithoutAsking() {
    assertThat(fake.stop(id, timeout(Duration.ZERO))).isEqualTo(StopOutcome.DESTROYED);

    assertThat(guest.shutdownRequests()).isZero();
    assertThat(guest.powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void stop_shutdownGuest_isAlreadyOff() {
    fake.stop(id, timeout(Duration.ZERO));

    assertThat(fake.stop(id, call())).isEqualTo(StopOutcome.ALREADY_OFF);
  }

  @Test
  void stop_guestIgnoringEveryRequest_isAskedEveryRetryIntervalThenDestroyed() {
    guest.setIgnoresShutdown(true);

    StopOutcome outcome = fake.stop(id, stopCall(Duration.ofSeconds(60), Duration.ofSeconds(10)));

    assertThat(outcome).isEqualTo(StopOutcome.DESTROYED);
    assertThat(guest.shutdownRequests()).as("asked at 0, 10, ..., 50 s").isEqualTo(6);
    assertThat(fake.clock().instant()).isEqualTo(start.plusSeconds(60));
  }

  @Test
  void stop_guestIgnoringTwoRequests_goesDownCleanlyOnTheThirdRequest() {
    guest.ignoreShutdownRequests(2);

    StopOutcome outcome = fake.stop(id, stopCall(Duration.ofSeconds(60), Duration.ofSeconds(7)));

    assertThat(outcome).isEqualTo(StopOutcome.CLEAN);
    assertThat(guest.shutdownRequests()).isEqualTo(3);
    assertThat(fake.clock().instant()).isEqualTo(start.plusSeconds(14));
    assertThat(guest.ignoresShutdown()).isFalse();
  }

  @Test
  void stop_retryIntervalLongerThanTheTimeout_waitsOnlyTheTimeout() {
    guest.ignoreShutdownRequests(1);

    StopOutcome outcome = fake.stop(id, stopCall(Duration.ofSeconds(5), Duration.ofSeconds(30)));

    assertThat(outcome).isEqualTo(StopOutcome.DESTROYED);
    assertThat(fake.clock().instant()).isEqualTo(start.plusSeconds(5));
  }

  @Test
  void stop_deadlineBeforeTheTimeout_timesOutAtTheDeadlineWithTheGuestStillRunning() {
    guest.setIgnoresShutdown(true);
    DriverCall call = DriverCall.builder().shutdownTimeout(Duration.ofSeconds(60))
        .deadline(start.plusSeconds(25)).build();

    assertThatThrownBy(() -> fake.stop(id, call)).isInstanceOfSatisfying(HypervisorException.class,
        e -> assertThat(e.code()).isEqualTo(HypervisorException.Code.TIMEOUT));

    assertThat(fake.clock().instant()).isEqualTo(start.plusSeconds(25));
    assertThat(guest.powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void stop_deadlineAfterTheTimeout_destroysTheGuest() {
    guest.setIgnoresShutdown(true);
    DriverCall call = DriverCall.builder().shutdownTimeout(Duration.ofSeconds(20))
        .deadline(start.plusSeconds(25)).build();

    assertThat(fake.stop(id, call)).isEqualTo(StopOutcome.DESTROYED);
  }

  @Test
  void rescue_requestShutdownTimeout_overridesTheCallsTimeout() {
    guest.setIgnoresShutdown(true);

    fake.rescue(id, fake.definition(id), RescueRequest.builder().shutdownTimeout(Duration.ofSeconds(3)).build(),
        timeout(Duration.ofSeconds(60)));

    assertThat(fake.clock().instant()).isEqualTo(start.plusSeconds(3));
    assertThat(guest.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(guest.inspect().rescueDefinition()).isTrue();
  }
}
