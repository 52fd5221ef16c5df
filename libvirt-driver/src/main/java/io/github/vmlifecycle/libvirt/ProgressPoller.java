package io.github.vmlifecycle.libvirt;

import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.spi.ProgressListener;
import java.time.Duration;
import org.libvirt.Domain;
import org.libvirt.DomainJobInfo;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports the progress of a long libvirt call (managed save, restore) by polling
 * {@code virDomainGetJobInfo} on the driver's second connection from its own thread, while the calling
 * thread is blocked in the call on the main connection. Errors while polling (no job yet, "domain is
 * not running" once the save finished) are ignored. One poller serves one call; thread-safe.
 */
final class ProgressPoller implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressPoller.class);

  private final Connections connections;
  private final String uuid;
  private final ProgressListener listener;
  private final Duration interval;
  private final Thread thread;
  private volatile boolean stopped;
  private volatile long lastProcessed = -1;
  private volatile long lastTotal = -1;

  ProgressPoller(Connections connections, String uuid, ProgressListener listener, Duration interval) {
    this.connections = connections;
    this.uuid = uuid;
    this.listener = listener;
    this.interval = interval;
    this.thread = new Thread(this::run, "vmlifecycle-libvirt-progress-" + uuid);
    this.thread.setDaemon(true);
  }

  /** Starts polling. @return this poller */
  ProgressPoller start() {
    thread.start();
    return this;
  }

  /** The last total reported, or -1 when none was. @return bytes */
  long lastTotal() {
    return lastTotal;
  }

  /** The last processed count reported, or -1 when none was. @return bytes */
  long lastProcessed() {
    return lastProcessed;
  }

  private void run() {
    Domain domain = null;
    try {
      while (!stopped) {
        try {
          if (domain == null) {
            domain = connections.progress().domainLookupByUUIDString(uuid);
          }
          DomainJobInfo job = domain.getJobInfo();
          if (!stopped && job.getType() != 0 && (job.getDataTotal() > 0 || job.getDataProcessed() > 0)) {
            long total = job.getDataTotal() > 0 ? job.getDataTotal() : -1;
            lastProcessed = job.getDataProcessed();
            lastTotal = total;
            listener.onProgress(uuid, job.getDataProcessed(), total);
          }
        } catch (LibvirtException | VmLifecycleException e) {
          LOG.trace("no job information for {}: {}", uuid, e.getMessage());
        } catch (RuntimeException e) {
          LOG.warn("progress listener failed for {}", uuid, e);
        }
        try {
          Thread.sleep(interval.toMillis());
        } catch (InterruptedException e) {
          return;
        }
      }
    } finally {
      LibvirtDriver.free(domain);
    }
  }

  /** Stops polling and waits (briefly) for the thread to end. Idempotent. */
  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
