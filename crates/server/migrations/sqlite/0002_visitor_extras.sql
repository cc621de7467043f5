-- Issue 8a: custom fields, triggers, navigation history saved before a room exists, uploads.

CREATE TABLE custom_fields (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    scope TEXT NOT NULL,
    doc TEXT NOT NULL
);

CREATE TABLE triggers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    doc TEXT NOT NULL
);

-- `livechat_navigation_history` messages of a visitor without a room yet; they move to
-- `messages` when the visitor's room is created (upstream's `setRoomIdByToken`).
CREATE TABLE navigation_pending (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    expire_at INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX navigation_pending_token ON navigation_pending (token);
CREATE INDEX navigation_pending_expire ON navigation_pending (expire_at);

CREATE TABLE uploads (
    id TEXT PRIMARY KEY,
    rid TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX uploads_rid ON uploads (rid);
