//! Users and their login tokens.

use super::*;

pub(super) async fn insert_user(
    s: &SqliteStore,
    user: &User,
    password_hash: Option<&str>,
) -> StoreResult<()> {
    let (user, hash) = (user.clone(), password_hash.map(str::to_owned));
    s.write(move |c| put_user(c, &user, true, hash.as_deref()))
        .await
}

pub(super) async fn user(s: &SqliteStore, id: &str) -> StoreResult<Option<User>> {
    s.read(|c| load(c, "users", id))
}

pub(super) async fn user_by_username(s: &SqliteStore, username: &str) -> StoreResult<Option<User>> {
    s.read(|c| one_doc(c, "SELECT doc FROM users WHERE username = ?1", [username]))
}

pub(super) async fn user_by_email(s: &SqliteStore, email: &str) -> StoreResult<Option<User>> {
    s.read(|c| {
        one_doc(
            c,
            "SELECT doc FROM users WHERE email = ?1",
            [email.to_lowercase()],
        )
    })
}

pub(super) async fn password_hash(s: &SqliteStore, user_id: &str) -> StoreResult<Option<String>> {
    s.read(|c| {
        Ok(
            c.prepare_cached("SELECT password_hash FROM users WHERE id = ?1")?
                .query_row([user_id], |r| r.get::<_, Option<String>>(0))
                .optional()?
                .flatten(),
        )
    })
}

pub(super) async fn set_password_hash(
    s: &SqliteStore,
    user_id: &str,
    hash: &str,
) -> StoreResult<()> {
    let (id, hash) = (user_id.to_owned(), hash.to_owned());
    s.write(move |c| {
        c.prepare_cached("UPDATE users SET password_hash = ?2 WHERE id = ?1")?
            .execute(params![id, hash])?;
        Ok(())
    })
    .await
}

pub(super) async fn modify_user(
    s: &SqliteStore,
    id: &str,
    f: Modify<User>,
) -> StoreResult<Option<User>> {
    let id = id.to_owned();
    s.write(move |c| modify_in_tx(c, &id, &*f)).await
}

pub(super) async fn delete_user(s: &SqliteStore, id: &str) -> StoreResult<bool> {
    let id = id.to_owned();
    s.write(move |c| {
        c.prepare_cached("DELETE FROM login_tokens WHERE user_id = ?1")?
            .execute([&id])?;
        let depts: Vec<String> = c
            .prepare_cached("SELECT department_id FROM department_agents WHERE agent_id = ?1")?
            .query_map([&id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        c.prepare_cached("DELETE FROM department_agents WHERE agent_id = ?1")?
            .execute([&id])?;
        for d in depts {
            refresh_num_agents(c, &d)?;
        }
        Ok(c.prepare_cached("DELETE FROM users WHERE id = ?1")?
            .execute([&id])?
            > 0)
    })
    .await
}

pub(super) async fn count_users_with_role(s: &SqliteStore, role: &str) -> StoreResult<i64> {
    s.read(|c| {
        Ok(
            c.prepare_cached("SELECT COUNT(*) FROM users WHERE instr(roles, ?1) > 0")?
                .query_row([format!(",{role},")], |r| r.get(0))?,
        )
    })
}

pub(super) async fn list_users(s: &SqliteStore, q: &UserQuery) -> StoreResult<(Vec<User>, i64)> {
    let mut wh = vec!["1 = 1".to_string()];
    if q.role.is_some() {
        wh.push("instr(roles, ?1) > 0".into());
    } else {
        wh.push("?1 IS NULL".into());
    }
    if q.text.is_some() {
        wh.push("(username LIKE ?2 ESCAPE '\\' OR json_extract(doc, '$.name') LIKE ?2 ESCAPE '\\' OR email LIKE ?2 ESCAPE '\\')".into());
    } else {
        wh.push("?2 IS NULL".into());
    }
    if q.only_available {
        wh.push("status_livechat = 'available'".into());
    }
    if q.not_offline {
        wh.push("(status <> 'offline' OR instr(roles, ',bot,') > 0)".into());
    }
    if q.exclude_id.is_some() {
        wh.push("id <> ?3".into());
    } else {
        wh.push("?3 IS NULL".into());
    }
    let wh = wh.join(" AND ");
    let order = order_by(
        &q.sort,
        &[
            ("username", "username"),
            ("name", "json_extract(doc, '$.name')"),
            ("status", "status"),
            ("statusLivechat", "status_livechat"),
            ("livechatCount", "livechat_count"),
            ("_id", "id"),
        ],
        "username ASC",
    );
    let role = q.role.as_ref().map(|r| format!(",{r},"));
    let text = q.text.as_ref().map(|t| format!("%{}%", like_escape(t)));
    s.read(|c| {
        let total: i64 = c
            .prepare(&format!("SELECT COUNT(*) FROM users WHERE {wh}"))?
            .query_row(params![role, text, q.exclude_id], |r| r.get(0))?;
        let users = many_docs(
            c,
            &format!("SELECT doc FROM users WHERE {wh} ORDER BY {order} LIMIT ?4 OFFSET ?5"),
            params![
                role,
                text,
                q.exclude_id,
                if q.count <= 0 { -1 } else { q.count },
                q.offset
            ],
        )?;
        Ok((users, total))
    })
}

pub(super) async fn insert_login_token(
    s: &SqliteStore,
    user_id: &str,
    hashed: &str,
    when: Ts,
) -> StoreResult<()> {
    let (id, hashed) = (user_id.to_owned(), hashed.to_owned());
    s.write(move |c| {
        c.prepare_cached(
            "INSERT INTO login_tokens (hashed, user_id, created_at) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![hashed, id, when.millis()])?;
        Ok(())
    })
    .await
}

pub(super) async fn user_by_login_token(
    s: &SqliteStore,
    hashed: &str,
    issued_since: Ts,
) -> StoreResult<Option<User>> {
    s.read(|c| {
        one_doc(
            c,
            "SELECT u.doc FROM login_tokens t JOIN users u ON u.id = t.user_id WHERE t.hashed = ?1 AND t.created_at >= ?2",
            params![hashed, issued_since.millis()],
        )
    })
}

pub(super) async fn delete_login_tokens_of_user(s: &SqliteStore, user_id: &str) -> StoreResult<()> {
    let id = user_id.to_owned();
    s.write(move |c| {
        c.prepare_cached("DELETE FROM login_tokens WHERE user_id = ?1")?
            .execute([&id])?;
        Ok(())
    })
    .await
}

pub(super) async fn delete_login_token(s: &SqliteStore, hashed: &str) -> StoreResult<()> {
    let hashed = hashed.to_owned();
    s.write(move |c| {
        c.prepare_cached("DELETE FROM login_tokens WHERE hashed = ?1")?
            .execute([&hashed])?;
        Ok(())
    })
    .await
}
