package org.roundtable.signaling.registry;

import java.util.List;

/**
 * What a client asks for when creating or editing a meeting. In an edit, null means "unchanged"; an
 * empty password removes the password.
 */
public record MeetingSpec(String type, String subject, Long startMs, Long endMs, List<String> members, String password,
                          Boolean av, Boolean liveStream, List<String> hosts) {
    /** Without co-hosts (null: unchanged in an edit, none in a new meeting). */
    public MeetingSpec(String type, String subject, Long startMs, Long endMs, List<String> members, String password, Boolean av, Boolean liveStream) {
        this(type, subject, startMs, endMs, members, password, av, liveStream, null);
    }
}
