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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A tour of vmlifecycle on the in-memory fake hypervisor: pause/unpause, suspend/resume,
 * rescue/unrescue, a refused request, a hypervisor fault, and recovery after a simulated crash, with
 * the states and timings of each step.
 */
@Command(name = "demo", description = "Tour every operation on the in-memory fake hypervisor (no libvirt needed).")
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  private PrintWriter out;

  @Override
  public Integer call() throws IOException {
    out = spec.commandLine().getOut();
    Path stateDir = Files.createTempDirectory("vmlife-demo-");
    FakeHypervisor fake = Sessions.sampleFake();
    fake.writeGuestMemory("web-1", "shopping carts of 1,024 users");
    fake.writeGuestMemory("web-2", "a warm cache of 40,000 sessions");
    InstanceStore store = InstanceStores.directory(stateDir);
    try (LifecycleEngine engine = LifecycleEngine.builder().driver(fake).store(store).build()) {
      heading("Instances on the fake hypervisor (adopted from their power states)");
      engine.list().stream().sorted((a, b) -> a.name().compareTo(b.name())).forEach(this::row);

      heading("Pause and unpause web-1 (guest memory stays in RAM)");
      step("pause web-1", () -> engine.pause("web-1"));
      step("unpause web-1", () -> engine.unpause("web-1"));
      out.printf("  guest memory after unpause: \"%s\"%n", fake.guestMemory("web-1"));

      heading("Suspend and resume web-2 (guest memory saved to disk and restored)");
      step("suspend web-2", () -> engine.suspend("web-2",
          (id, done, total) -> progress("saving", done, total)));
      out.printf("  saved-memory image present: %s%n", fake.inspect("web-2").hasSavedMemory());
      step("resume web-2", () -> engine.resume("web-2",
          (id, done, total) -> progress("restoring", done, total)));
      out.printf("  guest memory after resume: \"%s\" (boots so far: %d)%n", fake.guestMemory("web-2"),
          fake.bootCount("web-2"));

      heading("Rescue and unrescue db-1 (boot a rescue image, its own disk attached second)");
      String original = fake.definition(fake.inspect("db-1").id());
      step("rescue db-1", () -> engine.rescue("db-1", RescueRequest.builder().image("/images/rescue.qcow2").build()));
      out.printf("  files in db-1's instance directory: %s%n", fake.files("db-1"));
      step("unrescue db-1", () -> engine.unrescue("db-1"));
      out.printf("  original definition restored exactly: %s; files left: %s%n",
          fake.definition(fake.inspect("db-1").id()).equals(original), fake.files("db-1"));

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
      out.printf("%nState store (durable, one file per instance): %s%n", stateDir);
    }
    out.flush();
    return ExitCodes.OK;
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
    out.printf("  %-16s -> vm_state=%-9s power_state=%-9s %8.3f ms%n", what, result.vmState().novaName(),
        result.powerState().novaName(), (System.nanoTime() - t0) / 1e6);
  }

  private void refused(String what, Supplier<Instance> action) {
    try {
      action.get();
      out.printf("  %-16s -> unexpectedly allowed%n", what);
    } catch (VmLifecycleException e) {
      String verb = e.kind() == VmLifecycleException.Kind.HYPERVISOR ? "failed" : "refused";
      out.printf("  %-16s -> %s (%s): %s%n", what, verb, e.kind().name().toLowerCase(Locale.ROOT), e.getMessage());
    }
  }

  private void progress(String what, long done, long total) {
    if (done == total) {
      out.printf("  %s %d MiB of guest memory: done%n", what, total >> 20);
    }
  }

}
