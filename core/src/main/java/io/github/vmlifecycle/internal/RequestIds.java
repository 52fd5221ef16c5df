package io.github.vmlifecycle.internal;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/** The default request-id generator: {@code req-} and a random UUID, cheap enough for hot paths. */
public final class RequestIds implements Supplier<String> {
  @Override
  public String get() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return "req-" + new UUID(r.nextLong(), r.nextLong());
  }
}
