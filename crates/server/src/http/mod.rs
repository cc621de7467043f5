//! HTTP: parse and validate input, call the domain, answer in Rocket.Chat's shapes.
//! One file per upstream API area.

pub mod agent_app;
pub mod auth;
pub mod canned;
pub mod chat;
pub mod health;
pub mod info;
pub mod licenses;
pub mod livechat;
pub mod mailer;
pub mod method;
pub mod observe;
pub mod openapi;
pub mod permissions;
pub mod proxies;
pub mod ratelimit;
pub mod room_media;
pub mod rooms;
pub mod schema;
pub mod serve;
pub mod settings;
pub mod users;
/// Moved to the crate root (DDP methods validate too); kept at this path for the handlers.
pub use crate::validate;
pub mod widget;

use crate::domain::Livechat;
use crate::domain::permissions::Permissions;
use crate::error::{Code, Error, Result};
use crate::model::User;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// What every handler gets: one shared copy. The router clones its state for every layer of
/// every request (about 80 times for a request through `/api`'s middleware), so a clone must
/// cost one reference count, not one per field (and an allocation for each string).
#[derive(Clone)]
pub struct AppState(Arc<AppInner>);

impl AppState {
    pub fn new(state: AppInner) -> Self {
        AppState(Arc::new(state))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

/// The fields of [`AppState`].
pub struct AppInner {
    pub lc: Livechat,
    /// The outbox's queue side (its health, the webhook test's HTTP client).
    pub delivery: Arc<crate::outbox::Delivery>,
    pub hub: std::sync::Arc<crate::realtime::hub::Hub>,
    pub limiter: Arc<ratelimit::RateLimiter>,
    pub test_mode: bool,
    pub root_url: String,
    /// Where the livechat widget's files are (`LIVECHAT_WIDGET_DIR`).
    pub widget_dir: std::path::PathBuf,
    /// Where the agent workspace's built files are (`AGENT_APP_DIR`).
    pub agent_app_dir: std::path::PathBuf,
    pub version: &'static str,
    /// Uploaded files' bytes.
    pub files: crate::files::SharedFiles,
    /// This instance among several: background jobs and their health.
    pub cluster: Arc<crate::cluster::Cluster>,
    /// Proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`).
    pub trusted_proxies: Arc<proxies::TrustedProxies>,
    /// The bearer token `/metrics` asks for (`METRICS_TOKEN`).
    pub metrics_token: Option<Arc<str>>,
    /// `/metrics` is served here, not on a separate address (`METRICS_BIND`).
    pub metrics_on_main: bool,
}

impl AppInner {
    /// The client's address: the socket's peer unless it is a trusted proxy.
    pub fn client_ip(&self, headers: &HeaderMap, addr: Option<SocketAddr>) -> String {
        self.trusted_proxies.client_ip(headers, addr)
    }
}

/// The realtime endpoint's share of the state.
impl axum::extract::FromRef<AppState> for crate::realtime::Realtime {
    fn from_ref(s: &AppState) -> Self {
        let state = s.clone();
        crate::realtime::Realtime {
            lc: s.lc.clone(),
            hub: s.hub.clone(),
            login_limit: Arc::new(move |ip| state.limiter.login(&state, ip)),
        }
    }
}

/// `GET /websocket`: DDP over a WebSocket, from the client's address.
async fn websocket(
    State(s): State<AppState>,
    headers: HeaderMap,
    ClientAddr(addr): ClientAddr,
    ws: axum::extract::WebSocketUpgrade,
) -> Response {
    let ip = s.client_ip(&headers, addr);
    crate::realtime::upgrade(axum::extract::FromRef::from_ref(&s), ws, ip)
}

/// Largest JSON body accepted (upstream's default body parser limit is in this range).
pub const MAX_BODY: usize = 1024 * 1024;

pub fn router(state: AppState) -> Router {
    let doc = openapi::DocCell::default();
    let api = openapi::Api::new()
        .merge(info::routes())
        .merge(openapi::routes(doc.clone()))
        .merge(auth::routes())
        .merge(chat::routes())
        .merge(users::routes())
        .merge(settings::routes())
        .merge(permissions::routes())
        .merge(livechat::routes())
        .merge(method::routes())
        .merge(mailer::routes())
        .merge(rooms::routes())
        .merge(room_media::routes())
        .merge(licenses::routes())
        .merge(canned::routes());
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ORIGIN,
            header::AUTHORIZATION,
            header::HeaderName::from_static("x-requested-with"),
            header::HeaderName::from_static("x-user-id"),
            header::HeaderName::from_static("x-auth-token"),
            header::HeaderName::from_static("x-visitor-token"),
            observe::REQUEST_ID,
        ])
        // Browsers hide response headers from cross-origin scripts unless exposed: a widget or
        // console on another origin can then report the id of a failed request.
        .expose_headers([observe::REQUEST_ID])
        .max_age(std::time::Duration::from_secs(3600));
    let (app, ops) = openapi::Api::new()
        .route(
            "/websocket",
            openapi::get(
                websocket,
                openapi::op("DDP over a WebSocket (the widget's realtime API)")
                    .media(101, "application/octet-stream")
                    .plain(&[
                        (400, "text/plain"),
                        (405, "text/plain"),
                        (426, "text/plain"),
                    ]),
            ),
        )
        .merge(livechat::upload::file_routes())
        .nest("/api", api, Router::new().fallback(api_not_found))
        .merge(widget::routes())
        .merge(mailer::page_routes())
        .merge(agent_app::routes())
        .into_parts();
    let (probes, probe_ops) = health::routes(state.metrics_on_main).into_parts();
    let ops: Vec<_> = ops.into_iter().chain(probe_ops).collect();
    doc.set(&ops, state.version);
    app.layer(axum::middleware::from_fn_with_state(
        state.clone(),
        ratelimit::middleware,
    ))
    .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
    .layer(cors)
    // Probes and scrapes: outside the API's rate limiter.
    .merge(probes)
    // Inside the routing: the route's template is known.
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        observe::middleware,
    ))
    .with_state(state)
}

async fn api_not_found() -> Response {
    Error::from(Code::ApiEndpointNotFound).into_response()
}

/// `API.v1.success(obj)`: the object with `success: true` as its last key.
pub struct Success(pub Value);

impl IntoResponse for Success {
    fn into_response(self) -> Response {
        let mut m = match self.0 {
            Value::Object(m) => m,
            Value::Null => Map::new(),
            other => {
                let mut m = Map::new();
                m.insert("result".into(), other);
                m
            }
        };
        m.insert("success".into(), Value::Bool(true));
        axum::Json(Value::Object(m)).into_response()
    }
}

pub fn ok<T: Serialize>(v: T) -> Result<Success> {
    Ok(Success(serde_json::to_value(v)?))
}

pub type ApiResult = Result<Success>;

/// A JSON object body; a missing or empty body is `{}` (as upstream's body parser).
pub struct Body(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = Error;
    async fn from_request(req: Request, state: &S) -> Result<Self> {
        match AnyBody::from_request(req, state).await?.0 {
            Value::Object(m) => Ok(Body(m)),
            _ => Err(Code::InvalidBody("expected a JSON object".into()).into()),
        }
    }
}

/// Any JSON body (the few routes whose body is an array); a missing or empty body is `{}`.
pub struct AnyBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for AnyBody {
    type Rejection = Error;
    async fn from_request(req: Request, state: &S) -> Result<Self> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::from(Code::RequestEntityTooLarge)
            } else {
                Error::from(Code::ReadingBody(e.to_string()))
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(AnyBody(Value::Object(Map::new())));
        }
        serde_json::from_slice::<Value>(&bytes)
            .map(AnyBody)
            .map_err(|e| Code::InvalidBody(e.to_string()).into())
    }
}

/// The query string as upstream's `this.queryParams`: every value a string, repeated keys
/// (and `key[]`) become arrays.
pub struct Query(pub Map<String, Value>);

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self> {
        let mut m = Map::new();
        if let Some(q) = parts.uri.query() {
            for (k, v) in form_urlencoded::parse(q.as_bytes()) {
                let (key, array) = match k.strip_suffix("[]") {
                    Some(b) => (b.to_string(), true),
                    None => (k.to_string(), false),
                };
                match m.get_mut(&key) {
                    Some(Value::Array(a)) => a.push(Value::String(v.into_owned())),
                    Some(existing) => {
                        let prev = existing.take();
                        *existing = Value::Array(vec![prev, Value::String(v.into_owned())]);
                    }
                    None if array => {
                        m.insert(key, Value::Array(vec![Value::String(v.into_owned())]));
                    }
                    None => {
                        m.insert(key, Value::String(v.into_owned()));
                    }
                }
            }
        }
        Ok(Query(m))
    }
}

/// An authenticated user (`X-User-Id` + `X-Auth-Token`), or 401; with the permission model
/// to check what they may do.
pub struct Auth {
    pub user: User,
    pub token: String,
    permissions: Permissions,
}

impl Auth {
    /// 403 `error-unauthorized` unless the user holds `permission`.
    pub fn require(&self, permission: &str) -> Result<()> {
        if self.has(permission) {
            Ok(())
        } else {
            Err(Error::NoPermission)
        }
    }
    /// 403 unless the user holds every one (upstream's array form of `permissionsRequired`).
    pub fn require_all(&self, permissions: &[&str]) -> Result<()> {
        if self.permissions.has_all(&self.user, permissions) {
            Ok(())
        } else {
            Err(Error::NoPermission)
        }
    }
    /// 403 unless the user holds one of them (`{operation: 'hasAny', permissions}`).
    pub fn require_any(&self, permissions: &[&str]) -> Result<()> {
        if self.permissions.has_any(&self.user, permissions) {
            Ok(())
        } else {
            Err(Error::NoPermission)
        }
    }
    pub fn has(&self, permission: &str) -> bool {
        self.permissions.has(&self.user, permission)
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let h = |n: &str| {
            parts
                .headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (Some(uid), Some(token)) = (h("x-user-id"), h("x-auth-token")) else {
            return Err(Error::Unauthorized);
        };
        // The rate limiter may have authenticated the request already.
        let user = match parts.extensions.get::<Authenticated>() {
            Some(a) if a.0.id == uid => a.0.clone(),
            _ => state.lc.authenticate(&uid, &token).await?,
        };
        Ok(Auth {
            user,
            token,
            permissions: state.lc.permissions.clone(),
        })
    }
}

/// The user a request's credentials named, once looked up (by the rate limiter).
#[derive(Clone)]
pub struct Authenticated(pub User);

/// The socket address of the client, when the server was started with connect info.
pub struct ClientAddr(pub Option<SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        _: &S,
    ) -> std::result::Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

/// `isWidget`: the widget's iframe sends `rc_room_type=l` and `rc_is_widget=t` cookies.
pub fn is_widget(headers: &HeaderMap) -> bool {
    let cookies: Vec<(String, String)> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let has = |k: &str, val: &str| cookies.iter().any(|(a, b)| a == k && b == val);
    has("rc_room_type", "l") && has("rc_is_widget", "t")
}
