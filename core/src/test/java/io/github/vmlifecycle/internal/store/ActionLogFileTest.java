package io.github.vmlifecycle.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.VmState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The action log of the file store: torn lines healed, rotation by size, reading the newest entries only. */
class ActionLogFileTest {
  @TempDir Path dir;

  static ActionRecord action(String id, int n) {
    Instant t = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n);
    return ActionRecord.builder().instanceId(id).requestId("req-" + n).action(ActionKind.LOCK).startedAt(t)
        .finishedAt(t).result(ActionRecord.Result.SUCCEEDED).vmStateBefore(VmState.ACTIVE)
        .vmStateAfter(VmState.ACTIVE).message("entry " + n).build();
  }

  private static List<String> requests(List<ActionRecord> actions) {
    return actions.stream().map(ActionRecord::requestId).collect(Collectors.toList());
  }

  @Test
  void tornAppend_isSkippedByReadersAndCutOffByTheNextWriter() throws Exception {
    FileInstanceStore store = new FileInstanceStore(dir);
    store.appendAction(action("a", 1));
    // the attack: an append that died half-way (full disk, crash) leaves a partial line
    Files.writeString(dir.resolve("a.actions"), "instanceId=a&requestId=torn&act", StandardOpenOption.APPEND);

    assertThat(requests(store.actions("a"))).containsExactly("req-1");
    assertThat(requests(store.lastActions("a", 5))).containsExactly("req-1");

    store.appendAction(action("a", 2));
    store.appendAction(action("a", 3));

    assertThat(requests(store.actions("a"))).containsExactly("req-1", "req-2", "req-3");
    assertThat(Files.readString(dir.resolve("a.actions"))).doesNotContain("torn").endsWith("\n");
  }

  @Test
  void log_rotatesBySize_keepingTheConfiguredNumberOfSegments() throws Exception {
    FileInstanceStore store = new FileInstanceStore(dir, 4096, 2);
    int lineBytes = (ActionCodec.encode(action("a", 100)) + "\n").length();
    int total = 200;
    for (int n = 100; n < 100 + total; n++) {
      store.appendAction(action("a", n));
    }

    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(f -> f.startsWith("a.actions")))
          .containsExactlyInAnyOrder("a.actions", "a.actions.1", "a.actions.2");
    }
    for (String segment : new String[] {"a.actions", "a.actions.1", "a.actions.2"}) {
      assertThat(Files.size(dir.resolve(segment))).as(segment).isLessThanOrEqualTo(4096);
    }
    List<ActionRecord> kept = store.actions("a");
    assertThat(kept.size()).isLessThan(total).isGreaterThanOrEqualTo(2 * (4096 / lineBytes));
    List<String> expectedTail = IntStream.range(100 + total - kept.size(), 100 + total)
        .mapToObj(n -> "req-" + n).collect(Collectors.toList());
    assertThat(requests(kept)).isEqualTo(expectedTail);
  }

  @Test
  void lastAndSince_acrossSegments_agreeWithTheWholeLog() {
    FileInstanceStore store = new FileInstanceStore(dir, 4096, 3);
    for (int n = 0; n < 120; n++) {
      store.appendAction(action("a", n));
    }
    List<ActionRecord> all = store.actions("a");
    for (int count : new int[] {0, 1, 7, 30, 45, all.size(), all.size() + 10}) {
      assertThat(store.lastActions("a", count)).as("last %d", count)
          .isEqualTo(all.subList(Math.max(0, all.size() - count), all.size()));
    }
    for (int n : new int[] {0, 60, 100, 119, 200}) {
      Instant since = action("a", n).finishedAt();
      List<ActionRecord> expected = new ArrayList<>();
      all.stream().filter(a -> !a.finishedAt().isBefore(since)).forEach(expected::add);
      assertThat(store.actionsSince("a", since)).as("since %d", n).isEqualTo(expected);
    }
  }

  @Test
  void missingLog_readsAsEmpty() {
    FileInstanceStore store = new FileInstanceStore(dir);
    assertThat(store.actions("none")).isEmpty();
    assertThat(store.lastActions("none", 3)).isEmpty();
    assertThat(store.actionsSince("none", Instant.EPOCH)).isEmpty();
  }
}
