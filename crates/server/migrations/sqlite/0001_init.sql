-- Documents are stored whole as JSON in `doc`, beside the columns the queries filter and
-- sort on; the columns are derived from the document on every write.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE UNIQUE,
    email TEXT COLLATE NOCASE UNIQUE,
    password_hash TEXT,
    roles TEXT NOT NULL,
    is_agent INTEGER NOT NULL,
    active INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_connection TEXT,
    status_livechat TEXT,
    livechat_count INTEGER NOT NULL DEFAULT 0,
    last_routing_time INTEGER,
    doc TEXT NOT NULL
);
CREATE INDEX users_agents ON users (is_agent, status_livechat, livechat_count, username);

CREATE TABLE login_tokens (
    hashed TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL
);
CREATE INDEX login_tokens_user ON login_tokens (user_id);

CREATE TABLE settings (
    id TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE visitors (
    id TEXT PRIMARY KEY,
    token TEXT UNIQUE,
    phone TEXT,
    email TEXT COLLATE NOCASE,
    doc TEXT NOT NULL
);
CREATE INDEX visitors_phone ON visitors (phone);
CREATE INDEX visitors_email ON visitors (email);

CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    token TEXT NOT NULL,
    -- 1 while open, NULL once closed: NULLs are distinct in a unique index, so one index
    -- both holds the rule (one open room per token) and serves every lookup by token.
    open INTEGER,
    department_id TEXT,
    served_by TEXT,
    ts INTEGER NOT NULL,
    doc TEXT NOT NULL
);
-- The invariant behind get-or-create: at most one open room per visitor token.
CREATE UNIQUE INDEX rooms_token_open ON rooms (token, open);
CREATE INDEX rooms_served_open ON rooms (served_by) WHERE open = 1;

CREATE TABLE inquiries (
    id TEXT PRIMARY KEY,
    rid TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    department TEXT,
    ts INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX inquiries_status ON inquiries (status, department, ts);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    rid TEXT,
    ts INTEGER NOT NULL,
    t TEXT,
    hidden INTEGER NOT NULL,
    token TEXT,
    doc TEXT NOT NULL
);
CREATE INDEX messages_rid_ts ON messages (rid, ts);

CREATE TABLE subscriptions (
    rid TEXT NOT NULL,
    user_id TEXT NOT NULL,
    id TEXT NOT NULL,
    doc TEXT NOT NULL,
    PRIMARY KEY (rid, user_id)
) WITHOUT ROWID;
CREATE INDEX subscriptions_user ON subscriptions (user_id);

CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX departments_name ON departments (name);

CREATE TABLE department_agents (
    id TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL,
    department_id TEXT NOT NULL,
    username TEXT NOT NULL,
    count INTEGER NOT NULL,
    ord INTEGER NOT NULL,
    department_enabled INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (department_id, agent_id)
);
CREATE INDEX department_agents_agent ON department_agents (agent_id);
