package org.keyprov.client.object;

import java.util.Map;
import java.util.TreeMap;

/**
 * One Access Control (object 2) instance: the rights LwM2M servers have on one object instance (or,
 * with instance id {@value AccessControl#OBJECT_LEVEL}, to create instances of the object).
 *
 * @param rights per Short Server ID (0: every server without its own entry) the bits of {@link
 *     AccessControl#READ} and the others
 * @param owner the Short Server ID of the Access Control Owner, who has every right unless an entry
 *     of its own says otherwise, and may change the entry
 */
public record AclEntry(int objectId, int objectInstanceId, Map<Integer, Long> rights, int owner) {
  public AclEntry {
    rights = java.util.Collections.unmodifiableMap(new TreeMap<>(rights));
  }
}
