package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.libvirt.LibvirtDriverOptions;
import java.util.function.Function;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's libvirt connections: the main one for operations and events, and a second one for
 * progress polling while the main one is busy in a long call. Each is opened lazily, checked before
 * use, and reopened when it died (daemon restart, network loss, keepalive timeout). Thread-safe: a
 * libvirt connection may be used by many threads at once; only opening and closing are serialized.
 */
public final class Connections implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Connections.class);

  /** Opens a libvirt connection; a seam for tests. */
  @FunctionalInterface
  public interface Opener {
    /**
     * Opens a connection.
     *
     * @param uri the URI, or null for libvirt's default
     * @return the connection
     * @throws LibvirtException if libvirt refuses
     */
    Connect open(String uri) throws LibvirtException;
  }

  private final LibvirtDriverOptions options;
  private final Opener opener;
  private final Function<Connect, Runnable> onOpen;
  private Runnable mainCleanup; // guarded by lock: undoes onOpen before the main connection closes
  private final Object lock = new Object();
  private Connect main; // guarded by lock
  private Connect progress; // guarded by lock
  private boolean closed; // guarded by lock
  // identity, not Connect.equals (which reads the native pointer, null once closed)
  private final java.util.Set<Connect> dead =
      java.util.Collections.synchronizedSet(java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>()));

  /**
   * Creates the connections; none is opened yet.
   *
   * @param options the driver's options (URI, keepalive)
   * @param opener opens a connection
   * @param onOpen applied to each new main connection; returns what undoes it before it closes
   */
  public Connections(LibvirtDriverOptions options, Opener opener, Function<Connect, Runnable> onOpen) {
    this.options = options;
    this.opener = opener;
    this.onOpen = onOpen;
  }

  /**
   * Returns the main connection, reopening it when it is dead.
   *
   * @return a live connection
   * @throws HypervisorException with {@link Code#CONNECTION} if none can be opened or the driver is
   *     closed
   */
  public Connect main() {
    synchronized (lock) {
      checkOpen();
      if (main != null && !dead.contains(main) && open(main)) {
        return main;
      }
      if (main != null) {
        LOG.info("libvirt connection to {} is dead; reconnecting", uriText());
        closeQuietly(main);
        main = null;
      }
      main = open(true);
      return main;
    }
  }

  /**
   * Returns the progress-polling connection, reopening it when it is dead.
   *
   * @return a live connection
   * @throws HypervisorException with {@link Code#CONNECTION} if none can be opened
   */
  Connect progress() {
    synchronized (lock) {
      checkOpen();
      if (progress != null && !dead.contains(progress) && open(progress)) {
        return progress;
      }
      if (progress != null) {
        closeQuietly(progress);
      }
      progress = open(false);
      return progress;
    }
  }

  /**
   * Returns whether a connection is still alive; false for a closed or broken one.
   *
   * @param c the connection
   * @return whether it is alive
   */
  /**
   * Returns whether {@code c} has not been closed on this side, without a call to libvirt: a connection
   * that the daemon dropped is marked dead by the close listener or by the first call that fails on it,
   * so the hot path needs no round trip.
   */
  static boolean open(Connect c) {
    try {
      return c.isConnected();
    } catch (LibvirtException | RuntimeException e) {
      return false;
    }
  }

  static boolean alive(Connect c) {
    try {
      return c.isAlive();
    } catch (LibvirtException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Undoes and re-applies the on-open hook on the current main connection (if one is open), for hooks
   * whose effect depends on state that changed, such as whether anyone listens to events.
   */
  public void reapplyOnOpen() {
    synchronized (lock) {
      if (main == null || dead.contains(main)) {
        return;
      }
      if (mainCleanup != null) {
        try {
          mainCleanup.run();
        } catch (RuntimeException e) {
          LOG.debug("undoing the on-open hook failed", e);
        }
      }
      mainCleanup = onOpen.apply(main);
    }
  }

  /** Marks a connection as dead, so that the next call reopens it. */
  void invalidate(Connect c) {
    synchronized (lock) {
      if (c == main) {
        closeQuietly(main);
        main = null;
      } else if (c == progress) {
        closeQuietly(progress);
        progress = null;
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new HypervisorException(
          Code.CONNECTION, null, null, "The libvirt driver for " + uriText() + " is closed", null);
    }
  }

  private Connect open(boolean isMain) {
    String uri = options.uri().orElse(null);
    Connect c;
    try {
      EventLoop.ensureStarted();
      c = opener.open(uri);
    } catch (LibvirtException e) {
      throw new HypervisorException(Code.CONNECTION, null, null,
          "Cannot connect to libvirt at " + uriText() + ": " + message(e)
              + " (is libvirtd running and the URI right?) (" + LibvirtErrors.code(e) + ")", e);
    } catch (LinkageError e) {
      throw new HypervisorException(Code.CONNECTION, null, null,
          "Cannot load the libvirt native library (libvirt.so.0, Debian package libvirt0) through JNA: "
              + e, e);
    }
    if (!options.keepAliveInterval().isZero()) {
      try {
        c.setKeepAlive((int) options.keepAliveInterval().toSeconds(), options.keepAliveCount());
      } catch (LibvirtException e) {
        // Local drivers (test://, the embedded ones) have no keepalive.
        LOG.debug("libvirt keepalive not available on {}: {}", uriText(), message(e));
      }
    }
    try {
      final Connect opened = c;
      c.registerCloseListener((conn, reason) -> {
        LOG.info("libvirt connection to {} closed ({})", uriText(), reason);
        dead.add(opened); // no lock here: this runs on the event-loop thread
      });
    } catch (LibvirtException e) {
      LOG.debug("libvirt close callback not available on {}: {}", uriText(), message(e));
    }
    if (isMain) {
      mainCleanup = onOpen.apply(c);
    }
    LOG.debug("connected to libvirt at {}", uriText());
    return c;
  }

  private String uriText() {
    return options.uri().orElse("<libvirt default URI>");
  }

  static String message(LibvirtException e) {
    return e.getError() == null ? String.valueOf(e.getMessage()) : e.getError().getMessage();
  }

  private void closeQuietly(Connect c) {
    dead.remove(c);
    if (c == main && mainCleanup != null) {
      try {
        mainCleanup.run();
      } catch (RuntimeException e) {
        LOG.debug("cleaning up a libvirt connection failed", e);
      }
      mainCleanup = null;
    }
    try {
      try {
        c.unregisterCloseListener();
      } catch (LibvirtException | RuntimeException e) {
        // not registered or already gone
      }
      c.close();
    } catch (LibvirtException | RuntimeException e) {
      LOG.debug("closing a libvirt connection failed", e);
    }
  }

  /** Closes both connections. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (main != null) {
        closeQuietly(main);
        main = null;
      }
      if (progress != null) {
        closeQuietly(progress);
        progress = null;
      }
    }
  }

  /** Test hook: the current main connection, possibly null. */
  public Connect currentMainForTest() {
    synchronized (lock) {
      return main;
    }
  }
}
