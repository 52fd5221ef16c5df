package io.github.vmlifecycle.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class XmlCommandTest {
  private static final String DOMAIN =
      "<domain type='kvm'>\n  <name>vm</name>\n  <os>\n    <type>hvm</type>\n    <boot dev='hd'/>\n  </os>\n"
          + "  <devices>\n    <disk type='file' device='disk'>\n      <source file='/i/disk'/>\n"
          + "      <target dev='vda' bus='virtio'/>\n    </disk>\n  </devices>\n</domain>\n";
  private static final String VOLUME_BACKED =
      "<domain type='kvm'><name>vm</name><devices><disk type='network' device='disk'>"
          + "<source protocol='rbd' name='volumes/v'/><target dev='vda' bus='virtio'/></disk></devices></domain>";

  /** The outcome of one command line. */
  record Run(int exit, String out, String err) {}

  static Run run(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    StringWriter picocliErr = new StringWriter();
    CommandLine cmd =
        new CommandLine(
            new XmlCommand(new ByteArrayInputStream(stdin), new PrintStream(out, true), new PrintStream(err, true)));
    cmd.setErr(new PrintWriter(picocliErr, true));
    int exit = cmd.execute(args);
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + picocliErr);
  }

  static Run run(String stdin, String... args) {
    return run(stdin.getBytes(StandardCharsets.UTF_8), args);
  }

  @Test
  void rescue_legacy_writesTheRescueDefinition() {
    Run r = run(DOMAIN, "rescue", "--rescue-disk", "/i/disk.rescue");

    assertThat(r.exit()).isEqualTo(0);
    assertThat(r.err()).isEmpty();
    assertThat(r.out())
        .contains("<source file=\"/i/disk.rescue\"/>\n      <target bus=\"virtio\" dev=\"vda\"/>")
        .contains("<target bus=\"virtio\" dev=\"vdb\"/>")
        .contains("mode=\"legacy\"");
  }

  @Test
  void rescueThenUnrescue_givesTheOriginalBack() {
    Run rescued =
        run(DOMAIN, "rescue", "--rescue-disk", "/i/r.iso", "--rescue-format", "raw", "--rescue-device", "cdrom",
            "--rescue-bus", "sata");
    Run back = run(rescued.out(), "unrescue");

    assertThat(rescued.exit()).isEqualTo(0);
    assertThat(rescued.out()).contains("device=\"cdrom\"", "bus=\"sata\"", "mode=\"stable\"");
    assertThat(back.exit()).isEqualTo(0);
    assertThat(back.out()).isEqualTo(DOMAIN);
  }

  @Test
  void rescue_withAKernel_setsTheRescueKernel() {
    Run r = run(DOMAIN, "rescue", "--rescue-disk", "/i/d", "--stable", "--kernel", "/i/k", "--ramdisk", "/i/rd");

    assertThat(r.exit()).isEqualTo(0);
    assertThat(r.out()).contains("<kernel>/i/k</kernel>", "<initrd>/i/rd</initrd>", "root=/dev/vdb console=ttyS0");
  }

  @Test
  void rescue_withAKernelButNoRamdisk_isAUsageError() {
    Run r = run(DOMAIN, "rescue", "--rescue-disk", "/i/d", "--kernel", "/i/k");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("--ramdisk");
  }

  @Test
  void rescue_withoutARescueDisk_isAUsageError() {
    Run r = run(DOMAIN, "rescue");

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("--rescue-disk");
  }

  @Test
  void rescue_withAnUnknownDeviceOrFormat_isAUsageError() {
    Run device = run(DOMAIN, "rescue", "--rescue-disk", "/i/d", "--rescue-device", "tape");
    Run format = run(DOMAIN, "rescue", "--rescue-disk", "/i/d", "--rescue-format", "vmdk");

    assertThat(device.exit()).isEqualTo(2);
    assertThat(device.err()).contains("tape");
    assertThat(format.exit()).isEqualTo(2);
    assertThat(format.err()).contains("qcow2 or raw");
    assertThat(device.out() + format.out()).isEmpty();
  }

  @Test
  void rescue_ofAVolumeBackedDomainInLegacyMode_isRefusedWithExit6() {
    Run r = run(VOLUME_BACKED, "rescue", "--rescue-disk", "/i/d");

    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("stable device mode", "VOLUME_BACKED_NEEDS_STABLE");
  }

  @Test
  void rescue_ofACdromOnVirtio_isRefusedWithExit6() {
    Run r = run(DOMAIN, "rescue", "--rescue-disk", "/i/d", "--rescue-device", "cdrom", "--rescue-bus", "virtio");

    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("BUS_CANNOT_CARRY_DEVICE");
  }

  @Test
  void rescue_ofInvalidInput_isRefusedWithExit6() {
    Run notXml = run("not xml", "rescue", "--rescue-disk", "/i/d");
    Run notUtf8 = run(new byte[] {'<', 'd', (byte) 0xC3, (byte) 0x28, '>'}, "rescue", "--rescue-disk", "/i/d");
    Run dtd = run("<!DOCTYPE domain [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><domain>&x;</domain>", "rescue",
        "--rescue-disk", "/i/d");

    assertThat(notXml.exit()).isEqualTo(6);
    assertThat(notXml.err()).contains("NOT_XML");
    assertThat(notUtf8.exit()).isEqualTo(6);
    assertThat(notUtf8.err()).contains("ENCODING");
    assertThat(dtd.exit()).isEqualTo(6);
    assertThat(dtd.err()).contains("DTD_FORBIDDEN").doesNotContain("root:");
    assertThat(notXml.out() + notUtf8.out() + dtd.out()).isEmpty();
  }

  @Test
  void unrescue_ofAPlainDefinition_isRefusedWithExit6() {
    Run r = run(DOMAIN, "unrescue");

    assertThat(r.exit()).isEqualTo(6);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).contains("NOT_A_RESCUE_DEFINITION");
  }

  @Test
  void xml_withoutASubcommand_isAUsageError() {
    Run r = run(DOMAIN);

    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err()).contains("missing subcommand");
  }

  @Test
  void xml_asASubcommandOfATopLevelCommand_runs() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CommandLine top = new CommandLine(new Top());
    top.addSubcommand(
        new XmlCommand(new ByteArrayInputStream(DOMAIN.getBytes(StandardCharsets.UTF_8)), new PrintStream(out, true),
            new PrintStream(new ByteArrayOutputStream(), true)));

    int exit = top.execute("xml", "rescue", "--rescue-disk", "/i/d");

    assertThat(exit).isEqualTo(0);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("<source file=\"/i/d\"/>");
  }

  @CommandLine.Command(name = "vmlife")
  static final class Top implements Runnable {
    @Override
    public void run() {}
  }
}
