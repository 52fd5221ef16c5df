package io.github.vmlifecycle.spi;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.rescue.RescueRequest;
import java.util.List;
import java.util.Optional;

/**
 * The hypervisor below the lifecycle core: one implementation per hypervisor (libvirt, the in-memory
 * fake). The core checks every state rule before it calls a driver; a driver only does what it is asked
 * and reports what is true.
 *
 * <p>Instances are addressed by id (UUID, lower case) except in {@link #find}, which also takes a name.
 * Every method may throw {@link HypervisorException} when the hypervisor fails or cannot be reached,
 * and {@link InstanceNotFoundException} when the instance does not exist. Implementations must be
 * thread-safe; the core never runs two operations on one instance at once, but does on different ones.
 *
 * <p>{@code io.github.vmlifecycle.testing.HypervisorDriverContract} (module {@code vmlifecycle-testing})
 * is the test an implementation extends to prove it behaves as the engine needs.
 */
public interface HypervisorDriver extends AutoCloseable {

  /**
   * Lists every instance the hypervisor knows.
   *
   * @return the instances, in no particular order
   * @throws HypervisorException if the hypervisor cannot be reached
   */
  List<DriverInstance> list();

  /**
   * Looks up one instance by UUID or name.
   *
   * @param idOrName a UUID (any case) or a name
   * @return the instance, or empty when there is none
   * @throws HypervisorException if the hypervisor cannot be reached
   */
  Optional<DriverInstance> find(String idOrName);

  /**
   * Pauses the guest, keeping its memory in RAM. Afterwards the power state is PAUSED; a guest already
   * paused is left as it is, without error.
   *
   * @param id the instance id
   * @param call the call's context
   */
  void pause(String id, DriverCall call);

  /**
   * Unpauses a paused guest. Afterwards the power state is RUNNING; a guest already running is left as
   * it is, without error.
   *
   * @param id the instance id
   * @param call the call's context
   */
  void unpause(String id, DriverCall call);

  /**
   * Saves the guest's memory to the host's disk and frees its RAM, reporting bytes written to
   * {@link DriverCall#progress()}. Writes ahead to {@link DriverCall#journal()} what it changes (such
   * as devices it detaches) before it changes it, and leaves there what {@link #resume} needs.
   * Afterwards the power state is SHUTDOWN and {@link DriverInstance#hasSavedMemory()} is true.
   *
   * @param id the instance id
   * @param call the call's context
   */
  void suspend(String id, DriverCall call);

  /**
   * Restores a suspended guest from its saved memory, reporting bytes read to
   * {@link DriverCall#progress()}, using and then removing the notes a suspend left in the journal.
   * Afterwards the power state is RUNNING and no saved-memory image remains.
   *
   * @param id the instance id
   * @param call the call's context
   */
  void resume(String id, DriverCall call);

  /**
   * Powers the guest off: a clean shutdown, asked again every {@link DriverCall#shutdownRetryInterval()}
   * and waited for up to {@link DriverCall#shutdownTimeout()}, then a forced one; a zero timeout forces
   * it at once. Afterwards the power state is SHUTDOWN. A guest that is already off is left as it is,
   * without error (any saved-memory image is kept).
   *
   * @param id the instance id
   * @param call the call's context
   * @return how the guest went down
   */
  StopOutcome stop(String id, DriverCall call);

  /**
   * Powers the guest on from its definition. Afterwards the power state is RUNNING.
   *
   * @param id the instance id
   * @param call the call's context
   */
  void start(String id, DriverCall call);

  /**
   * Reboots the guest softly (Nova's {@code _soft_reboot}): asks a RUNNING guest to shut down (ACPI)
   * once, waits up to {@link DriverCall#softRebootTimeout()} for it to go off (then starts it again) or to
   * reboot by itself, and falls back to {@link #hardReboot} when it did neither, or when it was not
   * running in the first place. Afterwards the power state is RUNNING.
   *
   * @param id the instance id
   * @param call the call's context
   * @return whether the guest rebooted softly or had to be hard-rebooted
   */
  RebootOutcome softReboot(String id, DriverCall call);

  /**
   * Destroys the guest (discarding any saved-memory image, and removing from the journal the notes of
   * the suspend whose memory it discards), defines {@link DriverCall#definition()} again when the call
   * carries one (so that nothing a pre-empted call changed in the definition survives), and starts it
   * again from its definition. Afterwards the power state is RUNNING. May be called while another call
   * on the same instance hangs: it must not wait for that call.
   *
   * @param id the instance id
   * @param call the call's context
   */
  void hardReboot(String id, DriverCall call);

  /**
   * Returns the guest's persistent definition (for libvirt, the inactive domain XML with secure
   * attributes), exactly as {@link #unrescue} must restore it.
   *
   * @param id the instance id
   * @return the definition
   */
  String definition(String id);

  /**
   * Rescues the guest: powers it off (as {@link #stop}), creates the rescue boot disk (never writing
   * the rescue image itself), replaces the definition with a rescue definition that boots from it and
   * carries {@code originalDefinition} embedded, and starts it. Writes ahead to the journal every file
   * it is about to create, before it creates it. Afterwards the power state is RUNNING and
   * {@link DriverInstance#rescueDefinition()} is true.
   *
   * <p>The core has already stored {@code originalDefinition} durably before this call.
   *
   * @param id the instance id
   * @param originalDefinition the definition returned by {@link #definition} before the rescue
   * @param request what to boot
   * @param call the call's context
   * @throws InvalidInputException if the request cannot be satisfied (no such image, a volume-backed
   *     instance in legacy mode, a bus that cannot carry the device)
   */
  void rescue(String id, String originalDefinition, RescueRequest request, DriverCall call);

  /**
   * Leaves rescue: destroys the guest, restores {@code originalDefinition} exactly, starts it, and
   * deletes every rescue file that {@link #rescue} created (and those the journal lists), then removes
   * those notes. Afterwards the power state is RUNNING and {@link DriverInstance#rescueDefinition()} is
   * false. Safe to repeat after a partial run.
   *
   * @param id the instance id
   * @param originalDefinition the definition saved before the rescue
   * @param call the call's context
   */
  void unrescue(String id, String originalDefinition, DriverCall call);

  /**
   * Undoes what an interrupted or failed operation left behind and the instance's current state no
   * longer needs, as the journal records it: for example re-attaches devices detached for a save that
   * did not happen, or deletes the files of a rescue that is not in place. Removes the notes it has
   * dealt with. Idempotent. The default does nothing.
   *
   * @param id the instance id
   * @param call the call's context
   */
  default void repair(String id, DriverCall call) {}

  /**
   * Returns the original definition embedded in the guest's current rescue definition, for recovery
   * when the store lost it.
   *
   * @param id the instance id
   * @return the original definition, or empty when the current definition is not a rescue definition
   */
  Optional<String> embeddedOriginalDefinition(String id);

  /**
   * Registers a listener for hypervisor lifecycle events.
   *
   * @param listener the listener
   * @return a handle whose {@code close()} unregisters it
   */
  AutoCloseable subscribe(DriverEventListener listener);

  /**
   * Releases the driver's connections and threads. Idempotent.
   *
   * @throws HypervisorException never for a second call; possibly when closing fails
   */
  @Override
  void close();
}
