package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.timeout;
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
    fake.pause(id, call());
    assertThat(types()).containsExactly(SUSPENDED);
    fake.unpause(id, call());
    assertThat(types()).containsExactly(RESUMED);
    fake.suspend(id, call());
    assertThat(types()).containsExactly(SUSPENDED, STOPPED);
    fake.resume(id, call());
    assertThat(types()).containsExactly(STARTED);
    fake.stop(id, timeout(Duration.ofSeconds(10)));
    assertThat(types()).containsExactly(SHUTDOWN, STOPPED);
    fake.start(id, call());
    assertThat(types()).containsExactly(STARTED);
    fake.stop(id, timeout(Duration.ZERO));
    assertThat(types()).containsExactly(STOPPED);
    fake.hardReboot(id, call());
    assertThat(types()).containsExactly(STARTED);
    fake.hardReboot(id, call());
    assertThat(types()).containsExactly(STOPPED, STARTED);
    String original = fake.definition(id);
    fake.rescue(id, original, RescueRequest.defaults(), call());
    assertThat(types()).containsExactly(SHUTDOWN, STOPPED, DEFINED, STARTED);
    fake.unrescue(id, original, call());
    assertThat(types()).containsExactly(STOPPED, DEFINED, STARTED);
  }

  @Test
  void events_carryInstanceIdAndClockTime() {
    fake.clock().advance(Duration.ofSeconds(7));

    fake.pause(id, call());

    assertThat(events).singleElement().satisfies(e -> {
      assertThat(e.instanceId()).isEqualTo(id);
      assertThat(e.timestamp()).isEqualTo(FakeClock.DEFAULT_START.plusSeconds(7));
    });
  }

  @Test
  void refusedOrNoOpCalls_emitNothing() {
    fake.pause(id, call());
    types();

    fake.pause(id, call());
    assertThatThrownBy(() -> fake.start(id, call())).isInstanceOf(RuntimeException.class);

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
      Thread reader = new Thread(() -> inspected.set(fake.guest(id).inspect() != null));
      reader.start();
      try {
        reader.join(10_000);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
      }
    });

    fake.pause(id, call());

    assertThat(inspected).isTrue();
  }

  @Test
  void failingListener_isLoggedAndOthersStillGetTheEvent() {
    fake.subscribe(e -> {
      throw new IllegalStateException("listener bug");
    });
    List<DriverEvent> second = new CopyOnWriteArrayList<>();
    fake.subscribe(second::add);

    fake.pause(id, call());

    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.PAUSED);
    assertThat(second).hasSize(1);
    assertThat(events).hasSize(1);
  }

  @Test
  void closingTheSubscription_stopsDelivery() throws Exception {
    List<DriverEvent> mine = new CopyOnWriteArrayList<>();
    AutoCloseable subscription = fake.subscribe(mine::add);

    fake.pause(id, call());
    subscription.close();
    fake.unpause(id, call());

    assertThat(mine).extracting(DriverEvent::type).containsExactly(SUSPENDED);
  }

  @Test
  void guestShutsDown_isShutdownThenStopped() {
    fake.guest(id).shutsDown();

    assertThat(types()).containsExactly(SHUTDOWN, STOPPED);
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThatThrownBy(() -> fake.guest(id).shutsDown()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void guestCrashes_isCrashed() {
    fake.guest(id).crashes();

    assertThat(types()).containsExactly(CRASHED);
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.CRASHED);
  }

  @Test
  void guestSuspendsToRam_isPmSuspended() {
    fake.guest(id).suspendsToRam();

    assertThat(types()).containsExactly(PMSUSPENDED);
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.SUSPENDED);
  }

  @Test
  void pauseBehindBack_isSuspendedEvent() {
    fake.guest(id).pauseBehindBack();

    assertThat(types()).containsExactly(SUSPENDED);
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.PAUSED);
    assertThatThrownBy(() -> fake.guest(id).pauseBehindBack()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void destroyBehindBack_isStoppedAndIdempotent() {
    fake.guest(id).destroyBehindBack();
    fake.guest(id).destroyBehindBack();

    assertThat(types()).containsExactly(STOPPED);
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void removeBehindBack_undefinesTheDomain() {
    fake.guest("web").removeBehindBack();

    assertThat(types()).containsExactly(STOPPED, UNDEFINED);
    assertThat(fake.find(id)).isEmpty();
    assertThat(fake.list()).isEmpty();
    assertThatThrownBy(() -> fake.pause(id, call())).isInstanceOf(InstanceNotFoundException.class);
    assertThat(fake.createInstance("web")).isEqualTo(id);
  }
}
