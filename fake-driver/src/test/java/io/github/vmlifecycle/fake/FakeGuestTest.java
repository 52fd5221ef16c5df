package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.VmLifecycleException;
import org.junit.jupiter.api.Test;

class FakeGuestTest {

  private final FakeHypervisor fake = new FakeHypervisor();
  private final String id = fake.createInstance("web-1");

  @Test
  void guest_byNameOrIdInAnyCase_isTheSameGuest() {
    FakeGuest byName = fake.guest("web-1");
    FakeGuest byId = fake.guest(id.toUpperCase(java.util.Locale.ROOT));

    assertThat(byName.id()).isEqualTo(id).isEqualTo(byId.id());
    assertThat(byId.name()).isEqualTo("web-1");
    assertThat(byName).hasToString("FakeGuest[web-1, " + id + "]");
  }

  @Test
  void guest_unknown_isInstanceNotFound() {
    assertThatThrownBy(() -> fake.guest("nope")).isInstanceOfSatisfying(InstanceNotFoundException.class,
        e -> assertThat(e.kind()).isEqualTo(VmLifecycleException.Kind.NOT_FOUND));
    assertThatThrownBy(() -> fake.guest(null)).isInstanceOf(InstanceNotFoundException.class);
  }

  @Test
  void handle_afterRemoveBehindBack_isInstanceNotFoundEvenForANewGuestOfTheSameName() {
    FakeGuest guest = fake.guest(id);
    guest.removeBehindBack();
    fake.createInstance("web-1");

    assertThatThrownBy(guest::inspect).isInstanceOf(InstanceNotFoundException.class);
    assertThatThrownBy(guest::removeBehindBack).isInstanceOf(InstanceNotFoundException.class);
    assertThat(fake.guest("web-1").powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void handle_worksWhileTheFakeIsClosedAndRecordsNoCall() {
    fake.close();
    FakeGuest guest = fake.guest(id);

    guest.writeMemory("x");
    guest.crashes();

    assertThat(guest.powerState()).isEqualTo(PowerState.CRASHED);
    assertThat(fake.calls()).isEmpty();
  }

  @Test
  void onCall_narrowsTheFaultToThisGuest() {
    String other = fake.createInstance("web-2");
    fake.guest(id).onCall(FakeCall.PAUSE).always().failBefore();

    fake.pause(other, call());

    assertThatThrownBy(() -> fake.pause(id, call())).isInstanceOf(HypervisorException.class);
    assertThat(fake.guest(other).powerState()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void ignoreShutdownRequests_negative_isRefused() {
    assertThatThrownBy(() -> fake.guest(id).ignoreShutdownRequests(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(fake.guest(id).ignoresShutdown()).isFalse();
  }

  @Test
  void setIgnoresShutdown_isReadBack() {
    FakeGuest guest = fake.guest(id);

    guest.setIgnoresShutdown(true);

    assertThat(guest.ignoresShutdown()).isTrue();
  }
}
