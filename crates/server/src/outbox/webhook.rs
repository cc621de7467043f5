//! Webhook calls (upstream's `sendRequest`): POST the JSON to `Livechat_webhookUrl` with the
//! secret in `X-RocketChat-Livechat-Token`; 200 is success (its body becomes the room's
//! `crmData`), 5xx and 429 are retried, any other status is final.

use super::Attempt;
use crate::domain::Livechat;
use serde_json::Value;
use std::time::Duration;

pub const TOKEN_HEADER: &str = "X-RocketChat-Livechat-Token";

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()
        .unwrap_or_default()
}

/// One POST with the current secret and timeout; `Ok((status, body))` when the server
/// answered.
pub async fn post(
    lc: &Livechat,
    http: &reqwest::Client,
    url: &str,
    body: &Value,
) -> Result<(u16, String), String> {
    let timeout = match lc.settings.i64("Livechat_http_timeout") {
        t if t > 0 => t as u64,
        _ => 5000,
    };
    let mut req = http
        .post(url)
        .timeout(Duration::from_millis(timeout))
        .json(body);
    let secret = lc.settings.str("Livechat_secret_token");
    if !secret.is_empty() {
        req = req.header(TOKEN_HEADER, secret);
    }
    let res = req.send().await.map_err(|e| e.without_url().to_string())?;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    Ok((status, text))
}

pub async fn deliver(lc: &Livechat, http: &reqwest::Client, payload: &Value) -> Attempt {
    let url = payload["url"].as_str().unwrap_or("");
    match post(lc, http, url, &payload["body"]).await {
        Ok((200, text)) => {
            if let Some(rid) = payload["rid"].as_str()
                && let Err(e) = lc.save_crm_data(rid, text).await
            {
                tracing::warn!(%rid, error = %e, "webhook: crmData not saved");
            }
            Attempt::Sent
        }
        Ok((status, text)) if status >= 500 || status == 429 => {
            Attempt::Transient(format!("status {status}: {text}"))
        }
        Ok((status, text)) => Attempt::Permanent(format!("status {status}: {text}")),
        Err(e) => Attempt::Transient(e),
    }
}
