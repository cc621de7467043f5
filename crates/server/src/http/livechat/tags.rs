//! `livechat/tags` (upstream Enterprise's `livechat-enterprise/server/api/tags.ts`); tags
//! are created with the `livechat:saveTag` method, as upstream's.

use super::super::schema::{S, obj, req, validate};
use super::super::validate::str_of;
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use super::{pagination, sort};
use crate::domain::tags::TagQuery;
use crate::error::{Code, Error};
use crate::http::openapi::{self as api, Api, op};
use crate::model::LivechatTag;
use crate::validate::{F, Ty};
use axum::extract::{Path, State};
use serde_json::{Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/livechat/tags",
            api::get(
                list,
                op("Tags (`text`, `department`, `viewAll`)")
                    .user()
                    .query(&[
                        F::opt("text", Ty::Str),
                        F::opt("department", Ty::Str),
                        F::opt("viewAll", Ty::Str),
                    ])
                    .paged()
                    .ok(&[
                        ("tags", Ty::Arr),
                        ("count", Ty::Num),
                        ("offset", Ty::Num),
                        ("total", Ty::Num),
                    ])
                    .docs::<LivechatTag>("tags"),
            ),
        )
        .route(
            "/v1/livechat/tags/{id}",
            api::get(
                get_one,
                op("A tag, flat (unknown id: `{statusCode: 200, body: null}`)")
                    .user()
                    .ok(&[]),
            ),
        )
        .route(
            "/v1/livechat/tags.remove",
            api::post(
                remove,
                op("Remove a tag").user().body(&[F::req("id", Ty::Str)]),
            ),
        )
}

const VIEW: &[&str] = &["view-l-room", "manage-livechat-tags"];

async fn list(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require_any(VIEW)?;
    let (offset, count) = pagination(&q)?;
    let sort = sort(&q)?;
    let text = str_of(&q, "text");
    let department = str_of(&q, "department").filter(|d| !d.is_empty());
    let view_all = str_of(&q, "viewAll").as_deref() == Some("true");
    let query = TagQuery {
        text,
        department,
        view_all,
        offset,
        count,
        sort,
    };
    let (tags, total) = s.lc.find_tags(&auth.user, query).await?;
    ok(json!({ "tags": tags, "count": tags.len(), "offset": offset, "total": total }))
}

/// The tag itself, flat; an unknown id answers what upstream 7.0's Restivus sends for
/// `API.v1.success(null)` (`{statusCode: 200, body: null}`).
async fn get_one(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult {
    auth.require_any(VIEW)?;
    match s.lc.livechat_tag(&id).await? {
        Some(t) => ok(t),
        None => ok(json!({ "statusCode": 200, "body": null })),
    }
}

/// `POST livechat/tags.remove {id}`: a failure carries the error's reason.
async fn remove(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("manage-livechat-tags")?;
    validate(&Value::Object(b.clone()), &obj(vec![req("id", S::Str)]))?;
    let id = str_of(&b, "id").unwrap_or_default();
    match s.lc.remove_tag(&id).await {
        Ok(_) => ok(Value::Null),
        Err(Error::Code(Code::TagNotFound)) => Err(Code::TagNotFoundFailure.into()),
        Err(e) => Err(e),
    }
}
