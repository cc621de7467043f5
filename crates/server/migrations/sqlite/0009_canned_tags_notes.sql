-- Canned responses (upstream's `rocketchat_canned_response`); a shortcut is unique across
-- every scope, as upstream checks.
CREATE TABLE canned_responses (
    id TEXT PRIMARY KEY,
    shortcut TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE UNIQUE INDEX canned_responses_shortcut ON canned_responses (shortcut);
-- Tags managers define (upstream's `rocketchat_livechat_tag`).
CREATE TABLE livechat_tags (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX livechat_tags_name ON livechat_tags (name);
-- Business units: monitors and the departments they watch.
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
-- Internal notes (a Ferrochat addition): agents' notes on a room, kept apart from its
-- messages so that nothing reading a conversation for its visitor can see them.
CREATE TABLE room_notes (
    id TEXT PRIMARY KEY,
    rid TEXT NOT NULL,
    ts INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX room_notes_rid_ts ON room_notes (rid, ts);
