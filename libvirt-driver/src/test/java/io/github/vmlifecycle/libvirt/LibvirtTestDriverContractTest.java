package io.github.vmlifecycle.libvirt;

import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.testing.HypervisorDriverContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * The driver contract on libvirt's test driver: an empty node of its own per test
 * ({@code test:///<absolute path>}), guests defined and started on the driver's own connection (a
 * test-driver node lives per connection), each with its own raw root disk, and a raw rescue image.
 */
class LibvirtTestDriverContractTest extends HypervisorDriverContract {
  private static final int MIB = 1 << 20;

  @TempDir Path dir;
  private LibvirtDriver driver;

  @Override
  protected HypervisorDriver driver() {
    try {
      driver = LibvirtDriver.connect(LibvirtDriverOptions.builder().uri(new TestNode().write(dir))
          .instanceDirRoot(dir.resolve("instances")).build());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return driver;
  }

  @Override
  protected String createRunningInstance(String name) {
    String uuid = UUID.randomUUID().toString();
    Path disk = dir.resolve(name + ".raw");
    try {
      Files.write(disk, new byte[MIB]);
      Domain d = driver.connectionsForTest().main().domainDefineXML(TestNode.definition(name, uuid,
          "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='" + disk
              + "'/><target dev='vda' bus='virtio'/></disk>"));
      try {
        d.create();
      } finally {
        d.free();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (LibvirtException e) {
      throw new IllegalStateException("the test driver refused guest " + name, e);
    }
    return uuid;
  }

  @Override
  protected RescueRequest rescueRequest() {
    Path image = dir.resolve("rescue-image.raw");
    try {
      if (!Files.exists(image)) {
        Files.write(image, new byte[MIB]);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return RescueRequest.builder().image(image.toString()).build();
  }

  @AfterEach
  void closeDriver() {
    driver.close();
  }
}
