package io.github.vmlifecycle.rescue;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.internal.rescue.Corpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RescueDomainXmlConcurrencyTest {
  @Test
  void rescue_fromManyThreadsAtOnce_givesTheSameResultsAsOneThread() throws Exception {
    RescueDomainXml xml = RescueDomainXml.create(Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));
    RescueXmlSpec spec = RescueXmlSpec.builder().rescueDiskPath("/i/disk.rescue").stableMode(true).build();
    List<String> originals = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (Path file : Corpus.files()) {
      String original = Files.readString(file);
      if (!xml.disks(original).stream().allMatch(d -> d.device().equals("cdrom"))) {
        originals.add(original);
        expected.add(xml.rescue(original, spec));
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> jobs = new ArrayList<>();
      for (int round = 0; round < 16; round++) {
        for (int i = 0; i < originals.size(); i++) {
          int n = i;
          jobs.add(pool.submit(() -> {
            String rescued = xml.rescue(originals.get(n), spec);
            return rescued.equals(expected.get(n)) && xml.unrescue(rescued).equals(originals.get(n));
          }));
        }
      }
      for (Future<Boolean> job : jobs) {
        assertThat(job.get(60, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(originals).hasSizeGreaterThanOrEqualTo(Corpus.own().size() - 2);
  }
}
