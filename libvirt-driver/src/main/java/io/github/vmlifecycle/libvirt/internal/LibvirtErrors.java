package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.InstanceNotFoundException;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.VmLifecycleException;
import java.util.EnumSet;
import java.util.Set;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;

/**
 * Maps libvirt's error numbers to vmlifecycle exceptions. Decisions use {@code virErrorNumber} and the
 * connection's liveness only, never the message text. Stateless and thread-safe.
 */
final class LibvirtErrors {

  /** Errors that always mean the connection (or the way to it) failed. */
  private static final Set<ErrorNumber> CONNECTION = EnumSet.of(
      ErrorNumber.VIR_ERR_NO_CONNECT,
      ErrorNumber.VIR_ERR_INVALID_CONN,
      ErrorNumber.VIR_ERR_RPC,
      ErrorNumber.VIR_ERR_UNKNOWN_HOST,
      ErrorNumber.VIR_ERR_AUTH_FAILED,
      ErrorNumber.VIR_ERR_AUTH_CANCELLED,
      ErrorNumber.VIR_ERR_AUTH_UNAVAILABLE,
      ErrorNumber.VIR_ERR_GNUTLS_ERROR,
      ErrorNumber.VIR_ERR_SSH,
      ErrorNumber.VIR_ERR_LIBSSH,
      ErrorNumber.VIR_ERR_NO_SERVER,
      ErrorNumber.VIR_ERR_NO_CLIENT);

  /**
   * Errors that mean a lost connection when the connection is no longer alive afterwards (or was never
   * opened), and an ordinary failure otherwise: libvirt also uses them for errors inside a healthy
   * daemon (a file it cannot write, the test driver's "domain not running").
   */
  private static final Set<ErrorNumber> CONNECTION_IF_DEAD =
      EnumSet.of(ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorNumber.VIR_ERR_INTERNAL_ERROR);

  private static final Set<ErrorNumber> UNSUPPORTED = EnumSet.of(
      ErrorNumber.VIR_ERR_NO_SUPPORT,
      ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
      ErrorNumber.VIR_ERR_ARGUMENT_UNSUPPORTED,
      ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED);

  private static final Set<ErrorNumber> TIMEOUT =
      EnumSet.of(ErrorNumber.VIR_ERR_OPERATION_TIMEOUT, ErrorNumber.VIR_ERR_AGENT_UNRESPONSIVE);

  private LibvirtErrors() {}

  /**
   * Returns libvirt's error number of an exception.
   *
   * @param e the exception
   * @return the number, {@code VIR_ERR_UNKNOWN} when libvirt gave none
   */
  static ErrorNumber code(LibvirtException e) {
    if (e.getError() == null || e.getError().getCode() == null) {
      return ErrorNumber.VIR_ERR_UNKNOWN;
    }
    return e.getError().getCode();
  }

  /**
   * Returns whether the exception has the given error number.
   *
   * @param e the exception
   * @param n the number
   * @return whether they match
   */
  static boolean is(LibvirtException e, ErrorNumber n) {
    return code(e) == n;
  }

  /**
   * Returns the {@link Code} for a libvirt error.
   *
   * @param n libvirt's error number
   * @param connectionAlive whether the connection is still alive after the error
   * @return the code; {@code null} for {@code VIR_ERR_NO_DOMAIN} (not found, not a hypervisor error)
   */
  static Code classify(ErrorNumber n, boolean connectionAlive) {
    if (n == ErrorNumber.VIR_ERR_NO_DOMAIN) {
      return null;
    }
    if (n == ErrorNumber.VIR_ERR_OPERATION_INVALID) {
      return Code.OPERATION_INVALID;
    }
    if (UNSUPPORTED.contains(n)) {
      return Code.UNSUPPORTED;
    }
    if (TIMEOUT.contains(n)) {
      return Code.TIMEOUT;
    }
    if (CONNECTION.contains(n) || (CONNECTION_IF_DEAD.contains(n) && !connectionAlive)) {
      return Code.CONNECTION;
    }
    return Code.OPERATION_FAILED;
  }

  /**
   * Maps a libvirt exception to the exception to throw.
   *
   * @param e the libvirt exception (kept as the cause, or as a suppressed exception of an
   *     {@link InstanceNotFoundException}, which takes no cause)
   * @param instance the instance, or null
   * @param operation the operation, or null
   * @param what what was being done, for the message ("pause", "look up")
   * @param connectionAlive whether the connection is still alive
   * @return the exception
   */
  static VmLifecycleException map(
      LibvirtException e, String instance, Operation operation, String what, boolean connectionAlive) {
    ErrorNumber n = code(e);
    Code c = classify(n, connectionAlive);
    if (c == null) {
      InstanceNotFoundException nf = new InstanceNotFoundException(instance);
      nf.addSuppressed(e);
      return nf;
    }
    String msg = "libvirt failed to " + what + (instance == null ? "" : " instance " + instance) + ": "
        + (e.getError() == null ? e.toString() : e.getError().getMessage()) + " (" + n + ")";
    return new HypervisorException(c, instance, operation, msg, e);
  }
}
