package com.example.quickstart;

import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceStores;
import io.github.vmlifecycle.InvalidStateException;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.fake.FakeHypervisor;
import io.github.vmlifecycle.rescue.RescueRequest;
import java.nio.file.Files;
import java.nio.file.Path;

/** vmlifecycle's quick start: every operation once, on the fake hypervisor. */
public final class QuickStart {
  private QuickStart() {}

  /**
   * Runs the quick start.
   *
   * @param args ignored
   * @throws Exception if the state directory cannot be created
   */
  public static void main(String[] args) throws Exception {
    FakeHypervisor hypervisor = new FakeHypervisor();      // or LibvirtDriver.connect(...) on a real host
    hypervisor.createInstance("web-1");
    hypervisor.addImage("/images/rescue.qcow2");
    Path stateDir = Files.createTempDirectory("vmlife");

    try (LifecycleEngine engine = LifecycleEngine.builder()
        .driver(hypervisor)
        .store(InstanceStores.directory(stateDir))         // durable: survives a crash, then engine.recover()
        .listener(event -> System.out.println(event.name()))
        .build()) {
      engine.pause("web-1");                               // ACTIVE -> PAUSED, memory kept in RAM
      engine.unpause("web-1");
      engine.suspend("web-1");                             // memory saved to disk
      engine.resume("web-1");
      engine.rescue("web-1", RescueRequest.builder().image("/images/rescue.qcow2").build());
      Instance rescued = engine.get("web-1");              // RESCUED, original definition stored
      System.out.println(rescued.vmState() + " " + rescued.originalDefinition().isPresent());
      engine.unrescue("web-1");                            // the original definition, exactly
      try {
        engine.unpause("web-1");                           // not paused: refused, nothing changed
      } catch (InvalidStateException e) {
        System.out.println(e.getMessage());                // Cannot 'unpause' instance web-1 while it is in vm_state active
      }
      engine.actions("web-1").forEach(a -> System.out.println(a.action() + " " + a.result()));
    }
  }
}
