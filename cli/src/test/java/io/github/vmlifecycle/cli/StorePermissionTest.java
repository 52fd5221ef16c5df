package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A store file or directory this user may not read or write: {@code vmlife} exits 5 with a
 * {@code store} error naming it, and nothing changes. File modes bind only an unprivileged process, so
 * when the tests run as root, {@code vmlife} runs in a child process with every capability dropped
 * ({@code setpriv --bounding-set=-all}: still uid 0, but no longer exempt from file modes); otherwise
 * in a child process as this user. When that is impossible the test fails on CI ({@code CI=true}) and
 * is skipped elsewhere.
 */
class StorePermissionTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static List<String> unprivileged;

  @TempDir Path root;
  @TempDir Path output;
  private Path stateDir;
  private String web1;
  private String stderr;

  @BeforeAll
  static void findAnUnprivilegedWayToRun(@TempDir Path probeDir) throws Exception {
    Path secret = Files.writeString(probeDir.resolve("secret"), "x");
    int uid = (Integer) Files.getAttribute(secret, "unix:uid");
    List<String> prefix = uid == 0 ? List.of("setpriv", "--inh-caps=-all", "--bounding-set=-all", "--") : List.of();
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
    List<String> probe = new ArrayList<>(prefix);
    probe.addAll(List.of("cat", secret.toString()));
    int exit;
    try {
      Process p = new ProcessBuilder(probe).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      exit = p.exitValue();
    } catch (IOException e) {
      unavailable("cannot run " + probe + ": " + e);
      return;
    }
    if (exit == 0) {
      unavailable("a process started with " + probe + " still reads a file of mode 000");
    }
    unprivileged = prefix;
  }

  private static void unavailable(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("Cannot run vmlife without the privilege to ignore file modes on CI: " + why);
    }
    assumeTrue(false, "skipped: " + why);
  }

  @BeforeEach
  void populate() throws Exception {
    stateDir = root.resolve("state");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit = Vmlife.run(new Vmlife(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), new Vmlife.SessionFactory()),
        "--uri", "fake:///", "--state-dir", stateDir.toString(), "--json", "list");
    assertThat(exit).isZero();
    for (JsonNode n : JSON.readTree(out.toString(StandardCharsets.UTF_8))) {
      if (n.get("name").asText().equals("web-1")) {
        web1 = n.get("uuid").asText();
      }
    }
    assertThat(web1).isNotNull();
  }

  /** Runs {@code vmlife --json} on fake:/// and the store, unprivileged, and returns its exit code. */
  private int vmlife(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(unprivileged);
    cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Vmlife.class.getName(),
        "--uri", "fake:///", "--state-dir", stateDir.toString(), "--json"));
    cmd.addAll(List.of(args));
    Path err = output.resolve("stderr");
    Process p = new ProcessBuilder(cmd).redirectOutput(output.resolve("stdout").toFile()).redirectError(err.toFile())
        .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("vmlife %s finished", List.of(args)).isTrue();
    stderr = Files.readString(err);
    return p.exitValue();
  }

  private void assertStoreError(int exit, Path named) throws Exception {
    assertThat(exit).as(stderr).isEqualTo(ExitCodes.STORE);
    JsonNode error = JSON.readTree(stderr.substring(stderr.indexOf('{'))).get("error");
    assertThat(error.get("type").asText()).isEqualTo("store");
    assertThat(error.get("message").asText()).contains(named.toString());
    assertThat(Files.readString(output.resolve("stdout"))).isEmpty();
  }

  /** Sets {@code mode} on {@code path}, runs {@code check}, restores the mode; asserts nothing changed. */
  private void withMode(Path path, String mode, ThrowingRunnable check) throws Exception {
    Map<String, byte[]> before = HostileInputTest.snapshot(root);
    String original = PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(mode));
    try {
      check.run();
    } finally {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(original));
    }
    Map<String, byte[]> after = HostileInputTest.snapshot(root);
    assertThat(after.keySet()).as("files under %s", root).isEqualTo(before.keySet());
    before.forEach((name, bytes) -> assertThat(after.get(name)).as(name).isEqualTo(bytes));
  }

  /** A check that may throw. */
  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"show", "pause", "lock", "reset-state", "actions"})
  void unreadableInstanceFile_exits7NamingItAndChangesNothing(String command) throws Exception {
    Path file = stateDir.resolve(web1 + ".instance");
    withMode(file, "---------", () -> assertStoreError(vmlife(args(command)), file));
  }

  @Test
  void unreadableInstanceFile_listExits8NamingItAndChangesNothing() throws Exception {
    Path file = stateDir.resolve(web1 + ".instance");
    withMode(file, "---------", () -> {
      assertThat(vmlife(args("list"))).as(stderr).isEqualTo(ExitCodes.SKIPPED);
      JsonNode skipped = JSON.readTree(stderr.substring(stderr.indexOf('{'))).get("skipped");
      assertThat(skipped).hasSize(1);
      assertThat(skipped.get(0).get("file").asText()).isEqualTo(file.toString());
      assertThat(Files.readString(output.resolve("stdout"))).doesNotContain(web1);
    });
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"actions", "pause", "lock", "reset-state"})
  void unreadableActionLog_exits7NamingItAndChangesNothing(String command) throws Exception {
    Path log = stateDir.resolve(web1 + ".actions");
    withMode(log, "---------", () -> assertStoreError(vmlife(args(command)), log));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"pause", "lock", "reset-state"})
  void readOnlyActionLog_refusesAChangeThatCouldNotBeLogged(String command) throws Exception {
    Path log = stateDir.resolve(web1 + ".actions");
    withMode(log, "r--------", () -> {
      assertStoreError(vmlife(args(command)), log);
      assertThat(vmlife("actions", "web-1")).as(stderr).isZero();
    });
  }

  @Test
  void unwritableLockFile_exits7NamingItAndChangesNothing() throws Exception {
    Path lock = stateDir.resolve(web1 + ".lock");
    withMode(lock, "r--------", () -> assertStoreError(vmlife("pause", "web-1"), lock));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"---------", "r-x------", "-wx------"})
  void stateDirWithoutPermission_exits7NamingItAndChangesNothing(String mode) throws Exception {
    withMode(stateDir, mode, () -> {
      assertStoreError(vmlife("pause", "web-1"), stateDir);
      assertStoreError(vmlife("list"), stateDir);
    });
  }

  @Test
  void stateDirThatCannotBeCreated_exits7NamingItAndCreatesNothing() throws Exception {
    Path parent = Files.createDirectories(root.resolve("locked"));
    stateDir = parent.resolve("state");
    withMode(parent, "r-x------", () -> assertStoreError(vmlife("pause", "web-1"), stateDir));
    assertThat(stateDir).doesNotExist();
  }

  private static String[] args(String command) {
    return switch (command) {
      case "list" -> new String[] {"list"};
      case "reset-state" -> new String[] {"reset-state", "web-1", "--state", "error"};
      default -> new String[] {command, "web-1"};
    };
  }
}
