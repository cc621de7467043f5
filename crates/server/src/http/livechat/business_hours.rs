//! `GET /api/v1/livechat/business-hour`: the default business hour (or a custom one by id).

use crate::http::openapi::{self as api, Api, op};
use crate::http::validate::{Ty, ajv, opt, str_of};
use crate::http::{ApiResult, AppState, Auth, Query, ok};
use crate::validate::F;
use axum::extract::State;
use serde_json::json;

pub fn routes() -> Api {
    Api::new().route(
        "/v1/livechat/business-hour",
        api::get(
            business_hour,
            op("A business hour (the default one)")
                .user()
                .query(&[F::opt("_id", Ty::Str), F::opt("type", Ty::Str)])
                .ok(&[("businessHour", Ty::Any)]),
        ),
    )
}

async fn business_hour(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-livechat-business-hours")?;
    ajv(&q, &[opt("_id", Ty::Str), opt("type", Ty::Str)], false)?;
    let bh =
        s.lc.find_business_hour(str_of(&q, "_id").as_deref(), str_of(&q, "type").as_deref())
            .await?;
    ok(json!({ "businessHour": bh }))
}
