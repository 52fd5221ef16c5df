package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.OperationOptions;
import io.github.vmlifecycle.StoreException;
import io.github.vmlifecycle.rescue.RescueBus;
import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.VmState;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The {@code vmlife} command line: lifecycle operations on a libvirt host (or the in-memory fake),
 * with state and the action log kept in a durable store between calls.
 *
 * <p>Exit codes: 0 done; 2 usage; 3 not allowed in the current state, locked, or busy; 4 no such
 * instance; 5 hypervisor failure; 6 invalid input; 7 state store failure; 8 done, but unreadable
 * instance records were skipped (each named on stderr). A command given several IDs
 * exits with the worst code of its IDs ({@link ExitCodes#worse}).
 *
 * <p>The examples of each command's help are in the resource bundle {@code Vmlife.properties}.
 */
@Command(name = "vmlife", mixinStandardHelpOptions = true, versionProvider = BuildVersion.class,
    scope = CommandLine.ScopeType.INHERIT, addMethodSubcommands = false, resourceBundle = "io.github.vmlifecycle.cli.Vmlife",
    description = "Pause, suspend, rescue, stop, start and hard-reboot virtual machines with Nova's state rules.",
    exitCodeListHeading = "%nExit codes (several IDs: the worst of theirs, in the order 7, 5, 2, 6, 4, 3, 8, 0):%n",
    exitCodeList = {"0:done", "2:usage error", "3:not allowed in the current state, locked, or busy",
        "4:no such instance", "5:hypervisor failure", "6:invalid input", "7:state store failure",
        "8:done for every readable instance, but unreadable records were skipped (each named on stderr)"},
    footerHeading = "%nDiagnostics:%n",
    footer = {
        "VMLIFE_TRACE_STEPS=1 prints each step boundary of an operation on stderr as 'VMLIFE-STEP <step>'",
        "  (every store write, before and after, and each completed libvirt step; '<step>#k' for the k-th",
        "  repeat). Any io.github.vmlifecycle.spi.StepObserver listed in",
        "  META-INF/services/io.github.vmlifecycle.spi.StepObserver on the class path observes them too."})

public final class Vmlife implements Callable<Integer> {
  /** The subcommands declared as classes, by name, in the order of the help. */
  private static final Map<String, Class<?>> CLASS_COMMANDS = classCommands();

  private static Map<String, Class<?>> classCommands() {
    Map<String, Class<?>> m = new java.util.LinkedHashMap<>();
    m.put("demo", DemoCommand.class);
    m.put("rules", RulesCommand.class);
    m.put("xml", XmlCommand.class);
    m.put("help", CommandLine.HelpCommand.class);
    return java.util.Collections.unmodifiableMap(m);
  }

  @Option(names = {"-c", "--connect", "--uri"}, paramLabel = "URI", scope = CommandLine.ScopeType.INHERIT,
      description = "Hypervisor URI: qemu:///system, qemu+tcp://host/system, test:///..., fake:/// "
          + "(default: $LIBVIRT_DEFAULT_URI, else libvirt's default).")
  String uri;

  @Option(names = "--state-dir", scope = CommandLine.ScopeType.INHERIT,
      description = "Directory of the durable state store (default: ~/.local/state/vmlife).")
  Path stateDir;

  @Option(names = "--json", scope = CommandLine.ScopeType.INHERIT,
      description = "Print JSON (errors as {\"error\": {...}} on stderr).")
  boolean json;

  private final InputStream in;
  private final PrintStream out;
  private final PrintStream err;
  private final SessionFactory sessions;
  private final Map<String, String> env;

  /** Creates the command on the process's standard streams, environment and real drivers. */
  public Vmlife() {
    this(System.in, System.out, System.err, new SessionFactory(), System.getenv());
  }

  Vmlife(InputStream in, PrintStream out, PrintStream err, SessionFactory sessions) {
    this(in, out, err, sessions, Map.of());
  }

  Vmlife(InputStream in, PrintStream out, PrintStream err, SessionFactory sessions, Map<String, String> env) {
    this.in = in;
    this.out = out;
    this.err = err;
    this.sessions = sessions;
    this.env = Map.copyOf(env);
  }

  /**
   * Runs the command line and exits with its exit code.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.exit(run(new Vmlife(), args));
  }

  /**
   * Runs the command line on a given command object and returns the exit code.
   *
   * @param vmlife the command object (its streams receive the output)
   * @param args the arguments
   * @return the exit code
   */
  static int run(Vmlife vmlife, String... args) {
    CommandLine cl = commandLine(vmlife, args);
    cl.setOut(new PrintWriter(vmlife.out, true));
    cl.setErr(new PrintWriter(vmlife.err, true));
    cl.setExitCodeExceptionMapper(t -> {
      if (t instanceof CommandLine.ParameterException) {
        return ExitCodes.USAGE;
      }
      return t instanceof VmLifecycleException ? ExitCodes.of(((VmLifecycleException) t).kind()) : ExitCodes.HYPERVISOR;
    });
    cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      Output o = vmlife.output();
      if (e instanceof VmLifecycleException) {
        o.error((VmLifecycleException) e);
        return ExitCodes.of(((VmLifecycleException) e).kind());
      }
      o.error("internal", e.toString());
      return ExitCodes.HYPERVISOR;
    });
    return cl.execute(args);
  }

  /**
   * Returns the whole command line of {@code vmlife}: this command with every subcommand, the
   * {@code xml} subcommand on {@code vmlife}'s streams and honouring its {@code --json}.
   */
  static CommandLine commandLine(Vmlife vmlife) {
    return commandLine(vmlife, new String[0]);
  }

  /**
   * Returns the command line for {@code args}: when they name a subcommand, only that one is built
   * (reflecting on every command costs more start-up time than most commands take); otherwise, and for
   * {@code help}, every command, for help and suggestions.
   */
  static CommandLine commandLine(Vmlife vmlife, String[] args) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine.IFactory factory = new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        if (cls == XmlCommand.class) {
          return cls.cast(new XmlCommand(vmlife.in, vmlife.out, vmlife.err, () -> vmlife.json));
        }
        return defaults.create(cls);
      }
    };
    CommandLine cl = new CommandLine(vmlife, factory);
    Optional<String> named = Subcommands.named(args);
    boolean all = named.isEmpty() || named.get().equals("help")
        || !Subcommands.isMethodCommand(Vmlife.class, named.get()) && !CLASS_COMMANDS.containsKey(named.get());
    for (java.lang.reflect.Method m : CommandLine.getCommandMethods(Vmlife.class, null)) {
      String name = Subcommands.commandName(m);
      if (all || name.equals(named.get())) {
        cl.addSubcommand(name, new CommandLine(m, factory));
      }
    }
    CLASS_COMMANDS.forEach((name, cls) -> {
      if (all || name.equals(named.get())) {
        cl.addSubcommand(name, new CommandLine(cls, factory));
      }
    });
    return cl;
  }

  /**
   * The hypervisor URI of this call: {@code --connect}, else {@code $LIBVIRT_DEFAULT_URI} (so that
   * {@code LIBVIRT_DEFAULT_URI=fake:///} selects the fake as it would a libvirt URI), else none.
   */
  Optional<String> uri() {
    if (uri != null) {
      return Optional.of(uri);
    }
    return Optional.ofNullable(env.get("LIBVIRT_DEFAULT_URI")).filter(u -> !u.isBlank());
  }

  Output output() {
    return new Output(out, err, json);
  }

  PrintStream out() {
    return out;
  }

  Session open() {
    return sessions.open(uri(), Optional.ofNullable(stateDir));
  }

  @Override
  public Integer call() {
    commandLine(this).usage(out);
    return ExitCodes.USAGE;
  }

  private int each(List<String> ids, BiFunction<LifecycleEngine, String, Instance> action) {
    try (Session s = open()) {
      return new Batch(output(), s.engine()).run(ids, id -> action.apply(s.engine(), id));
    }
  }

  private int withSession(Consumer<Session> action) {
    try (Session s = open()) {
      action.accept(s);
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List instances with their states, sorted by name.")
  int list(@Option(names = "--state", split = ",", paramLabel = "VM_STATE",
      description = "Only instances in these vm_states (active, paused, suspended, stopped, rescued, error).")
      List<String> states) {
    Predicate<Instance> wanted = Batch.inStates(states);
    try (Session s = open()) {
      output().instances(s.engine().list().stream().filter(wanted).collect(Collectors.toList()));
      return skipped(s.engine());
    }
  }

  /** Names the records the engine skipped; returns {@link ExitCodes#SKIPPED} when there were any. */
  private int skipped(LifecycleEngine engine) {
    List<StoreException> unreadable = engine.unreadableRecords();
    if (unreadable.isEmpty()) {
      return ExitCodes.OK;
    }
    output().skipped(unreadable);
    return ExitCodes.SKIPPED;
  }

  @Command(name = "show", description = "Show instances.")
  int show(@Parameters(paramLabel = "ID", arity = "1..*", description = "Domain names or UUIDs.") List<String> ids) {
    return each(ids, (e, id) -> e.get(id));
  }

  @Command(name = "pause", description = "Pause an active instance (memory kept in RAM).")
  int pause(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
    return each(ids, (e, id) -> e.pause(id));
  }

  @Command(name = "unpause", description = "Unpause a paused instance.")
  int unpause(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
    return each(ids, (e, id) -> e.unpause(id));
  }

  @Command(name = "suspend", description = "Suspend an active instance (memory saved to disk).")
  int suspend(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
    return each(ids, (e, id) -> e.suspend(id, ProgressBar.forTerminal(err, "suspend " + id, json)));
  }

  @Command(name = "resume", description = "Resume a suspended instance.")
  int resume(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
    return each(ids, (e, id) -> e.resume(id, ProgressBar.forTerminal(err, "resume " + id, json)));
  }

  @Command(name = "stop", description = "Stop an active or error instance (clean shutdown, destroyed after the timeout).")
  int stop(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids, @Mixin ShutdownOptions shutdown) {
    OperationOptions options = shutdown.options();
    return each(ids, (e, id) -> e.execute(id, Operation.STOP, options));
  }

  @Command(name = "start", description = "Start a stopped instance.")
  int start(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
    return each(ids, (e, id) -> e.start(id));
  }

  @Command(name = "reboot", description = {"Reboot an instance: softly by default (an active instance: clean "
      + "shutdown, then start; hard when the guest does not react in time), or --hard (destroy and start; also "
      + "the way out of a call that hangs while pausing, unpausing, suspending, resuming or rebooting)."})
  int reboot(@Option(names = "--hard", description = "Destroy and start again.") boolean hard,
      @Option(names = "--reboot-timeout", paramLabel = "SECONDS",
          description = "Seconds a soft reboot waits for the guest to react before a hard reboot (default 120).")
          Long rebootTimeout,
      @Mixin ShutdownOptions shutdown,
      @Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
    OperationOptions.Builder b = shutdown.applyTo(OperationOptions.builder());
    if (rebootTimeout != null) {
      if (rebootTimeout < 0) {
        throw new InvalidInputException("--reboot-timeout must not be negative: " + rebootTimeout);
      }
      b.softRebootTimeout(Duration.ofSeconds(rebootTimeout));
    }
    OperationOptions options = b.build();
    return each(ids, (e, id) -> e.execute(id, hard ? Operation.HARD_REBOOT : Operation.SOFT_REBOOT, options));
  }

  @Command(name = "rescue", description = "Boot an instance from a rescue image with its own disk attached.")
  int rescue(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids,
      @Option(names = "--image", paramLabel = "PATH", description = "Rescue image (default: the root disk's backing image).")
          Path image,
      @Option(names = "--kernel", paramLabel = "PATH", description = "Rescue kernel (with --ramdisk).") Path kernel,
      @Option(names = "--ramdisk", paramLabel = "PATH", description = "Rescue ramdisk (with --kernel).") Path ramdisk,
      @Option(names = "--stable", description = "Stable device mode: every device keeps its place.") boolean stable,
      @Option(names = "--rescue-device", paramLabel = "D", description = "disk, cdrom, floppy or lun (implies --stable).")
          String device,
      @Option(names = "--rescue-bus", paramLabel = "B", description = "virtio, scsi, sata, ide, usb or fdc (implies --stable).")
          String bus,
      @Option(names = "--shutdown-timeout", paramLabel = "SECONDS", description = "Seconds to wait for a clean shutdown.")
          Long seconds,
      @Option(names = "--shutdown-retry-interval", paramLabel = "SECONDS",
          description = "Seconds between two clean shutdown requests (default 10).") Long retrySeconds,
      @Option(names = "--timeout", paramLabel = "DURATION", converter = TimeoutConverter.class,
          description = "Unrescue automatically once this long has passed (90s, 30m, 2h, 1d, 1h30m or ISO-8601 "
              + "PT30M), at the next 'vmlife unrescue-expired'.") Duration timeout,
      @Option(names = "--dry-run", description = "Print the rescue definition's diff and change nothing.") boolean dryRun) {
    RescueRequest request = RescueRequest.builder()
        .image(Optional.ofNullable(image).map(Path::toString))
        .kernel(Optional.ofNullable(kernel).map(Path::toString))
        .ramdisk(Optional.ofNullable(ramdisk).map(Path::toString))
        .stable(stable)
        .device(Optional.ofNullable(device).map(RescueDevice::fromXmlName))
        .bus(Optional.ofNullable(bus).map(RescueBus::fromXmlName))
        .shutdownTimeout(Optional.ofNullable(seconds).map(Duration::ofSeconds))
        .timeout(Optional.ofNullable(timeout))
        .build();
    if (dryRun) {
      try (Session s = open()) {
        return new Batch(output(), s.engine()).previews(ids, id -> s.previewRescue(id, request));
      }
    }
    ShutdownOptions shutdown = new ShutdownOptions();
    shutdown.retryInterval = retrySeconds;
    OperationOptions options = shutdown.applyTo(OperationOptions.builder()).rescueRequest(request).build();
    return each(ids, (e, id) -> e.execute(id, Operation.RESCUE, options));
  }

  @Command(name = "unrescue", description = "Leave rescue: boot the original definition again.")
  int unrescue(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
    return each(ids, (e, id) -> e.unrescue(id));
  }

  @Command(name = "unrescue-expired", description = {
      "Unrescue every rescued instance whose rescue timeout (rescue --timeout) has run out, and list them.",
      "Meant to run periodically (a systemd timer or cron job): it only starts ordinary unrescues, so it is "
          + "safe next to other vmlife calls. Locked instances and instances with an operation in flight are "
          + "skipped.",
      "Exits 0 when every unrescue succeeded or none was due, else with the exit code of the first failure."})
  int unrescueExpired() {
    try (Session s = open()) {
      LifecycleEngine engine = s.engine();
      List<ActionRecord> done = engine.unrescueExpired();
      Output o = output();
      o.automaticUnrescues(done, id -> nameOf(engine, id));
      List<ActionRecord> failed = done.stream()
          .filter(a -> a.result() == ActionRecord.Result.FAILED)
          .collect(Collectors.toList());
      int skipped = skipped(engine);
      if (failed.isEmpty()) {
        return skipped;
      }
      VmLifecycleException.Kind kind = failed.get(0).faultKind().orElse(VmLifecycleException.Kind.HYPERVISOR);
      o.error(kind.name().toLowerCase(Locale.ROOT), failed.size() + " of " + done.size()
          + " automatic unrescues failed: " + failed.stream().map(a -> nameOf(engine, a.instanceId()))
              .collect(Collectors.joining(", ")));
      return ExitCodes.of(kind);
    }
  }

  private static String nameOf(LifecycleEngine engine, String id) {
    try {
      return engine.get(id).name();
    } catch (VmLifecycleException e) {
      return id;
    }
  }

  @Command(name = "lock", description = "Lock an instance against operations.")
  int lock(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
    return each(ids, (e, id) -> e.lock(id));
  }

  @Command(name = "unlock", description = "Unlock an instance.")
  int unlock(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids) {
    return each(ids, (e, id) -> e.unlock(id));
  }

  @Command(name = "reset-state", description = "Reset a stuck instance to active or error (admin).")
  int resetState(@Parameters(paramLabel = "ID", arity = "1..*") List<String> ids,
      @Option(names = "--state", required = true, paramLabel = "active|error") String state) {
    VmState target = VmState.fromName(state);
    return each(ids, (e, id) -> e.resetState(id, target));
  }

  @Command(name = "recover", description = {"Resolve every instance left mid-operation by a crash.",
      "--host-boot: after the host restarted, every instance stored as running whose guest is off is synced "
      + "to stopped, or with --resume-guests hard-rebooted (paused and suspended guests are left alone)."})
  int recover(@Option(names = "--host-boot", description = "Also deal with guests the host's restart left off.")
      boolean hostBoot,
      @Option(names = "--resume-guests", description = "With --host-boot: bring them back with a hard reboot "
          + "(Nova's resume_guests_state_on_host_boot).") boolean resumeGuests,
      @Mixin ShutdownOptions shutdown) {
    if (resumeGuests && !hostBoot) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--resume-guests needs --host-boot");
    }
    OperationOptions options = shutdown.options();
    try (Session s = open()) {
      s.engine().recover(options);
      if (hostBoot) {
        s.engine().recoverHostBoot(resumeGuests, options);
      }
      output().instances(s.engine().list());
      return skipped(s.engine());
    }
  }

  @Command(name = "sync", description = "Make the stored state follow what the hypervisor reports "
      + "(power-state sync; a guest that stopped by itself becomes stopped): one instance, or every one.")
  int sync(@Parameters(paramLabel = "ID", arity = "0..*", description = "Domain names or UUIDs (default: all).")
      List<String> ids, @Mixin ShutdownOptions shutdown) {
    OperationOptions options = shutdown.options();
    if (ids != null && !ids.isEmpty()) {
      return each(ids, (e, id) -> e.syncPowerState(id, options));
    }
    try (Session s = open()) {
      s.engine().list(); // adopt domains the store does not know yet
      s.engine().syncPowerStates(options);
      output().instances(s.engine().list());
      return skipped(s.engine());
    }
  }

  @Command(name = "actions", description = {"Show an instance's action log, oldest first.",
      "--tail and --since read only the end of the log, so they stay fast on a log of any size."})
  int actions(@Parameters(paramLabel = "ID") String id,
      @Option(names = "--tail", paramLabel = "N", description = "Only the newest N entries.") Integer tail,
      @Option(names = "--since", paramLabel = "TIME", converter = SinceConverter.class,
          description = "Only the entries finished at or after TIME: an ISO-8601 instant "
              + "(2026-01-31T12:00:00Z) or a date (2026-01-31, midnight UTC).") Instant since) {
    if (tail != null && tail < 0) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--tail must not be negative");
    }
    return withSession(s -> {
      LifecycleEngine e = s.engine();
      List<ActionRecord> actions = since != null ? e.actionsSince(id, since)
          : tail != null ? e.lastActions(id, tail) : e.actions(id);
      if (since != null && tail != null && actions.size() > tail) {
        actions = actions.subList(actions.size() - tail, actions.size());
      }
      output().actions(actions);
    });
  }

  /** The engine and driver of one command, closed when it ends. */
  interface Session extends AutoCloseable {
    LifecycleEngine engine();

    String previewRescue(String id, RescueRequest request);

    @Override
    void close();
  }

  /** Opens sessions; replaced in tests. */
  static class SessionFactory {
    Session open(Optional<String> uri, Optional<Path> stateDir) {
      return Sessions.open(uri, stateDir);
    }
  }
}
