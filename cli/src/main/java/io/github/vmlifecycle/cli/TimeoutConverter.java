package io.github.vmlifecycle.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads a positive duration option: numbers with units ({@code 90s}, {@code 30m}, {@code 2h}, {@code 1d},
 * {@code 500ms}, combined as in {@code 1h30m}) or ISO-8601 ({@code PT30M}, {@code P1DT2H}). Anything
 * else, and zero or negative durations, is a usage error (exit 2) that says what is accepted.
 *
 * <p>Stateless and thread-safe.
 */
final class TimeoutConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern PART = Pattern.compile("(\\d{1,18})(ms|s|m|h|d)");
  private static final String FORMS = "use a number with a unit (90s, 30m, 2h, 1d, 1h30m) or ISO-8601 (PT30M)";

  @Override
  public Duration convert(String value) {
    Duration d = parse(value.strip());
    if (d.isZero() || d.isNegative()) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not positive; a timeout must be longer than zero");
    }
    return d;
  }

  private static Duration parse(String text) {
    if (text.isEmpty()) {
      throw new CommandLine.TypeConversionException("an empty value is not a duration; " + FORMS);
    }
    String upper = text.toUpperCase(Locale.ROOT);
    if (upper.startsWith("P") || upper.startsWith("-P") || upper.startsWith("+P")) {
      try {
        return Duration.parse(upper);
      } catch (DateTimeParseException e) {
        throw new CommandLine.TypeConversionException("'" + text + "' is not an ISO-8601 duration; " + FORMS);
      }
    }
    Matcher m = PART.matcher(text.toLowerCase(Locale.ROOT));
    Duration total = Duration.ZERO;
    int end = 0;
    try {
      while (m.find() && m.start() == end) {
        total = total.plus(Duration.of(Long.parseLong(m.group(1)), unit(m.group(2))));
        end = m.end();
      }
    } catch (ArithmeticException e) {
      throw new CommandLine.TypeConversionException("'" + text + "' is too long a duration");
    }
    if (end == 0 || end != text.length()) {
      throw new CommandLine.TypeConversionException("'" + text + "' is not a duration; " + FORMS);
    }
    return total;
  }

  private static ChronoUnit unit(String suffix) {
    switch (suffix) {
      case "ms":
        return ChronoUnit.MILLIS;
      case "s":
        return ChronoUnit.SECONDS;
      case "m":
        return ChronoUnit.MINUTES;
      case "h":
        return ChronoUnit.HOURS;
      case "d":
        return ChronoUnit.DAYS;
      default:
        throw new AssertionError(suffix);
    }
  }
}
