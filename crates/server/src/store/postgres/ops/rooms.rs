//! Rooms: lookups by id and visitor token, `livechat/rooms` filters, subscriptions.

use super::*;

pub(super) async fn room(s: &PgStore, id: &str) -> StoreResult<Option<Room>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn open_room_by_token(s: &PgStore, token: &str) -> StoreResult<Option<Room>> {
    opt_doc(
        scalar(OPEN_ROOM_BY_TOKEN)
            .bind(token.to_owned())
            .fetch_optional(&s.pool)
            .await?,
    )
}

pub(super) async fn open_room_json(s: &PgStore, token: &str) -> StoreResult<Option<String>> {
    Ok(scalar(OPEN_ROOM_BY_TOKEN)
        .bind(token.to_owned())
        .fetch_optional(&s.pool)
        .await?)
}

pub(super) async fn room_by_token(
    s: &PgStore,
    token: &str,
    rid: Option<&str>,
) -> StoreResult<Option<Room>> {
    let doc: Option<String> = match rid {
        Some(rid) => {
            scalar("SELECT doc::text FROM rooms WHERE id = $1 AND token = $2")
                .bind(rid.to_owned())
                .bind(token.to_owned())
                .fetch_optional(&s.pool)
                .await?
        }
        None => scalar(
            "SELECT doc::text FROM rooms WHERE token = $1 ORDER BY open IS NULL, ts DESC LIMIT 1",
        )
        .bind(token.to_owned())
        .fetch_optional(&s.pool)
        .await?,
    };
    opt_doc(doc)
}

pub(super) async fn visitor_exists(s: &PgStore, token: &str) -> StoreResult<bool> {
    Ok(
        scalar("SELECT EXISTS (SELECT 1 FROM visitors WHERE token = $1)")
            .bind(token.to_owned())
            .fetch_one(&s.pool)
            .await?,
    )
}

pub(super) async fn room_of_token_exists(s: &PgStore, token: &str, rid: &str) -> StoreResult<bool> {
    Ok(
        scalar("SELECT EXISTS (SELECT 1 FROM rooms WHERE id = $1 AND token = $2)")
            .bind(rid.to_owned())
            .bind(token.to_owned())
            .fetch_one(&s.pool)
            .await?,
    )
}

pub(super) async fn open_rooms_by_token(s: &PgStore, token: &str) -> StoreResult<Vec<Room>> {
    from_docs(
        scalar(OPEN_ROOM_BY_TOKEN)
            .bind(token.to_owned())
            .fetch_all(&s.pool)
            .await?,
    )
}

pub(super) async fn modify_room(
    s: &PgStore,
    id: &str,
    f: Modify<Room>,
) -> StoreResult<Option<Room>> {
    in_tx!(s, |c| modify_in_tx(c, id, &*f).await)
}

pub(super) async fn list_rooms(s: &PgStore, rq: &RoomQuery) -> StoreResult<(Vec<Room>, i64)> {
    let mut wh = vec!["1 = 1".to_string()];
    let mut args: Vec<Arg> = Vec::new();
    let mut arg = |v: Arg| {
        args.push(v);
        format!("${}", args.len())
    };
    if !rq.agents.is_empty() {
        let p = arg(Arg::Texts(rq.agents.clone()));
        wh.push(format!("served_by = ANY({p})"));
    }
    if let Some(d) = &rq.department_id {
        let p = arg(Arg::Text(d.clone()));
        wh.push(format!("department_id = {p}"));
    }
    match rq.open {
        Some(true) => wh.push("open = 1".into()),
        Some(false) => wh.push("open IS NULL".into()),
        None => {}
    }
    if let Some(n) = &rq.name {
        let p = arg(Arg::Text(format!("%{}%", like_escape(n))));
        wh.push(format!("(doc->>'fname') ILIKE {p}"));
    }
    if let Some(t) = &rq.text {
        let p = arg(Arg::Text(format!("%{}%", like_escape(t))));
        wh.push(format!(
            "((doc->>'fname') ILIKE {p}
              OR EXISTS (SELECT 1 FROM visitors vi WHERE vi.token = rooms.token AND vi.email ILIKE {p})
              OR EXISTS (SELECT 1 FROM messages m WHERE m.rid = rooms.id AND (m.doc->>'msg') ILIKE {p}))"
        ));
    }
    if let Some(t) = rq.created.0 {
        let p = arg(Arg::Int(t.millis()));
        wh.push(format!("ts >= {p}"));
    }
    if let Some(t) = rq.created.1 {
        let p = arg(Arg::Int(t.millis()));
        wh.push(format!("ts <= {p}"));
    }
    if rq.closed.0.is_some() || rq.closed.1.is_some() {
        wh.push("(doc->>'closedAt') IS NOT NULL".into());
        if let Some(t) = rq.closed.0 {
            let p = arg(Arg::Text(t.iso()));
            wh.push(format!("(doc->>'closedAt') COLLATE \"C\" >= {p}"));
        }
        if let Some(t) = rq.closed.1 {
            let p = arg(Arg::Text(t.iso()));
            wh.push(format!("(doc->>'closedAt') COLLATE \"C\" <= {p}"));
        }
    }
    if !rq.tags.is_empty() {
        let p = arg(Arg::Texts(rq.tags.clone()));
        wh.push(format!(
            "EXISTS (SELECT 1 FROM json_array_elements_text(CASE WHEN json_typeof(doc->'tags') = 'array'
                THEN doc->'tags' END) t(v) WHERE t.v = ANY({p}))"
        ));
    }
    for (k, v) in &rq.custom_fields {
        let pk = arg(Arg::Text(k.clone()));
        let pv = arg(Arg::Text(format!("%{}%", like_escape(v))));
        wh.push(format!(
            "(CASE WHEN json_typeof(doc->'livechatData') = 'object' AND json_typeof(doc->'livechatData'->{pk}) = 'string'
                THEN (doc->'livechatData'->>{pk}) END) ILIKE {pv}"
        ));
    }
    if rq.queued {
        wh.push("open = 1 AND served_by IS NULL".into());
    }
    match rq.served {
        Some(true) => wh.push("served_by IS NOT NULL".into()),
        Some(false) => wh.push("served_by IS NULL".into()),
        None => {}
    }
    let wh = wh.join(" AND ");
    let order = order_by(
        &rq.sort,
        &[
            ("ts", "ts"),
            ("fname", "(doc->>'fname') COLLATE \"C\""),
            ("closedAt", "(doc->>'closedAt') COLLATE \"C\""),
            ("_updatedAt", "(doc->>'_updatedAt') COLLATE \"C\""),
            ("lm", "(doc->>'lm') COLLATE \"C\""),
            (
                "msgs",
                "(CASE WHEN json_typeof(doc->'msgs') = 'number' THEN (doc->>'msgs')::numeric END)",
            ),
        ],
        "ts DESC",
    );
    rooms_page(s, &wh, &order, &args, rq.offset, rq.count).await
}

pub(super) async fn subscriptions_of_room(
    s: &PgStore,
    rid: &str,
) -> StoreResult<Vec<Subscription>> {
    from_docs(
        scalar("SELECT doc::text FROM subscriptions WHERE rid = $1")
            .bind(rid.to_owned())
            .fetch_all(&s.pool)
            .await?,
    )
}

pub(super) async fn subscriptions_of_user(
    s: &PgStore,
    user_id: &str,
) -> StoreResult<Vec<Subscription>> {
    from_docs(
        scalar("SELECT doc::text FROM subscriptions WHERE user_id = $1")
            .bind(user_id.to_owned())
            .fetch_all(&s.pool)
            .await?,
    )
}

pub(super) async fn bump_unread(
    s: &PgStore,
    rid: &str,
    sender: &str,
    now: Ts,
) -> StoreResult<Vec<Subscription>> {
    from_docs(bump_unread_sql(rid, sender, now).fetch_all(&s.pool).await?)
}

pub(super) fn bump_unread_sql(
    rid: &str,
    sender: &str,
    now: Ts,
) -> sqlx::query::QueryScalar<'static, sqlx::Postgres, String, sqlx::postgres::PgArguments> {
    scalar(
        "UPDATE subscriptions SET doc = (doc::jsonb || jsonb_build_object(
             'unread', COALESCE((doc->>'unread')::bigint, 0) + 1, 'alert', true, 'open', true,
             '_updatedAt', $3::text))::json
         WHERE rid = $1 AND user_id <> $2
         RETURNING doc::text",
    )
    .bind(rid.to_owned())
    .bind(sender.to_owned())
    .bind(now.iso())
}

pub(super) async fn mark_read(
    s: &PgStore,
    rid: &str,
    user: &str,
    now: Ts,
) -> StoreResult<Option<Subscription>> {
    let doc: Option<String> = scalar(
        "UPDATE subscriptions SET doc = (doc::jsonb || jsonb_build_object('unread', 0, 'alert', false,
             '_updatedAt', $3::text))::json
         WHERE rid = $1 AND user_id = $2
         RETURNING doc::text",
    )
    .bind(rid.to_owned())
    .bind(user.to_owned())
    .bind(now.iso())
    .fetch_optional(&s.pool)
    .await?;
    opt_doc(doc)
}

pub(super) async fn open_chats_by_server(
    s: &PgStore,
    department_id: Option<&str>,
) -> StoreResult<Vec<(String, Option<String>, i64)>> {
    Ok(sqlx::query_as(
        "SELECT served_by, department_id, COUNT(*)::bigint FROM rooms
         WHERE open = 1 AND served_by IS NOT NULL AND ($1::text IS NULL OR department_id = $1)
         GROUP BY served_by, department_id",
    )
    .bind(department_id.map(str::to_owned))
    .fetch_all(&s.pool)
    .await?)
}

pub(super) async fn visitor_rooms(
    s: &PgStore,
    q: &VisitorRoomsQuery,
) -> StoreResult<(Vec<Room>, i64)> {
    let mut ids = vec![q.visitor_id.clone()];
    ids.extend(q.other_visitor_ids.iter().cloned());
    let mut wh = vec!["(doc->'v'->>'_id') = ANY($1)".to_string()];
    let mut args: Vec<Arg> = vec![Arg::Texts(ids)];
    let mut arg = |v: Arg| {
        args.push(v);
        format!("${}", args.len())
    };
    if q.closed_only {
        wh.push("(doc->>'closedAt') IS NOT NULL".into());
    }
    if q.served_only {
        wh.push("(doc->>'servedBy') IS NOT NULL".into());
    }
    if let Some(src) = &q.source {
        let p = arg(Arg::Text(format!("%{}%", like_escape(src))));
        wh.push(format!(
            "((doc->'source'->>'type') ILIKE {p} OR (doc->'source'->>'alias') ILIKE {p})"
        ));
    }
    if let Some(text) = &q.message_text {
        let p = arg(Arg::Text(text.clone()));
        wh.push(format!(
            "EXISTS (SELECT 1 FROM messages m WHERE m.rid = rooms.id AND strpos(m.doc->>'msg', {p}) > 0)"
        ));
    }
    let wh = wh.join(" AND ");
    let order = order_by(
        &q.sort,
        &[
            ("ts", "ts"),
            ("fname", "(doc->>'fname') COLLATE \"C\""),
            ("closedAt", "(doc->>'closedAt') COLLATE \"C\""),
            ("_updatedAt", "(doc->>'_updatedAt') COLLATE \"C\""),
            (
                "msgs",
                "(CASE WHEN json_typeof(doc->'msgs') = 'number' THEN (doc->>'msgs')::numeric END)",
            ),
        ],
        "ts DESC",
    );
    rooms_page(s, &wh, &format!("{order}, id"), &args, q.offset, q.count).await
}

pub(super) async fn room_source_types(s: &PgStore) -> StoreResult<Vec<String>> {
    Ok(scalar(
        "SELECT DISTINCT (doc->'source'->>'type') COLLATE \"C\" AS t FROM rooms
         WHERE doc->'source'->>'type' IS NOT NULL ORDER BY t",
    )
    .fetch_all(&s.pool)
    .await?)
}

/// One page of the rooms matching `wh` (its `$n` placeholders bound to `args`), with the
/// total; `count` 0 = all.
async fn rooms_page(
    s: &PgStore,
    wh: &str,
    order: &str,
    args: &[Arg],
    offset: i64,
    count: i64,
) -> StoreResult<(Vec<Room>, i64)> {
    let total: i64 = bind_args(
        dyn_scalar(format!("SELECT COUNT(*) FROM rooms WHERE {wh}")),
        args,
    )
    .fetch_one(&s.pool)
    .await?;
    let n = args.len();
    let rooms: Vec<String> = bind_args(
        dyn_scalar(format!(
            "SELECT doc::text FROM rooms WHERE {wh} ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        )),
        args,
    )
    .bind(limit_of(count))
    .bind(offset)
    .fetch_all(&s.pool)
    .await?;
    Ok((from_docs(rooms)?, total))
}
