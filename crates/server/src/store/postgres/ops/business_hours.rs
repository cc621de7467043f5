//! Business hours (upstream's `rocketchat_livechat_business_hour`).

use super::*;

pub(super) async fn business_hours(
    s: &PgStore,
    kind: Option<&str>,
) -> StoreResult<Vec<BusinessHour>> {
    let docs: Vec<String> = scalar(
        "SELECT doc::text FROM business_hours WHERE $1::text IS NULL OR kind = $1 ORDER BY seq",
    )
    .bind(kind.map(str::to_owned))
    .fetch_all(&s.pool)
    .await?;
    from_docs(docs)
}

pub(super) async fn put_business_hour(s: &PgStore, bh: &BusinessHour) -> StoreResult<()> {
    q_exec_pool(
        &s.pool,
        sql_q(
            "INSERT INTO business_hours (id, kind, doc) VALUES ($1, $2, $3::json)
             ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, doc = excluded.doc",
        )
        .bind(bh.id.clone())
        .bind(bh.kind.clone())
        .bind(to_doc(bh)?),
    )
    .await?;
    Ok(())
}
