//! The shared store: PostgreSQL through sqlx, for several Ferrochat instances on one database.
//!
//! Every operation is one transaction (READ COMMITTED) on a pooled connection; the
//! invariants hold across instances because the database enforces them:
//! - one open room per visitor token: the partial unique index `rooms_token_open`; a
//!   creator that loses the race gets a unique violation, retries and finds the room;
//! - an inquiry is taken once: its row is locked (`FOR UPDATE`) before it is read;
//! - agent chat limits and routing counters: choosing an agent and assigning within a chat
//!   limit happen under one transaction-scoped advisory lock (`ops::routing_lock`), so two
//!   instances never both give an agent its last free slot and the least-assigned order is
//!   exact (see `routing_lock` for why not per-agent row locks);
//! - read-modify-write of a document locks its row first, so no update is lost.
//!
//! Serialization failures and deadlocks roll the transaction back and run it again.

mod migrate;
mod ops;

use super::*;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{PgPool, Postgres};
use std::str::FromStr;
use std::time::Duration;

pub(crate) type Conn = sqlx::PgConnection;
pub(crate) type PgQuery = sqlx::query::Query<'static, Postgres, sqlx::postgres::PgArguments>;

/// Connection pool settings (`DATABASE_POOL_MAX`, `DATABASE_POOL_MIN`,
/// `DATABASE_ACQUIRE_TIMEOUT`).
#[derive(Clone, Debug)]
pub struct PoolSettings {
    pub max: u32,
    pub min: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings {
            max: 16,
            min: 0,
            acquire_timeout: Duration::from_secs(30),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            match d.code().as_deref() {
                // unique_violation: name the field as the SQLite store does.
                Some("23505") => {
                    let c = d.constraint().unwrap_or_default();
                    return StoreError::Duplicate(if c.contains("email") {
                        "email"
                    } else if c == "rooms_token_open" {
                        "open room"
                    } else if c == "visitors_token" {
                        "token"
                    } else if c.contains("username") {
                        "username"
                    } else if c.contains("shortcut") {
                        "shortcut"
                    } else {
                        "id"
                    });
                }
                // serialization_failure, deadlock_detected
                Some("40001") | Some("40P01") => return StoreError::Conflict(d.to_string()),
                _ => {}
            }
        }
        StoreError::Db(e.to_string())
    }
}

pub struct PgStore {
    pool: PgPool,
}

/// Transactions given up by the database (deadlock, serialization failure, a racing
/// insert) run again this many times.
const MAX_ATTEMPTS: u32 = 8;

/// Runs `$body` (with `$c: &mut PgConnection`) in a transaction, committing on `Ok` and
/// rolling back on `Err`; `StoreError::Conflict` runs it again with a short backoff.
macro_rules! in_tx {
    ($store:expr, |$c:ident| $body:expr) => {{
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut txn = $store.pool.begin().await?;
            let out: StoreResult<_> = async {
                let $c: &mut crate::store::postgres::Conn = &mut *txn;
                $body
            }
            .await;
            let out = match out {
                Ok(v) => txn.commit().await.map(|_| v).map_err(StoreError::from),
                Err(e) => {
                    let _ = txn.rollback().await;
                    Err(e)
                }
            };
            match out {
                Err(StoreError::Conflict(e)) if attempt < crate::store::postgres::MAX_ATTEMPTS => {
                    tracing::debug!(error = %e, attempt, "transaction conflict, retrying");
                    let jitter = u64::from(rand::random::<u8>() % 8);
                    tokio::time::sleep(std::time::Duration::from_millis(
                        u64::from(attempt) * 2 + jitter,
                    ))
                    .await;
                }
                other => break other,
            }
        }
    }};
}
pub(crate) use in_tx;

impl PgStore {
    /// Connects the pool and applies the migrations (under an advisory lock, so instances
    /// starting together apply each migration once).
    pub async fn connect(url: &str, pool: &PoolSettings) -> StoreResult<Self> {
        let opts = PgConnectOptions::from_str(url).map_err(|e| StoreError::Db(e.to_string()))?;
        let pool = PgPoolOptions::new()
            .max_connections(pool.max.max(1))
            .min_connections(pool.min.min(pool.max.max(1)))
            .acquire_timeout(pool.acquire_timeout)
            .connect_with(opts)
            .await?;
        migrate::run(&pool).await?;
        Ok(PgStore { pool })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}
