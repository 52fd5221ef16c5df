package io.github.vmlifecycle.bench;

import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.LifecycleRules;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.TaskState;
import io.github.vmlifecycle.VmState;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Transition checks per second on one thread: {@link LifecycleRules#refusal} over every cell. */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Thread)
public class TransitionCheckBenchmark {
  private final LifecycleRules rules = LifecycleRules.standard();
  private final Operation[] ops = Operation.values();
  private final VmState[] states = VmState.values();
  private Instance[] instances;
  private int i;

  /** Prepares one idle instance per vm_state. */
  @Setup
  public void setUp() {
    instances = new Instance[states.length];
    for (int s = 0; s < states.length; s++) {
      instances[s] = Instance.builder().id("id-" + s).name("vm-" + s).vmState(states[s])
          .powerState(PowerState.RUNNING)
          .originalDefinition(states[s] == VmState.RESCUED ? Optional.of("<domain/>") : Optional.empty())
          .build();
    }
  }

  /** One legality check of the table (no exception path). */
  @Benchmark
  public Object refusal() {
    int n = i++;
    return rules.refusal(ops[n % ops.length], states[(n / ops.length) % states.length], Optional.empty());
  }

  /** One legality check with a task state in flight. */
  @Benchmark
  public Object refusalWhileBusy() {
    int n = i++;
    return rules.refusal(ops[n % ops.length], states[(n / ops.length) % states.length],
        Optional.of(TaskState.PAUSING));
  }

  /** One full check of a legal request on a stored instance (locks, task, vm_state). */
  @Benchmark
  public Instance checkLegal() {
    Instance active = instances[0];
    rules.check(active, Operation.PAUSE);
    return active;
  }
}
