package io.github.vmlifecycle.libvirt;

import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.DriverCall;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.testing.HypervisorDriverContract;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The driver contract on the real libvirtd with QEMU ({@link QemuGuest#URI}): each guest is a
 * {@link QemuGuest} booting the fixture, removed after the test with the rescue files' directory. Fails
 * on CI ({@code CI=true}) and skips elsewhere when libvirtd or the fixture is missing.
 */
class QemuDriverContractE2ETest extends HypervisorDriverContract {
  private static Path fixture;

  private final List<QemuGuest> guests = new ArrayList<>();
  private final Path instances = QemuGuest.IMAGES.resolve("contract-instances-" + UUID.randomUUID());
  private LibvirtDriver driver;

  @BeforeAll
  static void prerequisites() {
    fixture = QemuGuest.fixture();
    QemuGuest.driver().close();
  }

  @Override
  protected HypervisorDriver driver() {
    driver = LibvirtDriver.connect(LibvirtDriverOptions.builder().uri(QemuGuest.URI)
        .instanceDirRoot(instances).resumeWaitTimeout(Duration.ofSeconds(30)).build());
    return driver;
  }

  @Override
  protected String createRunningInstance(String name) {
    try {
      QemuGuest g = QemuGuest.named(name, "", "ROOTDISK");
      guests.add(g);
      driver.start(g.uuid, DriverCall.defaults());
      return g.uuid;
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot define guest " + name, e);
    }
  }

  /** A guest just started may not listen to the power button yet: a short wait, then the hard fallback. */
  @Override
  protected Duration softRebootTimeout() {
    return Duration.ofSeconds(5);
  }

  @Override
  protected RescueRequest rescueRequest() {
    return RescueRequest.builder().image(fixture.resolve("rescue.raw").toString()).build();
  }

  @AfterEach
  void removeGuests() throws IOException {
    driver.close();
    for (QemuGuest g : guests) {
      g.close();
    }
    QemuGuest.deleteTree(instances);
  }
}
