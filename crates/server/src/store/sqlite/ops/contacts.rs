//! Omnichannel contacts (7.0's `rocketchat_livechat_contact`).

use super::*;

fn put_contact(c: &Conn, d: &Contact, insert: bool) -> StoreResult<()> {
    let sql = if insert {
        "INSERT INTO contacts (id, name, doc) VALUES (?1, ?2, ?3)"
    } else {
        "UPDATE contacts SET name = ?2, doc = ?3 WHERE id = ?1"
    };
    c.prepare_cached(sql)?
        .execute(params![d.id, d.name, to_doc(d)?])?;
    Ok(())
}

doc_row!(Contact, "contacts", |c, d| put_contact(c, d, false));

pub(super) async fn insert_contact(s: &SqliteStore, d: &Contact) -> StoreResult<()> {
    let d = d.clone();
    s.write(move |c| put_contact(c, &d, true)).await
}

pub(super) async fn contact(s: &SqliteStore, id: &str) -> StoreResult<Option<Contact>> {
    s.read(|c| load(c, "contacts", id))
}

pub(super) async fn modify_contact(
    s: &SqliteStore,
    id: &str,
    f: Modify<Contact>,
) -> StoreResult<Option<Contact>> {
    let id = id.to_owned();
    s.write(move |c| modify_in_tx(c, &id, &*f)).await
}

pub(super) async fn delete_contact(s: &SqliteStore, id: &str) -> StoreResult<bool> {
    let id = id.to_owned();
    s.write(move |c| {
        Ok(c.prepare_cached("DELETE FROM contacts WHERE id = ?1")?
            .execute([&id])?
            > 0)
    })
    .await
}

pub(super) async fn search_contacts(
    s: &SqliteStore,
    q: &ContactSearch,
) -> StoreResult<(Vec<Contact>, i64)> {
    let text = q
        .text
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", like_escape(t)));
    let wh = "(?1 IS NULL OR name LIKE ?1 ESCAPE '\\'
        OR EXISTS (SELECT 1 FROM json_each(doc, '$.emails') WHERE value LIKE ?1 ESCAPE '\\')
        OR EXISTS (SELECT 1 FROM json_each(doc, '$.phones') WHERE value LIKE ?1 ESCAPE '\\'))";
    let order = order_by(
        &q.sort,
        &[
            ("name", "name"),
            ("_id", "id"),
            ("createdAt", "json_extract(doc, '$.createdAt')"),
            ("_updatedAt", "json_extract(doc, '$._updatedAt')"),
            ("lastChat.ts", "json_extract(doc, '$.lastChat.ts')"),
            ("contactManager", "json_extract(doc, '$.contactManager')"),
        ],
        "name",
    );
    let (offset, count) = (q.offset, q.count);
    s.read(move |c| {
        let total: i64 = c
            .prepare_cached(&format!("SELECT COUNT(*) FROM contacts WHERE {wh}"))?
            .query_row([&text], |r| r.get(0))?;
        let docs = many_docs(
            c,
            &format!(
                "SELECT doc FROM contacts WHERE {wh} ORDER BY {order}, rowid LIMIT ?2 OFFSET ?3"
            ),
            params![text, if count <= 0 { -1 } else { count }, offset],
        )?;
        Ok((docs, total))
    })
}
