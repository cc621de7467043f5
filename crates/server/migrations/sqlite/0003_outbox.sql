-- issue 8b: the outbox. E-mails and webhook calls are written here in the request's own
-- commit path and delivered by a background worker, so a mail server or CRM that is down
-- loses nothing. A worker claims a row with a lease (locked_by/locked_until): a row whose
-- lease has not expired is never handed to another worker.

CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,             -- 'email' | 'webhook'
    payload TEXT NOT NULL,          -- JSON: what to send
    status TEXT NOT NULL,           -- 'pending' | 'sent' | 'failed'
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,   -- epoch ms
    locked_by TEXT,
    locked_until INTEGER,               -- epoch ms
    last_error TEXT,
    created_at INTEGER NOT NULL,
    done_at INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
