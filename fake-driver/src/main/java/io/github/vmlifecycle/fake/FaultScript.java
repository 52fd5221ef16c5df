package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.HypervisorException;
import java.time.Duration;
import java.util.Objects;

/**
 * Scripts a fault for one kind of call, made by {@link FakeHypervisor#onCall}: optionally narrowed to one
 * instance, repeated, and given an exception code and message, then registered by one of the terminal methods
 * ({@link #failBefore}, {@link #failAfter}, {@link #failMidway}, {@link #hang}, {@link #disconnect}).
 *
 * <p>By default a fault matches the next call of its kind on any instance, once, and throws a
 * {@link HypervisorException} with code {@link HypervisorException.Code#OPERATION_FAILED}. A fault is used up
 * by the call it matches even when that call then fails for another reason (the instance is missing, the
 * guest's state refuses the call) before reaching the fault's point. Faults match in the order they were
 * registered.
 *
 * <p>Not thread-safe: build a script on one thread; the registered fault is thread-safe.
 */
public final class FaultScript {

  private final FakeHypervisor fake;
  private final FakeCall call;
  private String instance;
  private int times = 1;
  private HypervisorException.Code code = HypervisorException.Code.OPERATION_FAILED;
  private String message;

  FaultScript(FakeHypervisor fake, FakeCall call) {
    this.fake = fake;
    this.call = Objects.requireNonNull(call, "call");
  }

  /**
   * Narrows the fault to calls on one instance.
   *
   * @param idOrName the instance's UUID (any case) or name
   * @return this script
   */
  public FaultScript forInstance(String idOrName) {
    this.instance = Objects.requireNonNull(idOrName, "idOrName");
    return this;
  }

  /**
   * Makes the fault match the next {@code n} calls instead of one.
   *
   * @param n how many calls
   * @return this script
   * @throws IllegalArgumentException if {@code n} is not positive
   */
  public FaultScript times(int n) {
    if (n <= 0) {
      throw new IllegalArgumentException("times must be positive: " + n);
    }
    this.times = n;
    return this;
  }

  /**
   * Makes the fault match every call until {@link FakeHypervisor#clearFaults}.
   *
   * @return this script
   */
  public FaultScript always() {
    this.times = FaultRule.always();
    return this;
  }

  /**
   * Sets the code of the exception thrown (not used by {@link #hang} and {@link #disconnect}, whose codes are
   * TIMEOUT and CONNECTION).
   *
   * @param code the code; OPERATION_FAILED unless set
   * @return this script
   */
  public FaultScript withCode(HypervisorException.Code code) {
    this.code = Objects.requireNonNull(code, "code");
    return this;
  }

  /**
   * Sets the message of the exception thrown.
   *
   * @param message the message; a generic one naming the call and instance unless set
   * @return this script
   */
  public FaultScript withMessage(String message) {
    this.message = Objects.requireNonNull(message, "message");
    return this;
  }

  /** Registers the fault: a matched call throws before the hypervisor changes anything. */
  public void failBefore() {
    register(FaultRule.Kind.BEFORE, code, 0, null);
  }

  /** Registers the fault: a matched call completes every change (and emits its events), then throws. */
  public void failAfter() {
    register(FaultRule.Kind.AFTER, code, 0, null);
  }

  /**
   * Registers the fault: a matched call stops at its first midway point and throws; see {@link FakeCall}.
   *
   * @throws IllegalArgumentException if the call has no midway point
   */
  public void failMidway() {
    failMidway(1);
  }

  /**
   * Registers the fault: a matched call stops at midway point {@code point} and throws, leaving the changes made
   * so far in place; the points of each call are listed on {@link FakeCall}. The call reports the point's step to
   * its step observer before it fails there. To simulate the death of the managing process at a point instead,
   * make the call's {@link io.github.vmlifecycle.spi.StepObserver} throw an {@link Error} at its step.
   *
   * @param point the midway point, from 1 to {@link FakeCall#midwayPoints()}
   * @throws IllegalArgumentException if the call has no such point
   */
  public void failMidway(int point) {
    if (point < 1 || point > call.midwayPoints()) {
      throw new IllegalArgumentException(
          call + " has " + call.midwayPoints() + " midway points; there is no point " + point);
    }
    register(FaultRule.Kind.MIDWAY, code, point, null);
  }

  /**
   * Registers the fault: a matched call blocks until released or until the fake clock passes its deadline
   * ({@code timeout} after it blocked, or the call's {@link io.github.vmlifecycle.spi.DriverCall#deadline()} when
   * that is earlier), then throws code TIMEOUT having changed nothing; see {@link FakeHang}.
   *
   * @param timeout how long, by the fake clock, a call waits
   * @return the handle that releases the blocked calls
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public FakeHang hang(Duration timeout) {
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("A timeout must not be negative: " + timeout);
    }
    FakeHang hang = new FakeHang(fake.clock(), timeout);
    register(FaultRule.Kind.HANG, HypervisorException.Code.TIMEOUT, 0, hang);
    return hang;
  }

  /**
   * Registers the fault: a matched call drops the connection before changing anything and throws code
   * CONNECTION; so does every later call until {@link FakeHypervisor#reconnect}.
   */
  public void disconnect() {
    register(FaultRule.Kind.DISCONNECT, HypervisorException.Code.CONNECTION, 0, null);
  }

  private void register(FaultRule.Kind kind, HypervisorException.Code c, int point, FakeHang hang) {
    fake.addFault(new FaultRule(call, instance, kind, c, message, point, hang, times));
  }
}
