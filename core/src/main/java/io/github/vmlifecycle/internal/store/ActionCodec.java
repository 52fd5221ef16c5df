package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.ActionKind;
import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.VmState;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Encodes an {@link ActionRecord} as one line of URL-encoded {@code key=value} pairs joined by
 * {@code &}, and back. A line never contains a newline, so an append log stays line-oriented.
 */
final class ActionCodec {
  private ActionCodec() {}

  static String encode(ActionRecord a) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("instanceId", a.instanceId());
    m.put("requestId", a.requestId());
    m.put("action", a.action().actionName());
    m.put("startedAt", a.startedAt().toString());
    m.put("finishedAt", a.finishedAt().toString());
    m.put("result", a.result().name());
    m.put("vmStateBefore", a.vmStateBefore().name());
    m.put("vmStateAfter", a.vmStateAfter().name());
    a.message().ifPresent(v -> m.put("message", v));
    a.faultKind().ifPresent(v -> m.put("faultKind", v.name()));
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : m.entrySet()) {
      if (sb.length() > 0) {
        sb.append('&');
      }
      sb.append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  static ActionRecord decode(String line) {
    Map<String, String> m = new HashMap<>();
    for (String pair : line.split("&", -1)) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("not a key=value pair: " + abbreviate(pair));
      }
      m.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    try {
      return ActionRecord.builder()
          .instanceId(req(m, "instanceId"))
          .requestId(req(m, "requestId"))
          .action(ActionKind.ofActionName(req(m, "action")))
          .startedAt(Instant.parse(req(m, "startedAt")))
          .finishedAt(Instant.parse(req(m, "finishedAt")))
          .result(ActionRecord.Result.valueOf(req(m, "result")))
          .vmStateBefore(VmState.valueOf(req(m, "vmStateBefore")))
          .vmStateAfter(VmState.valueOf(req(m, "vmStateAfter")))
          .message(Optional.ofNullable(m.get("message")))
          .faultKind(Optional.ofNullable(m.get("faultKind")).map(VmLifecycleException.Kind::valueOf))
          .build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static String req(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("missing '" + key + "'");
    }
    return v;
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
