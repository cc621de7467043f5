//! DDP methods: the one table both the realtime connection (`/websocket`) and the REST
//! bridge (`method.call`, `method.callAnon`) dispatch to, so a method answers alike over
//! both. Connection-bound methods (`login`, `livechat:setUpConnection`, typing) stay in
//! `realtime`; everything else is here. Like HTTP handlers, methods read their parameters
//! as upstream's `check()` does and call the domain.

mod enterprise;
mod livechat;
mod smtp;

use crate::domain::Livechat;
use crate::error::{Check, Ddp, check_type};
use crate::model::User;
use serde_json::{Map, Value, json};

/// Who calls: the logged-in user, if any, and the visitor token of the connection.
pub struct Caller<'a> {
    pub user: Option<&'a User>,
    pub token: Option<&'a str>,
}

/// A method's result (`None`: `undefined`, no `result` key) or its error.
pub type Answer = Result<Option<Value>, Ddp>;

/// Runs method `name` for `caller`.
pub async fn call(lc: &Livechat, caller: &Caller<'_>, name: &str, params: &[Value]) -> Answer {
    match name {
        "UserPresence:online" | "UserPresence:away" | "UserPresence:setDefaultStatus" => {
            let Some(user) = caller.user else {
                return Err(Ddp::NotLoggedIn);
            };
            let status = match name {
                "UserPresence:online" => "online".to_string(),
                "UserPresence:away" => "away".to_string(),
                _ => params
                    .first()
                    .and_then(Value::as_str)
                    .unwrap_or("online")
                    .to_string(),
            };
            lc.set_user_status(&user.id, &status, None)
                .await
                .map_err(|e| e.to_ddp("error-invalid-status"))?;
            Ok(Some(json!(true)))
        }
        "livechat:changeLivechatStatus" => livechat::change_status(lc, caller, params).await,
        "livechat:saveCustomField" => livechat::save_custom_field(lc, caller, params).await,
        "livechat:removeCustomField" => livechat::remove_custom_field(lc, caller, params).await,
        "livechat:sendTranscript" => livechat::send_transcript(lc, caller, params).await,
        "livechat:requestTranscript" => livechat::request_transcript(lc, caller, params).await,
        "livechat:returnAsInquiry" => livechat::return_as_inquiry(lc, caller, params).await,
        "livechat:saveTrigger" => livechat::save_trigger(lc, caller, params).await,
        "livechat:saveBusinessHour" => livechat::save_business_hour(lc, caller, params).await,
        "livechat:saveDepartment" => livechat::save_department(lc, caller, params).await,
        "livechat:saveAgentInfo" => livechat::save_agent_info(lc, caller, params).await,
        "sendMessage" => livechat::send_message(lc, caller, params).await,
        "livechat:registerGuest" => livechat::register_guest(lc, params).await,
        "livechat:loadHistory" => livechat::load_history(lc, params).await,
        "loadHistory" => livechat::load_user_history(lc, caller, params).await,
        "livechat:loginByToken" => livechat::login_by_token(lc, params).await,
        "livechat:saveTag" => enterprise::save_tag(lc, caller, params).await,
        "livechat:removeTag" => enterprise::remove_tag(lc, caller, params).await,
        "livechat:addMonitor" => enterprise::add_monitor(lc, caller, params).await,
        "livechat:removeMonitor" => enterprise::remove_monitor(lc, caller, params).await,
        "livechat:saveUnit" => enterprise::save_unit(lc, caller, params).await,
        "livechat:removeUnit" => enterprise::remove_unit(lc, caller, params).await,
        "saveCannedResponse" => enterprise::save_canned_response(lc, caller, params).await,
        "removeCannedResponse" => enterprise::remove_canned_response(lc, caller, params).await,
        "sendSMTPTestEmail" => smtp::send_test_email(lc, caller).await,
        _ => Err(Ddp::MethodNotFound(name.to_string())),
    }
}

/// `check(params[i], String)`.
fn string(params: &[Value], i: usize) -> Result<String, Ddp> {
    match params.get(i) {
        Some(Value::String(s)) => Ok(s.clone()),
        other => Err(expected("string", other)),
    }
}

/// `check(params[i], Object-pattern)`: the parameter must be a plain object.
fn object(params: &[Value], i: usize) -> Result<Map<String, Value>, Ddp> {
    match params.get(i) {
        Some(Value::Object(m)) => Ok(m.clone()),
        other => Err(expected("object", other)),
    }
}

/// `Match error: Expected {ty}, got {typeof v}` for a top-level value (`undefined` when absent).
fn expected(ty: &'static str, v: Option<&Value>) -> Ddp {
    Ddp::Match(Check::Expected {
        expected: ty,
        got: v.map_or("undefined", check_type),
        field: String::new(),
    })
}

/// The logged-in user holding `permission`, else `error-not-allowed` naming `method`.
fn permitted<'a>(
    lc: &Livechat,
    caller: &Caller<'a>,
    permission: &str,
    method: &'static str,
) -> Result<&'a User, Ddp> {
    match caller.user {
        Some(u) if lc.has_permission(u, permission) => Ok(u),
        _ => Err(crate::error::Error::from(crate::error::Code::MethodNotAllowed(method)).into()),
    }
}
