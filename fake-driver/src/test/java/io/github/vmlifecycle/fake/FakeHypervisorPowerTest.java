package io.github.vmlifecycle.fake;

import static io.github.vmlifecycle.fake.Calls.call;
import static io.github.vmlifecycle.fake.Calls.timeout;
import static io.github.vmlifecycle.fake.Calls.progress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class FakeHypervisorPowerTest {

  private final FakeHypervisor fake = new FakeHypervisor();
  private final String id = fake.createInstance("web-1");

  private PowerState power() {
    return fake.guest(id).inspect().powerState();
  }

  private static void assertInvalid(ThrowingCallable call, String reason, Operation op) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(HypervisorException.class, e -> {
          assertThat(e.code()).isEqualTo(HypervisorException.Code.OPERATION_INVALID);
          assertThat(e.operation()).contains(op);
        })
        .hasMessageContaining("Requested operation is not valid: " + reason);
  }

  @Test
  void createInstance_isRunningWithNameDerivedUuid() {
    DriverInstance vm = fake.guest("web-1").inspect();

    assertThat(vm.id()).isEqualTo(id).matches("[0-9a-f-]{36}");
    assertThat(vm.name()).isEqualTo("web-1");
    assertThat(vm.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(vm.hasSavedMemory()).isFalse();
    assertThat(vm.rescueDefinition()).isFalse();
    assertThat(new FakeHypervisor().createInstance("web-1")).isEqualTo(id);
  }

  @Test
  void createInstance_duplicateName_isRefused() {
    assertThatThrownBy(() -> fake.createInstance("web-1")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void define_withSpec_usesEveryAttribute() {
    String uuid = "0A1B2C3D-0000-4000-8000-00000000000F";
    String defined = fake.define(FakeInstanceSpec.builder().name("db").uuid(uuid)
        .powerState(PowerState.SHUTDOWN).savedMemory(true).guestMemory("saved").definition("<domain/>").build());

    assertThat(defined).isEqualTo(uuid.toLowerCase(Locale.ROOT));
    DriverInstance vm = fake.guest(defined).inspect();
    assertThat(vm.powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(vm.hasSavedMemory()).isTrue();
    assertThat(fake.definition(defined)).isEqualTo("<domain/>");
    assertThat(fake.guest(defined).memory()).isEqualTo("saved");
  }

  @Test
  void find_acceptsUuidInAnyCaseOrName() {
    assertThat(fake.find(id.toUpperCase(Locale.ROOT))).map(DriverInstance::id).contains(id);
    assertThat(fake.find("web-1")).map(DriverInstance::id).contains(id);
    assertThat(fake.find("nope")).isEmpty();
    assertThat(fake.find("00000000-0000-0000-0000-000000000000")).isEmpty();
  }

  @Test
  void list_returnsEveryInstance() {
    String other = fake.createInstance("web-2");

    assertThat(fake.list()).extracting(DriverInstance::id).containsExactlyInAnyOrder(id, other);
  }

  @Test
  void pause_running_becomesPausedAndUnpauseRunsAgain() {
    fake.pause(id, call());
    assertThat(power()).isEqualTo(PowerState.PAUSED);

    fake.unpause(id, call());
    assertThat(power()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void pause_paused_isANoOpLikeLibvirt() {
    fake.pause(id, call());
    fake.pause(id, call());

    assertThat(power()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void unpause_running_isANoOpLikeLibvirt() {
    fake.unpause(id, call());

    assertThat(power()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void pause_shutdown_isRefusedDomainNotRunning() {
    fake.stop(id, timeout(Duration.ZERO));

    assertInvalid(() -> fake.pause(id, call()), "domain is not running", Operation.PAUSE);
    assertInvalid(() -> fake.unpause(id, call()), "domain is not running", Operation.UNPAUSE);
    assertThat(power()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void pause_pmsuspended_isRefused() {
    fake.guest(id).suspendsToRam();

    assertInvalid(() -> fake.pause(id, call()), "domain is pmsuspended", Operation.PAUSE);
    assertInvalid(() -> fake.unpause(id, call()), "domain is pmsuspended", Operation.UNPAUSE);
    assertInvalid(() -> fake.suspend(id, call()), "domain is pmsuspended", Operation.SUSPEND);
  }

  @Test
  void suspend_running_isShutdownWithSavedMemoryAndResumeConsumesIt() {
    fake.suspend(id, call());
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(fake.guest(id).inspect().hasSavedMemory()).isTrue();

    fake.resume(id, call());
    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.guest(id).inspect().hasSavedMemory()).isFalse();
  }

  @Test
  void suspend_paused_savesAndRestoresRunning() {
    fake.pause(id, call());

    fake.suspend(id, call());
    fake.resume(id, call());

    assertThat(power()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void suspend_shutdown_isRefused() {
    fake.stop(id, timeout(Duration.ZERO));

    assertInvalid(() -> fake.suspend(id, call()), "domain is not running", Operation.SUSPEND);
  }

  @Test
  void resume_withoutSavedMemory_isRefused() {
    fake.stop(id, timeout(Duration.ZERO));

    assertInvalid(() -> fake.resume(id, call()), "domain has no saved memory image", Operation.RESUME);
    assertThat(power()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void resume_running_isRefusedAlreadyRunning() {
    assertInvalid(() -> fake.resume(id, call()), "domain is already running", Operation.RESUME);
  }

  @Test
  void suspendAndResume_reportProgressEndingAtTheMemorySize() {
    String small = fake.define(FakeInstanceSpec.builder().name("small").memoryBytes(1000).build());
    java.util.List<long[]> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    ProgressListener listener = (instance, processed, total) -> {
      assertThat(instance).isEqualTo(small);
      seen.add(new long[] {processed, total});
    };

    fake.suspend(small, progress(listener));

    assertThat(seen).extracting(p -> p[0]).containsExactly(250L, 500L, 750L, 1000L);
    assertThat(seen).extracting(p -> p[1]).containsOnly(1000L);
    seen.clear();
    fake.resume(small, progress(listener));
    assertThat(seen).extracting(p -> p[0]).containsExactly(250L, 500L, 750L, 1000L);
  }

  @Test
  void suspend_defaultMemorySize_reportsTotal256MiB() {
    long[] last = new long[2];
    fake.suspend(id, progress((instance, processed, total) -> {
      last[0] = processed;
      last[1] = total;
    }));

    assertThat(last).containsExactly(256L << 20, 256L << 20);
  }

  @Test
  void suspend_progressListenerThrows_isIgnored() {
    fake.suspend(id, progress((instance, processed, total) -> {
      throw new IllegalStateException("listener bug");
    }));

    assertThat(fake.guest(id).inspect().hasSavedMemory()).isTrue();
  }

  @Test
  void suspend_nullProgress_isTreatedAsNone() {
    fake.suspend(id, call());
    fake.resume(id, call());

    assertThat(power()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void stop_running_isShutdownAndStartRunsAgain() {
    fake.stop(id, timeout(Duration.ofSeconds(30)));
    assertThat(power()).isEqualTo(PowerState.SHUTDOWN);

    fake.start(id, call());
    assertThat(power()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void stop_cooperativeGuest_doesNotWaitTheTimeout() {
    var before = fake.clock().instant();

    fake.stop(id, timeout(Duration.ofMinutes(5)));

    assertThat(fake.clock().instant()).isEqualTo(before);
  }

  @Test
  void stop_guestIgnoringShutdown_waitsTheTimeoutOnTheClockThenForces() {
    fake.guest(id).setIgnoresShutdown(true);
    var before = fake.clock().instant();

    fake.stop(id, timeout(Duration.ofSeconds(60)));

    assertThat(fake.clock().instant()).isEqualTo(before.plusSeconds(60));
    assertThat(power()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void stop_pausedGuest_cannotShutDownCleanlySoTheTimeoutIsWaited() {
    fake.pause(id, call());
    var before = fake.clock().instant();

    fake.stop(id, timeout(Duration.ofSeconds(10)));

    assertThat(fake.clock().instant()).isEqualTo(before.plusSeconds(10));
    assertThat(power()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void stop_crashedGuest_isDestroyed() {
    fake.guest(id).crashes();

    fake.stop(id, timeout(Duration.ZERO));

    assertThat(power()).isEqualTo(PowerState.SHUTDOWN);
  }

  @Test
  void stop_shutdown_isANoOpAndKeepsTheSavedImage() {
    fake.suspend(id, call());

    fake.stop(id, timeout(Duration.ZERO));

    assertThat(power()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(fake.guest(id).inspect().hasSavedMemory()).isTrue();
  }

  @Test
  void start_withSavedMemory_restoresAndConsumesTheImage() {
    fake.suspend(id, call());

    fake.start(id, call());

    assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(fake.guest(id).inspect().hasSavedMemory()).isFalse();
  }

  @Test
  void start_activeGuest_isRefusedAlreadyRunning() {
    assertInvalid(() -> fake.start(id, call()), "domain is already running", Operation.START);
    fake.pause(id, call());
    assertInvalid(() -> fake.start(id, call()), "domain is already running", Operation.START);
  }

  @Test
  void hardReboot_fromEveryState_endsRunningWithoutSavedMemory() {
    Consumer<Runnable> check = setup -> {
      setup.run();
      fake.hardReboot(id, call());
      assertThat(fake.guest(id).inspect().powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(fake.guest(id).inspect().hasSavedMemory()).isFalse();
    };

    check.accept(() -> { });
    check.accept(() -> fake.pause(id, call()));
    check.accept(() -> fake.suspend(id, call()));
    check.accept(() -> fake.stop(id, timeout(Duration.ZERO)));
    check.accept(() -> fake.guest(id).crashes());
    check.accept(() -> fake.guest(id).suspendsToRam());
  }

  @Test
  void everyCall_unknownId_throwsInstanceNotFound() {
    String unknown = "00000000-0000-0000-0000-000000000001";
    for (ThrowingCallable call : new ThrowingCallable[] {
        () -> fake.pause(unknown, call()), () -> fake.unpause(unknown, call()),
        () -> fake.suspend(unknown, call()), () -> fake.resume(unknown, call()),
        () -> fake.stop(unknown, timeout(Duration.ZERO)), () -> fake.start(unknown, call()), () -> fake.hardReboot(unknown, call()),
        () -> fake.definition(unknown), () -> fake.rescue(unknown, "<domain/>", RescueRequest.defaults(), call()),
        () -> fake.unrescue(unknown, "<domain/>", call()), () -> fake.embeddedOriginalDefinition(unknown),
        () -> fake.pause(null, call())}) {
      assertThatThrownBy(call).isInstanceOf(InstanceNotFoundException.class);
    }
  }

  @Test
  void operations_takeIdsNotNames() {
    assertThatThrownBy(() -> fake.pause("web-1", call())).isInstanceOf(InstanceNotFoundException.class);
  }

  @Test
  void operations_acceptUpperCaseIds() {
    fake.pause(id.toUpperCase(Locale.ROOT), call());

    assertThat(power()).isEqualTo(PowerState.PAUSED);
  }

  @Test
  void inspectionHelpers_unknownInstance_throwInstanceNotFound() {
    assertThatThrownBy(() -> fake.guest("ghost").inspect()).isInstanceOf(InstanceNotFoundException.class);
    assertThatThrownBy(() -> fake.guest("ghost").files()).isInstanceOf(InstanceNotFoundException.class);
    assertThatThrownBy(() -> fake.guest("ghost").shutsDown()).isInstanceOf(InstanceNotFoundException.class);
  }
}
