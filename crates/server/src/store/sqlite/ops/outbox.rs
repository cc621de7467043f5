//! The outbox's SQL. Claims run on the single writer, so a claim's read and its
//! lease update are one atomic step.

use super::{Conn, SqliteStore};
use crate::store::{OutboxItem, OutboxOutcome, OutboxStats, StoreResult};
use crate::time::Ts;
use rusqlite::{OptionalExtension, params};

pub(super) fn enqueue(c: &Conn, item: &OutboxItem) -> StoreResult<()> {
    c.prepare_cached(
        "INSERT INTO outbox (id, kind, payload, status, attempts, max_attempts, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, 'pending', ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        item.id,
        item.kind,
        serde_json::to_string(&item.payload)?,
        item.attempts,
        item.max_attempts,
        item.next_attempt_at.millis(),
        item.created_at.millis(),
    ])?;
    Ok(())
}

pub(super) fn claim(
    c: &Conn,
    now: Ts,
    lease_ms: i64,
    owner: &str,
    limit: i64,
) -> StoreResult<Vec<OutboxItem>> {
    let now_ms = now.millis();
    let rows: Vec<(String, String, String, i64, i64, i64, i64)> = c
        .prepare_cached(
            "SELECT id, kind, payload, attempts, max_attempts, next_attempt_at, created_at FROM outbox
             WHERE status = 'pending' AND next_attempt_at <= ?1
               AND (locked_until IS NULL OR locked_until <= ?1)
             ORDER BY next_attempt_at, created_at LIMIT ?2",
        )?
        .query_map(params![now_ms, limit], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect::<Result<_, _>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, kind, payload, attempts, max_attempts, next, created) in rows {
        c.prepare_cached(
            "UPDATE outbox SET locked_by = ?2, locked_until = ?3, attempts = attempts + 1 WHERE id = ?1",
        )?
        .execute(params![id, owner, now_ms + lease_ms])?;
        out.push(OutboxItem {
            id,
            kind,
            payload: serde_json::from_str(&payload)?,
            attempts: attempts + 1,
            max_attempts,
            next_attempt_at: Ts::from_millis(next),
            created_at: Ts::from_millis(created),
        });
    }
    Ok(out)
}

pub(super) fn finish(
    c: &Conn,
    id: &str,
    owner: &str,
    outcome: &OutboxOutcome,
) -> StoreResult<bool> {
    let n = match outcome {
        OutboxOutcome::Sent { at } => c
            .prepare_cached(
                "UPDATE outbox SET status = 'sent', done_at = ?3, locked_by = NULL, locked_until = NULL
                 WHERE id = ?1 AND locked_by = ?2 AND status = 'pending'",
            )?
            .execute(params![id, owner, at.millis()])?,
        OutboxOutcome::Retry { at, error } => c
            .prepare_cached(
                "UPDATE outbox SET next_attempt_at = ?3, last_error = ?4, locked_by = NULL, locked_until = NULL
                 WHERE id = ?1 AND locked_by = ?2 AND status = 'pending'",
            )?
            .execute(params![id, owner, at.millis(), error])?,
        OutboxOutcome::Failed { at, error } => c
            .prepare_cached(
                "UPDATE outbox SET status = 'failed', done_at = ?3, last_error = ?4, locked_by = NULL, locked_until = NULL
                 WHERE id = ?1 AND locked_by = ?2 AND status = 'pending'",
            )?
            .execute(params![id, owner, at.millis(), error])?,
    };
    Ok(n == 1)
}

pub(super) fn next_due(c: &Conn) -> StoreResult<Option<Ts>> {
    let due: Option<i64> = c
        .prepare_cached(
            "SELECT MIN(MAX(next_attempt_at, COALESCE(locked_until, 0))) FROM outbox WHERE status = 'pending'",
        )?
        .query_row([], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(due.map(Ts::from_millis))
}

pub(super) fn stats(c: &Conn) -> StoreResult<OutboxStats> {
    let (pending, oldest, dead): (i64, Option<i64>, i64) = c
        .prepare_cached(
            "SELECT COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0),
                    MIN(CASE WHEN status = 'pending' THEN created_at END),
                    COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0)
             FROM outbox WHERE status IN ('pending', 'failed')",
        )?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(OutboxStats {
        pending,
        oldest_pending: oldest.map(Ts::from_millis),
        dead,
    })
}

pub(super) async fn outbox_enqueue(s: &SqliteStore, item: &OutboxItem) -> StoreResult<()> {
    let item = item.clone();
    s.write(move |c| enqueue(c, &item)).await
}

pub(super) async fn outbox_claim(
    s: &SqliteStore,
    now: Ts,
    lease_ms: i64,
    owner: &str,
    limit: i64,
) -> StoreResult<Vec<OutboxItem>> {
    let owner = owner.to_owned();
    s.write(move |c| claim(c, now, lease_ms, &owner, limit))
        .await
}

pub(super) async fn outbox_finish(
    s: &SqliteStore,
    id: &str,
    owner: &str,
    outcome: &OutboxOutcome,
) -> StoreResult<bool> {
    let (id, owner, outcome) = (id.to_owned(), owner.to_owned(), outcome.clone());
    s.write(move |c| finish(c, &id, &owner, &outcome)).await
}

pub(super) async fn outbox_stats(s: &SqliteStore) -> StoreResult<crate::store::OutboxStats> {
    s.read(stats)
}

pub(super) async fn outbox_next_due(s: &SqliteStore) -> StoreResult<Option<Ts>> {
    s.read(next_due)
}
