package org.keyprov.app;

import java.util.HexFormat;

/** Hex arguments with messages that say which option was wrong. */
final class Hex {
  private Hex() {}

  static byte[] parse(String option, String value) {
    String digits = value == null ? "" : value.trim();
    if (digits.startsWith("0x") || digits.startsWith("0X")) {
      digits = digits.substring(2);
    }
    if (digits.isEmpty() || digits.length() % 2 != 0 || !digits.matches("[0-9a-fA-F]+")) {
      throw new UsageException(
          option + " must be an even number of hex digits (e.g. 00ff…), got '" + value + "'");
    }
    return HexFormat.of().parseHex(digits);
  }

  static String format(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
