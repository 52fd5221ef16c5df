package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.ProgressListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many threads, one driver, different domains, all released at once. */
class LibvirtDriverConcurrencyTest {
  private static final int DOMAINS = 48;
  private static final int ROUNDS = 5;

  @Test
  void operations_onManyDomainsFromManyThreads_allSucceedAndLandRight(@TempDir Path dir) throws Exception {
    TestNode node = new TestNode();
    for (int n = 1; n <= DOMAINS; n++) {
      node.domain("vm" + n, n, TestNode.Run.RUNNING);
    }
    try (LibvirtDriver driver = LibvirtDriver.connect(node.write(dir))) {
      CountDownLatch go = new CountDownLatch(1);
      List<Throwable> failures = new CopyOnWriteArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(16);
      try {
        List<Future<?>> futures = new java.util.ArrayList<>();
        for (int n = 1; n <= DOMAINS; n++) {
          String id = TestNode.uuid(n);
          int kind = n % 3;
          futures.add(pool.submit(() -> {
            try {
              go.await();
              for (int r = 0; r < ROUNDS; r++) {
                switch (kind) {
                  case 0 -> {
                    driver.pause(id, Calls.plain());
                    driver.unpause(id, Calls.plain());
                  }
                  case 1 -> {
                    driver.suspend(id, Calls.plain());
                    driver.resume(id, Calls.plain());
                  }
                  default -> {
                    driver.stop(id, Calls.stop(Duration.ZERO));
                    driver.start(id, Calls.plain());
                    driver.hardReboot(id, Calls.plain());
                  }
                }
                driver.list();
              }
              if (kind == 0) {
                driver.pause(id, Calls.plain());
              } else if (kind == 1) {
                driver.suspend(id, Calls.plain());
              }
            } catch (Throwable t) {
              failures.add(t);
            }
          }));
        }
        go.countDown();
        for (Future<?> f : futures) {
          f.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(failures).isEmpty();
      Map<String, DriverInstance> byName = driver.list().stream()
          .collect(Collectors.toMap(DriverInstance::name, i -> i));
      assertThat(byName).hasSize(DOMAINS);
      for (int n = 1; n <= DOMAINS; n++) {
        DriverInstance i = byName.get("vm" + n);
        switch (n % 3) {
          case 0 -> assertThat(i.powerState()).as(i.name()).isEqualTo(PowerState.PAUSED);
          case 1 -> {
            assertThat(i.powerState()).as(i.name()).isEqualTo(PowerState.SHUTDOWN);
            assertThat(i.hasSavedMemory()).as(i.name()).isTrue();
          }
          default -> assertThat(i.powerState()).as(i.name()).isEqualTo(PowerState.RUNNING);
        }
      }
    }
  }
}
