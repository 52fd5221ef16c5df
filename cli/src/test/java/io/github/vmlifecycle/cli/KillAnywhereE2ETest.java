package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.libvirt.LibvirtDriver;
import io.github.vmlifecycle.libvirt.LibvirtDriverOptions;
import io.github.vmlifecycle.libvirt.QemuGuest;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.spi.InstanceStore;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault-injection suite on the real stack: for each of pause, unpause, suspend, resume, rescue,
 * unrescue, stop and start, a {@code vmlife} process working on a real QEMU guest through the durable
 * store is killed with SIGKILL at every step boundary (found by tracing the operation first: each
 * store write, before and after, and each libvirt step) and at random moments, then
 * {@code vmlife recover} runs and the invariants are checked against libvirt ({@code virsh domstate},
 * the persistent definition, the managed-save image, the rescue files) and the guest's console.
 * Random kills per operation: {@code -Dvmlifecycle.kill.random} (default 5). The tally is printed and
 * written to {@code target/kill-report.md}. Fails rather than skips on CI without libvirt or QEMU.
 */
class KillAnywhereE2ETest {
  private static final int RANDOM_KILLS = Integer.getInteger("vmlifecycle.kill.random", 5);
  private static final long SEED = Long.getLong("vmlifecycle.kill.seed", 20261124L);
  private static final Path RESCUE_ROOT = LibvirtDriverOptions.DEFAULT_INSTANCE_DIR_ROOT;
  private static final List<Operation> OPERATIONS = List.of(Operation.PAUSE, Operation.UNPAUSE,
      Operation.SUSPEND, Operation.RESUME, Operation.RESCUE, Operation.UNRESCUE, Operation.STOP, Operation.START);

  @TempDir Path work;
  private Path state;
  private Path image;
  private QemuGuest guest;
  private String original;

  /** Per operation: kill points tried, instances recovered consistent, failures. */
  private static final class Tally {
    int steps;
    int random;
    int recovered;
    int stuckBeforeRecover;
    final List<String> failures = new ArrayList<>();
  }

  @Test
  void sigkillAtEveryStepAndAtRandom_recoverLeavesEveryInstanceConsistentAndLosesNothing() throws Exception {
    QemuGuest.fixture();
    try {
      LibvirtDriver.connect(QemuGuest.URI).close();
    } catch (RuntimeException e) {
      QemuGuest.unavailable("libvirtd with QEMU is not reachable at " + QemuGuest.URI + ": " + e);
    }
    state = work.resolve("state");
    image = rescueImage();
    Random random = new Random(SEED);
    Map<Operation, Tally> tallies = new EnumMap<>(Operation.class);
    try (QemuGuest g = QemuGuest.define("kill", "", "ROOTDISK")) {
      guest = g;
      try (Engine e = engine()) {
        original = e.driver.definition(g.uuid);
        e.engine.get(g.uuid);
      }
      try {
        for (Operation op : OPERATIONS) {
          Tally t = new Tally();
          tallies.put(op, t);
          bringTo(before(op));
          Trace trace = trace(op);
          assertThat(trace.steps).as("steps of %s", op).isNotEmpty();
          for (String step : trace.steps) {
            bringTo(before(op));
            t.steps++;
            killAndCheck(op, Optional.of(step), 0, t);
          }
          for (int i = 0; i < RANDOM_KILLS; i++) {
            bringTo(before(op));
            long delay = trace.firstStepMillis + (long) (random.nextDouble() * (trace.exitMillis - trace.firstStepMillis));
            t.random++;
            killAndCheck(op, Optional.empty(), delay, t);
          }
        }
      } finally {
        deleteRescueDir();
      }
    }
    String report = report(tallies);
    System.out.println(report);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target", "kill-report.md"), report);
    int tried = tallies.values().stream().mapToInt(t -> t.steps + t.random).sum();
    List<String> failures = tallies.values().stream().flatMap(t -> t.failures.stream()).toList();
    assertThat(failures).as("kill points whose recovery left an inconsistency").isEmpty();
    assertThat(tried).as("kill points tried").isGreaterThanOrEqualTo(100);
  }

  private static String report(Map<Operation, Tally> tallies) {
    StringBuilder b = new StringBuilder("| operation | kill points (steps + random) | stuck before recover |"
        + " instances recovered | data lost |\n|---|---|---|---|---|\n");
    int steps = 0;
    int random = 0;
    int stuck = 0;
    int recovered = 0;
    int lost = 0;
    for (Map.Entry<Operation, Tally> e : tallies.entrySet()) {
      Tally t = e.getValue();
      b.append("| ").append(e.getKey().apiName()).append(" | ").append(t.steps + t.random).append(" (")
          .append(t.steps).append(" + ").append(t.random).append(") | ").append(t.stuckBeforeRecover)
          .append(" | ").append(t.recovered).append(" of ").append(t.steps + t.random).append(" | ")
          .append(t.failures.size()).append(" |\n");
      steps += t.steps;
      random += t.random;
      stuck += t.stuckBeforeRecover;
      recovered += t.recovered;
      lost += t.failures.size();
    }
    b.append("| **all** | ").append(steps + random).append(" (").append(steps).append(" + ").append(random)
        .append(") | ").append(stuck).append(" | ").append(recovered).append(" of ").append(steps + random)
        .append(" | ").append(lost).append(" |\n");
    tallies.values().forEach(t -> t.failures.forEach(f -> b.append("\n- ").append(f)));
    return b.toString();
  }

  // ---- one kill point ----

  private void killAndCheck(Operation op, Optional<String> step, long delayMillis, Tally t) throws Exception {
    String where = op.apiName() + (step.isPresent() ? " at " + step.get() : " after " + delayMillis + " ms");
    Process p = start(op, step, false);
    StderrLines err = new StderrLines(p);
    if (step.isPresent()) {
      String line = err.await(l -> l.startsWith("VMLIFE-HALTED "), Duration.ofSeconds(90));
      if (line == null) {
        p.destroyForcibly().waitFor();
        t.failures.add(where + ": the process never reached the step (" + err.all() + ")");
        return;
      }
    } else {
      Thread.sleep(delayMillis);
    }
    p.destroyForcibly();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

    boolean stuck;
    try (Engine e = engine()) {
      stuck = e.store.get(guest.uuid).map(i -> i.taskState().isPresent()).orElse(false);
    }
    if (stuck) {
      t.stuckBeforeRecover++;
    }
    long linesBefore = guest.lines().size();
    int code = vmlifeInProcess("recover");
    if (code != 0) {
      t.failures.add(where + ": vmlife recover exited " + code + " " + lastOutput);
      return;
    }
    Optional<String> problem = check(stuck, linesBefore);
    if (problem.isPresent()) {
      t.failures.add(where + ": " + problem.get());
    } else {
      t.recovered++;
    }
  }

  /** Checks the invariants after recovery; returns the first one broken. */
  private Optional<String> check(boolean wasStuck, long linesBefore) throws Exception {
    try (Engine e = engine()) {
      Instance stored = e.store.get(guest.uuid).orElseThrow();
      DriverInstance seen = e.driver.find(guest.uuid).orElseThrow();
      VmState truth = seen.rescueDefinition() ? VmState.RESCUED
          : seen.powerState() == PowerState.PAUSED ? VmState.PAUSED
          : seen.powerState() == PowerState.RUNNING ? VmState.ACTIVE
          : seen.powerState() == PowerState.SHUTDOWN && seen.hasSavedMemory() ? VmState.SUSPENDED
          : seen.powerState() == PowerState.SHUTDOWN ? VmState.STOPPED : VmState.ERROR;
      if (stored.taskState().isPresent()) {
        return Optional.of("task_state still " + stored.taskState().get());
      }
      if (stored.vmState() != truth) {
        return Optional.of("stored vm_state " + stored.vmState() + " but libvirt shows " + truth);
      }
      String domstate = virsh("domstate", guest.uuid).strip();
      PowerState virshPower = domstate.equals("running") ? PowerState.RUNNING : domstate.equals("paused")
          ? PowerState.PAUSED : domstate.equals("shut off") ? PowerState.SHUTDOWN : PowerState.NOSTATE;
      if (stored.powerState() != virshPower) {
        return Optional.of("stored power " + stored.powerState() + " but virsh domstate says " + domstate);
      }
      boolean saveImage = Files.exists(guest.saveImage());
      if (saveImage != (truth == VmState.SUSPENDED)) {
        return Optional.of("managed-save image " + (saveImage ? "orphaned" : "missing") + " in " + truth);
      }
      Path rescueDisk = RESCUE_ROOT.resolve(guest.uuid).resolve("disk.rescue");
      if (truth == VmState.RESCUED) {
        if (!stored.originalDefinition().equals(Optional.of(original))) {
          return Optional.of("rescued, but the store does not hold the original definition");
        }
        if (!e.driver.embeddedOriginalDefinition(guest.uuid).equals(Optional.of(original))) {
          return Optional.of("rescued, but the rescue definition does not embed the original");
        }
        if (!Files.exists(rescueDisk)) {
          return Optional.of("rescued without its rescue disk");
        }
      } else {
        String now = virsh("dumpxml", "--inactive", "--security-info", guest.uuid);
        if (!e.driver.definition(guest.uuid).equals(original) || !now.contains("<uuid>" + guest.uuid)) {
          return Optional.of("the persistent definition is not the original (virsh dumpxml differs)");
        }
        if (stored.originalDefinition().isPresent() || !stored.journal().isEmpty()) {
          return Optional.of("not rescued, but the store keeps rescue notes " + stored.journal().keySet());
        }
        if (Files.exists(rescueDisk)) {
          return Optional.of("rescue file left behind: " + rescueDisk);
        }
      }
      if (wasStuck) {
        List<ActionRecord> actions = e.store.actions(guest.uuid);
        if (actions.isEmpty() || actions.get(actions.size() - 1).action() != ActionKind.RECOVER) {
          return Optional.of("the recovery is not in the action log");
        }
      }
      if (seen.powerState() == PowerState.RUNNING) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (guest.lines().size() <= linesBefore + 1) {
          if (System.nanoTime() > deadline) {
            return Optional.of("the guest runs but printed nothing on its console for 60 s");
          }
          Thread.sleep(100);
        }
      }
      return Optional.empty();
    }
  }

  // ---- bringing the guest to a precondition ----

  private static VmState before(Operation op) {
    switch (op) {
      case UNPAUSE:
        return VmState.PAUSED;
      case RESUME:
        return VmState.SUSPENDED;
      case UNRESCUE:
        return VmState.RESCUED;
      case START:
        return VmState.STOPPED;
      default:
        return VmState.ACTIVE;
    }
  }

  private void bringTo(VmState target) throws Exception {
    try (Engine e = engine()) {
      LifecycleEngine engine = e.engine;
      String id = guest.uuid;
      engine.recover();
      VmState now = engine.get(id).vmState();
      if (now != target) {
        switch (now) {
          case PAUSED -> engine.unpause(id);
          case SUSPENDED -> engine.resume(id);
          case RESCUED -> engine.unrescue(id);
          case STOPPED -> engine.start(id);
          case ERROR -> engine.hardReboot(id);
          default -> { }
        }
        switch (target) {
          case PAUSED -> engine.pause(id);
          case SUSPENDED -> engine.suspend(id);
          case RESCUED -> engine.rescue(id, RescueRequest.builder().image(image.toString())
              .kernel(fixture("vmlinuz")).ramdisk(fixture("initrd-rescue.img"))
              .shutdownTimeout(Duration.ZERO).build());
          case STOPPED -> engine.stop(id, Duration.ZERO);
          default -> { }
        }
      }
      assertThat(engine.get(id).vmState()).as("prepared").isEqualTo(target);
    }
  }

  // ---- processes ----

  private record Trace(List<String> steps, long firstStepMillis, long exitMillis) {}

  private Trace trace(Operation op) throws Exception {
    long started = System.nanoTime();
    Process p = start(op, Optional.empty(), true);
    StderrLines err = new StderrLines(p);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    long exit = (System.nanoTime() - started) / 1_000_000;
    err.join();
    assertThat(p.exitValue()).as("traced %s: %s", op, err.all()).isZero();
    List<String> steps = new ArrayList<>();
    for (String line : err.lines) {
      if (line.startsWith("VMLIFE-STEP ")) {
        steps.add(line.substring("VMLIFE-STEP ".length()));
      }
    }
    return new Trace(steps, err.firstStepMillis(started), exit);
  }

  private Process start(Operation op, Optional<String> haltAt, boolean trace) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
        Vmlife.class.getName(), "--uri", QemuGuest.URI, "--state-dir", state.toString(), "--json"));
    cmd.addAll(arguments(op));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().remove(HaltAtStep.HALT_ENV);
    pb.environment().remove(StepTracing.TRACE_ENV);
    haltAt.ifPresent(s -> pb.environment().put(HaltAtStep.HALT_ENV, s));
    if (trace) {
      pb.environment().put(StepTracing.TRACE_ENV, "1");
    }
    return pb.start();
  }

  private List<String> arguments(Operation op) {
    String id = guest.uuid;
    return switch (op) {
      case STOP -> List.of("stop", id, "--shutdown-timeout", "0");
      case RESCUE -> List.of("rescue", id, "--image", image.toString(), "--kernel", fixture("vmlinuz"),
          "--ramdisk", fixture("initrd-rescue.img"), "--shutdown-timeout", "0");
      default -> List.of(op.apiName(), id);
    };
  }

  /** Reads a process's stderr on a thread, keeping every line with the time it arrived. */
  private static final class StderrLines {
    final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<Long> times = new java.util.concurrent.CopyOnWriteArrayList<>();
    final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    final Thread reader;

    StderrLines(Process p) {
      reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            lines.add(line);
            times.add(System.nanoTime());
            queue.add(line);
          }
        } catch (IOException e) {
          // the process was killed
        }
      }, "stderr");
      reader.setDaemon(true);
      reader.start();
    }

    String await(java.util.function.Predicate<String> p, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        String line = queue.poll(100, TimeUnit.MILLISECONDS);
        if (line != null && p.test(line)) {
          return line;
        }
        if (line == null && !reader.isAlive()) {
          return null;
        }
      }
      return null;
    }

    void join() throws InterruptedException {
      reader.join(10_000);
    }

    long firstStepMillis(long started) {
      for (int i = 0; i < lines.size(); i++) {
        if (lines.get(i).startsWith("VMLIFE-STEP ")) {
          return (times.get(i) - started) / 1_000_000;
        }
      }
      return 0;
    }

    String all() {
      return String.join("\n", lines);
    }
  }

  private String lastOutput = "";

  private int vmlifeInProcess(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--uri", QemuGuest.URI, "--state-dir", state.toString(), "--json"));
    all.addAll(List.of(args));
    int code = Vmlife.run(new Vmlife(new ByteArrayInputStream(new byte[0]),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true, StandardCharsets.UTF_8),
        new Vmlife.SessionFactory()), all.toArray(String[]::new));
    lastOutput = out.toString(StandardCharsets.UTF_8);
    return code;
  }

  private static String virsh(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("virsh", "-c", QemuGuest.URI));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("virsh %s: %s", String.join(" ", args), out).isZero();
    return out;
  }

  private static String fixture(String file) {
    return QemuGuest.fixture().resolve(file).toString();
  }

  private Path rescueImage() throws Exception {
    Path out = work.resolve("rescue.qcow2");
    Process p = new ProcessBuilder("qemu-img", "convert", "-q", "-f", "raw", "-O", "qcow2",
        QemuGuest.fixture().resolve("rescue.raw").toString(), out.toString()).inheritIO().start();
    assertThat(p.waitFor()).as("qemu-img convert").isZero();
    return out;
  }

  private void deleteRescueDir() throws IOException {
    Path dir = RESCUE_ROOT.resolve(guest.uuid);
    if (Files.exists(dir)) {
      try (var s = Files.walk(dir)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** An engine, libvirt driver and the shared durable store, opened for one step of the test. */
  private final class Engine implements AutoCloseable {
    final LibvirtDriver driver = LibvirtDriver.connect(QemuGuest.URI);
    final InstanceStore store = InstanceStores.directory(state);
    final LifecycleEngine engine = LifecycleEngine.builder().driver(driver).store(store)
        .syncOnDriverEvents(false).closeDriverOnClose(true).build();

    @Override
    public void close() {
      engine.close();
    }
  }

  private Engine engine() {
    return new Engine();
  }
}
