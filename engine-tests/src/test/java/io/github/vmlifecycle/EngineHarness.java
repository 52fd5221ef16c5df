package io.github.vmlifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.InstanceStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The system under test of the model test: an engine over the fake with a few instances. */
final class EngineHarness {
  static final String IMAGE = "/images/rescue.qcow2";

  final FakeClock clock = new FakeClock();
  final FakeHypervisor fake = new FakeHypervisor(clock);
  final InstanceStore store = InstanceStores.inMemory();
  final List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());
  final CrashPoint.Armed crash = new CrashPoint.Armed();
  final List<String> ids = new ArrayList<>();
  final List<String> initialDefinitions = new ArrayList<>();
  LifecycleEngine engine;
  String outcome = "start";

  EngineHarness(int instances) {
    fake.addImage(IMAGE);
    for (int i = 0; i < instances; i++) {
      String id = fake.createInstance("vm-" + i);
      ids.add(id);
      initialDefinitions.add(fake.definition(id));
    }
    restartEngine();
    ids.forEach(engine::get);
  }

  /** Replaces the engine by a new one on the same store and hypervisor, as a restarted process would. */
  void restartEngine() {
    if (engine != null) {
      engine.close();
    }
    engine = LifecycleEngine.builder().driver(fake).store(store).clock(clock).syncOnDriverEvents(false)
        .executor(Runnable::run).listener(events::add).stepObserver(crash).build();
  }

  /** What the store and hypervisor say now, after checking the invariants that hold after every step. */
  LifecycleModel snapshot() {
    List<LifecycleModel.Vm> vms = new ArrayList<>();
    for (int k = 0; k < ids.size(); k++) {
      String id = ids.get(k);
      Instance i = store.get(id).orElseThrow();
      DriverInstance d = fake.guest(id).inspect();
      assertThat(i.taskState()).as("task_state of vm-%d after %s", k, outcome).isEmpty();
      i.originalDefinition().ifPresent(o -> assertThat(o).as("stored original of vm-" + ids.indexOf(id))
          .isEqualTo(initialDefinitions.get(ids.indexOf(id))));
      if (d.rescueDefinition()) {
        assertThat(fake.embeddedOriginalDefinition(id)).as("embedded original of vm-%d", k)
            .contains(initialDefinitions.get(k));
      }
      vms.add(new LifecycleModel.Vm(i.vmState(), i.locked(), d.powerState(), d.hasSavedMemory(),
          d.rescueDefinition(), i.originalDefinition().isPresent()));
    }
    return new LifecycleModel(vms, outcome);
  }

  static String outcomeOf(RuntimeException e) {
    return e.getClass().getSimpleName();
  }
}
