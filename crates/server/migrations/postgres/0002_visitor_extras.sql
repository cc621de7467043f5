-- Issue 8a: custom fields, triggers, navigation history saved before a room exists, uploads
-- (the PostgreSQL twin of migrations/sqlite/0002_visitor_extras.sql).

CREATE TABLE custom_fields (
    id TEXT COLLATE "C" PRIMARY KEY,
    label TEXT COLLATE "C" NOT NULL,
    scope TEXT COLLATE "C" NOT NULL,
    doc JSON NOT NULL
);

CREATE TABLE triggers (
    -- Insertion order (SQLite's rowid): `config` lists enabled triggers in it.
    seq BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    enabled BOOLEAN NOT NULL,
    doc JSON NOT NULL
);

-- `livechat_navigation_history` messages of a visitor without a room yet; they move to
-- `messages` when the visitor's room is created (upstream's `setRoomIdByToken`).
CREATE TABLE navigation_pending (
    seq BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    token TEXT COLLATE "C" NOT NULL,
    expire_at BIGINT NOT NULL,
    doc JSON NOT NULL
);
CREATE INDEX navigation_pending_token ON navigation_pending (token, seq);
CREATE INDEX navigation_pending_expire ON navigation_pending (expire_at);

CREATE TABLE uploads (
    id TEXT COLLATE "C" PRIMARY KEY,
    rid TEXT COLLATE "C" NOT NULL,
    doc JSON NOT NULL
);
CREATE INDEX uploads_rid ON uploads (rid);
