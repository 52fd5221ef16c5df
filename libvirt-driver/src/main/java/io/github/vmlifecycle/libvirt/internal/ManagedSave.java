package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.libvirt.LibvirtDriverOptions;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.ProgressListener;
import java.util.List;
import java.util.Locale;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Suspend and resume through libvirt's managed save: the passthrough devices a save cannot keep are
 * detached first and attached again after the restore ({@link DetachedDevices}), mediated devices make
 * suspend refuse, and progress is polled from {@code virDomainGetJobInfo} on the second connection.
 * Thread-safe: it keeps no per-call state.
 */
public final class ManagedSave {
  private static final Logger LOG = LoggerFactory.getLogger(ManagedSave.class);

  private final Domains domains;
  private final Connections connections;
  private final LibvirtDriverOptions options;
  private final PowerControl power;
  private final GuestClock guestClock;

  /**
   * Creates suspend and resume.
   *
   * @param domains the domain calls
   * @param connections the connections (the second one polls progress)
   * @param options the driver's options (progress interval, resume wait)
   * @param power waits for RUNNING after a restore
   * @param guestClock sets the guest clock after a restore
   */
  public ManagedSave(Domains domains, Connections connections, LibvirtDriverOptions options, PowerControl power,
      GuestClock guestClock) {
    this.domains = domains;
    this.connections = connections;
    this.options = options;
    this.power = power;
    this.guestClock = guestClock;
  }

  /**
   * Detaches the passthrough devices (written ahead to the journal), reports
   * {@code suspend.devices-detached}, saves ({@code virDomainManagedSave}) and reports
   * {@code suspend.saved}; if the save fails the devices are attached again. A domain already stopped
   * with an image stays as it is.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @throws HypervisorException with {@link Code#UNSUPPORTED} if mediated devices are attached or a
   *     device cannot be detached, {@link Code#OPERATION_INVALID} if the domain is not running
   */
  public void suspend(String id, DriverCall call) {
    domains.on(id, Operation.SUSPEND, "suspend", d -> {
      if (d.isActive() == 0) {
        if (d.hasManagedSaveImage() == 1) {
          return null;
        }
        throw Domains.invalidState(id, Operation.SUSPEND, Domains.powerState(d), "running");
      }
      DomainXml.PassthroughDevices devices = DomainXml.passthroughDevices(d.getXMLDesc(0));
      if (!devices.mediated().isEmpty()) {
        throw new HypervisorException(Code.UNSUPPORTED, id, Operation.SUSPEND,
            "Cannot suspend instance " + id + ": it has " + devices.mediated().size()
                + " mediated device(s) (vGPU) attached, which libvirt cannot save; nothing was changed",
            null);
      }
      List<String> detached = DetachedDevices.detach(d, id, devices.detachable(), call.journal());
      call.steps().onStep(id, "suspend.devices-detached");
      try (ProgressPoller poller = poll(d, call.progress())) {
        d.managedSave();
        reportDone(d, call.progress(), poller);
        call.steps().onStep(id, "suspend.saved");
      } catch (LibvirtException | RuntimeException e) {
        DetachedDevices.reattach(d, id, detached, false, call.journal());
        throw e;
      }
      return null;
    });
  }

  /**
   * Starts the domain from its managed-save image, resumes its vCPUs if it was saved paused, waits for
   * RUNNING (within {@link LibvirtDriverOptions#resumeWaitTimeout()} and the call's deadline),
   * re-attaches the devices the suspend detached and sets the guest clock. Reports
   * {@code resume.restored}, {@code resume.running}, {@code resume.devices-attached}. A running domain
   * only gets its remembered devices back.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if the domain is stopped without an
   *     image, {@link Code#TIMEOUT} if it does not report RUNNING in time
   */
  public void resume(String id, DriverCall call) {
    domains.on(id, Operation.RESUME, "resume", d -> {
      if (d.isActive() == 0) {
        if (d.hasManagedSaveImage() != 1) {
          throw new HypervisorException(Code.OPERATION_INVALID, id, Operation.RESUME,
              "Cannot resume instance " + id + ": it is stopped and has no managed-save image", null);
        }
        try (ProgressPoller poller = poll(d, call.progress())) {
          d.create();
          reportDone(d, call.progress(), poller);
        }
        call.steps().onStep(id, "resume.restored");
        if (Domains.powerState(d) == PowerState.PAUSED) {
          d.resume(); // it was saved while paused; libvirt restores it paused
        }
        power.waitFor(d, id, Operation.RESUME, PowerState.RUNNING, options.resumeWaitTimeout(), call.deadline());
        call.steps().onStep(id, "resume.running");
        guestClock.sync(d);
      }
      DetachedDevices.reattach(d, id, DetachedDevices.of(d, call.journal()), true, call.journal());
      call.steps().onStep(id, "resume.devices-attached");
      return null;
    });
  }

  private ProgressPoller poll(Domain d, ProgressListener listener) throws LibvirtException {
    return new ProgressPoller(connections, d.getUUIDString(), listener, options.progressInterval()).start();
  }

  /**
   * Stops the poller and reports completion: processed = total = the last total libvirt reported, or,
   * when no poll got an answer during the call (QEMU under TCG can leave the monitor unanswered for
   * the whole save), the guest's maximum memory in bytes, which is what a save writes.
   */
  private static void reportDone(Domain d, ProgressListener listener, ProgressPoller poller)
      throws LibvirtException {
    poller.close();
    long total = poller.lastTotal();
    if (total <= 0) {
      total = d.getMaxMemory() * 1024L;
    }
    if (total > 0) {
      try {
        listener.onProgress(d.getUUIDString().toLowerCase(Locale.ROOT), total, total);
      } catch (RuntimeException e) {
        LOG.warn("progress listener failed", e);
      }
    }
  }
}
