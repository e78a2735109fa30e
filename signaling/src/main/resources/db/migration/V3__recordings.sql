-- One row per recorded file (issue 12): what a meeting's creator and hosts list and download afterwards.
-- state: recording (being written), complete (stopped cleanly), interrupted (the server died while writing;
-- the file is kept: fragmented MP4 plays up to the last fragment), failed (the encoder or the disk stopped it).
CREATE TABLE recordings (
    id             VARCHAR(32)   PRIMARY KEY,
    meeting_id     VARCHAR(64)   NOT NULL,
    meeting_number VARCHAR(32),
    creator_id     VARCHAR(128),
    creator_name   VARCHAR(128),
    kind           VARCHAR(16)   NOT NULL,
    file           VARCHAR(1024) NOT NULL,
    mime           VARCHAR(64)   NOT NULL,
    started_at     BIGINT        NOT NULL,
    stopped_at     BIGINT,
    duration_ms    BIGINT,
    bytes          BIGINT,
    state          VARCHAR(16)   NOT NULL,
    reason         VARCHAR(256)
);
CREATE INDEX recordings_meeting ON recordings (meeting_id);
CREATE INDEX recordings_state ON recordings (state);
