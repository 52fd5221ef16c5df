package io.github.vmlifecycle.internal.rescue;

import io.github.vmlifecycle.spi.HardenedXml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.InvalidDomainXmlException.Reason;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostileXmlTest {
  private static final String DISK =
      "<devices><disk type='file' device='disk'><source file='/i/disk'/><target dev='vda' bus='virtio'/></disk></devices>";
  private static final RescueXmlSpec SPEC = RescueXmlSpec.builder().rescueDiskPath("/i/disk.rescue").build();

  private final RescueDomainXml xml = RescueDomainXml.create();

  @TempDir Path tmp;

  private static void assertRefused(ThrowingCallable call, Reason reason, Consumer<String> message) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            InvalidDomainXmlException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(reason);
              message.accept(e.getMessage());
            });
  }

  @Test
  void rescue_withXxeOnALocalFile_isRefusedAndTheSecretNeverAppears() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "S3CRET-7f1c9e");
    String hostile =
        "<!DOCTYPE domain [<!ENTITY leak SYSTEM \"" + secret.toUri() + "\">]>"
            + "<domain type='kvm'><name>&leak;</name>" + DISK + "</domain>";

    assertRefused(
        () -> xml.rescue(hostile, SPEC),
        Reason.DTD_FORBIDDEN,
        m -> assertThat(m).contains("external entities").doesNotContain("S3CRET"));
    for (ThrowingCallable call : new ThrowingCallable[] {
        () -> xml.unrescue(hostile), () -> xml.disks(hostile), () -> xml.isRescueDefinition(hostile)}) {
      assertRefused(call, Reason.DTD_FORBIDDEN, m -> assertThat(m).doesNotContain("S3CRET"));
    }
  }

  @Test
  void rescue_withXxeOnAFifo_neverOpensIt() throws Exception {
    Path fifo = tmp.resolve("fifo");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertThat(mkfifo.waitFor()).as("mkfifo (coreutils) makes the FIFO that detects an open attempt").isZero();
    String hostile =
        "<!DOCTYPE domain [<!ENTITY leak SYSTEM \"" + fifo.toUri() + "\">]>"
            + "<domain type='kvm'><name>&leak;</name>" + DISK + "</domain>";

    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> assertRefused(() -> xml.rescue(hostile, SPEC), Reason.DTD_FORBIDDEN, m -> assertThat(m).isNotBlank()));
  }

  @Test
  void rescue_withAnExternalDtd_isRefusedWithoutAnyConnection() throws Exception {
    try (ServerSocket server = new ServerSocket(0)) {
      server.setSoTimeout(300);
      String hostile =
          "<?xml version='1.0'?><!DOCTYPE domain SYSTEM \"http://127.0.0.1:" + server.getLocalPort() + "/d.dtd\">"
              + "<domain type='kvm'><name>x</name>" + DISK + "</domain>";

      assertRefused(
          () -> xml.rescue(hostile, SPEC), Reason.DTD_FORBIDDEN, m -> assertThat(m).contains("external DTD"));
      assertThatThrownBy(server::accept).isInstanceOf(SocketTimeoutException.class);
    }
  }

  @Test
  void rescue_withBillionLaughs_isRefusedQuickly() {
    StringBuilder dtd = new StringBuilder("<!DOCTYPE domain [<!ENTITY l0 \"lol\">");
    for (int i = 1; i < 10; i++) {
      dtd.append("<!ENTITY l").append(i).append(" \"").append(("&l" + (i - 1) + ";").repeat(10)).append("\">");
    }
    String hostile = dtd + "]><domain type='kvm'><name>&l9;</name>" + DISK + "</domain>";

    assertTimeoutPreemptively(
        Duration.ofSeconds(2),
        () -> assertRefused(() -> xml.rescue(hostile, SPEC), Reason.DTD_FORBIDDEN, m -> assertThat(m).contains("billion laughs")));
  }

  @Test
  void rescue_withDeepNesting_isRefused() {
    String hostile =
        "<domain type='kvm'><name>x</name><metadata>" + "<a>".repeat(100_000) + "</a>".repeat(100_000)
            + "</metadata>" + DISK + "</domain>";

    assertRefused(
        () -> xml.rescue(hostile, SPEC), Reason.TOO_DEEP, m -> assertThat(m).contains("deeper than the limit of 64"));
  }

  @Test
  void rescue_withNestingJustWithinTheLimit_isAccepted() {
    String nested = "<a>".repeat(60) + "</a>".repeat(60);
    String domain = "<domain type='kvm'><name>x</name><metadata><m:x xmlns:m='urn:m'>" + nested
        + "</m:x></metadata>" + DISK + "</domain>";

    assertThat(xml.unrescue(xml.rescue(domain, SPEC))).isEqualTo(domain);
  }

  @Test
  void rescue_with100MegabyteInput_isRefusedBySizeBeforeParsing() {
    String huge = "<domain type='kvm'><name>x</name>" + " ".repeat(100 * 1024 * 1024) + DISK + "</domain>";

    assertTimeoutPreemptively(
        Duration.ofMillis(500),
        () -> assertRefused(() -> xml.rescue(huge, SPEC), Reason.TOO_LARGE, m -> assertThat(m).contains("4194304 bytes")));
  }

  @Test
  void rescue_justOverTheLimitInUtf8Bytes_isRefused() {
    String padding = "\u00e9".repeat(2 * 1024 * 1024 + 1);
    String domain = "<domain type='kvm'><name>" + padding + "</name>" + DISK + "</domain>";

    assertThat(domain.length()).isLessThan(HardenedXml.MAX_DOMAIN_BYTES);
    assertRefused(() -> xml.rescue(domain, SPEC), Reason.TOO_LARGE, m -> assertThat(m).contains("limit"));
  }

  @Test
  void decodeUtf8_ofMalformedBytes_isRefused() {
    byte[] bytes = "<domain type='kvm'><name>x\u00e9</name></domain>".getBytes(StandardCharsets.ISO_8859_1);

    assertRefused(() -> RescueDomainXml.decodeUtf8(bytes), Reason.ENCODING, m -> assertThat(m).contains("not valid UTF-8"));
  }

  @Test
  void decodeUtf8_ofOversizedBytes_isRefusedBeforeDecoding() {
    byte[] bytes = new byte[HardenedXml.MAX_RESCUE_BYTES + 1];

    assertRefused(() -> RescueDomainXml.decodeUtf8(bytes), Reason.TOO_LARGE, m -> assertThat(m).contains("limit"));
  }

  @Test
  void rescue_withAnUnpairedSurrogate_isRefused() {
    String hostile = "<domain type='kvm'><name>x\ud800y</name>" + DISK + "</domain>";

    assertRefused(() -> xml.rescue(hostile, SPEC), Reason.ENCODING, m -> assertThat(m).contains("surrogate"));
  }

  @Test
  void rescue_declaringAnotherEncoding_isRefused() {
    String hostile = "<?xml version='1.0' encoding='ISO-8859-1'?><domain type='kvm'><name>x</name>" + DISK + "</domain>";

    assertRefused(() -> xml.rescue(hostile, SPEC), Reason.ENCODING, m -> assertThat(m).contains("ISO-8859-1"));
  }

  @Test
  void rescue_ofTextThatIsNotXml_isRefused() {
    assertRefused(() -> xml.rescue("hello", SPEC), Reason.NOT_XML, m -> assertThat(m).contains("not well-formed"));
    assertRefused(() -> xml.rescue("", SPEC), Reason.NOT_XML, m -> assertThat(m).contains("not well-formed"));
    assertRefused(
        () -> xml.rescue("<domain type='kvm'><devices>", SPEC), Reason.NOT_XML, m -> assertThat(m).contains("line 1"));
  }

  @Test
  void rescue_withXInclude_doesNotIncludeAnything() throws Exception {
    Path secret = Files.writeString(tmp.resolve("included.txt"), "INCLUDED-5b2a");
    String domain =
        "<domain type='kvm' xmlns:xi='http://www.w3.org/2001/XInclude'><name>x</name>"
            + "<description><xi:include href='" + secret.toUri() + "' parse='text'/></description>" + DISK + "</domain>";

    String rescued = xml.rescue(domain, SPEC);

    assertThat(rescued).doesNotContain("INCLUDED-5b2a").contains("<xi:include");
  }
}
