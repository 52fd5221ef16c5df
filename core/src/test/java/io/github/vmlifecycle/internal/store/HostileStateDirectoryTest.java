package io.github.vmlifecycle.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.StoreException;
import io.github.vmlifecycle.StoreException.Reason;
import io.github.vmlifecycle.VmState;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A state directory prepared by an attacker: each test first lays the trap (an unsafe directory, a
 * symbolic link, a FIFO, a huge or corrupt record, a left-over temporary file, a name too long for a
 * file name), then shows that the store refuses it with a typed error, or carries on safely.
 */
class HostileStateDirectoryTest {
  @TempDir Path tmp;

  private static Instance instance(String id) {
    return Instance.builder().id(id).name(id).vmState(VmState.ACTIVE).powerState(PowerState.RUNNING).build();
  }

  private static ActionRecord action(String id) {
    return ActionRecord.builder().instanceId(id).requestId("r").action(ActionKind.LOCK).startedAt(Instant.EPOCH)
        .finishedAt(Instant.EPOCH).result(ActionRecord.Result.SUCCEEDED).vmStateBefore(VmState.ACTIVE)
        .vmStateAfter(VmState.ACTIVE).build();
  }

  @Test
  void open_groupOrOtherWritableDirectory_isRefusedNamingThePathAndTheFix() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("state"));
    for (String mode : new String[] {"rwxrwx---", "rwx---rwx", "rwxrwxrwx"}) {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
      assertThatThrownBy(() -> new FileInstanceStore(dir)).as(mode)
          .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSAFE_DIRECTORY))
          .hasMessageContaining(dir.toString()).hasMessageContaining("chmod go-w");
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
    new FileInstanceStore(dir).insertIfAbsent(instance("a"));
  }

  @Test
  void open_directoryOfAnotherUser_isRefused() throws Exception {
    RootOnly.require("changing a directory's owner");
    Path dir = Files.createDirectory(tmp.resolve("state"));
    Files.setAttribute(dir, "unix:uid", 65534);
    assertThatThrownBy(() -> new FileInstanceStore(dir))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNSAFE_DIRECTORY))
        .hasMessageContaining(dir.toString()).hasMessageContaining("chown root");
  }

  @Test
  void open_createsEveryMissingLevelPrivate() throws Exception {
    Path dir = tmp.resolve("a/b/state");
    new FileInstanceStore(dir);
    for (Path level : new Path[] {tmp.resolve("a"), tmp.resolve("a/b"), dir}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(level))).as(level.toString())
          .isEqualTo("rwx------");
    }
  }

  @Test
  void symlinkedActionLogAndLockFile_areNotFollowed() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("state"));
    Path victim = Files.writeString(tmp.resolve("victim"), "precious\n");
    FileInstanceStore store = new FileInstanceStore(dir);
    store.insertIfAbsent(instance("a"));
    Files.createSymbolicLink(dir.resolve("a.actions"), victim);
    Files.createSymbolicLink(dir.resolve("b.lock"), tmp.resolve("created-by-root"));

    assertThatThrownBy(() -> store.appendAction(action("a")))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_REGULAR_FILE))
        .hasMessageContaining("a.actions").hasMessageContaining("symbolic link");
    assertThatThrownBy(() -> store.insertIfAbsent(instance("b")))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_REGULAR_FILE));
    assertThat(Files.readString(victim)).isEqualTo("precious\n");
    assertThat(tmp.resolve("created-by-root")).doesNotExist();
  }

  @Test
  void symlinkedInstanceRecord_isNotRead() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("state"));
    FileInstanceStore store = new FileInstanceStore(dir);
    store.insertIfAbsent(instance("a"));
    Path elsewhere = Files.move(dir.resolve("a.instance"), tmp.resolve("elsewhere.instance"));
    Files.createSymbolicLink(dir.resolve("a.instance"), elsewhere);

    assertThatThrownBy(() -> store.get("a"))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_REGULAR_FILE));
  }

  @Test
  void fifoInPlaceOfARecord_doesNotHangList() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("state"));
    FileInstanceStore store = new FileInstanceStore(dir);
    store.insertIfAbsent(instance("good"));
    Process mkfifo = new ProcessBuilder("mkfifo", dir.resolve("trap.instance").toString()).start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.isRegularFile(dir.resolve("trap.instance"), LinkOption.NOFOLLOW_LINKS)).isFalse();

    var listed = CompletableFuture.supplyAsync(store::list).get(10, TimeUnit.SECONDS);
    assertThat(listed).extracting(Instance::id).containsExactly("good");
    assertThat(store.unreadableRecords()).singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.NOT_A_REGULAR_FILE))
        .satisfies(e -> assertThat(e.getMessage()).contains("trap.instance"));
  }

  @Test
  void hugeRecord_isRefusedWithoutReadingItWhole() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("state"));
    FileInstanceStore store = new FileInstanceStore(dir);
    try (var ch = java.nio.channels.FileChannel.open(dir.resolve("big.instance"),
        java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(0);
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {'#'}), FileInstanceStore.MAX_RECORD_BYTES);
    }
    assertThatThrownBy(() -> store.get("big"))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
        .hasMessageContaining("big.instance");
  }

  @Test
  void corruptRecord_isNamedAndTheOthersAreStillListed() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("state"));
    FileInstanceStore store = new FileInstanceStore(dir);
    store.insertIfAbsent(instance("a"));
    store.insertIfAbsent(instance("c"));
    Files.writeString(dir.resolve("b.instance"), "format=vmlifecycle-instance/1\nid=b\n");

    assertThat(store.list()).extracting(Instance::id).containsExactlyInAnyOrder("a", "c");
    assertThat(store.unreadableRecords()).singleElement()
        .satisfies(e -> assertThat(e.file()).contains(dir.resolve("b.instance")))
        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.CORRUPT));
  }

  @Test
  void leftOverTemporaryFiles_areRemovedAtStartUp() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("state"));
    new FileInstanceStore(dir).insertIfAbsent(instance("a"));
    Path torn = Files.writeString(dir.resolve("a.instance.tmp-0f8fad5b-d9cb-469f-a165-70867728950e"), "half");
    Path victim = Files.writeString(tmp.resolve("victim"), "keep");
    Path link = Files.createSymbolicLink(dir.resolve("b.instance.tmp-link"), victim);

    FileInstanceStore store = new FileInstanceStore(dir);

    assertThat(torn).doesNotExist();
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readString(victim)).isEqualTo("keep");
    assertThat(store.get("a")).isPresent();
  }

  @Test
  void nameTooLongForAFileName_isStoredUnderAHashedName() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("state"));
    FileInstanceStore store = new FileInstanceStore(dir);
    String longName = "é".repeat(200);

    assertThat(store.insertIfAbsent(instance(longName))).isTrue();
    store.appendAction(action(longName));

    assertThat(store.get(longName)).contains(instance(longName));
    assertThat(store.actions(longName)).hasSize(1);
    assertThat(new FileInstanceStore(dir).list()).extracting(Instance::id).containsExactly(longName);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .allSatisfy(n -> assertThat(n).startsWith(StoreFiles.HASHED_PREFIX));
    }
  }
}
