-- The PostgreSQL twin of migrations/sqlite/0001_init.sql: documents stored whole in `doc`
-- beside the columns the queries filter and sort on (derived from the document on every
-- write). `doc` is `json`, not `jsonb`: json keeps the document's text as written (key
-- order, which clients of the passed-on documents see), costs nothing to store, and no
-- query looks inside it through an index. Text columns use the "C" collation so ordering
-- and comparison are byte-wise like SQLite's BINARY; SQLite's NOCASE columns are compared
-- through lower().

CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY,
    username TEXT COLLATE "C" NOT NULL,
    email TEXT COLLATE "C",
    password_hash TEXT,
    roles TEXT NOT NULL,
    is_agent BOOLEAN NOT NULL,
    active BOOLEAN NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    status_connection TEXT,
    status_livechat TEXT COLLATE "C",
    livechat_count BIGINT NOT NULL DEFAULT 0,
    last_routing_time BIGINT,
    doc JSON NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_agents ON users (is_agent, status_livechat, livechat_count, username);

CREATE TABLE login_tokens (
    hashed TEXT COLLATE "C" PRIMARY KEY,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL
);
CREATE INDEX login_tokens_user ON login_tokens (user_id);

CREATE TABLE settings (
    id TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE visitors (
    id TEXT COLLATE "C" PRIMARY KEY,
    token TEXT COLLATE "C",
    phone TEXT COLLATE "C",
    email TEXT COLLATE "C",
    doc JSON NOT NULL
);
CREATE UNIQUE INDEX visitors_token ON visitors (token);
CREATE INDEX visitors_phone ON visitors (phone);
CREATE INDEX visitors_email ON visitors (email);

CREATE TABLE rooms (
    id TEXT COLLATE "C" PRIMARY KEY,
    token TEXT COLLATE "C" NOT NULL,
    -- 1 while open, NULL once closed (as in SQLite).
    open SMALLINT,
    department_id TEXT COLLATE "C",
    served_by TEXT COLLATE "C",
    ts BIGINT NOT NULL,
    doc JSON NOT NULL
);
-- The invariant behind get-or-create: at most one open room per visitor token.
CREATE UNIQUE INDEX rooms_token_open ON rooms (token) WHERE open = 1;
CREATE INDEX rooms_token ON rooms (token, ts);
CREATE INDEX rooms_served_open ON rooms (served_by) WHERE open = 1;
CREATE INDEX rooms_ts ON rooms (ts);

CREATE TABLE inquiries (
    id TEXT COLLATE "C" PRIMARY KEY,
    rid TEXT COLLATE "C" NOT NULL,
    status TEXT COLLATE "C" NOT NULL,
    department TEXT COLLATE "C",
    ts BIGINT NOT NULL,
    doc JSON NOT NULL
);
CREATE UNIQUE INDEX inquiries_rid ON inquiries (rid);
CREATE INDEX inquiries_status ON inquiries (status, department, ts);

CREATE TABLE messages (
    -- Insertion order: the tie break SQLite's rowid gives messages of the same ts.
    seq BIGSERIAL NOT NULL,
    id TEXT COLLATE "C" PRIMARY KEY,
    rid TEXT COLLATE "C",
    ts BIGINT NOT NULL,
    t TEXT COLLATE "C",
    hidden BOOLEAN NOT NULL,
    token TEXT COLLATE "C",
    doc JSON NOT NULL
);
CREATE INDEX messages_rid_ts ON messages (rid, ts, seq);

CREATE TABLE subscriptions (
    rid TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    doc JSON NOT NULL,
    PRIMARY KEY (rid, user_id)
);
CREATE INDEX subscriptions_user ON subscriptions (user_id);

CREATE TABLE departments (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT COLLATE "C" NOT NULL,
    enabled BOOLEAN NOT NULL,
    doc JSON NOT NULL
);
CREATE INDEX departments_name ON departments (name);

CREATE TABLE department_agents (
    id TEXT COLLATE "C" PRIMARY KEY,
    agent_id TEXT COLLATE "C" NOT NULL,
    department_id TEXT COLLATE "C" NOT NULL,
    username TEXT COLLATE "C" NOT NULL,
    count BIGINT NOT NULL,
    ord BIGINT NOT NULL,
    department_enabled BOOLEAN NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (department_id, agent_id)
);
CREATE INDEX department_agents_agent ON department_agents (agent_id);
