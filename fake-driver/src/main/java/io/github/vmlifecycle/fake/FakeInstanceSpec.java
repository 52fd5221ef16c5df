package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.PowerState;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import io.github.vmlifecycle.spi.VmlStyle;
import org.immutables.value.Value;

/**
 * How to create an instance in a {@link FakeHypervisor} with {@link FakeHypervisor#define}: its name and,
 * optionally, UUID, initial power state, definition, saved-memory image, guest memory contents, backing image
 * and memory size.
 *
 * <p>Instances are immutable and thread-safe.
 */
@Value.Immutable
@VmlStyle
public abstract class FakeInstanceSpec {

  /** The guest memory size when none is given: 256 MiB. */
  public static final long DEFAULT_MEMORY_BYTES = 256L * 1024 * 1024;

  FakeInstanceSpec() {}

  /**
   * Returns a new builder.
   *
   * @return a builder; only the name is required
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the spec of a running instance named {@code name} with every other default.
   *
   * @param name the instance name
   * @return the spec
   * @throws InvalidInputException if the name is blank or contains '/' or NUL
   */
  public static FakeInstanceSpec named(String name) {
    return builder().name(name).build();
  }

  /**
   * The name: unique in the fake, not blank, without '/' or NUL (it names the instance directory).
   *
   * @return the name: unique in the fake, not blank, without '/' or NUL (it names the instance directory)
   */
  public abstract String name();

  /**
   * The UUID in any case; empty means one derived from the name, the same on every run.
   *
   * @return the UUID in any case; empty means one derived from the name, the same on every run
   */
  public abstract Optional<String> uuid();

  /**
   * The initial power state; NOSTATE is not allowed.
   *
   * @return the initial power state; NOSTATE is not allowed
   */
  @Value.Default
  public PowerState powerState() {
    return PowerState.RUNNING;
  }

  /**
   * The initial persistent definition; empty means a small valid libvirt domain XML with the name, UUID,
   * memory, one virtio disk {@code /var/lib/fake/<name>/disk} and a serial console.
   *
   * @return the initial persistent definition
   */
  public abstract Optional<String> definition();

  /**
   * Whether the instance starts with a saved-memory image; needs the power state SHUTDOWN.
   *
   * @return whether the instance starts with a saved-memory image; needs the power state SHUTDOWN
   */
  @Value.Default
  public boolean savedMemory() {
    return false;
  }

  /**
   * The guest memory contents: in RAM when the instance starts active, in the saved-memory image when it has
   * one, else ignored.
   *
   * @return the guest memory contents
   */
  @Value.Default
  public String guestMemory() {
    return "";
  }

  /**
   * The image the root disk is backed by, used as the rescue image when a rescue request names none; it is
   * registered as an existing image.
   *
   * @return the image the root disk is backed by, used as the rescue image when a rescue request names none
   */
  public abstract Optional<String> backingImage();

  /**
   * The guest memory size in bytes, the total that suspend and resume report progress against.
   *
   * @return the guest memory size in bytes, the total that suspend and resume report progress against
   */
  @Value.Default
  public long memoryBytes() {
    return DEFAULT_MEMORY_BYTES;
  }

  /**
   * Whether the guest ignores clean shutdown requests, so that a stop waits its timeout out, then forces.
   *
   * @return whether the guest ignores clean shutdown requests, so that a stop waits its timeout out, then
   *     forces
   */
  @Value.Default
  public boolean ignoresShutdown() {
    return false;
  }

  /**
   * Returns the UUID the instance gets: {@link #uuid()} in lower case, or one derived from the name.
   *
   * @return the lower-case UUID
   */
  public final String effectiveUuid() {
    return uuid()
        .map(u -> u.toLowerCase(Locale.ROOT))
        .orElseGet(() -> UUID.nameUUIDFromBytes(("vmlifecycle-fake:" + name()).getBytes(StandardCharsets.UTF_8))
            .toString());
  }

  @Value.Check
  void check() {
    if (name().isBlank() || name().indexOf('/') >= 0 || name().indexOf('\0') >= 0) {
      throw new InvalidInputException("An instance name must be non-blank, without '/' or NUL: '" + name() + "'");
    }
    if (uuid().isPresent()) {
      try {
        UUID parsed = UUID.fromString(uuid().get());
        if (!parsed.toString().equalsIgnoreCase(uuid().get())) {
          throw new IllegalArgumentException("not canonical");
        }
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(null, "Not a UUID: '" + uuid().get() + "'", e);
      }
    }
    if (powerState() == PowerState.NOSTATE) {
      throw new InvalidInputException("A fake instance cannot start in power state NOSTATE");
    }
    if (savedMemory() && powerState() != PowerState.SHUTDOWN) {
      throw new InvalidInputException("A saved-memory image needs power state SHUTDOWN, not " + powerState());
    }
    if (memoryBytes() <= 0) {
      throw new InvalidInputException("The memory size must be positive: " + memoryBytes());
    }
    if (definition().isPresent() && definition().get().isBlank()) {
      throw new InvalidInputException("A definition must not be blank");
    }
  }

  /** Builds {@link FakeInstanceSpec}s. */
  public static final class Builder extends ImmutableFakeInstanceSpec.Builder {
    Builder() {}
  }
}
