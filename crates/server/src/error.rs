//! One error type for the whole server, and the one place that turns it into Rocket.Chat's
//! error envelope. How upstream *threw* decides the body, so the variants follow that:
//! a plain `Error('x')`, a `Meteor.Error(code, reason?)`, a `check()` failure, an ajv failure.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

pub type Result<T, E = Error> = std::result::Result<T, E>;

pub const NOT_LOGGED_IN: &str = "You must be logged in to do this.";
pub const NO_PERMISSION: &str =
    "User does not have the permissions required for this action [error-unauthorized]";

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    /// `throw new Error(msg)` → 400 `{"success":false,"error":msg}`.
    #[error("{0}")]
    Plain(String),
    /// `throw new Meteor.Error(code, reason?, details?)` → 400 with `errorType` (and `details`).
    #[error("{}", meteor_message(.code, .reason.as_deref()))]
    Meteor {
        code: String,
        reason: Option<String>,
        details: Option<Value>,
    },
    /// A Meteor `check()` failure; the text follows `Match error: `.
    #[error("Match error: {0}")]
    Match(String),
    /// ajv `validateParams` failures (all of them, as ajv runs with `allErrors`).
    #[error("{} [invalid-params]", .0.join("\n "))]
    InvalidParams(Vec<String>),
    /// `API.v1.failure(object)` → 400, the object with `success:false`.
    #[error("failure")]
    Failure(Map<String, Value>),
    /// Missing or invalid `X-User-Id`/`X-Auth-Token` → 401.
    #[error("{NOT_LOGGED_IN}")]
    Unauthorized,
    /// Missing permission → 403.
    #[error("{NO_PERMISSION}")]
    NoPermission,
    /// `API.v1.forbidden(msg?)` → 403 `{"success":false,"error":msg or "unauthorized"}`.
    #[error("{0}")]
    Forbidden(String),
    /// `API.v1.notFound(msg)` → 404.
    #[error("{0}")]
    NotFound(String),
    /// The rate limiter → 429.
    #[error("{0}")]
    TooManyRequests(String),
    /// Failed `POST /api/v1/login` → 401 in upstream's pre-8.0 form.
    #[error("{message}")]
    LoginFailed { error: String, message: String },
    /// Something that is our fault; logged, never shown in detail.
    #[error("internal error: {0}")]
    Internal(String),
}

fn meteor_message(code: &str, reason: Option<&str>) -> String {
    match reason {
        Some(r) => format!("{r} [{code}]"),
        None => format!("[{code}]"),
    }
}

impl Error {
    pub fn plain(msg: impl Into<String>) -> Self {
        Error::Plain(msg.into())
    }
    pub fn meteor(code: impl Into<String>) -> Self {
        Error::Meteor {
            code: code.into(),
            reason: None,
            details: None,
        }
    }
    pub fn meteor_reason(code: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Meteor {
            code: code.into(),
            reason: Some(reason.into()),
            details: None,
        }
    }
    pub fn with_details(self, d: Value) -> Self {
        match self {
            Error::Meteor { code, reason, .. } => Error::Meteor {
                code,
                reason,
                details: Some(d),
            },
            other => other,
        }
    }
    pub fn invalid_params(msg: impl Into<String>) -> Self {
        Error::InvalidParams(vec![msg.into()])
    }
    pub fn internal(e: impl std::fmt::Display) -> Self {
        Error::Internal(e.to_string())
    }
    /// `{"success":false}` alone: `API.v1.failure()` with no argument.
    pub fn bare_failure() -> Self {
        Error::Failure(Map::new())
    }
    pub fn failure_message(msg: impl Into<String>) -> Self {
        let mut m = Map::new();
        m.insert("message".into(), Value::String(msg.into()));
        Error::Failure(m)
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Error::Unauthorized | Error::LoginFailed { .. } => StatusCode::UNAUTHORIZED,
            Error::NoPermission | Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The JSON body, key order as upstream writes it.
    pub fn body(&self) -> Value {
        match self {
            Error::Plain(m)
            | Error::Forbidden(m)
            | Error::NotFound(m)
            | Error::TooManyRequests(m) => {
                json!({"success": false, "error": m})
            }
            Error::Meteor { code, details, .. } => {
                let mut b = json!({"success": false, "error": self.to_string(), "errorType": code});
                if let Some(d) = details {
                    b["details"] = d.clone();
                }
                b
            }
            Error::Match(_) => json!({"success": false, "error": self.to_string()}),
            Error::InvalidParams(_) => {
                json!({"success": false, "error": self.to_string(), "errorType": "invalid-params"})
            }
            Error::Failure(obj) => {
                let mut m = obj.clone();
                m.insert("success".into(), Value::Bool(false));
                Value::Object(m)
            }
            Error::Unauthorized => json!({
                "success": false, "error": NOT_LOGGED_IN, "status": "error", "message": NOT_LOGGED_IN
            }),
            Error::NoPermission => json!({"success": false, "error": NO_PERMISSION}),
            Error::LoginFailed { error, message } => json!({
                "status": "error", "error": error, "message": message, "success": false
            }),
            Error::Internal(_) => json!({"success": false, "error": "Internal server error"}),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(e) = &self {
            tracing::error!(error = %e, "internal error");
        }
        (self.status(), axum::Json(self.body())).into_response()
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes() {
        assert_eq!(
            serde_json::to_string(&Error::plain("invalid-token").body()).unwrap(),
            r#"{"success":false,"error":"invalid-token"}"#
        );
        assert_eq!(
            serde_json::to_string(
                &Error::meteor_reason("no-agent-online", "Sorry, no online agents").body()
            )
            .unwrap(),
            r#"{"success":false,"error":"Sorry, no online agents [no-agent-online]","errorType":"no-agent-online"}"#
        );
        assert_eq!(
            serde_json::to_string(&Error::meteor("invalid-token").body()).unwrap(),
            r#"{"success":false,"error":"[invalid-token]","errorType":"invalid-token"}"#
        );
        assert_eq!(
            serde_json::to_string(&Error::Match("Missing key 'token'".into()).body()).unwrap(),
            r#"{"success":false,"error":"Match error: Missing key 'token'"}"#
        );
        assert_eq!(
            Error::InvalidParams(vec!["a".into(), "b".into()]).body()["error"],
            "a\n b [invalid-params]"
        );
    }
}
