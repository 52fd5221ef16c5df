package io.github.vmlifecycle.internal.store;

import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The convention for tests that need root: skipped on a developer's machine, failed under {@code CI=true}. */
final class RootOnly {
  private RootOnly() {}

  /** Returns when running as root; otherwise fails under CI and skips elsewhere, saying {@code why}. */
  static void require(String why) {
    if (System.getProperty("user.name").equals("root")) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      fail(why + " needs root, and CI=true requires this test to run");
    }
    assumeThat(false).as(why + " needs root").isTrue();
  }
}
