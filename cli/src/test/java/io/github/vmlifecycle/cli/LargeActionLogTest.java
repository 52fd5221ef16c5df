package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.spi.InstanceStore;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vmlife actions ID --tail N} and {@code --since TIME} on a 600 MB action log (one segment, as
 * an unrotated log of an older release leaves it): under a second and a few MiB of heap each, because
 * only the end of the log is read. Prints the figures.
 */
class LargeActionLogTest {
  private static final long SIZE = 600L * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path stateDir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    InstanceStore store = InstanceStores.directory(stateDir);
    Vmlife.SessionFactory sessions = new Vmlife.SessionFactory() {
      @Override
      Vmlife.Session open(Optional<String> uri, Optional<Path> dir) {
        return Sessions.session(Sessions.sampleFake(), store, false, new FakeClock());
      }
    };
    return Vmlife.run(new Vmlife(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true,
        StandardCharsets.UTF_8), System.err, sessions), args);
  }

  @Test
  void tailAndSince_onA600MbLog_takeUnderASecond() throws Exception {
    InstanceStores.directory(stateDir).insertIfAbsent(Instance.builder().id("big").name("big")
        .vmState(VmState.ACTIVE).powerState(PowerState.RUNNING).build());
    long entries = write(stateDir.resolve("big.actions"));
    assertThat(Files.size(stateDir.resolve("big.actions"))).isGreaterThanOrEqualTo(SIZE);
    assertThat(run("actions", "big", "--tail", "1")).isZero(); // class loading and JIT warm-up

    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long allocated = threads.getCurrentThreadAllocatedBytes();
    long start = System.nanoTime();
    assertThat(run("--json", "actions", "big", "--tail", "20")).isZero();
    long tailNanos = System.nanoTime() - start;
    long tailAllocated = threads.getCurrentThreadAllocatedBytes() - allocated;
    JsonNode tail = JSON.readTree(out.toString(StandardCharsets.UTF_8));

    String since = Instant.ofEpochSecond(entries - 50).toString();
    allocated = threads.getCurrentThreadAllocatedBytes();
    start = System.nanoTime();
    assertThat(run("--json", "actions", "big", "--since", since)).isZero();
    long sinceNanos = System.nanoTime() - start;
    long sinceAllocated = threads.getCurrentThreadAllocatedBytes() - allocated;
    JsonNode recent = JSON.readTree(out.toString(StandardCharsets.UTF_8));

    System.out.printf("vmlife actions on a %d MB log of %d entries: --tail 20 in %.1f ms (%d KiB allocated), "
        + "--since (50 entries) in %.1f ms (%d KiB allocated)%n", Files.size(stateDir.resolve("big.actions")) >> 20,
        entries, tailNanos / 1e6, tailAllocated >> 10, sinceNanos / 1e6, sinceAllocated >> 10);
    assertThat(tail).hasSize(20);
    assertThat(tail.get(19).get("request_id").asText()).isEqualTo("req-" + (entries - 1));
    assertThat(recent).hasSize(50);
    assertThat(tailNanos).isLessThan(1_000_000_000L);
    assertThat(sinceNanos).isLessThan(1_000_000_000L);
    assertThat(tailAllocated).isLessThan(32L << 20);
    assertThat(sinceAllocated).isLessThan(32L << 20);
  }

  /** Writes entries 0, 1, ... (entry n finished at second n) until the file reaches {@link #SIZE}. */
  private static long write(Path file) throws Exception {
    String message = "x".repeat(160);
    long written = 0;
    long n = 0;
    try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
      while (written < SIZE) {
        String time = Instant.ofEpochSecond(n).toString().replace(":", "%3A");
        byte[] line = ("instanceId=big&requestId=req-" + n + "&action=lock&startedAt=" + time + "&finishedAt="
            + time + "&result=SUCCEEDED&vmStateBefore=ACTIVE&vmStateAfter=ACTIVE&message=" + message + "\n")
            .getBytes(StandardCharsets.US_ASCII);
        o.write(line);
        written += line.length;
        n++;
      }
    }
    return n;
  }
}
