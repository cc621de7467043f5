-- Upstream's permission model (the PostgreSQL twin of migrations/sqlite/0005_permissions.sql):
-- which roles hold each permission (a JSON array) and the roles themselves.
CREATE TABLE permissions (
    id TEXT COLLATE "C" PRIMARY KEY,
    roles TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE roles (
    id TEXT COLLATE "C" PRIMARY KEY,
    doc JSON NOT NULL
);
