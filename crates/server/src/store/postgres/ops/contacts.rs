//! Omnichannel contacts (7.0's `rocketchat_livechat_contact`).

use super::*;

fn put_contact(d: &Contact, insert: bool) -> StoreResult<PgQuery> {
    let sql = if insert {
        "INSERT INTO contacts (id, name, doc) VALUES ($1, $2, $3::json)"
    } else {
        "UPDATE contacts SET name = $2, doc = $3::json WHERE id = $1"
    };
    Ok(sql_q(sql)
        .bind(d.id.clone())
        .bind(d.name.clone())
        .bind(to_doc(d)?))
}

doc_row!(Contact, "contacts", |d| put_contact(d, false));

pub(super) async fn insert_contact(s: &PgStore, d: &Contact) -> StoreResult<()> {
    q_exec_pool(&s.pool, put_contact(d, true)?).await?;
    Ok(())
}

pub(super) async fn contact(s: &PgStore, id: &str) -> StoreResult<Option<Contact>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn modify_contact(
    s: &PgStore,
    id: &str,
    f: Modify<Contact>,
) -> StoreResult<Option<Contact>> {
    in_tx!(s, |c| modify_in_tx(c, id, &*f).await)
}

pub(super) async fn delete_contact(s: &PgStore, id: &str) -> StoreResult<bool> {
    Ok(sql_q("DELETE FROM contacts WHERE id = $1")
        .bind(id.to_owned())
        .execute(&s.pool)
        .await?
        .rows_affected()
        > 0)
}

pub(super) async fn search_contacts(
    s: &PgStore,
    q: &ContactSearch,
) -> StoreResult<(Vec<Contact>, i64)> {
    let text = q
        .text
        .as_deref()
        .filter(|t| !t.is_empty())
        .map(|t| format!("%{}%", like_escape(t)));
    let wh = "($1::text IS NULL OR name ILIKE $1
        OR EXISTS (SELECT 1 FROM json_array_elements_text(doc->'emails') e WHERE e ILIKE $1)
        OR EXISTS (SELECT 1 FROM json_array_elements_text(doc->'phones') p WHERE p ILIKE $1))";
    let total: i64 = dyn_scalar(format!("SELECT COUNT(*) FROM contacts WHERE {wh}"))
        .bind(text.clone())
        .fetch_one(&s.pool)
        .await?;
    let order = order_by(
        &q.sort,
        &[
            ("name", "name"),
            ("_id", "id"),
            ("createdAt", "(doc->>'createdAt') COLLATE \"C\""),
            ("_updatedAt", "(doc->>'_updatedAt') COLLATE \"C\""),
            ("lastChat.ts", "(doc->'lastChat'->>'ts') COLLATE \"C\""),
            ("contactManager", "(doc->>'contactManager') COLLATE \"C\""),
        ],
        "name",
    );
    let docs: Vec<String> = dyn_scalar(format!(
        "SELECT doc::text FROM contacts WHERE {wh} ORDER BY {order}, seq LIMIT $2 OFFSET $3"
    ))
    .bind(text)
    .bind(limit_of(q.count))
    .bind(q.offset)
    .fetch_all(&s.pool)
    .await?;
    Ok((from_docs(docs)?, total))
}
