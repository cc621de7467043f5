-- issue 8b: the outbox (the PostgreSQL twin of migrations/sqlite/0003_outbox.sql). E-mails and
-- webhook calls are written here in the request's own commit path and delivered by a
-- background worker; a worker claims rows with a lease (locked_by/locked_until) taken under
-- FOR UPDATE SKIP LOCKED, so no two instances ever hold the same row.

CREATE TABLE outbox (
    id TEXT COLLATE "C" PRIMARY KEY,
    kind TEXT NOT NULL,                 -- 'email' | 'webhook'
    payload TEXT NOT NULL,              -- JSON: what to send
    status TEXT NOT NULL,               -- 'pending' | 'sent' | 'failed'
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,    -- epoch ms
    locked_by TEXT,
    locked_until BIGINT,                -- epoch ms
    last_error TEXT,
    created_at BIGINT NOT NULL,
    done_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
