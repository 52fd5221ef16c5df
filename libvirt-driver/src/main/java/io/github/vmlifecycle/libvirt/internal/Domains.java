package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.PowerState;
import io.github.vmlifecycle.VmLifecycleException;
import io.github.vmlifecycle.spi.DriverInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Domain calls on the driver's main connection: looks a domain up by UUID or name, runs a call on its
 * handle, frees the handle, and maps libvirt's errors (marking the connection dead when it is); also
 * describes domains and maps libvirt's states. Thread-safe: every call uses its own handle.
 */
public final class Domains {
  private static final Logger LOG = LoggerFactory.getLogger(Domains.class);

  /** The flags of the persistent definition: {@code VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE}. */
  static final int PERSISTENT_XML = Domain.XMLFlags.INACTIVE | Domain.XMLFlags.SECURE;

  /** A call on a looked-up domain handle. */
  @FunctionalInterface
  public interface DomainCall<T> {
    /**
     * Runs the call.
     *
     * @param d the handle, freed after the call
     * @return the result
     * @throws LibvirtException if libvirt fails; mapped by {@link Domains#on}
     */
    T apply(Domain d) throws LibvirtException;
  }

  private final Connections connections;

  /**
   * Creates the domain calls over the driver's connections.
   *
   * @param connections the connections
   */
  public Domains(Connections connections) {
    this.connections = connections;
  }

  /**
   * Looks the domain up on the main connection, runs the call, frees the handle, maps errors.
   *
   * @param idOrName the UUID (any case) or name
   * @param op the operation, for the error, or null
   * @param what what the call does, for the error message
   * @param call the call
   * @param <T> the result type
   * @return what the call returns
   * @throws InvalidInputException if {@code idOrName} is null, blank or contains NUL
   * @throws io.github.vmlifecycle.InstanceNotFoundException if there is no such domain
   * @throws HypervisorException if libvirt fails
   */
  public <T> T on(String idOrName, Operation op, String what, DomainCall<T> call) {
    String key = checkId(idOrName);
    Connect c = connections.main();
    Domain d;
    try {
      d = isUuid(key) ? c.domainLookupByUUIDString(key.toLowerCase(Locale.ROOT)) : c.domainLookupByName(key);
    } catch (LibvirtException e) {
      throw fail(e, key, op, "look up", c);
    }
    try {
      return call.apply(d);
    } catch (LibvirtException e) {
      throw fail(e, key, op, what, c);
    } finally {
      free(d);
    }
  }

  /**
   * Lists every domain, active or not. A domain that vanishes while it is described is left out.
   *
   * @return the instances
   * @throws HypervisorException if libvirt fails
   */
  public List<DriverInstance> list() {
    Connect c = connections.main();
    Domain[] all;
    try {
      all = c.listAllDomains(0);
    } catch (LibvirtException e) {
      throw fail(e, null, null, "list domains", c);
    }
    List<DriverInstance> out = new ArrayList<>(all.length);
    RuntimeException failure = null;
    for (Domain d : all) {
      try {
        if (failure == null) {
          out.add(describe(d));
        }
      } catch (LibvirtException e) {
        if (!LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_DOMAIN)) { // one that vanished meanwhile
          failure = fail(e, null, null, "describe a domain", c);
        }
      } finally {
        free(d);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return List.copyOf(out);
  }

  /**
   * Describes a domain: id, name, power state, managed-save image, rescue metadata.
   *
   * @param d the handle
   * @return the instance
   * @throws LibvirtException if libvirt fails
   */
  public static DriverInstance describe(Domain d) throws LibvirtException {
    boolean active = d.isActive() == 1;
    return DriverInstance.builder()
        .id(d.getUUIDString().toLowerCase(Locale.ROOT))
        .name(d.getName())
        .powerState(powerState(d))
        .hasSavedMemory(!active && d.hasManagedSaveImage() == 1)
        .rescueDefinition(hasMetadata(d, DomainXml.RESCUE_NS))
        .build();
  }

  /**
   * Returns the domain's persistent definition.
   *
   * @param d the handle
   * @return the inactive XML with secure attributes
   * @throws LibvirtException if libvirt fails
   */
  public static String definition(Domain d) throws LibvirtException {
    return d.getXMLDesc(PERSISTENT_XML);
  }

  private static boolean hasMetadata(Domain d, String namespace) throws LibvirtException {
    try {
      d.getMetadata(Domain.MetadataType.ELEMENT, namespace, 0);
      return true;
    } catch (LibvirtException e) {
      if (LibvirtErrors.is(e, ErrorNumber.VIR_ERR_NO_DOMAIN_METADATA)) {
        return false;
      }
      throw e;
    }
  }

  private VmLifecycleException fail(LibvirtException e, String id, Operation op, String what, Connect c) {
    boolean alive = Connections.alive(c);
    if (!alive) {
      connections.invalidate(c);
    }
    return LibvirtErrors.map(e, id, op, what, alive);
  }

  private static String checkId(String idOrName) {
    if (idOrName == null || idOrName.isBlank() || idOrName.indexOf('\0') >= 0) {
      throw new InvalidInputException("An instance id or name must be non-blank text, got "
          + (idOrName == null ? "null" : "'" + idOrName.replace("\0", "\\0") + "'"));
    }
    return idOrName;
  }

  /** Whether the text is a UUID in its canonical 36-character form (any case). */
  static boolean isUuid(String s) {
    if (s.length() != 36) {
      return false;
    }
    try {
      UUID.fromString(s);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Frees a domain handle, logging (never throwing) a failure.
   *
   * @param d the handle, or null
   */
  static void free(Domain d) {
    if (d != null) {
      try {
        d.free();
      } catch (LibvirtException | RuntimeException e) {
        LOG.debug("freeing a libvirt domain handle failed", e);
      }
    }
  }

  /**
   * Returns the domain's power state.
   *
   * @param d the handle
   * @return the state
   * @throws LibvirtException if libvirt fails
   */
  static PowerState powerState(Domain d) throws LibvirtException {
    return powerState(d.getInfo().state);
  }

  /**
   * Maps a libvirt domain state to a power state.
   *
   * @param s the libvirt state, or null
   * @return the power state; NOSTATE for null or unknown
   */
  static PowerState powerState(DomainState s) {
    if (s == null) {
      return PowerState.NOSTATE;
    }
    switch (s) {
      case VIR_DOMAIN_RUNNING:
      case VIR_DOMAIN_BLOCKED:
        return PowerState.RUNNING;
      case VIR_DOMAIN_PAUSED:
        return PowerState.PAUSED;
      case VIR_DOMAIN_SHUTDOWN:
      case VIR_DOMAIN_SHUTOFF:
        return PowerState.SHUTDOWN;
      case VIR_DOMAIN_CRASHED:
        return PowerState.CRASHED;
      case VIR_DOMAIN_PMSUSPENDED:
        return PowerState.SUSPENDED;
      default:
        return PowerState.NOSTATE;
    }
  }

  /**
   * Returns the failure of an operation asked in the wrong power state.
   *
   * @param id the instance
   * @param op the operation
   * @param actual the state libvirt reports
   * @param wanted the state it must be in, in words
   * @return a {@link Code#OPERATION_INVALID} exception
   */
  static HypervisorException invalidState(String id, Operation op, PowerState actual, String wanted) {
    return new HypervisorException(Code.OPERATION_INVALID, id, op,
        "Cannot " + op.apiName() + " instance " + id + " while libvirt reports power state "
            + actual.novaName() + " (it must be " + wanted + ")", null);
  }
}
