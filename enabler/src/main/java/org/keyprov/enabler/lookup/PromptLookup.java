package org.keyprov.enabler.lookup;

import java.util.Optional;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.NafId;

/**
 * A lookup that can sometimes answer from memory. The Enabler asks {@link #answerNow} on the
 * handshake thread and goes to its lookup pool only when it is empty.
 */
public interface PromptLookup extends PskLookup {
  /** The answer if memory holds it; empty if only {@link #lookup} can tell. Never blocks. */
  Optional<LookupResult> answerNow(String pskIdentity, NafId nafId);
}
