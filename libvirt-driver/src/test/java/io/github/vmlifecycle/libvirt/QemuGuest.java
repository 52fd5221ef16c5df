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
 *
 * <p>Public (and shipped in this module's test-jar) so that other modules' end-to-end tests, such as
 * the CLI's, can use the same guest.
 */
public final class QemuGuest implements AutoCloseable {
  /** The local libvirtd the guests are defined on. */
  public static final String URI = "qemu:///system";
  /** The same libvirtd over TCP on loopback (served when {@code .ci/libvirt-setup.sh} has run). */
  public static final String TCP_URI = "qemu+tcp://127.0.0.1/system";
  /** Where the guests' directories are made. */
  public static final Path IMAGES = Path.of("/var/lib/libvirt/images/vmlifecycle-e2e");
  static final Path SAVE_DIR = Path.of("/var/lib/libvirt/qemu/save");
  static final Path PID_DIR = Path.of("/run/libvirt/qemu");

  /** The domain name (unique per guest). */
  public final String name;
  /** The domain UUID. */
  public final String uuid;
  /** The guest's own directory (disks, console), deleted by {@link #close()}. */
  public final Path dir;
  /** The serial console file. */
  public final Path console;
  /** The fixture directory (vmlinuz, initrd.img, initrd-rescue.img, disk.raw, rescue.raw). */
  public final Path fixture;
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

  /**
   * Returns the fixture directory ({@code -Dvmlifecycle.guestFixture}, else {@code $VMLIFE_GUEST_FIXTURE},
   * else {@code libvirt-driver/target/guest-fixture}), building it when missing; fails (CI) or skips
   * when impossible.
   *
   * @return the fixture directory
   */
  public static Path fixture() {
    String prop = System.getProperty("vmlifecycle.guestFixture", "");
    String env = System.getenv("VMLIFE_GUEST_FIXTURE");
    Path dir = !prop.isBlank() ? Path.of(prop)
        : env != null && !env.isBlank() ? Path.of(env) : defaultFixture();
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

  /** libvirt-driver/target/guest-fixture, whether the tests run in libvirt-driver or another module. */
  private static Path defaultFixture() {
    Path here = Path.of("").toAbsolutePath();
    return here.getFileName() != null && here.getFileName().toString().equals("libvirt-driver")
        ? Path.of("target/guest-fixture")
        : repoRoot().resolve("libvirt-driver").resolve("target").resolve("guest-fixture");
  }

  /**
   * Returns the repository's root directory ({@code -Dvmlifecycle.repoRoot}, else the working
   * directory or its parent, whichever holds {@code .ci}).
   *
   * @return the root directory
   */
  public static Path repoRoot() {
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
          .resumeWaitTimeout(Duration.ofSeconds(30))
          .build());
    } catch (RuntimeException e) {
      unavailable("libvirtd with QEMU is not reachable at " + URI + " (run: bash .ci/libvirt-setup.sh): " + e);
      throw e;
    }
  }

  /**
   * Reports a missing end-to-end prerequisite: fails on CI ({@code CI=true}), else skips the test.
   *
   * @param why what is missing
   */
  public static void unavailable(String why) {
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      fail("End-to-end prerequisites missing on CI: " + why);
    }
    assumeTrue(false, "skipped: " + why);
  }

  // -----------------------------------------------------------------------------------------------
  // Definition

  /**
   * Defines (does not start) a new guest with the given disks (serial -> initial content).
   *
   * @param testName names the guest (made unique)
   * @param cmdlineExtra extra kernel command line words for the guest's init (e.g. {@code vmlwrite=X})
   * @param diskSerials one raw disk per serial, in device order
   * @return the guest
   * @throws Exception if it cannot be defined (missing prerequisites fail on CI, else skip)
   */
  public static QemuGuest define(String testName, String cmdlineExtra, String... diskSerials) throws Exception {
    return define(testName, cmdlineExtra, false, diskSerials);
  }

  /**
   * Defines (does not start) a new guest; with {@code qcow2Root}, the first disk is a qcow2 overlay
   * whose backing image ({@code base.raw} in the guest's directory) holds the fixture disk.
   *
   * @param testName names the guest (made unique)
   * @param cmdlineExtra extra kernel command line words for the guest's init
   * @param qcow2Root whether the first disk is a qcow2 overlay
   * @param diskSerials one disk per serial, in device order
   * @return the guest
   * @throws Exception if it cannot be defined (missing prerequisites fail on CI, else skip)
   */
  public static QemuGuest define(String testName, String cmdlineExtra, boolean qcow2Root, String... diskSerials)
      throws Exception {
    Path fixture = fixture();
    Connect c = connect();
    String name = "vml-e2e-" + testName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-")
        + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    return define(new QemuGuest(name, fixture, c), cmdlineExtra, qcow2Root, diskSerials);
  }

  /**
   * Defines (does not start) a new guest named exactly {@code name}, with raw disks.
   *
   * @param name the domain name, unique on the host (also names the guest's directory)
   * @param cmdlineExtra extra kernel command line words for the guest's init
   * @param diskSerials one disk per serial, in device order
   * @return the guest
   * @throws Exception if it cannot be defined (missing prerequisites fail on CI, else skip)
   */
  public static QemuGuest named(String name, String cmdlineExtra, String... diskSerials) throws Exception {
    Path fixture = fixture();
    return define(new QemuGuest(name, fixture, connect()), cmdlineExtra, false, diskSerials);
  }

  private static Connect connect() throws LibvirtException {
    try {
      return new Connect(URI);
    } catch (LibvirtException e) {
      unavailable("cannot connect to " + URI + ": " + e.getError().getMessage());
      throw e;
    }
  }

  private static QemuGuest define(QemuGuest g, String cmdlineExtra, boolean qcow2Root, String... diskSerials)
      throws Exception {
    Path fixture = g.fixture;
    Connect c = g.connect;
    String name = g.name;
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

  /**
   * Returns the persistent (inactive) definition.
   *
   * @return the domain XML
   * @throws LibvirtException if libvirt fails
   */
  public String xml() throws LibvirtException {
    Domain d = connect.domainLookupByName(name);
    try {
      return d.getXMLDesc(Domain.XMLFlags.INACTIVE);
    } finally {
      d.free();
    }
  }

  // -----------------------------------------------------------------------------------------------
  // The console

  /**
   * Returns the console lines, \r stripped.
   *
   * @return the lines of every boot so far
   */
  public List<String> lines() {
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

  /**
   * Returns the console lines of the current (last) boot only.
   *
   * @return the lines from the last {@code VML-BOOT} on
   */
  public List<String> currentBoot() {
    List<String> all = lines();
    int start = 0;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).startsWith("VML-BOOT ")) {
        start = i;
      }
    }
    return all.subList(start, all.size());
  }

  /**
   * Returns how many times the guest booted (its {@code VML-BOOT} lines).
   *
   * @return the number of boots
   */
  public long boots() {
    return lines().stream().filter(l -> l.startsWith("VML-BOOT ")).count();
  }

  /**
   * Returns the last counter value printed, if any.
   *
   * @return the last {@code VML-TICK} value
   */
  public OptionalInt lastTick() {
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

  /**
   * Returns all counter values printed, in order (of every boot).
   *
   * @return the {@code VML-TICK} values
   */
  public List<Integer> ticks() {
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

  /**
   * Waits until some console line matches.
   *
   * @param p the test
   * @param timeout how long to wait
   * @return the first matching line
   * @throws InterruptedException if interrupted
   */
  public String awaitLine(Predicate<String> p, Duration timeout) throws InterruptedException {
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

  /**
   * Waits until the counter reaches at least {@code n}.
   *
   * @param n the value
   * @param timeout how long to wait
   * @return the last value seen
   * @throws InterruptedException if interrupted
   */
  public int awaitTick(int n, Duration timeout) throws InterruptedException {
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

  /**
   * Waits for a new boot (more VML-BOOT lines than {@code before}) to reach counter {@code n}.
   *
   * @param before the number of boots before
   * @param n the counter value to reach in the new boot
   * @param timeout how long to wait
   * @throws InterruptedException if interrupted
   */
  public void awaitBoot(long before, int n, Duration timeout) throws InterruptedException {
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

  /**
   * Returns the last console lines.
   *
   * @param n how many
   * @return at most {@code n} lines
   */
  public List<String> tail(int n) {
    List<String> all = lines();
    return all.subList(Math.max(0, all.size() - n), all.size());
  }

  /**
   * Returns the path of the managed-save image libvirt keeps for this domain (it may not exist).
   *
   * @return the image's path
   */
  public Path saveImage() {
    return SAVE_DIR.resolve(name + ".save");
  }

  /**
   * Returns the PID of the QEMU process, if it runs.
   *
   * @return the PID of a live QEMU process
   */
  public Optional<Long> qemuPid() {
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

  /** Destroys and undefines the domain (with its managed-save image) and deletes its directory. */
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
      deleteTree(dir);
    }
  }

  /**
   * Deletes a directory and everything in it, best effort; nothing when it does not exist.
   *
   * @param dir the directory
   * @throws IOException if it cannot be listed
   */
  static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
