package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.ActionKind;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.StoreException;
import io.github.vmlifecycle.TaskState;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.spi.InstanceStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the file store does: durability across reopen, private files, atomic writes, corrupt files
 * reported. The behaviour every store shares is {@code InstanceStoreContract}'s, run against this store in
 * the vmlifecycle-testing module.
 */
class FileInstanceStoreTest {
  @TempDir Path dir;

  private InstanceStore store() {
    return new FileInstanceStore(dir);
  }

  private static Instance instance(String id, long version) {
    return Instance.builder().id(id).name("name-" + id).vmState(VmState.ACTIVE).powerState(PowerState.RUNNING)
        .version(version).build();
  }

  @Test
  void reopen_seesWhatWasWritten() {
    store().insertIfAbsent(instance("a", 0));
    assertThat(new FileInstanceStore(dir).get("a")).contains(instance("a", 0));
  }

  @Test
  void files_areCreatedPrivate() throws Exception {
    InstanceStore store = store();
    store.insertIfAbsent(instance("a", 0));
    store.appendAction(action("a"));
    for (String name : new String[] {"a.instance", "a.actions", "a.lock"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))))
          .as(name).isEqualTo("rw-------");
    }
  }

  @Test
  void write_leavesNoTemporaryFiles() throws Exception {
    InstanceStore store = store();
    store.insertIfAbsent(instance("a", 0));
    for (int v = 0; v < 5; v++) {
      store.compareAndSet(v, instance("a", v + 1));
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a.instance", "a.lock");
    }
  }

  @Test
  void twoStoresOnOneDirectoryInOneJvm_compareAndSetWaitsInsteadOfFailing() throws Exception {
    // Two engines (or an engine and a tool) of one process on the same state directory: their OS file
    // locks belong to the same JVM, where an overlapping lock throws instead of waiting.
    InstanceStore first = new FileInstanceStore(dir);
    InstanceStore second = new FileInstanceStore(dir);
    first.insertIfAbsent(instance("a", 0));
    int rounds = 300;
    java.util.concurrent.atomic.AtomicInteger won = new java.util.concurrent.atomic.AtomicInteger();
    java.util.List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.List<Thread> threads = new java.util.ArrayList<>();
    for (InstanceStore store : new InstanceStore[] {first, second}) {
      threads.add(new Thread(() -> {
        try {
          for (int i = 0; i < rounds; i++) {
            long v = store.get("a").orElseThrow().version();
            if (store.compareAndSet(v, instance("a", v + 1))) {
              won.incrementAndGet();
            }
          }
        } catch (Throwable t) {
          failures.add(t);
        }
      }));
    }
    threads.forEach(Thread::start);
    for (Thread t : threads) {
      t.join(60_000);
    }
    assertThat(failures).isEmpty();
    assertThat(second.get("a").orElseThrow().version()).isEqualTo(won.get());
  }

  @Test
  void get_corruptFile_isAClearErrorNamingTheFile() throws Exception {
    Files.writeString(dir.resolve("bad.instance"), "format=vmlifecycle-instance/1\nid=bad\nname=x\nvmState=SLEEPY\n");
    InstanceStore store = store();
    assertThatThrownBy(() -> store.get("bad"))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.file()).contains(dir.resolve("bad.instance")))
        .hasMessageContaining("bad.instance").hasMessageContaining("corrupt").hasMessageContaining("vmState");
    assertThat(store.list()).isEmpty();
    assertThat(store.unreadableRecords()).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CORRUPT))
        .satisfies(e -> assertThat(e.getMessage()).contains("bad.instance"));
  }

  @Test
  void get_garbageAndNonUtf8_areClearErrors() throws Exception {
    Files.write(dir.resolve("g.instance"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
    assertThatThrownBy(() -> store().get("g")).isInstanceOf(StoreException.class).hasMessageContaining("g.instance");
    Files.writeString(dir.resolve("h.instance"), "just some text", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> store().get("h")).isInstanceOf(StoreException.class).hasMessageContaining("format");
  }

  @Test
  void get_fileHoldingAnotherInstance_isCorrupt() throws Exception {
    InstanceStore store = store();
    store.insertIfAbsent(instance("a", 0));
    Files.copy(dir.resolve("a.instance"), dir.resolve("b.instance"));
    assertThatThrownBy(() -> store.get("b")).isInstanceOf(StoreException.class).hasMessageContaining("b.instance");
  }

  @Test
  void actions_tornLastLine_isIgnoredButCorruptLineIsAnError() throws Exception {
    InstanceStore store = store();
    store.appendAction(action("a"));
    Files.writeString(dir.resolve("a.actions"), "instanceId=a&requestId=torn", java.nio.file.StandardOpenOption.APPEND);
    assertThat(store.actions("a")).hasSize(1);
    Files.writeString(dir.resolve("a.actions"), "\n", java.nio.file.StandardOpenOption.APPEND);
    assertThatThrownBy(() -> store.actions("a")).isInstanceOf(StoreException.class)
        .hasMessageContaining("a.actions").hasMessageContaining("corrupt at byte");
  }

  @Test
  void get_rescuedRecordWrittenWithoutATimeout_loadsWithoutOne() throws Exception {
    Files.writeString(dir.resolve("old.instance"), String.join("\n", "format=vmlifecycle-instance/1", "id=old",
        "name=old", "vmState=RESCUED", "powerState=RUNNING", "locked=false", "version=3",
        "originalDefinition=<domain/>", "rescuedAt=2026-01-01T00\\:00\\:00Z", "rescue.present=true",
        "rescue.image=/img/rescue.qcow2", "rescue.stable=false", ""));
    Instance old = store().get("old").orElseThrow();
    assertThat(old.rescueRequest()).hasValueSatisfying(r -> {
      assertThat(r.image()).contains("/img/rescue.qcow2");
      assertThat(r.timeout()).isEmpty();
    });
    assertThat(old.rescueDeadline()).isEmpty();
  }

  @Test
  void get_rescueTimeoutNotPositive_isACorruptRecordNamingTheFile() throws Exception {
    Files.writeString(dir.resolve("t.instance"), String.join("\n", "format=vmlifecycle-instance/1", "id=t",
        "name=t", "vmState=ACTIVE", "powerState=RUNNING", "locked=false", "version=0", "rescue.present=true",
        "rescue.stable=false", "rescue.timeout=PT0S", ""));
    assertThatThrownBy(() -> store().get("t")).isInstanceOf(StoreException.class)
        .hasMessageContaining("t.instance").hasMessageContaining("rescue timeout must be positive");
    Files.writeString(dir.resolve("t.instance"), Files.readString(dir.resolve("t.instance")).replace("PT0S", "soon"));
    assertThatThrownBy(() -> store().get("t")).isInstanceOf(StoreException.class).hasMessageContaining("rescue.timeout");
  }

  @Test
  void ids_withPathCharacters_areRefused() {
    InstanceStore store = store();
    assertThatThrownBy(() -> store.get("../etc/passwd")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> store.get("a/b")).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void open_onAFile_isAClearError() throws Exception {
    Path file = Files.writeString(dir.resolve("plain"), "x");
    assertThatThrownBy(() -> new FileInstanceStore(file)).isInstanceOf(StoreException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void changeFromIdle_whenTheActionLogCannotBeAppended_isRefusedAndWritesNothing() throws Exception {
    InstanceStore store = store();
    store.insertIfAbsent(instance("a", 0));
    byte[] record = Files.readAllBytes(dir.resolve("a.instance"));
    Files.createDirectory(dir.resolve("a.actions"));
    Files.createDirectory(dir.resolve("b.actions"));

    assertThatThrownBy(() -> store.compareAndSet(0, instance("a", 1)))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.file()).contains(dir.resolve("a.actions")))
        .hasMessageContaining("a.actions");
    assertThatThrownBy(() -> store.insertIfAbsent(instance("b", 0)))
        .isInstanceOf(StoreException.class).hasMessageContaining("b.actions");

    assertThat(Files.readAllBytes(dir.resolve("a.instance"))).isEqualTo(record);
    assertThat(dir.resolve("b.instance")).doesNotExist();
  }

  @Test
  void finishingATask_whenTheActionLogCannotBeAppended_stillLands() throws Exception {
    InstanceStore store = store();
    Instance busy = Instance.copyOf(instance("a", 0)).taskState(TaskState.PAUSING).build();
    store.insertIfAbsent(busy);
    Files.createDirectory(dir.resolve("a.actions"));

    assertThat(store.compareAndSet(0, instance("a", 1))).isTrue();
    assertThat(store.get("a")).contains(instance("a", 1));
  }

  private static ActionRecord action(String id) {
    return ActionRecord.builder().instanceId(id).requestId("r").action(ActionKind.LOCK).startedAt(Instant.EPOCH)
        .finishedAt(Instant.EPOCH).result(ActionRecord.Result.SUCCEEDED).vmStateBefore(VmState.ACTIVE)
        .vmStateAfter(VmState.ACTIVE).build();
  }
}
