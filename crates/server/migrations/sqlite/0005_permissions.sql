-- Upstream's permission model: which roles hold each permission (seeded at start from
-- upstream's list, only where missing, so an admin's changes survive restarts) and the
-- roles themselves.
CREATE TABLE permissions (
    id TEXT PRIMARY KEY,
    roles TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE roles (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL
);
