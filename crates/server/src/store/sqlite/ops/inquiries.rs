//! Inquiries (the queue), by id, room and status.

use super::*;

pub(super) async fn inquiry(s: &SqliteStore, id: &str) -> StoreResult<Option<Inquiry>> {
    s.read(|c| load(c, "inquiries", id))
}

pub(super) async fn inquiry_by_room(s: &SqliteStore, rid: &str) -> StoreResult<Option<Inquiry>> {
    s.read(|c| one_doc(c, "SELECT doc FROM inquiries WHERE rid = ?1", [rid]))
}

pub(super) async fn modify_inquiry(
    s: &SqliteStore,
    id: &str,
    f: Modify<Inquiry>,
) -> StoreResult<Option<Inquiry>> {
    let id = id.to_owned();
    s.write(move |c| modify_in_tx(c, &id, &*f)).await
}

pub(super) async fn list_inquiries(
    s: &SqliteStore,
    status: Option<&str>,
    departments: Option<&[String]>,
    offset: i64,
    count: i64,
) -> StoreResult<(Vec<Inquiry>, i64)> {
    let depts = departments.map(serde_json::to_string).transpose()?;
    // The status test is in the SQL only when asked: plans are made from the SQL alone
    // (QPSG), and `?1 IS NULL OR status = ?1` scanned every inquiry (taken ones stay until
    // their room closes) on each room creation's queue-position update.
    let by_status = if status.is_some() {
        "status = ?1"
    } else {
        "?1 IS NULL"
    };
    let wh = format!(
        "{by_status} AND (?2 IS NULL OR department IS NULL OR department IN (SELECT value FROM json_each(?2)))"
    );
    s.read(|c| {
        let total: i64 = c
            .prepare_cached(&format!("SELECT COUNT(*) FROM inquiries WHERE {wh}"))?
            .query_row(params![status, depts], |r| r.get(0))?;
        let list = many_docs(
            c,
            &format!("SELECT doc FROM inquiries WHERE {wh} ORDER BY ts, id LIMIT ?3 OFFSET ?4"),
            params![status, depts, if count <= 0 { -1 } else { count }, offset],
        )?;
        Ok((list, total))
    })
}
