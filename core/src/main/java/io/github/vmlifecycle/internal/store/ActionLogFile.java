package io.github.vmlifecycle.internal.store;

import io.github.vmlifecycle.ActionRecord;
import io.github.vmlifecycle.StoreException;
import io.github.vmlifecycle.StoreException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One instance's action log: segment {@code <stem>.actions} written now and rotated segments
 * {@code <stem>.actions.1} (newest) to {@code .<kept>}, one entry per line. An append that finds a
 * partial last line (a torn earlier append) cuts it off first; readers skip and report a partial last
 * line; the newest entries are read from the end of the file. Callers hold the instance's lock while
 * appending; reading needs no lock.
 */
final class ActionLogFile {
  private static final Logger LOG = LoggerFactory.getLogger(ActionLogFile.class);
  /** The longest line accepted, in bytes. */
  static final int MAX_LINE_BYTES = 1024 * 1024;
  private static final int CHUNK = 64 * 1024;
  private static final String SUFFIX = ".actions";

  private final Path current;
  private final long maxSegmentBytes;
  private final int keptSegments;

  ActionLogFile(Path directory, String stem, long maxSegmentBytes, int keptSegments) {
    this.current = directory.resolve(stem + SUFFIX);
    this.maxSegmentBytes = maxSegmentBytes;
    this.keptSegments = keptSegments;
  }

  Path path() {
    return current;
  }

  private Path segment(int n) {
    return n == 0 ? current : current.resolveSibling(current.getFileName() + "." + n);
  }

  /** Appends one encoded line, healing a torn tail and rotating first when the segment is full. */
  void append(byte[] line, FileAttribute<?>[] privateFile) {
    try {
      FileChannel ch = openHealed(privateFile);
      try {
        long size = ch.size();
        if (size > 0 && size + line.length > maxSegmentBytes) {
          ch.close();
          rotate();
          ch = openHealed(privateFile);
          size = ch.size();
        }
        try {
          ByteBuffer buf = ByteBuffer.wrap(line);
          long at = size;
          while (buf.hasRemaining()) {
            at += ch.write(buf, at);
          }
          ch.force(false);
        } catch (IOException e) {
          truncateQuietly(ch, size, e);
          throw e;
        }
      } finally {
        ch.close();
      }
    } catch (IOException e) {
      throw new StoreException(current, "Cannot append to the action log " + current + ": "
          + StoreFiles.describe(e), e);
    }
  }

  /** Opens the current segment, cutting off a partial last line left by an append that failed. */
  private FileChannel openHealed(FileAttribute<?>[] privateFile) throws IOException {
    FileChannel ch = StoreFiles.open(current, EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE), privateFile);
    try {
      long size = ch.size();
      long end = endOfLastLine(ch, size);
      if (end < size) {
        LOG.warn("The action log {} ended with a partial line of {} bytes (an append that failed); it was cut off",
            current, size - end);
        ch.truncate(end);
        ch.force(false);
      }
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  /** The position after the last newline, 0 when there is none. */
  private static long endOfLastLine(FileChannel ch, long size) throws IOException {
    return lastNewline(ch, size) + 1;
  }

  /**
   * The position of the last newline before {@code end}, -1 when there is none; reads backwards in
   * chunks that grow from 1 KiB, so a short line costs a short read.
   */
  private static long lastNewline(FileChannel ch, long end) throws IOException {
    int chunk = 1024;
    for (long pos = end; pos > 0; ) {
      int len = (int) Math.min(chunk, pos);
      long start = pos - len;
      ByteBuffer buf = ByteBuffer.allocate(len);
      readFully(ch, buf, start);
      for (int i = len - 1; i >= 0; i--) {
        if (buf.get(i) == '\n') {
          return start + i;
        }
      }
      pos = start;
      chunk = Math.min(chunk * 2, CHUNK);
    }
    return -1;
  }

  private static void truncateQuietly(FileChannel ch, long size, IOException failure) {
    try {
      ch.truncate(size);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }

  private void rotate() throws IOException {
    if (keptSegments == 0) {
      Files.deleteIfExists(current);
      return;
    }
    Files.deleteIfExists(segment(keptSegments));
    for (int n = keptSegments - 1; n >= 0; n--) {
      if (Files.exists(segment(n), LinkOption.NOFOLLOW_LINKS)) {
        StoreFiles.requireRegularOrAbsent(segment(n));
        Files.move(segment(n), segment(n + 1), StandardCopyOption.ATOMIC_MOVE, LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  /** Every entry, oldest first. */
  List<ActionRecord> all() {
    List<ActionRecord> newestFirst = new ArrayList<>();
    for (int n = 0; n <= keptSegments; n++) {
      backwards(segment(n), a -> newestFirst.add(a));
    }
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  /** The newest {@code count} entries, oldest first; reads only from the end. */
  List<ActionRecord> last(int count) {
    ArrayDeque<ActionRecord> result = new ArrayDeque<>();
    for (int n = 0; n <= keptSegments && result.size() < count; n++) {
      backwards(segment(n), a -> {
        result.addFirst(a);
        return result.size() < count;
      });
    }
    return List.copyOf(result);
  }

  /**
   * The entries finished at or after {@code since}, oldest first; reads from the end and stops at the
   * first entry (in write order) that finished earlier.
   */
  List<ActionRecord> since(Instant since) {
    ArrayDeque<ActionRecord> result = new ArrayDeque<>();
    boolean[] more = {true};
    for (int n = 0; n <= keptSegments && more[0]; n++) {
      backwards(segment(n), a -> {
        more[0] = !a.finishedAt().isBefore(since);
        if (more[0]) {
          result.addFirst(a);
        }
        return more[0];
      });
    }
    return List.copyOf(result);
  }

  /** Gives the entries of one segment newest first until {@code visitor} returns false. */
  private void backwards(Path file, Predicate<ActionRecord> visitor) {
    try {
      if (!StoreFiles.requireRegularOrAbsent(file)) {
        return;
      }
      try (FileChannel ch = StoreFiles.open(file, EnumSet.of(StandardOpenOption.READ))) {
        scanBackwards(ch, file, visitor);
      }
    } catch (NoSuchFileException e) {
      // rotated away meanwhile: its entries are in the next segment, read after this one
    } catch (IOException e) {
      throw new StoreException(file, "Cannot read the action log " + file + ": " + StoreFiles.describe(e), e);
    }
  }

  private static void scanBackwards(FileChannel ch, Path file, Predicate<ActionRecord> visitor) throws IOException {
    long size = ch.size();
    long lineEnd = lastNewline(ch, size);
    reportTorn(file, size - lineEnd - 1);
    while (lineEnd >= 0) {
      long previous = lastNewline(ch, lineEnd);
      if (!visitor.test(line(ch, file, previous + 1, lineEnd))) {
        return;
      }
      lineEnd = previous;
    }
  }

  private static void reportTorn(Path file, long bytes) {
    if (bytes > 0) {
      LOG.warn("The action log {} ends with a partial line of {} bytes (an append that failed); it is skipped",
          file, bytes);
    }
  }

  private static ActionRecord line(FileChannel ch, Path file, long from, long to) throws IOException {
    if (to - from > MAX_LINE_BYTES) {
      throw corrupt(file, from, "a line is longer than " + MAX_LINE_BYTES + " bytes", null);
    }
    ByteBuffer buf = ByteBuffer.allocate((int) (to - from));
    readFully(ch, buf, from);
    try {
      return ActionCodec.decode(StoreFiles.decodeUtf8(buf.array()));
    } catch (CharacterCodingException | IllegalArgumentException e) {
      throw corrupt(file, from, e.getMessage(), e);
    }
  }

  private static StoreException corrupt(Path file, long offset, String why, Exception cause) {
    return new StoreException(Reason.CORRUPT, file, "The action log " + file + " is corrupt at byte " + offset
        + ": " + why, cause);
  }

  private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
    long at = position;
    while (buf.hasRemaining()) {
      int n = ch.read(buf, at);
      if (n < 0) {
        throw new IOException("the file shrank while it was read");
      }
      at += n;
    }
  }
}
