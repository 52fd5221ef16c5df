package io.github.vmlifecycle.libvirt.internal;

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
  private volatile Domain prepared;
  private volatile long lastTotal = -1;

  ProgressPoller(Connections connections, String uuid, ProgressListener listener, Duration interval) {
    this.connections = connections;
    this.uuid = uuid;
    this.listener = listener;
    this.interval = interval;
    this.thread = new Thread(this::run, "vmlifecycle-libvirt-progress-" + uuid);
    this.thread.setDaemon(true);
  }

  /**
   * Opens the second connection and looks the domain up there (in the caller's thread, before the long
   * call starts, so that the first poll is not late), then starts polling. A failure here only means
   * there will be no progress.
   *
   * @return this poller
   */
  ProgressPoller start() {
    long t0 = System.nanoTime();
    try {
      prepared = connections.progress().domainLookupByUUIDString(uuid);
    } catch (LibvirtException | VmLifecycleException e) {
      LOG.debug("progress of {} will not be reported: {}", uuid, e.getMessage());
    }
    LOG.trace("progress poller for {} ready in {} ms", uuid, (System.nanoTime() - t0) / 1_000_000);
    thread.start();
    return this;
  }

  /** The last total reported, or -1 when none was. @return bytes */
  long lastTotal() {
    return lastTotal;
  }

  private void run() {
    Domain domain = prepared;
    try {
      while (!stopped) {
        try {
          if (domain == null) {
            domain = connections.progress().domainLookupByUUIDString(uuid);
          }
          DomainJobInfo job = domain.getJobInfo();
          LOG.trace("job of {}: {}", uuid, job);
          if (!stopped && job.getType() != 0 && (job.getDataTotal() > 0 || job.getDataProcessed() > 0)) {
            long total = job.getDataTotal() > 0 ? job.getDataTotal() : -1;
            lastTotal = total;
            listener.onProgress(uuid.toLowerCase(java.util.Locale.ROOT), job.getDataProcessed(), total);
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
      Domains.free(domain);
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
