//! Business hours (upstream's `rocketchat_livechat_business_hour`).

use super::*;

pub(super) async fn business_hours(
    s: &SqliteStore,
    kind: Option<&str>,
) -> StoreResult<Vec<BusinessHour>> {
    let kind = kind.map(str::to_owned);
    s.read(move |c| {
        many_docs(
            c,
            "SELECT doc FROM business_hours WHERE ?1 IS NULL OR kind = ?1 ORDER BY rowid",
            [kind],
        )
    })
}

pub(super) async fn put_business_hour(s: &SqliteStore, bh: &BusinessHour) -> StoreResult<()> {
    let bh = bh.clone();
    s.write(move |c| {
        c.prepare_cached(
            "INSERT INTO business_hours (id, kind, doc) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, doc = excluded.doc",
        )?
        .execute(params![bh.id, bh.kind, to_doc(&bh)?])?;
        Ok(())
    })
    .await
}
