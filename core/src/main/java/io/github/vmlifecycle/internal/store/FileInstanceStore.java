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
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A durable {@link InstanceStore}: {@code <stem>.instance} (a properties document, replaced atomically),
 * {@code <stem>.actions} (an append-only log, one line per action, rotated by size; see
 * {@link ActionLogFile}) and {@code <stem>.lock} (held with an OS file lock during every write, so that
 * compare-and-set is safe across processes). The stem is the instance id, or a hash of it when the id
 * is too long for a file name. The directory is checked before it is trusted and every file is opened
 * without following links (see {@link StoreFiles}). Thread-safe.
 */
public final class FileInstanceStore implements InstanceStore {
  /** The default size at which an action log segment is rotated. */
  public static final long DEFAULT_MAX_SEGMENT_BYTES = 8L * 1024 * 1024;
  /** The default number of rotated action log segments kept. */
  public static final int DEFAULT_KEPT_SEGMENTS = 4;
  /** The largest instance record read, in bytes. */
  static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(FileInstanceStore.class);
  private static final String INSTANCE_SUFFIX = ".instance";
  private static final String TEMP_MARK = ".tmp-";

  private final Path directory;
  private final boolean posix;
  private final long maxSegmentBytes;
  private final int keptSegments;
  /**
   * The in-JVM lock taken before each OS file lock, per lock file and shared by every store of this JVM:
   * the OS lock excludes other processes, but a second {@code FileChannel.lock()} on the same file from
   * this JVM (another store object on the same directory) throws {@code OverlappingFileLockException}
   * instead of waiting. Keyed by the normalised absolute path (another spelling of the directory through
   * a symbolic link is not recognised).
   */
  private static final ConcurrentMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  /**
   * Opens (and creates if missing) a store in {@code directory} with the default action log rotation.
   *
   * @param directory the directory
   * @throws StoreException if the directory cannot be created, is not a writable directory, or is not
   *     safe to trust (reason UNSAFE_DIRECTORY)
   */
  public FileInstanceStore(Path directory) {
    this(directory, DEFAULT_MAX_SEGMENT_BYTES, DEFAULT_KEPT_SEGMENTS);
  }

  /**
   * Opens (and creates if missing) a store in {@code directory}, removing temporary files that
   * interrupted writes left behind.
   *
   * @param directory the directory
   * @param maxSegmentBytes the size past which an action log segment is rotated, at least 4096
   * @param keptSegments how many rotated segments to keep per instance, at least 0
   * @throws StoreException if the directory cannot be created, is not a writable directory, or is not
   *     safe to trust (reason UNSAFE_DIRECTORY)
   * @throws InvalidInputException if a limit is out of range
   */
  public FileInstanceStore(Path directory, long maxSegmentBytes, int keptSegments) {
    if (maxSegmentBytes < 4096 || keptSegments < 0) {
      throw new InvalidInputException("The action log segment size must be at least 4096 bytes and the kept "
          + "segments at least 0, not " + maxSegmentBytes + " and " + keptSegments);
    }
    Path given = directory.toAbsolutePath().normalize();
    this.posix = given.getFileSystem().supportedFileAttributeViews().contains("posix");
    this.directory = StoreFiles.openDirectory(given, posix);
    this.maxSegmentBytes = maxSegmentBytes;
    this.keptSegments = keptSegments;
    removeTemporaryFiles();
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

  /**
   * {@inheritDoc}
   *
   * <p>A record that cannot be read is left out, logged, and named by {@link #unreadableRecords()}.
   */
  @Override
  public List<Instance> list() {
    List<Instance> result = new ArrayList<>();
    scan(result::add, e -> LOG.warn("Skipped an unreadable instance record: {}", e.getMessage()));
    return result;
  }

  @Override
  public List<StoreException> unreadableRecords() {
    List<StoreException> result = new ArrayList<>();
    scan(i -> { }, result::add);
    return result;
  }

  private void scan(java.util.function.Consumer<Instance> readable, java.util.function.Consumer<StoreException> not) {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + INSTANCE_SUFFIX)) {
      for (Path file : files) {
        try {
          read(file).ifPresent(readable);
        } catch (StoreException e) {
          not.accept(e);
        }
      }
    } catch (IOException e) {
      throw new StoreException(directory, "Cannot list the state directory " + directory + ": "
          + StoreFiles.describe(e), e);
    }
  }

  @Override
  public boolean insertIfAbsent(Instance instance) {
    Path file = instanceFile(instance.id());
    return underLock(instance.id(), () -> {
      if (StoreFiles.requireRegularOrAbsent(file)) {
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
    byte[] line = (ActionCodec.encode(action) + "\n").getBytes(StandardCharsets.UTF_8);
    underLock(action.instanceId(), () -> {
      log(action.instanceId()).append(line, privateFile());
      return null;
    });
  }

  @Override
  public List<ActionRecord> actions(String instanceId) {
    return log(instanceId).all();
  }

  @Override
  public List<ActionRecord> lastActions(String instanceId, int count) {
    return count <= 0 ? List.of() : log(instanceId).last(count);
  }

  @Override
  public List<ActionRecord> actionsSince(String instanceId, Instant since) {
    return log(instanceId).since(since);
  }

  private ActionLogFile log(String id) {
    return new ActionLogFile(directory, stemOf(id), maxSegmentBytes, keptSegments);
  }

  /**
   * Refuses a change whose action could not be logged: the instance's action log exists but is not a
   * regular file this process may write. Writes that finish a task in flight skip this check, so that
   * an operation can always land.
   */
  private void requireAppendableLog(String id) {
    Path log = file(id, ".actions");
    if (StoreFiles.requireRegularOrAbsent(log) && !Files.isWritable(log)) {
      throw new StoreException(log, "The action log " + log
          + " is not a file this user may write, so its instance cannot be changed; nothing was changed", null);
    }
  }

  private Optional<Instance> read(Path file) {
    Optional<byte[]> bytes = StoreFiles.readRegular(file, MAX_RECORD_BYTES);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    try {
      Instance instance = InstanceCodec.decode(StoreFiles.decodeUtf8(bytes.get()));
      String expectedName = StoreFiles.stem(instance.id()) + INSTANCE_SUFFIX;
      if (!file.getFileName().toString().equals(expectedName)) {
        throw new IllegalArgumentException("it holds instance " + instance.id() + ", not the one its name says");
      }
      return Optional.of(instance);
    } catch (IllegalArgumentException | CharacterCodingException e) {
      throw new StoreException(StoreException.Reason.CORRUPT, file, "The instance file " + file + " is corrupt: "
          + e.getMessage(), e);
    }
  }

  private void writeAtomically(Path file, String content) {
    Path temp = file.resolveSibling(file.getFileName() + TEMP_MARK + UUID.randomUUID());
    try {
      try (FileChannel ch = StoreFiles.open(temp, EnumSet.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), privateFile())) {
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
      throw new StoreException(file, "Cannot write the instance file " + file + ": " + StoreFiles.describe(e), e);
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
    return underStemLock(stemOf(id), action);
  }

  private <T> T underStemLock(String stem, Supplier<T> action) {
    Path lockFile = directory.resolve(stem + ".lock");
    ReentrantLock lock = LOCKS.computeIfAbsent(lockFile, k -> new ReentrantLock());
    lock.lock();
    try (FileChannel ch = StoreFiles.open(lockFile, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
        privateFile());
        FileLock fileLock = ch.lock()) {
      return action.get();
    } catch (IOException e) {
      throw new StoreException(lockFile, "Cannot lock " + lockFile + ": " + StoreFiles.describe(e), e);
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
    return directory.resolve(stemOf(id) + suffix);
  }

  private static String stemOf(String id) {
    try {
      InstanceRefs.validate(id);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(id, "Cannot store instance: " + e.getMessage(), e);
    }
    return StoreFiles.stem(id);
  }

  /** Removes {@code <stem>.instance.tmp-*} files, each under its instance's lock (a writer may be using it). */
  private void removeTemporaryFiles() {
    List<Path> temps = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + INSTANCE_SUFFIX + TEMP_MARK + "*")) {
      files.forEach(temps::add);
    } catch (IOException e) {
      throw new StoreException(directory, "Cannot list the state directory " + directory + ": "
          + StoreFiles.describe(e), e);
    }
    for (Path temp : temps) {
      String name = temp.getFileName().toString();
      String stem = name.substring(0, name.lastIndexOf(INSTANCE_SUFFIX + TEMP_MARK));
      underStemLock(stem, () -> {
        try {
          if (Files.isRegularFile(temp, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(temp);
            LOG.info("Removed {}, left behind by an interrupted write", temp);
          }
        } catch (IOException e) {
          LOG.warn("Could not remove {}, left behind by an interrupted write", temp, e);
        }
        return null;
      });
    }
  }
}
