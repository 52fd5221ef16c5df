package io.github.vmlifecycle.fake;

import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.rescue.DomainDisk;
import io.github.vmlifecycle.rescue.RescueDomainXml;
import io.github.vmlifecycle.rescue.RescueRequest;
import io.github.vmlifecycle.rescue.RescueXmlSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a rescue of one fake guest will do, worked out before anything changes exactly as the libvirt driver
 * works it out: the rescue definition made by the core's {@link RescueDomainXml} from the original (the rescue
 * disk {@code disk.rescue}, and {@code kernel.rescue} and {@code ramdisk.rescue}, in the instance directory) and
 * the names of the rescue files to create.
 *
 * @param definition the rescue definition
 * @param files the names of the rescue files, in the instance directory
 */
record RescuePlan(String definition, List<String> files) {

  static final String DISK = "disk.rescue";
  static final String KERNEL = "kernel.rescue";
  static final String RAMDISK = "ramdisk.rescue";
  /** Every rescue file a rescue can create. */
  static final List<String> ALL_FILES = List.of(DISK, KERNEL, RAMDISK);

  /**
   * Plans the rescue of {@code vm}, refusing what libvirt refuses: a missing image, kernel or ramdisk; no image
   * given and a root disk that is not a file or has no backing image; an input that is one of the instance's own
   * disks or rescue files; and what the rewriter refuses (a volume-backed root disk in legacy mode, a bus that
   * cannot carry the device...).
   *
   * @throws InvalidInputException (an {@link io.github.vmlifecycle.InvalidDomainXmlException} for the
   *     rewriter's refusals) if the rescue cannot be made
   */
  static RescuePlan of(RescueDomainXml rewriter, Set<String> images, FakeVm vm, String original,
      RescueRequest request) {
    String dir = DomainXml.instanceDir(vm.name);
    String image;
    if (request.image().isPresent()) {
      image = requireImage(images, vm.id, "rescue image", request.image().get());
    } else {
      DomainDisk root = rewriter.rootDisk(original);
      if (!root.type().equals("file") || root.source().isEmpty()) {
        throw new InvalidInputException(vm.id, "Cannot rescue instance " + vm.id + " without a rescue image: its"
            + " root disk " + root.target() + " is not a file, so it has no backing image to boot", null);
      }
      String backing = vm.backingImage.orElseThrow(() -> new InvalidInputException(vm.id, "Cannot rescue instance "
          + vm.id + " without a rescue image: its root disk " + root.source().get() + " has no backing image", null));
      image = requireImage(images, vm.id, "backing image of the root disk", backing);
    }
    Optional<String> kernel = request.kernel().map(k -> requireImage(images, vm.id, "rescue kernel", k));
    Optional<String> ramdisk = request.ramdisk().map(r -> requireImage(images, vm.id, "rescue ramdisk", r));
    List<String> own = ownFiles(rewriter, original, dir);
    requireNotOwn(own, vm.id, "rescue image", image);
    kernel.ifPresent(k -> requireNotOwn(own, vm.id, "rescue kernel", k));
    ramdisk.ifPresent(r -> requireNotOwn(own, vm.id, "rescue ramdisk", r));
    RescueXmlSpec spec = RescueXmlSpec.of(request, dir + DISK, "qcow2",
        kernel.map(k -> dir + KERNEL), ramdisk.map(r -> dir + RAMDISK));
    String definition = rewriter.rescue(original, spec);
    return new RescuePlan(definition, kernel.isPresent() ? ALL_FILES : List.of(DISK));
  }

  private static String requireImage(Set<String> images, String id, String what, String path) {
    if (!images.contains(path)) {
      throw new InvalidInputException(id, "The " + what + " '" + path + "' of instance " + id
          + " is not an existing file (an absolute path on the hypervisor host is expected)", null);
    }
    return path;
  }

  /** The instance's disks that are files or block devices other than cdroms, then its rescue files. */
  private static List<String> ownFiles(RescueDomainXml rewriter, String definition, String dir) {
    List<String> own = new ArrayList<>();
    for (DomainDisk disk : rewriter.disks(definition)) {
      if (!disk.device().equals("cdrom") && (disk.type().equals("file") || disk.type().equals("block"))) {
        disk.source().ifPresent(own::add);
      }
    }
    ALL_FILES.forEach(f -> own.add(dir + f));
    return own;
  }

  private static void requireNotOwn(List<String> own, String id, String what, String file) {
    Path path = Path.of(file).normalize();
    for (String p : own) {
      if (Path.of(p).normalize().equals(path)) {
        throw new InvalidInputException(id, "The " + what + " '" + file + "' of instance " + id + " is "
            + (p.endsWith(".rescue") ? "its own rescue file " : "its own disk ") + p
            + "; a rescue boots another image and attaches the instance's disk to it", null);
      }
    }
  }
}
