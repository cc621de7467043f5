//! Users and their login tokens.

use super::*;

pub(super) async fn insert_user(
    s: &PgStore,
    user: &User,
    password_hash: Option<&str>,
) -> StoreResult<()> {
    q_exec_pool(&s.pool, put_user(user, true, password_hash)?).await?;
    Ok(())
}

pub(super) async fn user(s: &PgStore, id: &str) -> StoreResult<Option<User>> {
    let mut c = s.pool.acquire().await?;
    load(&mut c, id, false).await
}

pub(super) async fn user_by_username(s: &PgStore, username: &str) -> StoreResult<Option<User>> {
    opt_doc(
        scalar("SELECT doc::text FROM users WHERE lower(username) = lower($1)")
            .bind(username.to_owned())
            .fetch_optional(&s.pool)
            .await?,
    )
}

pub(super) async fn user_by_email(s: &PgStore, email: &str) -> StoreResult<Option<User>> {
    opt_doc(
        scalar("SELECT doc::text FROM users WHERE lower(email) = $1")
            .bind(email.to_lowercase())
            .fetch_optional(&s.pool)
            .await?,
    )
}

pub(super) async fn password_hash(s: &PgStore, user_id: &str) -> StoreResult<Option<String>> {
    Ok(
        scalar::<Option<String>>("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id.to_owned())
            .fetch_optional(&s.pool)
            .await?
            .flatten(),
    )
}

pub(super) async fn set_password_hash(s: &PgStore, user_id: &str, hash: &str) -> StoreResult<()> {
    q_exec_pool(
        &s.pool,
        sql_q("UPDATE users SET password_hash = $2 WHERE id = $1")
            .bind(user_id.to_owned())
            .bind(hash.to_owned()),
    )
    .await?;
    Ok(())
}

pub(super) async fn modify_user(
    s: &PgStore,
    id: &str,
    f: Modify<User>,
) -> StoreResult<Option<User>> {
    in_tx!(s, |c| modify_in_tx(c, id, &*f).await)
}

pub(super) async fn delete_user(s: &PgStore, id: &str) -> StoreResult<bool> {
    in_tx!(s, |c| {
        q_exec(
            c,
            sql_q("DELETE FROM login_tokens WHERE user_id = $1").bind(id.to_owned()),
        )
        .await?;
        let depts: Vec<String> =
            scalar("DELETE FROM department_agents WHERE agent_id = $1 RETURNING department_id")
                .bind(id.to_owned())
                .fetch_all(&mut *c)
                .await?;
        for d in depts {
            refresh_num_agents(c, &d).await?;
        }
        Ok(q_exec(
            c,
            sql_q("DELETE FROM users WHERE id = $1").bind(id.to_owned()),
        )
        .await?
            > 0)
    })
}

pub(super) async fn count_users_with_role(s: &PgStore, role: &str) -> StoreResult<i64> {
    Ok(
        scalar("SELECT COUNT(*) FROM users WHERE strpos(roles, $1) > 0")
            .bind(format!(",{role},"))
            .fetch_one(&s.pool)
            .await?,
    )
}

pub(super) async fn list_users(s: &PgStore, uq: &UserQuery) -> StoreResult<(Vec<User>, i64)> {
    let mut wh = vec!["1 = 1".to_string()];
    if uq.role.is_some() {
        wh.push("strpos(roles, $1) > 0".into());
    } else {
        wh.push("$1::text IS NULL".into());
    }
    if uq.text.is_some() {
        wh.push("(username ILIKE $2 OR (doc->>'name') ILIKE $2 OR email ILIKE $2)".into());
    } else {
        wh.push("$2::text IS NULL".into());
    }
    if uq.only_available {
        wh.push("status_livechat = 'available'".into());
    }
    if uq.not_offline {
        wh.push("(status <> 'offline' OR strpos(roles, ',bot,') > 0)".into());
    }
    if uq.exclude_id.is_some() {
        wh.push("id <> $3".into());
    } else {
        wh.push("$3::text IS NULL".into());
    }
    let wh = wh.join(" AND ");
    let order = order_by(
        &uq.sort,
        &[
            ("username", "lower(username)"),
            ("name", "(doc->>'name') COLLATE \"C\""),
            ("status", "status"),
            ("statusLivechat", "status_livechat"),
            ("livechatCount", "livechat_count"),
            ("_id", "id"),
        ],
        "lower(username) ASC",
    );
    let role = uq.role.as_ref().map(|r| format!(",{r},"));
    let text = uq.text.as_ref().map(|t| format!("%{}%", like_escape(t)));
    let total: i64 = dyn_scalar(format!("SELECT COUNT(*) FROM users WHERE {wh}"))
        .bind(role.clone())
        .bind(text.clone())
        .bind(uq.exclude_id.clone())
        .fetch_one(&s.pool)
        .await?;
    let users: Vec<String> = dyn_scalar(format!(
        "SELECT doc::text FROM users WHERE {wh} ORDER BY {order} LIMIT $4 OFFSET $5"
    ))
    .bind(role)
    .bind(text)
    .bind(uq.exclude_id.clone())
    .bind(limit_of(uq.count))
    .bind(uq.offset)
    .fetch_all(&s.pool)
    .await?;
    Ok((from_docs(users)?, total))
}

pub(super) async fn insert_login_token(
    s: &PgStore,
    user_id: &str,
    hashed: &str,
    when: Ts,
) -> StoreResult<()> {
    q_exec_pool(
        &s.pool,
        sql_q("INSERT INTO login_tokens (hashed, user_id, created_at) VALUES ($1, $2, $3)")
            .bind(hashed.to_owned())
            .bind(user_id.to_owned())
            .bind(when.millis()),
    )
    .await?;
    Ok(())
}

pub(super) async fn user_by_login_token(
    s: &PgStore,
    hashed: &str,
    issued_since: Ts,
) -> StoreResult<Option<User>> {
    opt_doc(
        scalar("SELECT u.doc::text FROM login_tokens t JOIN users u ON u.id = t.user_id WHERE t.hashed = $1 AND t.created_at >= $2")
            .bind(hashed.to_owned())
            .bind(issued_since.millis())
            .fetch_optional(&s.pool)
            .await?,
    )
}

pub(super) async fn delete_login_tokens_of_user(s: &PgStore, user_id: &str) -> StoreResult<()> {
    q_exec_pool(
        &s.pool,
        sql_q("DELETE FROM login_tokens WHERE user_id = $1").bind(user_id.to_owned()),
    )
    .await?;
    Ok(())
}

pub(super) async fn delete_login_token(s: &PgStore, hashed: &str) -> StoreResult<()> {
    q_exec_pool(
        &s.pool,
        sql_q("DELETE FROM login_tokens WHERE hashed = $1").bind(hashed.to_owned()),
    )
    .await?;
    Ok(())
}
