-- Canned responses (upstream's `rocketchat_canned_response`); a shortcut is unique across
-- every scope, as upstream checks.
CREATE TABLE canned_responses (
    seq BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    shortcut TEXT COLLATE "C" NOT NULL,
    doc JSON NOT NULL
);
CREATE UNIQUE INDEX canned_responses_shortcut ON canned_responses (shortcut);
-- Tags managers define (upstream's `rocketchat_livechat_tag`).
CREATE TABLE livechat_tags (
    seq BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    doc JSON NOT NULL
);
CREATE INDEX livechat_tags_name ON livechat_tags (name);
-- Business units: monitors and the departments they watch.
CREATE TABLE units (
    seq BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    doc JSON NOT NULL
);
-- Internal notes (a Ferrochat addition): agents' notes on a room, kept apart from its
-- messages so that nothing reading a conversation for its visitor can see them.
CREATE TABLE room_notes (
    seq BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    rid TEXT COLLATE "C" NOT NULL,
    ts BIGINT NOT NULL,
    doc JSON NOT NULL
);
CREATE INDEX room_notes_rid_ts ON room_notes (rid, ts);
