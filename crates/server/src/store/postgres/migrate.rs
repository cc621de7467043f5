//! Embedded migrations (`migrations/postgres/NNNN_*.sql`), applied in order at start, each
//! in its own transaction. A session advisory lock keyed by the schema serializes
//! instances that start together: the second waits, then finds the migrations applied.

use crate::store::{StoreError, StoreResult};
use sqlx::PgPool;

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "visitor_extras",
        include_str!("../../../migrations/postgres/0002_visitor_extras.sql"),
    ),
    (
        3,
        "outbox",
        include_str!("../../../migrations/postgres/0003_outbox.sql"),
    ),
    (
        4,
        "presence",
        include_str!("../../../migrations/postgres/0004_presence.sql"),
    ),
    (
        5,
        "permissions",
        include_str!("../../../migrations/postgres/0005_permissions.sql"),
    ),
    (
        7,
        "business_hours",
        include_str!("../../../migrations/postgres/0007_business_hours.sql"),
    ),
    (
        8,
        "contacts",
        include_str!("../../../migrations/postgres/0008_contacts.sql"),
    ),
    (
        9,
        "canned_tags_notes",
        include_str!("../../../migrations/postgres/0009_canned_tags_notes.sql"),
    ),
    (
        10,
        "apply_writes",
        include_str!("../../../migrations/postgres/0010_apply_writes.sql"),
    ),
];

/// Advisory lock key space of Ferrochat's migrations (combined with the schema's hash).
const LOCK_CLASS: i32 = 0x4643_4d47; // "FCMG"

pub async fn run(pool: &PgPool) -> StoreResult<()> {
    let mut c = pool.acquire().await?;
    sqlx::query("SELECT pg_advisory_lock($1, hashtext(current_schema()))")
        .bind(LOCK_CLASS)
        .execute(&mut *c)
        .await?;
    let out = apply(&mut c).await;
    let unlock = sqlx::query("SELECT pg_advisory_unlock($1, hashtext(current_schema()))")
        .bind(LOCK_CLASS)
        .execute(&mut *c)
        .await;
    out?;
    unlock?;
    Ok(())
}

async fn apply(c: &mut sqlx::PgConnection) -> StoreResult<()> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS _migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .execute(&mut *c)
    .await?;
    for (version, name, sql) in MIGRATIONS {
        let done: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM _migrations WHERE version = $1)")
                .bind(version)
                .fetch_one(&mut *c)
                .await?;
        if done {
            continue;
        }
        let mut tx = sqlx::Connection::begin(&mut *c).await?;
        sqlx::raw_sql(*sql)
            .execute(&mut *tx)
            .await
            .map_err(|e| StoreError::Db(format!("migration {version} ({name}): {e}")))?;
        sqlx::query("INSERT INTO _migrations (version, name) VALUES ($1, $2)")
            .bind(version)
            .bind(*name)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}
