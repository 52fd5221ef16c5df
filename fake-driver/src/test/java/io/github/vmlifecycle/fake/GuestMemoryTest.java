package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.timeout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GuestMemoryTest {

  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private String id;

  @BeforeEach
  void runningGuestWithMemoryAndUptime() {
    id = fake.define(FakeInstanceSpec.builder().name("web").backingImage("/images/base.qcow2").build());
    fake.guest(id).writeMemory("session=42");
    clock.advance(Duration.ofMinutes(10));
  }

  private void assertDidNotReboot(Duration uptime) {
    assertThat(fake.guest(id).memory()).isEqualTo("session=42");
    assertThat(fake.guest(id).uptime()).isEqualTo(uptime);
    assertThat(fake.guest(id).bootCount()).isEqualTo(1);
  }

  private void assertRebooted() {
    assertThat(fake.guest(id).memory()).isEmpty();
    assertThat(fake.guest(id).uptime()).isZero();
    assertThat(fake.guest(id).bootCount()).isEqualTo(2);
  }

  @Test
  void uptime_advancesWithTheClockWhileRunning() {
    assertThat(fake.guest(id).uptime()).isEqualTo(Duration.ofMinutes(10));

    clock.advance(Duration.ofSeconds(5));

    assertThat(fake.guest(id).uptime()).isEqualTo(Duration.ofMinutes(10).plusSeconds(5));
  }

  @Test
  void pause_keepsMemoryAndFreezesUptime() {
    fake.pause(id, call());
    clock.advance(Duration.ofHours(1));
    assertThat(fake.guest(id).uptime()).isEqualTo(Duration.ofMinutes(10));

    fake.unpause(id, call());
    clock.advance(Duration.ofMinutes(1));

    assertDidNotReboot(Duration.ofMinutes(11));
  }

  @Test
  void suspendResume_keepsMemoryInTheImageAndBack() {
    fake.suspend(id, call());
    clock.advance(Duration.ofHours(1));
    assertThat(fake.guest(id).memory()).isEqualTo("session=42");
    assertThat(fake.guest(id).uptime()).isEqualTo(Duration.ofMinutes(10));

    fake.resume(id, call());

    assertDidNotReboot(Duration.ofMinutes(10));
  }

  @Test
  void suspendThenStart_restoresLikeResume() {
    fake.suspend(id, call());

    fake.start(id, call());

    assertDidNotReboot(Duration.ofMinutes(10));
  }

  @Test
  void stopThenStart_reboots() {
    fake.stop(id, timeout(Duration.ZERO));
    assertThat(fake.guest(id).memory()).isEmpty();
    assertThat(fake.guest(id).uptime()).isZero();

    fake.start(id, call());

    assertRebooted();
  }

  @Test
  void hardReboot_reboots() {
    fake.hardReboot(id, call());

    assertRebooted();
  }

  @Test
  void hardReboot_ofSuspendedGuest_dropsTheSavedMemory() {
    fake.suspend(id, call());

    fake.hardReboot(id, call());

    assertRebooted();
  }

  @Test
  void rescueAndUnrescue_eachReboot() {
    String original = fake.definition(id);
    fake.rescue(id, original, RescueRequest.defaults(), call());
    assertRebooted();
    fake.guest(id).writeMemory("rescue shell");

    fake.unrescue(id, original, call());

    assertThat(fake.guest(id).memory()).isEmpty();
    assertThat(fake.guest(id).bootCount()).isEqualTo(3);
  }

  @Test
  void destroyBehindBack_losesMemoryButKeepsASavedImage() {
    fake.guest(id).destroyBehindBack();
    assertThat(fake.guest(id).memory()).isEmpty();

    fake.start(id, call());
    fake.guest(id).writeMemory("again");
    fake.suspend(id, call());
    fake.guest(id).destroyBehindBack();

    assertThat(fake.guest(id).inspect().hasSavedMemory()).isTrue();
    assertThat(fake.guest(id).memory()).isEqualTo("again");
  }

  @Test
  void writeGuestMemory_poweredOff_isRefused() {
    fake.stop(id, timeout(Duration.ZERO));

    assertThatThrownBy(() -> fake.guest(id).writeMemory("x")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void spec_guestMemory_isInRamOrInTheImage() {
    String saved = fake.define(FakeInstanceSpec.builder().name("saved").powerState(PowerState.SHUTDOWN)
        .savedMemory(true).guestMemory("from image").build());
    String off = fake.define(FakeInstanceSpec.builder().name("off").powerState(PowerState.SHUTDOWN)
        .guestMemory("ignored").build());

    fake.resume(saved, call());

    assertThat(fake.guest(saved).memory()).isEqualTo("from image");
    assertThat(fake.guest(saved).bootCount()).isEqualTo(1);
    assertThat(fake.guest(off).memory()).isEmpty();
    assertThat(fake.guest(off).bootCount()).isZero();
  }
}
