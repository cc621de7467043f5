//! Custom fields: the visitor's `custom.field(s)` and the admin's `custom-fields*`.

use super::super::schema::{S, arr, nullable, obj, opt, req, validate};
use super::super::validate::{Ty, ajv, bool_of, str_of};
use super::super::{ApiResult, AppState, Auth, Body, Query, ok};
use super::{pagination, sort};
use crate::domain::custom_fields::FieldValue;
use crate::error::Code;
use crate::http::openapi::{self as api, Api, op};
use crate::validate::F;
use axum::extract::{Path, State};
use serde_json::{Map, Value, json};

pub fn routes() -> Api {
    Api::new()
        .route(
            "/v1/livechat/custom.field",
            api::post(
                set_one,
                op("Set one of the visitor's custom fields")
                    .body(&[
                        F::req("token", Ty::Str),
                        F::req("key", Ty::Str),
                        F::req("value", Ty::Str),
                        F::req("overwrite", Ty::Bool),
                    ])
                    .ok(&[("field", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/livechat/custom.fields",
            api::post(
                set_many,
                op("Set several of the visitor's custom fields")
                    .body(&[F::req("token", Ty::Str), F::req("customFields", Ty::Arr)])
                    .ok(&[("fields", Ty::Arr)]),
            ),
        )
        .route(
            "/v1/livechat/custom-fields",
            api::get(
                list,
                op("Custom fields")
                    .user()
                    .query(&[F::opt("text", Ty::Str)])
                    .paged()
                    .ok(&[
                        ("customFields", Ty::Arr),
                        ("count", Ty::Num),
                        ("offset", Ty::Num),
                        ("total", Ty::Num),
                    ]),
            ),
        )
        .route(
            "/v1/livechat/custom-fields/{id}",
            api::get(
                get_one,
                op("A custom field").user().ok(&[("customField", Ty::Any)]),
            ),
        )
        .route(
            "/v1/livechat/custom-fields.save",
            api::post(
                save,
                op("Create or update a custom field")
                    .user()
                    .body_schema(&save_schema())
                    .ok(&[("customField", Ty::Obj)]),
            ),
        )
        .route(
            "/v1/livechat/custom-fields.delete",
            api::post(
                delete,
                op("Delete a custom field")
                    .user()
                    .body(&[F::req("customFieldId", Ty::Str)]),
            ),
        )
}

fn field_value(o: &Map<String, Value>) -> FieldValue {
    FieldValue {
        key: str_of(o, "key").unwrap_or_default(),
        value: str_of(o, "value").unwrap_or_default(),
        overwrite: bool_of(o, "overwrite").unwrap_or(false),
    }
}

fn item_schema() -> S {
    obj(vec![
        req("key", S::Str),
        req("value", S::Str),
        req("overwrite", S::Bool),
    ])
}

async fn set_one(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    let mut props = vec![req("token", S::Str)];
    if let S::Obj { props: item, .. } = item_schema() {
        props.extend(item);
    }
    validate(&Value::Object(b.clone()), &obj(props))?;
    let token = str_of(&b, "token").unwrap_or_default();
    if s.lc.visitor_by_token(&token).await?.is_none() {
        return Err(Code::InvalidToken.into());
    }
    let fv = field_value(&b);
    // 7.x: nothing modified is a bare failure.
    if s.lc.set_custom_field(&token, &fv).await? == 0 {
        return Err(Code::Failed.into());
    }
    ok(json!({ "field": { "key": fv.key, "value": fv.value, "overwrite": fv.overwrite } }))
}

async fn set_many(State(s): State<AppState>, Body(b): Body) -> ApiResult {
    validate(
        &Value::Object(b.clone()),
        &obj(vec![
            req("token", S::Str),
            req("customFields", arr(item_schema(), 1)),
        ]),
    )?;
    let token = str_of(&b, "token").unwrap_or_default();
    if s.lc.visitor_by_token(&token).await?.is_none() {
        return Err(Code::InvalidToken.into());
    }
    let items: Vec<FieldValue> = b
        .get("customFields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(field_value)
        .collect();
    s.lc.set_custom_fields(&token, &items).await?;
    // The capital `Key` is upstream's.
    let fields: Vec<Value> = items
        .iter()
        .map(|f| json!({ "Key": f.key, "value": f.value, "overwrite": f.overwrite }))
        .collect();
    ok(json!({ "fields": fields }))
}

async fn list(State(s): State<AppState>, auth: Auth, Query(q): Query) -> ApiResult {
    auth.require("view-l-room")?;
    ajv(
        &q,
        &[
            opt_q("text"),
            super::super::validate::opt("offset", Ty::Num),
            super::super::validate::opt("count", Ty::Num),
            opt_q("sort"),
            opt_q("query"),
        ],
        false,
    )?;
    let (offset, count) = pagination(&q)?;
    let sort = sort(&q)?;
    let text = str_of(&q, "text");
    let (fields, total) =
        s.lc.list_custom_fields(text.as_deref(), offset, count, &sort)
            .await?;
    let fields: Vec<Value> = fields.iter().map(stored_shape).collect();
    ok(json!({ "customFields": fields, "count": fields.len(), "offset": offset, "total": total }))
}

fn opt_q(name: &'static str) -> super::super::validate::F {
    super::super::validate::opt(name, Ty::Str)
}

/// A stored field as upstream's database returns it: `_id` first.
fn stored_shape(f: &crate::model::CustomField) -> Value {
    let mut m = Map::new();
    m.insert("_id".into(), json!(f.id));
    if let Ok(Value::Object(rest)) = serde_json::to_value(f) {
        for (k, v) in rest {
            if k != "_id" {
                m.insert(k, v);
            }
        }
    }
    Value::Object(m)
}

async fn get_one(State(s): State<AppState>, auth: Auth, Path(id): Path<String>) -> ApiResult {
    auth.require("view-l-room")?;
    let f = s.lc.custom_field(&id).await?;
    ok(json!({ "customField": f.as_ref().map(stored_shape) }))
}

/// `custom-fields.save`'s body, for the check and the API document.
fn save_schema() -> S {
    obj(vec![
        opt("customFieldId", nullable(S::Str)),
        req(
            "customFieldData",
            obj(vec![
                req("field", S::Str),
                req("label", S::Str),
                req("scope", S::Enum(&["visitor", "room"])),
                req("visibility", S::Str),
                opt("type", S::Str),
                opt("regexp", S::Str),
                opt("required", S::Bool),
                opt("defaultValue", S::Str),
                opt("options", S::Str),
                opt("public", S::Bool),
                opt("searchable", S::Bool),
            ]),
        ),
    ])
}

async fn save(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("view-livechat-manager")?;
    let body = Value::Object(b);
    validate(&body, &save_schema())?;
    let id = body
        .get("customFieldId")
        .and_then(Value::as_str)
        .filter(|i| !i.is_empty());
    let data = body
        .get("customFieldData")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let record = s.lc.save_custom_field(id, &data).await?;
    ok(json!({ "customField": record }))
}

async fn delete(State(s): State<AppState>, auth: Auth, Body(b): Body) -> ApiResult {
    auth.require("view-livechat-manager")?;
    validate(
        &Value::Object(b.clone()),
        &obj(vec![req("customFieldId", S::Str)]),
    )?;
    s.lc.delete_custom_field(&str_of(&b, "customFieldId").unwrap_or_default())
        .await?;
    ok(Value::Null)
}
