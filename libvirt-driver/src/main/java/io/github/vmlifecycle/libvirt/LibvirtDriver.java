package io.github.vmlifecycle.libvirt;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.libvirt.internal.Connections;
import io.github.vmlifecycle.libvirt.internal.DetachedDevices;
import io.github.vmlifecycle.libvirt.internal.Domains;
import io.github.vmlifecycle.libvirt.internal.GuestClock;
import io.github.vmlifecycle.libvirt.internal.LifecycleEvents;
import io.github.vmlifecycle.libvirt.internal.ManagedSave;
import io.github.vmlifecycle.libvirt.internal.PowerControl;
import io.github.vmlifecycle.libvirt.internal.Rescues;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverEventListener;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.spi.RebootOutcome;
import io.github.vmlifecycle.spi.StopOutcome;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.libvirt.Connect;

/**
 * The {@link HypervisorDriver} over libvirt (libvirt-java 0.5.4 through JNA): QEMU/KVM on this host
 * ({@code qemu:///system}, {@code qemu:///session}) or a remote one ({@code qemu+tcp://},
 * {@code qemu+ssh://}), and libvirt's test driver ({@code test:///...}).
 *
 * <p>Instances are libvirt domains, addressed by UUID (any case) or name. Pause is
 * {@code virDomainSuspend}; unpause is {@code virDomainResume} followed by a best-effort guest clock
 * sync through the guest agent; suspend detaches PCI host devices and SR-IOV direct interfaces
 * (written ahead to the journal as note {@code suspend.detached} and to the domain's own metadata, so
 * that a crash loses nothing), refuses when mediated devices are attached, then does a managed save;
 * resume starts the domain from its managed-save image, waits for RUNNING and re-attaches the devices.
 * Suspend and resume report progress from {@code virDomainGetJobInfo}, polled on a second connection.
 * Rescue boots a qcow2 overlay of the rescue image (made in {@code <instanceDirRoot>/<uuid>/disk.rescue},
 * written ahead to the journal as note {@code rescue.files}) with the instance's root disk behind it,
 * through the core's {@link RescueDomainXml}; the original definition travels inside the rescue
 * definition's metadata.
 *
 * <p>Each call reports its step boundaries to {@link DriverCall#steps()}: {@code power-off.shutdown-requested},
 * {@code stop.off}, {@code reboot.destroyed}, {@code suspend.devices-detached}, {@code suspend.saved},
 * {@code resume.restored}, {@code resume.running}, {@code resume.devices-attached},
 * {@code rescue.powered-off}, {@code rescue.files-noted}, {@code rescue.files-created},
 * {@code rescue.defined}, {@code rescue.started}, {@code unrescue.destroyed}, {@code unrescue.defined},
 * {@code unrescue.started}, {@code unrescue.files-deleted}. Every wait (for a clean shutdown, for
 * RUNNING after a restore) ends at the earlier of its own limit and {@link DriverCall#deadline()}; at
 * the deadline it fails with {@link Code#TIMEOUT}.
 *
 * <p>Create one with {@link #connect(LibvirtDriverOptions)} or {@link #connect(String)}. The driver
 * keeps one libvirt connection for operations and events (with keepalive on remote URIs) and reopens
 * it on the next call after it died. Failures are {@link HypervisorException}s whose {@link Code} is
 * derived from libvirt's error number (never its message), with the {@code LibvirtException} as
 * cause; a missing domain is an {@link InstanceNotFoundException}; a null, blank or NUL-containing id
 * is an {@link InvalidInputException}.
 *
 * <p>Thread-safe: operations on different instances may run concurrently; each looks up its own
 * {@code Domain} handle and frees it.
 */
public final class LibvirtDriver implements HypervisorDriver {
  private final LibvirtDriverOptions options;
  private final LifecycleEvents events;
  private final Connections connections;
  private final Domains domains;
  private final PowerControl power;
  private final ManagedSave saves;
  private final Rescues rescues;

  private LibvirtDriver(LibvirtDriverOptions options, Connections.Opener opener) {
    this.options = Objects.requireNonNull(options, "options");
    this.events = new LifecycleEvents(options.clock());
    this.connections = new Connections(options, opener, events::register);
    this.domains = new Domains(connections);
    GuestClock guestClock = new GuestClock(options.clock());
    this.power = new PowerControl(domains, options.clock(), guestClock);
    this.saves = new ManagedSave(domains, connections, options, power, guestClock);
    this.rescues = new Rescues(domains, options, power);
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

  /**
   * Lists every domain, active or not, with its power state, managed-save image and rescue flag.
   *
   * @return the instances, in no particular order
   * @throws HypervisorException if libvirt cannot be reached or fails
   */
  @Override
  public List<DriverInstance> list() {
    return domains.list();
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
      return Optional.of(domains.on(idOrName, null, "describe", Domains::describe));
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
    return domains.on(id, null, "read the definition of", Domains::definition);
  }

  /**
   * Pauses the domain's vCPUs ({@code virDomainSuspend}); a paused domain stays as it is.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if the domain is not running, or
   *     another code if libvirt fails
   */
  @Override
  public void pause(String id, DriverCall call) {
    power.pause(id, Objects.requireNonNull(call, "call"));
  }

  /**
   * Resumes the domain's vCPUs ({@code virDomainResume}), then sets the guest clock through the guest
   * agent (best effort: without an agent nothing happens); a running domain stays as it is.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if the domain is not paused, or
   *     another code if libvirt fails
   */
  @Override
  public void unpause(String id, DriverCall call) {
    power.unpause(id, Objects.requireNonNull(call, "call"));
  }

  /**
   * Saves the domain's memory to a managed-save image and stops it ({@code virDomainManagedSave}),
   * reporting bytes written to {@link DriverCall#progress()}. PCI host devices and SR-IOV direct
   * interfaces are detached first, written ahead to the journal (note {@code suspend.detached}, which
   * stays for resume) and to the domain's metadata (namespace
   * {@code https://vmlifecycle.github.io/xmlns/suspend/1}); if the save fails they are attached again
   * and the note removed. A domain already stopped with an image stays as it is.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#UNSUPPORTED} if mediated devices (vGPUs) are
   *     attached, or a device cannot be detached (nothing is changed); {@link Code#OPERATION_INVALID}
   *     if the domain is not running; another code if libvirt fails
   */
  @Override
  public void suspend(String id, DriverCall call) {
    saves.suspend(id, Objects.requireNonNull(call, "call"));
  }

  /**
   * Starts the domain from its managed-save image ({@code virDomainCreate} restores it), resumes its
   * vCPUs if it had been saved paused, waits until it reports RUNNING, re-attaches the devices suspend
   * detached (as the journal's note {@code suspend.detached}, else the domain's metadata, lists them;
   * then removes the note) and sets the guest clock (best effort). A domain that runs already only gets
   * its remembered devices back.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if the domain is stopped without a
   *     managed-save image, {@link Code#TIMEOUT} if it does not report RUNNING within
   *     {@link LibvirtDriverOptions#resumeWaitTimeout()} or by the call's deadline, another code if
   *     libvirt fails
   */
  @Override
  public void resume(String id, DriverCall call) {
    saves.resume(id, Objects.requireNonNull(call, "call"));
  }

  /**
   * Powers the domain off: sends a clean shutdown request ({@code virDomainShutdown}) and re-sends it
   * every {@link DriverCall#shutdownRetryInterval()} until the domain stopped or
   * {@link DriverCall#shutdownTimeout()} passed, then destroys it. A zero timeout destroys at once. A
   * stopped domain stays as it is (a managed-save image is kept).
   *
   * @param id the UUID or name
   * @param call the call's context
   * @return {@link StopOutcome#ALREADY_OFF}, {@link StopOutcome#CLEAN} or {@link StopOutcome#DESTROYED}
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#TIMEOUT} if the call's deadline comes before the
   *     domain stopped and before the shutdown timeout, another code if libvirt fails
   */
  @Override
  public StopOutcome stop(String id, DriverCall call) {
    return power.stop(id, Objects.requireNonNull(call, "call"));
  }

  /**
   * Starts the stopped domain from its definition ({@code virDomainCreate}).
   *
   * @param id the UUID or name
   * @param call the call's context
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if it is running, another code if
   *     libvirt fails
   */
  @Override
  public void start(String id, DriverCall call) {
    power.start(id, Objects.requireNonNull(call, "call"));
  }

  /**
   * Reboots the domain softly (Nova's libvirt {@code _soft_reboot}): asks a running domain once to shut
   * down ({@code virDomainShutdown}), polls up to {@link DriverCall#softRebootTimeout()} for it to go off
   * (then starts it) or for its domain id to change, and falls back to {@link #hardReboot} when it did
   * neither or was not running.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @return {@link RebootOutcome#SOFT} or {@link RebootOutcome#HARD}
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#TIMEOUT} if the call's deadline comes before the
   *     guest reacted and before the soft-reboot timeout, another code if libvirt fails
   */
  @Override
  public RebootOutcome softReboot(String id, DriverCall call) {
    return power.softReboot(id, Objects.requireNonNull(call, "call"));
  }

  /**
   * Destroys the domain if it is active, discards its managed-save image if it has one (and the
   * devices a suspend remembered, removing the journal's note {@code suspend.detached}: the cold boot
   * attaches them from the definition), defines {@link DriverCall#definition()} again when the call
   * carries one ({@code virDomainDefineXML}), and starts it.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException if libvirt fails
   */
  @Override
  public void hardReboot(String id, DriverCall call) {
    power.hardReboot(id, Objects.requireNonNull(call, "call"));
  }

  /**
   * Rescues the domain. Checks everything first (nothing changes when a check fails): the domain is
   * not suspended and not already rescued, {@code originalDefinition} is this domain's, the rescue
   * image (the request's, else the root disk's backing image read with {@code qemu-img info}) and the
   * rescue kernel and ramdisk exist, and the rescue definition can be built. Then it powers the guest
   * off (as {@link #stop}, with the request's shutdown timeout, else the call's), writes the paths of
   * the rescue files to the journal (note {@code rescue.files}), creates in
   * {@code <instanceDirRoot>/<uuid>/} the rescue boot disk {@code disk.rescue} (a qcow2 overlay of the
   * rescue image, which is never written; a stale one is replaced) and copies of the kernel and
   * ramdisk ({@code kernel.rescue}, {@code ramdisk.rescue}), defines the rescue definition (which
   * embeds the original) and starts it. If a step after the power-off fails, the original definition
   * is defined again, the rescue files are deleted (and the note removed) and the guest stays off.
   *
   * @param id the UUID or name
   * @param originalDefinition the definition returned by {@link #definition} before the rescue
   * @param request what to boot
   * @param call the call's context
   * @throws InvalidInputException if the definition is not this domain's, a file is missing, no
   *     rescue image is given and the root disk has no backing image, or the rewriter refuses the
   *     definition (an {@code InvalidDomainXmlException} with its reason)
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#OPERATION_INVALID} if the domain is suspended or
   *     already rescued, {@link Code#UNSUPPORTED} for a URI naming another host (the rescue files are
   *     made on this one), {@link Code#TIMEOUT} if the call's deadline passes during the power-off,
   *     another code if libvirt or qemu-img fails
   */
  @Override
  public void rescue(String id, String originalDefinition, RescueRequest request, DriverCall call) {
    rescues.rescue(id, originalDefinition, request, Objects.requireNonNull(call, "call"));
  }

  /**
   * Leaves rescue: if the current definition is a rescue definition, destroys the guest and defines
   * {@code originalDefinition} again; then starts the guest if it is not running, deletes the rescue
   * files ({@code disk.rescue}, {@code kernel.rescue}, {@code ramdisk.rescue} in the instance
   * directory, and nothing else whatever the journal lists) and removes the journal's note
   * {@code rescue.files}. Safe to repeat after a partial run: each step checks what is done.
   *
   * @param id the UUID or name
   * @param originalDefinition the definition saved before the rescue
   * @param call the call's context
   * @throws InvalidInputException if the definition is blank or not this domain's
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException with {@link Code#UNSUPPORTED} for a URI naming another host, another
   *     code if libvirt fails or the files cannot be deleted
   */
  @Override
  public void unrescue(String id, String originalDefinition, DriverCall call) {
    rescues.unrescue(id, originalDefinition, Objects.requireNonNull(call, "call"));
  }

  /**
   * Undoes what an interrupted operation left behind, as the journal records it: deletes this
   * instance's rescue files when its definition is not a rescue definition, and re-attaches the
   * devices detached for a save when the domain is still active (the save did not happen; a device
   * that cannot be attached is logged). A stopped domain without saved memory gets no device back
   * (they were detached from the live domain only, so its next boot has them), but the note is
   * dropped. Removes each note it dealt with. Idempotent.
   *
   * @param id the UUID or name
   * @param call the call's context
   * @throws InstanceNotFoundException if there is no such domain
   * @throws HypervisorException if libvirt fails or the files cannot be deleted
   */
  @Override
  public void repair(String id, DriverCall call) {
    if (Objects.requireNonNull(call, "call").journal().entries().isEmpty()) {
      return;
    }
    domains.on(id, null, "repair", d -> {
      rescues.repair(d, id, call.journal());
      DetachedDevices.repair(d, id, call.journal());
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
    return rescues.embeddedOriginal(definition(id));
  }

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
    return events.subscribe(listener, connections::reapplyOnOpen);
  }

  /**
   * Closes the driver's connections and forgets its listeners. Idempotent; later calls fail with
   * {@link Code#CONNECTION}.
   */
  @Override
  public void close() {
    events.clear();
    connections.close();
  }

  Connections connectionsForTest() {
    return connections;
  }
}
