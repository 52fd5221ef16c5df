package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.InstanceNotFoundException;
import java.time.Duration;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class RecordedCallsTest {

  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final String id = fake.createInstance("web");

  @Test
  void calls_recordKindInstanceTimestampAndOutcome() {
    fake.pause(id, call());
    clock.advance(Duration.ofSeconds(1));
    fake.failNext(FakeCall.UNPAUSE);
    assertThatThrownBy(() -> fake.unpause(id, call())).isInstanceOf(HypervisorException.class);
    fake.list();

    assertThat(fake.calls()).extracting(RecordedCall::call)
        .containsExactly(FakeCall.PAUSE, FakeCall.UNPAUSE, FakeCall.LIST);
    RecordedCall pause = fake.calls().get(0);
    assertThat(pause.instance()).contains(id);
    assertThat(pause.timestamp()).isEqualTo(FakeClock.DEFAULT_START);
    assertThat(pause.succeeded()).isTrue();
    RecordedCall unpause = fake.calls().get(1);
    assertThat(unpause.timestamp()).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(1));
    assertThat(unpause.failure()).contains(HypervisorException.class);
    assertThat(fake.calls().get(2).instance()).isEmpty();
  }

  @Test
  void calls_recordNotFoundFailures() {
    assertThatThrownBy(() -> fake.start("00000000-0000-0000-0000-000000000000", call()))
        .isInstanceOf(InstanceNotFoundException.class);

    assertThat(fake.takeCall().failure()).contains(InstanceNotFoundException.class);
  }

  @Test
  void calls_isAnImmutableSnapshot() {
    fake.pause(id, call());

    var snapshot = fake.calls();
    fake.unpause(id, call());

    assertThat(snapshot).hasSize(1);
    assertThatThrownBy(() -> snapshot.add(snapshot.get(0))).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void takeCall_removesTheOldestAndThrowsWhenEmpty() {
    fake.pause(id, call());
    fake.unpause(id, call());

    assertThat(fake.takeCall().call()).isEqualTo(FakeCall.PAUSE);
    assertThat(fake.takeCall().call()).isEqualTo(FakeCall.UNPAUSE);
    assertThatThrownBy(fake::takeCall).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void clearCalls_forgetsEverything() {
    fake.pause(id, call());

    fake.clearCalls();

    assertThat(fake.calls()).isEmpty();
  }

  @Test
  void callsOfKind_filters() {
    fake.pause(id, call());
    fake.find("web");
    fake.unpause(id, call());

    assertThat(fake.calls(FakeCall.FIND)).singleElement()
        .satisfies(c -> assertThat(c.instance()).contains("web"));
  }

  @Test
  void assertCalled_matchesByIdOrNameAndFailsWithTheCallsListed() {
    fake.find("web");
    fake.pause(id, call());

    assertThat(fake.assertCalled(FakeCall.PAUSE, "web").instance()).contains(id);
    assertThat(fake.assertCalled(FakeCall.FIND, id).instance()).contains("web");
    assertThatThrownBy(() -> fake.assertCalled(FakeCall.STOP, id))
        .isInstanceOf(AssertionError.class).hasMessageContaining("PAUSE");
  }

  @Test
  void assertNotCalled_failsWhenCalled() {
    fake.pause(id, call());

    fake.assertNotCalled(FakeCall.STOP);
    assertThatThrownBy(() -> fake.assertNotCalled(FakeCall.PAUSE)).isInstanceOf(AssertionError.class);
  }

  @Test
  void recordCapacity_keepsOnlyTheNewest() {
    FakeHypervisor small = FakeHypervisor.builder().recordCapacity(3).build();
    String vm = small.createInstance("vm");
    for (int i = 0; i < 5; i++) {
      small.pause(vm, call());
      small.unpause(vm, call());
    }

    assertThat(small.calls()).hasSize(3).extracting(RecordedCall::call)
        .containsExactly(FakeCall.UNPAUSE, FakeCall.PAUSE, FakeCall.UNPAUSE);
  }

  @Test
  void recordCapacityZero_recordsNothing() {
    FakeHypervisor silent = FakeHypervisor.builder().recordCapacity(0).build();
    silent.pause(silent.createInstance("vm"), call());

    assertThat(silent.calls()).isEmpty();
    assertThatThrownBy(() -> FakeHypervisor.builder().recordCapacity(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void testHelpers_areNotRecorded() {
    fake.guest(id).inspect();
    fake.guest(id).files();
    fake.guest(id).memory();

    assertThat(fake.calls()).isEmpty();
  }
}
