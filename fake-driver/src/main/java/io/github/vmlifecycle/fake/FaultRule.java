package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.HypervisorException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/** One scripted fault: which calls it matches, how many more times, and what it does to them. */
final class FaultRule {

  /** What the fault does to a matched call. */
  enum Kind { BEFORE, AFTER, MIDWAY, HANG, DISCONNECT }

  private static final int ALWAYS = -1;

  final FakeCall call;
  final String instance;
  final Kind kind;
  final HypervisorException.Code code;
  final String message;
  final int point;
  final FakeHang hang;
  private final AtomicInteger remaining;

  FaultRule(FakeCall call, String instance, Kind kind, HypervisorException.Code code, String message,
      int point, FakeHang hang, int times) {
    this.call = call;
    this.instance = instance;
    this.kind = kind;
    this.code = code;
    this.message = message;
    this.point = point;
    this.hang = hang;
    this.remaining = new AtomicInteger(times);
  }

  static int always() {
    return ALWAYS;
  }

  boolean matches(FakeCall c, String id, String name, String argument) {
    if (c != call) {
      return false;
    }
    return instance == null
        || instance.equalsIgnoreCase(id == null ? "" : id)
        || instance.equals(name)
        || instance.equalsIgnoreCase(argument == null ? "" : argument);
  }

  /** Takes one use of this rule; false when it has none left. */
  boolean tryConsume() {
    while (true) {
      int left = remaining.get();
      if (left == ALWAYS) {
        return true;
      }
      if (left <= 0) {
        return false;
      }
      if (remaining.compareAndSet(left, left - 1)) {
        return true;
      }
    }
  }

  boolean exhausted() {
    return remaining.get() == 0;
  }

  HypervisorException exception(String instanceArg) {
    String text = message != null
        ? message
        : "Fake hypervisor: injected " + (kind == Kind.MIDWAY ? "failure at midway point " + point + " of "
            : "failure " + (kind == Kind.AFTER ? "after " : "of ")) + call.name().toLowerCase(Locale.ROOT)
            + (instanceArg == null ? "" : " on instance " + instanceArg);
    return new HypervisorException(code, instanceArg, call.operationOrNull(), text, null);
  }
}
