package org.keyprov.app;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How much keyprov logs and in which format, settled before the first log line: {@value #LEVEL_ENV}
 * (default INFO for the long-running {@code server} and {@code enabler}, whose log is their record
 * of registrations, provisioning outcomes and refusals; WARN for every other command, whose output
 * is on stdout) and {@value #FORMAT_ENV} ({@code text}, or {@code json}: one JSON object per line,
 * logback's own encoder). Read by {@code logback.xml} as system properties.
 */
final class LogSettings {
  static final String LEVEL_ENV = "KEYPROV_LOG_LEVEL";
  static final String FORMAT_ENV = "KEYPROV_LOG_FORMAT";

  private static final List<String> LEVELS =
      List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
  private static final Set<String> SERVICES = Set.of("server", "enabler");

  private LogSettings() {}

  /**
   * Sets {@code keyprov.log.level} and {@code keyprov.log.format} for the command in {@code args},
   * unless set already (a JVM flag wins).
   *
   * @return what is wrong with the environment's settings, or null
   */
  static String apply(String[] args, Map<String, String> env) {
    String level = env.get(LEVEL_ENV);
    if (level == null) {
      level = args.length > 0 && SERVICES.contains(args[0]) ? "INFO" : "WARN";
    }
    level = level.strip().toUpperCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      return LEVEL_ENV + "=" + env.get(LEVEL_ENV) + ": give one of " + String.join(", ", LEVELS);
    }
    String format = env.getOrDefault(FORMAT_ENV, "text").strip().toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      return FORMAT_ENV + "=" + env.get(FORMAT_ENV) + ": give text or json";
    }
    setIfAbsent("keyprov.log.level", level);
    setIfAbsent("keyprov.log.format", format);
    return null;
  }

  /**
   * Lets through the events of the appender of one format ({@code <format>json</format>}) when that
   * is the format chosen: both appenders are attached, one writes.
   */
  public static final class FormatFilter
      extends ch.qos.logback.core.filter.Filter<ch.qos.logback.classic.spi.ILoggingEvent> {
    private String format;

    public void setFormat(String format) {
      this.format = format;
    }

    @Override
    public ch.qos.logback.core.spi.FilterReply decide(
        ch.qos.logback.classic.spi.ILoggingEvent event) {
      return format != null && format.equals(System.getProperty("keyprov.log.format", "text"))
          ? ch.qos.logback.core.spi.FilterReply.NEUTRAL
          : ch.qos.logback.core.spi.FilterReply.DENY;
    }
  }

  private static void setIfAbsent(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }
}
