package org.roundtable.signaling.meeting;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.roundtable.bridge.router.Conference;

/** A meeting: its members and its media router. State changes only on {@link #exec}. */
public final class Meeting {
    public final String id;
    public final Conference conference;
    public final SerialExecutor exec;
    final Map<String, Participant> participants = new LinkedHashMap<>();
    boolean ended;

    Meeting(String id, Conference conference, SerialExecutor exec) {
        this.id = id;
        this.conference = conference;
        this.exec = exec;
    }

    /** Members in join order (WHEP viewers excluded). Call on exec. */
    public List<Participant> members() {
        List<Participant> l = new ArrayList<>();
        for (Participant p : participants.values()) if (p.isMember()) l.add(p);
        return l;
    }

    public Participant participant(String id) { return participants.get(id); }
}
