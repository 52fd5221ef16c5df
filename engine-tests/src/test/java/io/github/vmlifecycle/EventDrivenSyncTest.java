package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The event-driven power sync driven synchronously, as tests should drive it: with {@code
 * executor(Runnable::run)} the sync that a hypervisor event triggers runs in the thread that raised the
 * event, so it is complete when that call returns. Repeated 300 times: every run must agree.
 */
class EventDrivenSyncTest {
  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
  private String id;
  private LifecycleEngine engine;

  @BeforeEach
  void setUp() {
    id = fake.createInstance("web-1");
    engine = LifecycleEngine.builder().driver(fake).store(InstanceStores.inMemory()).clock(clock)
        .executor(Runnable::run).syncOnDriverEvents(true).listener(events::add).build();
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  @RepeatedTest(300)
  void guestShutsItselfDown_withACallingThreadExecutor_isSyncedWhenTheEventReturns() {
    engine.pause("web-1");
    engine.unpause("web-1");
    engine.suspend("web-1");
    engine.resume("web-1");
    events.clear();

    fake.guest(id).shutsDown();

    assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.STOPPED);
    assertThat(engine.get("web-1").taskState()).isEmpty();
    assertThat(events).extracting(LifecycleEvent::name)
        .containsExactly("instance.power_off.start", "instance.power_off.end");
    assertThat(engine.actions("web-1")).extracting(ActionRecord::action).containsExactly(
        ActionKind.ADOPT, ActionKind.PAUSE, ActionKind.UNPAUSE, ActionKind.SUSPEND, ActionKind.RESUME,
        ActionKind.STOP);
  }

  @RepeatedTest(300)
  void operations_withACallingThreadExecutor_raiseNoSyncOfTheirOwn() {
    engine.pause("web-1");
    engine.unpause("web-1");
    engine.stop("web-1");
    engine.start("web-1");

    assertThat(events).extracting(LifecycleEvent::name).containsExactly(
        "instance.pause.start", "instance.pause.end", "instance.unpause.start", "instance.unpause.end",
        "instance.power_off.start", "instance.power_off.end", "instance.power_on.start", "instance.power_on.end");
    assertThat(engine.get("web-1").vmState()).isEqualTo(VmState.ACTIVE);
  }
}
