package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.LifecycleRules;
import io.github.vmlifecycle.TransitionRule;
import io.github.vmlifecycle.VmState;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints the lifecycle table, as a Markdown table or a Mermaid state diagram, from the core's rules. */
@Command(name = "rules", description = "Print the lifecycle table (Markdown) or state diagram (--mermaid).")
final class RulesCommand implements Callable<Integer> {
  @Option(names = "--mermaid", description = "Print a Mermaid state diagram instead of the table.")
  boolean mermaid;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(mermaid ? mermaid(LifecycleRules.standard()) : table(LifecycleRules.standard()));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  static String table(LifecycleRules rules) {
    StringBuilder sb = new StringBuilder();
    sb.append("| operation | allowed vm_state | task_state while running | vm_state after | power_state after |\n");
    sb.append("|---|---|---|---|---|\n");
    for (TransitionRule r : rules.all()) {
      String allowed = r.allowedVmStates().stream().map(VmState::novaName).collect(Collectors.joining(", "));
      if (!r.preemptableTaskStates().isEmpty()) {
        allowed += " (also while " + r.preemptableTaskStates().stream().map(t -> t.novaName())
            .collect(Collectors.joining(", ")) + ")";
      }
      sb.append("| ").append(r.operation().apiName()).append(" | ").append(allowed).append(" | ")
          .append(r.taskState().novaName()).append(" | ").append(r.vmStateAfter().novaName()).append(" | ")
          .append(r.powerStateAfter().novaName()).append(" |\n");
    }
    return sb.toString();
  }

  static String mermaid(LifecycleRules rules) {
    StringBuilder sb = new StringBuilder("stateDiagram-v2\n");
    for (TransitionRule r : rules.all()) {
      for (VmState from : r.allowedVmStates()) {
        sb.append("    ").append(from.novaName()).append(" --> ").append(r.vmStateAfter().novaName())
            .append(": ").append(r.operation().apiName()).append('\n');
      }
    }
    return sb.toString();
  }
}
