package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.RebootOutcome;
import io.github.vmlifecycle.spi.StopOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Power control of domains: pause and unpause of the vCPUs, the clean-then-forced power-off, start,
 * soft and hard reboot, and waiting for a power state. Thread-safe: it keeps no per-call state.
 */
public final class PowerControl {
  private static final Logger LOG = LoggerFactory.getLogger(PowerControl.class);

  private final Domains domains;
  private final Clock clock;
  private final GuestClock guestClock;

  /**
   * Creates the power control.
   *
   * @param domains the domain calls
   * @param clock the clock of the waits
   * @param guestClock sets the guest clock after unpause
   */
  public PowerControl(Domains domains, Clock clock, GuestClock guestClock) {
    this.domains = domains;
    this.clock = clock;
    this.guestClock = guestClock;
  }

  /**
   * Pauses the vCPUs ({@code virDomainSuspend}); a paused domain stays as it is.
   *
   * @param id the UUID or name
   * @param call the call's context
   */
  public void pause(String id, DriverCall call) {
    domains.on(id, Operation.PAUSE, "pause", d -> {
      try {
        d.suspend();
      } catch (LibvirtException e) {
        unlessAlready(e, d, id, Operation.PAUSE, PowerState.PAUSED, PowerState.RUNNING);
      }
      return null;
    });
  }

  /**
   * Resumes the vCPUs ({@code virDomainResume}), then sets the guest clock (best effort); a running
   * domain stays as it is.
   *
   * @param id the UUID or name
   * @param call the call's context
   */
  public void unpause(String id, DriverCall call) {
    domains.on(id, Operation.UNPAUSE, "unpause", d -> {
      try {
        d.resume();
      } catch (LibvirtException e) {
        unlessAlready(e, d, id, Operation.UNPAUSE, PowerState.RUNNING, PowerState.PAUSED);
        return null;
      }
      guestClock.sync(d);
      return null;
    });
  }

  /**
   * Powers the domain off as {@link #powerOff} says, then reports step {@code stop.off}.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @return how it went down
   */
  public StopOutcome stop(String id, DriverCall call) {
    return domains.on(id, Operation.STOP, "stop", d -> {
      StopOutcome outcome = powerOff(d, id, Operation.STOP, call.shutdownTimeout(), call);
      call.steps().onStep(id, "stop.off");
      return outcome;
    });
  }

  /**
   * Starts the stopped domain ({@code virDomainCreate}).
   *
   * @param id the UUID or name
   * @param call the call's context
   */
  public void start(String id, DriverCall call) {
    domains.on(id, Operation.START, "start", d -> {
      if (d.isActive() == 1) {
        throw Domains.invalidState(id, Operation.START, Domains.powerState(d), "stopped");
      }
      d.create();
      return null;
    });
  }

  /**
   * Destroys the domain if active, discards its managed-save image and the devices a suspend
   * remembered (journal note included), reports {@code reboot.destroyed}, defines the call's
   * {@link DriverCall#definition()} again when it carries one, and starts it.
   *
   * @param id the UUID or name
   * @param call the call's context
   */
  public void hardReboot(String id, DriverCall call) {
    domains.on(id, Operation.HARD_REBOOT, "hard reboot", d -> {
      hardReboot(d, id, call);
      return null;
    });
  }

  private static void hardReboot(Domain d, String id, DriverCall call) throws LibvirtException {
    destroyIfActive(d);
    if (d.hasManagedSaveImage() == 1) {
      d.managedSaveRemove();
    }
    DetachedDevices.forget(d, call.journal());
    call.steps().onStep(id, "reboot.destroyed");
    if (call.definition().isPresent()) {
      d.getConnect().domainDefineXML(call.definition().get()).free();
    }
    d.create();
  }

  /**
   * Reboots the domain softly, as Nova's libvirt {@code _soft_reboot}: asks a running domain once to
   * shut down ({@code virDomainShutdown}, step {@code reboot.shutdown-requested}), polls up to
   * {@link DriverCall#softRebootTimeout()} for it to go off (then starts it, {@code virDomainCreate}) or
   * for its domain id to change (it rebooted by itself), and hard-reboots it as {@link #hardReboot}
   * when it did neither or was not running.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @return how it rebooted
   * @throws HypervisorException with {@link Code#TIMEOUT} if the call's deadline comes before the guest
   *     reacted and before the soft-reboot timeout
   */
  public RebootOutcome softReboot(String id, DriverCall call) {
    return domains.on(id, Operation.SOFT_REBOOT, "soft reboot", d -> {
      if (Domains.powerState(d) == PowerState.RUNNING && waitForGuestReboot(d, id, call)) {
        return RebootOutcome.SOFT;
      }
      LOG.info("domain {} did not react to a soft reboot; hard-rebooting it", id);
      hardReboot(d, id, call);
      return RebootOutcome.HARD;
    });
  }

  /** Asks the running guest to shut down; returns whether it went off (and was started) or rebooted in time. */
  private boolean waitForGuestReboot(Domain d, String id, DriverCall call) throws LibvirtException {
    int before = d.getID();
    try {
      d.shutdown();
    } catch (LibvirtException e) {
      if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_OPERATION_INVALID)) {
        throw e;
      }
      return false;
    }
    call.steps().onStep(id, "reboot.shutdown-requested");
    Instant own = clock.instant().plus(call.softRebootTimeout());
    Instant end = Waits.end(own, call.deadline());
    while (true) {
      if (d.isActive() == 0) {
        d.create();
        return true;
      }
      if (d.getID() != before) {
        return true;
      }
      if (!clock.instant().isBefore(end)) {
        break;
      }
      Waits.pause(clock, end);
    }
    if (end.isBefore(own)) {
      throw Waits.deadlinePassed(id, Operation.SOFT_REBOOT, "the guest to react to a soft reboot", end);
    }
    return false;
  }

  /**
   * Powers the domain off: asks for a clean shutdown ({@code virDomainShutdown}) and asks again every
   * {@link DriverCall#shutdownRetryInterval()} until it stopped or {@code timeout} passed, then
   * destroys it; a zero timeout destroys at once. Reports {@code power-off.shutdown-requested} after
   * each request.
   *
   * @param d the domain
   * @param id the UUID or name the call was given
   * @param op the operation, for a failure
   * @param timeout how long to wait for the clean shutdown
   * @param call the call's context (retry interval, deadline, steps)
   * @return how it went down
   * @throws HypervisorException with {@link Code#TIMEOUT} if the call's deadline comes before the
   *     guest went down and before the timeout
   * @throws LibvirtException if libvirt fails
   */
  StopOutcome powerOff(Domain d, String id, Operation op, Duration timeout, DriverCall call)
      throws LibvirtException {
    if (d.isActive() == 0) {
      return StopOutcome.ALREADY_OFF;
    }
    if (!timeout.isZero()) {
      Instant own = clock.instant().plus(timeout);
      Instant end = Waits.end(own, call.deadline());
      Instant nextRequest = clock.instant();
      while (true) {
        if (d.isActive() == 0) {
          return StopOutcome.CLEAN;
        }
        Instant now = clock.instant();
        if (!now.isBefore(end)) {
          break;
        }
        if (!now.isBefore(nextRequest)) {
          try {
            d.shutdown();
          } catch (LibvirtException e) {
            if (d.isActive() == 0) {
              return StopOutcome.CLEAN;
            }
            if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_OPERATION_INVALID)) {
              throw e;
            }
          }
          call.steps().onStep(id, "power-off.shutdown-requested");
          nextRequest = now.plus(call.shutdownRetryInterval());
        }
        Waits.pause(clock, end);
      }
      if (end.isBefore(own)) {
        throw Waits.deadlinePassed(id, op, "a clean shutdown", end);
      }
      LOG.info("domain {} did not shut down within {}; destroying it", id, timeout);
    }
    return destroyIfActive(d) ? StopOutcome.DESTROYED : StopOutcome.CLEAN;
  }

  /**
   * Destroys the domain if it is active.
   *
   * @param d the domain
   * @return whether this call destroyed it (false: it was off, or went off meanwhile)
   * @throws LibvirtException if libvirt fails and the domain is still active
   */
  static boolean destroyIfActive(Domain d) throws LibvirtException {
    if (d.isActive() == 0) {
      return false;
    }
    try {
      d.destroy();
      return true;
    } catch (LibvirtException e) {
      if (d.isActive() == 1) {
        throw e;
      }
      return false;
    }
  }

  /**
   * Waits until the domain reports {@code wanted}.
   *
   * @param d the domain
   * @param id the UUID or name the call was given
   * @param op the operation, for a failure
   * @param wanted the state
   * @param limit the driver's own limit
   * @param deadline the call's deadline, if any
   * @throws HypervisorException with {@link Code#TIMEOUT} if the state is not reached within the
   *     earlier of the two
   * @throws LibvirtException if libvirt fails
   */
  void waitFor(Domain d, String id, Operation op, PowerState wanted, Duration limit, Optional<Instant> deadline)
      throws LibvirtException {
    Instant own = clock.instant().plus(limit);
    Instant end = Waits.end(own, deadline);
    while (true) {
      PowerState s = Domains.powerState(d);
      if (s == wanted) {
        return;
      }
      if (!clock.instant().isBefore(end)) {
        throw new HypervisorException(Code.TIMEOUT, id, op,
            "Instance " + id + " did not reach power state " + wanted.novaName() + " within "
                + (end.isBefore(own) ? "the call's deadline " + end : limit)
                + " (it is " + s.novaName() + ")", null);
      }
      Waits.pause(clock, end);
    }
  }

  /**
   * Handles a failed pause or unpause by the state libvirt reports, not by the error (drivers report
   * this differently): returns when the domain is already in {@code done}; else fails with
   * {@link Code#OPERATION_INVALID} when it is not in {@code required}, or rethrows {@code e}.
   */
  private static void unlessAlready(LibvirtException e, Domain d, String id, Operation op, PowerState done,
      PowerState required) throws LibvirtException {
    PowerState s = Domains.powerState(d);
    if (s == done) {
      return;
    }
    if (s != required) {
      throw Domains.invalidState(id, op, s, required.novaName());
    }
    throw e;
  }
}
