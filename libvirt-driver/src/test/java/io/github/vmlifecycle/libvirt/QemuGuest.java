package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * One test guest on the real libvirtd + QEMU (TCG): a uniquely named persistent domain booting the
 * fixture of {@code .ci/guest-fixture.sh} directly (kernel + initramfs), with raw disks that have
 * serials and a file-backed serial console that the test reads. {@link #close()} destroys and
 * undefines it and deletes its files.
 */
final class QemuGuest implements AutoCloseable {
  static final String URI = "qemu:///system";
  static final Path IMAGES = Path.of("/var/lib/libvirt/images/vmlifecycle-e2e");
  static final Path SAVE_DIR = Path.of("/var/lib/libvirt/qemu/save");
  static final Path PID_DIR = Path.of("/run/libvirt/qemu");

  final String name;
  final String uuid;
  final Path dir;
  final Path console;
  final Path fixture;
  private final Connect connect;

  private QemuGuest(String name, Path fixture, Connect connect) {
    this.name = name;
    this.uuid = UUID.randomUUID().toString();
    this.dir = IMAGES.resolve(name);
    this.console = dir.resolve("console.log");
    this.fixture = fixture;
    this.connect = connect;
  }

  // -----------------------------------------------------------------------------------------------
  // Availability

  /** Returns the fixture directory, building it when missing; fails (CI) or skips when impossible. */
  static Path fixture() {
    String prop = System.getProperty("vmlifecycle.guestFixture", "");
    String env = System.getenv("VMLIFE_GUEST_FIXTURE");
    Path dir = !prop.isBlank() ? Path.of(prop)
        : env != null && !env.isBlank() ? Path.of(env) : Path.of("target/guest-fixture");
    dir = dir.toAbsolutePath();
    if (!Files.exists(dir.resolve("READY"))) {
      Path script = repoRoot().resolve(".ci/guest-fixture.sh");
      if (Files.isRegularFile(script)) {
        try {
          Process p = new ProcessBuilder("bash", script.toString(), dir.toString())
              .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
          if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
          }
        } catch (IOException e) {
          unavailable("cannot run " + script + ": " + e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    if (!Files.exists(dir.resolve("READY"))) {
      unavailable("the guest fixture is missing in " + dir
          + " (run: bash .ci/guest-fixture.sh " + dir + ")");
    }
    return dir;
  }

  static Path repoRoot() {
    String root = System.getProperty("vmlifecycle.repoRoot", "");
    if (!root.isBlank()) {
      return Path.of(root);
    }
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve(".ci")) ? here : here.getParent();
  }

  /** Returns a driver on qemu:///system; fails (CI) or skips when libvirtd is not running. */
  static LibvirtDriver driver() {
    try {
      return LibvirtDriver.connect(LibvirtDriverOptions.builder().uri(URI)
          .shutdownRetryInterval(Duration.ofSeconds(1))
          .resumeWaitTimeout(Duration.ofSeconds(30))
          .build());
    } catch (RuntimeException e) {
      unavailable("libvirtd with QEMU is not reachable at " + URI + " (run: bash .ci/libvirt-setup.sh): " + e);
      throw e;
    }
  }

  static void unavailable(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("End-to-end prerequisites missing on CI: " + why);
    }
    assumeTrue(false, "skipped: " + why);
  }

  // -----------------------------------------------------------------------------------------------
  // Definition

  /** Defines (does not start) a new guest with the given disks (serial -> initial content). */
  static QemuGuest define(String testName, String cmdlineExtra, String... diskSerials) throws Exception {
    return define(testName, cmdlineExtra, false, diskSerials);
  }

  /**
   * Defines (does not start) a new guest; with {@code qcow2Root}, the first disk is a qcow2 overlay
   * whose backing image ({@code base.raw} in the guest's directory) holds the fixture disk.
   */
  static QemuGuest define(String testName, String cmdlineExtra, boolean qcow2Root, String... diskSerials)
      throws Exception {
    Path fixture = fixture();
    Connect c;
    try {
      c = new Connect(URI);
    } catch (LibvirtException e) {
      unavailable("cannot connect to " + URI + ": " + e.getError().getMessage());
      throw e;
    }
    String name = "vml-e2e-" + testName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
        + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    QemuGuest g = new QemuGuest(name, fixture, c);
    try {
      Files.createDirectories(g.dir);
    } catch (IOException e) {
      c.close();
      unavailable("cannot create " + g.dir + ": " + e);
    }
    StringBuilder disks = new StringBuilder();
    char target = 'a';
    for (String serial : diskSerials) {
      boolean qcow2 = qcow2Root && target == 'a';
      Path disk = g.dir.resolve("disk-" + serial.toLowerCase(Locale.ROOT) + (qcow2 ? ".qcow2" : ".raw"));
      if (qcow2) {
        Path base = g.dir.resolve("base.raw");
        Files.copy(fixture.resolve("disk.raw"), base, StandardCopyOption.REPLACE_EXISTING);
        Process p = new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b",
            base.toString(), disk.toString()).inheritIO().start();
        if (p.waitFor() != 0) {
          throw new IllegalStateException("qemu-img create failed for " + disk);
        }
      } else {
        Files.copy(fixture.resolve("disk.raw"), disk, StandardCopyOption.REPLACE_EXISTING);
      }
      disks.append("<disk type='file' device='disk'><driver name='qemu' type='")
          .append(qcow2 ? "qcow2" : "raw").append("'/><source file='")
          .append(disk).append("'/><target dev='vd").append(target++).append("' bus='virtio'/><serial>")
          .append(serial).append("</serial></disk>\n");
    }
    String xml = """
        <domain type='qemu'>
          <name>%s</name>
          <uuid>%s</uuid>
          <memory unit='MiB'>256</memory>
          <vcpu>1</vcpu>
          <os>
            <type arch='x86_64' machine='pc'>hvm</type>
            <kernel>%s</kernel>
            <initrd>%s</initrd>
            <cmdline>console=ttyS0 quiet panic=-1 %s</cmdline>
          </os>
          <features><acpi/></features>
          <on_poweroff>destroy</on_poweroff>
          <on_reboot>restart</on_reboot>
          <on_crash>destroy</on_crash>
          <devices>
            %s
            <serial type='file'><source path='%s' append='on'/><target port='0'/></serial>
            <console type='file'><source path='%s' append='on'/><target type='serial' port='0'/></console>
            <memballoon model='none'/>
          </devices>
        </domain>
        """.formatted(name, g.uuid, fixture.resolve("vmlinuz"), fixture.resolve("initrd.img"),
        cmdlineExtra, disks, g.console, g.console);
    try {
      c.domainDefineXML(xml).free();
    } catch (LibvirtException e) {
      g.close();
      throw e;
    }
    return g;
  }

  /** The persistent definition. */
  String xml() throws LibvirtException {
    Domain d = connect.domainLookupByName(name);
    try {
      return d.getXMLDesc(Domain.XMLFlags.INACTIVE);
    } finally {
      d.free();
    }
  }

  // -----------------------------------------------------------------------------------------------
  // The console

  /** The console lines, \r stripped. */
  List<String> lines() {
    try {
      if (!Files.exists(console)) {
        return List.of();
      }
      String text = new String(Files.readAllBytes(console), StandardCharsets.UTF_8);
      List<String> out = new ArrayList<>();
      for (String l : text.split("\n")) {
        out.add(l.replace("\r", "").strip());
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Lines of the current (last) boot only. */
  List<String> currentBoot() {
    List<String> all = lines();
    int start = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).startsWith("VML-BOOT ")) {
        start = i;
      }
    }
    return all.subList(start, all.size());
  }

  long boots() {
    return lines().stream().filter(l -> l.startsWith("VML-BOOT ")).count();
  }

  /** The last counter value printed, if any. */
  OptionalInt lastTick() {
    List<String> all = lines();
    for (int i = all.size() - 1; i >= 0; i--) {
      String l = all.get(i);
      if (l.startsWith("VML-TICK ")) {
        try {
          return OptionalInt.of(Integer.parseInt(l.substring(9).trim()));
        } catch (NumberFormatException e) {
          // a line cut in the middle: look further back
        }
      }
    }
    return OptionalInt.empty();
  }

  /** All counter values printed, in order. */
  List<Integer> ticks() {
    List<Integer> out = new ArrayList<>();
    for (String l : lines()) {
      if (l.startsWith("VML-TICK ")) {
        try {
          out.add(Integer.parseInt(l.substring(9).trim()));
        } catch (NumberFormatException e) {
          // partial line
        }
      }
    }
    return out;
  }

  /** Waits until some console line matches. */
  String awaitLine(Predicate<String> p, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<String> hit = lines().stream().filter(p).findFirst();
      if (hit.isPresent()) {
        return hit.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no console line matched within " + timeout + "; console of " + name
        + ":\n" + String.join("\n", tail(40)));
  }

  /** Waits until the counter reaches at least {@code n} in the current boot. */
  int awaitTick(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      OptionalInt t = lastTick();
      if (t.isPresent() && t.getAsInt() >= n) {
        return t.getAsInt();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the counter did not reach " + n + " within " + timeout + "; console of "
        + name + ":\n" + String.join("\n", tail(40)));
  }

  /** Waits for a new boot (more VML-BOOT lines than {@code before}) to reach counter {@code n}. */
  void awaitBoot(long before, int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (boots() > before && currentBoot().stream().anyMatch(l -> l.equals("VML-TICK " + n))) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no new boot reached tick " + n + " within " + timeout + "; console of "
        + name + ":\n" + String.join("\n", tail(40)));
  }

  List<String> tail(int n) {
    List<String> all = lines();
    return all.subList(Math.max(0, all.size() - n), all.size());
  }

  /** The managed-save image libvirt keeps for this domain. */
  Path saveImage() {
    return SAVE_DIR.resolve(name + ".save");
  }

  /** The PID of the QEMU process, if it runs. */
  Optional<Long> qemuPid() {
    try {
      Path pid = PID_DIR.resolve(name + ".pid");
      if (!Files.exists(pid)) {
        return Optional.empty();
      }
      long p = Long.parseLong(Files.readString(pid).trim());
      return ProcessHandle.of(p).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      Domain d = connect.domainLookupByName(name);
      try {
        if (d.isActive() == 1) {
          d.destroy();
        }
        if (d.hasManagedSaveImage() == 1) {
          d.managedSaveRemove();
        }
        d.undefine(Domain.UndefineFlags.MANAGED_SAVE);
      } finally {
        d.free();
      }
    } catch (LibvirtException e) {
      // already gone
    } finally {
      try {
        connect.close();
      } catch (LibvirtException e) {
        // the connection is gone already
      }
      if (Files.exists(dir)) {
        try (Stream<Path> s = Files.walk(dir)) {
          s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
