package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.Instance;
import io.github.vmlifecycle.InvalidInputException;
import io.github.vmlifecycle.StoreException;
import io.github.vmlifecycle.internal.InstanceRefs;
import io.github.vmlifecycle.spi.InstanceStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A durable {@link InstanceStore}: {@code <id>.instance} (a properties document, replaced atomically),
 * {@code <id>.actions} (an append-only log, one line per action) and {@code <id>.lock} (held with an OS
 * file lock during every write, so that compare-and-set is safe across processes). Thread-safe.
 */
public final class FileInstanceStore implements InstanceStore {
  private static final String INSTANCE_SUFFIX = ".instance";

  private final Path directory;
  private final boolean posix;
  /**
   * The in-JVM lock taken before each OS file lock, per lock file and shared by every store of this JVM:
   * the OS lock excludes other processes, but a second {@code FileChannel.lock()} on the same file from
   * this JVM (another store object on the same directory) throws {@code OverlappingFileLockException}
   * instead of waiting. Keyed by the normalised absolute path (another spelling of the directory through
   * a symbolic link is not recognised).
   */
  private static final ConcurrentMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  /**
   * Opens (and creates if missing) a store in {@code directory}.
   *
   * @param directory the directory
   * @throws StoreException if the directory cannot be created or is not a writable directory
   */
  public FileInstanceStore(Path directory) {
    this.directory = directory.toAbsolutePath().normalize();
    this.posix = this.directory.getFileSystem().supportedFileAttributeViews().contains("posix");
    try {
      if (!Files.isDirectory(this.directory)) {
        if (posix) {
          Files.createDirectories(this.directory, PosixFilePermissions.asFileAttribute(
              PosixFilePermissions.fromString("rwx------")));
        } else {
          Files.createDirectories(this.directory);
        }
      }
    } catch (IOException e) {
      throw new StoreException(this.directory, "Cannot create the state directory " + this.directory + ": "
          + describe(e), e);
    }
    if (!Files.isDirectory(this.directory)) {
      throw new StoreException(this.directory, "The state directory " + this.directory + " is not a directory", null);
    }
    if (!Files.isWritable(this.directory) || !Files.isReadable(this.directory)) {
      throw new StoreException(this.directory,
          "The state directory " + this.directory + " is not readable and writable by this user", null);
    }
  }

  /**
   * Returns the directory of this store.
   *
   * @return the absolute directory
   */
  public Path directory() {
    return directory;
  }

  @Override
  public Optional<Instance> get(String id) {
    return read(instanceFile(id));
  }

  @Override
  public List<Instance> list() {
    List<Instance> result = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + INSTANCE_SUFFIX)) {
      for (Path file : files) {
        read(file).ifPresent(result::add);
      }
    } catch (IOException e) {
      throw new StoreException(directory, "Cannot list the state directory " + directory + ": " + describe(e), e);
    }
    return result;
  }

  @Override
  public boolean insertIfAbsent(Instance instance) {
    Path file = instanceFile(instance.id());
    return underLock(instance.id(), () -> {
      if (Files.exists(file)) {
        return false;
      }
      requireAppendableLog(instance.id());
      writeAtomically(file, InstanceCodec.encode(instance));
      return true;
    });
  }

  @Override
  public boolean compareAndSet(long expectedVersion, Instance updated) {
    Versions.checkNext(expectedVersion, updated);
    Path file = instanceFile(updated.id());
    return underLock(updated.id(), () -> {
      Optional<Instance> current = read(file);
      if (current.isEmpty() || current.get().version() != expectedVersion) {
        return false;
      }
      if (current.get().taskState().isEmpty()) {
        requireAppendableLog(updated.id());
      }
      writeAtomically(file, InstanceCodec.encode(updated));
      return true;
    });
  }

  @Override
  public void appendAction(ActionRecord action) {
    Path file = file(action.instanceId(), ".actions");
    byte[] line = (ActionCodec.encode(action) + "\n").getBytes(StandardCharsets.UTF_8);
    underLock(action.instanceId(), () -> {
      try (FileChannel ch = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND), privateFile())) {
        ByteBuffer buf = ByteBuffer.wrap(line);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(false);
      } catch (IOException e) {
        throw new StoreException(file, "Cannot append to the action log " + file + ": " + describe(e), e);
      }
      return null;
    });
  }

  @Override
  public List<ActionRecord> actions(String instanceId) {
    Path file = file(instanceId, ".actions");
    String text;
    try {
      text = decodeUtf8(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return List.of();
    } catch (IOException e) {
      throw new StoreException(file, "Cannot read the action log " + file + ": " + describe(e), e);
    }
    List<ActionRecord> result = new ArrayList<>();
    String[] lines = text.split("\n", -1);
    // The last element is "" after a final newline, or a torn append that was never acknowledged.
    for (int n = 0; n < lines.length - 1; n++) {
      try {
        result.add(ActionCodec.decode(lines[n]));
      } catch (IllegalArgumentException e) {
        throw new StoreException(file, "The action log " + file + " is corrupt at line " + (n + 1) + ": "
            + e.getMessage(), e);
      }
    }
    return result;
  }

  /**
   * Refuses a change whose action could not be logged: the instance's action log exists but is not a
   * regular file this process may write. Writes that finish a task in flight skip this check, so that
   * an operation can always land.
   */
  private void requireAppendableLog(String id) {
    Path log = file(id, ".actions");
    if (Files.exists(log) && !(Files.isRegularFile(log) && Files.isWritable(log))) {
      throw new StoreException(log, "The action log " + log
          + " is not a file this user may write, so its instance cannot be changed; nothing was changed", null);
    }
  }

  private Optional<Instance> read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StoreException(file, "Cannot read the instance file " + file + ": " + describe(e), e);
    }
    try {
      Instance instance = InstanceCodec.decode(decodeUtf8(bytes));
      String expectedName = instance.id() + INSTANCE_SUFFIX;
      if (!file.getFileName().toString().equals(expectedName)) {
        throw new IllegalArgumentException("it holds instance " + instance.id() + ", not the one its name says");
      }
      return Optional.of(instance);
    } catch (IllegalArgumentException | CharacterCodingException e) {
      throw new StoreException(file, "The instance file " + file + " is corrupt: " + e.getMessage(), e);
    }
  }

  private static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  private void writeAtomically(Path file, String content) {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try (FileChannel ch = FileChannel.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          privateFile())) {
        ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDirectory();
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new StoreException(file, "Cannot write the instance file " + file + ": " + describe(e), e);
    }
  }

  private void syncDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some file systems cannot open or sync a directory; the rename itself is still atomic.
    }
  }

  private <T> T underLock(String id, Supplier<T> action) {
    Path lockFile = file(id, ".lock");
    ReentrantLock lock = LOCKS.computeIfAbsent(lockFile, k -> new ReentrantLock());
    lock.lock();
    try (FileChannel ch = FileChannel.open(lockFile, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
        privateFile());
        FileLock fileLock = ch.lock()) {
      return action.get();
    } catch (IOException e) {
      throw new StoreException(lockFile, "Cannot lock " + lockFile + ": " + describe(e), e);
    } finally {
      lock.unlock();
    }
  }

  private FileAttribute<?>[] privateFile() {
    return posix
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
  }

  private Path instanceFile(String id) {
    return file(id, INSTANCE_SUFFIX);
  }

  private Path file(String id, String suffix) {
    try {
      InstanceRefs.validate(id);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(id, "Cannot store instance: " + e.getMessage(), e);
    }
    return directory.resolve(id + suffix);
  }

  private static String describe(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "file already exists";
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
