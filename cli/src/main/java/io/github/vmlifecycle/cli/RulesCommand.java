package io.github.vmlifecycle.cli;

import io.github.vmlifecycle.LifecycleRules;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.PowerSyncRules;
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
 * JSON object per rule, or the power-sync table, from the core's rules.
 */
@Command(name = "rules", description = "Print the lifecycle table (Markdown), the state diagram (--mermaid), "
    + "the power-sync table (--power-sync) or the rules (--json).")
final class RulesCommand implements Callable<Integer> {
  @Option(names = "--mermaid", description = "Print a Mermaid state diagram instead of the table.")
  boolean mermaid;

  @Option(names = "--power-sync", description = "Print the power-sync table instead.")
  boolean powerSync;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @ParentCommand Vmlife parent;

  @Override
  public Integer call() {
    LifecycleRules rules = LifecycleRules.standard();
    if (parent != null && parent.json) {
      parent.output().json(powerSync ? syncJson(PowerSyncRules.standard())
          : mermaid ? Map.of("mermaid", mermaid(rules)) : json(rules));
      return ExitCodes.OK;
    }
    String text = powerSync ? syncTable(PowerSyncRules.standard()) : mermaid ? mermaid(rules) : table(rules);
    spec.commandLine().getOut().print(text);
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
      sb.append("| ").append(commandOf(r.operation())).append(" | ").append(allowed).append(" | ")
          .append(r.taskState().novaName()).append(" | ").append(r.vmStateAfter().novaName()).append(" | ")
          .append(r.powerStateAfter().novaName()).append(" |\n");
    }
    return sb.toString();
  }

  /** The power-sync table: its non-trivial rows; every other combination changes only the stored power state. */
  static String syncTable(PowerSyncRules rules) {
    StringBuilder sb = new StringBuilder("| vm_state | hypervisor reports | action |\n|---|---|---|\n");
    rules.asMap().forEach((vm, row) -> row.forEach((power, action) -> sb.append("| ").append(vm.novaName())
        .append(" | ").append(power.novaName()).append(" | ")
        .append(action.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')).append(" |\n")));
    return sb.toString();
  }

  /** The power-sync table as one JSON object per row: vm_state, power_state, action. */
  static List<Map<String, Object>> syncJson(PowerSyncRules rules) {
    List<Map<String, Object>> rows = new java.util.ArrayList<>();
    rules.asMap().forEach((vm, row) -> row.forEach((power, action) -> {
      Map<String, Object> m = new java.util.LinkedHashMap<>();
      m.put("vm_state", vm.novaName());
      m.put("power_state", power.novaName());
      m.put("action", action.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
      rows.add(m);
    }));
    return rows;
  }

  /** The {@code vmlife} command of an operation: its API name, {@code reboot --hard} for a hard reboot. */
  static String commandOf(Operation op) {
    return op == Operation.HARD_REBOOT ? op.apiName() + " --hard" : op.apiName();
  }

  static String mermaid(LifecycleRules rules) {
    StringBuilder sb = new StringBuilder("stateDiagram-v2\n");
    for (TransitionRule r : rules.all()) {
      for (VmState from : r.allowedVmStates()) {
        sb.append("    ").append(from.novaName()).append(" --> ").append(r.vmStateAfter().novaName())
            .append(": ").append(commandOf(r.operation())).append('\n');
      }
    }
    return sb.toString();
  }
}
