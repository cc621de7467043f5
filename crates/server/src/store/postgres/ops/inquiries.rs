//! Inquiries (the queue), by id, room and status.

use super::*;

pub(super) async fn inquiry(s: &PgStore, id: &str) -> StoreResult<Option<Inquiry>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn inquiry_by_room(s: &PgStore, rid: &str) -> StoreResult<Option<Inquiry>> {
    opt_doc(
        scalar("SELECT doc::text FROM inquiries WHERE rid = $1")
            .bind(rid.to_owned())
            .fetch_optional(&s.pool)
            .await?,
    )
}

pub(super) async fn modify_inquiry(
    s: &PgStore,
    id: &str,
    f: Modify<Inquiry>,
) -> StoreResult<Option<Inquiry>> {
    in_tx!(s, |c| modify_in_tx(c, id, &*f).await)
}

pub(super) async fn list_inquiries(
    s: &PgStore,
    status: Option<&str>,
    departments: Option<&[String]>,
    offset: i64,
    count: i64,
) -> StoreResult<(Vec<Inquiry>, i64)> {
    let depts = departments.map(<[String]>::to_vec);
    // As on SQLite: a generic plan of `$1 IS NULL OR status = $1` cannot use the index.
    let by_status = if status.is_some() {
        "status = $1"
    } else {
        "$1::text IS NULL"
    };
    let wh = format!(
        "{by_status} AND ($2::text[] IS NULL OR department IS NULL OR department = ANY($2))"
    );
    let total: i64 = dyn_scalar(format!("SELECT COUNT(*) FROM inquiries WHERE {wh}"))
        .bind(status.map(str::to_owned))
        .bind(depts.clone())
        .fetch_one(&s.pool)
        .await?;
    let list: Vec<String> = dyn_scalar(format!(
        "SELECT doc::text FROM inquiries WHERE {wh} ORDER BY ts, id LIMIT $3 OFFSET $4"
    ))
    .bind(status.map(str::to_owned))
    .bind(depts)
    .bind(limit_of(count))
    .bind(offset)
    .fetch_all(&s.pool)
    .await?;
    Ok((from_docs(list)?, total))
}
