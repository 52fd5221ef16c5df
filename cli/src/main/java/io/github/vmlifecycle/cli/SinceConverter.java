package io.github.vmlifecycle.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/**
 * Reads the {@code --since} time of {@code vmlife actions}: an ISO-8601 instant ({@code 2026-01-31T12:00:00Z})
 * or a date ({@code 2026-01-31}, taken as midnight UTC). Stateless; thread-safe.
 */
final class SinceConverter implements CommandLine.ITypeConverter<Instant> {
  @Override
  public Instant convert(String value) {
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException notAnInstant) {
      try {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException notADate) {
        throw new CommandLine.TypeConversionException("'" + TerminalText.safe(value) + "' is neither an ISO-8601 "
            + "instant (2026-01-31T12:00:00Z) nor a date (2026-01-31)");
      }
    }
  }
}
