//! `GET /api/info`.

use super::{ApiResult, AppState, ok};
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new().route("/info", get(info))
}

async fn info(State(s): State<AppState>) -> ApiResult {
    ok(json!({ "version": s.version }))
}
