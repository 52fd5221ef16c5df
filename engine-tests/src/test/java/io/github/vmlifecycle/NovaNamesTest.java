package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.fake.FakeHypervisor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Instance actions and notifications carry Nova's names (REFERENCE section 10). */
class NovaNamesTest {
  private final FakeHypervisor fake = new FakeHypervisor();
  private final List<LifecycleEvent> events = new ArrayList<>();

  @Test
  void everyOperation_usesNovasActionAndNotificationNames() {
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = LifecycleEngine.builder().driver(fake).executor(Runnable::run)
        .syncOnDriverEvents(false).listener(events::add).build()) {
      engine.get(id);
      events.clear();
      engine.stop(id, Duration.ZERO);
      engine.start(id);
      engine.reboot(id);
      engine.hardReboot(id);
      engine.lock(id);
      engine.unlock(id);
      engine.resetState(id, VmState.ACTIVE);
      assertThat(engine.actions(id)).extracting(a -> a.action().actionName()).endsWith(
          "stop", "start", "reboot", "reboot", "lock", "unlock", "resetState");
      assertThat(events).extracting(LifecycleEvent::name).containsExactly(
          "instance.power_off.start", "instance.power_off.end", "instance.power_on.start", "instance.power_on.end",
          "instance.reboot.start", "instance.reboot.end", "instance.reboot.start", "instance.reboot.end",
          "instance.lock", "instance.unlock");
    }
  }
}
