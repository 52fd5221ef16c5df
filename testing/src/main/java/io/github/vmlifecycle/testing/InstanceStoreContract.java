package io.github.vmlifecycle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.ActionKind;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link InstanceStore} must have, as a JUnit 5 test to extend: compare-and-set of
 * which exactly one of racing writers wins, the version rules, insert-if-absent, the action log's order,
 * and every attribute of a record (its journal included) surviving a round trip.
 *
 * <pre>{@code
 * class MyStoreContractTest extends InstanceStoreContract {
 *   protected InstanceStore store() { return new MyStore(); }
 * }
 * }</pre>
 *
 * <p>JUnit creates one instance of the subclass per test; a test is not thread-safe, though it drives the
 * store from several threads.
 */
public abstract class InstanceStoreContract {

  /** Creates the contract; for subclasses. */
  protected InstanceStoreContract() {}

  /**
   * Returns a new, empty store to test. Called once per test.
   *
   * @return the store
   */
  protected abstract InstanceStore store();

  /**
   * Returns an ACTIVE, RUNNING instance named {@code name-<id>}.
   *
   * @param id the id
   * @param version the version
   * @return the instance
   */
  protected static Instance instance(String id, long version) {
    return Instance.builder().id(id).name("name-" + id).vmState(VmState.ACTIVE).powerState(PowerState.RUNNING)
        .version(version).build();
  }

  /** A second insert of the same id returns false and changes nothing; get, findByName and list see the first. */
  @Test
  public void insertIfAbsent_secondInsert_changesNothing() {
    InstanceStore store = store();
    assertThat(store.insertIfAbsent(instance("a", 0))).isTrue();
    Instance other = Instance.copyOf(instance("a", 0)).vmState(VmState.STOPPED).build();
    assertThat(store.insertIfAbsent(other)).isFalse();
    assertThat(store.get("a")).contains(instance("a", 0));
    assertThat(store.findByName("name-a")).contains(instance("a", 0));
    assertThat(store.list()).containsExactly(instance("a", 0));
  }

  /** A compare-and-set with a stale version, or for a missing instance, returns false and changes nothing. */
  @Test
  public void compareAndSet_staleVersion_fails() {
    InstanceStore store = store();
    store.insertIfAbsent(instance("a", 0));
    Instance v1 = Instance.copyOf(instance("a", 1)).taskState(TaskState.PAUSING).build();
    assertThat(store.compareAndSet(0, v1)).isTrue();
    Instance stale = Instance.copyOf(instance("a", 1)).taskState(TaskState.SUSPENDING).build();
    assertThat(store.compareAndSet(0, stale)).isFalse();
    assertThat(store.get("a")).contains(v1);
    assertThat(store.compareAndSet(5, instance("missing", 6))).isFalse();
  }

  /** A compare-and-set whose new version is not the expected version plus one is refused. */
  @Test
  public void compareAndSet_versionNotNext_isRejected() {
    InstanceStore store = store();
    store.insertIfAbsent(instance("a", 0));
    assertThatThrownBy(() -> store.compareAndSet(0, instance("a", 2))).isInstanceOf(IllegalArgumentException.class);
  }

  /** Every attribute of a record, its journal notes included, reads back equal. */
  @Test
  public void roundTrip_everyAttribute_survives() {
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

  /** The action log reads back in append order, every attribute equal; an unknown instance has none. */
  @Test
  public void actions_appendedInOrder_areReadBack() {
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

  /** Journal notes added, replaced and removed by compare-and-set read back exactly. */
  @Test
  public void compareAndSet_journalChanges_areReadBack() {
    InstanceStore store = store();
    store.insertIfAbsent(instance("a", 0));
    Instance noted = Instance.copyOf(instance("a", 1)).putJournal("rescue.files", "/x/disk.rescue")
        .putJournal("suspend.detached", "<hostdev/>").build();
    assertThat(store.compareAndSet(0, noted)).isTrue();
    assertThat(store.get("a").orElseThrow().journal()).isEqualTo(noted.journal());
    Instance fewer = Instance.copyOf(instance("a", 2)).putJournal("rescue.files", "/x/disk.rescue\n/x/kernel.rescue")
        .build();
    assertThat(store.compareAndSet(1, fewer)).isTrue();
    assertThat(store.get("a").orElseThrow().journal())
        .containsExactly(Map.entry("rescue.files", "/x/disk.rescue\n/x/kernel.rescue"));
    assertThat(store.compareAndSet(2, instance("a", 3))).isTrue();
    assertThat(store.get("a").orElseThrow().journal()).isEmpty();
  }

  /**
   * Of eight writers released at once with the same expected version, exactly one wins.
   *
   * @throws Exception if a writer fails
   */
  @Test
  public void compareAndSet_racingThreads_exactlyOneWins() throws Exception {
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
