package org.roundtable.signaling.sip;

import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Message;

/**
 * A SIP dialog's identity (RFC 3261 section 12): Call-ID, our tag and the remote's tag. Calls are keyed
 * by it, so an in-dialog request (BYE, re-INVITE, INFO, ACK) reaches a call only if all three match:
 * knowing a Call-ID is not enough.
 */
record DialogKey(String callId, String localTag, String remoteTag) {
    /** The dialog a request from the remote claims: its To tag is ours, its From tag theirs (null: no To tag, not in a dialog). */
    static DialogKey ofRequest(Message req) {
        String callId = callId(req);
        FromHeader from = (FromHeader) req.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) req.getHeader(ToHeader.NAME);
        if (callId == null || from == null || to == null || to.getTag() == null || from.getTag() == null) return null;
        return new DialogKey(callId, to.getTag(), from.getTag());
    }

    /** The dialog a response to our request names: its From tag is ours, its To tag theirs (null: no To tag). */
    static DialogKey ofResponse(Message res) {
        String callId = callId(res);
        FromHeader from = (FromHeader) res.getHeader(FromHeader.NAME);
        ToHeader to = (ToHeader) res.getHeader(ToHeader.NAME);
        if (callId == null || from == null || to == null || to.getTag() == null || from.getTag() == null) return null;
        return new DialogKey(callId, from.getTag(), to.getTag());
    }

    static String callId(Message m) {
        CallIdHeader h = (CallIdHeader) m.getHeader(CallIdHeader.NAME);
        return h == null ? null : h.getCallId();
    }
}
