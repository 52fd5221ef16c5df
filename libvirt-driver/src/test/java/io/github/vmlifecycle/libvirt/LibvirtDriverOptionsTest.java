package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.InvalidInputException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** Defaults and validation of {@link LibvirtDriverOptions}. */
class LibvirtDriverOptionsTest {

  @Test
  void defaults_areDocumented() {
    LibvirtDriverOptions o = LibvirtDriverOptions.defaults();
    assertThat(o.uri()).isEmpty();
    assertThat(o.keepAliveInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(o.keepAliveCount()).isEqualTo(3);
    assertThat(o.resumeWaitTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.progressInterval()).isEqualTo(Duration.ofMillis(100));
    assertThat(o.instanceDirRoot()).isEqualTo(LibvirtDriverOptions.DEFAULT_INSTANCE_DIR_ROOT);
    assertThat(o.qemuImg()).isEqualTo("qemu-img");
    assertThat(o.toString()).contains("<default>");
  }

  @Test
  void builder_setsEveryValue() {
    Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
    LibvirtDriverOptions o = LibvirtDriverOptions.builder().uri("qemu+tcp://127.0.0.1/system")
        .keepAlive(Duration.ZERO, 1).resumeWaitTimeout(Duration.ofSeconds(2))
        .progressInterval(Duration.ofMillis(10)).instanceDirRoot(Path.of("rel/dir"))
        .qemuImg("/usr/bin/qemu-img").clock(clock).build();
    assertThat(o.uri()).contains("qemu+tcp://127.0.0.1/system");
    assertThat(o.keepAliveInterval()).isZero();
    assertThat(o.keepAliveCount()).isEqualTo(1);
    assertThat(o.resumeWaitTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(o.progressInterval()).isEqualTo(Duration.ofMillis(10));
    assertThat(o.instanceDirRoot().isAbsolute()).isTrue();
    assertThat(o.instanceDirRoot().endsWith(Path.of("rel/dir"))).isTrue();
    assertThat(o.clock()).isSameAs(clock);
    assertThat(o.qemuImg()).isEqualTo("/usr/bin/qemu-img");
  }

  @Test
  void builder_invalidValues_areRejected() {
    LibvirtDriverOptions.Builder b = LibvirtDriverOptions.builder();
    assertThatThrownBy(() -> b.uri(" ")).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> b.keepAlive(Duration.ofMillis(1500), 3)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> b.keepAlive(Duration.ofSeconds(5), 0)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> b.resumeWaitTimeout(Duration.ZERO)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> b.progressInterval(Duration.ofMillis(-1))).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> b.qemuImg("")).isInstanceOf(InvalidInputException.class);
  }
}
