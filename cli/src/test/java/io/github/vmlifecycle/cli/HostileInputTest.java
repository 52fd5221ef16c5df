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
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Bad input at every {@code vmlife} command that takes an instance, on {@code fake:///} with a durable
 * {@code --state-dir}: unknown and hostile ids, bad rescue paths and a corrupt or misplaced store. Each
 * exits with its code and a typed error ({@code --json}: {@code error.type}) and changes nothing: every
 * file under the test's directory is byte-identical afterwards and none is created outside the store.
 */
class HostileInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000";

  @TempDir Path root;
  private Path stateDir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  /** A command that takes an instance; {@code ID} is replaced by the id under test. */
  record Cmd(String... args) {
    List<String> with(String id) {
      List<String> a = new ArrayList<>();
      for (String s : args) {
        a.add(s.equals("ID") ? id : s);
      }
      return a;
    }

    @Override
    public String toString() {
      return String.join(" ", args);
    }
  }

  /** A hostile or unknown id, the exit code and the JSON error type it must give. */
  record Id(String label, String id, int exit, String type) {
    @Override
    public String toString() {
      return label;
    }
  }

  static List<Cmd> commands() {
    return List.of(
        new Cmd("show", "ID"),
        new Cmd("pause", "ID"),
        new Cmd("unpause", "ID"),
        new Cmd("suspend", "ID"),
        new Cmd("resume", "ID"),
        new Cmd("stop", "ID"),
        new Cmd("stop", "ID", "--shutdown-timeout", "0"),
        new Cmd("start", "ID"),
        new Cmd("reboot", "--hard", "ID"),
        new Cmd("rescue", "ID"),
        new Cmd("rescue", "ID", "--image", "/images/rescue.qcow2"),
        new Cmd("rescue", "ID", "--image", "/images/rescue.qcow2", "--stable", "--rescue-bus", "scsi"),
        new Cmd("rescue", "ID", "--dry-run"),
        new Cmd("unrescue", "ID"),
        new Cmd("lock", "ID"),
        new Cmd("unlock", "ID"),
        new Cmd("reset-state", "ID", "--state", "active"),
        new Cmd("reset-state", "ID", "--state", "error"),
        new Cmd("actions", "ID"),
        new Cmd("sync", "ID"));
  }

  static List<Id> ids() {
    int notFound = ExitCodes.NOT_FOUND;
    int invalid = ExitCodes.INVALID_INPUT;
    return List.of(
        new Id("unknown name", "nope", notFound, "not_found"),
        new Id("unknown UUID", UNKNOWN_UUID, notFound, "not_found"),
        new Id("a store file's name", "web-1.instance", notFound, "not_found"),
        new Id("parent path", "../etc/passwd", invalid, "invalid_input"),
        new Id("parent of a known name", "../web-1", invalid, "invalid_input"),
        new Id("slash", "a/b", invalid, "invalid_input"),
        new Id("absolute path", "/etc/passwd", invalid, "invalid_input"),
        new Id("dot dot", "..", invalid, "invalid_input"),
        new Id("NUL", "web-1\0", invalid, "invalid_input"),
        new Id("empty", "", invalid, "invalid_input"),
        new Id("very long", "w".repeat(100_000), invalid, "invalid_input"),
        new Id("newline", "web-1\nweb-2", invalid, "invalid_input"),
        new Id("tab", "web-1\tx", invalid, "invalid_input"));
  }

  static Stream<Arguments> commandsAndIds() {
    return commands().stream().flatMap(c -> ids().stream().map(i -> Arguments.of(c, i)));
  }

  /** A store holding web-1, web-2 and db-1 (db-1 locked and unlocked), made once and copied for each test. */
  @TempDir static Path template;

  @BeforeAll
  static void populateTemplate() {
    HostileInputTest maker = new HostileInputTest();
    maker.stateDir = template.resolve("state");
    assertThat(maker.cli("--json", "list")).isZero();
    assertThat(maker.cli("lock", "db-1")).isZero();
    assertThat(maker.cli("unlock", "db-1")).isZero();
  }

  @BeforeEach
  void setUp() throws IOException {
    stateDir = root.resolve("home").resolve("state");
    Files.createDirectories(stateDir.getParent());
    try (Stream<Path> files = Files.walk(template.resolve("state"))) {
      for (Path from : (Iterable<Path>) files::iterator) {
        Files.copy(from, stateDir.resolve(template.resolve("state").relativize(from).toString()),
            java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }

  private int cli(String... args) {
    List<String> all = new ArrayList<>(List.of("--uri", "fake:///", "--state-dir", stateDir.toString()));
    all.addAll(List.of(args));
    return run(new Vmlife.SessionFactory(), all);
  }

  private int run(Vmlife.SessionFactory sessions, List<String> args) {
    out.reset();
    err.reset();
    return Vmlife.run(new Vmlife(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), sessions), args.toArray(String[]::new));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private JsonNode error() throws IOException {
    return JSON.readTree(err()).get("error");
  }

  @Test
  void commands_coverEverySubcommandThatTakesAnId() {
    Set<String> takingId = new TreeSet<>();
    Vmlife.commandLine(new Vmlife()).getSubcommands().forEach((name, sub) -> {
      for (PositionalParamSpec p : sub.getCommandSpec().positionalParameters()) {
        if (p.paramLabel().equals("ID")) {
          takingId.add(name);
        }
      }
    });
    Set<String> covered = new TreeSet<>();
    commands().forEach(c -> covered.add(c.args()[0]));
    assertThat(covered).isEqualTo(takingId);
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("commandsAndIds")
  void everyCommand_hostileOrUnknownId_exitsWithATypedErrorAndChangesNothing(Cmd cmd, Id id) throws Exception {
    Map<String, byte[]> before = snapshot(root);

    List<String> json = new ArrayList<>(List.of("--json"));
    json.addAll(cmd.with(id.id()));
    assertThat(cli(json.toArray(String[]::new))).as(err()).isEqualTo(id.exit());
    assertThat(error().get("type").asText()).isEqualTo(id.type());
    assertThat(error().get("message").asText()).isNotBlank().doesNotContain("\0").doesNotContain("\n");
    assertThat(out()).isEmpty();

    assertThat(cli(cmd.with(id.id()).toArray(String[]::new))).isEqualTo(id.exit());
    assertThat(err()).startsWith("vmlife: ").endsWith(System.lineSeparator());
    assertThat(err().strip()).doesNotContain("\n").doesNotContain("\0");
    assertThat(out()).isEmpty();

    assertUnchanged(before);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"/images/nope.qcow2", "/images", "/images/", "rescue.qcow2", "/var/lib/fake/web-1"})
  void rescue_missingImageOrADirectory_exits6AndTheInstanceStaysActive(String image) throws Exception {
    assertThat(cli("--json", "rescue", "web-1", "--image", image)).as(err()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(error().get("type").asText()).isEqualTo("invalid_input");
    assertThat(error().get("message").asText()).contains(Path.of(image).toString());

    assertThat(cli("--json", "show", "web-1")).isZero();
    JsonNode shown = JSON.readTree(out());
    assertThat(shown.get("vm_state").asText()).isEqualTo("active");
    assertThat(shown.get("task_state").isNull()).isTrue();
    assertThat(shown.get("rescued_at").isNull()).isTrue();
    assertThat(cli("--json", "actions", "web-1")).isZero();
    JsonNode actions = JSON.readTree(out());
    JsonNode last = actions.get(actions.size() - 1);
    assertThat(last.get("action").asText()).isEqualTo("rescue");
    assertThat(last.get("result").asText()).isEqualTo("failed");
    assertThat(last.get("vm_state_after").asText()).isEqualTo("active");
  }

  @Test
  void rescue_imageIsTheInstancesOwnDisk_exits6AndTheHypervisorIsNotAsked() throws Exception {
    FakeHypervisor fake = Sessions.sampleFake();
    String ownDisk = "/var/lib/fake/web-1/disk";
    fake.addImage(ownDisk);
    String definition = fake.definition(fake.guest("web-1").inspect().id());
    InstanceStore store = InstanceStores.directory(stateDir);
    Vmlife.SessionFactory sessions = new Vmlife.SessionFactory() {
      @Override
      Vmlife.Session open(Optional<String> uri, Optional<Path> dir) {
        return Sessions.session(fake, store, false);
      }
    };

    assertThat(run(sessions, List.of("--json", "rescue", "web-1", "--image", ownDisk))).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(error().get("type").asText()).isEqualTo("invalid_input");
    assertThat(run(sessions, List.of("--json", "rescue", "web-1", "--image", "/images/rescue.qcow2",
        "--kernel", ownDisk, "--ramdisk", "/images/rescue.qcow2"))).isEqualTo(ExitCodes.INVALID_INPUT);

    fake.assertNotCalled(FakeCall.RESCUE);
    assertThat(fake.definition(fake.guest("web-1").inspect().id())).isEqualTo(definition);
    assertThat(fake.guest("web-1").files()).containsExactly("disk");
    assertThat(run(sessions, List.of("--json", "show", "web-1"))).isZero();
    assertThat(JSON.readTree(out()).get("vm_state").asText()).isEqualTo("active");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--kernel", "--ramdisk"})
  void rescue_kernelWithoutRamdiskOrTheReverse_exits6AndTouchesNothing(String option) throws Exception {
    Map<String, byte[]> before = snapshot(root);

    assertThat(cli("--json", "rescue", "web-1", option, "/images/rescue.qcow2")).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(error().get("type").asText()).isEqualTo("invalid_input");

    assertUnchanged(before);
  }

  @Test
  void rescue_pathWithNul_isAUsageErrorAndTouchesNothing() throws Exception {
    Map<String, byte[]> before = snapshot(root);

    assertThat(cli("rescue", "web-1", "--image", "/images/a\0b")).isEqualTo(ExitCodes.USAGE);
    assertThat(err()).contains("--image");

    assertUnchanged(before);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"garbage", "empty", "not UTF-8", "another instance's record", "unknown vm_state"})
  void corruptInstanceFile_everyCommandExits7AndEveryListingExits8_namingTheFileAndOverwritingNothing(
      String corruption) throws Exception {
    String web1 = uuidOf("web-1");
    Path file = stateDir.resolve(web1 + ".instance");
    String good = Files.readString(file);
    byte[] bad = switch (corruption) {
      case "garbage" -> "just some text\n".getBytes(StandardCharsets.UTF_8);
      case "empty" -> new byte[0];
      case "not UTF-8" -> new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1};
      case "another instance's record" -> Files.readAllBytes(stateDir.resolve(uuidOf("web-2") + ".instance"));
      case "unknown vm_state" -> good.replace("vmState=ACTIVE", "vmState=SLEEPY").getBytes(StandardCharsets.UTF_8);
      default -> throw new AssertionError(corruption);
    };
    Files.write(file, bad);
    Map<String, byte[]> before = snapshot(root);

    for (String listing : List.of("list", "recover", "sync", "unrescue-expired")) {
      assertThat(cli("--json", listing)).as("%s: %s", listing, err()).isEqualTo(ExitCodes.SKIPPED);
      JsonNode skipped = JSON.readTree(err()).get("skipped");
      assertThat(skipped).as(listing).hasSize(1);
      assertThat(skipped.get(0).get("file").asText()).as(listing).isEqualTo(file.toString());
      assertThat(out()).as(listing).doesNotContain(web1);
    }
    for (Cmd cmd : commands()) {
      for (String id : List.of("web-1", web1)) {
        List<String> args = new ArrayList<>(List.of("--json"));
        args.addAll(cmd.with(id));
        assertThat(cli(args.toArray(String[]::new))).as("%s: %s", cmd, err()).isEqualTo(ExitCodes.STORE);
        assertThat(error().get("type").asText()).as(cmd.toString()).isEqualTo("store");
        assertThat(error().get("message").asText()).as(cmd.toString()).contains(file.toString());
        assertThat(out()).isEmpty();
      }
    }

    assertUnchanged(before);
  }

  @Test
  void corruptActionLog_actionsExits7NamingTheFileAndOffset() throws Exception {
    Path log = stateDir.resolve(uuidOf("db-1") + ".actions");
    Files.writeString(log, "this is not an action\n", java.nio.file.StandardOpenOption.APPEND);
    Map<String, byte[]> before = snapshot(root);

    assertThat(cli("--json", "actions", "db-1")).isEqualTo(ExitCodes.STORE);
    assertThat(error().get("type").asText()).isEqualTo("store");
    assertThat(error().get("message").asText()).contains(log.toString()).contains("corrupt at byte");

    assertUnchanged(before);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"a regular file", "under a regular file"})
  void stateDirThatCannotBeADirectory_exits7NamingItAndCreatesNothing(String where) throws Exception {
    Path file = Files.writeString(root.resolve("plain"), "x");
    Path dir = where.equals("a regular file") ? file : file.resolve("state");
    stateDir = dir;
    Map<String, byte[]> before = snapshot(root);

    assertThat(cli("--json", "pause", "web-1")).isEqualTo(ExitCodes.STORE);
    assertThat(error().get("type").asText()).isEqualTo("store");
    assertThat(error().get("message").asText()).contains(dir.toString());

    assertUnchanged(before);
  }

  @Test
  void storeFiles_areCreatedPrivateInAPrivateDirectory() throws Exception {
    stateDir = root.resolve("fresh").resolve("state");
    assertThat(cli("pause", "web-1")).isZero();
    assertThat(cli("lock", "web-2")).isZero();

    assertThat(mode(stateDir)).isEqualTo("rwx------");
    assertThat(mode(stateDir.getParent())).as("a parent the store created").isEqualTo("rwx------");
    try (Stream<Path> files = Files.list(stateDir)) {
      List<Path> all = files.toList();
      assertThat(all).extracting(p -> p.getFileName().toString().replaceAll("^[0-9a-f-]{36}", "ID"))
          .containsOnly("ID.instance", "ID.actions", "ID.lock");
      assertThat(all).hasSize(6).allSatisfy(p -> assertThat(mode(p)).as(p.toString()).isEqualTo("rw-------"));
    }
  }

  @Test
  void existingStateDir_keepsItsMode() throws Exception {
    stateDir = Files.createDirectories(root.resolve("shared"));
    Files.setPosixFilePermissions(stateDir, PosixFilePermissions.fromString("rwxr-x---"));

    assertThat(cli("pause", "web-1")).isZero();

    assertThat(mode(stateDir)).isEqualTo("rwxr-x---");
  }

  private String uuidOf(String name) throws IOException {
    assertThat(cli("--json", "show", name)).isZero();
    return JSON.readTree(out()).get("uuid").asText();
  }

  private static String mode(Path p) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void assertUnchanged(Map<String, byte[]> before) throws IOException {
    Map<String, byte[]> after = snapshot(root);
    assertThat(after.keySet()).as("files under %s", root).isEqualTo(before.keySet());
    before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
  }

  /** Every file and directory under {@code dir}: relative path to contents (directories: empty). */
  static Map<String, byte[]> snapshot(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        files.put(dir.relativize(p) + (Files.isDirectory(p) ? "/" : ""),
            Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0]);
      }
    }
    return files;
  }
}
