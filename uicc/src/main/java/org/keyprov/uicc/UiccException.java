package org.keyprov.uicc;

/** The card refused a command; the message says which and what the status word means. */
public final class UiccException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int statusWord;

  UiccException(String command, int statusWord) {
    super(command + " failed: " + describe(statusWord));
    this.statusWord = statusWord;
  }

  UiccException(String message, Throwable cause) {
    super(message, cause);
    this.statusWord = -1;
  }

  /** The status word (SW1 SW2), or -1 if the card could not be reached. */
  public int statusWord() {
    return statusWord;
  }

  static String describe(int sw) {
    String hex = String.format("%04X", sw);
    if ((sw & 0xFFF0) == 0x63C0) {
      return hex + " wrong PIN, " + (sw & 0x0F) + " tries left";
    }
    return hex
        + switch (sw) {
          case 0x6982 -> " security status not satisfied (verify the PIN first)";
          case 0x6983 -> " PIN blocked";
          case 0x6A82 -> " file not found";
          case 0x6A83 -> " record not found";
          case 0x6A88 -> " NAF not on the card's NAF list";
          case 0x6A80 -> " wrong data";
          case 0x6B00 -> " wrong offset (P1-P2)";
          case 0x6985 -> " conditions not satisfied";
          case 0x6986 -> " no file selected";
          case 0x6981 -> " incompatible file structure";
          case 0x6700 -> " wrong length";
          case 0x6D00 -> " instruction not supported";
          case 0x6E00 -> " class not supported";
          default -> "";
        };
  }
}
