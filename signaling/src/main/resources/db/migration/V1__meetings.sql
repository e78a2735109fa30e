-- The meeting registry. Portable SQL: runs on H2 (embedded default) and PostgreSQL.
-- Times are epoch milliseconds (UTC).
CREATE TABLE meetings (
    id            VARCHAR(32)  PRIMARY KEY,
    number        VARCHAR(16)  NOT NULL UNIQUE,
    kind          VARCHAR(16)  NOT NULL,
    subject       VARCHAR(256) NOT NULL,
    owner_id      VARCHAR(128) NOT NULL,
    start_at      BIGINT       NOT NULL,
    end_at        BIGINT,
    password_hash VARCHAR(256),
    av_enabled    BOOLEAN      NOT NULL,
    live_stream   BOOLEAN      NOT NULL,
    status        VARCHAR(16)  NOT NULL,
    reminded      BOOLEAN      NOT NULL DEFAULT FALSE,
    created_at    BIGINT       NOT NULL,
    updated_at    BIGINT       NOT NULL
);
CREATE INDEX meetings_owner ON meetings (owner_id);
CREATE INDEX meetings_start ON meetings (status, start_at);

CREATE TABLE meeting_members (
    meeting_id VARCHAR(32)  NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    user_id    VARCHAR(128) NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX meeting_members_user ON meeting_members (user_id);
