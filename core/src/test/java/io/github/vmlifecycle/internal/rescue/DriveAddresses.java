package io.github.vmlifecycle.internal.rescue;

/** libvirt's drive address for the {@code index}th slot of a bus, as {controller, bus, unit}. */
final class DriveAddresses {
  private DriveAddresses() {}

  static int[] of(String bus, int index) {
    switch (bus) {
      case "ide":
        return new int[] {index / 4, (index % 4) / 2, index % 2};
      case "sata":
        return new int[] {index / 6, 0, index % 6};
      case "scsi":
        return new int[] {index / 7, 0, index % 7};
      case "fdc":
        return new int[] {index / 2, 0, index % 2};
      default:
        throw new IllegalArgumentException("no drive addresses on " + bus);
    }
  }
}
