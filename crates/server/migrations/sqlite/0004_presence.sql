-- Presence shared by several instances (issue 7b): which instance holds which user's
-- realtime connections, and when each instance last said it was alive.
CREATE TABLE presence_instances (
    id TEXT PRIMARY KEY,
    heartbeat_at INTEGER NOT NULL
);
CREATE TABLE presence_connections (
    instance_id TEXT NOT NULL,
    conn_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    since INTEGER NOT NULL,
    PRIMARY KEY (instance_id, conn_id)
);
CREATE INDEX presence_connections_user ON presence_connections (user_id);
