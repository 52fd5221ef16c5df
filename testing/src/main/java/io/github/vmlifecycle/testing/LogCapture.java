package io.github.vmlifecycle.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures what slf4j-simple (the tests' SLF4J binding, which writes to the current
 * {@code System.err}) logs while open, with the named loggers raised to TRACE so that every level is
 * seen. Closing restores {@code System.err} and the levels.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.start("io.github.vmlifecycle")) {
 *   engine.pause("web");
 *   assertThat(log.text()).contains("pause");
 * }
 * }</pre>
 *
 * <p>Not thread-safe: it replaces the process-wide {@code System.err}, so tests that use it must not run
 * in parallel with others that log.
 */
public final class LogCapture implements AutoCloseable {
  private static final int TRACE = 0;

  private final PrintStream originalErr = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();
  private final Map<Logger, Integer> originalLevels = new LinkedHashMap<>();

  private LogCapture(String... loggerNames) {
    for (String name : loggerNames) {
      Logger logger = LoggerFactory.getLogger(name);
      originalLevels.put(logger, level(logger, TRACE));
    }
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
  }

  /**
   * Starts capturing.
   *
   * @param loggerNames the loggers to raise to TRACE
   * @return the capture; close it
   * @throws AssertionError if the SLF4J binding is not slf4j-simple
   */
  public static LogCapture start(String... loggerNames) {
    return new LogCapture(loggerNames);
  }

  /**
   * Returns what was logged so far.
   *
   * @return the text
   */
  public String text() {
    System.err.flush();
    return captured.toString(StandardCharsets.UTF_8);
  }

  /** Stops capturing: restores {@code System.err} and the loggers' levels. */
  @Override
  public void close() {
    System.setErr(originalErr);
    originalLevels.forEach(LogCapture::level);
  }

  /** Sets slf4j-simple's level field of {@code logger} and returns the previous value. */
  private static int level(Logger logger, int level) {
    try {
      Field field = levelField(logger.getClass());
      field.setAccessible(true);
      int previous = field.getInt(logger);
      field.setInt(logger, level);
      return previous;
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("the SLF4J binding is not slf4j-simple as expected: " + logger.getClass(), e);
    }
  }

  private static Field levelField(Class<?> type) throws NoSuchFieldException {
    for (Class<?> c = type; c != null; c = c.getSuperclass()) {
      try {
        return c.getDeclaredField("currentLogLevel");
      } catch (NoSuchFieldException next) {
        // look in the superclass
      }
    }
    throw new NoSuchFieldException("currentLogLevel in " + type);
  }
}
