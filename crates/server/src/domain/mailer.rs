//! The mailer (upstream's `Mailer.sendMail` and `Mailer.unsubscribe`): an e-mail from an
//! admin to every user who has not unsubscribed, each with its own unsubscribe link.

use super::Livechat;
use super::mail_text::{escape_html, valid_address};
use crate::error::{Code, Result};
use crate::model::User;
use crate::store::UserQuery;
use serde_json::json;

pub struct Mailing {
    pub from: String,
    pub subject: String,
    pub body: String,
    /// Only to the sender (the user whose address `from` is).
    pub dryrun: bool,
    /// Upstream's EJSON Mongo filter on users; only an empty one is understood here.
    pub query: Option<String>,
}

fn unsubscribed(u: &User) -> bool {
    u.extra
        .get("mailer")
        .and_then(|m| m.get("unsubscribed"))
        .is_some_and(|v| v == &json!(true))
}

impl Livechat {
    /// The body's placeholders for one recipient (upstream's `placeholders.replace`).
    fn mailing_html(&self, body: &str, u: &User, address: &str) -> String {
        let site = self.settings.str("Site_Url");
        let unsubscribe = format!(
            "{}/mailer/unsubscribe/{}/{}",
            site.trim_end_matches('/'),
            u.id,
            u.created_at.millis()
        );
        let name = escape_html(u.name.as_deref().unwrap_or(&u.username));
        body.replace("[unsubscribe]", &unsubscribe)
            .replace("[name]", &name)
            .replace("[email]", &escape_html(address))
            .replace("[Site_URL]", &site)
    }

    /// `POST mailer`: the sender's address must be valid and the body must hold
    /// `[unsubscribe]`; the mails go to the outbox (one per recipient) before the answer.
    pub async fn send_mailing(&self, m: Mailing) -> Result<()> {
        if !valid_address(&m.from) {
            return Err(Code::MailerInvalidFrom.into());
        }
        if !m.body.contains("[unsubscribe]") {
            return Err(Code::MailerMissingUnsubscribe.into());
        }
        if m.query.as_deref().is_some_and(|q| !q.trim().is_empty()) {
            return Err(Code::MailerQueryUnsupported.into());
        }
        let recipients = if m.dryrun {
            vec![
                self.store
                    .user_by_email(&m.from)
                    .await?
                    .ok_or(Code::MailerInvalidUser)?,
            ]
        } else {
            let (users, _) = self.store.list_users(&UserQuery::default()).await?;
            users
                .into_iter()
                .filter(|u| u.active && !unsubscribed(u))
                .collect()
        };
        for u in recipients {
            let Some(address) = u.first_email().map(str::to_string) else {
                continue;
            };
            if !valid_address(&address) {
                continue;
            }
            let html = self.mailing_html(&m.body, &u, &address);
            self.queue_mail(
                &address,
                json!({ "address": m.from }),
                None,
                &m.subject,
                &html,
            )
            .await?;
        }
        Ok(())
    }

    /// `mailer.unsubscribe` and the link's page: marks the user when `created_at` (epoch
    /// milliseconds as text) is its creation time; `false` otherwise.
    pub async fn mailer_unsubscribe(&self, user_id: &str, created_at: &str) -> Result<bool> {
        let Some(user) = self.store.user(user_id).await? else {
            return Ok(false);
        };
        if created_at.trim().parse::<i64>().ok() != Some(user.created_at.millis()) {
            return Ok(false);
        }
        self.store
            .modify_user(
                user_id,
                Box::new(|u| {
                    u.extra
                        .insert("mailer".into(), json!({ "unsubscribed": true }));
                    Ok(())
                }),
            )
            .await?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsubscribed_users_are_recognised() {
        let mut u: User = serde_json::from_value(json!({
            "_id": "u", "createdAt": "2026-01-01T00:00:00.000Z", "username": "u",
            "type": "user", "status": "offline", "active": true, "roles": ["user"],
            "_updatedAt": "2026-01-01T00:00:00.000Z"
        }))
        .unwrap();
        assert!(!unsubscribed(&u));
        u.extra
            .insert("mailer".into(), json!({"unsubscribed": true}));
        assert!(unsubscribed(&u));
    }
}
