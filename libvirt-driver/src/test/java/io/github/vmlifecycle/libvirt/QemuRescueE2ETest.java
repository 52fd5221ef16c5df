package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.libvirt.internal.QemuImg;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverInstance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rescue and unrescue on a real libvirtd + QEMU (TCG) guest, verified through the guest's console:
 * which disks it sees in which order (by serial and by the marker on each), in which mode it booted,
 * and that a repair made in rescue lands on the instance's own disk.
 */
class QemuRescueE2ETest {
  private static final Duration BOOT = Duration.ofSeconds(60);
  private static final Duration SHUTDOWN = Duration.ofSeconds(20);
  private static Path fixture;

  @BeforeAll
  static void prerequisites() {
    fixture = QemuGuest.fixture();
    QemuGuest.driver().close();
  }

  private static LibvirtDriver driver(QemuGuest g) {
    return LibvirtDriver.connect(LibvirtDriverOptions.builder().uri(QemuGuest.URI)
        .instanceDirRoot(g.dir.resolve("instances"))
        .build());
  }

  private static String sha(Path p) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @Test
  void rescue_withRescueKernel_bootsTheRescueDiskFirstAndUnrescueBootsTheRepairedOriginal() throws Exception {
    try (QemuGuest g = QemuGuest.define("rescue-kernel", "", "ROOTDISK");
        LibvirtDriver driver = driver(g)) {
      driver.start(g.uuid, Calls.plain());
      g.awaitTick(2, BOOT);
      String original = driver.definition(g.uuid);
      String imageSum = sha(fixture.resolve("rescue.raw"));

      driver.rescue(g.uuid, original, RescueRequest.builder()
          .image(fixture.resolve("rescue.raw").toString())
          .kernel(fixture.resolve("vmlinuz").toString())
          .ramdisk(fixture.resolve("initrd-rescue.img").toString())
          .build(), Calls.stop(SHUTDOWN));
      DriverInstance r = driver.find(g.uuid).orElseThrow();
      assertThat(r.powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(r.rescueDefinition()).isTrue();
      g.awaitBoot(1, 1, BOOT);
      List<String> rescue = g.currentBoot();
      assertThat(rescue.get(0)).startsWith("VML-BOOT mode=rescue");
      assertThat(rescue).contains("VML-MARK vda RESCUE-IMAGE", "VML-DISK vdb serial=ROOTDISK",
          "VML-MARK vdb ORIGINAL", "VML-WROTE vdb RESCUED");
      assertThat(rescue.indexOf("VML-MARK vda RESCUE-IMAGE")).isLessThan(rescue.indexOf("VML-MARK vdb ORIGINAL"));
      assertThat(rescue).noneMatch(l -> l.startsWith("VML-DISK vdc"));
      Path rescueDir = g.dir.resolve("instances").resolve(g.uuid);
      assertThat(rescueDir.resolve("disk.rescue")).exists();
      assertThat(rescueDir.resolve("kernel.rescue")).exists();
      assertThat(rescueDir.resolve("ramdisk.rescue")).exists();
      assertThat(driver.embeddedOriginalDefinition(g.uuid)).contains(original);

      driver.unrescue(g.uuid, original, Calls.plain());
      DriverInstance u = driver.find(g.uuid).orElseThrow();
      assertThat(u.powerState()).isEqualTo(PowerState.RUNNING);
      assertThat(u.rescueDefinition()).isFalse();
      g.awaitBoot(2, 1, BOOT);
      List<String> back = g.currentBoot();
      assertThat(back.get(0)).startsWith("VML-BOOT mode=normal");
      assertThat(back).contains("VML-DISK vda serial=ROOTDISK", "VML-MARK vda RESCUED");
      assertThat(back).noneMatch(l -> l.startsWith("VML-DISK vdb"));
      assertThat(driver.definition(g.uuid)).isEqualTo(original);
      assertThat(rescueDir.resolve("disk.rescue")).doesNotExist();
      assertThat(rescueDir.resolve("kernel.rescue")).doesNotExist();
      assertThat(rescueDir.resolve("ramdisk.rescue")).doesNotExist();
      assertThat(sha(fixture.resolve("rescue.raw"))).as("the rescue image is never written").isEqualTo(imageSum);
    }
  }

  @Test
  void rescue_withoutImage_bootsAnOverlayOfTheRootDisksBackingImage() throws Exception {
    try (QemuGuest g = QemuGuest.define("rescue-default", "", true, "ROOTDISK");
        LibvirtDriver driver = driver(g)) {
      driver.start(g.uuid, Calls.plain());
      g.awaitTick(1, BOOT);
      driver.stop(g.uuid, Calls.stop(SHUTDOWN)); // rescue from STOPPED
      String original = driver.definition(g.uuid);
      String baseSum = sha(g.dir.resolve("base.raw"));

      // No image: the root disk's backing image. (Without a rescue kernel the guest would boot the
      // rescue disk through the BIOS, and the fixture's disks carry no boot loader.)
      driver.rescue(g.uuid, original, RescueRequest.builder()
          .kernel(fixture.resolve("vmlinuz").toString())
          .ramdisk(fixture.resolve("initrd-rescue.img").toString())
          .build(), Calls.stop(SHUTDOWN));
      g.awaitBoot(1, 1, BOOT);
      List<String> rescue = g.currentBoot();
      // vda is the rescue overlay of base.raw, vdb the instance's own qcow2 root disk
      assertThat(rescue.get(0)).startsWith("VML-BOOT mode=rescue");
      assertThat(rescue).contains("VML-MARK vda ORIGINAL", "VML-DISK vdb serial=ROOTDISK",
          "VML-WROTE vdb RESCUED");
      assertThat(rescue).noneMatch(l -> l.equals("VML-DISK vda serial=ROOTDISK"));
      assertThat(new QemuImg("qemu-img").info(
              g.dir.resolve("instances").resolve(g.uuid).resolve("disk.rescue"), g.name).backingFile())
          .contains(g.dir.resolve("base.raw").toString());

      driver.unrescue(g.uuid, original, Calls.plain());
      g.awaitBoot(2, 1, BOOT);
      assertThat(g.currentBoot()).contains("VML-DISK vda serial=ROOTDISK", "VML-MARK vda RESCUED");
      assertThat(driver.definition(g.uuid)).isEqualTo(original);
      // the repair went to the instance's overlay; neither rescue nor the guest wrote the backing image
      assertThat(sha(g.dir.resolve("base.raw"))).isEqualTo(baseSum);
    }
  }
}
