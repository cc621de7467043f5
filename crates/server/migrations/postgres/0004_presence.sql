-- Presence shared by several instances (issue 7b): which instance holds which user's
-- realtime connections, and when each instance last said it was alive (the PostgreSQL
-- twin of migrations/sqlite/0004_presence.sql).
CREATE TABLE presence_instances (
    id TEXT COLLATE "C" PRIMARY KEY,
    heartbeat_at BIGINT NOT NULL
);
CREATE TABLE presence_connections (
    instance_id TEXT COLLATE "C" NOT NULL,
    conn_id BIGINT NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (instance_id, conn_id)
);
CREATE INDEX presence_connections_user ON presence_connections (user_id);
