package io.github.vmlifecycle.internal.engine;

import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.rescue.DomainDisk;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueRequest;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Checks a rescue request against the instance's own definition before the driver is called: the
 * rescue image, kernel and ramdisk must not be one of the instance's own disks, which the rescue
 * attaches read-write to the guest it boots.
 */
final class RescueInputs {
  private static final RescueDomainXml XML = RescueDomainXml.create();

  private RescueInputs() {}

  /**
   * Refuses a rescue image, kernel or ramdisk whose path is the source of one of the instance's disks
   * (any device but a cdrom), compared after normalising {@code .} and {@code ..}. A definition that
   * the rewriter cannot read is left to the driver, which reads it its own way.
   *
   * @param instance the instance's name, for the message
   * @param definition the instance's current definition
   * @param request the rescue request
   * @throws InvalidInputException naming the path and the disk's target
   */
  static void requireNotOwnDisk(String instance, String definition, RescueRequest request) {
    List<DomainDisk> disks;
    try {
      disks = XML.disks(definition);
    } catch (InvalidInputException unreadable) {
      return;
    }
    check(instance, "rescue image", request.image(), disks);
    check(instance, "rescue kernel", request.kernel(), disks);
    check(instance, "rescue ramdisk", request.ramdisk(), disks);
  }

  private static void check(String instance, String what, Optional<String> path, List<DomainDisk> disks) {
    if (path.isEmpty()) {
      return;
    }
    Optional<Path> candidate = normalised(path.get());
    if (candidate.isEmpty()) {
      return;
    }
    for (DomainDisk disk : disks) {
      boolean pathSource = disk.type().equals("file") || disk.type().equals("block");
      if (!pathSource || disk.device().equals("cdrom") || disk.source().isEmpty()) {
        continue;
      }
      if (candidate.equals(normalised(disk.source().get()))) {
        throw new InvalidInputException(instance, "The " + what + " '" + path.get() + "' of instance " + instance
            + " is its own disk " + (disk.target().isEmpty() ? disk.source().get() : disk.target())
            + "; a rescue boots another image and attaches that disk to it", null);
      }
    }
  }

  private static Optional<Path> normalised(String path) {
    try {
      return Optional.of(Path.of(path).normalize());
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }
}
