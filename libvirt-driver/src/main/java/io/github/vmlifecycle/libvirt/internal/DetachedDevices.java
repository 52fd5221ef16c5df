package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.spi.JournalEntries;
import io.github.vmlifecycle.spi.OperationJournal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PCI host devices and SR-IOV direct interfaces a managed save cannot keep: detached from the live
 * domain before the save and attached again after the restore. Which ones were detached is written
 * ahead to the journal (note {@value #NOTE}) and to the domain's own metadata (namespace
 * {@link DomainXml#SUSPEND_NS}) before anything is detached, so a crash in between loses nothing.
 * Stateless and thread-safe.
 */
public final class DetachedDevices {
  private static final Logger LOG = LoggerFactory.getLogger(DetachedDevices.class);

  /** Journal note: the devices detached for a save, as the suspend metadata element. */
  static final String NOTE = "suspend.detached";
  /** The root elements of the devices a suspend detaches: PCI host devices and SR-IOV interfaces. */
  static final Set<String> DEVICE_ROOTS = Set.of("hostdev", "interface");

  private DetachedDevices() {}

  /**
   * Detaches the devices (live), remembering them first; on failure re-attaches what was detached and
   * forgets them again.
   *
   * @param d the running domain
   * @param id the UUID or name the call was given
   * @param devices the devices' XML
   * @param journal the instance's durable notes
   * @return the devices detached
   * @throws LibvirtException if a device cannot be detached (nothing stays changed)
   */
  static List<String> detach(Domain d, String id, List<String> devices, OperationJournal journal)
      throws LibvirtException {
    if (devices.isEmpty()) {
      return List.of();
    }
    String metadata = DomainXml.suspendMetadata(devices);
    journal.put(NOTE, metadata);
    d.setMetadata(Domain.MetadataType.ELEMENT, metadata, DomainXml.SUSPEND_PREFIX, DomainXml.SUSPEND_NS,
        Domain.ModificationImpact.CONFIG);
    List<String> done = new ArrayList<>();
    try {
      for (String dev : devices) {
        d.detachDeviceFlags(dev, Domain.ModificationImpact.LIVE);
        done.add(dev);
      }
    } catch (LibvirtException | RuntimeException e) {
      reattach(d, id, done, false, journal);
      forget(d, journal);
      throw e;
    }
    LOG.info("detached {} passthrough device(s) from {} before saving it", done.size(), id);
    return done;
  }

  /**
   * Attaches devices again (live), then forgets them.
   *
   * @param d the running domain
   * @param id the UUID or name the call was given
   * @param devices the devices' XML
   * @param strict whether a failure is thrown (remembering them all, so that a retry attaches the
   *     rest) rather than logged
   * @param journal the instance's durable notes
   * @throws LibvirtException if {@code strict} and a device cannot be attached
   */
  static void reattach(Domain d, String id, List<String> devices, boolean strict, OperationJournal journal)
      throws LibvirtException {
    for (String dev : devices) {
      try {
        d.attachDeviceFlags(dev, Domain.ModificationImpact.LIVE);
      } catch (LibvirtException e) {
        if (strict) {
          throw e;
        }
        LOG.warn("could not re-attach a device to {}: {}", id, Connections.message(e));
      }
    }
    if (!devices.isEmpty()) {
      clearMetadata(d);
    }
    journal.remove(NOTE);
  }

  /**
   * Returns the devices a suspend detached: from the journal, else from the domain's metadata.
   *
   * @param d the domain
   * @param journal the instance's durable notes
   * @return the devices' XML, in the order they were detached
   * @throws LibvirtException if libvirt fails
   */
  static List<String> of(Domain d, OperationJournal journal) throws LibvirtException {
    Optional<String> noted = journal.get(NOTE);
    List<String> devices = noted.isPresent() ? DomainXml.detachedDevices(noted.get()) : remembered(d);
    devices.forEach(dev -> JournalEntries.device(NOTE, dev, DEVICE_ROOTS));
    return devices;
  }

  /**
   * Forgets the detached devices, in the metadata and the journal, without attaching them (a cold
   * boot attaches them from the definition).
   *
   * @param d the domain
   * @param journal the instance's durable notes
   * @throws LibvirtException if libvirt fails
   */
  static void forget(Domain d, OperationJournal journal) throws LibvirtException {
    clearMetadata(d);
    journal.remove(NOTE);
  }

  /**
   * Deals with devices a save that did not complete left detached: an active domain gets them back
   * (a device that cannot be attached is logged); a stopped domain without saved memory gets none back
   * (they were detached from the live domain only, so its next boot has them) but they are forgotten;
   * a domain with saved memory keeps them noted for its resume.
   *
   * @param d the domain
   * @param id the UUID or name the call was given
   * @param journal the instance's durable notes
   * @throws LibvirtException if libvirt fails
   */
  public static void repair(Domain d, String id, OperationJournal journal) throws LibvirtException {
    if (journal.get(NOTE).isEmpty()) {
      return;
    }
    if (d.isActive() == 1) {
      reattach(d, id, of(d, journal), false, journal);
    } else if (d.hasManagedSaveImage() != 1) {
      forget(d, journal);
    }
  }

  private static List<String> remembered(Domain d) throws LibvirtException {
    try {
      return DomainXml.detachedDevices(d.getMetadata(
          Domain.MetadataType.ELEMENT, DomainXml.SUSPEND_NS, Domain.ModificationImpact.CONFIG));
    } catch (LibvirtException e) {
      if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA)) {
        return List.of();
      }
      throw e;
    }
  }

  private static void clearMetadata(Domain d) throws LibvirtException {
    if (!remembered(d).isEmpty()) {
      d.setMetadata(Domain.MetadataType.ELEMENT, null, null, DomainXml.SUSPEND_NS,
          Domain.ModificationImpact.CONFIG);
    }
  }
}
