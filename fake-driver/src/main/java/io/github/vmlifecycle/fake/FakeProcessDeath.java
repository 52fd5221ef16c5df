package io.github.vmlifecycle.fake;

/**
 * Thrown by a call scripted with {@link FaultScript#dieMidway(int)}: it stands for the death of the
 * managing process at that point, so it is an {@link Error} that callers' failure handling (which
 * catches exceptions) lets pass. Catch it in the test that scripted it, then recover with a fresh
 * engine as a restarted process would.
 */
public final class FakeProcessDeath extends Error {
  private static final long serialVersionUID = 1L;

  private final FakeCall call;
  private final int point;

  FakeProcessDeath(FakeCall call, int point) {
    super("Fake hypervisor: the managing process died at midway point " + point + " of "
        + call.name().toLowerCase(java.util.Locale.ROOT), null, false, false);
    this.call = call;
    this.point = point;
  }

  /**
   * Returns the call that died.
   *
   * @return the call
   */
  public FakeCall call() {
    return call;
  }

  /**
   * Returns the midway point at which it died.
   *
   * @return the point, from 1
   */
  public int point() {
    return point;
  }
}
