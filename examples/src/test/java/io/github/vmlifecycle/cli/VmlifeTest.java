package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.InstanceStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI over one shared fake hypervisor, as successive {@code vmlife} calls on one host would see it. */
class VmlifeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path stateDir;
  private final FakeHypervisor fake = Sessions.sampleFake();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    InstanceStore store = InstanceStores.directory(stateDir);
    Vmlife.SessionFactory sessions = new Vmlife.SessionFactory() {
      @Override
      Vmlife.Session open(Optional<String> uri, Optional<Path> dir) {
        return Sessions.session(fake, store, false);
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
    assertThat(run("reboot", "web-1")).isEqualTo(2);
  }

  @Test
  void rescueUnrescue_roundTripThroughTheCli() throws Exception {
    String original = fake.definition(fake.inspect("db-1").id());
    assertThat(run("--json", "rescue", "db-1", "--image", "/images/rescue.qcow2")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("rescued");
    assertThat(run("--json", "unrescue", "db-1")).isZero();
    assertThat(fake.definition(fake.inspect("db-1").id())).isEqualTo(original);
  }

  @Test
  void rescueDryRun_printsADiffAndChangesNothing() {
    String before = fake.definition(fake.inspect("db-1").id());
    assertThat(run("rescue", "db-1", "--dry-run")).isZero();
    assertThat(out()).contains("--- db-1.xml").contains("+++ db-1.rescue.xml").contains("disk.rescue");
    assertThat(fake.definition(fake.inspect("db-1").id())).isEqualTo(before);
    fake.assertNotCalled(FakeCall.RESCUE);
  }

  @Test
  void recover_resolvesAndLists() {
    assertThat(run("recover")).isZero();
    assertThat(out()).contains("web-1").contains("active");
  }

  @Test
  void sync_afterAGuestStoppedBehindOurBack_storesStoppedWhileShowAloneDoesNot() throws Exception {
    assertThat(run("list")).isZero(); // adopts all three as active
    fake.destroyBehindBack("web-1");
    fake.guestShutsDown("db-1");

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
    assertThat(out()).contains("sync");
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
