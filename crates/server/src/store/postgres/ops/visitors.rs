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
