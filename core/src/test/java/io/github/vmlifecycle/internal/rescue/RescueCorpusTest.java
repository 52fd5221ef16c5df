package io.github.vmlifecycle.internal.rescue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.rescue.RescueBus;
import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rescues every domain definition of the {@link Corpus} in legacy mode (with and without a rescue
 * kernel) and in stable mode (a virtio disk, a cdrom on sata): every result must be schema-valid for libvirt, boot
 * from the rescue device, keep the root disk and unrescue to the exact original. The files that must
 * be refused are listed with their reason.
 */
class RescueCorpusTest {
  enum Mode {
    LEGACY(RescueXmlSpec.builder().rescueDiskPath("/var/lib/vml/inst/disk.rescue").build()),
    LEGACY_KERNEL(
        RescueXmlSpec.builder()
            .rescueDiskPath("/var/lib/vml/inst/disk.rescue")
            .kernelPath("/var/lib/vml/inst/kernel.rescue")
            .ramdiskPath("/var/lib/vml/inst/ramdisk.rescue")
            .build()),
    STABLE_VIRTIO_DISK(
        RescueXmlSpec.builder().rescueDiskPath("/var/lib/vml/inst/disk.rescue").device(RescueDevice.DISK)
            .bus(RescueBus.VIRTIO).build()),
    STABLE_SATA_CDROM(
        RescueXmlSpec.builder().rescueDiskPath("/var/lib/vml/inst/rescue.iso").rescueDiskFormat("raw")
            .device(RescueDevice.CDROM).bus(RescueBus.SATA).build());

    final RescueXmlSpec spec;

    Mode(RescueXmlSpec spec) {
      this.spec = spec;
    }

    boolean legacy() {
      return !spec.stableMode();
    }
  }

  /** Definitions that cannot be rescued, with the reason, per mode (legacy modes / stable modes). */
  private static final Map<String, Reason[]> REFUSED = new HashMap<>();

  static {
    REFUSED.putAll(Corpus.refusals("/domain-xml/refusals.properties"));
    REFUSED.putAll(Corpus.refusals("/extra-corpus-refusals.properties"));
  }

  private static final RescueDomainXml XML = RescueDomainXml.create();

  @TempDir static Path out;

  private static final Map<String, String> RESCUED = new LinkedHashMap<>();
  private static final Map<String, InvalidDomainXmlException> REFUSALS = new LinkedHashMap<>();
  private static Map<Path, String> invalid;

  @BeforeAll
  static void rescueTheCorpus() throws IOException {
    List<Path> written = new ArrayList<>();
    for (Path file : Corpus.files()) {
      String original = Files.readString(file);
      for (Mode mode : Mode.values()) {
        String key = key(file, mode);
        try {
          String rescued = XML.rescue(original, mode.spec);
          RESCUED.put(key, rescued);
          Path target = out.resolve(key);
          Files.writeString(target, rescued);
          written.add(target);
        } catch (InvalidDomainXmlException e) {
          REFUSALS.put(key, e);
        }
      }
    }
    invalid = VirtXmlValidate.tool().map(tool -> VirtXmlValidate.invalid(tool, written)).orElse(null);
  }

  private static String key(Path file, Mode mode) {
    return mode.name().toLowerCase() + "_" + file.getFileName();
  }

  @TestFactory
  Stream<DynamicNode> rescue_ofEveryCorpusFile_holdsTheInvariantsOrIsRefusedForItsReason() {
    return Corpus.files().stream()
        .map(
            file ->
                DynamicContainer.dynamicContainer(
                    file.getFileName().toString(),
                    Stream.of(Mode.values()).flatMap(mode -> tests(file, mode))));
  }

  private static Stream<DynamicNode> tests(Path file, Mode mode) {
    String key = key(file, mode);
    Optional<Reason> refusal = expectedRefusal(file, mode);
    if (refusal.isPresent()) {
      return Stream.of(
          DynamicTest.dynamicTest(
              mode + " is refused with " + refusal.get(),
              () -> {
                assertThat(REFUSALS).containsKey(key);
                assertThat(REFUSALS.get(key).reason()).isEqualTo(refusal.get());
                assertThatThrownBy(() -> XML.rescue(Files.readString(file), mode.spec))
                    .isInstanceOfSatisfying(
                        InvalidDomainXmlException.class, e -> assertThat(e.reason()).isEqualTo(refusal.get()));
              }));
    }
    return Stream.of(
        DynamicTest.dynamicTest(
            mode + " holds the invariants",
            () -> {
              assertThat(REFUSALS.get(key)).as("refusal").isNull();
              RescueAssertions.assertRescue(Files.readString(file), RESCUED.get(key), mode.spec);
            }),
        DynamicTest.dynamicTest(
            mode + " is valid for virt-xml-validate",
            () -> {
              VirtXmlValidate.requireTool();
              assertThat(invalid).doesNotContainKey(out.resolve(key));
            }));
  }

  private static Optional<Reason> expectedRefusal(Path file, Mode mode) {
    Reason[] reasons = REFUSED.get(file.getFileName().toString());
    return reasons == null ? Optional.empty() : Optional.ofNullable(reasons[mode.legacy() ? 0 : 1]);
  }

  @Test
  void corpus_ownRefusals_nameFilesOfTheOwnSet() {
    List<String> names = Corpus.own().stream().map(p -> p.getFileName().toString()).toList();

    assertThat(names).containsAll(Corpus.refusals("/domain-xml/refusals.properties").keySet());
    assertThat(names).hasSizeGreaterThanOrEqualTo(30);
  }
}
