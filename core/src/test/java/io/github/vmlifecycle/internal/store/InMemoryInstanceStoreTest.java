package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.spi.InstanceStore;

class InMemoryInstanceStoreTest extends InstanceStoreContractTest {
  @Override
  InstanceStore store() {
    return new InMemoryInstanceStore();
  }
}
