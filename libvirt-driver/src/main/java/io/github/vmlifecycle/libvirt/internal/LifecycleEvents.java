package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverEventListener;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.event.DomainEventType;
import org.libvirt.event.LifecycleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's domain lifecycle events, delivered to the driver's subscribers. The native callback is
 * registered on the main connection (and on each connection that replaces it) only while at least one
 * listener is subscribed, so a driver nobody listens to pays nothing per event. Thread-safe.
 */
public final class LifecycleEvents {
  private static final Logger LOG = LoggerFactory.getLogger(LifecycleEvents.class);

  private final Clock clock;
  private final List<DriverEventListener> listeners = new CopyOnWriteArrayList<>();

  /**
   * Creates the event fan-out.
   *
   * @param clock the clock of the events' timestamps
   */
  public LifecycleEvents(Clock clock) {
    this.clock = clock;
  }

  /**
   * Adds a listener; the first one makes {@code reapply} register the native callback.
   *
   * @param listener the listener, called on libvirt's event-loop thread
   * @param reapply re-runs {@link #register} on the current main connection
   * @return a handle whose {@code close()} removes the listener (the last one unregisters the callback)
   */
  public AutoCloseable subscribe(DriverEventListener listener, Runnable reapply) {
    Objects.requireNonNull(listener, "listener");
    synchronized (listeners) {
      listeners.add(listener);
      if (listeners.size() == 1) {
        reapply.run();
      }
    }
    return () -> {
      synchronized (listeners) {
        if (listeners.remove(listener) && listeners.isEmpty()) {
          reapply.run();
        }
      }
    };
  }

  /** Forgets every listener. */
  public void clear() {
    listeners.clear();
  }

  /**
   * Registers the native lifecycle callback on a newly opened main connection while anyone listens.
   *
   * @param c the connection
   * @return what unregisters it (does nothing when nothing was registered)
   */
  public Runnable register(Connect c) {
    if (listeners.isEmpty()) {
      return () -> { };
    }
    LifecycleListener listener = (domain, event) -> {
      try {
        DriverEvent.Type type = eventType(event.getType());
        if (type != null && !listeners.isEmpty()) {
          deliver(domain.getUUIDString(), type);
        }
      } catch (LibvirtException | RuntimeException ex) {
        LOG.warn("cannot handle a libvirt lifecycle event", ex);
      } finally {
        Domains.free(domain);
      }
      return 0;
    };
    try {
      c.addLifecycleListener(listener);
    } catch (LibvirtException e) {
      LOG.warn("libvirt lifecycle events are not available: {}", Connections.message(e));
      return () -> { };
    }
    return () -> {
      try {
        c.removeLifecycleListener(listener);
      } catch (LibvirtException | RuntimeException e) {
        LOG.debug("removing the lifecycle listener failed: {}", e.getMessage());
      }
    };
  }

  private void deliver(String uuid, DriverEvent.Type type) {
    DriverEvent e = DriverEvent.builder()
        .instanceId(uuid.toLowerCase(Locale.ROOT))
        .type(type)
        .timestamp(clock.instant())
        .build();
    for (DriverEventListener l : listeners) {
      try {
        l.onEvent(e);
      } catch (RuntimeException ex) {
        LOG.warn("driver event listener failed on {}", e, ex);
      }
    }
  }

  /**
   * Maps a libvirt event type to a driver event type.
   *
   * @param t the libvirt type, or null
   * @return the driver type, or null for one the driver does not report
   */
  static DriverEvent.Type eventType(DomainEventType t) {
    if (t == null) {
      return null;
    }
    switch (t) {
      case DEFINED: return DriverEvent.Type.DEFINED;
      case UNDEFINED: return DriverEvent.Type.UNDEFINED;
      case STARTED: return DriverEvent.Type.STARTED;
      case SUSPENDED: return DriverEvent.Type.SUSPENDED;
      case RESUMED: return DriverEvent.Type.RESUMED;
      case STOPPED: return DriverEvent.Type.STOPPED;
      case SHUTDOWN: return DriverEvent.Type.SHUTDOWN;
      case PMSUSPENDED: return DriverEvent.Type.PMSUSPENDED;
      case CRASHED: return DriverEvent.Type.CRASHED;
      default: return null;
    }
  }
}
