package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.libvirt.LibvirtDriverOptions;
import io.github.vmlifecycle.rescue.DomainDisk;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.OperationJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rescue and unrescue of libvirt domains: a qcow2 overlay of the rescue image (and copies of a rescue
 * kernel and ramdisk) in the instance directory, a rescue definition built by the core's
 * {@link RescueDomainXml} with the original embedded, and the repair of rescue files a failed or
 * interrupted rescue left. Thread-safe: it keeps no per-call state.
 */
public final class Rescues {
  private static final Logger LOG = LoggerFactory.getLogger(Rescues.class);

  private final Domains domains;
  private final LibvirtDriverOptions options;
  private final RescueDomainXml rewriter;
  private final QemuImg qemuImg;
  private final PowerControl power;

  /** What a rescue will do, decided before anything changes. */
  private record Plan(Path dir, Path disk, Path image, String imageFormat, Optional<Path> kernel,
      Optional<Path> ramdisk, String rescueXml) {
    List<Path> files() {
      List<Path> out = new ArrayList<>(List.of(disk));
      if (kernel.isPresent() && ramdisk.isPresent()) {
        out.add(dir.resolve(RescueFiles.KERNEL));
        out.add(dir.resolve(RescueFiles.RAMDISK));
      }
      return out;
    }
  }

  /**
   * Creates rescue and unrescue.
   *
   * @param domains the domain calls
   * @param options the driver's options (URI, instance directory root, qemu-img, clock)
   * @param power powers the guest off before a rescue
   */
  public Rescues(Domains domains, LibvirtDriverOptions options, PowerControl power) {
    this.domains = domains;
    this.options = options;
    this.rewriter = RescueDomainXml.create(options.clock());
    this.qemuImg = new QemuImg(options.qemuImg());
    this.power = power;
  }

  /**
   * Rescues the domain as {@code LibvirtDriver#rescue} documents: checks everything first, powers it
   * off (the request's shutdown timeout, else the call's), writes the rescue files ahead to the journal,
   * creates them, defines the rescue definition and starts it; after a failure past the power-off it
   * restores the original definition and deletes the files, leaving the guest off.
   *
   * @param id the UUID or name
   * @param originalDefinition the definition before the rescue
   * @param request what to boot
   * @param call the call's context
   */
  public void rescue(String id, String originalDefinition, RescueRequest request, DriverCall call) {
    RescueFiles.requireDefinition(id, originalDefinition);
    if (request == null) {
      throw new InvalidInputException(id, "A rescue request is required", null);
    }
    RescueFiles.requireLocal(options.uri().orElse(null), id, Operation.RESCUE);
    domains.on(id, Operation.RESCUE, "rescue", d -> {
      Plan plan = plan(d, id, originalDefinition, request); // refuses before anything changes
      power.powerOff(d, id, Operation.RESCUE, request.shutdownTimeout().orElse(call.shutdownTimeout()), call);
      call.steps().onStep(id, "rescue.powered-off");
      OperationJournal journal = call.journal();
      journal.put(RescueFiles.NOTE, plan.files().stream().map(Path::toString).collect(Collectors.joining("\n")));
      call.steps().onStep(id, "rescue.files-noted");
      boolean defined = false;
      try {
        createFiles(plan, id);
        call.steps().onStep(id, "rescue.files-created");
        PowerControl.destroyIfActive(d);
        d.getConnect().domainDefineXML(plan.rescueXml()).free();
        defined = true;
        call.steps().onStep(id, "rescue.defined");
        d.create();
        call.steps().onStep(id, "rescue.started");
      } catch (IOException | LibvirtException | RuntimeException e) {
        undo(d, id, originalDefinition, plan.dir(), defined, journal, e);
        if (e instanceof IOException io) {
          throw new HypervisorException(Code.OPERATION_FAILED, id, Operation.RESCUE,
              "Cannot create the rescue files of instance " + id + " in " + plan.dir() + ": " + io, io);
        }
        if (e instanceof LibvirtException le) {
          throw le;
        }
        throw (RuntimeException) e;
      }
      LOG.info("rescued {} (rescue image {})", id, plan.image());
      return null;
    });
  }

  private Plan plan(Domain d, String id, String originalDefinition, RescueRequest request) throws LibvirtException {
    String uuid = d.getUUIDString().toLowerCase(Locale.ROOT);
    RescueFiles.requireSameDomain(id, originalDefinition, uuid);
    if (d.isActive() == 0 && d.hasManagedSaveImage() == 1) {
      throw new HypervisorException(Code.OPERATION_INVALID, id, Operation.RESCUE, "Cannot rescue instance " + id
          + ": it is suspended (it has a managed-save image); resume or hard-reboot it first", null);
    }
    if (rewriter.isRescueDefinition(Domains.definition(d))) {
      throw new HypervisorException(Code.OPERATION_INVALID, id, Operation.RESCUE,
          "Cannot rescue instance " + id + ": it is rescued already", null);
    }
    Path dir = options.instanceDirRoot().resolve(uuid);
    Path image;
    String imageFormat;
    if (request.image().isPresent()) {
      image = RescueFiles.requireFile(id, "rescue image", request.image().get());
      imageFormat = qemuImg.info(image, id).format();
    } else {
      DomainDisk root = rewriter.rootDisk(originalDefinition);
      if (!root.type().equals("file") || root.source().isEmpty()) {
        throw new InvalidInputException(id, "Cannot rescue instance " + id + " without a rescue image: its"
            + " root disk " + root.target() + " is not a file, so it has no backing image to boot", null);
      }
      QemuImg.Info info = qemuImg.info(Path.of(root.source().get()), id);
      if (info.backingFile().isEmpty()) {
        throw new InvalidInputException(id, "Cannot rescue instance " + id + " without a rescue image: its"
            + " root disk " + root.source().get() + " has no backing image", null);
      }
      image = RescueFiles.requireFile(id, "backing image of the root disk", info.backingFile().get());
      imageFormat = info.backingFormat().isPresent() ? info.backingFormat().get() : qemuImg.info(image, id).format();
    }
    Optional<Path> kernel = request.kernel().map(k -> RescueFiles.requireFile(id, "rescue kernel", k));
    Optional<Path> ramdisk = request.ramdisk().map(r -> RescueFiles.requireFile(id, "rescue ramdisk", r));
    List<DomainDisk> disks = rewriter.disks(originalDefinition);
    RescueFiles.requireNotOwnFile(id, "rescue image", image, disks, dir);
    kernel.ifPresent(k -> RescueFiles.requireNotOwnFile(id, "rescue kernel", k, disks, dir));
    ramdisk.ifPresent(r -> RescueFiles.requireNotOwnFile(id, "rescue ramdisk", r, disks, dir));
    Path disk = dir.resolve(RescueFiles.DISK);
    RescueXmlSpec spec = RescueXmlSpec.of(request, disk.toString(), "qcow2",
        kernel.map(k -> dir.resolve(RescueFiles.KERNEL).toString()),
        ramdisk.map(r -> dir.resolve(RescueFiles.RAMDISK).toString()));
    return new Plan(dir, disk, image, imageFormat, kernel, ramdisk, rewriter.rescue(originalDefinition, spec));
  }

  private void createFiles(Plan plan, String id) throws IOException {
    Files.createDirectories(plan.dir());
    RescueFiles.delete(plan.dir()); // never reuse a stale rescue disk
    qemuImg.createOverlay(plan.disk(), plan.image(), plan.imageFormat(), id);
    if (plan.kernel().isPresent() && plan.ramdisk().isPresent()) {
      Files.copy(plan.kernel().get(), plan.dir().resolve(RescueFiles.KERNEL), StandardCopyOption.REPLACE_EXISTING);
      Files.copy(plan.ramdisk().get(), plan.dir().resolve(RescueFiles.RAMDISK), StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Restores the original definition and deletes the rescue files after a failed rescue. */
  private static void undo(Domain d, String id, String originalDefinition, Path dir, boolean defined,
      OperationJournal journal, Exception e) {
    LOG.warn("rescue of {} failed; restoring its original definition", id);
    try {
      PowerControl.destroyIfActive(d);
      if (defined) {
        d.getConnect().domainDefineXML(originalDefinition).free();
      }
    } catch (LibvirtException ex) {
      e.addSuppressed(ex);
    }
    try {
      RescueFiles.delete(dir);
      journal.remove(RescueFiles.NOTE);
    } catch (IOException | RuntimeException ex) {
      e.addSuppressed(ex);
    }
  }

  /**
   * Leaves rescue as {@code LibvirtDriver#unrescue} documents: if the current definition is a rescue
   * definition, destroys the guest and defines the original again; starts it if it is not running;
   * deletes the rescue files and then the journal note. Each step checks what is done.
   *
   * @param id the UUID or name
   * @param originalDefinition the definition saved before the rescue
   * @param call the call's context
   */
  public void unrescue(String id, String originalDefinition, DriverCall call) {
    RescueFiles.requireDefinition(id, originalDefinition);
    RescueFiles.requireLocal(options.uri().orElse(null), id, Operation.UNRESCUE);
    domains.on(id, Operation.UNRESCUE, "unrescue", d -> {
      String uuid = d.getUUIDString().toLowerCase(Locale.ROOT);
      RescueFiles.requireSameDomain(id, originalDefinition, uuid);
      if (rewriter.isRescueDefinition(Domains.definition(d))) {
        PowerControl.destroyIfActive(d);
        if (d.hasManagedSaveImage() == 1) {
          d.managedSaveRemove();
        }
        call.steps().onStep(id, "unrescue.destroyed");
        d.getConnect().domainDefineXML(originalDefinition).free();
        call.steps().onStep(id, "unrescue.defined");
      }
      if (d.isActive() == 0) {
        d.create();
        call.steps().onStep(id, "unrescue.started");
      }
      deleteFiles(id, Operation.UNRESCUE, uuid, "Instance " + id + " left rescue, but its rescue files");
      call.steps().onStep(id, "unrescue.files-deleted");
      call.journal().remove(RescueFiles.NOTE);
      return null;
    });
  }

  /**
   * Deletes this instance's rescue files when the journal notes them and its definition is not a
   * rescue definition, then removes the note.
   *
   * @param d the domain
   * @param id the UUID or name
   * @param journal the instance's durable notes
   * @throws HypervisorException with {@link Code#UNSUPPORTED} for a URI naming another host,
   *     {@link Code#OPERATION_FAILED} if the files cannot be deleted
   * @throws LibvirtException if libvirt fails
   */
  public void repair(Domain d, String id, OperationJournal journal) throws LibvirtException {
    if (journal.get(RescueFiles.NOTE).isEmpty() || rewriter.isRescueDefinition(Domains.definition(d))) {
      return;
    }
    RescueFiles.requireLocal(options.uri().orElse(null), id, Operation.UNRESCUE);
    String uuid = d.getUUIDString().toLowerCase(Locale.ROOT);
    RescueFiles.foreignEntries(journal.get(RescueFiles.NOTE).get(), options.instanceDirRoot().resolve(uuid))
        .forEach(why -> LOG.warn("Instance {}: {}", id, why));
    deleteFiles(id, null, uuid, "The rescue files of instance " + id);
    journal.remove(RescueFiles.NOTE);
  }

  private void deleteFiles(String id, Operation op, String uuid, String failure) {
    try {
      RescueFiles.delete(options.instanceDirRoot().resolve(uuid));
    } catch (IOException e) {
      throw new HypervisorException(Code.OPERATION_FAILED, id, op, failure + " could not be deleted: " + e, e);
    }
  }

  /**
   * Returns the original definition embedded in a rescue definition.
   *
   * @param definition the domain's current definition
   * @return the original, or empty when it is not a rescue definition
   */
  public Optional<String> embeddedOriginal(String definition) {
    return rewriter.embeddedOriginal(definition);
  }
}
