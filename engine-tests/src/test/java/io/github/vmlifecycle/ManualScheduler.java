package io.github.vmlifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler for tests that runs nothing by itself: it records periodic tasks, and {@link #runRound()}
 * runs each one once in the calling thread. Only {@code scheduleWithFixedDelay} is supported.
 *
 * <p>Not thread-safe.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

  /** One recorded periodic task. */
  static final class Periodic implements ScheduledFuture<Object> {
    final Runnable command;
    final Duration initialDelay;
    final Duration delay;
    private boolean cancelled;

    Periodic(Runnable command, Duration initialDelay, Duration delay) {
      this.command = command;
      this.initialDelay = initialDelay;
      this.delay = delay;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(delay);
    }

    @Override
    public int compareTo(Delayed other) {
      return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return cancelled;
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException("a periodic task never completes normally");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      return get();
    }
  }

  final List<Periodic> tasks = new ArrayList<>();
  private boolean shutdown;

  /**
   * Runs every task that is not cancelled once, as the scheduler would when its delay elapses.
   *
   * @return how many tasks ran
   */
  int runRound() {
    int ran = 0;
    for (Periodic task : List.copyOf(tasks)) {
      if (!task.isCancelled()) {
        task.command.run();
        ran++;
      }
    }
    return ran;
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    Periodic task = new Periodic(command, Duration.of(initialDelay, unit.toChronoUnit()), Duration.of(delay, unit.toChronoUnit()));
    tasks.add(task);
    return task;
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void execute(Runnable command) {
    throw new UnsupportedOperationException();
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return shutdown;
  }
}
