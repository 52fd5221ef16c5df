package io.github.vmlifecycle.cli;

import static io.github.vmlifecycle.cli.TerminalText.safe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.StoreException;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.VmLifecycleException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Prints instances, actions and errors as text or JSON (Nova's lower-case state names). Text output
 * escapes every name, id, message and fault ({@link TerminalText}); JSON output is exact JSON.
 */
final class Output {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final PrintStream out;
  private final PrintStream err;
  private final boolean json;

  Output(PrintStream out, PrintStream err, boolean json) {
    this.out = out;
    this.err = err;
    this.json = json;
  }

  boolean json() {
    return json;
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  void instance(Instance i) {
    if (json) {
      out.println(write(toJson(i)));
    } else {
      out.printf("name:        %s%n", safe(i.name()));
      out.printf("uuid:        %s%n", safe(i.id()));
      out.printf("vm_state:    %s%n", i.vmState().novaName());
      out.printf("task_state:  %s%n", i.taskState().map(t -> t.novaName()).orElse("-"));
      out.printf("power_state: %s%n", i.powerState().novaName());
      out.printf("locked:      %s%n", i.locked());
      i.rescuedAt().ifPresent(t -> out.printf("rescued_at:  %s%n", t));
      i.rescueDeadline().ifPresent(t -> out.printf("unrescue_at: %s (rescue timeout %s)%n", t,
          i.rescueRequest().flatMap(RescueRequest::timeout).orElseThrow()));
      i.updatedAt().ifPresent(t -> out.printf("updated_at:  %s%n", t));
    }
  }

  void instances(List<Instance> list) {
    if (json) {
      ArrayNode array = JSON.createArrayNode();
      list.forEach(i -> array.add(toJson(i)));
      out.println(write(array));
      return;
    }
    out.printf("%-24s %-36s %-10s %-14s %-9s%n", "NAME", "UUID", "VM_STATE", "TASK_STATE", "POWER");
    for (Instance i : list) {
      out.printf("%-24s %-36s %-10s %-14s %-9s%n", safe(i.name()), safe(i.id()), i.vmState().novaName(),
          i.taskState().map(t -> t.novaName()).orElse("-"), i.powerState().novaName());
    }
  }

  void actions(List<ActionRecord> actions) {
    if (json) {
      ArrayNode array = JSON.createArrayNode();
      for (ActionRecord a : actions) {
        putAction(array.addObject(), a);
      }
      out.println(write(array));
      return;
    }
    for (ActionRecord a : actions) {
      out.printf("%s  %-12s %-9s %s -> %s  %s%s%n", a.startedAt(), a.action().actionName(),
          a.result().name().toLowerCase(Locale.ROOT), a.vmStateBefore().novaName(), a.vmStateAfter().novaName(),
          safe(a.requestId()), a.message().map(m -> "  " + safe(m)).orElse(""));
    }
  }

  /**
   * Prints the unrescues that rescue timeouts started, one per instance, naming each instance; in text,
   * a line saying so when there were none.
   */
  void automaticUnrescues(List<ActionRecord> actions, Function<String, String> nameOfId) {
    if (json) {
      ArrayNode array = JSON.createArrayNode();
      for (ActionRecord a : actions) {
        ObjectNode n = array.addObject();
        n.put("name", nameOfId.apply(a.instanceId()));
        n.put("uuid", a.instanceId());
        putAction(n, a);
        n.put("fault_kind", a.faultKind().map(k -> k.name().toLowerCase(Locale.ROOT)).orElse(null));
      }
      out.println(write(array));
      return;
    }
    if (actions.isEmpty()) {
      out.println("no rescue timeout has run out");
    }
    for (ActionRecord a : actions) {
      out.printf("%-24s %-9s %s -> %s  %s%s%n", safe(nameOfId.apply(a.instanceId())),
          a.result().name().toLowerCase(Locale.ROOT), a.vmStateBefore().novaName(), a.vmStateAfter().novaName(),
          safe(a.requestId()), a.message().map(m -> "  " + safe(m)).orElse(""));
    }
  }

  private static void putAction(ObjectNode n, ActionRecord a) {
    n.put("action", a.action().actionName());
    n.put("request_id", a.requestId());
    n.put("start_time", a.startedAt().toString());
    n.put("finish_time", a.finishedAt().toString());
    n.put("result", a.result().name().toLowerCase(Locale.ROOT));
    n.put("vm_state_before", a.vmStateBefore().novaName());
    n.put("vm_state_after", a.vmStateAfter().novaName());
    n.put("message", a.message().orElse(null));
  }

  /**
   * Reports on stderr the records that could not be read and were skipped, each by its file, so that the
   * caller can exit with {@link ExitCodes#SKIPPED}.
   */
  void skipped(List<StoreException> unreadable) {
    if (json) {
      ObjectNode root = JSON.createObjectNode();
      ArrayNode array = root.putArray("skipped");
      for (StoreException e : unreadable) {
        ObjectNode n = array.addObject();
        n.put("file", e.file().map(Object::toString).orElse(null));
        n.put("reason", e.reason().name().toLowerCase(Locale.ROOT));
        n.put("message", e.getMessage());
      }
      err.println(write(root));
    } else {
      for (StoreException e : unreadable) {
        err.println("vmlife: skipped an unreadable record: " + safe(e.getMessage()));
      }
    }
  }

  void error(VmLifecycleException e) {
    error(e.kind().name().toLowerCase(Locale.ROOT), e.getMessage());
  }

  void error(String type, String message) {
    if (json) {
      ObjectNode root = JSON.createObjectNode();
      ObjectNode error = root.putObject("error");
      error.put("type", type);
      error.put("message", message);
      err.println(write(root));
    } else {
      err.println("vmlife: " + safe(message));
    }
  }

  static ObjectNode toJson(Instance i) {
    ObjectNode n = JSON.createObjectNode();
    n.put("name", i.name());
    n.put("uuid", i.id());
    n.put("vm_state", i.vmState().novaName());
    n.put("task_state", i.taskState().map(t -> t.novaName()).orElse(null));
    n.put("power_state", i.powerState().novaName());
    n.put("locked", i.locked());
    n.put("rescued_at", i.rescuedAt().map(Object::toString).orElse(null));
    n.put("rescue_timeout", i.rescueRequest().flatMap(RescueRequest::timeout).map(Object::toString).orElse(null));
    n.put("unrescue_at", i.rescueDeadline().map(Object::toString).orElse(null));
    n.put("updated_at", i.updatedAt().map(Object::toString).orElse(null));
    return n;
  }

  static String write(Object node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
