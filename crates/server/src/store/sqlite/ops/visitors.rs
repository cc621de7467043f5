//! Visitors, and the removal of a visitor's data (GDPR).

use super::*;

pub(super) async fn visitor(s: &SqliteStore, id: &str) -> StoreResult<Option<Visitor>> {
    s.read(|c| load(c, "visitors", id))
}

pub(super) async fn visitor_by_token(s: &SqliteStore, token: &str) -> StoreResult<Option<Visitor>> {
    s.read(|c| one_doc(c, "SELECT doc FROM visitors WHERE token = ?1", [token]))
}

pub(super) async fn visitor_by_phone(s: &SqliteStore, phone: &str) -> StoreResult<Option<Visitor>> {
    s.read(|c| {
        one_doc(
            c,
            "SELECT doc FROM visitors WHERE phone = ?1 LIMIT 1",
            [phone],
        )
    })
}

pub(super) async fn visitor_by_email(s: &SqliteStore, email: &str) -> StoreResult<Option<Visitor>> {
    s.read(|c| {
        one_doc(
            c,
            "SELECT doc FROM visitors WHERE email = ?1 LIMIT 1",
            [email.to_lowercase()],
        )
    })
}

pub(super) async fn insert_visitor(s: &SqliteStore, v: &Visitor) -> StoreResult<()> {
    let v = v.clone();
    s.write(move |c| put_visitor(c, &v, true)).await
}

pub(super) async fn modify_visitor(
    s: &SqliteStore,
    id: &str,
    f: Modify<Visitor>,
) -> StoreResult<Option<Visitor>> {
    let id = id.to_owned();
    s.write(move |c| modify_in_tx(c, &id, &*f)).await
}

pub(super) async fn remove_visitor_data(
    s: &SqliteStore,
    token: &str,
    anonymised: &Visitor,
) -> StoreResult<()> {
    let (token, anonymised) = (token.to_owned(), anonymised.clone());
    s.write(move |c| {
        for sql in [
            "DELETE FROM messages WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
            "DELETE FROM messages WHERE rid IS NULL AND token = ?1",
            "DELETE FROM navigation_pending WHERE token = ?1",
            "DELETE FROM uploads WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
            "DELETE FROM subscriptions WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
            "DELETE FROM inquiries WHERE rid IN (SELECT id FROM rooms WHERE token = ?1)",
            "DELETE FROM rooms WHERE token = ?1",
        ] {
            c.prepare_cached(sql)?.execute([&token])?;
        }
        put_visitor(c, &anonymised, false)
    })
    .await
}

pub(super) async fn search_visitors(
    s: &SqliteStore,
    q: &VisitorSearch,
) -> StoreResult<(Vec<Visitor>, i64)> {
    let mut wh = vec!["json_extract(doc, '$.disabled') IS NOT 1".to_string()];
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut arg = |v: rusqlite::types::Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    if let Some(term) = &q.term {
        let exact = arg(term.clone().into());
        let like = arg(format!("%{}%", like_escape(term)).into());
        let mut any = vec![
            format!(
                "EXISTS (SELECT 1 FROM json_each(doc, '$.visitorEmails') e WHERE e.type = 'object' AND json_extract(e.value, '$.address') = {exact})"
            ),
            format!(
                "EXISTS (SELECT 1 FROM json_each(doc, '$.phone') p WHERE p.type = 'object' AND json_extract(p.value, '$.phoneNumber') = {exact})"
            ),
            format!("json_extract(doc, '$.name') LIKE {like} ESCAPE '\\'"),
            format!("json_extract(doc, '$.username') LIKE {like} ESCAPE '\\'"),
        ];
        for k in &q.custom_fields {
            let pk = arg(k.clone().into());
            any.push(format!(
                "EXISTS (SELECT 1 FROM json_each(doc, '$.livechatData') f WHERE f.key = {pk} AND f.type = 'text' AND f.value LIKE {like} ESCAPE '\\')"
            ));
        }
        wh.push(format!("({})", any.join(" OR ")));
    }
    let wh = wh.join(" AND ");
    let order = order_by(
        &q.sort,
        &[
            ("ts", "json_extract(doc, '$.ts')"),
            ("name", "json_extract(doc, '$.name')"),
            ("username", "json_extract(doc, '$.username')"),
            ("_updatedAt", "json_extract(doc, '$._updatedAt')"),
            ("lastChat.ts", "json_extract(doc, '$.lastChat.ts')"),
        ],
        "json_extract(doc, '$.ts') DESC",
    );
    let limit = if q.count <= 0 { -1 } else { q.count };
    s.read(|c| {
        let total: i64 = c
            .prepare(&format!("SELECT COUNT(*) FROM visitors WHERE {wh}"))?
            .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
        let mut page_args = args.clone();
        page_args.push(limit.into());
        page_args.push(q.offset.into());
        let n = page_args.len();
        let list = many_docs(
            c,
            &format!(
                "SELECT doc FROM visitors WHERE {wh} ORDER BY {order}, rowid DESC LIMIT ?{} OFFSET ?{}",
                n - 1,
                n
            ),
            rusqlite::params_from_iter(page_args.iter()),
        )?;
        Ok((list, total))
    })
}

pub(super) async fn visitors_by_name_prefix(
    s: &SqliteStore,
    prefix: &str,
    exceptions: &[String],
    limit: i64,
) -> StoreResult<Vec<Visitor>> {
    let like = format!("{}%", like_escape(prefix));
    let except = serde_json::to_string(exceptions)?;
    s.read(|c| {
        many_docs(
            c,
            "SELECT doc FROM visitors WHERE json_extract(doc, '$.name') LIKE ?1 ESCAPE '\\'
               AND id NOT IN (SELECT value FROM json_each(?2))
             ORDER BY json_extract(doc, '$.name'), rowid LIMIT ?3",
            params![like, except, limit],
        )
    })
}

pub(super) async fn count_visitors_active_in(s: &SqliteStore, month: &str) -> StoreResult<i64> {
    s.read(|c| {
        Ok(c.prepare_cached(
            "SELECT COUNT(*) FROM visitors
             WHERE EXISTS (SELECT 1 FROM json_each(doc, '$.activity') WHERE value = ?1)",
        )?
        .query_row([month], |r| r.get(0))?)
    })
}

pub(super) async fn visitor_by_contact(
    s: &SqliteStore,
    q: &ContactLookup,
) -> StoreResult<Option<Visitor>> {
    let mut wh = vec!["json_extract(doc, '$.disabled') IS NOT 1".to_string()];
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut arg = |v: rusqlite::types::Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    if let Some(email) = &q.email {
        let a = arg(email.clone().into());
        wh.push(format!(
            "EXISTS (SELECT 1 FROM json_each(doc, '$.visitorEmails') e WHERE e.type = 'object' AND json_extract(e.value, '$.address') = {a})"
        ));
    }
    if let Some(phone) = &q.phone {
        let a = arg(phone.clone().into());
        wh.push(format!(
            "EXISTS (SELECT 1 FROM json_each(doc, '$.phone') p WHERE p.type = 'object' AND json_extract(p.value, '$.phoneNumber') = {a})"
        ));
    }
    for (k, text) in &q.custom {
        let pk = arg(k.clone().into());
        let like = arg(format!("%{}%", like_escape(text)).into());
        wh.push(format!(
            "EXISTS (SELECT 1 FROM json_each(doc, '$.livechatData') f WHERE f.key = {pk} AND f.type = 'text' AND f.value LIKE {like} ESCAPE '\\')"
        ));
    }
    let sql = format!(
        "SELECT doc FROM visitors WHERE {} ORDER BY rowid LIMIT 1",
        wh.join(" AND ")
    );
    s.read(move |c| one_doc(c, &sql, rusqlite::params_from_iter(args.iter())))
}
