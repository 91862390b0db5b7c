package org.keyprov.keys;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The order of a device list, and the keyset cursor that continues it: the endpoint for the
 * endpoint orders, the creation instant and endpoint ({@code 2026-12-07T10:00:00Z|ep-1}) for the
 * creation orders, where two devices may share an instant.
 */
public enum DeviceOrder {
  ENDPOINT("endpoint"),
  ENDPOINT_DESC("-endpoint"),
  CREATED("created"),
  CREATED_DESC("-created");

  private final String name;

  DeviceOrder(String name) {
    this.name = name;
  }

  /**
   * As the API writes it: {@code endpoint}, {@code -endpoint}, {@code created}, {@code -created}.
   */
  public String apiName() {
    return name;
  }

  public boolean descending() {
    return name.startsWith("-");
  }

  public boolean byCreation() {
    return this == CREATED || this == CREATED_DESC;
  }

  /** The order named {@code text}; a bad name says which there are. */
  public static DeviceOrder parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.isEmpty()) {
      return ENDPOINT;
    }
    for (DeviceOrder o : values()) {
      if (o.name.equals(t)) {
        return o;
      }
    }
    throw new IllegalArgumentException(
        "sort is one of "
            + Arrays.stream(values()).map(o -> o.name).collect(Collectors.joining(", "))
            + " (a leading - for the reverse order), not '"
            + text
            + "'");
  }

  /** The cursor of the page after {@code lastShown}. */
  public String cursor(Device lastShown) {
    return byCreation() ? lastShown.createdAt() + "|" + lastShown.endpoint() : lastShown.endpoint();
  }

  /** A cursor of this order, taken apart; empty for the first page. */
  public record Cursor(Instant createdAt, String endpoint) {}

  /** {@code text} as a cursor of this order; a bad one is an {@link IllegalArgumentException}. */
  public Cursor cursor(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    if (!byCreation()) {
      return new Cursor(null, text);
    }
    int bar = text.indexOf('|');
    try {
      if (bar > 0) {
        return new Cursor(Instant.parse(text.substring(0, bar)), text.substring(bar + 1));
      }
    } catch (DateTimeParseException e) {
      // said below
    }
    throw new IllegalArgumentException(
        "after must be the next of the previous page in the same sort order");
  }
}
