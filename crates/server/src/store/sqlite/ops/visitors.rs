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
