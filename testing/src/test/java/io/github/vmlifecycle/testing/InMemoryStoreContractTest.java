package io.github.vmlifecycle.testing;

import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.spi.InstanceStore;

/** The in-memory store meets the {@link InstanceStoreContract}. */
class InMemoryStoreContractTest extends InstanceStoreContract {
  @Override
  protected InstanceStore store() {
    return InstanceStores.inMemory();
  }
}
