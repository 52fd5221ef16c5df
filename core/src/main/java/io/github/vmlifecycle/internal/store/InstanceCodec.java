package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.rescue.RescueBus;
import io.github.vmlifecycle.rescue.RescueDevice;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.TaskState;
import io.github.vmlifecycle.VmState;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Encodes an {@link Instance} as a Java properties document and back. Every key is checked on decode:
 * a missing or unparseable value is an {@link IllegalArgumentException} that names it.
 */
final class InstanceCodec {
  static final String FORMAT = "vmlifecycle-instance/1";
  private static final String JOURNAL = "journal.";

  private InstanceCodec() {}

  static String encode(Instance i) {
    Map<String, String> m = new TreeMap<>();
    m.put("format", FORMAT);
    m.put("id", i.id());
    m.put("name", i.name());
    m.put("vmState", i.vmState().name());
    i.taskState().ifPresent(t -> m.put("taskState", t.name()));
    m.put("powerState", i.powerState().name());
    m.put("locked", Boolean.toString(i.locked()));
    m.put("version", Long.toString(i.version()));
    i.requestId().ifPresent(v -> m.put("requestId", v));
    i.taskStartedAt().ifPresent(v -> m.put("taskStartedAt", v.toString()));
    i.originalDefinition().ifPresent(v -> m.put("originalDefinition", v));
    i.definitionAtAccept().ifPresent(v -> m.put("definitionAtAccept", v));
    i.rescuedAt().ifPresent(v -> m.put("rescuedAt", v.toString()));
    i.updatedAt().ifPresent(v -> m.put("updatedAt", v.toString()));
    i.rescueRequest().ifPresent(r -> {
      m.put("rescue.present", "true");
      r.image().ifPresent(v -> m.put("rescue.image", v));
      r.kernel().ifPresent(v -> m.put("rescue.kernel", v));
      r.ramdisk().ifPresent(v -> m.put("rescue.ramdisk", v));
      m.put("rescue.stable", Boolean.toString(r.stable()));
      r.device().ifPresent(v -> m.put("rescue.device", v.name()));
      r.bus().ifPresent(v -> m.put("rescue.bus", v.name()));
      r.shutdownTimeout().ifPresent(v -> m.put("rescue.shutdownTimeout", v.toString()));
      r.timeout().ifPresent(v -> m.put("rescue.timeout", v.toString()));
    });
    i.journal().forEach((k, v) -> m.put(JOURNAL + k, v));
    Properties p = new Properties();
    p.putAll(m);
    StringWriter w = new StringWriter();
    try {
      p.store(w, null);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    // Drop the date comment that Properties.store writes first, so equal records give equal bytes.
    String text = w.toString();
    return text.startsWith("#") ? text.substring(text.indexOf('\n') + 1) : text;
  }

  static Instance decode(String text) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not a properties document: " + e.getMessage(), e);
    }
    if (!FORMAT.equals(p.getProperty("format"))) {
      throw new IllegalArgumentException("missing or unknown 'format' (expected " + FORMAT + ")");
    }
    Instance.Builder b = Instance.builder()
        .id(required(p, "id"))
        .name(required(p, "name"))
        .vmState(parse(p, "vmState", VmState::valueOf))
        .taskState(optional(p, "taskState", TaskState::valueOf))
        .powerState(parse(p, "powerState", PowerState::valueOf))
        .locked(parse(p, "locked", InstanceCodec::parseBoolean))
        .version(parse(p, "version", Long::parseLong))
        .requestId(Optional.ofNullable(p.getProperty("requestId")))
        .taskStartedAt(optional(p, "taskStartedAt", Instant::parse))
        .originalDefinition(Optional.ofNullable(p.getProperty("originalDefinition")))
        .definitionAtAccept(Optional.ofNullable(p.getProperty("definitionAtAccept")))
        .rescuedAt(optional(p, "rescuedAt", Instant::parse))
        .updatedAt(optional(p, "updatedAt", Instant::parse));
    if (p.getProperty("rescue.present") != null) {
      b.rescueRequest(rescueRequest(p));
    }
    for (String key : p.stringPropertyNames()) {
      if (key.startsWith(JOURNAL)) {
        b.putJournal(key.substring(JOURNAL.length()), p.getProperty(key));
      }
    }
    try {
      return b.build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("inconsistent record: " + e.getMessage(), e);
    }
  }

  private static RescueRequest rescueRequest(Properties p) {
    RescueRequest.Builder b = RescueRequest.builder()
        .image(Optional.ofNullable(p.getProperty("rescue.image")))
        .kernel(Optional.ofNullable(p.getProperty("rescue.kernel")))
        .ramdisk(Optional.ofNullable(p.getProperty("rescue.ramdisk")))
        .stable(parse(p, "rescue.stable", InstanceCodec::parseBoolean))
        .device(optional(p, "rescue.device", RescueDevice::valueOf))
        .bus(optional(p, "rescue.bus", RescueBus::valueOf))
        .shutdownTimeout(optional(p, "rescue.shutdownTimeout", Duration::parse))
        .timeout(optional(p, "rescue.timeout", Duration::parse));
    try {
      return b.build();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("inconsistent rescue request: " + e.getMessage(), e);
    }
  }

  private static boolean parseBoolean(String s) {
    if (s.equals("true") || s.equals("false")) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException("not a boolean");
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("missing '" + key + "'");
    }
    return v;
  }

  private static <T> T parse(Properties p, String key, Function<String, T> parser) {
    String v = required(p, key);
    try {
      return parser.apply(v);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("bad value for '" + key + "': " + v, e);
    }
  }

  private static <T> Optional<T> optional(Properties p, String key, Function<String, T> parser) {
    return p.getProperty(key) == null ? Optional.empty() : Optional.of(parse(p, key, parser));
  }
}
