package io.github.vmlifecycle.rescue;

import io.github.vmlifecycle.InvalidInputException;
import java.util.Locale;

/** The kind of device a rescue image is attached as, in stable device mode ({@code hw_rescue_device}). */
public enum RescueDevice {
  /** A hard disk. */
  DISK,
  /** A CD-ROM drive. */
  CDROM,
  /** A floppy drive. */
  FLOPPY,
  /** A SCSI LUN. */
  LUN;

  /**
   * Returns libvirt's spelling, the value of {@code <disk device=...>}.
   *
   * @return the lower-case name
   */
  public String xmlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Returns the device with libvirt's spelling {@code name}, ignoring case.
   *
   * @param name such as {@code "cdrom"}
   * @return the device
   * @throws InvalidInputException if no device has that name
   */
  public static RescueDevice fromXmlName(String name) {
    for (RescueDevice d : values()) {
      if (d.name().equalsIgnoreCase(name)) {
        return d;
      }
    }
    throw new InvalidInputException("Unknown rescue device '" + name + "'; expected disk, cdrom, floppy or lun");
  }
}
