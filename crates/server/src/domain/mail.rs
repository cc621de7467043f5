//! Offline messages and conversation transcripts by e-mail (upstream's `sendOfflineMessage`
//! and `sendTranscript`). Mails are built here and committed to the outbox; the request is
//! answered once the outbox row is durable, delivery happens in the background.

use super::Livechat;
use super::mail_text::{escape_html, from_address, strip_html, valid_address};
use crate::error::{Ajv, Code, Error, Result};
use crate::ids;
use crate::model::{Message, Room, UserRef};
use crate::store::StoreResult;
use serde_json::{Value, json};

/// The kinds of item the outbox delivers.
pub const EMAIL: &str = "email";
pub const WEBHOOK: &str = "webhook";
/// Upstream's `sendRequest` tries a webhook 5 times.
pub const WEBHOOK_ATTEMPTS: i64 = 5;

/// Background delivery as the domain uses it; the outbox worker implements it and delivers.
#[async_trait::async_trait]
pub trait Outbox: Send + Sync {
    /// Commits an item (`EMAIL` or `WEBHOOK`); delivery starts only after the commit.
    async fn enqueue(&self, kind: &str, payload: Value, max_attempts: i64) -> StoreResult<String>;
    /// How many attempts a mail gets.
    fn mail_max_attempts(&self) -> i64;
    /// Node's `dns.resolveMx` succeeds: the domain has MX records.
    async fn has_mx(&self, domain: &str) -> bool;
}

pub const OFFLINE_MESSAGE_SENT: &str = "Livechat offline message sent";
pub const TRANSCRIPT_SENT: &str = "Omnichannel transcript sent";
const TRANSCRIPT_SUBJECT: &str = "Transcript of your omnichannel conversation.";
/// Used when `From_Email` holds no usable address (a mail must have a sender).
const FALLBACK_FROM: &str = "no-reply@localhost.localdomain";
/// fuselage-tokens `n100` / `n250`, as upstream's transcript uses them.
const N100: &str = "#F7F8FA";
const N250: &str = "#E4E7EA";

pub struct OfflineMessage {
    pub name: String,
    pub email: String,
    pub message: String,
    pub department: Option<String>,
    pub host: Option<String>,
}

/// The author of transcripts' history messages when a visitor asked (upstream's bot user).
pub fn rocket_cat() -> UserRef {
    UserRef {
        id: "rocket.cat".into(),
        username: "rocket.cat".into(),
        name: Some("Rocket.Cat".into()),
    }
}

/// Text for a mail header (a display name, a subject): line breaks become spaces, as
/// nodemailer writes header values, and other control characters go, so user text can never
/// start a header of its own.
pub fn header_text(s: &str) -> String {
    s.replace("\r\n", " ")
        .chars()
        .filter_map(|c| match c {
            '\r' | '\n' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect()
}

/// An address that reaches a mail header: one with a line break or another control
/// character can never be valid, so it is refused where it enters (400 as ajv's `format`).
pub fn check_header_address(address: &str) -> Result<()> {
    if address.chars().any(char::is_control) {
        return Err(Error::InvalidParams(vec![Ajv::Format("email")]));
    }
    Ok(())
}

/// `message.replace(/([^>\r\n]?)(\r\n|\n\r|\r|\n)/g, '$1<br>$2')`.
fn line_breaks(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\r' || c == '\n' {
            let pair = matches!(
                (c, chars.get(i + 1)),
                ('\r', Some('\n')) | ('\n', Some('\r'))
            );
            out.push_str("<br>");
            out.push(c);
            if pair {
                out.push(chars[i + 1]);
                i += 1;
            }
        } else {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// `LLL` in moment's English locale, in UTC: `January 5, 2024 3:04 PM`.
fn lll(ts: crate::time::Ts) -> String {
    ts.datetime().format("%B %-d, %Y %-I:%M %p").to_string()
}

impl Livechat {
    fn sender(&self) -> String {
        let from = from_address(&self.settings.str("From_Email"));
        if valid_address(&from) {
            from
        } else {
            FALLBACK_FROM.into()
        }
    }

    /// `Mailer.send`: refuses an invalid `to` (upstream's `Meteor.Error('invalid email')`),
    /// else commits the mail to the outbox.
    pub(super) async fn queue_mail(
        &self,
        to: &str,
        from: Value,
        reply_to: Option<Value>,
        subject: &str,
        html: &str,
    ) -> Result<()> {
        if !valid_address(to) {
            return Err(Code::MailInvalidEmail.into());
        }
        let safe_name = |mut m: Value| {
            if let Some(n) = m["name"].as_str() {
                m["name"] = json!(header_text(n));
            }
            m
        };
        let (from, reply_to) = (safe_name(from), reply_to.map(safe_name));
        let mut payload = json!({
            "to": to,
            "from": from,
            "subject": header_text(subject),
            "html": html,
            "text": strip_html(html),
        });
        if let Some(r) = reply_to.filter(|r| valid_address(r["address"].as_str().unwrap_or(""))) {
            payload["replyTo"] = r;
        }
        self.delivery
            .enqueue(EMAIL, payload, self.delivery.mail_max_attempts())
            .await?;
        Ok(())
    }

    /// `sendSMTPTestEmail`'s mail to the user's first address, as the outbox carries it
    /// (sent at once by the caller, not queued: the admin wants the SMTP server's answer).
    pub fn smtp_test_mail(&self, user: &crate::model::User) -> Result<(String, Value)> {
        let to = user
            .emails
            .first()
            .map(|e| e.address.clone())
            .filter(|a| !a.is_empty())
            .ok_or(Code::SmtpTestInvalidEmail)?;
        let html = "<p>You have successfully sent an email</p>";
        let payload = json!({
            "to": to,
            "from": {"address": self.sender()},
            "subject": "SMTP Test Email",
            "html": html,
            "text": strip_html(html),
        });
        Ok((to, payload))
    }

    /// A webhook call through the outbox (skipped while no URL is configured).
    pub async fn queue_webhook(&self, body: Value, rid: Option<&str>) -> Result<()> {
        let url = self.settings.str("Livechat_webhookUrl");
        if url.trim().is_empty() {
            return Ok(());
        }
        let mut payload = json!({ "url": url, "body": body });
        if let Some(rid) = rid {
            payload["rid"] = json!(rid);
        }
        self.delivery
            .enqueue(WEBHOOK, payload, WEBHOOK_ATTEMPTS)
            .await?;
        Ok(())
    }

    /// `POST livechat/offline.message`.
    pub async fn send_offline_message(&self, m: OfflineMessage) -> Result<()> {
        if !self.settings.bool("Livechat_display_offline_form") {
            return Err(Code::OfflineFormDisabled.into());
        }
        if m.email.is_empty() {
            return Err(Code::ErrorInvalidEmail.into());
        }
        check_header_address(&m.email)?;
        // Upstream inserts the visitor's text raw; we escape it so a form cannot inject
        // markup into the recipient's mail.
        let email_message = line_breaks(&escape_html(&m.message));
        let mut html = "<h1>New livechat message</h1>".to_string();
        if let Some(host) = m.host.as_deref().filter(|h| !h.is_empty()) {
            let h = escape_html(host);
            html.push_str(&format!(
                "<p><strong>Sent from:</strong><a href='{h}'> {h}</a></p>"
            ));
        }
        html.push_str(&format!(
            "\n\t\t\t<p><strong>Visitor name:</strong> {}</p>\n\t\t\t<p><strong>Visitor email:</strong> {}</p>\n\t\t\t<p><strong>Message:</strong><br>{}</p>",
            escape_html(&m.name),
            escape_html(&m.email),
            email_message
        ));
        let from = self.sender();
        if self.settings.bool("Livechat_validate_offline_email") {
            let domain = m.email.rsplit_once('@').map(|(_, d)| d).unwrap_or(&m.email);
            if !self.delivery.has_mx(domain).await {
                return Err(Code::InvalidEmailAddress.into());
            }
        }
        let mut to = self.settings.str("Livechat_offline_email");
        if let Some(dep) = m.department.as_deref().filter(|d| !d.is_empty()) {
            let found = match self.store.department(dep).await? {
                Some(d) => Some(d),
                None => self.store.department_by_name(dep).await?,
            };
            if let Some(d) = found.filter(|d| !d.email.is_empty()) {
                to = d.email;
            }
        }
        let subject = format!(
            "Livechat offline message from {}: {}",
            m.name,
            email_message
                .encode_utf16()
                .take(20)
                .collect::<Vec<u16>>()
                .pipe_utf16()
        );
        self.queue_mail(
            &to,
            json!({"name": format!("{} - {}", m.name, m.email), "address": from}),
            Some(json!({"name": m.name, "address": m.email})),
            &subject,
            &html,
        )
        .await?;
        if self.settings.bool("Livechat_webhook_on_offline_msg") {
            self.queue_webhook(
                json!({
                    "type": "LivechatOfflineMessage",
                    "sentAt": self.now(),
                    "visitor": {"name": m.name, "email": m.email},
                    "message": m.message,
                }),
                None,
            )
            .await?;
        }
        Ok(())
    }

    /// `POST livechat/transcript`: the conversation up to its closing, mailed to `email`,
    /// and a `livechat_transcript_history` message in the room.
    pub async fn send_transcript(&self, token: &str, rid: &str, email: &str) -> Result<()> {
        self.send_transcript_as(token, rid, email, None, None).await
    }

    /// `sendTranscript` with the optional subject and requesting agent (a transcript an
    /// agent asked for, sent when the room closes).
    pub async fn send_transcript_as(
        &self,
        token: &str,
        rid: &str,
        email: &str,
        subject: Option<&str>,
        user: Option<&Value>,
    ) -> Result<()> {
        check_header_address(email)?;
        // The room's visitor is the one asking (upstream reads `room.v`): a visitor who
        // registered again with a new token still has its earlier rooms' transcripts.
        let room = self.store.room(rid).await?.filter(|r| r.t == "l");
        let in_room = room.as_ref().is_some_and(|r| r.v.token == token);
        if !in_room && self.store.visitor_by_token(token).await?.is_none() {
            return Err(Code::ErrorInvalidToken.into());
        }
        let room = room
            .filter(|r| r.v.token == token)
            .ok_or(Code::ErrorInvalidRoom)?;
        let visitor = self
            .store
            .visitor(&room.v.id)
            .await?
            .ok_or(Code::ErrorInvalidToken)?;
        let html = self.transcript_html(&room, &visitor.id).await?;
        let subject = match (
            subject,
            self.settings.str("Livechat_transcript_email_subject"),
        ) {
            (Some(s), _) if !s.is_empty() => s.to_string(),
            (_, s) if s.is_empty() => TRANSCRIPT_SUBJECT.to_string(),
            (_, s) => s,
        };
        let from = self.sender();
        self.queue_mail(
            email,
            json!({"address": from}),
            Some(json!({"address": from})),
            &subject,
            &html,
        )
        .await?;
        let now = self.now();
        let mut v = json!({"_id": visitor.id, "token": token, "username": visitor.username});
        if let Some(n) = &visitor.name {
            v["name"] = json!(n);
        }
        // Requested by an agent: they author the history message; else rocket.cat does.
        let (author, request) = match user.filter(|u| u["username"].is_string()) {
            Some(u) => (
                UserRef {
                    id: u["_id"].as_str().unwrap_or("").to_string(),
                    username: u["username"].as_str().unwrap_or("").to_string(),
                    name: u["name"].as_str().map(str::to_string),
                },
                json!({"type": "user", "visitor": v, "user": u}),
            ),
            None => (
                rocket_cat(),
                json!({"type": "visitor", "visitor": v, "user": rocket_cat()}),
            ),
        };
        let mut m = Message::system(
            ids::random_id(),
            "livechat_transcript_history",
            rid,
            "",
            author,
            now,
        );
        m.request_data = Some(request);
        let update = Box::new(move |r: &mut Room| {
            r.msgs += 1;
            r.updated_at = now;
            Ok(())
        });
        if self
            .store
            .append_message(m.clone(), update, None)
            .await?
            .is_some()
        {
            self.count_message(&m);
            self.publish_message(&m);
        }
        Ok(())
    }

    /// `POST livechat/transcript/:rid` (agent): the transcript goes to `email` when the
    /// room closes.
    pub async fn request_transcript(
        &self,
        user: &crate::model::User,
        rid: &str,
        email: &str,
        subject: &str,
    ) -> Result<()> {
        check_header_address(email)?;
        let room = self.store.room(rid).await?.ok_or(Code::InvalidRoomMeteor)?;
        self.ensure_may_act(user, &room).await?;
        let now = self.now();
        let request = json!({
            "requestedAt": now,
            "requestedBy": {"_id": user.id, "username": user.username, "name": user.name},
            "email": email,
            "subject": subject,
        });
        let update = Box::new(move |r: &mut Room| {
            if !r.is_open() {
                return Err(Code::InvalidRoomMeteor.into());
            }
            if r.transcript_request.is_some() {
                return Err(Code::TranscriptAlreadyRequested.into());
            }
            r.transcript_request = Some(request.clone());
            Ok(())
        });
        self.store
            .modify_room(rid, update)
            .await?
            .ok_or(Code::InvalidRoomMeteor)?;
        Ok(())
    }

    /// `DELETE livechat/transcript/:rid`: the request is withdrawn.
    pub async fn cancel_transcript_request(
        &self,
        user: &crate::model::User,
        rid: &str,
    ) -> Result<()> {
        let room = self.store.room(rid).await?.ok_or(Code::ErrorInvalidRoom)?;
        self.ensure_may_act(user, &room).await?;
        let update = Box::new(|r: &mut Room| {
            if !r.is_open() {
                return Err(Code::ErrorInvalidRoom.into());
            }
            if r.transcript_request.take().is_none() {
                return Err(Code::TranscriptNotRequested.into());
            }
            Ok(())
        });
        self.store
            .modify_room(rid, update)
            .await?
            .ok_or(Code::ErrorInvalidRoom)?;
        Ok(())
    }

    /// Upstream's `sendEmailTranscriptOnClose`: a requested transcript goes out as the room
    /// closes, and the request is cleared.
    pub async fn transcript_on_close(&self, room: &Room) -> Result<()> {
        let Some(req) = room.transcript_request.clone() else {
            return Ok(());
        };
        let email = req["email"].as_str().unwrap_or("");
        let subject = req["subject"].as_str();
        self.send_transcript_as(
            &room.v.token,
            &room.id,
            email,
            subject,
            req.get("requestedBy"),
        )
        .await?;
        self.store
            .modify_room(
                &room.id,
                Box::new(|r: &mut Room| {
                    r.transcript_request = None;
                    Ok(())
                }),
            )
            .await?;
        Ok(())
    }

    async fn transcript_html(&self, room: &Room, visitor_id: &str) -> Result<String> {
        let mut messages = self.store.messages_of_room(&room.id).await?;
        let end = messages
            .iter()
            .find(|m| m.t.as_deref() == Some("livechat-close"))
            .map(|m| m.ts);
        messages.retain(|m| !m.hidden && m.t.is_none() && end.is_none_or(|e| m.ts < e));
        messages.sort_by_key(|m| m.ts);
        let show_agent = self.settings.bool("Livechat_show_agent_info");
        let unsupported = format!(
            "<div style=\"background-color: {N100}; text-align: center; border-color: {N250}; border-width: 1px; border-style: solid; border-radius: 4px; padding-top: 8px; padding-bottom: 8px; margin-top: 4px;\">This attachment is not supported</div>"
        );
        let mut html = String::from("<div> <hr>");
        for m in &messages {
            let author = if m.u.id == visitor_id {
                "You".to_string()
            } else if show_agent {
                m.u.name
                    .clone()
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| m.u.username.clone())
            } else {
                "Agent".to_string()
            };
            let mut content = escape_html(&m.msg);
            let mut files = String::new();
            if let Some(atts) = m.attachments.as_ref().filter(|a| !a.is_empty()) {
                content = escape_html(atts[0]["description"].as_str().unwrap_or(""));
                // File attachments (those with a title link): images cannot be embedded
                // without the upload store, so every file shows as unsupported.
                for a in atts.iter().filter(|a| a.get("title_link").is_some()) {
                    files.push_str(&format!(
                        "<div>{}{unsupported}</div>",
                        escape_html(a["title"].as_str().unwrap_or(""))
                    ));
                }
            }
            html.push_str(&format!(
                "\n\t\t\t<p><strong>{}</strong>  <em>{}</em></p>\n\t\t\t<p>{}</p>\n\t\t\t<p>{}</p>\n\t\t",
                escape_html(&author),
                lll(m.ts),
                content,
                files
            ));
        }
        html.push_str("</div>");
        Ok(html)
    }
}

trait PipeUtf16 {
    fn pipe_utf16(self) -> String;
}

impl PipeUtf16 for Vec<u16> {
    fn pipe_utf16(self) -> String {
        String::from_utf16_lossy(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_text_has_no_line_of_its_own() {
        assert_eq!(header_text("Mary\r\nBcc: x@y.z"), "Mary Bcc: x@y.z");
        assert_eq!(header_text("a\nb\rc\u{0}d\te"), "a b cde");
        assert!(check_header_address("a@b.com\r\n").is_err());
        assert!(check_header_address("a@b.com").is_ok());
    }

    #[test]
    fn line_breaks_become_br() {
        assert_eq!(line_breaks("a\nb\r\nc"), "a<br>\nb<br>\r\nc");
    }

    #[test]
    fn moment_lll() {
        let t = crate::time::Ts::parse_iso("2024-01-05T15:04:00.000Z").unwrap();
        assert_eq!(lll(t), "January 5, 2024 3:04 PM");
    }
}
