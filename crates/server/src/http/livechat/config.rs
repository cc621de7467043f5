//! `GET /api/v1/livechat/config`: everything the widget needs to start, and the visitor's
//! open conversation when its token is known (that is how a reload resumes a chat).

use super::super::validate::{Ty, ajv, opt, str_of};
use super::super::{ApiResult, AppState, Query, ok};
use crate::http::openapi::{self as api, Api, op};
use crate::validate::F;
use axum::extract::State;
use serde_json::{Map, Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/livechat/config",
            api::get(
                config,
                op("The widget's configuration (with `guest`, `room`, `agent` for a known token)")
                    .query(&[
                        F::opt("token", Ty::Str),
                        F::opt("department", Ty::Str),
                        F::opt("businessUnit", Ty::Str),
                    ])
                    .ok(&[("config", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/livechat/config/routing",
            api::get(
                routing,
                op("The routing method's configuration")
                    .user()
                    .ok(&[("config", Ty::Obj)]),
            ),
        )
}

async fn config(State(s): State<AppState>, Query(q): Query) -> ApiResult {
    ajv(
        &q,
        &[
            opt("token", Ty::Str),
            opt("department", Ty::Str),
            opt("businessUnit", Ty::Str),
        ],
        false,
    )?;
    let lc = &s.lc;
    if !lc.settings.bool("Livechat_enabled") {
        return ok(json!({ "config": { "enabled": false } }));
    }
    let mut config = match settings_object(&s).await? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let department = str_of(&q, "department");
    config.insert(
        "online".into(),
        json!(lc.service_online(department.as_deref()).await?),
    );
    // The fields the widget's registration form asks for (upstream's
    // `livechat.onLoadConfigApi` callback, right after `online`).
    config.insert(
        "customFields".into(),
        json!(lc.config_custom_fields().await?),
    );
    if let Some(token) = str_of(&q, "token").filter(|t| !t.is_empty())
        && let Some(v) = lc.visitor_by_token(&token).await?
    {
        let mut guest = Map::new();
        guest.insert("_id".into(), json!(v.id));
        for (k, val) in [
            ("name", v.name.as_ref().map(|n| json!(n))),
            ("username", v.username.as_ref().map(|n| json!(n))),
            ("token", v.token.as_ref().map(|n| json!(n))),
            ("visitorEmails", v.visitor_emails.as_ref().map(|e| json!(e))),
            ("department", v.department.as_ref().map(|n| json!(n))),
        ] {
            if let Some(val) = val {
                guest.insert(k.into(), val);
            }
        }
        config.insert("guest".into(), Value::Object(guest));
        if let Some(room) = lc.open_room_by_token(&token).await? {
            let mut r = Map::new();
            r.insert("_id".into(), json!(room.id));
            if let Some(d) = &room.department_id {
                r.insert("departmentId".into(), json!(d));
            }
            if let Some(sb) = &room.served_by {
                r.insert("servedBy".into(), serde_json::to_value(sb)?);
            }
            r.insert("open".into(), json!(true));
            if let Some(cs) = &room.call_status {
                r.insert("callStatus".into(), json!(cs));
            }
            config.insert("room".into(), Value::Object(r));
            if let Some(sb) = &room.served_by
                && let Some(agent) = lc.agent_info(&sb.id).await?
            {
                config.insert("agent".into(), agent);
            }
        }
    }
    ok(json!({ "config": config }))
}

/// Upstream's `settings()` (the cached part of the config).
async fn settings_object(s: &AppState) -> crate::error::Result<Value> {
    let st = &s.lc.settings;
    let limit = if st.bool("Livechat_enable_message_character_limit") {
        let l = st.i64("Livechat_message_character_limit");
        json!(if l > 0 {
            l
        } else {
            st.i64("Message_MaxAllowedSize")
        })
    } else {
        json!(false)
    };
    let departments: Vec<Value> =
        s.lc.departments_with_agents()
            .await?
            .into_iter()
            .map(|d| {
                json!({
                    "_id": d.id,
                    "name": d.name,
                    "showOnRegistration": d.show_on_registration,
                    "showOnOfflineForm": d.show_on_offline_form,
                })
            })
            .collect();
    let position = match st.str("Livechat_widget_position") {
        p if p.is_empty() => "right".to_string(),
        p => p,
    };
    Ok(json!({
        "enabled": st.bool("Livechat_enabled"),
        "settings": {
            "registrationForm": st.bool("Livechat_registration_form"),
            "allowSwitchingDepartments": st.bool("Livechat_allow_switching_departments"),
            "nameFieldRegistrationForm": st.bool("Livechat_name_field_registration_form"),
            "emailFieldRegistrationForm": st.bool("Livechat_email_field_registration_form"),
            "displayOfflineForm": st.bool("Livechat_display_offline_form"),
            "videoCall": st.str("Omnichannel_call_provider") == "default-provider",
            "fileUpload": st.bool("Livechat_fileupload_enabled") && st.bool("FileUpload_Enabled"),
            "language": st.str("Language"),
            "transcript": st.bool("Livechat_enable_transcript"),
            "historyMonitorType": st.str("Livechat_history_monitor_type"),
            "forceAcceptDataProcessingConsent": st.bool("Livechat_force_accept_data_processing_consent"),
            "showConnecting": st.bool("Livechat_Show_Connecting"),
            "agentHiddenInfo": !st.bool("Livechat_show_agent_info"),
            "clearLocalStorageWhenChatEnded": st.bool("Livechat_clear_local_storage_when_chat_ended"),
            "limitTextLength": limit,
            "hideWatermark": st.bool("Livechat_hide_watermark"),
            "visitorsCanCloseChat": st.bool("Omnichannel_allow_visitors_to_close_conversation"),
        },
        "theme": {
            "title": st.str("Livechat_title"),
            "color": st.str("Livechat_title_color"),
            "offlineTitle": st.str("Livechat_offline_title"),
            "offlineColor": st.str("Livechat_offline_title_color"),
            "position": position,
            "background": st.str("Livechat_background"),
            "actionLinks": {
                "webrtc": [
                    {"actionLinksAlignment": "flex-start", "i18nLabel": "Join_call", "label": "Join call", "method_id": "joinLivechatWebRTCCall"},
                    {"i18nLabel": "End_call", "label": "End call", "method_id": "endLivechatWebRTCCall", "danger": true}
                ],
                "jitsi": [
                    {"icon": "icon-videocam", "i18nLabel": "Accept"},
                    {"icon": "icon-cancel", "i18nLabel": "Decline"}
                ]
            }
        },
        "messages": {
            "offlineMessage": st.str("Livechat_offline_message"),
            "offlineSuccessMessage": st.str("Livechat_offline_success_message"),
            "offlineUnavailableMessage": st.str("Livechat_offline_form_unavailable"),
            "conversationFinishedMessage": st.str("Livechat_conversation_finished_message"),
            "conversationFinishedText": st.str("Livechat_conversation_finished_text"),
            "transcriptMessage": st.str("Livechat_transcript_message"),
            "registrationFormMessage": st.str("Livechat_registration_form_message"),
            "dataProcessingConsentText": st.str("Livechat_data_processing_consent_text"),
        },
        "survey": {
            "items": crate::domain::survey::SURVEY_ITEMS,
            "values": crate::domain::survey::SURVEY_VALUES,
        },
        "triggers": s.lc.config_triggers().await?,
        "departments": departments,
        "resources": {
            "sound": format!("{}/sounds/chime.mp3", s.root_url.trim_end_matches('/')),
            "emojis": [],
        },
    }))
}

async fn routing(State(s): State<AppState>, _auth: super::super::Auth) -> ApiResult {
    let method = s.lc.routing_method()?;
    ok(json!({ "config": method.config() }))
}
