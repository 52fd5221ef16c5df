package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.InvalidInputException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SessionsTest {
  @Test
  void fakeLatency_readsMillisecondsFromTheUri() {
    assertThat(Sessions.fakeLatency("fake:///")).isZero();
    assertThat(Sessions.fakeLatency("fake:///?latency=800ms")).isEqualTo(Duration.ofMillis(800));
  }

  @Test
  void fakeLatency_otherSpellings_areInvalidInput() {
    for (String bad : new String[] {"fake://", "fake:///x", "fake:///?latency=1s", "fake:///?latency=-5ms",
        "fake:///?latency=9999999ms"}) {
      assertThatThrownBy(() -> Sessions.fakeLatency(bad)).as(bad).isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("fake:///?latency=<milliseconds>ms");
    }
  }
}
