package io.github.vmlifecycle.libvirt.internal;

import io.github.vmlifecycle.HypervisorException;
import io.github.vmlifecycle.HypervisorException.Code;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.Operation;
import io.github.vmlifecycle.rescue.DomainDisk;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The files a rescue makes in {@code <instanceDirRoot>/<uuid>/} ({@value #DISK}, {@value #KERNEL},
 * {@value #RAMDISK}) and the checks of a rescue's inputs: absolute existing files, not the instance's
 * own disks or rescue files, a definition that is the domain's own, and a URI on this host. Stateless
 * and thread-safe.
 */
public final class RescueFiles {
  /** The rescue boot disk: a qcow2 overlay of the rescue image. */
  static final String DISK = "disk.rescue";
  /** The copy of the rescue kernel. */
  static final String KERNEL = "kernel.rescue";
  /** The copy of the rescue ramdisk. */
  static final String RAMDISK = "ramdisk.rescue";
  /** Journal note: the rescue files about to be or being created, one path per line. */
  static final String NOTE = "rescue.files";

  private static final List<String> ALL = List.of(DISK, KERNEL, RAMDISK);

  private RescueFiles() {}

  /**
   * Deletes the rescue files in an instance directory, and nothing else.
   *
   * @param dir the instance directory
   * @throws IOException if one cannot be deleted
   */
  static void delete(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return; // no instance directory, so no rescue file
    }
    for (String f : ALL) {
      Files.deleteIfExists(dir.resolve(f));
    }
  }

  /**
   * Returns the entries of a journal note that are not rescue files of {@code dir}: they are never acted
   * on (only the known rescue files of the instance directory are deleted), and the caller reports them.
   *
   * @param note the note, one path a line
   * @param dir the instance directory
   * @return the foreign entries, each with why it was refused
   */
  static List<String> foreignEntries(String note, Path dir) {
    List<String> foreign = new ArrayList<>();
    for (String line : note.split("\n", -1)) {
      try {
        io.github.vmlifecycle.spi.JournalEntries.fileIn(NOTE, line, dir, java.util.Set.copyOf(ALL));
      } catch (io.github.vmlifecycle.StoreException e) {
        foreign.add(e.getMessage());
      }
    }
    return foreign;
  }

  /**
   * Checks that a definition is given.
   *
   * @param id the UUID or name
   * @param definition the definition
   * @throws InvalidInputException if it is null or blank
   */
  static void requireDefinition(String id, String definition) {
    if (definition == null || definition.isBlank()) {
      throw new InvalidInputException(id, "The original definition of instance " + id + " is required", null);
    }
  }

  /**
   * Checks that a definition is the domain's own.
   *
   * @param id the UUID or name
   * @param definition the definition
   * @param uuid the domain's UUID, lower case
   * @throws InvalidInputException if the definition names another UUID
   */
  static void requireSameDomain(String id, String definition, String uuid) {
    String other = DomainXml.uuid(definition).toLowerCase(Locale.ROOT);
    if (!other.equals(uuid)) {
      throw new InvalidInputException(id, "The original definition given for instance " + id
          + " is not its own: it has UUID '" + other + "', the domain " + uuid, null);
    }
  }

  /**
   * Checks that a rescue input is an existing regular file (or device) given by an absolute path.
   *
   * @param id the UUID or name
   * @param what what the file is, for the message
   * @param path the path
   * @return the path
   * @throws InvalidInputException if it is not
   */
  static Path requireFile(String id, String what, String path) {
    Path p = Path.of(path);
    if (!p.isAbsolute() || !(Files.isRegularFile(p) || path.startsWith("/dev/") && Files.exists(p))) {
      throw new InvalidInputException(id, "The " + what + " '" + path + "' of instance " + id
          + " is not an existing file (an absolute path on the hypervisor host is expected)", null);
    }
    return p;
  }

  /**
   * Refuses a rescue input that is the same file (through any link) as one of the instance's disks
   * other than a cdrom, which the rescue attaches read-write, or as one of its rescue files, which the
   * rescue deletes and re-creates.
   *
   * @param id the UUID or name
   * @param what what the file is, for the message
   * @param file the input
   * @param disks the instance's disks
   * @param instanceDir the instance directory
   * @throws InvalidInputException if it is one of them
   */
  static void requireNotOwnFile(String id, String what, Path file, List<DomainDisk> disks, Path instanceDir) {
    List<Path> own = new ArrayList<>();
    for (DomainDisk disk : disks) {
      if (!disk.device().equals("cdrom") && (disk.type().equals("file") || disk.type().equals("block"))) {
        disk.source().ifPresent(source -> own.add(Path.of(source)));
      }
    }
    List<Path> rescueFiles = ALL.stream().map(instanceDir::resolve).toList();
    own.addAll(rescueFiles);
    for (Path p : own) {
      boolean same;
      try {
        same = Files.exists(p) ? Files.isSameFile(file, p) : file.normalize().equals(p.normalize());
      } catch (IOException e) {
        same = file.normalize().equals(p.normalize());
      }
      if (same) {
        throw new InvalidInputException(id, "The " + what + " '" + file + "' of instance " + id + " is "
            + (rescueFiles.contains(p) ? "its own rescue file " : "its own disk ") + p
            + "; a rescue boots another image and attaches the instance's disk to it", null);
      }
    }
  }

  /**
   * Checks that the URI reaches this host, where the rescue files are made.
   *
   * @param uri the driver's URI, or null
   * @param id the UUID or name
   * @param op the operation
   * @throws HypervisorException with {@link Code#UNSUPPORTED} if it names another host
   */
  static void requireLocal(String uri, String id, Operation op) {
    if (!isLocalUri(uri)) {
      throw new HypervisorException(Code.UNSUPPORTED, id, op, "Cannot " + op.apiName() + " instance " + id
          + " through " + uri + ": the rescue files are made on this host, and the URI names another one",
          null);
    }
  }

  /**
   * Returns whether a libvirt URI reaches a hypervisor on this host: no URI (libvirt's default), no
   * host, or a loopback host.
   *
   * @param uri the URI, or null
   * @return whether it is local
   */
  static boolean isLocalUri(String uri) {
    if (uri == null) {
      return true;
    }
    try {
      String host = new URI(uri).getHost();
      return host == null || host.isEmpty() || host.equals("localhost") || host.equals("127.0.0.1")
          || host.equals("[::1]") || host.equals("::1");
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
