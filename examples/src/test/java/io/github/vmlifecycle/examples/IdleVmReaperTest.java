package io.github.vmlifecycle.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A user's unit test written against the fake hypervisor: script outcomes, inject failures, assert calls. */
class IdleVmReaperTest {
  private final FakeHypervisor hypervisor = new FakeHypervisor(new FakeClock());
  private LifecycleEngine engine;

  @BeforeEach
  void setUp() {
    hypervisor.createInstance("idle-1");
    hypervisor.createInstance("idle-2");
    hypervisor.createInstance("busy-web");
    engine = LifecycleEngine.builder().driver(hypervisor).syncOnDriverEvents(false).build();
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  @Test
  void reap_suspendsOnlyIdleInstances() {
    IdleVmReaper.Report report = new IdleVmReaper(engine).reap(Set.of("idle-1", "idle-2"));

    assertThat(report.suspended()).containsExactlyInAnyOrder("idle-1", "idle-2");
    assertThat(engine.get("busy-web").vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(hypervisor.guest("idle-1").inspect().hasSavedMemory()).isTrue();
    hypervisor.assertCalled(FakeCall.SUSPEND, "idle-1");
    assertThat(hypervisor.calls(FakeCall.SUSPEND)).hasSize(2);
  }

  @Test
  void reap_skipsLockedInstancesWithoutCallingTheHypervisor() {
    engine.lock("idle-1");

    IdleVmReaper.Report report = new IdleVmReaper(engine).reap(Set.of("idle-1"));

    assertThat(report.skipped()).containsExactly("idle-1");
    hypervisor.assertNotCalled(FakeCall.SUSPEND);
  }

  @Test
  void reap_reportsAHypervisorFailureAndLeavesTheInstanceInItsTrueState() {
    hypervisor.onCall(FakeCall.SUSPEND).forInstance("idle-2").withMessage("disk full").failBefore();

    IdleVmReaper.Report report = new IdleVmReaper(engine).reap(Set.of("idle-1", "idle-2"));

    assertThat(report.suspended()).containsExactly("idle-1");
    assertThat(report.failed()).singleElement().asString().contains("idle-2").contains("disk full");
    assertThat(engine.get("idle-2").vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(engine.get("idle-2").taskState()).isEmpty();
  }
}
