//! Livechat custom fields (upstream's `livechat/custom-fields`).

use super::*;

fn put_custom_field(c: &Conn, f: &CustomField, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO custom_fields (id, label, scope, doc) VALUES (?1, ?2, ?3, ?4)"
    } else {
        "UPDATE custom_fields SET label = ?2, scope = ?3, doc = ?4 WHERE id = ?1"
    };
    c.prepare_cached(sql)?
        .execute(params![f.id, f.label, f.scope, to_doc(f)?])?;
    Ok(())
}

impl DocRow for CustomField {
    const TABLE: &'static str = "custom_fields";
    fn put(c: &Conn, d: &Self) -> StoreResult<()> {
        put_custom_field(c, d, false)
    }
}

pub(super) fn custom_field_tx(c: &Conn, id: &str) -> StoreResult<Option<CustomField>> {
    load(c, "custom_fields", id)
}

pub(super) fn custom_fields_tx(c: &Conn, scope: Option<&str>) -> StoreResult<Vec<CustomField>> {
    many_docs(
        c,
        "SELECT doc FROM custom_fields WHERE ?1 IS NULL OR scope = ?1 ORDER BY id",
        [scope],
    )
}

pub(super) fn list_custom_fields_tx(
    c: &Conn,
    text: Option<&str>,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<CustomField>, i64)> {
    let text = text
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", like_escape(t)));
    let wh = "(?1 IS NULL OR id LIKE ?1 ESCAPE '\\' OR label LIKE ?1 ESCAPE '\\')";
    let total: i64 = c
        .prepare_cached(&format!("SELECT COUNT(*) FROM custom_fields WHERE {wh}"))?
        .query_row([&text], |r| r.get(0))?;
    let order = order_by(
        sort,
        &[("_id", "id"), ("label", "label"), ("scope", "scope")],
        "label",
    );
    let docs = many_docs(
        c,
        &format!(
            "SELECT doc FROM custom_fields WHERE {wh} ORDER BY {order}, id LIMIT ?2 OFFSET ?3"
        ),
        params![text, if count <= 0 { -1 } else { count }, offset],
    )?;
    Ok((docs, total))
}

pub(super) fn insert_custom_field_tx(c: &Conn, f: &CustomField) -> StoreResult<()> {
    put_custom_field(c, f, true)
}

pub(super) fn modify_custom_field_tx(
    c: &Conn,
    id: &str,
    f: &ModifyFn<CustomField>,
) -> StoreResult<Option<CustomField>> {
    modify_in_tx(c, id, f)
}

pub(super) fn delete_by_id(c: &Conn, table: &str, id: &str) -> StoreResult<bool> {
    Ok(
        c.prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))?
            .execute([id])?
            > 0,
    )
}

pub(super) async fn custom_field(s: &SqliteStore, id: &str) -> StoreResult<Option<CustomField>> {
    s.read(|c| custom_field_tx(c, id))
}

pub(super) async fn custom_fields(
    s: &SqliteStore,
    scope: Option<&str>,
) -> StoreResult<Vec<CustomField>> {
    s.read(|c| custom_fields_tx(c, scope))
}

pub(super) async fn list_custom_fields(
    s: &SqliteStore,
    text: Option<&str>,
    offset: i64,
    count: i64,
    sort: &[(String, bool)],
) -> StoreResult<(Vec<CustomField>, i64)> {
    s.read(|c| list_custom_fields_tx(c, text, offset, count, sort))
}

pub(super) async fn insert_custom_field(s: &SqliteStore, f: &CustomField) -> StoreResult<()> {
    let f = f.clone();
    s.write(move |c| insert_custom_field_tx(c, &f)).await
}

pub(super) async fn modify_custom_field(
    s: &SqliteStore,
    id: &str,
    f: Modify<CustomField>,
) -> StoreResult<Option<CustomField>> {
    let id = id.to_owned();
    s.write(move |c| modify_custom_field_tx(c, &id, &*f)).await
}

pub(super) async fn delete_custom_field(s: &SqliteStore, id: &str) -> StoreResult<bool> {
    let id = id.to_owned();
    s.write(move |c| delete_by_id(c, "custom_fields", &id))
        .await
}
