package io.github.vmlifecycle.cli;

import static io.github.vmlifecycle.cli.XmlCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.cli.XmlCommandTest.Run;
import io.github.vmlifecycle.spi.HardenedXml;
import org.junit.jupiter.api.Test;
import org.quicktheories.QuickTheory;
import org.quicktheories.generators.SourceDSL;

/**
 * The round trip of {@code vmlife xml}: whatever {@code xml rescue} writes, {@code xml unrescue} reads
 * back to the exact input; inputs that could not make that trip (XML 1.1, a definition whose rescue
 * would outgrow the limit unrescue reads) are refused with exit 6 before anything is written.
 */
class XmlRoundTripTest {
  private static String domain(String description, String declaration) {
    return declaration + "<domain type='kvm'>\n  <name>vm</name>\n  <description>" + description
        + "</description>\n  <devices>\n    <disk type='file' device='disk'>\n      <source file='/i/disk'/>\n"
        + "      <target dev='vda' bus='virtio'/>\n    </disk>\n  </devices>\n</domain>\n";
  }

  @Test
  void xml11_isRefusedWithExit6() {
    String xml11 = domain("d", "<?xml version=\"1.1\" encoding=\"UTF-8\"?>\n");

    Run rescued = run(xml11, "rescue", "--rescue-disk", "/i/disk.rescue");

    assertThat(rescued.exit()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(rescued.out()).isEmpty();
    assertThat(rescued.err()).contains("XML_VERSION");
    assertThat(run(xml11, "unrescue").exit()).isEqualTo(ExitCodes.INVALID_INPUT);
  }

  @Test
  void rescueThatWouldOutgrowWhatUnrescueReads_isRefusedWithExit6() {
    // Each quote inside a single-quoted attribute is written out as &quot; (6 bytes), so a definition
    // under the input limit gives a rescue definition past the limit unrescue reads.
    int quotes = HardenedXml.MAX_DOMAIN_BYTES / 2;
    String swollen = domain("d", "").replace("<name>vm</name>", "<name>vm</name>\n  <title a='"
        + "\"".repeat(quotes) + "'/>");
    assertThat(swollen.length()).isLessThan(HardenedXml.MAX_DOMAIN_BYTES);

    Run rescued = run(swollen, "rescue", "--rescue-disk", "/i/disk.rescue");

    assertThat(rescued.exit()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(rescued.out()).isEmpty();
    assertThat(rescued.err()).contains("CANNOT_ROUND_TRIP");
  }

  @Test
  void whateverRescueWrites_unrescueGivesBackExactly() {
    // Any Unicode scalar values (control characters and non-characters included: XML 1.0 refuses some);
    // unpaired surrogates are left out as no UTF-8 input can carry them.
    QuickTheory.qt().withExamples(200).forAll(
        SourceDSL.strings().betweenCodePoints(1, 0x10FFFF).ofLengthBetween(0, 100),
        SourceDSL.booleans().all())
        .assuming((text, declared) -> text.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF))
        .checkAssert((text, declared) -> {
          String description = text.replace("&", "&amp;").replace("<", "&lt;").replace("]]>", "]]&gt;");
          String original = domain(description, declared ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : "");
          Run rescued = run(original, "rescue", "--rescue-disk", "/i/disk.rescue");
          if (rescued.exit() != 0) {
            // the input cannot be read as XML 1.0: refused, nothing written
            assertThat(rescued.exit()).as(rescued.err()).isEqualTo(ExitCodes.INVALID_INPUT);
            assertThat(rescued.out()).isEmpty();
            return;
          }
          Run back = run(rescued.out(), "unrescue");
          assertThat(back.exit()).as(back.err()).isZero();
          assertThat(back.out()).isEqualTo(original);
        });
  }
}
