package io.github.vmlifecycle.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.spi.OperationJournal;
import io.github.vmlifecycle.spi.RebootOutcome;
import io.github.vmlifecycle.spi.StopOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link HypervisorDriver} must have for the engine to work on it, as a JUnit 5 test
 * to extend: the power state after each operation, retries that change nothing, typed errors, rescue and
 * unrescue that restore the definition exactly, the write-ahead journal left empty by a completed
 * operation, lookup by id and name, and event subscription.
 *
 * <p>A subclass supplies the driver, a way to create a running guest and a rescue image:
 *
 * <pre>{@code
 * class FakeHypervisorContractTest extends HypervisorDriverContract {
 *   private final FakeHypervisor fake = new FakeHypervisor();
 *
 *   protected HypervisorDriver driver() { return fake; }
 *   protected String createRunningInstance(String name) { return fake.createInstance(name); }
 *   protected RescueRequest rescueRequest() {
 *     fake.addImage("/img/rescue.qcow2");
 *     return RescueRequest.builder().image("/img/rescue.qcow2").build();
 *   }
 * }
 * }</pre>
 *
 * <p>Each test creates the guests it needs with {@link #createRunningInstance}; the subclass removes them
 * (in its own {@code @AfterEach}) when the hypervisor outlives the test. JUnit creates one instance of the
 * subclass per test; a test is not thread-safe.
 */
public abstract class HypervisorDriverContract {

  private HypervisorDriver driver;

  /** Creates the contract; for subclasses. */
  protected HypervisorDriverContract() {}

  /**
   * Returns the driver under test. Called once before each test.
   *
   * @return the driver
   */
  protected abstract HypervisorDriver driver();

  /**
   * Creates a guest on the driver's hypervisor and starts it. When this returns, the driver reports it
   * RUNNING, without saved memory and without a rescue definition.
   *
   * @param name the guest's name, unique among this test run's guests
   * @return the guest's id (UUID, lower case)
   */
  protected abstract String createRunningInstance(String name);

  /**
   * Returns a rescue request that the driver can satisfy for any guest created by
   * {@link #createRunningInstance}, such as one naming a rescue image that exists.
   *
   * @return the request
   */
  protected abstract RescueRequest rescueRequest();

  /**
   * Returns the clean-shutdown timeout that the contract's stops and rescues pass in their
   * {@link DriverCall}. Default zero: the guest is destroyed at once, which keeps tests on real guests
   * (whose firmware may ignore the power button) fast.
   *
   * @return the timeout, zero or positive
   */
  protected Duration shutdownTimeout() {
    return Duration.ZERO;
  }

  /**
   * Returns how long the contract's soft reboots wait for the guest to react before they fall back to a
   * hard reboot. Default 30 seconds; the wait ends as soon as the guest went off.
   *
   * @return the timeout, zero or positive
   */
  protected Duration softRebootTimeout() {
    return Duration.ofSeconds(30);
  }

  /**
   * Returns how long the contract waits for an event it expects from {@link HypervisorDriver#subscribe}.
   * Default ten seconds; the wait ends as soon as the event arrives.
   *
   * @return the timeout
   */
  protected Duration eventTimeout() {
    return Duration.ofSeconds(10);
  }

  /**
   * Returns how long the contract watches for an event that must not arrive. Default 300 milliseconds;
   * a driver that delivers events late should return more.
   *
   * @return the quiet period
   */
  protected Duration settle() {
    return Duration.ofMillis(300);
  }

  /**
   * Makes the driver's hypervisor unreachable, so that later calls fail with a
   * {@link HypervisorException}. The default closes the driver; override it when a closed driver is not
   * how your hypervisor fails (or when your clean-up needs the driver open, and you can cut the
   * connection another way).
   */
  protected void makeHypervisorUnreachable() {
    driver.close();
  }

  /**
   * Returns the call context the contract passes: a fresh in-memory journal and
   * {@link #shutdownTimeout()}.
   *
   * @return the context
   */
  protected DriverCall call() {
    return call(OperationJournal.inMemory());
  }

  /**
   * Returns the call context the contract passes with the given journal and {@link #shutdownTimeout()}.
   *
   * @param journal the instance's journal
   * @return the context
   */
  protected DriverCall call(OperationJournal journal) {
    return DriverCall.builder().journal(journal).shutdownTimeout(shutdownTimeout()).build();
  }

  @BeforeEach
  final void openDriver() {
    driver = driver();
  }

  // ---- power states -------------------------------------------------------------------------------

  /** Pause leaves a running guest PAUSED. */
  @Test
  public void pause_running_isPaused() {
    String id = running("pause");
    driver.pause(id, call());
    assertThat(state(id).powerState()).isEqualTo(PowerState.PAUSED);
  }

  /** Unpause leaves a paused guest RUNNING. */
  @Test
  public void unpause_paused_isRunning() {
    String id = running("unpause");
    driver.pause(id, call());
    driver.unpause(id, call());
    assertThat(state(id).powerState()).isEqualTo(PowerState.RUNNING);
  }

  /** Suspend leaves a running guest SHUTDOWN with a saved-memory image. */
  @Test
  public void suspend_running_isShutdownWithSavedMemory() {
    String id = running("suspend");
    driver.suspend(id, call());
    DriverInstance after = state(id);
    assertThat(after.powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(after.hasSavedMemory()).isTrue();
  }

  /** Resume leaves a suspended guest RUNNING without a saved-memory image. */
  @Test
  public void resume_suspended_isRunningWithoutSavedMemory() {
    String id = running("resume");
    OperationJournal journal = OperationJournal.inMemory();
    driver.suspend(id, call(journal));
    driver.resume(id, call(journal));
    DriverInstance after = state(id);
    assertThat(after.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(after.hasSavedMemory()).isFalse();
  }

  /** Stop leaves a running guest SHUTDOWN and says it shut down cleanly or was destroyed. */
  @Test
  public void stop_running_isShutdownWithAnOutcome() {
    String id = running("stop");
    StopOutcome outcome = driver.stop(id, call());
    assertThat(outcome).isIn(StopOutcome.CLEAN, StopOutcome.DESTROYED);
    assertThat(state(id).powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  /** Stop with a zero shutdown timeout destroys a running guest at once. */
  @Test
  public void stop_zeroTimeout_isDestroyed() {
    String id = running("destroy");
    StopOutcome outcome = driver.stop(id, DriverCall.builder().shutdownTimeout(Duration.ZERO).build());
    assertThat(outcome).isEqualTo(StopOutcome.DESTROYED);
    assertThat(state(id).powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  /** Start leaves a stopped guest RUNNING. */
  @Test
  public void start_stopped_isRunning() {
    String id = running("start");
    driver.stop(id, call());
    driver.start(id, call());
    assertThat(state(id).powerState()).isEqualTo(PowerState.RUNNING);
  }

  /** Hard reboot leaves a running guest RUNNING. */
  @Test
  public void hardReboot_running_isRunning() {
    String id = running("reboot");
    driver.hardReboot(id, call());
    assertThat(state(id).powerState()).isEqualTo(PowerState.RUNNING);
  }

  /** Hard reboot leaves a paused guest RUNNING. */
  @Test
  public void hardReboot_paused_isRunning() {
    String id = running("reboot-paused");
    driver.pause(id, call());
    driver.hardReboot(id, call());
    assertThat(state(id).powerState()).isEqualTo(PowerState.RUNNING);
  }

  /** Hard reboot of a suspended guest discards its saved memory and the suspend's journal notes. */
  @Test
  public void hardReboot_suspended_discardsSavedMemoryAndSuspendNotes() {
    String id = running("reboot-suspended");
    OperationJournal journal = OperationJournal.inMemory();
    driver.suspend(id, call(journal));
    driver.hardReboot(id, call(journal));
    DriverInstance after = state(id);
    assertThat(after.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(after.hasSavedMemory()).isFalse();
    assertThat(journal.entries()).isEmpty();
  }

  /** Hard reboot with a definition in its call defines that definition again before it starts the guest. */
  @Test
  public void hardReboot_withADefinition_definesItAgain() {
    String id = running("reboot-define");
    String original = driver.definition(id);
    driver.rescue(id, original, rescueRequest(), call()); // a definition other than the one kept
    assertThat(driver.definition(id)).isNotEqualTo(original);
    driver.hardReboot(id, DriverCall.builder().from(call()).definition(original).build());
    assertThat(driver.definition(id)).isEqualTo(original);
    DriverInstance after = state(id);
    assertThat(after.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(after.rescueDefinition()).isFalse();
  }

  /** Soft reboot leaves a running guest RUNNING and says whether it rebooted softly or had to be hard-rebooted. */
  @Test
  public void softReboot_running_isRunningWithAnOutcome() {
    String id = running("soft-reboot");
    RebootOutcome outcome = driver.softReboot(id, rebootCall());
    assertThat(outcome).isIn(RebootOutcome.SOFT, RebootOutcome.HARD);
    DriverInstance after = state(id);
    assertThat(after.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(after.hasSavedMemory()).isFalse();
  }

  /** Soft reboot of a guest that is not running (paused, stopped) is a hard reboot: it runs afterwards. */
  @Test
  public void softReboot_notRunning_isHardRebooted() {
    String paused = running("soft-reboot-paused");
    driver.pause(paused, call());
    assertThat(driver.softReboot(paused, rebootCall())).isEqualTo(RebootOutcome.HARD);
    assertThat(state(paused).powerState()).isEqualTo(PowerState.RUNNING);
    String stopped = running("soft-reboot-stopped");
    driver.stop(stopped, DriverCall.builder().shutdownTimeout(Duration.ZERO).build());
    assertThat(driver.softReboot(stopped, rebootCall())).isEqualTo(RebootOutcome.HARD);
    assertThat(state(stopped).powerState()).isEqualTo(PowerState.RUNNING);
  }

  private DriverCall rebootCall() {
    return DriverCall.builder().from(call()).softRebootTimeout(softRebootTimeout()).build();
  }

  // ---- retries --------------------------------------------------------------------------------------

  /** A second pause changes nothing and does not fail. */
  @Test
  public void pause_paused_staysPaused() {
    String id = running("pause-twice");
    driver.pause(id, call());
    driver.pause(id, call());
    assertThat(state(id).powerState()).isEqualTo(PowerState.PAUSED);
  }

  /** Unpause of a running guest changes nothing and does not fail. */
  @Test
  public void unpause_running_staysRunning() {
    String id = running("unpause-running");
    driver.unpause(id, call());
    assertThat(state(id).powerState()).isEqualTo(PowerState.RUNNING);
  }

  /** Stop of a stopped guest returns ALREADY_OFF and changes nothing. */
  @Test
  public void stop_stopped_isAlreadyOff() {
    String id = running("stop-twice");
    driver.stop(id, call());
    assertThat(driver.stop(id, call())).isEqualTo(StopOutcome.ALREADY_OFF);
    assertThat(state(id).powerState()).isEqualTo(PowerState.SHUTDOWN);
  }

  /** Stop of a suspended guest returns ALREADY_OFF and keeps its saved-memory image. */
  @Test
  public void stop_suspended_isAlreadyOffAndKeepsSavedMemory() {
    String id = running("stop-suspended");
    driver.suspend(id, call());
    assertThat(driver.stop(id, call())).isEqualTo(StopOutcome.ALREADY_OFF);
    DriverInstance after = state(id);
    assertThat(after.powerState()).isEqualTo(PowerState.SHUTDOWN);
    assertThat(after.hasSavedMemory()).isTrue();
  }

  /** Repair of a running guest without notes changes nothing. */
  @Test
  public void repair_withoutNotes_changesNothing() {
    String id = running("repair");
    String before = driver.definition(id);
    OperationJournal journal = OperationJournal.inMemory();
    driver.repair(id, call(journal));
    assertThat(state(id).powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(driver.definition(id)).isEqualTo(before);
    assertThat(journal.entries()).isEmpty();
  }

  // ---- rescue ---------------------------------------------------------------------------------------

  /** Rescue runs the guest on a rescue definition that embeds the definition it had before. */
  @Test
  public void rescue_running_runsARescueDefinitionEmbeddingTheOriginal() {
    String id = running("rescue");
    String before = driver.definition(id);
    assertThat(driver.embeddedOriginalDefinition(id)).isEmpty();
    driver.rescue(id, before, rescueRequest(), call());
    DriverInstance after = state(id);
    assertThat(after.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(after.rescueDefinition()).isTrue();
    assertThat(driver.embeddedOriginalDefinition(id)).contains(before);
  }

  /** Unrescue runs the guest on exactly the definition it had before the rescue. */
  @Test
  public void unrescue_rescued_restoresTheDefinitionExactly() {
    String id = running("unrescue");
    String before = driver.definition(id);
    OperationJournal journal = OperationJournal.inMemory();
    driver.rescue(id, before, rescueRequest(), call(journal));
    driver.unrescue(id, before, call(journal));
    DriverInstance after = state(id);
    assertThat(after.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(after.rescueDefinition()).isFalse();
    assertThat(driver.definition(id)).isEqualTo(before);
    assertThat(driver.embeddedOriginalDefinition(id)).isEmpty();
  }

  /** A second unrescue changes nothing and does not fail. */
  @Test
  public void unrescue_repeated_leavesTheOriginal() {
    String id = running("unrescue-twice");
    String before = driver.definition(id);
    OperationJournal journal = OperationJournal.inMemory();
    driver.rescue(id, before, rescueRequest(), call(journal));
    driver.unrescue(id, before, call(journal));
    driver.unrescue(id, before, call(journal));
    DriverInstance after = state(id);
    assertThat(after.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(after.rescueDefinition()).isFalse();
    assertThat(driver.definition(id)).isEqualTo(before);
    assertThat(journal.entries()).isEmpty();
  }

  // ---- journal --------------------------------------------------------------------------------------

  /** A suspend and a resume given the same journal leave no notes in it. */
  @Test
  public void suspendThenResume_sameJournal_leavesNoNotes() {
    String id = running("journal-suspend");
    OperationJournal journal = OperationJournal.inMemory();
    driver.suspend(id, call(journal));
    driver.resume(id, call(journal));
    assertThat(journal.entries()).isEmpty();
  }

  /** A rescue writes ahead the files it creates; the unrescue given the same journal removes the notes. */
  @Test
  public void rescueThenUnrescue_sameJournal_notesFilesThenRemovesThem() {
    String id = running("journal-rescue");
    String before = driver.definition(id);
    OperationJournal journal = OperationJournal.inMemory();
    driver.rescue(id, before, rescueRequest(), call(journal));
    assertThat(journal.entries()).isNotEmpty();
    driver.unrescue(id, before, call(journal));
    assertThat(journal.entries()).isEmpty();
  }

  // ---- lookup ---------------------------------------------------------------------------------------

  /** Find by id (in any case) and by name returns the same instance, which list also returns. */
  @Test
  public void find_byIdOrName_returnsTheInstance() {
    String name = uniqueName("find");
    String id = createRunningInstance(name);
    assertThat(id).isEqualTo(id.toLowerCase(Locale.ROOT));
    DriverInstance byId = state(id);
    assertThat(byId.id()).isEqualTo(id);
    assertThat(byId.name()).isEqualTo(name);
    assertThat(driver.find(name)).contains(byId);
    assertThat(driver.find(id.toUpperCase(Locale.ROOT))).contains(byId);
    assertThat(driver.list()).contains(byId);
  }

  /** Find of an unknown id or name is empty, and list does not return it. */
  @Test
  public void find_unknown_isEmpty() {
    String unknown = UUID.randomUUID().toString();
    assertThat(driver.find(unknown)).isEmpty();
    assertThat(driver.find(uniqueName("nobody"))).isEmpty();
    assertThat(driver.list()).noneMatch(i -> i.id().equals(unknown));
  }

  // ---- errors ---------------------------------------------------------------------------------------

  /** Every operation on an unknown instance throws {@link InstanceNotFoundException}. */
  @Test
  public void operations_unknownInstance_throwInstanceNotFound() {
    String definition = driver.definition(running("template"));
    String unknown = UUID.randomUUID().toString();
    Map<String, ThrowingCallable> calls = Map.ofEntries(
        Map.entry("pause", () -> driver.pause(unknown, call())),
        Map.entry("unpause", () -> driver.unpause(unknown, call())),
        Map.entry("suspend", () -> driver.suspend(unknown, call())),
        Map.entry("resume", () -> driver.resume(unknown, call())),
        Map.entry("stop", () -> driver.stop(unknown, call())),
        Map.entry("start", () -> driver.start(unknown, call())),
        Map.entry("hardReboot", () -> driver.hardReboot(unknown, call())),
        Map.entry("softReboot", () -> driver.softReboot(unknown, call())),
        Map.entry("definition", () -> driver.definition(unknown)),
        Map.entry("rescue", () -> driver.rescue(unknown, definition, rescueRequest(), call())),
        Map.entry("unrescue", () -> driver.unrescue(unknown, definition, call())),
        Map.entry("embeddedOriginalDefinition", () -> driver.embeddedOriginalDefinition(unknown)));
    calls.forEach((name, call) ->
        assertThat(catchThrowable(call)).as(name).isInstanceOf(InstanceNotFoundException.class));
  }

  /** Calls to an unreachable hypervisor throw {@link HypervisorException}. */
  @Test
  public void operations_hypervisorUnreachable_throwHypervisorException() {
    String id = running("unreachable");
    makeHypervisorUnreachable();
    List<ThrowingCallable> calls = List.of(driver::list, () -> driver.find(id), () -> driver.pause(id, call()),
        () -> driver.stop(id, call()), () -> driver.definition(id));
    for (ThrowingCallable call : calls) {
      assertThat(catchThrowable(call)).isInstanceOf(HypervisorException.class);
    }
  }

  // ---- events ---------------------------------------------------------------------------------------

  /**
   * A subscribed listener hears that a guest was paused.
   *
   * @throws Exception if closing the subscription fails
   */
  @Test
  public void subscribe_pause_deliversASuspendedEvent() throws Exception {
    String id = running("events");
    BlockingQueue<DriverEvent> events = new LinkedBlockingQueue<>();
    try (AutoCloseable subscription = driver.subscribe(events::add)) {
      driver.pause(id, call());
      long deadline = System.nanoTime() + eventTimeout().toNanos();
      boolean heard = false;
      while (!heard && System.nanoTime() < deadline) {
        DriverEvent event = events.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        heard = event != null && event.instanceId().equals(id) && event.type() == DriverEvent.Type.SUSPENDED;
      }
      assertThat(heard).as("a SUSPENDED event for %s within %s", id, eventTimeout()).isTrue();
    }
  }

  /**
   * A listener whose subscription was closed hears nothing more.
   *
   * @throws Exception if closing the subscription fails, or the wait is interrupted
   */
  @Test
  public void subscribe_closed_deliversNothingMore() throws Exception {
    String id = running("events-closed");
    List<DriverEvent> events = new CopyOnWriteArrayList<>();
    AutoCloseable subscription = driver.subscribe(events::add);
    subscription.close();
    driver.pause(id, call());
    driver.unpause(id, call());
    Thread.sleep(settle().toMillis());
    assertThat(events).noneMatch(e -> e.instanceId().equals(id));
  }

  // ---- helpers --------------------------------------------------------------------------------------

  /**
   * Returns a guest name that starts with {@code contract-} and {@code base} and is unique.
   *
   * @param base what the guest is for
   * @return the name
   */
  protected String uniqueName(String base) {
    return "contract-" + base + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private String running(String base) {
    return createRunningInstance(uniqueName(base));
  }

  private DriverInstance state(String id) {
    return driver.find(id).orElseThrow(() -> new AssertionError("the driver does not find instance " + id));
  }
}
