package io.github.vmlifecycle.libvirt;

import io.github.vmlifecycle.InvalidInputException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The connection-wide configuration of a {@link LibvirtDriver}: the libvirt URI, keepalive, how long a
 * resume waits for RUNNING, how often progress is polled, where rescue files go, {@code qemu-img}, and
 * the clock. What varies per call (shutdown timeout and retry interval, deadline, step observer) comes
 * with each call as an {@link io.github.vmlifecycle.spi.DriverCall}.
 *
 * <p>Instances are immutable and thread-safe; build them with {@link #builder()}.
 */
public final class LibvirtDriverOptions {

  /** The default instance directory root: {@code /var/lib/vmlifecycle/instances}. */
  public static final Path DEFAULT_INSTANCE_DIR_ROOT = Path.of("/var/lib/vmlifecycle/instances");

  private final String uri;
  private final Duration keepAliveInterval;
  private final int keepAliveCount;
  private final Duration resumeWaitTimeout;
  private final Duration progressInterval;
  private final Path instanceDirRoot;
  private final String qemuImg;
  private final Clock clock;

  private LibvirtDriverOptions(Builder b) {
    this.uri = b.uri;
    this.keepAliveInterval = b.keepAliveInterval;
    this.keepAliveCount = b.keepAliveCount;
    this.resumeWaitTimeout = b.resumeWaitTimeout;
    this.progressInterval = b.progressInterval;
    this.instanceDirRoot = b.instanceDirRoot;
    this.qemuImg = b.qemuImg;
    this.clock = b.clock;
  }

  /**
   * Returns a new builder with every default.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the options with every default, for libvirt's default URI.
   *
   * @return the default options
   */
  public static LibvirtDriverOptions defaults() {
    return builder().build();
  }

  /**
   * Returns the libvirt connection URI, such as {@code qemu:///system}, {@code qemu+ssh://host/system}
   * or {@code test:///path/node.xml}. Empty means libvirt's default ({@code $LIBVIRT_DEFAULT_URI} or
   * libvirt's own probing).
   *
   * @return the URI, or empty for libvirt's default
   */
  public Optional<String> uri() {
    return Optional.ofNullable(uri);
  }

  /**
   * Returns the interval between keepalive messages on remote connections; zero disables keepalive.
   * Default 5 s.
   *
   * @return the interval, never negative
   */
  public Duration keepAliveInterval() {
    return keepAliveInterval;
  }

  /**
   * Returns how many keepalive messages may go unanswered before the connection counts as dead.
   * Default 3.
   *
   * @return the count, at least 1
   */
  public int keepAliveCount() {
    return keepAliveCount;
  }



  /**
   * Returns how long a resume waits for the restored guest to report RUNNING. Default 60 s.
   *
   * @return the timeout, positive
   */
  public Duration resumeWaitTimeout() {
    return resumeWaitTimeout;
  }

  /**
   * Returns how often suspend and resume poll libvirt's job information to report progress. Default
   * 100 ms.
   *
   * @return the interval, positive
   */
  public Duration progressInterval() {
    return progressInterval;
  }

  /**
   * Returns the directory under which each instance has a directory named by its UUID, holding its
   * rescue files ({@code disk.rescue}, {@code kernel.rescue}, {@code ramdisk.rescue}). It must be on
   * the hypervisor host, so rescue needs a local URI. Default {@link #DEFAULT_INSTANCE_DIR_ROOT}.
   *
   * @return the directory
   */
  public Path instanceDirRoot() {
    return instanceDirRoot;
  }

  /**
   * Returns the {@code qemu-img} program used to create rescue overlays. Default {@code qemu-img},
   * found on the {@code PATH}.
   *
   * @return the program
   */
  public String qemuImg() {
    return qemuImg;
  }

  /**
   * Returns the clock for deadlines, event timestamps and the guest time set after unpause and
   * resume. Default the system clock in UTC.
   *
   * @return the clock
   */
  public Clock clock() {
    return clock;
  }


  @Override
  public String toString() {
    return "LibvirtDriverOptions{uri=" + (uri == null ? "<default>" : uri)
        + ", keepAlive=" + keepAliveInterval + "x" + keepAliveCount
        + ", resumeWaitTimeout=" + resumeWaitTimeout
        + ", progressInterval=" + progressInterval
        + ", instanceDirRoot=" + instanceDirRoot + ", qemuImg=" + qemuImg + "}";
  }

  /**
   * Builds {@link LibvirtDriverOptions}. Not thread-safe; every setter returns the builder.
   */
  public static final class Builder {
    private String uri;
    private Duration keepAliveInterval = Duration.ofSeconds(5);
    private int keepAliveCount = 3;
    private Duration resumeWaitTimeout = Duration.ofSeconds(60);
    private Duration progressInterval = Duration.ofMillis(100);
    private Path instanceDirRoot = DEFAULT_INSTANCE_DIR_ROOT;
    private String qemuImg = "qemu-img";
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Sets the libvirt URI.
     *
     * @param uri the URI, or null for libvirt's default
     * @return this builder
     * @throws InvalidInputException if the URI is blank
     */
    public Builder uri(String uri) {
      if (uri != null && uri.isBlank()) {
        throw new InvalidInputException("The libvirt URI must not be blank (use null for libvirt's default)");
      }
      this.uri = uri;
      return this;
    }

    /**
     * Sets the keepalive interval and count.
     *
     * @param interval the interval between keepalive messages, zero to disable keepalive
     * @param count how many may go unanswered
     * @return this builder
     * @throws InvalidInputException if the interval is negative or not whole seconds, or count &lt; 1
     */
    public Builder keepAlive(Duration interval, int count) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative() || interval.toMillis() % 1000 != 0 || count < 1) {
        throw new InvalidInputException(
            "The keepalive interval must be whole non-negative seconds and the count at least 1, got "
                + interval + " x " + count);
      }
      this.keepAliveInterval = interval;
      this.keepAliveCount = count;
      return this;
    }



    /**
     * Sets how long a resume waits for RUNNING.
     *
     * @param timeout the timeout
     * @return this builder
     * @throws InvalidInputException if the timeout is not positive
     */
    public Builder resumeWaitTimeout(Duration timeout) {
      this.resumeWaitTimeout = positive("resume wait timeout", timeout);
      return this;
    }

    /**
     * Sets how often suspend and resume poll for progress.
     *
     * @param interval the interval
     * @return this builder
     * @throws InvalidInputException if the interval is not positive
     */
    public Builder progressInterval(Duration interval) {
      this.progressInterval = positive("progress interval", interval);
      return this;
    }

    /**
     * Sets the instance directory root.
     *
     * @param root the directory (made absolute)
     * @return this builder
     */
    public Builder instanceDirRoot(Path root) {
      this.instanceDirRoot = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
      return this;
    }

    /**
     * Sets the {@code qemu-img} program.
     *
     * @param program a path or a name found on the PATH
     * @return this builder
     * @throws InvalidInputException if the program is blank
     */
    public Builder qemuImg(String program) {
      if (program == null || program.isBlank()) {
        throw new InvalidInputException("The qemu-img program must not be blank");
      }
      this.qemuImg = program;
      return this;
    }

    /**
     * Sets the clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }


    /**
     * Builds the options.
     *
     * @return the options
     */
    public LibvirtDriverOptions build() {
      return new LibvirtDriverOptions(this);
    }

    private static Duration positive(String what, Duration d) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new InvalidInputException("The " + what + " must be positive, got " + d);
      }
      return d;
    }
  }
}
