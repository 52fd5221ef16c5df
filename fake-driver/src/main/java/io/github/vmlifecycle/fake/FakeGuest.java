package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.spi.DriverInstance;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A handle on one guest of a {@link FakeHypervisor}, made by {@link FakeHypervisor#guest}: its state as the test
 * sees it (power state, definition, files, guest memory, uptime, boot count), how it behaves (whether it honours
 * clean shutdown requests), what happens to it behind the engine's back (it shuts itself down, crashes, is
 * destroyed...), and the faults scripted for calls on it.
 *
 * <p>Nothing here is a hypervisor call: nothing is recorded, no latency or fault applies, and it works while the
 * fake is disconnected or closed. Changes behind the back raise the events libvirt would, delivered to the
 * fake's subscribers on the calling thread.
 *
 * <p>A handle stays bound to the guest it was made for: once that guest is removed (by
 * {@link #removeBehindBack}), every method except {@link #id}, {@link #name} and {@link #onCall} throws
 * {@link InstanceNotFoundException}, even if a new guest with the same name is defined later.
 *
 * <p>Thread-safe: each method works under the guest's own lock, as the hypervisor calls do.
 */
public final class FakeGuest {

  private final FakeHypervisor fake;
  private final Guests guests;
  private final FakeVm vm;

  FakeGuest(FakeHypervisor fake, Guests guests, FakeVm vm) {
    this.fake = fake;
    this.guests = guests;
    this.vm = vm;
  }

  /**
   * Returns the guest's id.
   *
   * @return the lower-case UUID
   */
  public String id() {
    return vm.id;
  }

  /**
   * Returns the guest's name.
   *
   * @return the name
   */
  public String name() {
    return vm.name;
  }

  /**
   * Returns what the hypervisor reports about the guest, as {@link FakeHypervisor#find} would.
   *
   * @return the guest's id, name, power state, saved-memory and rescue flags
   * @throws InstanceNotFoundException if the guest was removed
   */
  public DriverInstance inspect() {
    return guests.read(vm, FakeVm::snapshot);
  }

  /**
   * Returns the guest's power state.
   *
   * @return the power state
   * @throws InstanceNotFoundException if the guest was removed
   */
  public PowerState powerState() {
    return inspect().powerState();
  }

  /**
   * Returns the guest's current persistent definition: libvirt domain XML, a rescue definition while rescued.
   *
   * @return the definition
   * @throws InstanceNotFoundException if the guest was removed
   */
  public String definition() {
    return guests.read(vm, FakeVm::definition);
  }

  /**
   * Returns the names of the files in the guest's instance directory: {@code disk}, plus the rescue files
   * ({@code disk.rescue}, {@code kernel.rescue}, {@code ramdisk.rescue}) while a rescue left them.
   *
   * @return the file names
   * @throws InstanceNotFoundException if the guest was removed
   */
  public Set<String> files() {
    return guests.read(vm, FakeVm::files);
  }

  /**
   * Returns the guest memory contents: in RAM, or in the saved-memory image; empty when powered off without one.
   *
   * @return the contents
   * @throws InstanceNotFoundException if the guest was removed
   */
  public String memory() {
    return guests.read(vm, FakeVm::memory);
  }

  /**
   * Writes the guest memory contents, as the guest would; they survive pause and suspend/resume only.
   *
   * @param contents the contents
   * @throws IllegalStateException if the guest is not active (it has no memory in RAM)
   * @throws InstanceNotFoundException if the guest was removed
   */
  public void writeMemory(String contents) {
    Objects.requireNonNull(contents, "contents");
    guests.read(vm, v -> {
      v.writeMemory(contents);
      return null;
    });
  }

  /**
   * Returns the guest's uptime: how long, by the fake's clock, it has been RUNNING since it last booted (kept in
   * the saved-memory image while suspended); zero when powered off without one.
   *
   * @return the uptime
   * @throws InstanceNotFoundException if the guest was removed
   */
  public Duration uptime() {
    return guests.read(vm, v -> v.uptime(fake.clock().instant()));
  }

  /**
   * Returns how many times the guest has booted fresh (a guest created active counts one boot); restores from a
   * saved-memory image do not count. Unchanged means "the guest did not reboot".
   *
   * @return the boot count
   * @throws InstanceNotFoundException if the guest was removed
   */
  public int bootCount() {
    return guests.read(vm, FakeVm::bootCount);
  }

  /**
   * Returns whether the guest ignores every clean shutdown request (so a stop waits its timeout out, then
   * destroys it).
   *
   * @return true when it ignores them all
   * @throws InstanceNotFoundException if the guest was removed
   */
  public boolean ignoresShutdown() {
    return guests.read(vm, FakeVm::ignoresShutdown);
  }

  /**
   * Sets whether the guest ignores every clean shutdown request; false makes it honour the next one.
   *
   * @param ignores true to ignore them all
   * @throws InstanceNotFoundException if the guest was removed
   */
  public void setIgnoresShutdown(boolean ignores) {
    ignoreShutdownRequests(ignores ? Integer.MAX_VALUE : 0);
  }

  /**
   * Makes the running guest ignore its next {@code count} clean shutdown requests and honour the one after, as
   * a guest busy booting misses the first ACPI power-button presses: a stop then asks again every
   * {@link io.github.vmlifecycle.spi.DriverCall#shutdownRetryInterval()} and the guest goes down cleanly on
   * request {@code count + 1}, if that comes within the shutdown timeout.
   *
   * @param count how many requests to ignore; {@link Integer#MAX_VALUE} means all
   * @throws IllegalArgumentException if {@code count} is negative
   * @throws InstanceNotFoundException if the guest was removed
   */
  public void ignoreShutdownRequests(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative: " + count);
    }
    guests.read(vm, v -> {
      v.ignoreShutdownRequests(count);
      return null;
    });
  }

  /**
   * Returns how many clean shutdown requests (ACPI power-button presses) the guest has received, by stops and
   * the power-off of rescues; a guest that is paused or crashed receives but never honours them.
   *
   * @return the number of requests
   * @throws InstanceNotFoundException if the guest was removed
   */
  public int shutdownRequests() {
    return guests.read(vm, FakeVm::shutdownRequests);
  }

  /**
   * Makes the guest shut itself down: RUNNING to SHUTDOWN, events SHUTDOWN and STOPPED.
   *
   * @throws IllegalStateException if the guest is not RUNNING
   * @throws InstanceNotFoundException if the guest was removed
   */
  public void shutsDown() {
    guests.behindBack(vm, FakeVm::guestShutsDown);
  }

  /**
   * Makes the guest crash (libvirt's {@code on_crash=preserve}): RUNNING to CRASHED, event CRASHED.
   *
   * @throws IllegalStateException if the guest is not RUNNING
   * @throws InstanceNotFoundException if the guest was removed
   */
  public void crashes() {
    guests.behindBack(vm, FakeVm::guestCrashes);
  }

  /**
   * Makes the guest suspend itself to RAM (ACPI S3): RUNNING to SUSPENDED, event PMSUSPENDED.
   *
   * @throws IllegalStateException if the guest is not RUNNING
   * @throws InstanceNotFoundException if the guest was removed
   */
  public void suspendsToRam() {
    guests.behindBack(vm, FakeVm::guestSuspendsToRam);
  }

  /**
   * Destroys the guest as someone else would ({@code virsh destroy}): an active guest goes to SHUTDOWN, event
   * STOPPED; a saved-memory image stays. Does nothing to an inactive guest.
   *
   * @throws InstanceNotFoundException if the guest was removed
   */
  public void destroyBehindBack() {
    guests.behindBack(vm, FakeVm::destroyBehindBack);
  }

  /**
   * Pauses the guest as someone else would ({@code virsh suspend}): RUNNING to PAUSED, event SUSPENDED.
   *
   * @throws IllegalStateException if the guest is not RUNNING
   * @throws InstanceNotFoundException if the guest was removed
   */
  public void pauseBehindBack() {
    guests.behindBack(vm, FakeVm::pauseBehindBack);
  }

  /**
   * Replaces the guest's persistent definition as someone with access to the hypervisor would
   * ({@code virsh define} or {@code virsh edit}), event DEFINED; the power state is kept. A definition
   * carrying this library's rescue metadata makes the guest a rescued one.
   *
   * @param definition the new domain XML
   * @throws io.github.vmlifecycle.InvalidDomainXmlException if it is not a domain definition
   * @throws InstanceNotFoundException if the guest was removed
   */
  public void defineBehindBack(String definition) {
    DomainXml.isRescue(definition);
    guests.behindBack(vm, (v, inv) -> v.defineBehindBack(inv, definition));
  }

  /**
   * Destroys and undefines the domain as someone else would: events STOPPED (when it was active) and UNDEFINED;
   * afterwards the hypervisor no longer knows the guest.
   *
   * @throws InstanceNotFoundException if the guest was removed already
   */
  public void removeBehindBack() {
    guests.remove(vm);
  }

  /**
   * Starts scripting a fault for a kind of call on this guest only; the same as
   * {@code fake.onCall(call).forInstance(id())}.
   *
   * @param call the kind of call
   * @return the script; nothing is registered until one of its terminal methods is called
   */
  public FaultScript onCall(FakeCall call) {
    return fake.onCall(call).forInstance(vm.id);
  }

  /**
   * Returns a description naming the guest, for test failure messages.
   *
   * @return {@code FakeGuest[name, id]}
   */
  @Override
  public String toString() {
    return "FakeGuest[" + vm.name + ", " + vm.id + "]";
  }
}
