package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.libvirt.LibvirtDriver;
import io.github.vmlifecycle.libvirt.QemuGuest;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libvirtd killed (SIGKILL) in the middle of an operation and started again: the operation fails with a
 * hypervisor error (the CLI exits 5), the instance is not corrupted (no task_state left, the same
 * definition, the QEMU process and the guest's memory survive), and the next call reconnects. It kills
 * the host's libvirtd, so it runs only on CI ({@code CI=true}) or with
 * {@code VMLIFE_ALLOW_LIBVIRTD_RESTART=1} (which {@code scripts/test-all.sh} sets); libvirtd is started
 * again with {@code .ci/libvirt-setup.sh}.
 */
class LibvirtdRestartE2ETest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration BOOT = Duration.ofSeconds(60);

  @TempDir Path state;

  @BeforeEach
  void allowed() {
    Assumptions.assumeTrue("true".equals(System.getenv("CI"))
            || "1".equals(System.getenv("VMLIFE_ALLOW_LIBVIRTD_RESTART")),
        "kills the host's libvirtd: runs on CI or with VMLIFE_ALLOW_LIBVIRTD_RESTART=1 (scripts/test-all.sh)");
    try {
      LibvirtDriver.connect(QemuGuest.URI).close();
    } catch (RuntimeException e) {
      QemuGuest.unavailable("libvirtd with QEMU is not reachable at " + QemuGuest.URI + ": " + e);
    }
  }

  @AfterEach
  void libvirtdRunsAgain() throws Exception {
    startLibvirtd();
    // QemuGuest.close() used a connection that died with libvirtd: remove this class's guests here.
    Process list = new ProcessBuilder("virsh", "-c", QemuGuest.URI, "list", "--all", "--name")
        .redirectErrorStream(true).start();
    String names = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(list.waitFor(30, TimeUnit.SECONDS)).isTrue();
    for (String name : names.split("\n")) {
      if (name.strip().startsWith("vml-e2e-libvirtd-")) {
        run("virsh", "-c", QemuGuest.URI, "destroy", name.strip());
        assertThat(run("virsh", "-c", QemuGuest.URI, "undefine", "--managed-save", name.strip()))
            .as("undefine %s", name).isZero();
      }
    }
  }

  @Test
  void cliSuspend_libvirtdKilledDuringTheSave_exits5AndTheNextCallsReconnectAndRepair() throws Exception {
    try (QemuGuest g = QemuGuest.define("libvirtd-kill", "", "ROOTDISK")) {
      assertThat(vmlife("start", g.uuid)).isZero();
      g.awaitTick(3, BOOT);
      String original;
      try (LibvirtDriver d = LibvirtDriver.connect(QemuGuest.URI)) {
        original = d.definition(g.uuid);
      }
      long pid = g.qemuPid().orElseThrow();

      ProcessBuilder pb = new ProcessBuilder(java(), "-cp", System.getProperty("java.class.path"),
          Vmlife.class.getName(), "--uri", QemuGuest.URI, "--state-dir", state.toString(), "--json",
          "suspend", g.uuid).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      pb.environment().put(StepTracing.TRACE_ENV, "1");
      Process p = pb.start();
      List<String> err = new CopyOnWriteArrayList<>();
      Thread reader = read(p, err);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!err.contains("VMLIFE-STEP suspend.devices-detached")) {
        assertThat(System.nanoTime()).as("the suspend reached the save: %s", err).isLessThan(deadline);
        assertThat(p.isAlive()).as("the suspend is still running: %s", err).isTrue();
        Thread.sleep(5);
      }
      killLibvirtd(); // the managed save is under way
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("vmlife ends once libvirtd is gone").isTrue();
      reader.join(5000);
      assertThat(p.exitValue()).as("exit code; stderr %s", err).isEqualTo(ExitCodes.HYPERVISOR);
      String text = String.join("\n", err.stream()
          .filter(l -> !l.startsWith("VMLIFE-") && !l.startsWith("[")).toList());
      JsonNode error = JSON.readTree(text.substring(text.indexOf('{'))).get("error");
      assertThat(error.get("type").asText()).isEqualTo("hypervisor");

      Instance failed = InstanceStores.directory(state).get(g.uuid).orElseThrow();
      assertThat(failed.taskState()).as("no task left behind").isEmpty();
      assertThat(failed.vmState()).as("the hypervisor could not be asked: ERROR (REFERENCE 5)").isEqualTo(VmState.ERROR);

      startLibvirtd();
      try (LibvirtDriver d = LibvirtDriver.connect(QemuGuest.URI)) {
        assertThat(d.definition(g.uuid)).as("the definition is intact").isEqualTo(original);
      }
      assertThat(g.qemuPid()).as("the guest's QEMU process survived").hasValue(pid);
      assertThat(vmlife("sync", g.uuid)).as("the next call connects and syncs").isZero();
      Instance synced = InstanceStores.directory(state).get(g.uuid).orElseThrow();
      assertThat(synced.taskState()).isEmpty();
      assertThat(synced.powerState()).as("libvirt reports the guest again").isIn(PowerState.RUNNING, PowerState.PAUSED);
      // The operator's way back from ERROR without losing the guest's memory.
      assertThat(vmlife("reset-state", g.uuid, "--state", "active")).isZero();
      if (synced.powerState() == PowerState.PAUSED) {
        assertThat(vmlife("pause", g.uuid)).isZero(); // the aborted save left the vCPUs paused
        assertThat(vmlife("unpause", g.uuid)).isZero();
      }
      int at = g.lastTick().orElseThrow();
      g.awaitTick(at + 3, Duration.ofSeconds(30));
      assertThat(g.boots()).as("the guest kept its memory: no reboot").isEqualTo(1);
      assertThat(vmlife("suspend", g.uuid)).as("a suspend works again").isZero();
      assertThat(vmlife("resume", g.uuid)).isZero();
      g.awaitTick(at + 6, Duration.ofSeconds(30));
    }
  }

  @Test
  void engine_libvirtdKilledAndStarted_theSameEngineReconnectsOnTheNextCall() throws Exception {
    try (QemuGuest g = QemuGuest.define("libvirtd-reconnect", "", "ROOTDISK");
        LifecycleEngine engine = LifecycleEngine.builder().driver(LibvirtDriver.connect(QemuGuest.URI))
            .store(InstanceStores.directory(state)).closeDriverOnClose(true).build()) {
      engine.start(g.uuid);
      g.awaitTick(3, BOOT);
      engine.pause(g.uuid);
      long pid = g.qemuPid().orElseThrow();

      killLibvirtd();
      assertThatThrownBy(() -> engine.unpause(g.uuid)).isInstanceOfSatisfying(HypervisorException.class,
          e -> assertThat(e.code()).isEqualTo(HypervisorException.Code.CONNECTION));
      Instance failed = engine.get(g.uuid);
      assertThat(failed.taskState()).isEmpty();
      assertThat(failed.vmState()).as("the hypervisor could not be asked: ERROR").isEqualTo(VmState.ERROR);

      startLibvirtd();
      Instance synced = engine.syncPowerState(g.uuid);
      assertThat(synced.powerState()).as("the same engine reconnected; the guest is as it was")
          .isEqualTo(PowerState.PAUSED);
      int at = g.lastTick().orElseThrow();
      engine.resetState(g.uuid, VmState.ACTIVE);
      engine.pause(g.uuid); // the guest is paused already: records PAUSED
      engine.unpause(g.uuid);
      g.awaitTick(at + 3, Duration.ofSeconds(30));
      assertThat(g.qemuPid()).hasValue(pid);
      assertThat(g.boots()).isEqualTo(1);
      assertThat(engine.get(g.uuid).vmState()).isEqualTo(VmState.ACTIVE);
    }
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static Thread read(Process p, List<String> into) {
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          into.add(line);
        }
      } catch (java.io.IOException e) {
        // the process ended
      }
    });
    t.setDaemon(true);
    t.start();
    return t;
  }

  private int vmlife(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--uri", QemuGuest.URI, "--state-dir", state.toString(), "--json"));
    all.addAll(List.of(args));
    return Vmlife.run(new Vmlife(new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
        new Vmlife.SessionFactory()), all.toArray(String[]::new));
  }

  static void killLibvirtd() throws Exception {
    run("pkill", "-9", "-x", "libvirtd");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (run("pgrep", "-x", "libvirtd") == 0) {
      assertThat(System.nanoTime()).as("libvirtd is gone").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  static void startLibvirtd() throws Exception {
    Process p = new ProcessBuilder("bash", QemuGuest.repoRoot().resolve(".ci/libvirt-setup.sh").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("libvirt-setup.sh finished").isTrue();
    assertThat(p.exitValue()).as("libvirt-setup.sh").isZero();
  }

  private static int run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return p.exitValue();
  }
}
