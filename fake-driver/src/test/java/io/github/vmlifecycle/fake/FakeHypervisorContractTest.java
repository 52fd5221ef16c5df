package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.spi.HypervisorDriver;
import io.github.vmlifecycle.testing.HypervisorDriverContract;

/**
 * The fake meets the {@link HypervisorDriverContract}. Uses only the constructor, {@code createInstance},
 * {@code addImage} and the SPI, so that it proves the fake as the engine sees it.
 */
class FakeHypervisorContractTest extends HypervisorDriverContract {
  private static final String RESCUE_IMAGE = "/var/lib/images/rescue.qcow2";

  private final FakeHypervisor fake = new FakeHypervisor();

  @Override
  protected HypervisorDriver driver() {
    return fake;
  }

  @Override
  protected String createRunningInstance(String name) {
    return fake.createInstance(name);
  }

  @Override
  protected RescueRequest rescueRequest() {
    fake.addImage(RESCUE_IMAGE);
    return RescueRequest.builder().image(RESCUE_IMAGE).build();
  }
}
