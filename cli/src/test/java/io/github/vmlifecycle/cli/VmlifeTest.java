package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.InstanceStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The CLI over one shared fake hypervisor, as successive {@code vmlife} calls on one host would see it. */
class VmlifeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IMAGE = "/images/rescue.qcow2";

  @TempDir Path stateDir;
  private final FakeHypervisor fake = Sessions.sampleFake();
  private final FakeClock clock = new FakeClock();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    InstanceStore store = InstanceStores.directory(stateDir);
    Vmlife.SessionFactory sessions = new Vmlife.SessionFactory() {
      @Override
      Vmlife.Session open(Optional<String> uri, Optional<Path> dir) {
        return Sessions.session(fake, store, false, clock);
      }
    };
    return Vmlife.run(new Vmlife(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), sessions), args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private JsonNode errJson() throws Exception {
    return JSON.readTree(err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void list_json_givesNovaNames() throws Exception {
    assertThat(run("--json", "list")).isZero();
    JsonNode list = JSON.readTree(out());
    assertThat(list).hasSize(3);
    for (JsonNode n : list) {
      assertThat(n.get("vm_state").asText()).isEqualTo("active");
      assertThat(n.get("power_state").asText()).isEqualTo("running");
      assertThat(n.get("task_state").isNull()).isTrue();
      assertThat(n.get("uuid").asText()).hasSize(36);
      assertThat(n.has("name")).isTrue();
    }
  }

  @Test
  void pauseUnpause_exitZeroAndStatesInJson() throws Exception {
    assertThat(run("--json", "pause", "web-1")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("paused");
    assertThat(run("--json", "unpause", "web-1")).isZero();
    assertThat(JSON.readTree(out()).get("power_state").asText()).isEqualTo("running");
    assertThat(run("actions", "web-1")).isZero();
    assertThat(out()).contains("pause").contains("unpause").contains("succeeded");
  }

  @Test
  void illegalRequest_exits3WithATypedJsonError() throws Exception {
    assertThat(run("--json", "unpause", "web-1")).isEqualTo(3);
    JsonNode error = errJson().get("error");
    assertThat(error.get("type").asText()).isEqualTo("invalid_state");
    assertThat(error.get("message").asText()).isEqualTo("Cannot 'unpause' instance web-1 while it is in vm_state active");
    assertThat(out()).isEmpty();
  }

  @Test
  void lockedInstance_exits3() throws Exception {
    assertThat(run("lock", "web-1")).isZero();
    assertThat(run("--json", "pause", "web-1")).isEqualTo(3);
    assertThat(errJson().get("error").get("type").asText()).isEqualTo("locked");
  }

  @Test
  void unknownInstance_exits4() throws Exception {
    assertThat(run("--json", "show", "nope")).isEqualTo(4);
    assertThat(errJson().get("error").get("type").asText()).isEqualTo("not_found");
  }

  @Test
  void hypervisorFailure_exits5AndLandsOnTheTruth() throws Exception {
    fake.onCall(FakeCall.SUSPEND).withMessage("disk full").failBefore();
    assertThat(run("--json", "suspend", "web-1")).isEqualTo(5);
    assertThat(errJson().get("error").get("message").asText()).contains("disk full");
    assertThat(run("--json", "show", "web-1")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("active");
  }

  @Test
  void invalidInput_exits6() throws Exception {
    assertThat(run("--json", "reset-state", "web-1", "--state", "paused")).isEqualTo(6);
    assertThat(run("--json", "pause", "../etc/passwd")).isEqualTo(6);
    assertThat(run("rescue", "web-1", "--kernel", "/k")).isEqualTo(6);
    assertThat(run("rescue", "web-1", "--rescue-bus", "pcie")).isEqualTo(6);
  }

  @Test
  void usageError_exits2() {
    assertThat(run("pause")).isEqualTo(2);
    assertThat(run("frobnicate", "web-1")).isEqualTo(2);
    assertThat(run("reboot")).isEqualTo(2);
    assertThat(run("recover", "--resume-guests")).isEqualTo(2);
    assertThat(run("stop", "web-1", "--shutdown-retry-interval", "0")).isEqualTo(6);
  }

  /** The last action of {@code name}, as {@code actions --json} prints it. */
  private JsonNode lastAction(String name) throws Exception {
    assertThat(run("--json", "actions", name)).isZero();
    JsonNode all = JSON.readTree(out());
    return all.get(all.size() - 1);
  }

  @Test
  void reboot_softByDefault_hardWithTheFlag_andTheActionSaysWhich() throws Exception {
    assertThat(run("--json", "reboot", "web-1")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("active");
    assertThat(lastAction("web-1").get("action").asText()).isEqualTo("reboot");
    assertThat(lastAction("web-1").get("message").asText()).isEqualTo("the guest rebooted cleanly (soft reboot)");
    fake.guest("web-1").setIgnoresShutdown(true);
    assertThat(run("reboot", "--reboot-timeout", "5", "web-1")).isZero();
    assertThat(lastAction("web-1").get("message").asText())
        .startsWith("the guest did not react to the soft reboot within 5 s");
    assertThat(run("reboot", "--hard", "web-1")).isZero();
    assertThat(lastAction("web-1").get("result").asText()).isEqualTo("succeeded");
    assertThat(run("pause", "web-1")).isZero();
    assertThat(run("reboot", "web-1")).as("soft reboot only from active").isEqualTo(3);
  }

  @Test
  void sync_withShutdownOptions_destroysAGuestIgnoringTheButtonAfterTheTimeout() throws Exception {
    assertThat(run("stop", "web-1", "--shutdown-timeout", "0")).isZero();
    String id = fake.guest("web-1").id();
    fake.start(id, io.github.vmlifecycle.spi.DriverCall.defaults());
    fake.guest(id).setIgnoresShutdown(true);
    assertThat(run("sync", "--shutdown-timeout", "3", "--shutdown-retry-interval", "1")).isZero();
    JsonNode stop = lastAction("web-1");
    assertThat(stop.get("action").asText()).isEqualTo("stop");
    assertThat(stop.get("message").asText()).startsWith("power sync")
        .contains("did not shut down within 3 s and was destroyed");
    assertThat(fake.guest(id).shutdownRequests()).isEqualTo(3);
  }

  @Test
  void recoverHostBoot_syncsByDefaultAndResumesGuestsWhenAsked() throws Exception {
    assertThat(run("list")).isZero();
    fake.guest("web-1").destroyBehindBack();
    assertThat(run("--json", "recover", "--host-boot")).isZero();
    assertThat(lastAction("web-1").get("action").asText()).isEqualTo("stop");
    assertThat(run("--json", "show", "web-1")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("stopped");

    fake.guest("web-2").destroyBehindBack();
    assertThat(run("--json", "recover", "--host-boot", "--resume-guests")).isZero();
    JsonNode reboot = lastAction("web-2");
    assertThat(reboot.get("action").asText()).isEqualTo("reboot");
    assertThat(reboot.get("message").asText()).startsWith("host boot");
    assertThat(fake.guest("web-2").powerState()).isEqualTo(io.github.vmlifecycle.PowerState.RUNNING);
    assertThat(fake.guest("web-1").powerState()).as("stopped, not running any more: left off")
        .isEqualTo(io.github.vmlifecycle.PowerState.SHUTDOWN);
  }

  @Test
  void rescueUnrescue_roundTripThroughTheCli() throws Exception {
    String original = fake.definition(fake.guest("db-1").inspect().id());
    assertThat(run("--json", "rescue", "db-1", "--image", "/images/rescue.qcow2")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("rescued");
    assertThat(run("--json", "unrescue", "db-1")).isZero();
    assertThat(fake.definition(fake.guest("db-1").inspect().id())).isEqualTo(original);
  }

  @Test
  void rescueDryRun_printsADiffAndChangesNothing() {
    String before = fake.definition(fake.guest("db-1").inspect().id());
    assertThat(run("rescue", "db-1", "--dry-run")).isZero();
    assertThat(out()).contains("--- db-1.xml").contains("+++ db-1.rescue.xml").contains("disk.rescue");
    assertThat(fake.definition(fake.guest("db-1").inspect().id())).isEqualTo(before);
    fake.assertNotCalled(FakeCall.RESCUE);
  }

  @Test
  void rescueWithTimeout_showsTheDeadlineInTextAndJson() throws Exception {
    assertThat(run("--json", "rescue", "db-1", "--image", IMAGE, "--timeout", "30m")).isZero();
    JsonNode rescued = JSON.readTree(out());
    assertThat(rescued.get("rescued_at").asText()).isEqualTo("2026-01-01T00:00:00Z");
    assertThat(rescued.get("rescue_timeout").asText()).isEqualTo("PT30M");
    assertThat(rescued.get("unrescue_at").asText()).isEqualTo("2026-01-01T00:30:00Z");

    assertThat(run("show", "db-1")).isZero();
    assertThat(out()).contains("unrescue_at: 2026-01-01T00:30:00Z (rescue timeout PT30M)");

    assertThat(run("--json", "show", "web-1")).isZero();
    JsonNode active = JSON.readTree(out());
    assertThat(active.get("rescue_timeout").isNull()).isTrue();
    assertThat(active.get("unrescue_at").isNull()).isTrue();
    assertThat(run("show", "web-1")).isZero();
    assertThat(out()).doesNotContain("unrescue_at");
  }

  @ParameterizedTest(name = "--timeout {0}")
  @CsvSource({"90s, PT1M30S", "30m, PT30M", "2h, PT2H", "1d, PT24H", "1h30m, PT1H30M", "500ms, PT0.5S",
      "PT30M, PT30M", "pt45s, PT45S", "P1DT1H, PT25H"})
  void rescue_timeoutForms_areAccepted(String given, String iso) throws Exception {
    assertThat(run("--json", "rescue", "db-1", "--image", IMAGE, "--timeout", given)).as(err.toString(StandardCharsets.UTF_8)).isZero();
    assertThat(JSON.readTree(out()).get("rescue_timeout").asText()).isEqualTo(iso);
    assertThat(JSON.readTree(out()).get("unrescue_at").asText())
        .isEqualTo(FakeClock.DEFAULT_START.plus(Duration.parse(iso)).toString());
  }

  @ParameterizedTest(name = "--timeout ''{0}''")
  @ValueSource(strings = {"abc", "30", "0s", "PT0S", "-PT5M", "5x", "1h30", "m", "", "30 m", "PT", "99999999999999999d"})
  void rescue_badTimeout_exits2WithAClearMessageAndChangesNothing(String bad) throws Exception {
    assertThat(run("rescue", "db-1", "--image", IMAGE, "--timeout", bad)).isEqualTo(2);
    String message = err.toString(StandardCharsets.UTF_8);
    assertThat(message).contains("--timeout");
    assertThat(message).containsAnyOf("90s, 30m, 2h", "not positive", "too long");
    assertThat(run("--json", "show", "db-1")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("active");
    fake.assertNotCalled(FakeCall.RESCUE);
  }

  @Test
  void unrescueExpired_afterTheDeadline_unrescuesAndReportsIt() throws Exception {
    String original = fake.definition(fake.guest("db-1").inspect().id());
    assertThat(run("rescue", "db-1", "--image", IMAGE, "--timeout", "30m")).isZero();
    assertThat(run("unrescue-expired")).isZero();
    assertThat(out()).contains("no rescue timeout has run out");

    clock.advance(Duration.ofMinutes(30));
    assertThat(run("--json", "unrescue-expired")).isZero();
    JsonNode done = JSON.readTree(out());
    assertThat(done).hasSize(1);
    JsonNode action = done.get(0);
    assertThat(action.get("name").asText()).isEqualTo("db-1");
    assertThat(action.get("action").asText()).isEqualTo("unrescue");
    assertThat(action.get("result").asText()).isEqualTo("succeeded");
    assertThat(action.get("vm_state_before").asText()).isEqualTo("rescued");
    assertThat(action.get("vm_state_after").asText()).isEqualTo("active");
    assertThat(action.get("message").asText())
        .isEqualTo("rescue timeout PT30M ran out at 2026-01-01T00:30:00Z (rescued at 2026-01-01T00:00:00Z)");
    assertThat(action.get("fault_kind").isNull()).isTrue();
    assertThat(fake.definition(fake.guest("db-1").inspect().id())).isEqualTo(original);

    assertThat(run("actions", "db-1")).isZero();
    assertThat(out()).contains("unrescue").contains("rescue timeout PT30M ran out");
    assertThat(run("--json", "unrescue-expired")).isZero();
    assertThat(JSON.readTree(out())).isEmpty();
  }

  @Test
  void unrescueExpired_lockedInstance_isSkipped() throws Exception {
    assertThat(run("rescue", "db-1", "--image", IMAGE, "--timeout", "90s")).isZero();
    assertThat(run("lock", "db-1")).isZero();
    clock.advance(Duration.ofHours(1));
    assertThat(run("unrescue-expired")).isZero();
    assertThat(out()).contains("no rescue timeout has run out");
    assertThat(run("--json", "show", "db-1")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("rescued");
  }

  @Test
  void unrescueExpired_oneHypervisorFailure_exits5AndStillUnrescuesTheOthers() throws Exception {
    assertThat(run("rescue", "db-1", "--image", IMAGE, "--timeout", "30m")).isZero();
    assertThat(run("rescue", "web-2", "--image", IMAGE, "--timeout", "10m")).isZero();
    clock.advance(Duration.ofMinutes(30));
    fake.onCall(FakeCall.UNRESCUE).forInstance("db-1").withMessage("qemu monitor closed").failBefore();

    assertThat(run("--json", "unrescue-expired")).isEqualTo(5);

    JsonNode done = JSON.readTree(out());
    assertThat(done).hasSize(2);
    for (JsonNode a : done) {
      if (a.get("name").asText().equals("db-1")) {
        assertThat(a.get("result").asText()).isEqualTo("failed");
        assertThat(a.get("fault_kind").asText()).isEqualTo("hypervisor");
        assertThat(a.get("message").asText()).startsWith("rescue timeout PT30M").contains("qemu monitor closed");
      } else {
        assertThat(a.get("name").asText()).isEqualTo("web-2");
        assertThat(a.get("result").asText()).isEqualTo("succeeded");
      }
    }
    JsonNode error = errJson().get("error");
    assertThat(error.get("type").asText()).isEqualTo("hypervisor");
    assertThat(error.get("message").asText()).isEqualTo("1 of 2 automatic unrescues failed: db-1");
    assertThat(run("--json", "show", "web-2")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("active");
  }

  @Test
  void recover_resolvesAndLists() {
    assertThat(run("recover")).isZero();
    assertThat(out()).contains("web-1").contains("active");
  }

  @Test
  void sync_afterAGuestStoppedBehindOurBack_storesStoppedWhileShowAloneDoesNot() throws Exception {
    assertThat(run("list")).isZero(); // adopts all three as active
    fake.guest("web-1").destroyBehindBack();
    fake.guest("db-1").shutsDown();

    assertThat(run("--json", "show", "web-1")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).as("show reads the store").isEqualTo("active");

    assertThat(run("--json", "sync", "web-1")).isZero();
    JsonNode one = JSON.readTree(out());
    assertThat(one.get("vm_state").asText()).isEqualTo("stopped");
    assertThat(one.get("power_state").asText()).isEqualTo("shutdown");

    assertThat(run("--json", "sync")).isZero();
    JsonNode all = JSON.readTree(out());
    assertThat(all).hasSize(3);
    for (JsonNode n : all) {
      assertThat(n.get("vm_state").asText()).as("%s", n)
          .isEqualTo(n.get("name").asText().equals("web-2") ? "active" : "stopped");
    }
    assertThat(run("actions", "db-1")).isZero();
    assertThat(out()).contains("stop").contains("power sync: instance is active but the hypervisor reports shutdown");
  }

  @Test
  void demo_runsTheTour() {
    ByteArrayOutputStream demoOut = new ByteArrayOutputStream();
    int code = Vmlife.run(new Vmlife(new ByteArrayInputStream(new byte[0]),
        new PrintStream(demoOut, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        new Vmlife.SessionFactory()), "demo");
    String text = demoOut.toString(StandardCharsets.UTF_8);
    assertThat(code).as(text + err).isZero();
    assertThat(text).contains("pause web-1", "suspend web-2", "rescue db-1", "original definition restored exactly: true",
        "Cannot 'pause' instance web-1 while it is in vm_state stopped", "is locked", "recovered task_state powering-off");
  }
}
