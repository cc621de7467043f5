-- Business hours (upstream's `rocketchat_livechat_business_hour`); the default one is created
-- at start when missing.
CREATE TABLE business_hours (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX business_hours_kind ON business_hours (kind);
