package io.github.vmlifecycle.testing;

import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.spi.InstanceStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The file store meets the {@link InstanceStoreContract}. */
class DirectoryStoreContractTest extends InstanceStoreContract {
  @TempDir Path dir;

  @Override
  protected InstanceStore store() {
    return InstanceStores.directory(dir);
  }
}
