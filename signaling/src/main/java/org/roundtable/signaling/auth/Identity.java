package org.roundtable.signaling.auth;

import java.util.Set;

/** Who a verified token says the caller is. Immutable. */
public record Identity(String userId, String name, Set<String> permissions) {
    public boolean can(String permission) { return permissions.contains(permission); }
}
