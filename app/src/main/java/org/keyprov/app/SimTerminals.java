package org.keyprov.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.TerminalFactory;
import org.keyprov.uicc.SimProfile;
import org.keyprov.uicc.SimulatedCard;

/** {@code jcardsim:<profile>} or {@code pcsc:<reader name>}, as a smart card terminal. */
final class SimTerminals {
  private SimTerminals() {}

  static CardTerminal open(String spec) throws IOException {
    if (spec.startsWith("jcardsim:")) {
      Path profile = Path.of(spec.substring("jcardsim:".length()));
      String text;
      try {
        text = Files.readString(profile);
      } catch (NoSuchFileException e) {
        throw new UsageException("--sim: profile " + profile + " does not exist");
      }
      try {
        return SimulatedCard.personalised(SimProfile.parse(text));
      } catch (IllegalArgumentException e) {
        throw new UsageException("--sim: " + profile + ": " + e.getMessage());
      }
    }
    if (spec.startsWith("pcsc:")) {
      String reader = spec.substring("pcsc:".length());
      try {
        CardTerminal t = TerminalFactory.getDefault().terminals().getTerminal(reader);
        if (t == null) {
          throw new UsageException("--sim: no PC/SC reader named '" + reader + "'");
        }
        return t;
      } catch (IllegalStateException | SecurityException e) {
        throw new UsageException("--sim: PC/SC is not available here: " + e.getMessage());
      }
    }
    throw new UsageException(
        "--sim must be jcardsim:<profile file> or pcsc:<reader name>, got '" + spec + "'");
  }
}
