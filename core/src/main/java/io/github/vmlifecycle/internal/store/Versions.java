package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.Instance;

/** The version rule every store enforces on compare-and-set. */
final class Versions {
  private Versions() {}

  static void checkNext(long expectedVersion, Instance updated) {
    if (updated.version() != expectedVersion + 1) {
      throw new IllegalArgumentException("Instance " + updated.name() + ": the updated version must be "
          + (expectedVersion + 1) + ", not " + updated.version());
    }
  }
}
