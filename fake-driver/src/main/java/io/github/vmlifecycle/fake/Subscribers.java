package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.spi.DriverEvent;
import io.github.vmlifecycle.spi.DriverEventListener;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The registered event listeners; delivers events synchronously and logs, never propagates, their failures. */
final class Subscribers {

  private static final Logger LOG = LoggerFactory.getLogger(FakeHypervisor.class);

  private final List<DriverEventListener> listeners = new CopyOnWriteArrayList<>();

  AutoCloseable add(DriverEventListener listener) {
    Objects.requireNonNull(listener, "listener");
    Registration registration = new Registration(listener);
    listeners.add(registration);
    return () -> listeners.remove(registration);
  }

  void emit(List<DriverEvent> events) {
    if (events.isEmpty() || listeners.isEmpty()) {
      return;
    }
    for (DriverEvent event : events) {
      for (DriverEventListener listener : listeners) {
        try {
          listener.onEvent(event);
        } catch (RuntimeException e) {
          LOG.warn("A driver event listener failed on {} of instance {}", event.type(), event.instanceId(), e);
        }
      }
    }
  }

  /** Wraps a listener so that subscribing the same listener twice gives two separately removable entries. */
  private static final class Registration implements DriverEventListener {
    private final DriverEventListener delegate;

    Registration(DriverEventListener delegate) {
      this.delegate = delegate;
    }

    @Override
    public void onEvent(DriverEvent event) {
      delegate.onEvent(event);
    }
  }
}
