package io.github.vmlifecycle.fake;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The recorded calls: a lock-free queue that keeps about the newest {@code capacity} calls (dropping the oldest)
 * and records nothing when the capacity is 0.
 */
final class CallLog {

  private final int capacity;
  private final ConcurrentLinkedQueue<RecordedCall> calls = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();

  CallLog(int capacity) {
    this.capacity = capacity;
  }

  int capacity() {
    return capacity;
  }

  void record(FakeCall call, String instance, Instant timestamp, Class<? extends Throwable> failure) {
    if (capacity == 0) {
      return;
    }
    calls.add(RecordedCall.of(call, instance, timestamp, failure));
    if (size.incrementAndGet() > capacity && calls.poll() != null) {
      size.decrementAndGet();
    }
  }

  List<RecordedCall> snapshot() {
    return List.copyOf(calls);
  }

  /** Returns the oldest call of a kind that named the instance by id (any case) or name, or null. */
  RecordedCall oldest(FakeCall call, String idOrName, FakeVm vm) {
    for (RecordedCall c : calls) {
      if (c.call() == call && c.instance().isPresent() && names(c.instance().get(), idOrName, vm)) {
        return c;
      }
    }
    return null;
  }

  private static boolean names(String recorded, String idOrName, FakeVm vm) {
    return recorded.equalsIgnoreCase(idOrName)
        || (vm != null && (recorded.equalsIgnoreCase(vm.id) || recorded.equals(vm.name)));
  }

  RecordedCall poll() {
    RecordedCall call = calls.poll();
    if (call != null) {
      size.decrementAndGet();
    }
    return call;
  }

  void clear() {
    RecordedCall call;
    while ((call = calls.poll()) != null) {
      size.decrementAndGet();
    }
  }
}
