package io.github.vmlifecycle.internal.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.ActionRecord;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 600 MB action log (one segment, as an unrotated log of an older release or a very large rotation
 * size leaves it): the newest entries and the entries since a time are read from the end, in well under a
 * second and a few hundred KiB of heap, whatever the log's size. Prints the figures.
 */
class LargeActionLogTest {
  private static final long SIZE = 600L * 1024 * 1024;

  @TempDir Path dir;

  @Test
  void lastAndSince_onA600MbLog_readOnlyTheEnd() throws Exception {
    FileInstanceStore store = new FileInstanceStore(dir, SIZE * 2, 1);
    long lines = write(dir.resolve("big.actions"));
    assertThat(Files.size(dir.resolve("big.actions"))).isGreaterThanOrEqualTo(SIZE);

    store.lastActions("big", 1); // warm up class loading and the JIT a little
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long allocatedBefore = threads.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    List<ActionRecord> last = store.lastActions("big", 20);
    long tailNanos = System.nanoTime() - start;
    long tailAllocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

    Instant since = Instant.ofEpochSecond(lines - 50);
    allocatedBefore = threads.getCurrentThreadAllocatedBytes();
    start = System.nanoTime();
    List<ActionRecord> recent = store.actionsSince("big", since);
    long sinceNanos = System.nanoTime() - start;
    long sinceAllocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;

    System.out.printf("600 MB action log (%d entries): last 20 in %.1f ms (%d KiB allocated), "
        + "since the newest 50 in %.1f ms (%d KiB allocated)%n", lines, tailNanos / 1e6, tailAllocated / 1024,
        sinceNanos / 1e6, sinceAllocated / 1024);
    assertThat(last).hasSize(20);
    assertThat(last.get(19).requestId()).isEqualTo("req-" + (lines - 1));
    assertThat(recent).hasSize(50);
    assertThat(tailNanos).isLessThan(1_000_000_000L);
    assertThat(sinceNanos).isLessThan(1_000_000_000L);
    assertThat(tailAllocated).isLessThan(8L * 1024 * 1024);
    assertThat(sinceAllocated).isLessThan(8L * 1024 * 1024);
  }

  /** Writes entries 0, 1, ... (entry n finished at second n) until the file reaches {@link #SIZE}. */
  private static long write(Path file) throws Exception {
    String message = "x".repeat(160);
    long written = 0;
    long n = 0;
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      while (written < SIZE) {
        String time = Instant.ofEpochSecond(n).toString().replace(":", "%3A");
        byte[] line = ("instanceId=big&requestId=req-" + n + "&action=lock&startedAt=" + time + "&finishedAt="
            + time + "&result=SUCCEEDED&vmStateBefore=ACTIVE&vmStateAfter=ACTIVE&message=" + message + "\n")
            .getBytes(StandardCharsets.US_ASCII);
        out.write(line);
        written += line.length;
        n++;
      }
    }
    return n;
  }
}
