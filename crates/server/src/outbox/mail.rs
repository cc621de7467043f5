//! E-mail delivery over SMTP with the server's `SMTP_*` settings, as upstream's Mailer
//! sends: one attempt per call, the worker retries.

use super::Attempt;
use crate::domain::Livechat;
use crate::domain::mail::header_text;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde_json::Value;
use std::time::Duration;

fn mailbox(v: &Value) -> Result<Mailbox, String> {
    let address: Address = v["address"]
        .as_str()
        .unwrap_or("")
        .parse()
        .map_err(|e| format!("bad address {}: {e}", v["address"]))?;
    // Items queued by an older version may hold unsafe names: made safe here too.
    let name = v["name"]
        .as_str()
        .map(header_text)
        .filter(|n| !n.is_empty());
    Ok(Mailbox::new(name, address))
}

fn build(payload: &Value) -> Result<Message, String> {
    let to = mailbox(&serde_json::json!({"address": payload["to"]}))?;
    let mut b = Message::builder()
        .from(mailbox(&payload["from"])?)
        .to(to)
        .subject(header_text(payload["subject"].as_str().unwrap_or("")));
    if payload["replyTo"].is_object() {
        b = b.reply_to(mailbox(&payload["replyTo"])?);
    }
    b.multipart(MultiPart::alternative_plain_html(
        payload["text"].as_str().unwrap_or("").to_string(),
        payload["html"].as_str().unwrap_or("").to_string(),
    ))
    .map_err(|e| e.to_string())
}

/// One SMTP attempt with the settings as they are now.
pub async fn deliver(lc: &Livechat, payload: &Value) -> Attempt {
    let message = match build(payload) {
        Ok(m) => m,
        Err(e) => return Attempt::Permanent(e),
    };
    let s = &lc.settings;
    let host = s.str("SMTP_Host").trim().to_string();
    if host.is_empty() {
        return Attempt::Transient("SMTP_Host is not set".into());
    }
    let smtps = s.str("SMTP_Protocol") == "smtps";
    let port = s
        .str("SMTP_Port")
        .trim()
        .parse::<u16>()
        .unwrap_or(if smtps { 465 } else { 25 });
    let tls = if smtps || !s.bool("SMTP_IgnoreTLS") {
        match TlsParameters::new(host.clone()) {
            Ok(p) if smtps => Tls::Wrapper(p),
            Ok(p) => Tls::Opportunistic(p),
            Err(e) => return Attempt::Permanent(format!("TLS: {e}")),
        }
    } else {
        Tls::None
    };
    let mut t = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(30)));
    let user = s.str("SMTP_Username");
    if !user.is_empty() {
        t = t.credentials(Credentials::new(user, s.str("SMTP_Password")));
    }
    match t.build().send(message).await {
        Ok(_) => Attempt::Sent,
        Err(e) if e.is_permanent() => Attempt::Permanent(e.to_string()),
        Err(e) => Attempt::Transient(e.to_string()),
    }
}
