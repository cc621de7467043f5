//! `GET /api/v1/licenses.info`: Ferrochat has no licence and no limits; with `loadValues`
//! it reports the figures upstream's licence limits are measured on (monthly active
//! contacts, active users).

use super::validate::str_of;
use super::{ApiResult, AppState, Auth, Query, ok};
use crate::http::openapi::{self as api, Api, op};
use crate::validate::{F, Ty};
use axum::extract::State;
use serde_json::{Map, Value, json};

pub fn routes() -> Api {
    Api::new().route(
        "/v1/licenses.info",
        api::get(
            info,
            op("The licence: none, no limits (`loadValues`: the measured figures)")
                .user()
                .query(&[F::opt("loadValues", Ty::Str)])
                .ok(&[("license", Ty::Obj)]),
        ),
    )
}

async fn info(State(s): State<AppState>, _auth: Auth, Query(q): Query) -> ApiResult {
    let load = str_of(&q, "loadValues").as_deref() == Some("true");
    let mut limits = Map::new();
    let mut prevented = Map::new();
    let values = if load {
        Some((
            s.lc.monthly_active_contacts().await?,
            s.lc.count_active_users().await?,
        ))
    } else {
        None
    };
    for (kind, value) in [
        ("monthlyActiveContacts", values.map(|v| v.0)),
        ("activeUsers", values.map(|v| v.1)),
    ] {
        // `max: -1`: unlimited.
        let mut l = json!({ "max": -1 });
        if let Some(v) = value {
            l["value"] = json!(v);
        }
        limits.insert(kind.into(), l);
        prevented.insert(kind.into(), Value::Bool(false));
    }
    ok(json!({
        "license": {
            "activeModules": [],
            "preventedActions": prevented,
            "limits": limits,
            "tags": [],
            "trial": false,
        }
    }))
}
