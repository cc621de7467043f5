//! The API document (OpenAPI 3.1, `GET /api/openapi.json`) and its page (`GET /api/docs`).
//!
//! Every route is registered through [`Api::route`] with one [`Spec`] per method: the same call
//! adds the handler to axum and the operation to the document, so the two cannot drift.

use super::AppState;
use super::schema::S;
use super::validate::{F, Ty};
use axum::Router;
use axum::handler::Handler;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use std::sync::{Arc, OnceLock};
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Paths, Ref, RefOr,
    Required, ResponseBuilder,
};

/// An HTTP method of the document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Put,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::Post => "post",
            Verb::Put => "put",
            Verb::Delete => "delete",
        }
    }
    fn http(self) -> HttpMethod {
        match self {
            Verb::Get => HttpMethod::Get,
            Verb::Post => HttpMethod::Post,
            Verb::Put => HttpMethod::Put,
            Verb::Delete => HttpMethod::Delete,
        }
    }
}

/// Who may call an operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No credentials.
    Public,
    /// `X-User-Id` + `X-Auth-Token` (401 without, 403 without the permission).
    User,
}

/// The body an operation answers with on success.
pub enum Answer {
    /// `API.v1.success`: `{…keys, success: true}`.
    Success(Vec<(&'static str, Ty)>),
    /// JSON that is not upstream's envelope (e.g. `/health`).
    Json(Vec<(&'static str, Ty)>),
    /// Another media type (`text/html`, `*/*`, …), with the success status.
    Other(u16, &'static str),
}

/// What a request sends.
pub enum Input {
    None,
    /// A JSON object.
    Json(Box<Schema>),
    /// `multipart/form-data` with these fields (`file` is binary).
    Multipart(&'static [&'static str]),
}

/// One operation of the document.
pub struct Spec {
    summary: &'static str,
    access: Access,
    query: Vec<(&'static str, Ty, bool)>,
    headers: Vec<(&'static str, bool)>,
    input: Input,
    answer: Answer,
    /// Path parameters with a fixed set of values (`{kind}`: `agent`, `manager`).
    path_enums: Vec<(&'static str, &'static [&'static str])>,
    /// Not under `/api`: no Rocket.Chat envelope for errors, only these statuses.
    plain_errors: Option<Vec<(u16, &'static str)>>,
    /// Keys of the answer that hold one of the stored documents (`model`), described by the
    /// document type itself: `(key, many, the type's component)`.
    shapes: Vec<(&'static str, bool, Component)>,
}

/// A document type's schema and the schemas it refers to, as `utoipa::ToSchema` derives them
/// from the type that is serialised on the wire.
#[derive(Clone, Copy)]
pub struct Component {
    name: fn() -> std::borrow::Cow<'static, str>,
    collect: fn(&mut Vec<(String, RefOr<Schema>)>),
}

impl Component {
    fn of<T: utoipa::ToSchema>() -> Self {
        fn collect<T: utoipa::ToSchema>(out: &mut Vec<(String, RefOr<Schema>)>) {
            out.push((T::name().into_owned(), T::schema()));
            T::schemas(out);
        }
        Component {
            name: T::name,
            collect: collect::<T>,
        }
    }
}

/// An operation: `summary` (upstream's route name and what it does).
pub fn op(summary: &'static str) -> Spec {
    Spec {
        summary,
        access: Access::Public,
        query: Vec::new(),
        headers: Vec::new(),
        input: Input::None,
        answer: Answer::Success(Vec::new()),
        path_enums: Vec::new(),
        plain_errors: None,
        shapes: Vec::new(),
    }
}

impl Spec {
    pub fn summary(mut self, summary: &'static str) -> Self {
        self.summary = summary;
        self
    }
    /// Needs a logged-in user.
    pub fn user(mut self) -> Self {
        self.access = Access::User;
        self
    }
    /// Query parameters, as upstream's `queryParams` (every value a string on the wire).
    pub fn query(mut self, fields: &[F]) -> Self {
        self.query
            .extend(fields.iter().map(|f| (f.name, f.ty, !f.optional)));
        self
    }
    /// The paginated list's `offset`, `count` and `sort`.
    pub fn paged(self) -> Self {
        self.query(&[
            F::opt("offset", Ty::Num),
            F::opt("count", Ty::Num),
            F::opt("sort", Ty::Str),
        ])
    }
    /// A request header (e.g. `x-visitor-token`).
    pub fn header(mut self, name: &'static str, required: bool) -> Self {
        self.headers.push((name, required));
        self
    }
    /// A JSON object body with these keys (more keys allowed unless upstream refuses them).
    pub fn body(mut self, fields: &[F]) -> Self {
        self.input = Input::Json(Box::new(object_of(fields, true)));
        self
    }
    /// A JSON body described by one of the handler's validation schemas.
    pub fn body_schema(mut self, s: &S) -> Self {
        self.input = Input::Json(Box::new(schema_of(s)));
        self
    }
    /// Any JSON value (the handler checks it).
    pub fn body_any(mut self) -> Self {
        self.input = Input::Json(Box::new(Schema::Object(
            ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .build(),
        )));
        self
    }
    /// A `multipart/form-data` body.
    pub fn multipart(mut self, fields: &'static [&'static str]) -> Self {
        self.input = Input::Multipart(fields);
        self
    }
    /// `API.v1.success` with these keys.
    pub fn ok(mut self, keys: &[(&'static str, Ty)]) -> Self {
        self.answer = Answer::Success(keys.to_vec());
        self
    }
    /// The answer's `key` holds one `T` document (a key of `ok`/`json`, or added to them).
    pub fn doc<T: utoipa::ToSchema>(mut self, key: &'static str) -> Self {
        self.shapes.push((key, false, Component::of::<T>()));
        self
    }
    /// The answer's `key` holds a list of `T` documents.
    pub fn docs<T: utoipa::ToSchema>(mut self, key: &'static str) -> Self {
        self.shapes.push((key, true, Component::of::<T>()));
        self
    }
    /// A JSON answer outside upstream's envelope.
    pub fn json(mut self, keys: &[(&'static str, Ty)]) -> Self {
        self.answer = Answer::Json(keys.to_vec());
        self
    }
    /// Another media type.
    pub fn media(mut self, status: u16, content_type: &'static str) -> Self {
        self.answer = Answer::Other(status, content_type);
        self
    }
    /// A path parameter that takes one of these values.
    pub fn path_enum(mut self, name: &'static str, values: &'static [&'static str]) -> Self {
        self.path_enums.push((name, values));
        self
    }
    /// A route outside `/api`: its errors are these statuses with plain bodies (`""`: no body).
    pub fn plain(mut self, errors: &[(u16, &'static str)]) -> Self {
        self.plain_errors = Some(errors.to_vec());
        self
    }
}

/// `validate::F` with shorter names for the tables.
impl F {
    pub const fn req(name: &'static str, ty: Ty) -> F {
        super::validate::req(name, ty)
    }
    pub const fn opt(name: &'static str, ty: Ty) -> F {
        super::validate::opt(name, ty)
    }
}

/// A registered operation.
pub struct Op {
    pub verb: Verb,
    /// axum's syntax (`{id}`, `{*path}`), with its mount prefix.
    pub path: String,
    pub spec: Spec,
}

/// A method router and the operations it adds.
pub struct Methods {
    router: MethodRouter<AppState>,
    ops: Vec<(Verb, Spec)>,
}

pub fn get<H: Handler<T, AppState>, T: 'static>(h: H, spec: Spec) -> Methods {
    Methods {
        router: axum::routing::get(h),
        ops: vec![(Verb::Get, spec)],
    }
}
pub fn post<H: Handler<T, AppState>, T: 'static>(h: H, spec: Spec) -> Methods {
    Methods {
        router: axum::routing::post(h),
        ops: vec![(Verb::Post, spec)],
    }
}
pub fn put<H: Handler<T, AppState>, T: 'static>(h: H, spec: Spec) -> Methods {
    Methods {
        router: axum::routing::put(h),
        ops: vec![(Verb::Put, spec)],
    }
}
pub fn delete<H: Handler<T, AppState>, T: 'static>(h: H, spec: Spec) -> Methods {
    Methods {
        router: axum::routing::delete(h),
        ops: vec![(Verb::Delete, spec)],
    }
}

impl Methods {
    pub fn get<H: Handler<T, AppState>, T: 'static>(mut self, h: H, spec: Spec) -> Self {
        self.router = self.router.get(h);
        self.ops.push((Verb::Get, spec));
        self
    }
    pub fn post<H: Handler<T, AppState>, T: 'static>(mut self, h: H, spec: Spec) -> Self {
        self.router = self.router.post(h);
        self.ops.push((Verb::Post, spec));
        self
    }
    pub fn put<H: Handler<T, AppState>, T: 'static>(mut self, h: H, spec: Spec) -> Self {
        self.router = self.router.put(h);
        self.ops.push((Verb::Put, spec));
        self
    }
    pub fn delete<H: Handler<T, AppState>, T: 'static>(mut self, h: H, spec: Spec) -> Self {
        self.router = self.router.delete(h);
        self.ops.push((Verb::Delete, spec));
        self
    }
    /// A layer on these methods' handlers (e.g. the uploads' body limit).
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower::Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Response: IntoResponse + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Error:
            Into<std::convert::Infallible> + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.router = self.router.layer(layer);
        self
    }
}

/// The routes and their operations: the only way a route is added.
#[derive(Default)]
pub struct Api {
    router: Router<AppState>,
    ops: Vec<Op>,
}

impl Api {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn route(mut self, path: &str, m: Methods) -> Self {
        self.router = self.router.route(path, m.router);
        self.ops.extend(m.ops.into_iter().map(|(verb, spec)| Op {
            verb,
            path: path.to_string(),
            spec,
        }));
        self
    }
    pub fn merge(mut self, other: Api) -> Self {
        self.router = self.router.merge(other.router);
        self.ops.extend(other.ops);
        self
    }
    /// `other` under `prefix` (with the API's fallback for unknown paths there).
    pub fn nest(mut self, prefix: &str, other: Api, fallback: Router<AppState>) -> Self {
        self.router = self.router.nest(prefix, other.router.merge(fallback));
        self.ops.extend(other.ops.into_iter().map(|o| Op {
            path: format!("{prefix}{}", o.path),
            ..o
        }));
        self
    }
    pub fn into_parts(self) -> (Router<AppState>, Vec<Op>) {
        (self.router, self.ops)
    }
}

/// The document's JSON, set once the router is built (the route that serves it is one of its
/// operations).
#[derive(Clone, Default)]
pub struct DocCell(Arc<OnceLock<String>>);

impl DocCell {
    pub fn set(&self, ops: &[Op], version: &str) {
        let doc = document(ops, version);
        let _ = self.0.set(doc.to_json().expect("the document serializes"));
    }
}

/// `GET /api/openapi.json` and `GET /api/docs`.
pub fn routes(cell: DocCell) -> Api {
    Api::new()
        .route(
            "/openapi.json",
            get(
                move || {
                    let cell = cell.clone();
                    async move {
                        (
                            [(header::CONTENT_TYPE, "application/json")],
                            cell.0.get().cloned().unwrap_or_default(),
                        )
                    }
                },
                op("This document (OpenAPI 3.1), generated from the route table")
                    .media(200, "application/json"),
            ),
        )
        .route(
            "/docs",
            get(
                docs_page,
                op("A page that renders this document (no third-party resources)")
                    .media(200, "text/html"),
            ),
        )
}

const DOCS_PAGE: &str = include_str!("openapi_page.html");

async fn docs_page() -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
            ),
        ],
        DOCS_PAGE,
    )
        .into_response()
}

fn ty_schema(ty: Ty) -> Schema {
    let t = match ty {
        Ty::Str => SchemaType::new(Type::String),
        Ty::Bool => SchemaType::new(Type::Boolean),
        Ty::Num => SchemaType::new(Type::Number),
        Ty::Obj => SchemaType::new(Type::Object),
        Ty::Arr => SchemaType::new(Type::Array),
        Ty::Any => SchemaType::AnyValue,
    };
    Schema::Object(ObjectBuilder::new().schema_type(t).build())
}

/// An object with these keys (`additional`: other keys allowed).
fn object_of(fields: &[F], additional: bool) -> Schema {
    let mut o = ObjectBuilder::new().schema_type(Type::Object);
    for f in fields {
        o = o.property(f.name, ty_schema(f.ty));
        if !f.optional {
            o = o.required(f.name);
        }
    }
    o = o.additional_properties(Some(AdditionalProperties::FreeForm(additional)));
    Schema::Object(o.build())
}

/// A validation schema (`http::schema::S`) as JSON Schema.
pub fn schema_of(s: &S) -> Schema {
    match s {
        S::Str => ty_schema(Ty::Str),
        S::Num => ty_schema(Ty::Num),
        S::Bool => ty_schema(Ty::Bool),
        S::Any => ty_schema(Ty::Any),
        S::Enum(values) => Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(values.iter().copied()))
                .build(),
        ),
        S::Arr { items, min, unique } => Schema::Array(
            ArrayBuilder::new()
                .items(utoipa::openapi::schema::ArrayItems::RefOrSchema(Box::new(
                    RefOr::T(schema_of(items)),
                )))
                .min_items((*min > 0).then_some(*min))
                .unique_items(*unique)
                .build(),
        ),
        S::Obj { props, additional } => {
            let mut o = ObjectBuilder::new().schema_type(Type::Object);
            for p in props {
                o = o.property(p.name, schema_of(&p.schema));
                if p.required {
                    o = o.required(p.name);
                }
            }
            Schema::Object(
                o.additional_properties(Some(AdditionalProperties::FreeForm(*additional)))
                    .build(),
            )
        }
        S::Nullable(inner) => Schema::OneOf(
            OneOfBuilder::new()
                .item(schema_of(inner))
                .item(Schema::Object(
                    ObjectBuilder::new().schema_type(Type::Null).build(),
                ))
                .build(),
        ),
        S::OneOf(branches) => {
            let mut b = OneOfBuilder::new();
            for x in branches {
                b = b.item(schema_of(x));
            }
            Schema::OneOf(b.build())
        }
    }
}

/// `{…keys, success: true}` (keys as listed, more allowed); keys holding documents refer to
/// their component.
fn success_schema(
    keys: &[(&'static str, Ty)],
    shapes: &[(&'static str, bool, Component)],
    envelope: bool,
) -> Schema {
    let mut o = ObjectBuilder::new().schema_type(Type::Object);
    for (k, t) in keys {
        if !shapes.iter().any(|(key, ..)| key == k) {
            o = o.property(*k, ty_schema(*t)).required(*k);
        }
    }
    for (k, many, c) in shapes {
        let one = RefOr::Ref(Ref::from_schema_name((c.name)()));
        o = if *many {
            o.property(*k, ArrayBuilder::new().items(one))
        } else {
            o.property(*k, one)
        }
        .required(*k);
    }
    if envelope {
        o = o
            .property(
                "success",
                ObjectBuilder::new()
                    .schema_type(Type::Boolean)
                    .enum_values(Some([true])),
            )
            .required("success");
    }
    Schema::Object(
        o.additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .build(),
    )
}

/// The path's parameters, from its `{name}` / `{*name}` segments, and the document's spelling.
pub fn doc_path(axum_path: &str) -> (String, Vec<String>) {
    let mut names = Vec::new();
    let segments: Vec<String> = axum_path
        .split('/')
        .map(
            |seg| match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => {
                    let name = name.trim_start_matches('*').to_string();
                    names.push(name.clone());
                    format!("{{{name}}}")
                }
                None => seg.to_string(),
            },
        )
        .collect();
    (segments.join("/"), names)
}

fn error_ref(name: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::Ref(Ref::from_response_name(name))
}

fn operation_id(verb: Verb, path: &str) -> String {
    let mut id = String::from(verb.as_str());
    let mut upper = true;
    for c in path.chars() {
        if c.is_ascii_alphanumeric() {
            if upper {
                id.push(c.to_ascii_uppercase());
            } else {
                id.push(c);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    // `/agent` and `/agent/` are two routes.
    if path.len() > 1 && path.ends_with('/') {
        id.push_str("Slash");
    }
    id
}

fn tag_of(path: &str) -> &'static str {
    let p = path.strip_prefix("/api/v1/").unwrap_or(path);
    if p.starts_with("livechat/analytics") {
        "analytics"
    } else if p.starts_with("livechat/") {
        "livechat"
    } else if p.starts_with("omnichannel/") {
        "omnichannel"
    } else if p.starts_with("/api/") {
        "meta"
    } else if path.starts_with("/api/v1/") {
        "rest"
    } else {
        "pages"
    }
}

/// The OpenAPI 3.1 document of these operations.
pub fn document(ops: &[Op], version: &str) -> OpenApi {
    let mut paths = Paths::new();
    for o in ops {
        let (path, names) = doc_path(&o.path);
        let s = &o.spec;
        let api = o.path.starts_with("/api/");
        let mut b = OperationBuilder::new()
            .summary(Some(s.summary))
            .operation_id(Some(operation_id(o.verb, &o.path)))
            .tag(tag_of(&o.path));
        for n in &names {
            let mut schema = ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1));
            if let Some((_, values)) = s.path_enums.iter().find(|(k, _)| k == n) {
                schema = schema.enum_values(Some(values.iter().copied()));
            }
            b = b.parameter(
                ParameterBuilder::new()
                    .name(n)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(schema)),
            );
        }
        for (name, ty, required) in &s.query {
            b = b.parameter(
                ParameterBuilder::new()
                    .name(*name)
                    .parameter_in(ParameterIn::Query)
                    .required(if *required {
                        Required::True
                    } else {
                        Required::False
                    })
                    .schema(Some(ty_schema(*ty))),
            );
        }
        for (name, required) in &s.headers {
            b = b.parameter(
                ParameterBuilder::new()
                    .name(*name)
                    .parameter_in(ParameterIn::Header)
                    .required(if *required {
                        Required::True
                    } else {
                        Required::False
                    })
                    .schema(Some(ty_schema(Ty::Str))),
            );
        }
        match &s.input {
            Input::None => {}
            Input::Json(schema) => {
                b = b.request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content(
                            "application/json",
                            ContentBuilder::new()
                                .schema(Some((**schema).clone()))
                                .build(),
                        )
                        .build(),
                ));
            }
            Input::Multipart(fields) => {
                let mut o = ObjectBuilder::new().schema_type(Type::Object);
                for f in *fields {
                    let field = if *f == "file" {
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .content_media_type("application/octet-stream")
                    } else {
                        ObjectBuilder::new().schema_type(Type::String)
                    };
                    o = o.property(*f, field);
                }
                b = b.request_body(Some(
                    RequestBodyBuilder::new()
                        .required(Some(Required::True))
                        .content(
                            "multipart/form-data",
                            ContentBuilder::new().schema(Some(o.build())).build(),
                        )
                        .build(),
                ));
            }
        }
        b = match &s.answer {
            Answer::Success(keys) => b.response(
                "200",
                ResponseBuilder::new()
                    .description("Success (`API.v1.success`)")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(success_schema(keys, &s.shapes, true)))
                            .build(),
                    )
                    .build(),
            ),
            Answer::Json(keys) => b.response(
                "200",
                ResponseBuilder::new()
                    .description("Success")
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(success_schema(keys, &s.shapes, false)))
                            .build(),
                    )
                    .build(),
            ),
            Answer::Other(status, ct) => b.response(
                status.to_string(),
                ResponseBuilder::new()
                    .description("Success")
                    .content(
                        *ct,
                        ContentBuilder::new()
                            .schema(Some(if ct.starts_with("application/json") {
                                success_schema(&[], &[], false)
                            } else {
                                ty_schema(Ty::Str)
                            }))
                            .build(),
                    )
                    .build(),
            ),
        };
        if let Some(plain) = &s.plain_errors {
            for (status, ct) in plain {
                let mut r = ResponseBuilder::new().description("Error");
                if !ct.is_empty() {
                    r = r.content(
                        *ct,
                        ContentBuilder::new()
                            .schema(Some(if ct.starts_with("application/json") {
                                success_schema(&[], &[], false)
                            } else {
                                ty_schema(Ty::Str)
                            }))
                            .build(),
                    );
                }
                b = b.response(status.to_string(), r.build());
            }
        } else if api {
            b = b
                .response("400", error_ref("BadRequest"))
                .response("404", error_ref("NotFound"))
                .response("413", error_ref("PayloadTooLarge"))
                .response("429", error_ref("TooManyRequests"))
                .response("4XX", error_ref("Error"));
            if s.access == Access::User {
                b = b
                    .response("401", error_ref("Unauthorized"))
                    .response("403", error_ref("Forbidden"))
                    .security(
                        SecurityRequirement::new("userId", Vec::<String>::new())
                            .add("authToken", Vec::<String>::new()),
                    );
            }
        }
        paths.add_path_operation(&path, vec![o.verb.http()], b.build());
    }
    let error_response = |desc: &str, schema: &str| {
        ResponseBuilder::new()
            .description(desc)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(RefOr::Ref(Ref::from_schema_name(schema))))
                    .build(),
            )
            .build()
    };
    let mut documents = Vec::new();
    for o in ops {
        for (_, _, c) in &o.spec.shapes {
            (c.collect)(&mut documents);
        }
    }
    let components = ComponentsBuilder::new()
        .schemas_from_iter(documents)
        .schema("Error", error_envelope(&[], None))
        .schema(
            "Unauthorized",
            error_envelope(&["error", "status", "message"], Some("status")),
        )
        .schema("Forbidden", error_envelope(&["error"], None))
        .schema("NotFound", error_envelope(&[], None))
        .schema("TooManyRequests", error_envelope(&["error"], None))
        .response(
            "Error",
            error_response(
                "Rocket.Chat's failure envelope: `{success: false, error, errorType?, details?}` \
                 (a few routes answer `{success: false, reason, …}`)",
                "Error",
            ),
        )
        .response(
            "BadRequest",
            error_response(
                "Bad input: `{success: false, error, errorType?, details?}`; `Match error: …` or \
                 `… [invalid-params]` texts as upstream",
                "Error",
            ),
        )
        .response(
            "Unauthorized",
            error_response(
                "`{success: false, status: \"error\", message: \"You must be logged in to do this.\"}`",
                "Unauthorized",
            ),
        )
        .response(
            "Forbidden",
            error_response(
                "No permission: `{success: false, error: \"User does not have the permissions required for this action [error-unauthorized]\"}` \
                 (some routes: `error: \"unauthorized\"`)",
                "Forbidden",
            ),
        )
        .response(
            "NotFound",
            error_response(
                "Not found: `{success: false, error}`, or for an unknown path \
                 `{status: \"error\", message: \"API endpoint not found\", success: false}`",
                "NotFound",
            ),
        )
        .response(
            "PayloadTooLarge",
            error_response("The body is larger than allowed", "Error"),
        )
        .response(
            "TooManyRequests",
            error_response(
                "Rate limited: `{success: false, error: \"Error, too many requests. …\"}`",
                "TooManyRequests",
            ),
        )
        .security_scheme(
            "userId",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-User-Id",
                "The user's id (from `POST /api/v1/login`)",
            ))),
        )
        .security_scheme(
            "authToken",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Auth-Token",
                "The login token (`authToken` from `POST /api/v1/login`)",
            ))),
        )
        .build();
    let tags = [
        (
            "livechat",
            "Omnichannel Livechat: visitors, rooms, agents, departments, …",
        ),
        ("omnichannel", "Omnichannel contacts and integrations"),
        ("analytics", "Omnichannel dashboards"),
        (
            "rest",
            "Rocket.Chat's REST API (accounts, settings, rooms, …)",
        ),
        ("meta", "Server information and this document"),
        (
            "pages",
            "Outside `/api`: the widget, the agent workspace, files, probes",
        ),
    ]
    .map(|(name, desc)| {
        utoipa::openapi::tag::TagBuilder::new()
            .name(name)
            .description(Some(desc))
            .build()
    });
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Ferrochat")
                .version(version)
                .description(Some(
                    "Rocket.Chat's Omnichannel Livechat API as Ferrochat serves it. Agents, \
                     managers and admins authenticate with `X-User-Id` + `X-Auth-Token`; \
                     visitors with their token (`token` in the path, query or body, or \
                     `x-visitor-token`).",
                )),
        )
        .paths(paths)
        .components(Some(components))
        .tags(Some(tags))
        .build()
}

/// `{success: false, …}` with these keys required (more allowed).
fn error_envelope(required: &[&'static str], status_key: Option<&'static str>) -> Schema {
    let mut o = ObjectBuilder::new()
        .schema_type(Type::Object)
        .property(
            "success",
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .enum_values(Some([false])),
        )
        .required("success")
        .property("error", ty_schema(Ty::Str))
        .property("errorType", ty_schema(Ty::Str))
        .property("details", ty_schema(Ty::Any))
        .property("message", ty_schema(Ty::Str))
        .property("reason", ty_schema(Ty::Str));
    if let Some(k) = status_key {
        o = o.property(
            k,
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(["error"])),
        );
    } else {
        o = o.property("status", ty_schema(Ty::Str));
    }
    for k in required {
        o = o.required(*k);
    }
    Schema::Object(
        o.additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .build(),
    )
}
