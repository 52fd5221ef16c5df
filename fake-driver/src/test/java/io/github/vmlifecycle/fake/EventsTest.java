package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.spi.DriverEvent.Type.CRASHED;
import static io.github.vmlifecycle.spi.DriverEvent.Type.DEFINED;
import static io.github.vmlifecycle.spi.DriverEvent.Type.PMSUSPENDED;
import static io.github.vmlifecycle.spi.DriverEvent.Type.RESUMED;
import static io.github.vmlifecycle.spi.DriverEvent.Type.SHUTDOWN;
import static io.github.vmlifecycle.spi.DriverEvent.Type.STARTED;
import static io.github.vmlifecycle.spi.DriverEvent.Type.STOPPED;
import static io.github.vmlifecycle.spi.DriverEvent.Type.SUSPENDED;
import static io.github.vmlifecycle.spi.DriverEvent.Type.UNDEFINED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventsTest {

  private final FakeHypervisor fake = new FakeHypervisor();
  private final String id =
      fake.define(FakeInstanceSpec.builder().name("web").backingImage("/images/base.qcow2").build());
  private final List<DriverEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void subscribe() {
    fake.subscribe(events::add);
  }

  private List<DriverEvent.Type> types() {
    List<DriverEvent.Type> types = events.stream().map(DriverEvent::type).toList();
    events.clear();
    return types;
  }

  @Test
  void everyCall_emitsLibvirtLikeEvents() {
    fake.pause(id);
    assertThat(types()).containsExactly(SUSPENDED);
    fake.unpause(id);
    assertThat(types()).containsExactly(RESUMED);
    fake.suspend(id, ProgressListener.NONE);
    assertThat(types()).containsExactly(SUSPENDED, STOPPED);
    fake.resume(id, ProgressListener.NONE);
    assertThat(types()).containsExactly(STARTED);
    fake.stop(id, Duration.ofSeconds(10));
    assertThat(types()).containsExactly(SHUTDOWN, STOPPED);
    fake.start(id);
    assertThat(types()).containsExactly(STARTED);
    fake.stop(id, Duration.ZERO);
    assertThat(types()).containsExactly(STOPPED);
    fake.hardReboot(id);
    assertThat(types()).containsExactly(STARTED);
    fake.hardReboot(id);
    assertThat(types()).containsExactly(STOPPED, STARTED);
    String original = fake.definition(id);
    fake.rescue(id, original, RescueRequest.defaults());
    assertThat(types()).containsExactly(STOPPED, DEFINED, STARTED);
    fake.unrescue(id, original);
    assertThat(types()).containsExactly(STOPPED, DEFINED, STARTED);
  }

  @Test
  void events_carryInstanceIdAndClockTime() {
    fake.clock().advance(Duration.ofSeconds(7));

    fake.pause(id);

    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.instanceId()).isEqualTo(id);
      assertThat(e.timestamp()).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(7));
    });
  }

  @Test
  void refusedOrNoOpCalls_emitNothing() {
    fake.pause(id);
    types();

    fake.pause(id);
    assertThatThrownBy(() -> fake.start(id)).isInstanceOf(RuntimeException.class);

    assertThat(events).isEmpty();
  }

  @Test
  void define_emitsDefinedAndStartedForAnActiveInstance() {
    fake.createInstance("new");
    fake.define(FakeInstanceSpec.builder().name("off").powerState(PowerState.SHUTDOWN).build());

    assertThat(types()).containsExactly(DEFINED, STARTED, DEFINED);
  }

  @Test
  void listenersAreCalledOutsideTheInstanceLock() {
    AtomicBoolean inspected = new AtomicBoolean();
    fake.subscribe(e -> {
      Thread reader = new Thread(() -> inspected.set(fake.inspect(id) != null));
      reader.start();
      try {
        reader.join(10_000);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    });

    fake.pause(id);

    assertThat(inspected).isTrue();
  }

  @Test
  void failingListener_isLoggedAndOthersStillGetTheEvent() {
    fake.subscribe(e -> {
      throw new IllegalStateException("listener bug");
    });
    List<DriverEvent> second = new CopyOnWriteArrayList<>();
    fake.subscribe(second::add);

    fake.pause(id);

    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.PAUSED);
    assertThat(second).hasSize(1);
    assertThat(events).hasSize(1);
  }

  @Test
  void closingTheSubscription_stopsDelivery() throws Exception {
    List<DriverEvent> mine = new CopyOnWriteArrayList<>();
    AutoCloseable subscription = fake.subscribe(mine::add);

    fake.pause(id);
    subscription.close();
    fake.unpause(id);

    assertThat(mine).extracting(DriverEvent::type).containsExactly(SUSPENDED);
  }

  @Test
  void guestShutsDown_isShutdownThenStopped() {
    fake.guestShutsDown(id);

    assertThat(types()).containsExactly(SHUTDOWN, STOPPED);
    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThatThrownBy(() -> fake.guestShutsDown(id)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void guestCrashes_isCrashed() {
    fake.guestCrashes(id);

    assertThat(types()).containsExactly(CRASHED);
    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.CRASHED);
  }

  @Test
  void guestSuspendsToRam_isPmSuspended() {
    fake.guestSuspendsToRam(id);

    assertThat(types()).containsExactly(PMSUSPENDED);
    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.SUSPENDED);
  }

  @Test
  void pauseBehindBack_isSuspendedEvent() {
    fake.pauseBehindBack(id);

    assertThat(types()).containsExactly(SUSPENDED);
    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.PAUSED);
    assertThatThrownBy(() -> fake.pauseBehindBack(id)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void destroyBehindBack_isStoppedAndIdempotent() {
    fake.destroyBehindBack(id);
    fake.destroyBehindBack(id);

    assertThat(types()).containsExactly(STOPPED);
    assertThat(fake.inspect(id).powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void removeBehindBack_undefinesTheDomain() {
    fake.removeBehindBack("web");

    assertThat(types()).containsExactly(STOPPED, UNDEFINED);
    assertThat(fake.find(id)).isEmpty();
    assertThat(fake.list()).isEmpty();
    assertThatThrownBy(() -> fake.pause(id)).isInstanceOf(InstanceNotFoundException.class);
    assertThat(fake.createInstance("web")).isEqualTo(id);
  }
}
