package io.github.vmlifecycle.libvirt.internal;

import java.time.Clock;
import java.time.Instant;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets a guest's clock through the QEMU guest agent after it ran again (unpause, resume), best effort:
 * without an agent nothing happens, and a connection whose driver has no agent API at all is not asked
 * again. Thread-safe.
 */
public final class GuestClock {
  private static final Logger LOG = LoggerFactory.getLogger(GuestClock.class);

  private final Clock clock;
  // the connection whose driver answered VIR_ERR_NO_SUPPORT to qemuAgentCommand (compared by identity)
  private volatile Connect agentUnsupportedOn;

  /**
   * Creates the clock setter.
   *
   * @param clock the time to set
   */
  public GuestClock(Clock clock) {
    this.clock = clock;
  }

  /**
   * Sets the guest's clock to now; logs, never throws, when it cannot.
   *
   * @param d the running domain
   */
  void sync(Domain d) {
    Connect c = d.getConnect();
    if (c != null && c == agentUnsupportedOn) {
      return; // this connection's driver has no guest-agent API at all (the test driver)
    }
    Instant now = clock.instant();
    long nanos = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    try {
      d.qemuAgentCommand("{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":" + nanos + "}}", 2, 0);
    } catch (LibvirtException e) {
      if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_SUPPORT)) {
        agentUnsupportedOn = c;
      }
      LOG.debug("could not set the guest clock (no guest agent?): {}", Connections.message(e));
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("could not set the guest clock: {}", e.toString());
    }
  }
}
