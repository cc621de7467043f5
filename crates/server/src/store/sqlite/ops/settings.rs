//! Settings, one row each.

use super::*;

pub(super) async fn settings(s: &SqliteStore) -> StoreResult<Vec<(String, Value)>> {
    s.read(|c| {
        let rows: Vec<(String, String)> = c
            .prepare_cached("SELECT id, value FROM settings")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        rows.into_iter()
            .map(|(k, v)| Ok((k, serde_json::from_str(&v)?)))
            .collect()
    })
}

pub(super) async fn put_setting(s: &SqliteStore, id: &str, value: &Value) -> StoreResult<()> {
    let (id, value) = (id.to_owned(), serde_json::to_string(value)?);
    s.write(move |c| {
        c.prepare_cached("INSERT INTO settings (id, value) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE SET value = excluded.value")?
            .execute(params![id, value])?;
        Ok(())
    })
    .await
}

pub(super) async fn incr_setting(s: &SqliteStore, id: &str, default: i64) -> StoreResult<i64> {
    let id = id.to_owned();
    s.write(move |c| {
        let v: String = c
            .prepare_cached(
                "INSERT INTO settings (id, value) VALUES (?1, ?2) ON CONFLICT (id) DO UPDATE
                 SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT) RETURNING value",
            )?
            .query_row(params![id, (default + 1).to_string()], |r| r.get(0))?;
        Ok(v.parse().unwrap_or(default + 1))
    })
    .await
}
