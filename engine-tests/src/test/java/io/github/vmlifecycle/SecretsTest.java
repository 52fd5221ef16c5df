package io.github.vmlifecycle;

import io.github.vmlifecycle.rescue.RescueRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.fake.FakeInstanceSpec;
import io.github.vmlifecycle.spi.InstanceStore;
import io.github.vmlifecycle.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A domain definition carrying a VNC password goes through rescue, unrescue, refusals, hypervisor
 * failures, a crash and recovery: the password is kept where it must be (the instance record, mode
 * 0600, to restore the definition) and appears nowhere else: not in the action log, events, exception
 * messages, {@code Instance.toString()} or anything logged at any level.
 */
class SecretsTest {
  private static final String IMAGE = "/images/rescue.qcow2";
  private static final String SECRET = "s3cret-" + UUID.randomUUID();
  private static final String DEFINITION = """
      <domain type='kvm'>
        <name>vnc-1</name>
        <uuid>7d0c1b9a-4f3e-4d2a-9b1c-0e5f6a7b8c9d</uuid>
        <memory unit='KiB'>262144</memory>
        <os><type arch='x86_64' machine='pc'>hvm</type></os>
        <devices>
          <disk type='file' device='disk'>
            <driver name='qemu' type='qcow2'/>
            <source file='/var/lib/fake/vnc-1/disk'/>
            <target dev='vda' bus='virtio'/>
          </disk>
          <graphics type='vnc' port='-1' autoport='yes' passwd='%s'/>
        </devices>
      </domain>
      """.formatted(SECRET);

  @TempDir Path stateDir;
  private final FakeClock clock = new FakeClock();
  private final CrashPoint.Armed crash = new CrashPoint.Armed();
  private final FakeHypervisor fake = new FakeHypervisor(clock);
  private final List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());
  private final List<Throwable> errors = new ArrayList<>();
  private InstanceStore store;
  private LifecycleEngine engine;
  private String id;
  private LogCapture logs;

  @BeforeEach
  void setUp() {
    logs = LogCapture.start(LifecycleEngine.class.getName(), FakeHypervisor.class.getName(),
        "io.github.vmlifecycle.fake.Subscribers");
    fake.addImage(IMAGE);
    fake.addImage("/var/lib/fake/vnc-1/disk");
    id = fake.define(FakeInstanceSpec.builder().name("vnc-1").definition(DEFINITION).build());
    store = InstanceStores.directory(stateDir);
    engine = newEngine();
  }

  @AfterEach
  void tearDown() {
    engine.close();
    logs.close();
  }

  private LifecycleEngine newEngine() {
    return LifecycleEngine.builder().driver(fake).store(store).clock(clock).executor(Runnable::run)
        .stepObserver(crash).listener(events::add)
        .listener(event -> {
          throw new IllegalStateException("listener refuses " + event.name());
        })
        .build();
  }

  private void attempt(Runnable action) {
    Throwable thrown = catchThrowable(action::run);
    if (thrown != null) {
      errors.add(thrown);
    }
  }

  @Test
  void aPasswordInTheDefinition_isKeptInThePrivateRecordAndAppearsNowhereElse() throws Exception {
    RescueRequest request = RescueRequest.builder().image(IMAGE).build();

    Instance rescued = engine.rescue("vnc-1", request);
    assertThat(rescued.originalDefinition()).hasValueSatisfying(d -> assertThat(d).contains(SECRET));
    Path record = stateDir.resolve(id + ".instance");
    assertThat(Files.readString(record)).contains(SECRET);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record))).isEqualTo("rw-------");
    assertThat(rescued.toString()).doesNotContain(SECRET).contains("vnc-1");
    assertThat(engine.get("vnc-1").toString()).doesNotContain(SECRET);

    fake.onCall(FakeCall.UNRESCUE).withMessage("unrescue refused by the test").failBefore();
    attempt(() -> engine.unrescue("vnc-1"));
    engine.unrescue("vnc-1");
    assertThat(fake.definition(id)).isEqualTo(DEFINITION);

    attempt(() -> engine.rescue("vnc-1", RescueRequest.builder().image("/images/missing.qcow2").build()));
    attempt(() -> engine.rescue("vnc-1", RescueRequest.builder().image("/var/lib/fake/vnc-1/disk").build()));
    fake.onCall(FakeCall.RESCUE).failMidway(3);
    attempt(() -> engine.rescue("vnc-1", request));
    assertThat(engine.get("vnc-1").vmState()).as("a rescue definition in place").isEqualTo(VmState.RESCUED);
    engine.resetState("vnc-1", VmState.ACTIVE);
    attempt(() -> engine.unrescue("vnc-1"));
    attempt(() -> engine.hardReboot("vnc-1"));
    engine.syncPowerStates();
    assertThat(engine.get("vnc-1").vmState()).as("a rescue definition in place keeps it rescued")
        .isEqualTo(VmState.RESCUED);
    engine.unrescue("vnc-1");
    assertThat(fake.definition(id)).isEqualTo(DEFINITION);

    assertThat(crash.runUntil(CrashPoint.AFTER_INTENT, () -> engine.execute("vnc-1", Operation.RESCUE,
        OperationOptions.builder().rescueRequest(request).build()))).isTrue();
    engine.close();
    engine = newEngine();
    engine.recover();
    engine.syncPowerStates();

    assertThat(errors).as("the failures the scenario provoked").hasSizeGreaterThanOrEqualTo(3);
    assertThat(logs.text()).as("the capture sees what the engine logs").contains("Lifecycle listener");
    assertSecretNowhere();
  }

  private void assertSecretNowhere() throws Exception {
    assertThat(logs.text()).as("log output").doesNotContain(SECRET);
    for (ActionRecord action : engine.actions("vnc-1")) {
      assertThat(action.toString()).as("action %s", action.action()).doesNotContain(SECRET);
    }
    assertThat(engine.actions("vnc-1")).extracting(ActionRecord::action)
        .contains(ActionKind.RESCUE, ActionKind.UNRESCUE, ActionKind.RECOVER);
    assertThat(Files.readString(stateDir.resolve(id + ".actions"), StandardCharsets.UTF_8))
        .as("the action log file").doesNotContain(SECRET);
    assertThat(events).as("events").isNotEmpty();
    synchronized (events) {
      for (LifecycleEvent event : events) {
        assertThat(event.toString()).as(event.name()).doesNotContain(SECRET);
      }
    }
    for (Throwable error : errors) {
      assertThat(error).isInstanceOf(VmLifecycleException.class);
      for (Throwable t = error; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t)).as("exception %s", t.getClass().getName()).doesNotContain(SECRET);
        for (Throwable s : t.getSuppressed()) {
          assertThat(String.valueOf(s)).doesNotContain(SECRET);
        }
      }
    }
  }
}
