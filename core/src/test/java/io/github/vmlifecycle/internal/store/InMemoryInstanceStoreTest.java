package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.ActionKind;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.spi.InstanceStore;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What only the in-memory store does (a cap on the action log). The behaviour every store shares is
 * {@code InstanceStoreContract}'s, run against this store in the vmlifecycle-testing module.
 */
class InMemoryInstanceStoreTest {
  @Test
  void actions_withACap_keepTheNewest() {
    InstanceStore store = new InMemoryInstanceStore(3);
    for (int i = 0; i < 5; i++) {
      store.appendAction(ActionRecord.builder().instanceId("a").requestId("r" + i).action(ActionKind.PAUSE)
          .startedAt(Instant.EPOCH).finishedAt(Instant.EPOCH).result(ActionRecord.Result.SUCCEEDED)
          .vmStateBefore(VmState.ACTIVE).vmStateAfter(VmState.PAUSED).build());
    }
    assertThat(store.actions("a")).extracting(ActionRecord::requestId).containsExactly("r2", "r3", "r4");
  }
}
