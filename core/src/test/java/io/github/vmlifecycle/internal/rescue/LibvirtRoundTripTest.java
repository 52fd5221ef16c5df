package io.github.vmlifecycle.internal.rescue;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.vmlifecycle.rescue.DomainDisk;
import io.github.vmlifecycle.InvalidDomainXmlException;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.internal.rescue.RescueCorpusTest.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Defines every rescue definition of the corpus in libvirt's own test driver (an isolated {@code
 * test:///NODE.xml} connection, through {@code virsh}) and reads it back with {@code dumpxml}: libvirt
 * must accept it, and unrescue of libvirt's re-serialised text must still give the exact original.
 */
class LibvirtRoundTripTest {
  private static final RescueDomainXml XML = RescueDomainXml.create();

  @TempDir Path dir;

  @TestFactory
  Stream<DynamicTest> unrescue_ofEveryRescueDefinitionReserialisedByLibvirt_givesTheExactOriginal() throws Exception {
    Path virsh =
        VirtXmlValidate.require(VirtXmlValidate.find("virsh"), System.getenv("CI"),
            "virsh is not installed (Debian: libvirt-clients)");
    Path node = Files.writeString(dir.resolve("node.xml"), "<node/>\n");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Optional<DynamicTest>>> jobs =
          Corpus.files().stream()
              .flatMap(file -> Stream.of(Mode.values()).map(mode -> pool.submit(() -> test(virsh, node, file, mode))))
              .toList();
      List<DynamicTest> tests = new java.util.ArrayList<>();
      for (Future<Optional<DynamicTest>> job : jobs) {
        job.get(120, TimeUnit.SECONDS).ifPresent(tests::add);
      }
      assertThat(tests).hasSizeGreaterThanOrEqualTo(3 * Corpus.files().size());
      return tests.stream();
    } finally {
      pool.shutdownNow();
    }
  }

  private Optional<DynamicTest> test(Path virsh, Path node, Path file, Mode mode) throws IOException {
    String original = Files.readString(file);
    String rescued;
    try {
      rescued = XML.rescue(original, mode.spec);
    } catch (InvalidDomainXmlException refusedAndCoveredByTheCorpusTest) {
      return Optional.empty();
    }
    Path rescuedFile = dir.resolve(mode + "_" + file.getFileName());
    Files.writeString(rescuedFile, rescued);
    String name = RescueAssertions.only(RescueAssertions.parse(rescued).getDocumentElement(), "name").getTextContent();
    String[] result = virsh(virsh, node, rescuedFile, name);
    return Optional.of(
        DynamicTest.dynamicTest(
            file.getFileName() + " " + mode,
            () -> {
              assertThat(result[1]).as("virsh errors").isEmpty();
              String dumped = result[0];
              assertThat(dumped).startsWith("<domain");
              assertThat(XML.unrescue(dumped)).isEqualTo(original);
              List<DomainDisk> booting =
                  XML.disks(dumped).stream().filter(d -> d.bootOrder().orElse(0) == 1).toList();
              assertThat(booting).hasSize(1);
              assertThat(booting.get(0).source()).contains(mode.spec.rescueDiskPath());
            }));
  }

  private static String[] virsh(Path virsh, Path node, Path file, String name) {
    try {
      Process p =
          new ProcessBuilder(
                  virsh.toString(), "-q", "-c", "test://" + node.toAbsolutePath(),
                  "define " + file.toAbsolutePath() + "; dumpxml --inactive '" + name.replace("'", "") + "'")
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new String[] {"", "virsh timed out"};
      }
      int start = out.indexOf("<domain");
      return new String[] {start < 0 ? out : out.substring(start), err.strip()};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new String[] {"", "interrupted"};
    }
  }
}
