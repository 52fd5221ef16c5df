package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.InstanceStore;
import io.github.vmlifecycle.spi.StepObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The drivers' write-ahead notes kept in the durable store: what a rescue creates is recorded before it
 * is created, and recovery (or the failure path) undoes what a dead or failed call left behind.
 */
class WriteAheadJournalTest {
  private static final String IMAGE = "/images/rescue.qcow2";
  private static final String FILES = "rescue.files";

  @TempDir Path dir;
  private final FakeClock clock = new FakeClock();
  private final FakeHypervisor fake = new FakeHypervisor(clock);

  private InstanceStore store() {
    return InstanceStores.directory(dir);
  }

  private LifecycleEngine engine() {
    return engine(StepObserver.NONE);
  }

  private LifecycleEngine engine(StepObserver steps) {
    return LifecycleEngine.builder().driver(fake).store(store()).clock(clock).executor(Runnable::run)
        .syncOnDriverEvents(false).stepObserver(steps).build();
  }

  /** Stands for the death of the managing process: an Error, which no failure handling catches. */
  private static final class ProcessDeath extends Error {
    private static final long serialVersionUID = 1L;

    ProcessDeath(String step) {
      super("the managing process died at " + step, null, false, false);
    }
  }

  /** An observer that kills the process when the fake reports {@code step}. */
  private static StepObserver dieAt(String step) {
    return (instance, reached) -> {
      if (reached.equals(step)) {
        throw new ProcessDeath(step);
      }
    };
  }

  private static RescueRequest request() {
    return RescueRequest.builder().image(IMAGE).shutdownTimeout(Duration.ZERO).build();
  }

  @Test
  void rescue_recordsItsFilesInTheStoreAndUnrescueRemovesThem() {
    fake.addImage(IMAGE);
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = engine()) {
      engine.rescue(id, request());
      assertThat(store().get(id).orElseThrow().journal()).containsExactly(Map.entry(FILES, "disk.rescue"));
      engine.unrescue(id);
      assertThat(store().get(id).orElseThrow().journal()).isEmpty();
      assertThat(fake.guest(id).files()).containsExactly("disk");
    }
  }

  @Test
  void rescue_diesAfterCreatingItsFiles_theStoreAlreadyListsThemAndRecoveryDeletesThem() {
    fake.addImage(IMAGE);
    String id = fake.createInstance("web-1");
    try (LifecycleEngine first = engine(dieAt("rescue.files-created"))) {
      first.get(id);
      assertThatThrownBy(() -> first.rescue(id, request())).isInstanceOf(ProcessDeath.class);
    }
    Instance stuck = store().get(id).orElseThrow();
    assertThat(stuck.taskState()).contains(TaskState.RESCUING);
    assertThat(stuck.journal()).containsEntry(FILES, "disk.rescue");
    assertThat(fake.guest(id).files()).contains("disk.rescue");

    try (LifecycleEngine restarted = engine()) {
      List<ActionRecord> done = restarted.recover();
      assertThat(done).singleElement().extracting(ActionRecord::result).isEqualTo(ActionRecord.Result.SUCCEEDED);
      Instance after = restarted.get(id);
      assertThat(after.taskState()).isEmpty();
      assertThat(after.vmState()).isEqualTo(VmState.STOPPED);
      assertThat(after.journal()).isEmpty();
      assertThat(fake.guest(id).files()).containsExactly("disk");
    }
  }

  @Test
  void unrescue_diesBeforeDeletingItsFiles_recoveryDeletesThem() {
    fake.addImage(IMAGE);
    String id = fake.createInstance("web-1");
    try (LifecycleEngine first = engine(dieAt("unrescue.started"))) {
      first.rescue(id, request());
      assertThatThrownBy(() -> first.unrescue(id)).isInstanceOf(ProcessDeath.class);
    }
    try (LifecycleEngine restarted = engine()) {
      restarted.recover();
      Instance after = restarted.get(id);
      assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
      assertThat(after.originalDefinition()).isEmpty();
      assertThat(after.journal()).isEmpty();
      assertThat(fake.guest(id).files()).containsExactly("disk");
    }
  }

  @Test
  void rescue_failsAfterCreatingItsFiles_theFailurePathDeletesThem() {
    fake.addImage(IMAGE);
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = engine()) {
      fake.onCall(FakeCall.RESCUE).failMidway(2);
      assertThatThrownBy(() -> engine.rescue(id, request())).isInstanceOf(HypervisorException.class);
      Instance after = engine.get(id);
      assertThat(after.vmState()).isEqualTo(VmState.STOPPED);
      assertThat(after.journal()).isEmpty();
      assertThat(fake.guest(id).files()).containsExactly("disk");
      assertThat(fake.calls().stream().map(c -> c.call())).contains(FakeCall.REPAIR);
    }
  }

  @Test
  void recover_rescueFailedWhileTheHypervisorCouldNotRepair_deletesTheFilesLater() {
    fake.addImage(IMAGE);
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = engine()) {
      fake.onCall(FakeCall.RESCUE).failMidway(2);
      fake.onCall(FakeCall.REPAIR).failBefore();
      assertThatThrownBy(() -> engine.rescue(id, request())).isInstanceOf(HypervisorException.class);
      assertThat(engine.get(id).journal()).containsKey(FILES);
      assertThat(fake.guest(id).files()).contains("disk.rescue");

      List<ActionRecord> done = engine.recover();
      assertThat(done).singleElement().satisfies(a -> {
        assertThat(a.action()).isEqualTo(ActionKind.RECOVER);
        assertThat(a.result()).isEqualTo(ActionRecord.Result.SUCCEEDED);
      });
      assertThat(engine.get(id).journal()).isEmpty();
      assertThat(fake.guest(id).files()).containsExactly("disk");
      assertThat(engine.recover()).as("nothing left to do").isEmpty();
    }
  }

  @Test
  void recover_rescuedInstance_keepsItsFilesAndNotes() {
    fake.addImage(IMAGE);
    String id = fake.createInstance("web-1");
    try (LifecycleEngine engine = engine()) {
      engine.rescue(id, request());
      assertThat(engine.recover()).isEmpty();
      assertThat(engine.get(id).journal()).containsKey(FILES);
      assertThat(fake.guest(id).files()).contains("disk.rescue");
    }
  }

  static Stream<Arguments> deathPoints() {
    return Stream.of(FakeCall.values()).filter(c -> c.operation().isPresent())
        .flatMap(c -> c.steps().stream().map(step -> Arguments.of(c, step)));
  }

  @ParameterizedTest(name = "{0} dies at step {1}")
  @MethodSource("deathPoints")
  void recover_afterDyingInsideAHypervisorCall_leavesAConsistentInstanceAndNoLitter(FakeCall call, String step) {
    fake.addImage(IMAGE);
    String id = fake.createInstance("web-1");
    String original = fake.definition(id);
    Operation op = call.operation().orElseThrow();
    try (LifecycleEngine first = engine(dieAt(step))) {
      first.get(id);
      if (op == Operation.UNRESCUE) {
        first.rescue(id, request());
      } else if (op == Operation.RESUME) {
        first.suspend(id);
      }
      assertThatThrownBy(() -> first.execute(id, op, OperationOptions.builder().shutdownTimeout(Duration.ZERO)
          .rescueRequest(request()).build())).isInstanceOf(ProcessDeath.class);
    }
    try (LifecycleEngine restarted = engine()) {
      assertThat(restarted.recover()).singleElement().extracting(ActionRecord::action).isEqualTo(ActionKind.RECOVER);
      Instance after = restarted.get(id);
      assertThat(after.taskState()).isEmpty();
      assertThat(after.vmState()).isEqualTo(TruthOf.fake(fake, id));
      if (fake.guest(id).inspect().rescueDefinition()) {
        assertThat(after.originalDefinition()).contains(original);
        assertThat(after.journal()).containsKey(FILES);
      } else {
        assertThat(fake.definition(id)).isEqualTo(original);
        assertThat(after.journal()).isEmpty();
        assertThat(fake.guest(id).files()).containsExactly("disk");
      }
      assertThat(restarted.recover()).as("a second recovery has nothing to do").isEmpty();
    }
  }
}
