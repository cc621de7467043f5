//! `POST livechat/webhook.test`: upstream's sample payload sent to the
//! configured URL, answered with the outcome (this one call is made in the request).

use super::super::{ApiResult, AppState, Auth, ok};
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::outbox::now;
use crate::outbox::webhook::post;
use axum::extract::State;
use serde_json::json;

pub fn routes() -> Api {
    Api::new().route(
        "/v1/livechat/webhook.test",
        api::post(test, op("Send a sample to the webhook URL").user()),
    )
}

async fn test(State(s): State<AppState>, auth: Auth) -> ApiResult {
    auth.require("view-livechat-webhooks")?;
    let url = s.lc.settings.str("Livechat_webhookUrl");
    if url.is_empty() {
        return Err(Code::WebhookUrlNotSet.into());
    }
    let t = now();
    let sample = json!({
        "type": "LivechatSession",
        "_id": "fasd6f5a4sd6f8a4sdf",
        "label": "title",
        "topic": "asiodojf",
        "createdAt": t,
        "lastMessageAt": t,
        "tags": ["tag1", "tag2", "tag3"],
        "customFields": {"productId": "123456"},
        "visitor": {
            "_id": "",
            "name": "visitor name",
            "username": "visitor-username",
            "department": "department",
            "email": "email@address.com",
            "phone": "192873192873",
            "ip": "123.456.7.89",
            "browser": "Chrome",
            "os": "Linux",
            "customFields": {"customerId": "123456"},
        },
        "agent": {
            "_id": "asdf89as6df8",
            "username": "agent.username",
            "name": "Agent Name",
            "email": "agent@email.com",
        },
        "messages": [
            {"username": "visitor-username", "msg": "message content", "ts": t},
            {"username": "agent.username", "agentId": "asdf89as6df8", "msg": "message content from agent", "ts": t},
        ],
    });
    match post(&s.lc, &s.delivery.http, &url, &sample).await {
        Ok((200, _)) => ok(json!({})),
        Ok((status, _)) => {
            tracing::info!(status, "webhook test: not 200");
            Err(Code::InvalidWebhookResponse.into())
        }
        Err(e) => {
            tracing::info!(error = %e, "webhook test failed");
            Err(Code::InvalidWebhookResponse.into())
        }
    }
}
