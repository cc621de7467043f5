//! Rooms: lookups by id and visitor token, `livechat/rooms` filters, subscriptions.

use super::*;

pub(super) async fn room(s: &SqliteStore, id: &str) -> StoreResult<Option<Room>> {
    s.read(|c| load(c, "rooms", id))
}

pub(super) async fn open_room_by_token(s: &SqliteStore, token: &str) -> StoreResult<Option<Room>> {
    s.read(|c| one_doc(c, OPEN_ROOM_BY_TOKEN, [token]))
}

pub(super) async fn open_room_json(s: &SqliteStore, token: &str) -> StoreResult<Option<String>> {
    s.read(|c| {
        Ok(c.prepare_cached(OPEN_ROOM_BY_TOKEN)?
            .query_row([token], |r| r.get(0))
            .optional()?)
    })
}

pub(super) async fn room_by_token(
    s: &SqliteStore,
    token: &str,
    rid: Option<&str>,
) -> StoreResult<Option<Room>> {
    s.read(|c| match rid {
        Some(rid) => one_doc(
            c,
            "SELECT doc FROM rooms WHERE id = ?1 AND token = ?2",
            [rid, token],
        ),
        None => one_doc(
            c,
            "SELECT doc FROM rooms WHERE token = ?1 ORDER BY open IS NULL, ts DESC LIMIT 1",
            [token],
        ),
    })
}

pub(super) async fn visitor_exists(s: &SqliteStore, token: &str) -> StoreResult<bool> {
    s.read(|c| {
        Ok(
            c.prepare_cached("SELECT EXISTS (SELECT 1 FROM visitors WHERE token = ?1)")?
                .query_row([token], |r| r.get(0))?,
        )
    })
}

pub(super) async fn room_of_token_exists(
    s: &SqliteStore,
    token: &str,
    rid: &str,
) -> StoreResult<bool> {
    s.read(|c| {
        Ok(
            c.prepare_cached("SELECT EXISTS (SELECT 1 FROM rooms WHERE id = ?1 AND token = ?2)")?
                .query_row([rid, token], |r| r.get(0))?,
        )
    })
}

pub(super) async fn open_rooms_by_token(s: &SqliteStore, token: &str) -> StoreResult<Vec<Room>> {
    s.read(|c| many_docs(c, OPEN_ROOM_BY_TOKEN, [token]))
}

pub(super) async fn modify_room(
    s: &SqliteStore,
    id: &str,
    f: Modify<Room>,
) -> StoreResult<Option<Room>> {
    let id = id.to_owned();
    s.write(move |c| modify_in_tx(c, &id, &*f)).await
}

pub(super) async fn list_rooms(s: &SqliteStore, q: &RoomQuery) -> StoreResult<(Vec<Room>, i64)> {
    let mut wh = vec!["1 = 1".to_string()];
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    let mut arg = |v: rusqlite::types::Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    if !q.agents.is_empty() {
        let p = arg(serde_json::to_string(&q.agents).unwrap_or_default().into());
        wh.push(format!("served_by IN (SELECT value FROM json_each({p}))"));
    }
    if let Some(d) = &q.department_id {
        let p = arg(d.clone().into());
        wh.push(format!("department_id = {p}"));
    }
    match q.open {
        Some(true) => wh.push("open = 1".into()),
        Some(false) => wh.push("open IS NULL".into()),
        None => {}
    }
    if let Some(n) = &q.name {
        let p = arg(format!("%{}%", like_escape(n)).into());
        wh.push(format!("json_extract(doc, '$.fname') LIKE {p} ESCAPE '\\'"));
    }
    if let Some(t) = &q.text {
        let p = arg(format!("%{}%", like_escape(t)).into());
        wh.push(format!(
            "(json_extract(doc, '$.fname') LIKE {p} ESCAPE '\\'
              OR EXISTS (SELECT 1 FROM visitors vi WHERE vi.token = rooms.token AND vi.email LIKE {p} ESCAPE '\\')
              OR EXISTS (SELECT 1 FROM messages m WHERE m.rid = rooms.id
                         AND json_extract(m.doc, '$.msg') LIKE {p} ESCAPE '\\'))"
        ));
    }
    if let Some(t) = q.created.0 {
        let p = arg(t.millis().into());
        wh.push(format!("ts >= {p}"));
    }
    if let Some(t) = q.created.1 {
        let p = arg(t.millis().into());
        wh.push(format!("ts <= {p}"));
    }
    if q.closed.0.is_some() || q.closed.1.is_some() {
        wh.push("json_extract(doc, '$.closedAt') IS NOT NULL".into());
        if let Some(t) = q.closed.0 {
            let p = arg(t.iso().into());
            wh.push(format!("json_extract(doc, '$.closedAt') >= {p}"));
        }
        if let Some(t) = q.closed.1 {
            let p = arg(t.iso().into());
            wh.push(format!("json_extract(doc, '$.closedAt') <= {p}"));
        }
    }
    if !q.tags.is_empty() {
        let p = arg(serde_json::to_string(&q.tags).unwrap_or_default().into());
        wh.push(format!(
            "EXISTS (SELECT 1 FROM json_each(json_extract(doc, '$.tags')) t WHERE t.value IN (SELECT value FROM json_each({p})))"
        ));
    }
    for (k, v) in &q.custom_fields {
        let pk = arg(k.clone().into());
        let pv = arg(format!("%{}%", like_escape(v)).into());
        wh.push(format!(
            "EXISTS (SELECT 1 FROM json_each(doc, '$.livechatData') f WHERE f.key = {pk} AND f.type = 'text' AND f.value LIKE {pv} ESCAPE '\\')"
        ));
    }
    if q.queued {
        wh.push("open = 1 AND served_by IS NULL".into());
    }
    match q.served {
        Some(true) => wh.push("served_by IS NOT NULL".into()),
        Some(false) => wh.push("served_by IS NULL".into()),
        None => {}
    }
    let wh = wh.join(" AND ");
    let order = order_by(
        &q.sort,
        &[
            ("ts", "ts"),
            ("fname", "json_extract(doc, '$.fname')"),
            ("closedAt", "json_extract(doc, '$.closedAt')"),
            ("_updatedAt", "json_extract(doc, '$._updatedAt')"),
            ("lm", "json_extract(doc, '$.lm')"),
            ("msgs", "json_extract(doc, '$.msgs')"),
        ],
        "ts DESC",
    );
    rooms_page(s, &wh, &order, args, q.offset, q.count)
}

pub(super) async fn subscriptions_of_room(
    s: &SqliteStore,
    rid: &str,
) -> StoreResult<Vec<Subscription>> {
    s.read(|c| many_docs(c, "SELECT doc FROM subscriptions WHERE rid = ?1", [rid]))
}

pub(super) async fn subscriptions_of_user(
    s: &SqliteStore,
    user_id: &str,
) -> StoreResult<Vec<Subscription>> {
    s.read(|c| {
        many_docs(
            c,
            "SELECT doc FROM subscriptions WHERE user_id = ?1",
            [user_id],
        )
    })
}

pub(super) async fn bump_unread(
    s: &SqliteStore,
    rid: &str,
    sender: &str,
    now: Ts,
) -> StoreResult<Vec<Subscription>> {
    let (rid, sender, now) = (rid.to_owned(), sender.to_owned(), now.iso());
    s.write(move |c| bump_unread_tx(c, &rid, &sender, &now))
        .await
}

pub(super) fn bump_unread_tx(
    c: &Conn,
    rid: &str,
    sender: &str,
    now: &str,
) -> StoreResult<Vec<Subscription>> {
    c.prepare_cached(
        "UPDATE subscriptions SET doc = json_set(doc,
             '$.unread', COALESCE(json_extract(doc, '$.unread'), 0) + 1,
             '$.alert', json('true'), '$.open', json('true'), '$._updatedAt', ?3)
         WHERE rid = ?1 AND user_id <> ?2",
    )?
    .execute([rid, sender, now])?;
    many_docs(
        c,
        "SELECT doc FROM subscriptions WHERE rid = ?1 AND user_id <> ?2",
        [rid, sender],
    )
}

pub(super) async fn mark_read(
    s: &SqliteStore,
    rid: &str,
    user: &str,
    now: Ts,
) -> StoreResult<Option<Subscription>> {
    let (rid, user, now) = (rid.to_owned(), user.to_owned(), now.iso());
    s.write(move |c| {
        c.prepare_cached(
            "UPDATE subscriptions SET doc = json_set(doc, '$.unread', 0, '$.alert', json('false'),
                 '$._updatedAt', ?3)
             WHERE rid = ?1 AND user_id = ?2",
        )?
        .execute([&rid, &user, &now])?;
        one_doc(
            c,
            "SELECT doc FROM subscriptions WHERE rid = ?1 AND user_id = ?2",
            [&rid, &user],
        )
    })
    .await
}

pub(super) async fn open_chats_by_server(
    s: &SqliteStore,
    department_id: Option<&str>,
) -> StoreResult<Vec<(String, Option<String>, i64)>> {
    s.read(|c| {
        let rows = c
            .prepare_cached(
                "SELECT served_by, department_id, COUNT(*) FROM rooms
                 WHERE open = 1 AND served_by IS NOT NULL AND (?1 IS NULL OR department_id = ?1)
                 GROUP BY served_by, department_id",
            )?
            .query_map([department_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })
}

pub(super) async fn visitor_rooms(
    s: &SqliteStore,
    q: &VisitorRoomsQuery,
) -> StoreResult<(Vec<Room>, i64)> {
    let mut args: Vec<rusqlite::types::Value> = vec![q.visitor_id.clone().into()];
    let mut arg = |v: rusqlite::types::Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    let mut ids = vec!["?1".to_string()];
    for other in &q.other_visitor_ids {
        ids.push(arg(other.clone().into()));
    }
    let mut wh = vec![format!(
        "json_extract(doc, '$.v._id') IN ({})",
        ids.join(", ")
    )];
    if q.closed_only {
        wh.push("json_extract(doc, '$.closedAt') IS NOT NULL".into());
    }
    if q.served_only {
        wh.push("json_extract(doc, '$.servedBy') IS NOT NULL".into());
    }
    if let Some(src) = &q.source {
        let p = arg(format!("%{}%", like_escape(src)).into());
        wh.push(format!(
            "(json_extract(doc, '$.source.type') LIKE {p} ESCAPE '\\' OR json_extract(doc, '$.source.alias') LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(text) = &q.message_text {
        let p = arg(text.clone().into());
        wh.push(format!(
            "EXISTS (SELECT 1 FROM messages m WHERE m.rid = rooms.id AND instr(json_extract(m.doc, '$.msg'), {p}) > 0)"
        ));
    }
    let wh = wh.join(" AND ");
    let order = order_by(
        &q.sort,
        &[
            ("ts", "ts"),
            ("fname", "json_extract(doc, '$.fname')"),
            ("closedAt", "json_extract(doc, '$.closedAt')"),
            ("_updatedAt", "json_extract(doc, '$._updatedAt')"),
            ("msgs", "json_extract(doc, '$.msgs')"),
        ],
        "ts DESC",
    );
    rooms_page(
        s,
        &wh,
        &format!("{order}, rowid DESC"),
        args,
        q.offset,
        q.count,
    )
}

pub(super) async fn room_source_types(s: &SqliteStore) -> StoreResult<Vec<String>> {
    s.read(|c| {
        let rows = c
            .prepare_cached(
                "SELECT DISTINCT json_extract(doc, '$.source.type') AS t FROM rooms
                 WHERE t IS NOT NULL ORDER BY t",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(rows)
    })
}

/// One page of the rooms matching `wh` (its `?n` placeholders bound to `args`), with the
/// total; `count` 0 = all.
fn rooms_page(
    s: &SqliteStore,
    wh: &str,
    order: &str,
    mut args: Vec<rusqlite::types::Value>,
    offset: i64,
    count: i64,
) -> StoreResult<(Vec<Room>, i64)> {
    s.read(|c| {
        let total: i64 = c
            .prepare(&format!("SELECT COUNT(*) FROM rooms WHERE {wh}"))?
            .query_row(rusqlite::params_from_iter(args.iter()), |r| r.get(0))?;
        args.push((if count <= 0 { -1 } else { count }).into());
        args.push(offset.into());
        let n = args.len();
        let rooms = many_docs(
            c,
            &format!(
                "SELECT doc FROM rooms WHERE {wh} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
                n - 1,
                n
            ),
            rusqlite::params_from_iter(args.iter()),
        )?;
        Ok((rooms, total))
    })
}
