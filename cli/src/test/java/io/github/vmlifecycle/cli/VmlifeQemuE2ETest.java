package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vmlifecycle.libvirt.LibvirtDriver;
import io.github.vmlifecycle.libvirt.LibvirtDriverOptions;
import io.github.vmlifecycle.libvirt.QemuGuest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code vmlife} CLI end to end on the real stack: a QEMU (TCG) guest on the local libvirtd, driven
 * only through the command line (each call a fresh session on a shared durable store, like separate
 * {@code vmlife} invocations), with every exit code and {@code --json} document checked, and the
 * guest's own view (its serial console: counter, boots, disk markers) checked where cheap. The remote
 * test reaches the same libvirtd through {@code qemu+tcp://127.0.0.1/system} (served on loopback by
 * {@code .ci/libvirt-setup.sh}); the driver counts a loopback host as this host, so rescue works there,
 * and is refused (exit 5, nothing changed) through a URI whose host it does not know to be this one. Skipped without libvirtd, QEMU or the guest fixture, except on CI
 * ({@code CI=true}) where it fails.
 */
class VmlifeQemuE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration BOOT = Duration.ofSeconds(60);
  /** Where the CLI's driver (default options) makes rescue files: {@code <root>/<uuid>/disk.rescue}. */
  private static final Path RESCUE_ROOT = LibvirtDriverOptions.DEFAULT_INSTANCE_DIR_ROOT;
  /**
   * The same loopback libvirtd through an address the driver does not recognise as this host (the
   * IPv4-mapped IPv6 form of 127.0.0.1): it decides locality from the URI's host, so this is how a
   * URI naming another host looks to it.
   */
  private static final String FOREIGN_TCP_URI = "qemu+tcp://[::ffff:127.0.0.1]/system";

  private static Path fixture;

  @TempDir Path stateDir;
  @TempDir Path work;

  @BeforeAll
  static void prerequisites() {
    fixture = QemuGuest.fixture();
    for (String uri : List.of(QemuGuest.URI, QemuGuest.TCP_URI)) {
      try {
        LibvirtDriver.connect(uri).close();
      } catch (RuntimeException e) {
        QemuGuest.unavailable("libvirtd with QEMU is not reachable at " + uri
            + " (run: bash .ci/libvirt-setup.sh): " + e);
      }
    }
  }

  /** One CLI call's outcome. */
  private record Result(int code, String out, String err) {
    JsonNode json() {
      return parse(out);
    }

    JsonNode error() {
      return parse(err).get("error");
    }

    private JsonNode parse(String text) {
      try {
        return JSON.readTree(text);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + text, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  /** Runs {@code vmlife --uri URI --state-dir DIR --json ARGS...} in-process, as a separate invocation would. */
  private Result vmlife(String uri, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--uri", uri, "--state-dir", stateDir.toString(), "--json"));
    all.addAll(Arrays.asList(args));
    int code = Vmlife.run(new Vmlife(new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        new Vmlife.SessionFactory()), all.toArray(String[]::new));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Runs a command that must succeed and print one instance; returns it. */
  private JsonNode ok(String uri, String... args) {
    Result r = vmlife(uri, args);
    assertThat(r.code()).as("vmlife %s: %s", String.join(" ", args), r).isZero();
    return r.json();
  }

  /** Asserts an instance document: who it is and its three states (task_state null). */
  private static void assertStates(JsonNode i, QemuGuest g, String vmState, String powerState) {
    assertThat(i.get("name").asText()).isEqualTo(g.name);
    assertThat(i.get("uuid").asText()).isEqualTo(g.uuid);
    assertThat(i.get("vm_state").asText()).as("vm_state of %s", i).isEqualTo(vmState);
    assertThat(i.get("task_state").isNull()).as("task_state of %s", i).isTrue();
    assertThat(i.get("power_state").asText()).as("power_state of %s", i).isEqualTo(powerState);
  }

  private static JsonNode find(JsonNode array, QemuGuest g) {
    assertThat(array.isArray()).as("a JSON array: %s", array).isTrue();
    return StreamSupport.stream(array.spliterator(), false)
        .filter(n -> g.uuid.equals(n.path("uuid").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(g.name + " is not listed: " + array));
  }

  /** Asserts that the counter stands still for a while (the guest is frozen). */
  private static int assertFrozen(QemuGuest g) throws InterruptedException {
    Thread.sleep(300);
    int at = g.lastTick().orElseThrow();
    Thread.sleep(1000); // five ticks' time
    assertThat(g.lastTick()).as("counter while frozen").hasValue(at);
    return at;
  }

  /** Asserts that the counter goes on from {@code at} without a gap or a reboot. */
  private static void assertContinues(QemuGuest g, int at, long boots) throws InterruptedException {
    g.awaitTick(at + 2, Duration.ofSeconds(15));
    List<Integer> ticks = g.ticks();
    int i = ticks.lastIndexOf(at);
    assertThat(ticks.subList(i, i + 3)).containsExactly(at, at + 1, at + 2);
    assertThat(g.boots()).as("no reboot").isEqualTo(boots);
  }

  private Path rescueImage() throws Exception {
    Path image = work.resolve("rescue.qcow2");
    Process p = new ProcessBuilder("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2",
        fixture.resolve("rescue.raw").toString(), image.toString()).inheritIO().start();
    assertThat(p.waitFor()).as("qemu-img convert").isZero();
    return image;
  }

  private static void deleteRescueDir(QemuGuest g) throws IOException {
    Path dir = RESCUE_ROOT.resolve(g.uuid);
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void lifecycle_localUri_everyCommandReportsNovaStatesAndTheGuestAgrees() throws Exception {
    String uri = QemuGuest.URI;
    try (QemuGuest g = QemuGuest.define("cli-lifecycle", "", "ROOTDISK")) {
      try {
        Path image = rescueImage();
        String id = g.name;

        // a defined, never started domain is adopted as stopped
        assertStates(ok(uri, "show", id), g, "stopped", "shutdown");
        assertStates(ok(uri, "start", id), g, "active", "running");
        g.awaitTick(3, BOOT);
        assertStates(find(ok(uri, "list"), g), g, "active", "running");
        assertStates(ok(uri, "show", g.uuid), g, "active", "running");

        // pause / unpause: the guest freezes and goes on where it stood
        assertStates(ok(uri, "pause", id), g, "paused", "paused");
        int atPause = assertFrozen(g);
        assertStates(ok(uri, "unpause", id), g, "active", "running");
        assertContinues(g, atPause, 1);

        // an illegal request fails at once and changes nothing
        Result illegal = vmlife(uri, "unpause", id);
        assertThat(illegal.code()).as("%s", illegal).isEqualTo(ExitCodes.NOT_ALLOWED);
        assertThat(illegal.error().get("type").asText()).isEqualTo("invalid_state");
        assertThat(illegal.error().get("message").asText()).contains("unpause", "vm_state active");
        assertThat(illegal.out()).isEmpty();

        // rescue --dry-run on an active guest prints the diff and changes nothing
        String xmlBefore = g.xml();
        long pid = g.qemuPid().orElseThrow();
        Result dry = vmlife(uri, "rescue", id, "--image", image.toString(), "--dry-run");
        assertThat(dry.code()).as("%s", dry).isZero();
        assertThat(dry.out()).contains("--- " + g.name + ".xml", "+++ " + g.name + ".rescue.xml", "@@",
            "+", RESCUE_ROOT.resolve(g.uuid).resolve("disk.rescue").toString());
        assertThat(g.xml()).isEqualTo(xmlBefore);
        assertThat(RESCUE_ROOT.resolve(g.uuid)).doesNotExist();
        assertThat(g.qemuPid()).hasValue(pid);
        assertStates(ok(uri, "show", id), g, "active", "running");

        // suspend / resume: memory to disk and back, the counter goes on (no reboot)
        assertStates(ok(uri, "suspend", id), g, "suspended", "shutdown");
        int atSuspend = g.lastTick().orElseThrow();
        assertThat(g.saveImage()).exists();
        assertThat(g.qemuPid()).isEmpty();
        assertStates(ok(uri, "resume", id), g, "active", "running");
        assertThat(g.saveImage()).doesNotExist();
        assertContinues(g, atSuspend, 1);

        // lock: every operation is refused until unlock
        JsonNode locked = ok(uri, "lock", id);
        assertStates(locked, g, "active", "running");
        assertThat(locked.get("locked").asBoolean()).isTrue();
        Result refused = vmlife(uri, "pause", id);
        assertThat(refused.code()).as("%s", refused).isEqualTo(ExitCodes.NOT_ALLOWED);
        assertThat(refused.error().get("type").asText()).isEqualTo("locked");
        assertThat(refused.error().get("message").asText()).contains("locked");
        assertStates(ok(uri, "show", id), g, "active", "running");
        assertThat(ok(uri, "unlock", id).get("locked").asBoolean()).isFalse();

        Result missing = vmlife(uri, "show", "no-such-domain");
        assertThat(missing.code()).as("%s", missing).isEqualTo(ExitCodes.NOT_FOUND);
        assertThat(missing.error().get("type").asText()).isEqualTo("not_found");

        // stop at once, start afresh, hard reboot
        assertStates(ok(uri, "stop", id, "--shutdown-timeout", "0"), g, "stopped", "shutdown");
        assertThat(g.qemuPid()).isEmpty();
        assertStates(ok(uri, "start", id), g, "active", "running");
        g.awaitBoot(1, 1, BOOT);
        assertStates(ok(uri, "reboot", "--hard", id), g, "active", "running");
        g.awaitBoot(2, 1, BOOT);

        // reset-state to error, from which stop is allowed
        JsonNode reset = ok(uri, "reset-state", id, "--state", "error");
        assertThat(reset.get("vm_state").asText()).isEqualTo("error");
        assertThat(reset.get("task_state").isNull()).isTrue();
        assertStates(ok(uri, "stop", id, "--shutdown-timeout", "0"), g, "stopped", "shutdown");

        // rescue (from stopped) boots the rescue image with the instance's disk second; unrescue
        // boots the instance's own disk again, with the repair made in rescue, and leaves no files
        Path rescueDir = RESCUE_ROOT.resolve(g.uuid);
        JsonNode rescued = ok(uri, "rescue", id, "--image", image.toString(),
            "--kernel", fixture.resolve("vmlinuz").toString(),
            "--ramdisk", fixture.resolve("initrd-rescue.img").toString());
        assertStates(rescued, g, "rescued", "running");
        assertThat(rescued.get("rescued_at").isNull()).isFalse();
        g.awaitBoot(3, 1, BOOT);
        List<String> rescueBoot = g.currentBoot();
        assertThat(rescueBoot.get(0)).startsWith("VML-BOOT mode=rescue");
        assertThat(rescueBoot).contains("VML-MARK vda RESCUE-IMAGE", "VML-DISK vdb serial=ROOTDISK",
            "VML-WROTE vdb RESCUED");
        assertThat(rescueDir.resolve("disk.rescue")).exists();

        assertStates(ok(uri, "unrescue", id), g, "active", "running");
        g.awaitBoot(4, 1, BOOT);
        assertThat(g.currentBoot().get(0)).startsWith("VML-BOOT mode=normal");
        assertThat(g.currentBoot()).contains("VML-DISK vda serial=ROOTDISK", "VML-MARK vda RESCUED");
        for (String f : List.of("disk.rescue", "kernel.rescue", "ramdisk.rescue")) {
          assertThat(rescueDir.resolve(f)).doesNotExist();
        }
        assertThat(g.xml()).isEqualTo(xmlBefore);

        // the action log lists every operation, in order
        Result actions = vmlife(uri, "actions", id);
        assertThat(actions.code()).as("%s", actions).isZero();
        List<String> names = new ArrayList<>();
        actions.json().forEach(a -> names.add(a.get("action").asText()));
        assertThat(names).containsSubsequence("start", "pause", "unpause", "suspend", "resume", "lock",
            "unlock", "stop", "start", "reboot", "stop", "rescue", "unrescue");
        assertThat(actions.json()).allSatisfy(a -> assertThat(a.get("request_id").asText()).isNotBlank());

        Result recover = vmlife(uri, "recover");
        assertThat(recover.code()).as("%s", recover).isZero();
        assertStates(find(recover.json(), g), g, "active", "running");
      } finally {
        deleteRescueDir(g);
      }
    }
  }

  @Test
  void remoteUri_tcpLoopback_listsPausesUnpausesAndRescuesButRescueNamingAnotherHostIsRefused() throws Exception {
    String tcp = QemuGuest.TCP_URI;
    try (QemuGuest g = QemuGuest.define("cli-remote", "", "ROOTDISK")) {
      try {
        String id = g.name;
        assertStates(find(ok(tcp, "list"), g), g, "stopped", "shutdown");
        assertStates(ok(tcp, "start", id), g, "active", "running");
        g.awaitTick(3, BOOT);

        assertStates(ok(tcp, "pause", id), g, "paused", "paused");
        int atPause = assertFrozen(g);
        assertStates(ok(tcp, "unpause", id), g, "active", "running");
        assertContinues(g, atPause, 1);

        // A URI naming another host: the rescue files would be made on this host, so the driver
        // refuses before anything changes (exit 5), and the guest runs on untouched.
        String xmlBefore = g.xml();
        long pid = g.qemuPid().orElseThrow();
        Result refused = vmlife(FOREIGN_TCP_URI, "rescue", id, "--image", rescueImage().toString(),
            "--kernel", fixture.resolve("vmlinuz").toString(),
            "--ramdisk", fixture.resolve("initrd-rescue.img").toString());
        assertThat(refused.code()).as("%s", refused).isEqualTo(ExitCodes.HYPERVISOR);
        assertThat(refused.error().get("type").asText()).isEqualTo("hypervisor");
        assertThat(refused.error().get("message").asText())
            .contains("Cannot rescue instance", FOREIGN_TCP_URI, "another");
        assertThat(refused.out()).isEmpty();
        assertStates(ok(tcp, "show", id), g, "active", "running");
        assertThat(g.xml()).isEqualTo(xmlBefore);
        assertThat(g.qemuPid()).hasValue(pid);
        assertThat(RESCUE_ROOT.resolve(g.uuid)).doesNotExist();
        Thread.sleep(400);
        assertThat(g.boots()).as("no reboot").isEqualTo(1);

        // 127.0.0.1 is this host, so rescue works through the TCP URI as through the local one
        assertStates(ok(tcp, "rescue", id, "--image", rescueImage().toString(),
            "--kernel", fixture.resolve("vmlinuz").toString(),
            "--ramdisk", fixture.resolve("initrd-rescue.img").toString()), g, "rescued", "running");
        g.awaitBoot(1, 1, BOOT);
        assertThat(g.currentBoot().get(0)).startsWith("VML-BOOT mode=rescue");
        assertThat(g.currentBoot()).contains("VML-MARK vda RESCUE-IMAGE", "VML-DISK vdb serial=ROOTDISK");
        assertThat(RESCUE_ROOT.resolve(g.uuid).resolve("disk.rescue")).exists();
        assertStates(ok(tcp, "unrescue", id), g, "active", "running");
        g.awaitBoot(2, 1, BOOT);
        assertThat(g.currentBoot()).contains("VML-DISK vda serial=ROOTDISK");
        assertThat(RESCUE_ROOT.resolve(g.uuid).resolve("disk.rescue")).doesNotExist();
        assertThat(g.xml()).isEqualTo(xmlBefore);
      } finally {
        deleteRescueDir(g);
      }
    }
  }
}
