package io.github.vmlifecycle.bench;

import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.libvirt.LibvirtDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost vmlifecycle adds to a pause+unpause round trip on libvirt's in-process test driver (where
 * the hypervisor itself costs a few microseconds, so every overhead shows): the same libvirt-java calls
 * made directly (look up, suspend, free; look up, resume, free), through {@link LibvirtDriver}, and
 * through {@link LifecycleEngine} with the in-memory store. Each path has its own connection, and so its
 * own copy of the test node.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class LibvirtOverheadBenchmark {
  private static final String UUID = "6695eb01-f6a4-8304-79aa-000000000001";

  private Path node;
  private Connect raw;
  private LibvirtDriver driver;
  private LibvirtDriver engineDriver;
  private LifecycleEngine engine;

  /**
   * Writes a test node with one running domain and opens the three paths.
   *
   * @throws IOException if the node file cannot be written
   * @throws LibvirtException if libvirt cannot open it
   */
  @Setup(Level.Trial)
  public void setUp() throws IOException, LibvirtException {
    node = Files.createTempFile("vmlife-bench-node", ".xml");
    Files.writeString(node, "<node><domain type='test'><name>bench</name><uuid>" + UUID + "</uuid>"
        + "<memory>65536</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain></node>");
    String uri = "test://" + node.toAbsolutePath();
    raw = new Connect(uri);
    driver = LibvirtDriver.connect(uri);
    engineDriver = LibvirtDriver.connect(uri);
    engine = LifecycleEngine.builder().driver(engineDriver).store(InstanceStores.inMemory(16))
        .syncOnDriverEvents(false).build();
    engine.get(UUID);
  }

  /**
   * The libvirt-java calls alone.
   *
   * @return nothing useful; keeps the calls alive
   * @throws LibvirtException if libvirt fails
   */
  @Benchmark
  public int raw() throws LibvirtException {
    Domain d = raw.domainLookupByUUIDString(UUID);
    try {
      d.suspend();
    } finally {
      d.free();
    }
    d = raw.domainLookupByUUIDString(UUID);
    try {
      d.resume();
    } finally {
      d.free();
    }
    return 0;
  }

  /** Through the driver. */
  @Benchmark
  public void driver() {
    driver.pause(UUID, DriverCall.defaults());
    driver.unpause(UUID, DriverCall.defaults());
  }

  /**
   * Through the engine (rules, compare-and-set, action log, events) and the driver.
   *
   * @return the instance after unpause
   */
  @Benchmark
  public Object engine() {
    engine.pause(UUID);
    return engine.unpause(UUID);
  }

  /**
   * Closes everything.
   *
   * @throws Exception if closing fails
   */
  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    engine.close();
    engineDriver.close();
    driver.close();
    raw.close();
    Files.deleteIfExists(node);
  }
}
