package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.LifecycleRules;
import io.github.vmlifecycle.TransitionRule;
import io.github.vmlifecycle.VmState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Prints the lifecycle table, as a Markdown table, a Mermaid state diagram or (with {@code --json}) one
 * JSON object per rule, from the core's rules.
 */
@Command(name = "rules", description = "Print the lifecycle table (Markdown), state diagram (--mermaid) or rules (--json).")
final class RulesCommand implements Callable<Integer> {
  @Option(names = "--mermaid", description = "Print a Mermaid state diagram instead of the table.")
  boolean mermaid;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @ParentCommand Vmlife parent;

  @Override
  public Integer call() {
    LifecycleRules rules = LifecycleRules.standard();
    if (parent != null && parent.json) {
      parent.output().json(mermaid ? Map.of("mermaid", mermaid(rules)) : json(rules));
      return ExitCodes.OK;
    }
    spec.commandLine().getOut().print(mermaid ? mermaid(rules) : table(rules));
    spec.commandLine().getOut().flush();
    return ExitCodes.OK;
  }

  /** The rules as a list of JSON-ready maps with Nova's names, in the table's order. */
  static List<Map<String, Object>> json(LifecycleRules rules) {
    List<Map<String, Object>> list = new ArrayList<>();
    for (TransitionRule r : rules.all()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("operation", r.operation().apiName());
      m.put("allowed_vm_states", r.allowedVmStates().stream().map(VmState::novaName).collect(Collectors.toList()));
      m.put("preemptable_task_states", r.preemptableTaskStates().stream().map(t -> t.novaName())
          .collect(Collectors.toList()));
      m.put("task_state", r.taskState().novaName());
      m.put("vm_state_after", r.vmStateAfter().novaName());
      m.put("power_state_after", r.powerStateAfter().novaName());
      list.add(m);
    }
    return list;
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
