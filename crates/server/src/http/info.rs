//! `GET /api/info`.

use super::{ApiResult, AppState, ok};
use crate::http::openapi::{self as api, Api, op};
use crate::validate::Ty;
use axum::extract::State;
use serde_json::json;

pub fn routes() -> Api {
    Api::new().route(
        "/info",
        api::get(info, op("Server information").ok(&[("version", Ty::Str)])),
    )
}

async fn info(State(s): State<AppState>) -> ApiResult {
    ok(json!({ "version": s.version }))
}
