package io.github.vmlifecycle.libvirt;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.rescue.DomainDisk;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.internal.InstanceRefs;
import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverEventListener;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.spi.OperationJournal;
import io.github.vmlifecycle.spi.ProgressListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEventType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HypervisorDriver} over libvirt (libvirt-java 0.5.4 through JNA): QEMU/KVM on this host
 * ({@code qemu:///system}, {@code qemu:///session}) or a remote one ({@code qemu+tcp://},
 * {@code qemu+ssh://}), and libvirt's test driver ({@code test:///...}).
 *
 * <p>Instances are libvirt domains, addressed by UUID (any case) or name. Pause is
 * {@code virDomainSuspend}; unpause is {@code virDomainResume} followed by a best-effort guest clock
 * sync through the guest agent; suspend detaches PCI host devices and SR-IOV direct interfaces
 * (remembered in the domain's own metadata so that a crash loses nothing), refuses when mediated
 * devices are attached, then does a managed save; resume starts the domain from its managed-save
 * image, waits for RUNNING and re-attaches the devices. Suspend and resume report progress from
 * {@code virDomainGetJobInfo}, polled on a second connection. Rescue boots a qcow2 overlay of the
 * rescue image (made in {@code <instanceDirRoot>/<uuid>/disk.rescue}) with the instance's root disk
 * behind it, through the core's {@link RescueDomainXml}; the original definition travels inside the
 * rescue definition's metadata.
 *
 * <p>Create one with {@link #connect(LibvirtDriverOptions)} or {@link #connect(String)}. The driver
 * keeps one libvirt connection for operations and events (with keepalive on remote URIs) and reopens
 * it on the next call after it died. Failures are {@link HypervisorException}s whose {@link Code} is
 * derived from libvirt's error number (never its message), with the {@code LibvirtException} as
 * cause; a missing domain is an {@link InstanceNotFoundException}.
 *
 * <p>Thread-safe: operations on different instances may run concurrently; each looks up its own
 * {@code Domain} handle and frees it.
 */
public final class LibvirtDriver implements HypervisorDriver {
  private static final Logger LOG = LoggerFactory.getLogger(LibvirtDriver.class);
  private static final Duration POLL = Duration.ofMillis(50);

  private static final String RESCUE_DISK = "disk.rescue";
  private static final String RESCUE_KERNEL = "kernel.rescue";
  private static final String RESCUE_RAMDISK = "ramdisk.rescue";
  /** Journal note: the devices detached for a save, as the suspend metadata element. */
  static final String SUSPEND_NOTE = "suspend.detached";
  /** Journal note: the rescue files about to be or being created, one path per line. */
  static final String RESCUE_NOTE = "rescue.files";

  private final LibvirtDriverOptions options;
  private final Clock clock;
  private final RescueDomainXml rewriter;
  private final QemuImg qemuImg;
  private final Connections connections;
  private final List<DriverEventListener> listeners = new CopyOnWriteArrayList<>();
  // the connection whose driver answered VIR_ERR_NO_SUPPORT to qemuAgentCommand (compared by identity)
  private volatile Connect agentUnsupportedOn;

  LibvirtDriver(LibvirtDriverOptions options, Connections.Opener opener) {
    this.options = Objects.requireNonNull(options, "options");
    this.clock = options.clock();
    this.rewriter = RescueDomainXml.create(clock);
    this.qemuImg = new QemuImg(options.qemuImg());
    this.connections = new Connections(options, opener, this::registerEvents);
  }

  /**
   * Connects to libvirt as the options say.
   *
   * @param options the options
   * @return a connected driver; close it when done
   * @throws HypervisorException with {@link Code#CONNECTION} if libvirt cannot be reached (daemon not
   *     running, wrong URI, refused authentication) or its native library cannot be loaded
   */
  public static LibvirtDriver connect(LibvirtDriverOptions options) {
    return connect(options, Connect::new);
  }

  /**
   * Connects to libvirt at a URI with default options.
   *
   * @param uri the URI, such as {@code qemu:///system}; null for libvirt's default
   * @return a connected driver; close it when done
   * @throws HypervisorException with {@link Code#CONNECTION} if libvirt cannot be reached or its
   *     native library cannot be loaded
   */
  public static LibvirtDriver connect(String uri) {
    return connect(LibvirtDriverOptions.builder().uri(uri).build());
  }

  static LibvirtDriver connect(LibvirtDriverOptions options, Connections.Opener opener) {
    LibvirtDriver driver = new LibvirtDriver(options, opener);
    try {
      driver.connections.main();
    } catch (RuntimeException e) {
      driver.close();
      throw e;
    }
    return driver;
  }

  /**
   * Returns the options this driver was made with.
   *
   * @return the options
   */
  public LibvirtDriverOptions options() {
    return options;
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /**
   * Lists every domain, active or not, with its power state, managed-save image and rescue flag.
   *
   * @return the instances, in no particular order
   * @throws HypervisorException if libvirt cannot be reached or fails
   */
  @Override
  public List<DriverInstance> list() {
    Connect c = connections.main();
    Domain[] all;
    try {
      all = c.listAllDomains(0);
    } catch (LibvirtException e) {
      throw fail(e, null, null, "list domains", c);
    }
    List<DriverInstance> out = new ArrayList<>(all.length);
    RuntimeException failure = null;
    for (Domain d : all) {
      try {
        if (failure == null) {
          out.add(describe(d));
        }
      } catch (LibvirtException e) {
        if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) { // one that vanished meanwhile
          failure = fail(e, null, null, "describe a domain", c);
        }
      } finally {
        free(d);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return List.copyOf(out);
  }

  /**
   * Looks up one domain by UUID (any case) or name.
   *
   * @param idOrName the UUID or name
   * @return the instance, or empty when there is none
   * @throws InvalidInputException if {@code idOrName} is null or blank
   * @throws HypervisorException if libvirt cannot be reached or fails
   */
  @Override
  public Optional<DriverInstance> find(String idOrName) {
    try {
      return Optional.of(onDomain(idOrName, null, "describe", this::describe));
    } catch (InstanceNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Returns the domain's persistent definition: the inactive XML with secure attributes
   * ({@code VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE}).
   *
   * @param id the UUID or name
   * @return the XML
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException if libvirt fails
   */
  @Override
  public String definition(String id) {
    return onDomain(id, null, "read the definition of",
        d -> d.getXMLDesc(Domain.XMLFlags.INACTIVE | Domain.XMLFlags.SECURE));
  }

  // ---------------------------------------------------------------------------------------------
  // Pause / unpause

  /**
   * Pauses the domain's vCPUs ({@code virDomainSuspend}); a paused domain stays as it is.
   *
   * @param id the UUID or name
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if the domain is not running, or
   *     another code if libvirt fails
   */
  @Override
  public void pause(String id) {
    onDomain(id, Operation.PAUSE, "pause", d -> {
      try {
        d.suspend();
      } catch (LibvirtException e) {
        // Decide on the state libvirt reports, not on the error (drivers report this differently).
        PowerState s = powerState(d);
        if (s == PowerState.PAUSED) {
          return null;
        }
        requireState(id, Operation.PAUSE, s, PowerState.RUNNING);
        throw e;
      }
      return null;
    });
  }

  /**
   * Resumes the domain's vCPUs ({@code virDomainResume}), then sets the guest clock through the guest
   * agent (best effort: without an agent nothing happens); a running domain stays as it is.
   *
   * @param id the UUID or name
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if the domain is not paused, or
   *     another code if libvirt fails
   */
  @Override
  public void unpause(String id) {
    onDomain(id, Operation.UNPAUSE, "unpause", d -> {
      try {
        d.resume();
      } catch (LibvirtException e) {
        PowerState s = powerState(d);
        if (s == PowerState.RUNNING) {
          return null;
        }
        requireState(id, Operation.UNPAUSE, s, PowerState.PAUSED);
        throw e;
      }
      syncGuestTime(d);
      return null;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Suspend / resume

  /**
   * Saves the domain's memory to a managed-save image and stops it ({@code virDomainManagedSave}).
   * PCI host devices and SR-IOV direct interfaces are detached first (and listed in the domain's
   * metadata, namespace {@code https://vmlifecycle.github.io/xmlns/suspend/1}, for resume); if the
   * save fails they are attached again. A domain already stopped with an image stays as it is.
   *
   * @param id the UUID or name
   * @param progress receives bytes written and the total while the save runs (may be null)
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#UNSUPPORTED} if mediated devices (vGPUs) are
   *     attached, or a device cannot be detached (nothing is changed); {@link Code#OPERATION_INVALID}
   *     if the domain is not running; another code if libvirt fails
   */
  @Override
  public void suspend(String id, ProgressListener progress) {
    suspend(id, progress, OperationJournal.inMemory());
  }

  /**
   * Suspends as {@link #suspend(String, ProgressListener)}, writing the devices it is about to detach
   * to {@code journal} (note {@code suspend.detached}) before it detaches them; the note stays for
   * resume.
   *
   * @param id the UUID or name
   * @param progress receives bytes written and the total while the save runs (may be null)
   * @param journal the instance's durable notes
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException as {@link #suspend(String, ProgressListener)}
   */
  @Override
  public void suspend(String id, ProgressListener progress, OperationJournal journal) {
    Objects.requireNonNull(journal, "journal");
    ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
    onDomain(id, Operation.SUSPEND, "suspend", d -> {
      if (d.isActive() == 0) {
        if (d.hasManagedSaveImage() == 1) {
          return null;
        }
        throw invalidState(id, Operation.SUSPEND, powerState(d), "running");
      }
      DomainXml.PassthroughDevices devices = DomainXml.passthroughDevices(d.getXMLDesc(0));
      if (!devices.mediated().isEmpty()) {
        throw new HypervisorException(Code.UNSUPPORTED, id, Operation.SUSPEND,
            "Cannot suspend instance " + id + ": it has " + devices.mediated().size()
                + " mediated device(s) (vGPU) attached, which libvirt cannot save; nothing was changed",
            null);
      }
      List<String> detached = detachForSave(d, id, devices.detachable(), journal);
      step(id, "suspend.devices-detached");
      try (ProgressPoller poller = poll(d, listener)) {
        d.managedSave();
        reportDone(d, listener, poller);
        step(id, "suspend.saved");
      } catch (LibvirtException | RuntimeException e) {
        reattach(d, id, detached, false, journal);
        throw e;
      }
      return null;
    });
  }

  /**
   * Starts the domain from its managed-save image ({@code virDomainCreate} restores it), resumes its
   * vCPUs if it had been saved paused, waits until it reports RUNNING, re-attaches the devices suspend
   * detached, and sets the guest clock (best effort).
   * A domain that runs already only gets its remembered devices back.
   *
   * @param id the UUID or name
   * @param progress receives bytes read and the total where libvirt reports them (may be null)
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if the domain is stopped without a
   *     managed-save image, {@link Code#TIMEOUT} if it does not report RUNNING within
   *     {@link LibvirtDriverOptions#resumeWaitTimeout()}, another code if libvirt fails
   */
  @Override
  public void resume(String id, ProgressListener progress) {
    resume(id, progress, OperationJournal.inMemory());
  }

  /**
   * Resumes as {@link #resume(String, ProgressListener)}, re-attaching the devices listed in
   * {@code journal} (note {@code suspend.detached}, else the domain's metadata) and then removing the
   * note.
   *
   * @param id the UUID or name
   * @param progress receives bytes read and the total where libvirt reports them (may be null)
   * @param journal the instance's durable notes
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException as {@link #resume(String, ProgressListener)}
   */
  @Override
  public void resume(String id, ProgressListener progress, OperationJournal journal) {
    Objects.requireNonNull(journal, "journal");
    ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
    onDomain(id, Operation.RESUME, "resume", d -> {
      if (d.isActive() == 0) {
        if (d.hasManagedSaveImage() != 1) {
          throw new HypervisorException(Code.OPERATION_INVALID, id, Operation.RESUME,
              "Cannot resume instance " + id + ": it is stopped and has no managed-save image", null);
        }
        try (ProgressPoller poller = poll(d, listener)) {
          d.create();
          reportDone(d, listener, poller);
        }
        step(id, "resume.restored");
        if (powerState(d) == PowerState.PAUSED) {
          d.resume(); // it was saved while paused; libvirt restores it paused
        }
        waitFor(d, id, Operation.RESUME, PowerState.RUNNING, options.resumeWaitTimeout());
        step(id, "resume.running");
        syncGuestTime(d);
      }
      reattach(d, id, detachedOf(d, journal), true, journal);
      step(id, "resume.devices-attached");
      return null;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Stop / start / hard reboot

  /**
   * Powers the domain off: sends a clean shutdown request ({@code virDomainShutdown}) and re-sends it
   * every {@link LibvirtDriverOptions#shutdownRetryInterval()} until the domain stopped or
   * {@code shutdownTimeout} passed, then destroys it. A zero timeout destroys at once. A stopped
   * domain stays as it is.
   *
   * @param id the UUID or name
   * @param shutdownTimeout how long to wait for the clean shutdown
   * @throws InvalidInputException if the timeout is null or negative
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException if libvirt fails
   */
  @Override
  public void stop(String id, Duration shutdownTimeout) {
    if (shutdownTimeout == null || shutdownTimeout.isNegative()) {
      throw new InvalidInputException(id, "The shutdown timeout must be zero or positive, got "
          + shutdownTimeout, null);
    }
    onDomain(id, Operation.STOP, "stop", d -> {
      powerOff(d, shutdownTimeout);
      step(id, "stop.off");
      return null;
    });
  }

  /**
   * Starts the stopped domain from its definition ({@code virDomainCreate}).
   *
   * @param id the UUID or name
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if it is running, another code if
   *     libvirt fails
   */
  @Override
  public void start(String id) {
    onDomain(id, Operation.START, "start", d -> {
      if (d.isActive() == 1) {
        throw invalidState(id, Operation.START, powerState(d), "stopped");
      }
      d.create();
      return null;
    });
  }

  /**
   * Destroys the domain if it is active, discards its managed-save image if it has one (and the
   * devices a suspend remembered: the cold boot attaches them from the definition), and starts it.
   *
   * @param id the UUID or name
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException if libvirt fails
   */
  @Override
  public void hardReboot(String id) {
    hardReboot(id, OperationJournal.inMemory());
  }

  /**
   * Hard-reboots as {@link #hardReboot(String)}, removing the note {@code suspend.detached} from
   * {@code journal} once the saved memory is discarded.
   *
   * @param id the UUID or name
   * @param journal the instance's durable notes
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException if libvirt fails
   */
  @Override
  public void hardReboot(String id, OperationJournal journal) {
    Objects.requireNonNull(journal, "journal");
    onDomain(id, Operation.HARD_REBOOT, "hard reboot", d -> {
      destroyIfActive(d);
      if (d.hasManagedSaveImage() == 1) {
        d.managedSaveRemove();
      }
      clearRemembered(d);
      journal.remove(SUSPEND_NOTE);
      step(id, "reboot.destroyed");
      d.create();
      return null;
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Rescue

  /**
   * Rescues the domain. Checks everything first (nothing changes when a check fails): the domain is
   * not suspended and not already rescued, {@code originalDefinition} is this domain's, the rescue
   * image (the request's, else the root disk's backing image read with {@code qemu-img info}) and the
   * rescue kernel and ramdisk exist, and the rescue definition can be built. Then it powers the guest
   * off (as {@link #stop}, with the request's shutdown timeout or
   * {@link LibvirtDriverOptions#defaultShutdownTimeout()}), creates in
   * {@code <instanceDirRoot>/<uuid>/} the rescue boot disk {@code disk.rescue} (a qcow2 overlay of the
   * rescue image, which is never written; a stale one is replaced) and copies of the kernel and
   * ramdisk ({@code kernel.rescue}, {@code ramdisk.rescue}), defines the rescue definition (which
   * embeds the original) and starts it. If a step after the power-off fails, the original definition
   * is defined again, the rescue files are deleted and the guest stays off.
   *
   * @param id the UUID or name
   * @param originalDefinition the definition returned by {@link #definition} before the rescue
   * @param request what to boot
   * @throws InvalidInputException if the definition is not this domain's, a file is missing, no
   *     rescue image is given and the root disk has no backing image, or the rewriter refuses the
   *     definition (an {@code InvalidDomainXmlException} with its reason)
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if the domain is suspended or
   *     already rescued, {@link Code#UNSUPPORTED} for a URI naming another host (the rescue files are
   *     made on this one), another code if libvirt or qemu-img fails
   */
  @Override
  public void rescue(String id, String originalDefinition, RescueRequest request) {
    rescue(id, originalDefinition, request, OperationJournal.inMemory());
  }

  /**
   * Rescues as {@link #rescue(String, String, RescueRequest)}, writing the paths of the rescue files
   * to {@code journal} (note {@code rescue.files}) before it creates them; the note stays for unrescue
   * and is removed when a failed rescue deleted them again.
   *
   * @param id the UUID or name
   * @param originalDefinition the definition returned by {@link #definition} before the rescue
   * @param request what to boot
   * @param journal the instance's durable notes
   * @throws InvalidInputException as {@link #rescue(String, String, RescueRequest)}
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException as {@link #rescue(String, String, RescueRequest)}
   */
  @Override
  public void rescue(String id, String originalDefinition, RescueRequest request, OperationJournal journal) {
    Objects.requireNonNull(journal, "journal");
    requireDefinition(id, originalDefinition);
    if (request == null) {
      throw new InvalidInputException(id, "A rescue request is required", null);
    }
    requireLocal(id, Operation.RESCUE);
    onDomain(id, Operation.RESCUE, "rescue", d -> {
      String uuid = d.getUUIDString().toLowerCase(Locale.ROOT);
      requireSameDomain(id, originalDefinition, uuid);
      if (d.isActive() == 0 && d.hasManagedSaveImage() == 1) {
        throw new HypervisorException(Code.OPERATION_INVALID, id, Operation.RESCUE,
            "Cannot rescue instance " + id + ": it is suspended (it has a managed-save image); resume or"
                + " hard-reboot it first", null);
      }
      if (rewriter.isRescueDefinition(d.getXMLDesc(Domain.XMLFlags.INACTIVE | Domain.XMLFlags.SECURE))) {
        throw new HypervisorException(Code.OPERATION_INVALID, id, Operation.RESCUE,
            "Cannot rescue instance " + id + ": it is rescued already", null);
      }
      Path dir = instanceDir(uuid);
      Path image;
      String imageFormat;
      if (request.image().isPresent()) {
        image = requireFile(id, "rescue image", request.image().get());
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
        image = requireFile(id, "backing image of the root disk", info.backingFile().get());
        imageFormat = info.backingFormat().isPresent() ? info.backingFormat().get()
            : qemuImg.info(image, id).format();
      }
      Optional<Path> kernel = request.kernel().map(k -> requireFile(id, "rescue kernel", k));
      Optional<Path> ramdisk = request.ramdisk().map(r -> requireFile(id, "rescue ramdisk", r));
      requireNotOwnFile(id, "rescue image", image, originalDefinition, dir);
      kernel.ifPresent(k -> requireNotOwnFile(id, "rescue kernel", k, originalDefinition, dir));
      ramdisk.ifPresent(r -> requireNotOwnFile(id, "rescue ramdisk", r, originalDefinition, dir));
      Path disk = dir.resolve(RESCUE_DISK);
      RescueXmlSpec spec = RescueXmlSpec.of(request, disk.toString(), "qcow2",
          kernel.map(k -> dir.resolve(RESCUE_KERNEL).toString()),
          ramdisk.map(r -> dir.resolve(RESCUE_RAMDISK).toString()));
      String rescueXml = rewriter.rescue(originalDefinition, spec); // refuses before anything changes

      powerOff(d, request.shutdownTimeout().orElse(options.defaultShutdownTimeout()));
      step(id, "rescue.powered-off");
      List<Path> created = new ArrayList<>(List.of(disk));
      if (kernel.isPresent() && ramdisk.isPresent()) {
        created.add(dir.resolve(RESCUE_KERNEL));
        created.add(dir.resolve(RESCUE_RAMDISK));
      }
      journal.put(RESCUE_NOTE, created.stream().map(Path::toString).collect(Collectors.joining("\n")));
      step(id, "rescue.files-noted");
      boolean defined = false;
      try {
        Files.createDirectories(dir);
        deleteRescueFiles(dir); // never reuse a stale rescue disk
        qemuImg.createOverlay(disk, image, imageFormat, id);
        if (kernel.isPresent() && ramdisk.isPresent()) {
          Files.copy(kernel.get(), dir.resolve(RESCUE_KERNEL), StandardCopyOption.REPLACE_EXISTING);
          Files.copy(ramdisk.get(), dir.resolve(RESCUE_RAMDISK), StandardCopyOption.REPLACE_EXISTING);
        }
        step(id, "rescue.files-created");
        destroyIfActive(d);
        d.getConnect().domainDefineXML(rescueXml).free();
        defined = true;
        step(id, "rescue.defined");
        d.create();
        step(id, "rescue.started");
      } catch (IOException | LibvirtException | RuntimeException e) {
        LOG.warn("rescue of {} failed; restoring its original definition", id);
        try {
          destroyIfActive(d);
          if (defined) {
            d.getConnect().domainDefineXML(originalDefinition).free();
          }
        } catch (LibvirtException ex) {
          e.addSuppressed(ex);
        }
        try {
          deleteRescueFiles(dir);
          journal.remove(RESCUE_NOTE);
        } catch (IOException | RuntimeException ex) {
          e.addSuppressed(ex);
        }
        if (e instanceof IOException io) {
          throw new HypervisorException(Code.OPERATION_FAILED, id, Operation.RESCUE,
              "Cannot create the rescue files of instance " + id + " in " + dir + ": " + io, io);
        }
        if (e instanceof LibvirtException le) {
          throw le;
        }
        throw (RuntimeException) e;
      }
      LOG.info("rescued {} (rescue image {})", id, image);
      return null;
    });
  }

  /**
   * Leaves rescue: if the current definition is a rescue definition, destroys the guest and defines
   * {@code originalDefinition} again; then starts the guest if it is not running, and deletes the
   * rescue files ({@code disk.rescue}, {@code kernel.rescue}, {@code ramdisk.rescue} in the instance
   * directory) and nothing else. Safe to repeat after a partial run: each step checks what is done.
   *
   * @param id the UUID or name
   * @param originalDefinition the definition saved before the rescue
   * @throws InvalidInputException if the definition is blank or not this domain's
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#UNSUPPORTED} for a URI naming another host, another
   *     code if libvirt fails or the files cannot be deleted
   */
  @Override
  public void unrescue(String id, String originalDefinition) {
    unrescue(id, originalDefinition, OperationJournal.inMemory());
  }

  /**
   * Unrescues as {@link #unrescue(String, String)} and removes the note {@code rescue.files} from
   * {@code journal} once the rescue files are deleted. Only this instance's rescue files are ever
   * deleted, whatever the note lists.
   *
   * @param id the UUID or name
   * @param originalDefinition the definition saved before the rescue
   * @param journal the instance's durable notes
   * @throws InvalidInputException if the definition is blank or not this domain's
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException as {@link #unrescue(String, String)}
   */
  @Override
  public void unrescue(String id, String originalDefinition, OperationJournal journal) {
    Objects.requireNonNull(journal, "journal");
    requireDefinition(id, originalDefinition);
    requireLocal(id, Operation.UNRESCUE);
    onDomain(id, Operation.UNRESCUE, "unrescue", d -> {
      String uuid = d.getUUIDString().toLowerCase(Locale.ROOT);
      requireSameDomain(id, originalDefinition, uuid);
      if (rewriter.isRescueDefinition(d.getXMLDesc(Domain.XMLFlags.INACTIVE | Domain.XMLFlags.SECURE))) {
        destroyIfActive(d);
        if (d.hasManagedSaveImage() == 1) {
          d.managedSaveRemove();
        }
        step(id, "unrescue.destroyed");
        d.getConnect().domainDefineXML(originalDefinition).free();
        step(id, "unrescue.defined");
      }
      if (d.isActive() == 0) {
        d.create();
        step(id, "unrescue.started");
      }
      try {
        deleteRescueFiles(instanceDir(uuid));
      } catch (IOException e) {
        throw new HypervisorException(Code.OPERATION_FAILED, id, Operation.UNRESCUE,
            "Instance " + id + " left rescue, but its rescue files could not be deleted: " + e, e);
      }
      step(id, "unrescue.files-deleted");
      journal.remove(RESCUE_NOTE);
      return null;
    });
  }

  /**
   * Undoes what an interrupted operation left behind, as {@code journal} records it: deletes this
   * instance's rescue files when its definition is not a rescue definition, and re-attaches the
   * devices detached for a save when the domain is still active (the save did not happen; a device
   * that cannot be attached is logged). A stopped domain without saved memory gets no device back
   * (they were detached from the live domain only, so its next boot has them), but the note is
   * dropped. Removes each note it dealt with. Idempotent.
   *
   * @param id the UUID or name
   * @param journal the instance's durable notes
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException if libvirt fails or the files cannot be deleted
   */
  @Override
  public void repair(String id, OperationJournal journal) {
    Objects.requireNonNull(journal, "journal");
    if (journal.entries().isEmpty()) {
      return;
    }
    onDomain(id, null, "repair", d -> {
      String uuid = d.getUUIDString().toLowerCase(Locale.ROOT);
      if (journal.get(RESCUE_NOTE).isPresent()
          && !rewriter.isRescueDefinition(d.getXMLDesc(Domain.XMLFlags.INACTIVE | Domain.XMLFlags.SECURE))) {
        requireLocal(id, Operation.UNRESCUE);
        try {
          deleteRescueFiles(instanceDir(uuid));
        } catch (IOException e) {
          throw new HypervisorException(Code.OPERATION_FAILED, id, null,
              "The rescue files of instance " + id + " could not be deleted: " + e, e);
        }
        journal.remove(RESCUE_NOTE);
      }
      if (journal.get(SUSPEND_NOTE).isPresent()) {
        if (d.isActive() == 1) {
          reattach(d, id, detachedOf(d, journal), false, journal);
        } else if (d.hasManagedSaveImage() != 1) {
          clearRemembered(d);
          journal.remove(SUSPEND_NOTE);
        }
      }
      return null;
    });
  }

  /**
   * Returns the original definition embedded in the domain's current (persistent) definition.
   *
   * @param id the UUID or name
   * @return the original exactly as given to {@link #rescue}, or empty when the current definition is
   *     not a rescue definition
   * @throws InstanceNotFoundException if there is no such domain
   * @throws InvalidInputException if the embedded original is damaged
   * @throws HypervisorException if libvirt fails
   */
  @Override
  public Optional<String> embeddedOriginalDefinition(String id) {
    return rewriter.embeddedOriginal(definition(id));
  }

  private Path instanceDir(String uuid) {
    return options.instanceDirRoot().resolve(uuid);
  }

  private static void deleteRescueFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return; // no instance directory, so no rescue file
    }
    for (String f : List.of(RESCUE_DISK, RESCUE_KERNEL, RESCUE_RAMDISK)) {
      Files.deleteIfExists(dir.resolve(f));
    }
  }

  private static void requireDefinition(String id, String definition) {
    if (definition == null || definition.isBlank()) {
      throw new InvalidInputException(id, "The original definition of instance " + id + " is required", null);
    }
  }

  private static void requireSameDomain(String id, String definition, String uuid) {
    String other = DomainXml.uuid(definition).toLowerCase(Locale.ROOT);
    if (!other.equals(uuid)) {
      throw new InvalidInputException(id, "The original definition given for instance " + id
          + " is not its own: it has UUID '" + other + "', the domain " + uuid, null);
    }
  }

  private static Path requireFile(String id, String what, String path) {
    Path p = Path.of(path);
    if (!p.isAbsolute() || !(Files.isRegularFile(p) || path.startsWith("/dev/") && Files.exists(p))) {
      throw new InvalidInputException(id, "The " + what + " '" + path + "' of instance " + id
          + " is not an existing file (an absolute path on the hypervisor host is expected)", null);
    }
    return p;
  }

  /**
   * Refuses a rescue input that is the same file (through any link) as one of the instance's disks
   * other than a cdrom, which the rescue attaches read-write, or as one of its rescue files, which the
   * rescue deletes and re-creates.
   */
  private void requireNotOwnFile(String id, String what, Path file, String definition, Path instanceDir) {
    List<Path> own = new ArrayList<>();
    for (DomainDisk disk : rewriter.disks(definition)) {
      if (!disk.device().equals("cdrom") && (disk.type().equals("file") || disk.type().equals("block"))) {
        disk.source().ifPresent(source -> own.add(Path.of(source)));
      }
    }
    List<Path> rescueFiles = List.of(RESCUE_DISK, RESCUE_KERNEL, RESCUE_RAMDISK).stream()
        .map(instanceDir::resolve).toList();
    own.addAll(rescueFiles);
    for (Path p : own) {
      boolean same;
      try {
        same = Files.exists(p) ? Files.isSameFile(file, p) : file.normalize().equals(p.normalize());
      } catch (IOException e) {
        same = file.normalize().equals(p.normalize());
      }
      if (same) {
        throw new InvalidInputException(id, "The " + what + " '" + file + "' of instance " + id + " is "
            + (rescueFiles.contains(p) ? "its own rescue file " : "its own disk ") + p
            + "; a rescue boots another image and attaches the instance's disk to it", null);
      }
    }
  }

  private void requireLocal(String id, Operation op) {
    if (!isLocalUri(options.uri().orElse(null))) {
      throw new HypervisorException(Code.UNSUPPORTED, id, op, "Cannot " + op.apiName() + " instance " + id
          + " through " + options.uri().orElse("") + ": the rescue files are made on this host, and the"
          + " URI names another one", null);
    }
  }

  /**
   * Returns whether a libvirt URI reaches a hypervisor on this host: no URI (libvirt's default), no
   * host, or a loopback host.
   *
   * @param uri the URI, or null
   * @return whether it is local
   */
  static boolean isLocalUri(String uri) {
    if (uri == null) {
      return true;
    }
    try {
      String host = new java.net.URI(uri).getHost();
      return host == null || host.isEmpty() || host.equals("localhost") || host.equals("127.0.0.1")
          || host.equals("[::1]") || host.equals("::1");
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Events and lifecycle

  /**
   * Registers a listener for libvirt's domain lifecycle events on this driver's connection (and on
   * the connections that replace it after a reconnect; events during the outage are lost). libvirt's
   * native callback is registered only while at least one listener is subscribed, so a driver nobody
   * listens to pays nothing per event.
   *
   * @param listener the listener, called on libvirt's event-loop thread
   * @return a handle whose {@code close()} unregisters the listener
   */
  @Override
  public AutoCloseable subscribe(DriverEventListener listener) {
    Objects.requireNonNull(listener, "listener");
    synchronized (listeners) {
      listeners.add(listener);
      if (listeners.size() == 1) {
        connections.reapplyOnOpen(); // the first listener: start receiving libvirt's events
      }
    }
    return () -> {
      synchronized (listeners) {
        if (listeners.remove(listener) && listeners.isEmpty()) {
          connections.reapplyOnOpen(); // the last one left: stop the native callbacks
        }
      }
    };
  }

  /**
   * Closes the driver's connections and forgets its listeners. Idempotent; later calls fail with
   * {@link Code#CONNECTION}.
   */
  @Override
  public void close() {
    listeners.clear();
    connections.close();
  }

  Connections connectionsForTest() {
    return connections;
  }

  /**
   * Registers the lifecycle listener on a new connection while anyone subscribes (each event costs a
   * native callback, so none is registered for nobody); returns what unregisters it.
   */
  private Runnable registerEvents(Connect c) {
    if (listeners.isEmpty()) {
      return () -> { };
    }
    org.libvirt.event.LifecycleListener listener = (domain, event) -> {
      try {
        DriverEvent.Type type = eventType(event.getType());
        if (type != null && !listeners.isEmpty()) {
          DriverEvent e = DriverEvent.builder()
              .instanceId(domain.getUUIDString().toLowerCase(Locale.ROOT))
              .type(type)
              .timestamp(clock.instant())
              .build();
          for (DriverEventListener l : listeners) {
            try {
              l.onEvent(e);
            } catch (RuntimeException ex) {
              LOG.warn("driver event listener failed on {}", e, ex);
            }
          }
        }
      } catch (LibvirtException | RuntimeException ex) {
        LOG.warn("cannot handle a libvirt lifecycle event", ex);
      } finally {
        free(domain);
      }
      return 0;
    };
    try {
      c.addLifecycleListener(listener);
    } catch (LibvirtException e) {
      LOG.warn("libvirt lifecycle events are not available: {}", Connections.message(e));
      return () -> { };
    }
    return () -> {
      try {
        c.removeLifecycleListener(listener);
      } catch (LibvirtException | RuntimeException e) {
        LOG.debug("removing the lifecycle listener failed: {}", e.getMessage());
      }
    };
  }

  static DriverEvent.Type eventType(DomainEventType t) {
    if (t == null) {
      return null;
    }
    switch (t) {
      case DEFINED: return DriverEvent.Type.DEFINED;
      case UNDEFINED: return DriverEvent.Type.UNDEFINED;
      case STARTED: return DriverEvent.Type.STARTED;
      case SUSPENDED: return DriverEvent.Type.SUSPENDED;
      case RESUMED: return DriverEvent.Type.RESUMED;
      case STOPPED: return DriverEvent.Type.STOPPED;
      case SHUTDOWN: return DriverEvent.Type.SHUTDOWN;
      case PMSUSPENDED: return DriverEvent.Type.PMSUSPENDED;
      case CRASHED: return DriverEvent.Type.CRASHED;
      default: return null;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  @FunctionalInterface
  interface DomainCall<T> {
    T apply(Domain d) throws LibvirtException;
  }

  /** Looks the domain up on the main connection, runs the call, frees the handle, maps errors. */
  <T> T onDomain(String idOrName, Operation op, String what, DomainCall<T> call) {
    String key = checkId(idOrName);
    Connect c = connections.main();
    Domain d;
    try {
      d = InstanceRefs.isUuid(key)
          ? c.domainLookupByUUIDString(key.toLowerCase(Locale.ROOT))
          : c.domainLookupByName(key);
    } catch (LibvirtException e) {
      throw fail(e, key, op, "look up", c);
    }
    try {
      return call.apply(d);
    } catch (LibvirtException e) {
      throw fail(e, key, op, what, c);
    } finally {
      free(d);
    }
  }

  private VmLifecycleException fail(LibvirtException e, String id, Operation op, String what, Connect c) {
    boolean alive = Connections.alive(c);
    if (!alive) {
      connections.invalidate(c);
    }
    return LibvirtErrors.map(e, id, op, what, alive);
  }

  private static String checkId(String idOrName) {
    if (idOrName == null || idOrName.isBlank() || idOrName.indexOf('\0') >= 0) {
      throw new InvalidInputException("An instance id or name must be non-blank text, got "
          + (idOrName == null ? "null" : "'" + idOrName.replace("\0", "\\0") + "'"));
    }
    return idOrName;
  }

  static void free(Domain d) {
    if (d != null) {
      try {
        d.free();
      } catch (LibvirtException | RuntimeException e) {
        LOG.debug("freeing a libvirt domain handle failed", e);
      }
    }
  }

  private DriverInstance describe(Domain d) throws LibvirtException {
    PowerState state = powerState(d);
    boolean active = d.isActive() == 1;
    return DriverInstance.builder()
        .id(d.getUUIDString().toLowerCase(Locale.ROOT))
        .name(d.getName())
        .powerState(state)
        .hasSavedMemory(!active && d.hasManagedSaveImage() == 1)
        .rescueDefinition(hasRescueMetadata(d))
        .build();
  }

  private static boolean hasRescueMetadata(Domain d) throws LibvirtException {
    try {
      d.getMetadata(Domain.MetadataType.ELEMENT, DomainXml.RESCUE_NS, 0);
      return true;
    } catch (LibvirtException e) {
      if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA)) {
        return false;
      }
      throw e;
    }
  }

  static PowerState powerState(Domain d) throws LibvirtException {
    return powerState(d.getInfo().state);
  }

  static PowerState powerState(DomainState s) {
    if (s == null) {
      return PowerState.NOSTATE;
    }
    switch (s) {
      case VIR_DOMAIN_RUNNING:
      case VIR_DOMAIN_BLOCKED:
        return PowerState.RUNNING;
      case VIR_DOMAIN_PAUSED:
        return PowerState.PAUSED;
      case VIR_DOMAIN_SHUTDOWN:
      case VIR_DOMAIN_SHUTOFF:
        return PowerState.SHUTDOWN;
      case VIR_DOMAIN_CRASHED:
        return PowerState.CRASHED;
      case VIR_DOMAIN_PMSUSPENDED:
        return PowerState.SUSPENDED;
      default:
        return PowerState.NOSTATE;
    }
  }

  private static void requireState(String id, Operation op, PowerState actual, PowerState wanted) {
    if (actual != wanted) {
      throw invalidState(id, op, actual, wanted.novaName());
    }
  }

  private static HypervisorException invalidState(String id, Operation op, PowerState actual, String wanted) {
    return new HypervisorException(Code.OPERATION_INVALID, id, op,
        "Cannot " + op.apiName() + " instance " + id + " while libvirt reports power state "
            + actual.novaName() + " (it must be " + wanted + ")", null);
  }

  private void powerOff(Domain d, Duration timeout) throws LibvirtException {
    if (d.isActive() == 0) {
      return;
    }
    if (!timeout.isZero()) {
      Instant deadline = clock.instant().plus(timeout);
      Instant nextRequest = clock.instant();
      while (true) {
        if (d.isActive() == 0) {
          return;
        }
        Instant now = clock.instant();
        if (!now.isBefore(deadline)) {
          break;
        }
        if (!now.isBefore(nextRequest)) {
          try {
            d.shutdown();
          } catch (LibvirtException e) {
            if (d.isActive() == 0) {
              return;
            }
            if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_OPERATION_INVALID)) {
              throw e;
            }
          }
          step(d.getName(), "power-off.shutdown-requested");
          nextRequest = now.plus(options.shutdownRetryInterval());
        }
        sleep(min(POLL, Duration.between(now, deadline)));
      }
      LOG.info("domain {} did not shut down within {}; destroying it", d.getName(), timeout);
    }
    destroyIfActive(d);
  }

  private static void destroyIfActive(Domain d) throws LibvirtException {
    if (d.isActive() == 0) {
      return;
    }
    try {
      d.destroy();
    } catch (LibvirtException e) {
      if (d.isActive() == 1) {
        throw e;
      }
    }
  }

  private void waitFor(Domain d, String id, Operation op, PowerState wanted, Duration timeout)
      throws LibvirtException {
    Instant deadline = clock.instant().plus(timeout);
    while (true) {
      PowerState s = powerState(d);
      if (s == wanted) {
        return;
      }
      Instant now = clock.instant();
      if (!now.isBefore(deadline)) {
        throw new HypervisorException(Code.TIMEOUT, id, op,
            "Instance " + id + " did not reach power state " + wanted.novaName() + " within " + timeout
                + " (it is " + s.novaName() + ")", null);
      }
      sleep(min(POLL, Duration.between(now, deadline)));
    }
  }

  private void syncGuestTime(Domain d) {
    Connect c = d.getConnect();
    if (c != null && c == agentUnsupportedOn) {
      return; // this connection's driver has no guest-agent API at all (the test driver)
    }
    Instant now = clock.instant();
    long nanos = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000_000L), now.getNano());
    try {
      d.qemuAgentCommand(
          "{\"execute\":\"guest-set-time\",\"arguments\":{\"time\":" + nanos + "}}", 2, 0);
    } catch (LibvirtException e) {
      if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_SUPPORT)) {
        agentUnsupportedOn = c;
      }
      LOG.debug("could not set the guest clock (no guest agent?): {}", Connections.message(e));
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("could not set the guest clock: {}", e.toString());
    }
  }

  private ProgressPoller poll(Domain d, ProgressListener listener) throws LibvirtException {
    return new ProgressPoller(connections, d.getUUIDString(), listener, options.progressInterval())
        .start();
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

  /**
   * Detaches the devices that block a managed save, remembering them in the persistent metadata first
   * so that a crash in between loses nothing. On failure, re-attaches what was detached.
   */
  private List<String> detachForSave(Domain d, String id, List<String> devices, OperationJournal journal)
      throws LibvirtException {
    if (devices.isEmpty()) {
      return List.of();
    }
    journal.put(SUSPEND_NOTE, DomainXml.suspendMetadata(devices));
    d.setMetadata(Domain.MetadataType.ELEMENT, DomainXml.suspendMetadata(devices),
        DomainXml.SUSPEND_PREFIX, DomainXml.SUSPEND_NS, Domain.ModificationImpact.CONFIG);
    List<String> done = new ArrayList<>();
    try {
      for (String dev : devices) {
        d.detachDeviceFlags(dev, Domain.ModificationImpact.LIVE);
        done.add(dev);
      }
    } catch (LibvirtException | RuntimeException e) {
      reattach(d, id, done, false, journal);
      clearRemembered(d);
      journal.remove(SUSPEND_NOTE);
      throw e;
    }
    LOG.info("detached {} passthrough device(s) from {} before saving it", done.size(), id);
    return done;
  }

  /** Attaches devices again (live); with {@code strict}, a failure is thrown, else logged. */
  private void reattach(Domain d, String id, List<String> devices, boolean strict, OperationJournal journal)
      throws LibvirtException {
    for (String dev : devices) {
      try {
        d.attachDeviceFlags(dev, Domain.ModificationImpact.LIVE);
      } catch (LibvirtException e) {
        if (strict) {
          throw e; // the metadata stays, so that a retry can attach the rest
        }
        LOG.warn("could not re-attach a device to {}: {}", id, Connections.message(e));
      }
    }
    if (!devices.isEmpty()) {
      clearRemembered(d);
    }
    journal.remove(SUSPEND_NOTE);
  }

  /** The devices a suspend detached: from the journal, else from the domain's metadata. */
  private static List<String> detachedOf(Domain d, OperationJournal journal) throws LibvirtException {
    Optional<String> noted = journal.get(SUSPEND_NOTE);
    return noted.isPresent() ? DomainXml.detachedDevices(noted.get()) : remembered(d);
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

  private static void clearRemembered(Domain d) throws LibvirtException {
    if (!remembered(d).isEmpty()) {
      d.setMetadata(Domain.MetadataType.ELEMENT, null, null, DomainXml.SUSPEND_NS,
          Domain.ModificationImpact.CONFIG);
    }
  }

  private void step(String id, String step) {
    options.stepListener().onStep(id, step);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(Math.max(1, d.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HypervisorException(Code.OPERATION_FAILED, null, null, "Interrupted while waiting", e);
    }
  }
}
