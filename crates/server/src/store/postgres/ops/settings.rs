//! Settings, one row each.

use super::*;

pub(super) async fn settings(s: &PgStore) -> StoreResult<Vec<(String, Value)>> {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, value FROM settings")
        .fetch_all(&s.pool)
        .await?;
    rows.into_iter()
        .map(|(k, v)| Ok((k, serde_json::from_str(&v)?)))
        .collect()
}

pub(super) async fn put_setting(s: &PgStore, id: &str, value: &Value) -> StoreResult<()> {
    q_exec_pool(
        &s.pool,
        sql_q("INSERT INTO settings (id, value) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET value = excluded.value")
            .bind(id.to_owned())
            .bind(serde_json::to_string(value)?),
    )
    .await?;
    Ok(())
}

pub(super) async fn incr_setting(s: &PgStore, id: &str, default: i64) -> StoreResult<i64> {
    // One statement: the row lock of the upsert makes concurrent increments queue.
    // A value that is not an integer counts as 0, as SQLite's CAST does.
    let v: String = scalar(
        "INSERT INTO settings (id, value) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE
         SET value = ((CASE WHEN settings.value ~ '^-?[0-9]{1,18}$' THEN settings.value::bigint ELSE 0 END) + 1)::text
         RETURNING value",
    )
    .bind(id.to_owned())
    .bind((default + 1).to_string())
    .fetch_one(&s.pool)
    .await?;
    Ok(v.parse().unwrap_or(default + 1))
}
