package io.github.vmlifecycle.examples;

import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InstanceBusyException;
import io.github.vmlifecycle.InstanceLockedException;
import io.github.vmlifecycle.LifecycleEngine;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.VmState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An example of user code built on vmlifecycle: suspends the active instances a caller considers idle,
 * skipping locked and busy ones, and reports what it could not do. Its unit test
 * ({@code IdleVmReaperTest}) shows how to test such code against the fake hypervisor.
 *
 * <p>Thread-safe if the engine is.
 */
public final class IdleVmReaper {
  private final LifecycleEngine engine;

  /**
   * Creates a reaper.
   *
   * @param engine the engine to act through
   */
  public IdleVmReaper(LifecycleEngine engine) {
    this.engine = engine;
  }

  /** What one pass did. */
  public record Report(List<String> suspended, List<String> skipped, List<String> failed) {}

  /**
   * Suspends every ACTIVE instance whose name is in {@code idle}.
   *
   * @param idle the names of idle instances
   * @return what was suspended, skipped (locked, busy) and what failed (with the reason)
   */
  public Report reap(Set<String> idle) {
    List<String> suspended = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (Instance i : engine.list()) {
      if (!idle.contains(i.name()) || i.vmState() != VmState.ACTIVE) {
        continue;
      }
      try {
        engine.suspend(i.name());
        suspended.add(i.name());
      } catch (InstanceLockedException | InstanceBusyException e) {
        skipped.add(i.name());
      } catch (VmLifecycleException e) {
        failed.add(i.name() + ": " + e.getMessage());
      }
    }
    return new Report(suspended, skipped, failed);
  }
}
