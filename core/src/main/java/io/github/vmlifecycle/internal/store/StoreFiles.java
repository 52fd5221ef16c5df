package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.StoreException;
import io.github.vmlifecycle.StoreException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * File access inside a state directory that the store trusts only after checking it: the directory
 * must belong to the user running vmlifecycle and be writable by nobody else; every file is opened
 * without following symbolic links, only when it is a regular file, and read up to a size limit.
 * Stateless; thread-safe.
 */
final class StoreFiles {
  /** The largest file name the store writes, in UTF-8 bytes (the common file-system limit). */
  static final int MAX_FILE_NAME_BYTES = 255;
  /** Marks a hashed file stem; a reference never contains {@code ..}, so no plain stem has it. */
  static final String HASHED_PREFIX = "sha256..";

  private static final int LONGEST_SUFFIX = ".instance.tmp-".length() + 36;

  private StoreFiles() {}

  /**
   * Returns the file-name stem of an instance: its id, or {@code sha256..<hex>} of it when the id with
   * the longest suffix the store adds would not fit in a file name.
   */
  static String stem(String id) {
    if (id.getBytes(StandardCharsets.UTF_8).length + LONGEST_SUFFIX <= MAX_FILE_NAME_BYTES) {
      return id;
    }
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return HASHED_PREFIX + HexFormat.of().formatHex(digest);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  /**
   * Creates {@code directory} (mode 0700) if missing and returns its real path, after checking it and
   * every level this call created.
   *
   * @throws StoreException UNSAFE_DIRECTORY naming the path and the fix, or IO if it cannot be created
   */
  static Path openDirectory(Path directory, boolean posix) {
    List<Path> created = new ArrayList<>();
    for (Path p = directory; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
      created.add(p);
    }
    try {
      if (posix) {
        Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(directory);
      }
    } catch (IOException e) {
      throw new StoreException(directory, "Cannot create the state directory " + directory + ": " + describe(e), e);
    }
    Path real;
    try {
      real = directory.toRealPath();
    } catch (IOException e) {
      throw new StoreException(directory, "Cannot resolve the state directory " + directory + ": " + describe(e), e);
    }
    if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
      throw new StoreException(Reason.NOT_A_REGULAR_FILE, directory,
          "The state directory " + directory + " is not a directory", null);
    }
    if (posix) {
      requireSafe(real);
      for (Path level : created) {
        if (!level.equals(directory)) {
          requireSafe(level);
        }
      }
    }
    if (!Files.isWritable(real) || !Files.isReadable(real)) {
      throw new StoreException(directory,
          "The state directory " + directory + " is not readable and writable by this user", null);
    }
    return real;
  }

  private static void requireSafe(Path dir) {
    PosixFileAttributes attrs;
    UserPrincipal me;
    try {
      attrs = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      me = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    } catch (IOException e) {
      throw new StoreException(dir, "Cannot check the owner and mode of the state directory " + dir + ": "
          + describe(e), e);
    }
    if (!attrs.owner().equals(me)) {
      throw new StoreException(Reason.UNSAFE_DIRECTORY, dir, "The state directory " + dir + " belongs to "
          + attrs.owner().getName() + ", not to " + me.getName() + " who runs vmlifecycle, so its records cannot "
          + "be trusted; fix: chown " + me.getName() + " " + dir + " (after checking its content), or choose "
          + "another state directory (--state-dir)", null);
    }
    Set<PosixFilePermission> mode = attrs.permissions();
    if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new StoreException(Reason.UNSAFE_DIRECTORY, dir, "The state directory " + dir + " is writable by "
          + (mode.contains(PosixFilePermission.OTHERS_WRITE) ? "others" : "its group") + " (mode "
          + PosixFilePermissions.toString(mode) + "), so its records cannot be trusted; fix: chmod go-w " + dir
          + " (after checking its content), or choose another state directory (--state-dir)", null);
    }
  }

  /**
   * Reads a regular file whole, without following a symbolic link.
   *
   * @return the bytes, or empty when the file does not exist
   * @throws StoreException NOT_A_REGULAR_FILE, TOO_LARGE past {@code maxBytes}, or IO
   */
  static Optional<byte[]> readRegular(Path file, int maxBytes) {
    if (!requireRegularOrAbsent(file)) {
      return Optional.empty();
    }
    try (SeekableByteChannel ch = Files.newByteChannel(file, Set.of(StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS))) {
      byte[] bytes = java.nio.channels.Channels.newInputStream(ch).readNBytes(maxBytes + 1);
      if (bytes.length > maxBytes) {
        throw tooLarge(file, maxBytes);
      }
      return Optional.of(bytes);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreException(file, "Cannot read " + file + ": " + describe(e), e);
    }
  }

  /**
   * Opens a file without following a symbolic link, refusing anything but a regular file.
   *
   * @throws IOException if it cannot be opened
   * @throws StoreException NOT_A_REGULAR_FILE
   */
  static FileChannel open(Path file, Set<StandardOpenOption> options, FileAttribute<?>... attributes)
      throws IOException {
    requireRegularOrAbsent(file);
    Set<OpenOption> all = new java.util.HashSet<>(options);
    all.add(LinkOption.NOFOLLOW_LINKS);
    return FileChannel.open(file, all, attributes);
  }

  /**
   * Returns whether {@code file} exists as a regular file (false when absent).
   *
   * @throws StoreException NOT_A_REGULAR_FILE when it exists as something else (a link, a FIFO...)
   */
  static boolean requireRegularOrAbsent(Path file) {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException e) {
      throw new StoreException(file, "Cannot read the attributes of " + file + ": " + describe(e), e);
    }
    if (!attrs.isRegularFile()) {
      String kind = attrs.isSymbolicLink() ? "a symbolic link" : attrs.isDirectory() ? "a directory"
          : "a special file (FIFO, socket or device)";
      throw new StoreException(Reason.NOT_A_REGULAR_FILE, file, "The store file " + file + " is " + kind
          + ", not a regular file; vmlifecycle neither follows nor opens it (remove it after checking who put it "
          + "there)", null);
    }
    return true;
  }

  static StoreException tooLarge(Path file, long maxBytes) {
    return new StoreException(Reason.TOO_LARGE, file, "The store file " + file + " is larger than the limit of "
        + maxBytes + " bytes; it is not read", null);
  }

  static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
    return decodeUtf8(bytes, 0, bytes.length);
  }

  static String decodeUtf8(byte[] bytes, int offset, int length) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes, offset, length))
        .toString();
  }

  static String describe(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "file already exists";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
