package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.TaskState;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.fake.FakeCall;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.spi.InstanceStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A tour of vmlifecycle on the in-memory fake hypervisor: pause/unpause, suspend/resume,
 * rescue/unrescue, a refused request, a hypervisor fault, and recovery after a simulated crash, with
 * the states and timings of each step. Its durable store lives in a temporary directory, deleted at the
 * end unless {@code --keep-state}. With {@code --json} it prints one JSON array of the steps instead.
 */
@Command(name = "demo", description = "Tour every operation on the in-memory fake hypervisor (no libvirt needed).")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @ParentCommand Vmlife parent;

  @Option(names = "--keep-state", description = "Keep the demo's state directory (default: deleted at the end).")
  boolean keepState;

  private PrintWriter out;
  private final List<Map<String, Object>> steps = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    boolean json = parent != null && parent.json;
    out = json ? new PrintWriter(Writer.nullWriter()) : spec.commandLine().getOut();
    Path stateDir = Files.createTempDirectory("vmlife-demo-");
    try {
      tour(stateDir);
    } finally {
      if (!keepState) {
        deleteTree(stateDir);
      }
    }
    out.printf("%nState store (durable, one file per instance): %s%s%n", stateDir,
        keepState ? "" : " (deleted now; --keep-state keeps it)");
    out.flush();
    if (json) {
      parent.output().json(steps);
    }
    return ExitCodes.OK;
  }

  private void tour(Path stateDir) {
    FakeHypervisor fake = Sessions.sampleFake();
    fake.guest("web-1").writeMemory("shopping carts of 1,024 users");
    fake.guest("web-2").writeMemory("a warm cache of 40,000 sessions");
    InstanceStore store = InstanceStores.directory(stateDir);
    try (LifecycleEngine engine = LifecycleEngine.builder().driver(fake).store(store).build()) {
      heading("Instances on the fake hypervisor (adopted from their power states)");
      engine.list().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(this::row);

      heading("Pause and unpause web-1 (guest memory stays in RAM)");
      step("pause web-1", () -> engine.pause("web-1"));
      step("unpause web-1", () -> engine.unpause("web-1"));
      out.printf("  guest memory after unpause: \"%s\"%n", fake.guest("web-1").memory());

      heading("Suspend and resume web-2 (guest memory saved to disk and restored)");
      step("suspend web-2", () -> engine.suspend("web-2",
          (id, done, total) -> progress("saving", done, total)));
      out.printf("  saved-memory image present: %s%n", fake.guest("web-2").inspect().hasSavedMemory());
      step("resume web-2", () -> engine.resume("web-2",
          (id, done, total) -> progress("restoring", done, total)));
      out.printf("  guest memory after resume: \"%s\" (boots so far: %d)%n", fake.guest("web-2").memory(),
          fake.guest("web-2").bootCount());

      heading("Rescue and unrescue db-1 (boot a rescue image, its own disk attached second)");
      String original = fake.definition(fake.guest("db-1").inspect().id());
      step("rescue db-1", () -> engine.rescue("db-1", RescueRequest.builder().image("/images/rescue.qcow2").build()));
      out.printf("  files in db-1's instance directory: %s%n", fake.guest("db-1").files());
      step("unrescue db-1", () -> engine.unrescue("db-1"));
      out.printf("  original definition restored exactly: %s; files left: %s%n",
          fake.definition(fake.guest("db-1").inspect().id()).equals(original), fake.guest("db-1").files());

      heading("Requests that are refused before anything changes");
      step("stop web-1", () -> engine.stop("web-1", Duration.ZERO));
      refused("pause web-1", () -> engine.pause("web-1"));
      step("lock web-2", () -> engine.lock("web-2"));
      refused("suspend web-2", () -> engine.suspend("web-2"));
      step("unlock web-2", () -> engine.unlock("web-2"));
      refused("pause no-such-vm", () -> engine.pause("no-such-vm"));

      heading("A hypervisor fault: the suspend of web-2 fails after the guest was already saved");
      fake.onCall(FakeCall.SUSPEND).withMessage("connection reset while saving").failAfter();
      refused("suspend web-2", () -> engine.suspend("web-2"));
      out.println("  the engine asked the hypervisor what is true and landed there:");
      row(engine.get("web-2"));

      heading("Recovery after a crash: a previous process died while stopping db-1");
      Instance db1 = engine.get("db-1");
      store.compareAndSet(db1.version(), Instance.copyOf(db1).taskState(TaskState.POWERING_OFF)
          .requestId("req-of-a-dead-process").version(db1.version() + 1).build());
      out.println("  left behind in the store:");
      row(engine.get("db-1"));
      long t0 = System.nanoTime();
      for (ActionRecord a : engine.recover()) {
        out.printf("  recover: %s%n", a.message().orElse(""));
      }
      out.printf("  recovered in %.2f ms%n", (System.nanoTime() - t0) / 1e6);
      row(engine.get("db-1"));

      heading("Action log of web-2");
      engine.actions("web-2").forEach(a -> out.printf("  %-8s %-9s %-9s -> %-9s %s%n", a.action().actionName(),
          a.result().name().toLowerCase(Locale.ROOT), a.vmStateBefore().novaName(), a.vmStateAfter().novaName(),
          a.message().orElse("")));
    }
  }

  /** Deletes the demo's own state directory (files, then directories, deepest first). */
  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
        Files.deleteIfExists(p);
      }
    }
  }

  private void heading(String title) {
    out.printf("%n== %s%n", title);
  }

  private void row(Instance i) {
    out.printf("  %-6s vm_state=%-9s task_state=%-13s power_state=%s%n", i.name(), i.vmState().novaName(),
        i.taskState().map(TaskState::novaName).orElse("-"), i.powerState().novaName());
  }

  private void step(String what, Supplier<Instance> action) {
    long t0 = System.nanoTime();
    Instance result = action.get();
    double ms = (System.nanoTime() - t0) / 1e6;
    out.printf("  %-16s -> vm_state=%-9s power_state=%-9s %8.3f ms%n", what, result.vmState().novaName(),
        result.powerState().novaName(), ms);
    steps.add(record(what, "done", result, ms, null));
  }

  private void refused(String what, Supplier<Instance> action) {
    try {
      Instance result = action.get();
      out.printf("  %-16s -> unexpectedly allowed%n", what);
      steps.add(record(what, "unexpectedly allowed", result, 0, null));
    } catch (VmLifecycleException e) {
      String verb = e.kind() == VmLifecycleException.Kind.HYPERVISOR ? "failed" : "refused";
      out.printf("  %-16s -> %s (%s): %s%n", what, verb, e.kind().name().toLowerCase(Locale.ROOT), e.getMessage());
      steps.add(record(what, verb, null, 0, e));
    }
  }

  private static Map<String, Object> record(String what, String result, Instance i, double ms, VmLifecycleException e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("step", what);
    m.put("result", result);
    if (i != null) {
      m.put("vm_state", i.vmState().novaName());
      m.put("power_state", i.powerState().novaName());
      m.put("ms", Math.round(ms * 1000) / 1000.0);
    }
    if (e != null) {
      m.put("error", Map.of("type", e.kind().name().toLowerCase(Locale.ROOT), "message", e.getMessage()));
    }
    return m;
  }

  private void progress(String what, long done, long total) {
    if (done == total) {
      out.printf("  %s %d MiB of guest memory: done%n", what, total >> 20);
    }
  }

}
