package io.github.vmlifecycle.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.StoreException;
import io.github.vmlifecycle.VmState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file system that fills up in the middle of operations: a 512 KiB tmpfs mounted for the test (root
 * only; under {@code CI=true} the test fails when it cannot mount one). A write that runs out of space
 * leaves a torn line with a plain append; the store's log stays line-whole and its next append, once
 * space is back, lands on a line of its own.
 */
class FullDiskTest {
  @TempDir Path tmp;
  private Path mount;
  private boolean mounted;

  @BeforeEach
  void mountSmallFileSystem() throws Exception {
    RootOnly.require("mounting a tmpfs");
    mount = Files.createDirectory(tmp.resolve("small"));
    Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=512k,mode=0700", "tmpfs", mount.toString())
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0).as("mount tmpfs: %s", output).isTrue();
    mounted = true;
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static ActionRecord action(int n, int messageBytes) {
    return ActionRecord.builder().instanceId("a").requestId("req-" + n).action(ActionKind.LOCK)
        .startedAt(Instant.EPOCH.plusSeconds(n)).finishedAt(Instant.EPOCH.plusSeconds(n))
        .result(ActionRecord.Result.SUCCEEDED).vmStateBefore(VmState.ACTIVE).vmStateAfter(VmState.ACTIVE)
        .message("x".repeat(messageBytes)).build();
  }

  private Path fill() throws IOException {
    Path filler = mount.resolve("filler");
    try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer block = ByteBuffer.allocate(4096);
      while (true) {
        ch.write(block.clear());
      }
    } catch (IOException full) {
      return filler;
    }
  }

  @Test
  void appendOnAFullDisk_leavesTheLogWholeAndTheNextAppendOnItsOwnLine() throws Exception {
    // The attack, first: on this file system, a plain append that runs out of space tears its line.
    Path plain = Files.writeString(mount.resolve("plain.log"), "line 1\n");
    Path filler = fill();
    byte[] big = ("line 2 " + "y".repeat(64 * 1024) + "\n").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> Files.write(plain, big, StandardOpenOption.APPEND)).isInstanceOf(IOException.class);
    String torn = Files.readString(plain);
    assertThat(torn).startsWith("line 1\nline 2 y").doesNotEndWith("\n");
    Files.delete(plain);
    Files.delete(filler);

    // The defence: the store, in the middle of operations, on the same file system.
    Path dir = mount.resolve("state");
    FileInstanceStore store = new FileInstanceStore(dir);
    store.insertIfAbsent(Instance.builder().id("a").name("a").vmState(VmState.ACTIVE)
        .powerState(PowerState.RUNNING).build());
    store.appendAction(action(1, 10));
    filler = fill();

    assertThatThrownBy(() -> store.appendAction(action(2, 64 * 1024))).isInstanceOf(StoreException.class)
        .hasMessageContaining("a.actions");
    Instance a = store.get("a").orElseThrow();
    assertThatThrownBy(() -> store.compareAndSet(0, Instance.copyOf(a).version(1).locked(true).build()))
        .isInstanceOf(StoreException.class);
    assertThat(store.actions("a")).extracting(ActionRecord::requestId).containsExactly("req-1");
    assertThat(store.get("a")).contains(a);

    Files.delete(filler);
    store.appendAction(action(3, 10));
    assertThat(store.compareAndSet(0, Instance.copyOf(a).version(1).locked(true).build())).isTrue();

    assertThat(store.actions("a")).extracting(ActionRecord::requestId).containsExactly("req-1", "req-3");
    assertThat(Files.readString(dir.resolve("a.actions")).lines().collect(Collectors.toList()))
        .hasSize(2).allSatisfy(line -> assertThat(line).startsWith("instanceId=a&"));
    try (var files = Files.list(dir)) {
      assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.contains(".tmp-"));
    }
  }
}
