package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeClock;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.InstanceStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile text and a damaged store at the command line: names and faults carrying terminal escapes are
 * printed escaped (JSON stays exact), a corrupt record is named and skipped with exit 8 while every
 * other instance is served, and {@code actions --tail/--since} give the end of the log.
 */
class HardenedCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** C1 CSI and a right-to-left override: both allowed in XML 1.0, so a domain name may carry them. */
  private static final String HOSTILE_NAME = "evil\u009b2J\u202Eexe.txt";

  @TempDir Path stateDir;
  private final FakeClock clock = new FakeClock();
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
        return Sessions.session(fake, store, false, clock);
      }
    };
    return Vmlife.run(new Vmlife(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true,
        StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), sessions), args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private static void assertTerminalSafe(String text) {
    assertThat(text.chars().filter(c -> c != '\n' && (c < 0x20 || (c >= 0x7f && c <= 0x9f)
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)))).isEmpty();
  }

  @Test
  void hostileNames_areEscapedInTextAndExactInJson() throws Exception {
    String id = fake.createInstance(HOSTILE_NAME);
    InstanceStores.directory(stateDir).insertIfAbsent(Instance.builder().id("raw-escape").name("x\u001b[2J\u001b]0;owned\u0007")
        .vmState(VmState.STOPPED).powerState(PowerState.SHUTDOWN).build());

    assertThat(run("list")).isZero();
    assertThat(out()).contains("evil\\x9b2J\\u202eexe.txt").contains("x\\x1b[2J\\x1b]0;owned\\x07");
    assertTerminalSafe(out());

    assertThat(run("show", id)).isZero();
    assertTerminalSafe(out());

    assertThat(run("--json", "list")).isZero();
    assertThat(JSON.readTree(out()).findValuesAsText("name")).contains(HOSTILE_NAME, "x\u001b[2J\u001b]0;owned\u0007");
  }

  @Test
  void hostileFaultMessages_areEscapedInErrorsAndInTheActionLog() throws Exception {
    fake.onCall(FakeCall.PAUSE).withMessage("\u001b[31mboom\u001b[0m\rforged line").failBefore();

    assertThat(run("pause", "web-1")).isEqualTo(ExitCodes.HYPERVISOR);
    assertThat(err()).contains("\\x1b[31mboom").contains("\\rforged line".replace("\\r", "\\x0d"));
    assertTerminalSafe(err());

    assertThat(run("actions", "web-1")).isZero();
    assertThat(out()).contains("\\x1b[31mboom");
    assertTerminalSafe(out());

    fake.onCall(FakeCall.PAUSE).withMessage("\u001b[31mboom").failBefore();
    assertThat(run("--json", "pause", "web-1")).isEqualTo(ExitCodes.HYPERVISOR);
    assertThat(JSON.readTree(err()).at("/error/message").asText()).contains("\u001b[31mboom");
  }

  @Test
  void corruptRecord_isNamedSkippedAndExits7_whileEveryOtherInstanceIsServed() throws Exception {
    assertThat(run("list")).isZero();
    String web2 = fake.find("web-2").orElseThrow().id();
    Files.writeString(stateDir.resolve(web2 + ".instance"), "format=vmlifecycle-instance/1\nid=" + web2 + "\n");

    for (String[] command : new String[][] {{"list"}, {"recover"}, {"unrescue-expired"}, {"sync"}}) {
      assertThat(run(command)).as(command[0]).isEqualTo(ExitCodes.SKIPPED);
      assertThat(err()).as(command[0]).contains(web2 + ".instance").contains("corrupt");
    }
    assertThat(run("list")).isEqualTo(ExitCodes.SKIPPED);
    assertThat(out()).contains("web-1").contains("db-1").doesNotContain("web-2");

    assertThat(run("--json", "list")).isEqualTo(ExitCodes.SKIPPED);
    assertThat(JSON.readTree(out())).hasSize(2);
    JsonNode skipped = JSON.readTree(err()).get("skipped");
    assertThat(skipped).hasSize(1);
    assertThat(skipped.get(0).get("file").asText()).endsWith(web2 + ".instance");
    assertThat(skipped.get(0).get("reason").asText()).isEqualTo("corrupt");

    assertThat(run("pause", "web-1")).isZero();
  }

  @Test
  void actions_tailAndSince_giveTheEndOfTheLog() throws Exception {
    for (int n = 0; n < 4; n++) {
      assertThat(run("lock", "web-1")).isZero();
      clock.advance(Duration.ofMinutes(1));
      assertThat(run("unlock", "web-1")).isZero();
      clock.advance(Duration.ofMinutes(1));
    }
    assertThat(run("--json", "actions", "web-1")).isZero();
    JsonNode all = JSON.readTree(out());

    assertThat(run("--json", "actions", "web-1", "--tail", "3")).isZero();
    JsonNode tail = JSON.readTree(out());
    assertThat(tail).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(tail.get(i)).isEqualTo(all.get(all.size() - 3 + i));
    }

    String since = all.get(all.size() - 2).get("finish_time").asText();
    assertThat(run("--json", "actions", "web-1", "--since", since)).isZero();
    JsonNode recent = JSON.readTree(out());
    assertThat(recent).hasSize(2);
    assertThat(recent.get(1)).isEqualTo(all.get(all.size() - 1));

    assertThat(run("actions", "web-1", "--since", "yesterday")).isEqualTo(ExitCodes.USAGE);
    assertThat(run("actions", "web-1", "--tail", "-1")).isEqualTo(ExitCodes.USAGE);
  }
}
