package io.github.vmlifecycle.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.StoreException;
import io.github.vmlifecycle.libvirt.TestNode.Run;
import io.github.vmlifecycle.libvirt.internal.DomainXml;
import io.github.vmlifecycle.libvirt.internal.Rescues;
import io.github.vmlifecycle.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal (kept in the durable store) edited to make the driver act on something else: device XML
 * that is hostile or not a passthrough device (refused as a corrupt store entry before anything is
 * attached; the note stays for an operator), rescue files outside the instance's directory (reported and
 * never acted on: only the instance directory's own rescue files are deleted).
 */
class LibvirtJournalEntriesTest {
  private static final String PCI = "<hostdev mode='subsystem' type='pci' managed='yes'><source>"
      + "<address domain='0x0000' bus='0x06' slot='0x12' function='0x5'/></source></hostdev>";

  @TempDir Path dir;
  private LibvirtDriver driver;

  @AfterEach
  void closeDriver() {
    if (driver != null) {
      driver.close();
    }
  }

  private void open() throws Exception {
    driver = LibvirtDriver.connect(LibvirtDriverOptions.builder()
        .uri(new TestNode().domain("pci", 8, Run.RUNNING, false, PCI).write(dir))
        .instanceDirRoot(dir.resolve("instances"))
        .resumeWaitTimeout(Duration.ofSeconds(5)).build());
  }

  @Test
  void repair_detachedDevicesThatAreNotPassthroughDevicesOrHostileXml_isRefused() throws Exception {
    open();
    for (String device : List.of(
        "<disk type='file' device='disk'><source file='/etc/shadow'/><target dev='vdz'/></disk>",
        "<!DOCTYPE hostdev [<!ENTITY x SYSTEM 'file:///etc/shadow'>]><hostdev>&x;</hostdev>",
        "not xml")) {
      RecordingJournal journal = new RecordingJournal();
      journal.put("suspend.detached", DomainXml.suspendMetadata(List.of(device)));

      assertThatThrownBy(() -> driver.repair("pci", Calls.journal(journal))).as(device)
          .isInstanceOfSatisfying(StoreException.class,
              e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CORRUPT))
          .hasMessageContaining("suspend.detached");
      assertThat(journal.get("suspend.detached")).as(device).isPresent();
    }
    assertThat(driver.find("pci").orElseThrow().powerState()).isEqualTo(PowerState.RUNNING);
  }

  @Test
  void repair_rescueFilesOutsideTheInstanceDirectory_areReportedAndNeverActedOn() throws Exception {
    open();
    Path victim = Files.writeString(dir.resolve("victim"), "keep");
    RecordingJournal journal = new RecordingJournal();
    journal.put("rescue.files", victim + "\n" + dir.resolve("instances/../victim"));

    try (LogCapture logs = LogCapture.start(Rescues.class.getName())) {
      driver.repair("pci", Calls.journal(journal));
      assertThat(logs.text()).contains("rescue.files").contains(victim.toString()).contains("instances/../victim");
    }
    assertThat(victim).hasContent("keep");
  }
}
