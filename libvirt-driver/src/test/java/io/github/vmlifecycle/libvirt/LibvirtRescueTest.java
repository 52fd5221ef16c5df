package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.libvirt.TestNode.Run;
import io.github.vmlifecycle.libvirt.internal.QemuImg;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.DriverInstance;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;

/** Rescue and unrescue on libvirt's test driver, with real image files made by qemu-img. */
class LibvirtRescueTest {
  @TempDir Path dir;
  private LibvirtDriver driver;
  private Path base;
  private Path root;
  private Path rawRoot;
  private Path image;
  private Path instances;

  @BeforeEach
  void images() throws Exception {
    base = dir.resolve("base.raw");
    root = dir.resolve("root.qcow2");
    rawRoot = dir.resolve("plain.raw");
    image = dir.resolve("rescue-image.raw");
    instances = dir.resolve("instances");
    qemuImg("create", "-q", "-f", "raw", base.toString(), "1M");
    qemuImg("create", "-q", "-f", "qcow2", "-F", "raw", "-b", base.toString(), root.toString());
    qemuImg("create", "-q", "-f", "raw", rawRoot.toString(), "1M");
    qemuImg("create", "-q", "-f", "raw", image.toString(), "1M");
  }

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  private static void qemuImg(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("qemu-img"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static String disk(Path file, String format) {
    return "<disk type='file' device='disk'><driver name='qemu' type='" + format + "'/><source file='"
        + file + "'/><target dev='vda' bus='virtio'/></disk>";
  }

  private static final String VOLUME_DISK = "<disk type='network' device='disk'><driver name='qemu'"
      + " type='raw'/><source protocol='rbd' name='pool/vol'><host name='10.0.0.1' port='6789'/></source>"
      + "<target dev='vda' bus='virtio'/></disk>";

  private void open() throws Exception {
    TestNode node = new TestNode()
        .domain("vm", 1, Run.RUNNING, false, disk(root, "qcow2"))
        .domain("off", 2, Run.SHUTOFF, false, disk(root, "qcow2"))
        .domain("saved", 3, Run.SHUTOFF, true, disk(root, "qcow2"))
        .domain("plain", 4, Run.RUNNING, false, disk(rawRoot, "raw"))
        .domain("volume", 5, Run.RUNNING, false, VOLUME_DISK);
    driver = LibvirtDriver.connect(LibvirtDriverOptions.builder().uri(node.write(dir))
        .instanceDirRoot(instances).build());
  }

  private DriverInstance get(String id) {
    return driver.find(id).orElseThrow();
  }

  private Path rescueFile(int n, String name) {
    return instances.resolve(TestNode.uuid(n)).resolve(name);
  }

  private static String sha(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @Test
  void rescue_defaultRequest_bootsAnOverlayOfTheRootDisksBackingImage() throws Exception {
    open();
    String original = driver.definition("vm");
    String baseSum = sha(base);
    driver.rescue("vm", original, RescueRequest.defaults(), Calls.plain());

    DriverInstance i = get("vm");
    assertThat(i.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(i.rescueDefinition()).isTrue();
    Path overlay = rescueFile(1, "disk.rescue");
    assertThat(overlay).exists();
    QemuImg.Info info = new QemuImg("qemu-img").info(overlay, "vm");
    assertThat(info.format()).isEqualTo("qcow2");
    assertThat(info.backingFile()).contains(base.toString());
    assertThat(info.backingFormat()).contains("raw");
    String rescued = driver.definition("vm");
    assertThat(rescued).contains(overlay.toString()).contains(root.toString());
    assertThat(driver.embeddedOriginalDefinition("vm")).contains(original);
    assertThat(sha(base)).isEqualTo(baseSum);
  }

  @Test
  void rescue_stoppedWithImageKernelAndRamdisk_copiesThemAndBoots() throws Exception {
    open();
    Path kernel = Files.writeString(dir.resolve("vmlinuz"), "kernel bytes");
    Path ramdisk = Files.writeString(dir.resolve("initrd"), "ramdisk bytes");
    String original = driver.definition("off");
    driver.rescue("off", original, RescueRequest.builder().image(image.toString())
        .kernel(kernel.toString()).ramdisk(ramdisk.toString()).build(), Calls.plain());

    assertThat(get("off").powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(rescueFile(2, "kernel.rescue")).hasContent("kernel bytes");
    assertThat(rescueFile(2, "ramdisk.rescue")).hasContent("ramdisk bytes");
    assertThat(new QemuImg("qemu-img").info(rescueFile(2, "disk.rescue"), "off").backingFile())
        .contains(image.toString());
    assertThat(driver.definition("off")).contains(rescueFile(2, "kernel.rescue").toString())
        .contains(rescueFile(2, "ramdisk.rescue").toString());
  }

  @Test
  void unrescue_restoresTheOriginalExactlyAndDeletesOnlyTheRescueFiles() throws Exception {
    open();
    String original = driver.definition("vm");
    Path kernel = Files.writeString(dir.resolve("vmlinuz"), "k");
    Path ramdisk = Files.writeString(dir.resolve("initrd"), "r");
    driver.rescue("vm", original, RescueRequest.builder().kernel(kernel.toString())
        .ramdisk(ramdisk.toString()).build(), Calls.plain());
    Path keep = Files.writeString(rescueFile(1, "keep.me"), "not ours");

    driver.unrescue("vm", original, Calls.plain());
    DriverInstance i = get("vm");
    assertThat(i.powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(i.rescueDefinition()).isFalse();
    assertThat(driver.definition("vm")).isEqualTo(original);
    assertThat(driver.embeddedOriginalDefinition("vm")).isEmpty();
    assertThat(rescueFile(1, "disk.rescue")).doesNotExist();
    assertThat(rescueFile(1, "kernel.rescue")).doesNotExist();
    assertThat(rescueFile(1, "ramdisk.rescue")).doesNotExist();
    assertThat(keep).hasContent("not ours");
    assertThat(base).exists();
    assertThat(root).exists();

    driver.unrescue("vm", original, Calls.plain()); // again: nothing to do, nothing breaks
    assertThat(get("vm").powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(driver.definition("vm")).isEqualTo(original);
  }

  @Test
  void unrescue_afterAPartialRun_finishesTheJob() throws Exception {
    open();
    String original = driver.definition("vm");
    driver.rescue("vm", original, RescueRequest.defaults(), Calls.plain());
    // an earlier unrescue stopped after destroying the guest and defining the original
    Connect c = driver.connectionsForTest().currentMainForTest();
    Domain d = c.domainLookupByName("vm");
    d.destroy();
    c.domainDefineXML(original).free();
    d.free();
    assertThat(get("vm").powerState()).isEqualTo(PowerState.SHUTDOWN);

    driver.unrescue("vm", original, Calls.plain());
    assertThat(get("vm").powerState()).isEqualTo(PowerState.RUNNING);
    assertThat(driver.definition("vm")).isEqualTo(original);
    assertThat(rescueFile(1, "disk.rescue")).doesNotExist();
  }

  @Test
  void rescue_writesItsFilesToTheJournalFirstAndUnrescueRemovesTheNote() throws Exception {
    open();
    String original = driver.definition("vm");
    RecordingJournal journal = new RecordingJournal();
    driver.rescue("vm", original, RescueRequest.defaults(), Calls.journal(journal));
    assertThat(journal.get("rescue.files")).contains(rescueFile(1, "disk.rescue").toString());
    driver.unrescue("vm", original, Calls.journal(journal));
    assertThat(journal.entries()).isEmpty();
    assertThat(journal.history).containsExactly("put rescue.files", "remove rescue.files");
  }

  @Test
  void rescue_failingAfterThePowerOff_removesItsFilesAndTheNote() throws Exception {
    open();
    String original = driver.definition("vm");
    RecordingJournal journal = new RecordingJournal();
    Files.createDirectories(instances);
    Files.writeString(instances.resolve(TestNode.uuid(1)), "a file where the instance directory belongs");
    assertThatThrownBy(() -> driver.rescue("vm", original, RescueRequest.defaults(), Calls.journal(journal)))
        .isInstanceOfSatisfying(HypervisorException.class, e -> assertThat(e.code()).isEqualTo(Code.OPERATION_FAILED));
    assertThat(journal.history).containsExactly("put rescue.files", "remove rescue.files");
    assertThat(driver.definition("vm")).isEqualTo(original);
  }

  @Test
  void repair_rescueThatDiedBeforeDefining_deletesOnlyTheInstancesRescueFiles() throws Exception {
    open();
    String original = driver.definition("vm");
    Path overlay = rescueFile(1, "disk.rescue");
    Files.createDirectories(overlay.getParent());
    Files.writeString(overlay, "left behind");
    Path elsewhere = dir.resolve("not-a-rescue-file");
    Files.writeString(elsewhere, "keep me");
    RecordingJournal journal = new RecordingJournal();
    journal.put("rescue.files", overlay + "\n" + elsewhere);

    driver.repair("vm", Calls.journal(journal));

    assertThat(overlay).doesNotExist();
    assertThat(elsewhere).hasContent("keep me");
    assertThat(journal.entries()).isEmpty();
    assertThat(driver.definition("vm")).isEqualTo(original);
    assertThat(get("vm").powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void repair_whileRescued_keepsTheRescueFilesAndTheNote() throws Exception {
    open();
    String original = driver.definition("vm");
    RecordingJournal journal = new RecordingJournal();
    driver.rescue("vm", original, RescueRequest.defaults(), Calls.journal(journal));
    driver.repair("vm", Calls.journal(journal));
    assertThat(rescueFile(1, "disk.rescue")).exists();
    assertThat(journal.get("rescue.files")).isPresent();
  }

  @Test
  void rescue_again_afterUnrescue_makesAFreshRescueDisk() throws Exception {
    open();
    String original = driver.definition("vm");
    driver.rescue("vm", original, RescueRequest.defaults(), Calls.plain());
    Path overlay = rescueFile(1, "disk.rescue");
    Files.writeString(dir.resolve("marker"), "x");
    driver.unrescue("vm", original, Calls.plain());
    // a stale disk.rescue left behind by some other tool must not be reused
    Files.createDirectories(overlay.getParent());
    Files.writeString(overlay, "stale");
    driver.rescue("vm", original, RescueRequest.builder().image(image.toString()).build(), Calls.plain());
    assertThat(new QemuImg("qemu-img").info(overlay, "vm").backingFile()).contains(image.toString());
  }

  @Test
  void rescue_suspended_isOperationInvalidAndChangesNothing() throws Exception {
    open();
    String original = driver.definition("saved");
    assertThatThrownBy(() -> driver.rescue("saved", original, RescueRequest.defaults(), Calls.plain()))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(Code.OPERATION_INVALID));
    assertThat(get("saved").hasSavedMemory()).isTrue();
    assertThat(rescueFile(3, "disk.rescue")).doesNotExist();
  }

  @Test
  void rescue_alreadyRescued_isOperationInvalid() throws Exception {
    open();
    String original = driver.definition("vm");
    driver.rescue("vm", original, RescueRequest.defaults(), Calls.plain());
    String rescued = driver.definition("vm");
    assertThatThrownBy(() -> driver.rescue("vm", original, RescueRequest.defaults(), Calls.plain()))
        .isInstanceOfSatisfying(HypervisorException.class,
            e -> assertThat(e.code()).isEqualTo(Code.OPERATION_INVALID));
    assertThat(driver.definition("vm")).isEqualTo(rescued);
  }

  @Test
  void rescue_badInput_isInvalidInputAndTheGuestKeepsRunning() throws Exception {
    open();
    String vm = driver.definition("vm");
    String plain = driver.definition("plain");
    String volume = driver.definition("volume");
    // no such rescue image
    assertThatThrownBy(() -> driver.rescue("vm", vm,
            RescueRequest.builder().image(dir.resolve("nope.qcow2").toString()).build(), Calls.plain()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("nope.qcow2");
    // relative rescue kernel
    assertThatThrownBy(() -> driver.rescue("vm", vm,
            RescueRequest.builder().kernel("vmlinuz").ramdisk("initrd").build(), Calls.plain()))
        .isInstanceOf(InvalidInputException.class);
    // no rescue image, and the root disk has no backing image
    assertThatThrownBy(() -> driver.rescue("plain", plain, RescueRequest.defaults(), Calls.plain()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("no backing image");
    // a volume-backed root disk: no default image, and legacy mode refuses it
    assertThatThrownBy(() -> driver.rescue("volume", volume, RescueRequest.defaults(), Calls.plain()))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> driver.rescue("volume", volume,
            RescueRequest.builder().image(image.toString()).build(), Calls.plain()))
        .isInstanceOfSatisfying(InvalidDomainXmlException.class,
            e -> assertThat(e.reason()).isEqualTo(InvalidDomainXmlException.Reason.VOLUME_BACKED_NEEDS_STABLE));
    // somebody else's definition
    assertThatThrownBy(() -> driver.rescue("vm", plain, RescueRequest.defaults(), Calls.plain()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not its own");
    assertThatThrownBy(() -> driver.unrescue("vm", plain, Calls.plain()))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not its own");
    assertThatThrownBy(() -> driver.rescue("vm", " ", RescueRequest.defaults(), Calls.plain()))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> driver.rescue("vm", vm, null, Calls.plain())).isInstanceOf(InvalidInputException.class);

    for (String n : List.of("vm", "plain", "volume")) {
      DriverInstance i = get(n);
      assertThat(i.powerState()).as(n).isEqualTo(PowerState.RUNNING);
      assertThat(i.rescueDefinition()).as(n).isFalse();
    }
    assertThat(driver.definition("vm")).isEqualTo(vm);
    assertThat(instances).doesNotExist();
  }

  @Test
  void rescueAndUnrescue_reportTheirStepsInOrder() throws Exception {
    open();
    String original = driver.definition("vm");
    List<String> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
    DriverCall call = Calls.builder().steps((id, step) -> steps.add(step)).build();
    driver.rescue("vm", original, RescueRequest.defaults(), call);
    driver.unrescue("vm", original, call);
    assertThat(steps).containsExactly("power-off.shutdown-requested", "rescue.powered-off",
        "rescue.files-noted", "rescue.files-created", "rescue.defined", "rescue.started",
        "unrescue.destroyed", "unrescue.defined", "unrescue.started", "unrescue.files-deleted");
  }

  @Test
  void suspend_rescued_worksAndHardRebootKeepsRescue() throws Exception {
    // The core forbids suspending a rescued instance; the driver itself stays consistent if asked.
    open();
    String original = driver.definition("vm");
    driver.rescue("vm", original, RescueRequest.defaults(), Calls.plain());
    driver.suspend("vm", Calls.plain());
    driver.hardReboot("vm", Calls.plain());
    assertThat(get("vm").rescueDefinition()).isTrue();
    driver.unrescue("vm", original, Calls.plain());
    assertThat(driver.definition("vm")).isEqualTo(original);
  }
}
