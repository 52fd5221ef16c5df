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
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Prints instances, actions and errors as text or JSON (Nova's lower-case state names). Jackson is loaded
 * only when JSON is printed. Text output escapes every name, id, message and fault ({@link TerminalText});
 * JSON output is exact JSON.
 */
final class Output {
  /** Holds the JSON mapper, so that Jackson's classes load on the first JSON output only. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

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

  /** Prints instances sorted by name (then UUID): a JSON array, or a table. */
  void instances(List<Instance> unsorted) {
    List<Instance> list = unsorted.stream()
        .sorted(Comparator.comparing(Instance::name).thenComparing(Instance::id))
        .collect(Collectors.toList());
    if (json) {
      ArrayNode array = Json.MAPPER.createArrayNode();
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
      ArrayNode array = Json.MAPPER.createArrayNode();
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
      ArrayNode array = Json.MAPPER.createArrayNode();
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
   * Prints the outcome of a command given several IDs: in text one line per ID that succeeded (errors
   * follow on stderr); in JSON one array, an element per ID in order, the instance or its error, each
   * with the ID as typed.
   */
  void instanceResults(List<Batch.Result<Instance>> results) {
    if (json) {
      ArrayNode array = Json.MAPPER.createArrayNode();
      for (Batch.Result<Instance> r : results) {
        ObjectNode n = r.value.map(Output::toJson).orElseGet(Json.MAPPER::createObjectNode);
        n.put("id", r.typed);
        r.error.ifPresent(e -> putError(n.putObject("error"), e, r.typed, r.uuid));
        array.add(n);
      }
      out.println(write(array));
      return;
    }
    for (Batch.Result<Instance> r : results) {
      r.value.ifPresent(i -> out.printf("%-24s vm_state=%-9s task_state=%-13s power_state=%s%n", safe(r.typed),
          i.vmState().novaName(), i.taskState().map(t -> t.novaName()).orElse("-"), i.powerState().novaName()));
    }
  }

  /** Prints rescue previews: diffs as text; in JSON one object (one ID) or an array of them, with the ID. */
  void previews(List<Batch.Result<String>> results, boolean single) {
    if (!json) {
      results.forEach(r -> r.value.ifPresent(diff -> out.print(TerminalText.safeLines(diff))));
      return;
    }
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (Batch.Result<String> r : results) {
      if (single && r.error.isPresent()) {
        return;
      }
      ObjectNode n = array.addObject();
      n.put("id", r.typed);
      n.put("dry_run", true);
      r.value.ifPresent(diff -> n.put("diff", diff));
      r.error.ifPresent(e -> putError(n.putObject("error"), e, r.typed, r.uuid));
    }
    out.println(write(single ? array.get(0) : array));
  }

  /**
   * Reports on stderr the records that could not be read and were skipped, each by its file, so that the
   * caller can exit with {@link ExitCodes#SKIPPED}.
   */
  void skipped(List<StoreException> unreadable) {
    if (json) {
      ObjectNode root = Json.MAPPER.createObjectNode();
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

  /**
   * Prints an error about the instance the user called {@code typed}: its message names the instance
   * as typed where the driver named it by its UUID, and in text it is prefixed with the typed name
   * unless the message already carries it.
   */
  void error(VmLifecycleException e, String typed, Optional<String> uuid) {
    String message = named(e, typed, uuid);
    if (json) {
      ObjectNode root = Json.MAPPER.createObjectNode();
      putError(root.putObject("error"), e, typed, uuid);
      err.println(write(root));
    } else {
      boolean plain = typed.chars().noneMatch(Character::isISOControl);
      err.println("vmlife: " + safe(message.contains(typed) || !plain ? message : typed + ": " + message));
    }
  }

  private static void putError(ObjectNode error, VmLifecycleException e, String typed, Optional<String> uuid) {
    error.put("type", e.kind().name().toLowerCase(Locale.ROOT));
    error.put("message", named(e, typed, uuid));
    error.put("instance", typed);
  }

  /**
   * The message with the instance named as typed: a hypervisor's message names the instance by the UUID
   * the driver knows, which becomes what the user typed, except inside a path or file name.
   */
  private static String named(VmLifecycleException e, String typed, Optional<String> uuid) {
    String message = String.valueOf(e.getMessage());
    if (e.kind() != VmLifecycleException.Kind.HYPERVISOR || uuid.isEmpty() || uuid.get().equals(typed)
        || typed.chars().anyMatch(Character::isISOControl)) {
      return message;
    }
    Pattern word = Pattern.compile("(?<![/\\w.-])" + Pattern.quote(uuid.get()) + "(?![/\\w-]|\\.\\w)");
    return word.matcher(message).replaceAll(Matcher.quoteReplacement(typed));
  }

  void error(String type, String message) {
    if (json) {
      ObjectNode root = Json.MAPPER.createObjectNode();
      ObjectNode error = root.putObject("error");
      error.put("type", type);
      error.put("message", message);
      err.println(write(root));
    } else {
      err.println("vmlife: " + safe(message));
    }
  }

  /** Prints a JSON document (a tree of Jackson nodes or maps and lists) on stdout. */
  void json(Object document) {
    out.println(write(document));
  }

  static ObjectNode toJson(Instance i) {
    ObjectNode n = Json.MAPPER.createObjectNode();
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
      return Json.MAPPER.writeValueAsString(node);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
