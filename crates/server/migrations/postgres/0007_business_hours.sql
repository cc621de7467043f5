-- Business hours (upstream's `rocketchat_livechat_business_hour`); the default one is created
-- at start when missing.
CREATE TABLE business_hours (
    seq BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT COLLATE "C" NOT NULL,
    doc JSON NOT NULL
);
CREATE INDEX business_hours_kind ON business_hours (kind);
