package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.LifecycleEvent;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.VmState;
import io.github.vmlifecycle.libvirt.TestNode.Run;
import io.github.vmlifecycle.libvirt.internal.Connections;
import io.github.vmlifecycle.libvirt.internal.DetachedDevices;
import io.github.vmlifecycle.libvirt.internal.Domains;
import io.github.vmlifecycle.libvirt.internal.GuestClock;
import io.github.vmlifecycle.libvirt.internal.LifecycleEvents;
import io.github.vmlifecycle.libvirt.internal.ManagedSave;
import io.github.vmlifecycle.libvirt.internal.PowerControl;
import io.github.vmlifecycle.libvirt.internal.Rescues;
import io.github.vmlifecycle.spi.DriverInstance;
import io.github.vmlifecycle.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bad rescue input through the engine and the libvirt driver on libvirt's test driver, with real
 * image files made by qemu-img: a missing image, a directory, the instance's own disk (by its path or
 * through a link), its own rescue disk, a kernel or ramdisk that is one of those. Each is invalid
 * input and changes nothing: the guest keeps running with its definition, and no rescue file is made.
 * A VNC password in the definition goes through rescue, unrescue and failures and appears nowhere but
 * in the private instance record.
 */
class LibvirtHostileInputTest {
  private static final String SECRET = "s3cret-" + UUID.randomUUID();

  @TempDir Path dir;
  private Path base;
  private Path root;
  private Path image;
  private Path instances;
  private Path stateDir;
  private LibvirtDriver driver;
  private LifecycleEngine engine;
  private final List<LifecycleEvent> events = Collections.synchronizedList(new ArrayList<>());

  @BeforeEach
  void setUp() throws Exception {
    base = dir.resolve("base.raw");
    root = dir.resolve("root.qcow2");
    image = dir.resolve("rescue-image.raw");
    instances = dir.resolve("instances");
    stateDir = dir.resolve("state");
    qemuImg("create", "-q", "-f", "raw", base.toString(), "1M");
    qemuImg("create", "-q", "-f", "qcow2", "-F", "raw", "-b", base.toString(), root.toString());
    qemuImg("create", "-q", "-f", "raw", image.toString(), "1M");
    String devices = "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='" + root
        + "'/><target dev='vda' bus='virtio'/></disk>"
        + "<graphics type='vnc' port='-1' autoport='yes' passwd='" + SECRET + "'/>";
    TestNode node = new TestNode().domain("vm", 1, Run.RUNNING, false, devices);
    driver = LibvirtDriver.connect(LibvirtDriverOptions.builder().uri(node.write(dir))
        .instanceDirRoot(instances).build());
    engine = LifecycleEngine.builder().driver(driver).store(InstanceStores.directory(stateDir))
        .executor(Runnable::run).syncOnDriverEvents(false).listener(events::add).build();
    engine.get("vm");
  }

  @AfterEach
  void tearDown() {
    engine.close();
    driver.close();
  }

  private static void qemuImg(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("qemu-img"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private Path rescueDisk() {
    return instances.resolve(TestNode.uuid(1)).resolve("disk.rescue");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"missing", "directory", "relative", "own disk", "own disk by another spelling",
      "link to own disk", "hard link to own disk", "own rescue disk"})
  void rescue_badImage_isInvalidInputAndTheGuestKeepsRunningUnchanged(String kind) throws Exception {
    Path bad = switch (kind) {
      case "missing" -> dir.resolve("nope.qcow2");
      case "directory" -> Files.createDirectories(dir.resolve("images"));
      case "relative" -> Path.of("rescue-image.raw");
      case "own disk" -> root;
      case "own disk by another spelling" -> Path.of(dir + "/./images/../" + root.getFileName());
      case "link to own disk" -> Files.createSymbolicLink(dir.resolve("alias.qcow2"), root);
      case "hard link to own disk" -> Files.createLink(dir.resolve("hard.qcow2"), root);
      case "own rescue disk" -> {
        Files.createDirectories(rescueDisk().getParent());
        qemuImg("create", "-q", "-f", "raw", rescueDisk().toString(), "1M");
        yield rescueDisk();
      }
      default -> throw new AssertionError(kind);
    };
    Files.createDirectories(dir.resolve("images"));
    String definition = driver.definition("vm");
    List<String> rescueFiles = rescueFiles();

    assertThatThrownBy(() -> engine.rescue("vm", RescueRequest.builder().image(bad.toString()).build()))
        .isInstanceOfSatisfying(InvalidInputException.class,
            e -> assertThat(e.kind()).isEqualTo(VmLifecycleException.Kind.INVALID_INPUT))
        .hasMessageContaining(bad.toString());

    assertUnchanged(definition, rescueFiles);
    ActionRecord last = engine.actions("vm").get(engine.actions("vm").size() - 1);
    assertThat(last.result()).isEqualTo(ActionRecord.Result.FAILED);
    assertThat(last.faultKind()).contains(VmLifecycleException.Kind.INVALID_INPUT);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"kernel is the own disk", "ramdisk is the own disk", "kernel is a link to the own disk",
      "kernel is a directory", "ramdisk is missing"})
  void rescue_badKernelOrRamdisk_isInvalidInputAndChangesNothing(String kind) throws Exception {
    Path kernel = Files.writeString(dir.resolve("vmlinuz"), "kernel");
    Path ramdisk = Files.writeString(dir.resolve("initrd"), "ramdisk");
    Function<Path, Path> link = target -> {
      try {
        return Files.createSymbolicLink(dir.resolve("link"), target);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
    RescueRequest request = switch (kind) {
      case "kernel is the own disk" -> request(root, ramdisk);
      case "ramdisk is the own disk" -> request(kernel, root);
      case "kernel is a link to the own disk" -> request(link.apply(root), ramdisk);
      case "kernel is a directory" -> request(dir, ramdisk);
      case "ramdisk is missing" -> request(kernel, dir.resolve("no-initrd"));
      default -> throw new AssertionError(kind);
    };
    String definition = driver.definition("vm");

    assertThatThrownBy(() -> engine.rescue("vm", request)).isInstanceOf(InvalidInputException.class);

    assertUnchanged(definition, List.of());
  }

  @Test
  void driverRescue_ownDiskOrItsLinkOrOwnRescueDisk_isInvalidInputWithoutTheEngine() throws Exception {
    String definition = driver.definition("vm");
    Path alias = Files.createSymbolicLink(dir.resolve("alias.qcow2"), root);
    Files.createDirectories(rescueDisk().getParent());
    qemuImg("create", "-q", "-f", "raw", rescueDisk().toString(), "1M");

    for (Path bad : List.of(root, alias, rescueDisk())) {
      assertThatThrownBy(() -> driver.rescue("vm", definition, RescueRequest.builder().image(bad.toString()).build(), Calls.plain()))
          .as(bad.toString()).isInstanceOf(InvalidInputException.class).hasMessageContaining("its own");
    }
    assertThat(rescueDisk()).exists();
    DriverInstance d = driver.find("vm").orElseThrow();
    assertThat(d.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(driver.definition("vm")).isEqualTo(definition);
  }

  @Test
  void aPasswordInTheDefinition_isKeptInThePrivateRecordAndAppearsNowhereElse() throws Exception {
    List<Throwable> errors = new ArrayList<>();
    String original = driver.definition("vm");
    assertThat(original).as("the definition read with its secrets").contains(SECRET);
    try (LogCapture logs = LogCapture.start(LifecycleEngine.class.getName(), Connections.class.getName(),
        Domains.class.getName(), PowerControl.class.getName(), ManagedSave.class.getName(),
        DetachedDevices.class.getName(), GuestClock.class.getName(), LifecycleEvents.class.getName(),
        Rescues.class.getName(), "io.github.vmlifecycle.libvirt.internal.EventLoop",
        "io.github.vmlifecycle.libvirt.internal.ProgressPoller")) {
      Instance rescued = engine.rescue("vm", RescueRequest.builder().image(image.toString()).build());
      Path record = stateDir.resolve(TestNode.uuid(1) + ".instance");
      assertThat(Files.readString(record)).contains(SECRET);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(record))).isEqualTo("rw-------");
      assertThat(rescued.toString()).doesNotContain(SECRET);
      engine.unrescue("vm");
      assertThat(driver.definition("vm")).isEqualTo(original);
      for (Path bad : List.of(dir.resolve("nope.raw"), root, dir)) {
        Throwable thrown = catchThrowable(() -> engine.rescue("vm", RescueRequest.builder().image(bad.toString()).build()));
        assertThat(thrown).as(bad.toString()).isNotNull();
        errors.add(thrown);
      }
      engine.rescue("vm", RescueRequest.defaults());
      errors.add(catchThrowable(() -> engine.hardReboot("vm")));
      engine.unrescue("vm");
      errors.add(catchThrowable(() -> engine.unrescue("vm")));
      assertThat(driver.definition("vm")).isEqualTo(original);

      assertThat(logs.text()).as("the capture sees what the driver logs").contains("rescued " + TestNode.uuid(1));
      assertThat(logs.text()).as("log output").doesNotContain(SECRET);
    }
    assertThat(engine.actions("vm")).extracting(ActionRecord::action).contains(ActionKind.RESCUE, ActionKind.UNRESCUE);
    for (ActionRecord action : engine.actions("vm")) {
      assertThat(action.toString()).doesNotContain(SECRET);
    }
    assertThat(Files.readString(stateDir.resolve(TestNode.uuid(1) + ".actions"))).doesNotContain(SECRET);
    synchronized (events) {
      assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.toString()).doesNotContain(SECRET));
    }
    assertThat(errors).hasSize(5).allSatisfy(e -> {
      assertThat(e).isInstanceOf(VmLifecycleException.class);
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertThat(String.valueOf(t)).doesNotContain(SECRET);
      }
    });
  }

  private static RescueRequest request(Path kernel, Path ramdisk) {
    return RescueRequest.builder().kernel(kernel.toString()).ramdisk(ramdisk.toString()).build();
  }

  private List<String> rescueFiles() throws Exception {
    Path d = rescueDisk().getParent();
    if (!Files.isDirectory(d)) {
      return List.of();
    }
    try (var files = Files.list(d)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private void assertUnchanged(String definition, List<String> rescueFiles) throws Exception {
    DriverInstance d = driver.find("vm").orElseThrow();
    assertThat(d.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(d.rescueDefinition()).isFalse();
    assertThat(driver.definition("vm")).isEqualTo(definition);
    assertThat(rescueFiles()).isEqualTo(rescueFiles);
    Instance after = engine.get("vm");
    assertThat(after.vmState()).isEqualTo(VmState.ACTIVE);
    assertThat(after.taskState()).isEmpty();
    assertThat(after.originalDefinition()).isEmpty();
  }
}
