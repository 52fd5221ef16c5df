package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.LifecycleRules;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The habits of virsh and nova users: -c, $LIBVIRT_DEFAULT_URI, several IDs, --version, --json everywhere. */
class VmlifeHabitsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path stateDir;
  private final FakeHypervisor fake = Sessions.sampleFake();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final List<Optional<String>> urisOpened = new ArrayList<>();
  private byte[] stdin = new byte[0];

  /** Runs vmlife on the shared fake, recording the URI each session was opened with. */
  private int run(String... args) {
    return run(Map.of(), args);
  }

  private int run(Map<String, String> env, String... args) {
    InstanceStore store = InstanceStores.directory(stateDir);
    Vmlife.SessionFactory sessions = new Vmlife.SessionFactory() {
      @Override
      Vmlife.Session open(Optional<String> uri, Optional<Path> dir) {
        urisOpened.add(uri);
        return Sessions.session(fake, store, false, new FakeClock());
      }
    };
    return runWith(sessions, env, args);
  }

  private int runWith(Vmlife.SessionFactory sessions, Map<String, String> env, String... args) {
    out.reset();
    err.reset();
    return Vmlife.run(new Vmlife(new ByteArrayInputStream(stdin), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), sessions, env), args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-c", "--connect", "--uri"})
  void connect_everySpelling_opensThatUri(String option) {
    assertThat(run(option, "test:///default", "list")).isZero();
    assertThat(run("list", option, "test:///default")).isZero();
    assertThat(urisOpened).containsExactly(Optional.of("test:///default"), Optional.of("test:///default"));
  }

  @Test
  void libvirtDefaultUri_isUsedUnlessConnectIsGiven() {
    Map<String, String> env = Map.of("LIBVIRT_DEFAULT_URI", "qemu:///session");
    assertThat(run(env, "list")).isZero();
    assertThat(run(env, "-c", "test:///default", "list")).isZero();
    assertThat(run("list")).isZero();
    assertThat(urisOpened).containsExactly(Optional.of("qemu:///session"), Optional.of("test:///default"),
        Optional.empty());
  }

  @Test
  void libvirtDefaultUri_fakeUri_selectsTheFakeThroughTheRealSessions() throws Exception {
    int exit = runWith(new Vmlife.SessionFactory(), Map.of("LIBVIRT_DEFAULT_URI", "fake:///"), "--json", "list");
    assertThat(exit).as(err()).isZero();
    List<String> names = new ArrayList<>();
    JSON.readTree(out()).forEach(n -> names.add(n.get("name").asText()));
    assertThat(names).containsExactly("db-1", "web-1", "web-2");
  }

  @Test
  void severalIds_oneLineEachAndTheWorstExitCode() {
    assertThat(run("pause", "web-1", "nope", "web-2")).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(out().lines()).hasSize(2).anySatisfy(l -> assertThat(l).startsWith("web-1").contains("vm_state=paused"))
        .anySatisfy(l -> assertThat(l).startsWith("web-2").contains("vm_state=paused"));
    assertThat(err().lines()).containsExactly("vmlife: Instance nope could not be found");

    fake.onCall(FakeCall.UNPAUSE).withMessage("qemu went away").failBefore();
    assertThat(run("unpause", "web-1", "db-1", "nope")).isEqualTo(ExitCodes.HYPERVISOR);
    assertThat(err().lines()).hasSize(3);
  }

  @Test
  void severalIds_json_oneArrayElementPerIdInOrder() throws Exception {
    assertThat(run("--json", "lock", "web-2", "nope", "db-1")).isEqualTo(ExitCodes.NOT_FOUND);
    JsonNode array = JSON.readTree(out());
    assertThat(array).hasSize(3);
    assertThat(array.get(0).get("id").asText()).isEqualTo("web-2");
    assertThat(array.get(0).get("locked").asBoolean()).isTrue();
    assertThat(array.get(1).get("error").get("type").asText()).isEqualTo("not_found");
    assertThat(array.get(1).get("error").get("instance").asText()).isEqualTo("nope");
    assertThat(array.get(2).get("name").asText()).isEqualTo("db-1");
    assertThat(err()).isEmpty();
  }

  @Test
  void hypervisorMessage_namesTheInstanceAsTypedButKeepsPaths() throws Exception {
    String uuid = fake.guest("web-1").inspect().id();
    fake.onCall(FakeCall.SUSPEND).withMessage("domain " + uuid + " refused to save to /var/lib/x/" + uuid
        + "/save.img").failBefore();
    assertThat(run("suspend", "web-1")).isEqualTo(ExitCodes.HYPERVISOR);
    assertThat(err().strip()).isEqualTo("vmlife: domain web-1 refused to save to /var/lib/x/" + uuid + "/save.img");

    fake.onCall(FakeCall.PAUSE).withMessage("no space left").failBefore();
    assertThat(run("--json", "pause", "web-1")).isEqualTo(ExitCodes.HYPERVISOR);
    assertThat(JSON.readTree(err()).get("error").get("instance").asText()).isEqualTo("web-1");
    fake.onCall(FakeCall.PAUSE).withMessage("no space left").failBefore();
    assertThat(run("pause", "web-1")).isEqualTo(ExitCodes.HYPERVISOR);
    assertThat(err().strip()).isEqualTo("vmlife: web-1: no space left");
  }

  @Test
  void list_sortedByName_andFilteredByState() throws Exception {
    assertThat(run("pause", "web-2")).isZero();
    assertThat(run("list")).isZero();
    assertThat(out().lines().skip(1).map(l -> l.split(" +")[0])).containsExactly("db-1", "web-1", "web-2");
    assertThat(run("--json", "list", "--state", "paused")).isZero();
    JsonNode paused = JSON.readTree(out());
    assertThat(paused).hasSize(1);
    assertThat(paused.get(0).get("name").asText()).isEqualTo("web-2");
    assertThat(run("list", "--state", "active,paused")).isZero();
    assertThat(out().lines()).hasSize(4);
    assertThat(run("list", "--state", "sleepy")).isEqualTo(ExitCodes.INVALID_INPUT);
  }

  @Test
  void version_isTheBuildsProjectVersion() {
    assertThat(run("--version")).isZero();
    assertThat(out()).startsWith("vmlife " + BuildVersion.version());
    assertThat(BuildVersion.version()).matches("\\d+\\.\\d+\\.\\d+.*");
  }

  @Test
  void rules_json_isOneObjectPerRule() throws Exception {
    assertThat(run("--json", "rules")).isZero();
    JsonNode rules = JSON.readTree(out());
    assertThat(rules).hasSize(LifecycleRules.standard().all().size());
    assertThat(rules.get(0).get("operation").asText()).isEqualTo("pause");
    assertThat(rules.get(0).get("allowed_vm_states").get(0).asText()).isEqualTo("active");
    assertThat(run("rules", "--mermaid", "--json")).isZero();
    assertThat(JSON.readTree(out()).get("mermaid").asText()).startsWith("stateDiagram-v2");
  }

  @Test
  void rescueDryRun_json_givesTheDiffAndChangesNothing() throws Exception {
    assertThat(run("--json", "rescue", "db-1", "--dry-run")).isZero();
    JsonNode preview = JSON.readTree(out());
    assertThat(preview.get("id").asText()).isEqualTo("db-1");
    assertThat(preview.get("diff").asText()).contains("+++ db-1.rescue.xml");
    assertThat(run("--json", "rescue", "db-1", "web-1", "--dry-run")).isZero();
    assertThat(JSON.readTree(out())).hasSize(2);
    assertThat(run("rescue", "nope", "--dry-run")).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(run("--json", "rescue", "db-1", "nope", "--dry-run")).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(JSON.readTree(out()).get(1).get("error").get("type").asText()).isEqualTo("not_found");
    assertThat(run("--json", "show", "db-1")).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("active");
  }

  @Test
  void xml_json_wrapsTheDocumentAndTheError() throws Exception {
    stdin = fake.definition(fake.guest("db-1").inspect().id()).getBytes(StandardCharsets.UTF_8);
    assertThat(run("--json", "xml", "rescue", "--rescue-disk", "/r.qcow2")).isZero();
    assertThat(JSON.readTree(out()).get("xml").asText()).contains("/r.qcow2");
    stdin = "<not-a-domain/>".getBytes(StandardCharsets.UTF_8);
    assertThat(run("xml", "unrescue", "--json")).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(JSON.readTree(err()).get("error").get("type").asText()).isEqualTo("invalid_input");
    assertThat(out()).isEmpty();
  }

  @Test
  void demo_json_listsTheStepsAndTheStateDirectoryIsDeleted() throws Exception {
    assertThat(run("demo")).isZero();
    Matcher m = Pattern.compile("State store \\(durable, one file per instance\\): (\\S+)").matcher(out());
    assertThat(m.find()).as(out()).isTrue();
    assertThat(Files.exists(Path.of(m.group(1)))).isFalse();
    assertThat(run("--json", "demo")).isZero();
    JsonNode steps = JSON.readTree(out());
    assertThat(steps.get(0).get("step").asText()).isEqualTo("pause web-1");
    assertThat(steps.findValuesAsText("result")).contains("done", "refused", "failed");
  }

  @Test
  void everyCommand_helpHasExamples() {
    List<CommandLine> all = new ArrayList<>();
    collect(Vmlife.commandLine(new Vmlife()), all);
    assertThat(all).hasSizeGreaterThan(20);
    for (CommandLine c : all) {
      if (c.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
        continue;
      }
      assertThat(c.getUsageMessage(CommandLine.Help.Ansi.OFF)).as(c.getCommandSpec().qualifiedName())
          .contains("Examples:").contains("vmlife ");
    }
    assertThat(run("pause", "--help")).isZero();
    assertThat(out()).contains("vmlife pause web-1 web-2 db-1");
    assertThat(run("help", "stop")).isZero();
    assertThat(out()).contains("--shutdown-timeout 0");
  }

  private static void collect(CommandLine c, List<CommandLine> into) {
    into.add(c);
    c.getSubcommands().values().forEach(sub -> collect(sub, into));
  }

  @Test
  void worse_ordersTheCodesBySeverity() {
    int[] leastToMost = {0, 3, 4, 6, 2, 5, 7};
    for (int i = 0; i < leastToMost.length; i++) {
      for (int j = 0; j < leastToMost.length; j++) {
        assertThat(ExitCodes.worse(leastToMost[i], leastToMost[j])).isEqualTo(leastToMost[Math.max(i, j)]);
      }
    }
  }
}
