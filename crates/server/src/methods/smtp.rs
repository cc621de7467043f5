//! `sendSMTPTestEmail()` (upstream `app/lib/server/methods/sendSMTPTestEmail.ts`): a mail
//! to the caller's first address with the SMTP settings as they are, sent during the call so
//! the answer says whether the SMTP server took it.

use super::{Answer, Caller};
use crate::domain::Livechat;
use crate::error::{Code, Error};
use crate::outbox::Attempt;
use crate::outbox::mail::deliver;
use serde_json::json;

pub async fn send_test_email(lc: &Livechat, caller: &Caller<'_>) -> Answer {
    let Some(user) = caller.user else {
        return Err(Error::from(Code::SmtpTestInvalidUser).into());
    };
    let (to, payload) = lc.smtp_test_mail(user)?;
    match deliver(lc, &payload).await {
        Attempt::Sent => Ok(Some(json!({
            "message": "Sending_your_mail_to_s",
            "params": [to],
        }))),
        Attempt::Transient(m) | Attempt::Permanent(m) => {
            tracing::info!(error = %m, "SMTP test mail failed");
            Err(Error::from(Code::SmtpTestFailed(m)).into())
        }
    }
}
