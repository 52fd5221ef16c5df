package io.github.vmlifecycle.spi;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.RescueRequest;
import java.time.Duration;
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
   */
  void pause(String id);

  /**
   * Unpauses a paused guest. Afterwards the power state is RUNNING; a guest already running is left as
   * it is, without error.
   *
   * @param id the instance id
   */
  void unpause(String id);

  /**
   * Saves the guest's memory to the host's disk and frees its RAM. Afterwards the power state is
   * SHUTDOWN and {@link DriverInstance#hasSavedMemory()} is true.
   *
   * @param id the instance id
   * @param progress receives bytes written so far
   */
  void suspend(String id, ProgressListener progress);

  /**
   * Suspends as {@link #suspend(String, ProgressListener)}, writing ahead to {@code journal} what it
   * changes (such as devices it detaches) before it changes it, and leaving there what
   * {@link #resume(String, ProgressListener, OperationJournal)} needs. The default ignores the journal.
   *
   * @param id the instance id
   * @param progress receives bytes written so far
   * @param journal the instance's durable notes
   */
  default void suspend(String id, ProgressListener progress, OperationJournal journal) {
    suspend(id, progress);
  }

  /**
   * Restores a suspended guest from its saved memory. Afterwards the power state is RUNNING and no
   * saved-memory image remains.
   *
   * @param id the instance id
   * @param progress receives bytes read so far
   */
  void resume(String id, ProgressListener progress);

  /**
   * Resumes as {@link #resume(String, ProgressListener)}, using and then removing the notes a suspend
   * left in {@code journal}. The default ignores the journal.
   *
   * @param id the instance id
   * @param progress receives bytes read so far
   * @param journal the instance's durable notes
   */
  default void resume(String id, ProgressListener progress, OperationJournal journal) {
    resume(id, progress);
  }

  /**
   * Powers the guest off: a clean shutdown, waiting up to {@code shutdownTimeout}, then a forced one.
   * A zero timeout forces it at once. Afterwards the power state is SHUTDOWN. A guest that is already
   * off is left as it is, without error (any saved-memory image is kept).
   *
   * @param id the instance id
   * @param shutdownTimeout how long to wait for the guest to shut down by itself
   */
  void stop(String id, Duration shutdownTimeout);

  /**
   * Powers the guest on from its definition. Afterwards the power state is RUNNING.
   *
   * @param id the instance id
   */
  void start(String id);

  /**
   * Destroys the guest (discarding any saved-memory image) and starts it again from its definition.
   * Afterwards the power state is RUNNING.
   *
   * @param id the instance id
   */
  void hardReboot(String id);

  /**
   * Hard-reboots as {@link #hardReboot(String)}, removing from {@code journal} the notes of a suspend
   * whose saved memory the reboot discards. The default ignores the journal.
   *
   * @param id the instance id
   * @param journal the instance's durable notes
   */
  default void hardReboot(String id, OperationJournal journal) {
    hardReboot(id);
  }

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
   * carries {@code originalDefinition} embedded, and starts it. Afterwards the power state is RUNNING
   * and {@link DriverInstance#rescueDefinition()} is true.
   *
   * <p>The core has already stored {@code originalDefinition} durably before this call.
   *
   * @param id the instance id
   * @param originalDefinition the definition returned by {@link #definition} before the rescue
   * @param request what to boot
   * @throws InvalidInputException if the request cannot be satisfied (no such image, a volume-backed
   *     instance in legacy mode, a bus that cannot carry the device)
   */
  void rescue(String id, String originalDefinition, RescueRequest request);

  /**
   * Rescues as {@link #rescue(String, String, RescueRequest)}, writing ahead to {@code journal} every
   * file it is about to create, before it creates it. The default ignores the journal.
   *
   * @param id the instance id
   * @param originalDefinition the definition returned by {@link #definition} before the rescue
   * @param request what to boot
   * @param journal the instance's durable notes
   * @throws InvalidInputException as {@link #rescue(String, String, RescueRequest)}
   */
  default void rescue(String id, String originalDefinition, RescueRequest request, OperationJournal journal) {
    rescue(id, originalDefinition, request);
  }

  /**
   * Leaves rescue: destroys the guest, restores {@code originalDefinition} exactly, starts it, and
   * deletes every rescue file that {@link #rescue} created. Afterwards the power state is RUNNING and
   * {@link DriverInstance#rescueDefinition()} is false. Safe to repeat after a partial run.
   *
   * @param id the instance id
   * @param originalDefinition the definition saved before the rescue
   */
  void unrescue(String id, String originalDefinition);

  /**
   * Unrescues as {@link #unrescue(String, String)}, also deleting the files {@code journal} lists, and
   * then removing those notes. The default ignores the journal.
   *
   * @param id the instance id
   * @param originalDefinition the definition saved before the rescue
   * @param journal the instance's durable notes
   */
  default void unrescue(String id, String originalDefinition, OperationJournal journal) {
    unrescue(id, originalDefinition);
  }

  /**
   * Undoes what an interrupted operation left behind and the instance's current state no longer
   * needs, as {@code journal} records it: for example re-attaches devices detached for a save that
   * did not happen, or deletes the files of a rescue that is not in place. Removes the notes it has
   * dealt with. Idempotent; called by recovery after the managing process died. The default does
   * nothing.
   *
   * @param id the instance id
   * @param journal the instance's durable notes
   */
  default void repair(String id, OperationJournal journal) {}

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
