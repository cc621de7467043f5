//! Embedded migrations, applied in order at start, each in its own transaction.

use super::Connection;
use crate::store::{StoreError, StoreResult};

const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../../migrations/sqlite/0001_init.sql"),
    ),
    (
        2,
        "visitor_extras",
        include_str!("../../../migrations/sqlite/0002_visitor_extras.sql"),
    ),
    (
        3,
        "outbox",
        include_str!("../../../migrations/sqlite/0003_outbox.sql"),
    ),
    (
        4,
        "presence",
        include_str!("../../../migrations/sqlite/0004_presence.sql"),
    ),
    (
        5,
        "permissions",
        include_str!("../../../migrations/sqlite/0005_permissions.sql"),
    ),
    (
        7,
        "business_hours",
        include_str!("../../../migrations/sqlite/0007_business_hours.sql"),
    ),
    (
        8,
        "contacts",
        include_str!("../../../migrations/sqlite/0008_contacts.sql"),
    ),
    (
        9,
        "canned_tags_notes",
        include_str!("../../../migrations/sqlite/0009_canned_tags_notes.sql"),
    ),
    (
        10,
        "apply_writes",
        include_str!("../../../migrations/sqlite/0010_apply_writes.sql"),
    ),
];

pub fn run(c: &mut Connection) -> StoreResult<()> {
    c.execute_batch(
        "CREATE TABLE IF NOT EXISTS _migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
    )?;
    for (version, name, sql) in MIGRATIONS {
        let done: bool = c.query_row(
            "SELECT EXISTS (SELECT 1 FROM _migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if done {
            continue;
        }
        let tx = c.transaction()?;
        tx.execute_batch(sql)
            .map_err(|e| StoreError::Db(format!("migration {version} ({name}): {e}")))?;
        tx.execute(
            "INSERT INTO _migrations (version, name, applied_at) VALUES (?1, ?2, strftime('%s','now'))",
            rusqlite::params![version, name],
        )?;
        tx.commit()?;
    }
    Ok(())
}
