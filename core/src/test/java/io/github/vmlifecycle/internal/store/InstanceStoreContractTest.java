package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.ActionKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueBus;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.TaskState;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.spi.InstanceStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link InstanceStore} must have. */
abstract class InstanceStoreContractTest {
  abstract InstanceStore store();

  static Instance instance(String id, long version) {
    return Instance.builder().id(id).name("name-" + id).vmState(VmState.ACTIVE).powerState(PowerState.RUNNING)
        .version(version).build();
  }

  @Test
  void insertIfAbsent_secondInsert_changesNothing() {
    InstanceStore store = store();
    assertThat(store.insertIfAbsent(instance("a", 0))).isTrue();
    Instance other = Instance.copyOf(instance("a", 0)).vmState(VmState.STOPPED).build();
    assertThat(store.insertIfAbsent(other)).isFalse();
    assertThat(store.get("a")).contains(instance("a", 0));
    assertThat(store.findByName("name-a")).contains(instance("a", 0));
    assertThat(store.list()).containsExactly(instance("a", 0));
  }

  @Test
  void compareAndSet_staleVersion_fails() {
    InstanceStore store = store();
    store.insertIfAbsent(instance("a", 0));
    Instance v1 = Instance.copyOf(instance("a", 1)).taskState(TaskState.PAUSING).build();
    assertThat(store.compareAndSet(0, v1)).isTrue();
    Instance stale = Instance.copyOf(instance("a", 1)).taskState(TaskState.SUSPENDING).build();
    assertThat(store.compareAndSet(0, stale)).isFalse();
    assertThat(store.get("a")).contains(v1);
    assertThat(store.compareAndSet(5, instance("missing", 6))).isFalse();
  }

  @Test
  void compareAndSet_versionNotNext_isRejected() {
    InstanceStore store = store();
    store.insertIfAbsent(instance("a", 0));
    assertThatThrownBy(() -> store.compareAndSet(0, instance("a", 2))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void roundTrip_everyAttribute_survives() {
    InstanceStore store = store();
    Instance full = Instance.builder().id("b").name("web \u00e9 = : # !").vmState(VmState.RESCUED)
        .taskState(TaskState.UNRESCUING).powerState(PowerState.PAUSED).locked(true).version(0)
        .requestId("req-1").taskStartedAt(Instant.parse("2026-01-02T03:04:05.123Z"))
        .originalDefinition("<domain type='kvm'>\n  <name>x</name>\n</domain>\n")
        .rescueRequest(RescueRequest.builder().image("/img/rescue.qcow2").kernel("/k").ramdisk("/r")
            .bus(RescueBus.SATA).shutdownTimeout(Duration.ofSeconds(5)).timeout(Duration.ofMinutes(90)).build())
        .rescuedAt(Instant.parse("2026-01-02T03:04:06Z")).updatedAt(Instant.parse("2026-01-02T03:04:07Z"))
        .putJournal("rescue.files", "/var/lib/x/disk.rescue\n/var/lib/x/kernel.rescue")
        .putJournal("suspend.detached", "<devices>\n  <hostdev mode='subsystem'/>\n</devices>")
        .build();
    store.insertIfAbsent(full);
    assertThat(store.get("b")).contains(full);
  }

  @Test
  void actions_appendedInOrder_areReadBack() {
    InstanceStore store = store();
    List<ActionRecord> written = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ActionRecord a = ActionRecord.builder().instanceId("a").requestId("req-" + i).action(ActionKind.PAUSE)
          .startedAt(Instant.ofEpochSecond(i)).finishedAt(Instant.ofEpochSecond(i + 1))
          .result(i % 2 == 0 ? ActionRecord.Result.SUCCEEDED : ActionRecord.Result.FAILED)
          .vmStateBefore(VmState.ACTIVE).vmStateAfter(VmState.PAUSED)
          .message(i % 2 == 0 ? Optional.empty() : Optional.of("failed & = \n odd"))
          .faultKind(i % 2 == 0 ? Optional.empty() : Optional.of(VmLifecycleException.Kind.HYPERVISOR))
          .build();
      store.appendAction(a);
      written.add(a);
    }
    assertThat(store.actions("a")).containsExactlyElementsOf(written);
    assertThat(store.actions("nobody")).isEmpty();
  }

  @Test
  void compareAndSet_racingThreads_exactlyOneWins() throws Exception {
    InstanceStore store = store();
    store.insertIfAbsent(instance("a", 0));
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Boolean>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      TaskState task = TaskState.values()[t];
      results.add(pool.submit(() -> {
        start.await();
        return store.compareAndSet(0, Instance.copyOf(instance("a", 1)).taskState(task).build());
      }));
    }
    start.countDown();
    int wins = 0;
    for (Future<Boolean> f : results) {
      wins += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
    }
    pool.shutdownNow();
    assertThat(wins).isEqualTo(1);
    assertThat(store.get("a").orElseThrow().version()).isEqualTo(1);
  }
}
