package io.github.vmlifecycle.libvirt.internal;

import org.libvirt.Connect;
import org.libvirt.Library;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * libvirt's default event loop, registered once per JVM (before the first connection, as libvirt
 * requires for events and keepalive) and run by one daemon thread for the life of the JVM. Also
 * routes libvirt's default error reporting (which prints to stderr) to the debug log. Thread-safe.
 */
final class EventLoop {
  private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);
  private static final Object LOCK = new Object();
  private static boolean started;
  // Kept reachable for the life of the JVM: JNA callbacks must not be collected.
  private static org.libvirt.jna.Libvirt.VirErrorCallback errorCallback;

  private EventLoop() {}

  /**
   * Starts the event loop unless it runs already.
   *
   * @throws LibvirtException if libvirt refuses to register it
   * @throws LinkageError if the native library cannot be loaded
   */
  static void ensureStarted() throws LibvirtException {
    synchronized (LOCK) {
      if (started) {
        return;
      }
      errorCallback = (userData, error) -> {
        if (LOG.isDebugEnabled()) {
          LOG.debug("libvirt: {} (code {})", error.message, error.code);
        }
      };
      Connect.setErrorCallback(errorCallback);
      Library.initEventLoop();
      Thread t = new Thread(EventLoop::run, "vmlifecycle-libvirt-events");
      t.setDaemon(true);
      t.start();
      started = true;
    }
  }

  private static void run() {
    while (true) {
      try {
        Library.runEventLoop();
        return; // stopped explicitly (never by this library)
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (LibvirtException | RuntimeException e) {
        LOG.warn("libvirt event loop failed; restarting it", e);
        try {
          Thread.sleep(100);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
