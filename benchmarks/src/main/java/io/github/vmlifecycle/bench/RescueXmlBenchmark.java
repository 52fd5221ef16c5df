package io.github.vmlifecycle.bench;

import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import io.github.vmlifecycle.spi.HardenedXml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of the rescue rewrite and of unrescue on the largest file of a domain XML corpus, against
 * the floor: a plain parse and serialise of the same document with the same hardened parser.
 *
 * <p>The corpus directory is system property {@code vmlifecycle.corpus} (pass it to the forks with
 * {@code -jvmArgsAppend -Dvmlifecycle.corpus=DIR}), else the project's own definitions, {@code
 * core/src/test/resources/domain-xml} relative to the repository root where {@code benchmarks/run.sh}
 * runs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RescueXmlBenchmark {
  private final RescueDomainXml xml = RescueDomainXml.create();
  private final RescueXmlSpec spec =
      RescueXmlSpec.builder().rescueDiskPath("/var/lib/vml/instance/disk.rescue").build();
  private String original;
  private String rescued;

  /**
   * Loads the largest corpus file and its rescue definition.
   *
   * @throws IOException if the corpus cannot be read
   */
  @Setup
  public void load() throws IOException {
    Path dir = Path.of(System.getProperty("vmlifecycle.corpus", "core/src/test/resources/domain-xml"));
    try (Stream<Path> files = Files.list(dir)) {
      Path largest =
          files.filter(p -> p.toString().endsWith(".xml"))
              .max(Comparator.comparingLong(RescueXmlBenchmark::size))
              .orElseThrow(() -> new IOException("No .xml file in " + dir.toAbsolutePath()));
      original = Files.readString(largest);
    }
    rescued = xml.rescue(original, spec);
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The floor for rescue: parse and serialise the original.
   *
   * @return the serialised text
   */
  @Benchmark
  public String floorOriginal() {
    return HardenedXml.serialise(HardenedXml.parse(original, HardenedXml.MAX_DOMAIN_BYTES), false);
  }

  /**
   * The rescue rewrite of the original.
   *
   * @return the rescue definition
   */
  @Benchmark
  public String rescue() {
    return xml.rescue(original, spec);
  }

  /**
   * The floor for unrescue: parse and serialise the rescue definition.
   *
   * @return the serialised text
   */
  @Benchmark
  public String floorRescued() {
    return HardenedXml.serialise(HardenedXml.parse(rescued, HardenedXml.MAX_RESCUE_BYTES), false);
  }

  /**
   * Unrescue of the rescue definition.
   *
   * @return the original
   */
  @Benchmark
  public String unrescue() {
    return xml.unrescue(rescued);
  }
}
