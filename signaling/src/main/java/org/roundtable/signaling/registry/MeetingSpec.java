package org.roundtable.signaling.registry;

import java.util.List;

/**
 * What a client asks for when creating or editing a meeting. In an edit, null means "unchanged"; an
 * empty password removes the password.
 */
public record MeetingSpec(String type, String subject, Long startMs, Long endMs, List<String> members, String password,
                          Boolean av, Boolean liveStream) {}
