package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.timeout;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class CloseTest {

  private final FakeHypervisor fake = new FakeHypervisor();
  private final String id = fake.createInstance("web");

  @Test
  void close_isIdempotentAndEveryLaterCallThrowsConnection() {
    fake.close();
    fake.close();

    for (ThrowingCallable call : new ThrowingCallable[] {
        fake::list, () -> fake.find(id), () -> fake.pause(id, call()), () -> fake.unpause(id, call()),
        () -> fake.suspend(id, call()), () -> fake.resume(id, call()),
        () -> fake.stop(id, timeout(Duration.ZERO)), () -> fake.start(id, call()), () -> fake.hardReboot(id, call()),
        () -> fake.definition(id), () -> fake.rescue(id, "<domain/>", RescueRequest.defaults(), call()),
        () -> fake.unrescue(id, "<domain/>", call()), () -> fake.embeddedOriginalDefinition(id),
        () -> fake.subscribe(e -> { })}) {
      Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
      assertThat(t).isInstanceOfSatisfying(HypervisorException.class,
          e -> assertThat(e.code()).isEqualTo(Code.CONNECTION));
    }
    assertThat(fake.isConnected()).isFalse();
  }

  @Test
  void close_reconnectDoesNotReopen() {
    fake.close();
    fake.reconnect();

    assertThat(fake.isConnected()).isFalse();
  }

  @Test
  void close_testHelpersStillWork() {
    fake.close();

    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.calls()).isEmpty();
  }
}
