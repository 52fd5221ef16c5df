package io.github.vmlifecycle.fake;

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
    fake.writeGuestMemory(id, "session=42");
    clock.advance(Duration.ofMinutes(10));
  }

  private void assertDidNotReboot(Duration uptime) {
    assertThat(fake.guestMemory(id)).isEqualTo("session=42");
    assertThat(fake.uptime(id)).isEqualTo(uptime);
    assertThat(fake.bootCount(id)).isEqualTo(1);
  }

  private void assertRebooted() {
    assertThat(fake.guestMemory(id)).isEmpty();
    assertThat(fake.uptime(id)).isZero();
    assertThat(fake.bootCount(id)).isEqualTo(2);
  }

  @Test
  void uptime_advancesWithTheClockWhileRunning() {
    assertThat(fake.uptime(id)).isEqualTo(Duration.ofMinutes(10));

    clock.advance(Duration.ofSeconds(5));

    assertThat(fake.uptime(id)).isEqualTo(Duration.ofMinutes(10).plusSeconds(5));
  }

  @Test
  void pause_keepsMemoryAndFreezesUptime() {
    fake.pause(id);
    clock.advance(Duration.ofHours(1));
    assertThat(fake.uptime(id)).isEqualTo(Duration.ofMinutes(10));

    fake.unpause(id);
    clock.advance(Duration.ofMinutes(1));

    assertDidNotReboot(Duration.ofMinutes(11));
  }

  @Test
  void suspendResume_keepsMemoryInTheImageAndBack() {
    fake.suspend(id, ProgressListener.NONE);
    clock.advance(Duration.ofHours(1));
    assertThat(fake.guestMemory(id)).isEqualTo("session=42");
    assertThat(fake.uptime(id)).isEqualTo(Duration.ofMinutes(10));

    fake.resume(id, ProgressListener.NONE);

    assertDidNotReboot(Duration.ofMinutes(10));
  }

  @Test
  void suspendThenStart_restoresLikeResume() {
    fake.suspend(id, ProgressListener.NONE);

    fake.start(id);

    assertDidNotReboot(Duration.ofMinutes(10));
  }

  @Test
  void stopThenStart_reboots() {
    fake.stop(id, Duration.ZERO);
    assertThat(fake.guestMemory(id)).isEmpty();
    assertThat(fake.uptime(id)).isZero();

    fake.start(id);

    assertRebooted();
  }

  @Test
  void hardReboot_reboots() {
    fake.hardReboot(id);

    assertRebooted();
  }

  @Test
  void hardReboot_ofSuspendedGuest_dropsTheSavedMemory() {
    fake.suspend(id, ProgressListener.NONE);

    fake.hardReboot(id);

    assertRebooted();
  }

  @Test
  void rescueAndUnrescue_eachReboot() {
    String original = fake.definition(id);
    fake.rescue(id, original, RescueRequest.defaults());
    assertRebooted();
    fake.writeGuestMemory(id, "rescue shell");

    fake.unrescue(id, original);

    assertThat(fake.guestMemory(id)).isEmpty();
    assertThat(fake.bootCount(id)).isEqualTo(3);
  }

  @Test
  void destroyBehindBack_losesMemoryButKeepsASavedImage() {
    fake.destroyBehindBack(id);
    assertThat(fake.guestMemory(id)).isEmpty();

    fake.start(id);
    fake.writeGuestMemory(id, "again");
    fake.suspend(id, ProgressListener.NONE);
    fake.destroyBehindBack(id);

    assertThat(fake.inspect(id).hasSavedMemory()).isTrue();
    assertThat(fake.guestMemory(id)).isEqualTo("again");
  }

  @Test
  void writeGuestMemory_poweredOff_isRefused() {
    fake.stop(id, Duration.ZERO);

    assertThatThrownBy(() -> fake.writeGuestMemory(id, "x")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void spec_guestMemory_isInRamOrInTheImage() {
    String saved = fake.define(FakeInstanceSpec.builder().name("saved").powerState(PowerState.SHUTDOWN)
        .savedMemory(true).guestMemory("from image").build());
    String off = fake.define(FakeInstanceSpec.builder().name("off").powerState(PowerState.SHUTDOWN)
        .guestMemory("ignored").build());

    fake.resume(saved, ProgressListener.NONE);

    assertThat(fake.guestMemory(saved)).isEqualTo("from image");
    assertThat(fake.bootCount(saved)).isEqualTo(1);
    assertThat(fake.guestMemory(off)).isEmpty();
    assertThat(fake.bootCount(off)).isZero();
  }
}
