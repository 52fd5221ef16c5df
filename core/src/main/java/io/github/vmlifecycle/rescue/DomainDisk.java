package io.github.vmlifecycle.rescue;

import io.github.vmlifecycle.spi.VmlStyle;
import java.util.Optional;
import java.util.OptionalInt;
import org.immutables.value.Value;

/**
 * One {@code <disk>} of a libvirt domain definition, as read by {@link RescueDomainXml#disks}: its
 * type, device kind, bus, target, source, format and backing store. Values use libvirt's spelling.
 *
 * <p>Instances are immutable and thread-safe.
 */
@Value.Immutable
@VmlStyle
public abstract class DomainDisk {

  DomainDisk() {}

  /**
   * Returns a new builder.
   *
   * @return a builder; type, device, bus and target are required
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The disk type: {@code file}, {@code block}, {@code network}, {@code volume} (or another).
   *
   * @return the disk type: {@code file}, {@code block}, {@code network}, {@code volume} (or another)
   */
  public abstract String type();

  /**
   * The device kind: {@code disk}, {@code cdrom}, {@code floppy} or {@code lun}.
   *
   * @return the device kind: {@code disk}, {@code cdrom}, {@code floppy} or {@code lun}
   */
  public abstract String device();

  /**
   * The bus: {@code <target bus>} when given, else the bus libvirt infers from the target name
   * ({@code vd} virtio, {@code sd} scsi, {@code hd} ide, {@code fd} fdc, {@code xvd} xen), else
   * empty.
   *
   * @return the bus: {@code <target bus>} when given, else the bus libvirt infers from the target name
   */
  public abstract String bus();

  /**
   * The target device name, such as {@code vda}; empty when the XML has none.
   *
   * @return the target device name, such as {@code vda}; empty when the XML has none
   */
  public abstract String target();

  /**
   * The source: the file for type file, the device for block, the name (such as {@code pool/image})
   * for network, {@code pool/volume} for volume; empty when the disk has no source (an empty cdrom).
   *
   * @return the source: the file for type file, the device for block, the name (such as {@code pool/image})
   *     for network, {@code pool/volume} for volume
   */
  public abstract Optional<String> source();

  /**
   * The network protocol of a network disk, such as {@code rbd}.
   *
   * @return the network protocol of a network disk, such as {@code rbd}
   */
  public abstract Optional<String> sourceProtocol();

  /**
   * The image format, {@code <driver type>}, such as {@code qcow2}.
   *
   * @return the image format, {@code <driver type>}, such as {@code qcow2}
   */
  public abstract Optional<String> driverFormat();

  /**
   * The backing store file named in the XML ({@code <backingStore><source file>}), if any.
   *
   * @return the backing store file named in the XML ({@code <backingStore><source file>}), if any
   */
  public abstract Optional<String> backingStoreFile();

  /**
   * The per-device boot order ({@code <boot order>}), if any.
   *
   * @return the per-device boot order ({@code <boot order>}), if any
   */
  public abstract OptionalInt bootOrder();

  /**
   * Returns whether the disk is a volume: type {@code network} or {@code volume}. A volume-backed
   * root disk can only be rescued in stable device mode.
   *
   * @return true for a network or volume disk
   */
  public final boolean volumeBacked() {
    return type().equals("network") || type().equals("volume");
  }

  /** Builds {@link DomainDisk}s. */
  public static final class Builder extends ImmutableDomainDisk.Builder {
    Builder() {}
  }
}
