package org.keyprov.keys.store;

import java.security.SecureRandom;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;
import org.keyprov.keys.MasterKey;
import org.keyprov.keys.SecretBox;

/**
 * Secrets at rest in the database, sealed under the master key. The context binds a ciphertext to
 * its row ("device.ks:ep1"), so a ciphertext copied to another row does not open.
 */
final class ColumnBox {
  private final SecretBox box;

  ColumnBox(MasterKey masterKey, SecureRandom random) {
    this.box = SecretBox.of(masterKey, random);
  }

  byte[] seal(byte[] plaintext, String context) {
    return box.seal(plaintext, context);
  }

  byte[] open(byte[] sealed, String context) {
    try {
      return box.open(sealed, context);
    } catch (SecretBox.NotOpened e) {
      throw new KeyManagerException(
          Kind.STORAGE,
          "a stored secret ("
              + context
              + ") does not decrypt: the master key is not the one this database was created with");
    }
  }
}
