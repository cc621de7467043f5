//! Visitors, and the removal of a visitor's data (GDPR).

use super::*;

pub(super) async fn visitor(s: &PgStore, id: &str) -> StoreResult<Option<Visitor>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn visitor_by_token(s: &PgStore, token: &str) -> StoreResult<Option<Visitor>> {
    opt_doc(
        scalar("SELECT doc::text FROM visitors WHERE token = $1")
            .bind(token.to_owned())
            .fetch_optional(&s.pool)
            .await?,
    )
}

pub(super) async fn visitor_by_phone(s: &PgStore, phone: &str) -> StoreResult<Option<Visitor>> {
    opt_doc(
        scalar("SELECT doc::text FROM visitors WHERE phone = $1 LIMIT 1")
            .bind(phone.to_owned())
            .fetch_optional(&s.pool)
            .await?,
    )
}

pub(super) async fn visitor_by_email(s: &PgStore, email: &str) -> StoreResult<Option<Visitor>> {
    opt_doc(
        scalar("SELECT doc::text FROM visitors WHERE email = $1 LIMIT 1")
            .bind(email.to_lowercase())
            .fetch_optional(&s.pool)
            .await?,
    )
}

pub(super) async fn insert_visitor(s: &PgStore, v: &Visitor) -> StoreResult<()> {
    q_exec_pool(&s.pool, put_visitor(v, true)?).await?;
    Ok(())
}

pub(super) async fn modify_visitor(
    s: &PgStore,
    id: &str,
    f: Modify<Visitor>,
) -> StoreResult<Option<Visitor>> {
    in_tx!(s, |c| modify_in_tx(c, id, &*f).await)
}

pub(super) async fn remove_visitor_data(
    s: &PgStore,
    token: &str,
    anonymised: &Visitor,
) -> StoreResult<()> {
    in_tx!(s, |c| {
        for sql in [
            "DELETE FROM messages WHERE rid IN (SELECT id FROM rooms WHERE token = $1)",
            "DELETE FROM messages WHERE rid IS NULL AND token = $1",
            "DELETE FROM navigation_pending WHERE token = $1",
            "DELETE FROM uploads WHERE rid IN (SELECT id FROM rooms WHERE token = $1)",
            "DELETE FROM subscriptions WHERE rid IN (SELECT id FROM rooms WHERE token = $1)",
            "DELETE FROM inquiries WHERE rid IN (SELECT id FROM rooms WHERE token = $1)",
            "DELETE FROM rooms WHERE token = $1",
        ] {
            q_exec(c, sql_q(sql).bind(token.to_owned())).await?;
        }
        run(c, put_visitor(anonymised, false)).await?;
        Ok(())
    })
}

pub(super) async fn search_visitors(
    s: &PgStore,
    q: &VisitorSearch,
) -> StoreResult<(Vec<Visitor>, i64)> {
    let mut wh = vec!["COALESCE(doc->>'disabled', '') <> 'true'".to_string()];
    let mut args: Vec<Arg> = Vec::new();
    let mut arg = |v: Arg| {
        args.push(v);
        format!("${}", args.len())
    };
    if let Some(term) = &q.term {
        let exact = arg(Arg::Text(term.clone()));
        let like = arg(Arg::Text(format!("%{}%", like_escape(term))));
        let mut any = vec![
            format!(
                "EXISTS (SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(doc->'visitorEmails') = 'array'
                    THEN doc->'visitorEmails' END) e(v) WHERE json_typeof(e.v) = 'object' AND (e.v->>'address') = {exact})"
            ),
            format!(
                "EXISTS (SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(doc->'phone') = 'array'
                    THEN doc->'phone' END) p(v) WHERE json_typeof(p.v) = 'object' AND (p.v->>'phoneNumber') = {exact})"
            ),
            format!("(doc->>'name') ILIKE {like}"),
            format!("(doc->>'username') ILIKE {like}"),
        ];
        for k in &q.custom_fields {
            let pk = arg(Arg::Text(k.clone()));
            any.push(format!(
                "(CASE WHEN json_typeof(doc->'livechatData') = 'object' AND json_typeof(doc->'livechatData'->{pk}) = 'string'
                    THEN (doc->'livechatData'->>{pk}) END) ILIKE {like}"
            ));
        }
        wh.push(format!("({})", any.join(" OR ")));
    }
    let wh = wh.join(" AND ");
    let order = order_by(
        &q.sort,
        &[
            ("ts", "(doc->>'ts') COLLATE \"C\""),
            ("name", "(doc->>'name') COLLATE \"C\""),
            ("username", "(doc->>'username') COLLATE \"C\""),
            ("_updatedAt", "(doc->>'_updatedAt') COLLATE \"C\""),
            ("lastChat.ts", "(doc->'lastChat'->>'ts') COLLATE \"C\""),
        ],
        "(doc->>'ts') COLLATE \"C\" DESC NULLS LAST",
    );
    let total: i64 = bind_args(
        dyn_scalar(format!("SELECT COUNT(*) FROM visitors WHERE {wh}")),
        &args,
    )
    .fetch_one(&s.pool)
    .await?;
    let n = args.len();
    let list: Vec<String> = bind_args(
        dyn_scalar(format!(
            "SELECT doc::text FROM visitors WHERE {wh} ORDER BY {order}, id LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        )),
        &args,
    )
    .bind(limit_of(q.count))
    .bind(q.offset)
    .fetch_all(&s.pool)
    .await?;
    Ok((from_docs(list)?, total))
}

pub(super) async fn visitors_by_name_prefix(
    s: &PgStore,
    prefix: &str,
    exceptions: &[String],
    limit: i64,
) -> StoreResult<Vec<Visitor>> {
    from_docs(
        scalar(
            "SELECT doc::text FROM visitors WHERE (doc->>'name') ILIKE $1 AND NOT (id = ANY($2))
             ORDER BY (doc->>'name') COLLATE \"C\", id LIMIT $3",
        )
        .bind(format!("{}%", like_escape(prefix)))
        .bind(exceptions.to_vec())
        .bind(limit)
        .fetch_all(&s.pool)
        .await?,
    )
}

pub(super) async fn count_visitors_active_in(s: &PgStore, month: &str) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*)::bigint FROM visitors
         WHERE json_typeof(doc->'activity') = 'array'
           AND jsonb_exists(doc::jsonb->'activity', $1)",
    )
    .bind(month.to_owned())
    .fetch_one(&s.pool)
    .await?)
}

pub(super) async fn visitor_by_contact(
    s: &PgStore,
    q: &ContactLookup,
) -> StoreResult<Option<Visitor>> {
    let mut wh = vec!["COALESCE(doc->>'disabled', '') <> 'true'".to_string()];
    let mut args: Vec<Arg> = Vec::new();
    let mut arg = |v: Arg| {
        args.push(v);
        format!("${}", args.len())
    };
    if let Some(email) = &q.email {
        let a = arg(Arg::Text(email.clone()));
        wh.push(format!(
            "EXISTS (SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(doc->'visitorEmails') = 'array'
                THEN doc->'visitorEmails' END) e(v) WHERE json_typeof(e.v) = 'object' AND (e.v->>'address') = {a})"
        ));
    }
    if let Some(phone) = &q.phone {
        let a = arg(Arg::Text(phone.clone()));
        wh.push(format!(
            "EXISTS (SELECT 1 FROM json_array_elements(CASE WHEN json_typeof(doc->'phone') = 'array'
                THEN doc->'phone' END) p(v) WHERE json_typeof(p.v) = 'object' AND (p.v->>'phoneNumber') = {a})"
        ));
    }
    for (k, text) in &q.custom {
        let pk = arg(Arg::Text(k.clone()));
        let like = arg(Arg::Text(format!("%{}%", like_escape(text))));
        wh.push(format!(
            "(CASE WHEN json_typeof(doc->'livechatData') = 'object' AND json_typeof(doc->'livechatData'->{pk}) = 'string'
                THEN (doc->'livechatData'->>{pk}) END) ILIKE {like}"
        ));
    }
    let list: Vec<String> = bind_args(
        dyn_scalar(format!(
            "SELECT doc::text FROM visitors WHERE {} ORDER BY (doc->>'ts') COLLATE \"C\", id LIMIT 1",
            wh.join(" AND ")
        )),
        &args,
    )
    .fetch_all(&s.pool)
    .await?;
    Ok(from_docs(list)?.into_iter().next())
}
