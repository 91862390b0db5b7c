package org.keyprov.app;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations as people type them: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d}, or
 * several of them ({@code 1h30m}), as well as ISO-8601 ({@code PT30S}, {@code P1D}). Every
 * command's duration options read them; a bad one says what is accepted.
 */
final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");
  private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:ms|s|m|h|d))+");

  private Durations() {}

  static Duration parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("p")) {
      try {
        return notNegative(text, Duration.parse(t.toUpperCase(Locale.ROOT)));
      } catch (DateTimeParseException e) {
        throw refused(text);
      }
    }
    if (!WHOLE.matcher(t).matches()) {
      throw refused(text);
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(t);
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "ms" -> Duration.ofMillis(n);
                  case "s" -> Duration.ofSeconds(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "h" -> Duration.ofHours(n);
                  default -> Duration.ofDays(n);
                });
      }
    } catch (ArithmeticException | NumberFormatException tooLong) {
      throw new TypeConversionException("'" + text + "' is longer than keyprov can count");
    }
    return notNegative(text, total);
  }

  private static Duration notNegative(String text, Duration d) {
    if (d.isNegative()) {
      throw new TypeConversionException("'" + text + "': a duration cannot be negative");
    }
    return d;
  }

  private static TypeConversionException refused(String text) {
    return new TypeConversionException(
        "'"
            + text
            + "' is not a duration: give a number with a unit, such as 500ms, 30s, 5m, 2h, 1d"
            + " or 1h30m, or ISO-8601 such as PT30S");
  }
}
