package io.github.vmlifecycle.fake;

import java.time.Instant;
import java.util.Optional;
import io.github.vmlifecycle.spi.VmlStyle;
import org.immutables.value.Value;

/**
 * One call that the {@link FakeHypervisor} received: its kind, the instance argument, when it began (by the
 * fake's clock) and how it ended.
 *
 * <p>Instances are immutable and thread-safe.
 */
@Value.Immutable(builder = false)
@VmlStyle
public abstract class RecordedCall {

  RecordedCall() {}

  static RecordedCall of(FakeCall call, String instance, Instant timestamp, Class<? extends Throwable> failure) {
    return ImmutableRecordedCall.of(call, Optional.ofNullable(instance), timestamp, Optional.ofNullable(failure));
  }

  /**
   * The kind of call.
   *
   * @return the kind of call
   */
  @Value.Parameter
  public abstract FakeCall call();

  /**
   * The instance id or name exactly as the caller passed it; empty for {@link FakeCall#LIST}.
   *
   * @return the instance id or name exactly as the caller passed it; empty for {@link FakeCall#LIST}
   */
  @Value.Parameter
  public abstract Optional<String> instance();

  /**
   * The fake clock's instant when the call began, before any injected latency.
   *
   * @return the fake clock's instant when the call began, before any injected latency
   */
  @Value.Parameter
  public abstract Instant timestamp();

  /**
   * The type of the exception the call threw; empty when it returned normally.
   *
   * @return the type of the exception the call threw; empty when it returned normally
   */
  @Value.Parameter
  public abstract Optional<Class<? extends Throwable>> failure();

  /**
   * Returns whether the call returned normally.
   *
   * @return true when it threw nothing
   */
  public final boolean succeeded() {
    return failure().isEmpty();
  }
}
