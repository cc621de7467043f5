//! REST bodies and query strings of the visitor routes: arbitrary JSON, mutated valid
//! bodies, raw bytes. Every answer is a 2xx or a 4xx in the `success: false` envelope.

use crate::harness::{App, check_answer, check_no_5xx, run, runtime, too_long};
use crate::input::{self, MSG_ID, Mutation, RID, TOKEN};
use proptest::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The visitor routes that read a body, each with a valid body to mutate. Paths may hold
/// `{}`, filled with a generated (or the real) path parameter.
fn routes() -> Vec<(Method, &'static str, Value)> {
    let post = Method::POST;
    vec![
        (
            post.clone(),
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": TOKEN, "name": "V", "email": "v@example.com",
                "phone": "+5511999999999", "department": "", "username": "v",
                "customFields": [{"key": "k", "value": "v", "overwrite": true}]}}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/visitor.status",
            json!({"token": TOKEN, "status": "away"}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/message",
            json!({"token": TOKEN, "rid": RID, "msg": "hi *there*", "_id": "fuzz",
                "agent": {"agentId": "x", "username": "fuzz-agent"}}),
        ),
        (
            Method::PUT,
            "/api/v1/livechat/message/{}",
            json!({"token": TOKEN, "rid": RID, "msg": "edited"}),
        ),
        (
            Method::DELETE,
            "/api/v1/livechat/message/{}",
            json!({"token": TOKEN, "rid": RID}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/messages",
            json!({"visitor": {"token": TOKEN}, "messages": [{"msg": "a"}, {"msg": "b"}]}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/page.visited",
            json!({"token": TOKEN, "rid": RID, "pageInfo": {"change": "url", "title": "T",
                "location": {"href": "https://example.com/"}}}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/offline.message",
            json!({"name": "V", "email": "v@example.com", "message": "hello",
                "department": "", "host": "https://example.com"}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/transcript",
            json!({"token": TOKEN, "rid": RID, "email": "v@example.com"}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/custom.field",
            json!({"token": TOKEN, "key": "k", "value": "v", "overwrite": true}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/custom.fields",
            json!({"token": TOKEN, "customFields": [{"key": "k", "value": "v", "overwrite": false}]}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/room.survey",
            json!({"token": TOKEN, "rid": RID, "data": [{"name": "satisfaction", "value": "5"}]}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/room.transfer",
            json!({"token": TOKEN, "rid": RID, "department": "d"}),
        ),
        (
            post.clone(),
            "/api/v1/livechat/room.close",
            json!({"token": TOKEN, "rid": RID}),
        ),
        (Method::DELETE, "/api/v1/livechat/visitor/{}", json!({})),
    ]
}

/// The visitor routes that read a query string (and path parameters), and the file
/// download.
const GETS: &[&str] = &[
    "/api/v1/livechat/room",
    "/api/v1/livechat/config",
    "/api/v1/livechat/visitor/{}",
    "/api/v1/livechat/visitor/{}/room",
    "/api/v1/livechat/agent.info/{}/{}",
    "/api/v1/livechat/agent.next/{}",
    "/api/v1/livechat/messages.history/{}",
    "/api/v1/livechat/message/{}",
    "/api/v1/livechat/custom-fields",
    "/api/v1/livechat/triggers",
    "/file-upload/{}/{}",
];

#[derive(Debug, Clone)]
enum Body {
    Json(Value),
    Mutated(Vec<Mutation>),
    Raw(Vec<u8>),
    Text(String),
}

fn body() -> BoxedStrategy<Body> {
    prop_oneof![
        5 => input::mutations().prop_map(Body::Mutated),
        3 => input::value().prop_map(Body::Json),
        1 => any::<Vec<u8>>().prop_map(Body::Raw),
        1 => input::deep_text().prop_map(Body::Text),
        1 => input::value().prop_flat_map(|v| {
            // Valid JSON cut short.
            let s = v.to_string();
            let n = s.len();
            (Just(s), 0..=n).prop_map(|(s, i)| {
                Body::Raw(s.as_bytes()[..i].to_vec())
            })
        }),
    ]
    .boxed()
}

fn path_param() -> BoxedStrategy<String> {
    prop_oneof![
        3 => prop::sample::select(vec![TOKEN, RID, MSG_ID]).prop_map(str::to_string),
        2 => input::string(),
    ]
    .boxed()
}

#[derive(Debug, Clone)]
struct Case {
    route: usize,
    params: Vec<String>,
    body: Body,
    content_type: Option<&'static str>,
    visitor_header: bool,
    /// Generated `X-User-Id` / `X-Auth-Token` headers (sent when valid header values).
    auth: Option<(String, String)>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        0..routes().len(),
        prop::collection::vec(path_param(), 2),
        body(),
        prop::option::weighted(
            0.9,
            prop::sample::select(vec![
                "application/json",
                "application/json; charset=utf-8",
                "text/plain",
                "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x",
            ]),
        ),
        any::<bool>(),
        prop::option::weighted(0.1, (input::string(), input::string())),
    )
        .prop_map(
            |(route, params, body, content_type, visitor_header, auth)| Case {
                route,
                params,
                body,
                content_type,
                visitor_header,
                auth,
            },
        )
}

fn fill_path(app: &App, path: &str, params: &[String]) -> String {
    let mut out = path.to_string();
    for p in params {
        if !out.contains("{}") {
            break;
        }
        let p: String = url::form_urlencoded::byte_serialize(app.fill(p).as_bytes()).collect();
        out = out.replacen("{}", &p, 1);
    }
    out
}

/// `Ok(true)` when the route accepted the body.
async fn one_request(app: &App, c: &Case) -> Result<bool, TestCaseError> {
    let routes = routes();
    let (method, path, template) = &routes[c.route];
    let path = fill_path(app, path, &c.params);
    if too_long(&path) {
        return Ok(false);
    }
    let bytes = match &c.body {
        Body::Json(v) => {
            let mut v = v.clone();
            app.fill_value(&mut v);
            v.to_string().into_bytes()
        }
        Body::Mutated(m) => {
            let mut v = template.clone();
            input::apply(&mut v, m);
            app.fill_value(&mut v);
            v.to_string().into_bytes()
        }
        Body::Raw(b) => b.clone(),
        Body::Text(t) => t.clone().into_bytes(),
    };
    let mut r = app
        .http
        .request(method.clone(), format!("{}{path}", app.base))
        .body(bytes);
    if let Some(ct) = c.content_type {
        r = r.header("content-type", ct);
    }
    if c.visitor_header {
        r = r.header("x-visitor-token", &app.token);
    }
    if let Some((id, token)) = &c.auth {
        let valid = |v: &str| reqwest::header::HeaderValue::from_str(v).is_ok();
        if valid(id) && valid(token) {
            r = r.header("X-User-Id", id).header("X-Auth-Token", token);
        }
    }
    // `livechat/messages` (an integration's import of a visitor's messages) wants a user.
    else if path.ends_with("/livechat/messages") {
        r = r
            .header("X-User-Id", &app.admin.0)
            .header("X-Auth-Token", &app.admin.1);
    }
    let ok = check_answer(&format!("{method} {path}"), r.send().await).await?;
    // Some routes end what the next cases refer to: start again with a fresh room.
    if path.contains("room.close") || *method == Method::DELETE {
        app.refresh().await;
    }
    app.alive().await?;
    Ok(ok)
}

#[test]
fn visitor_route_bodies_never_5xx() {
    let rt = runtime();
    let app = rt.block_on(App::spawn());
    let accepted = AtomicUsize::new(0);
    run("visitor REST bodies", 1000, case(), |c| {
        if rt.block_on(one_request(&app, &c))? {
            accepted.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    });
    // The mutated valid bodies do get past validation now and then.
    let accepted = accepted.into_inner();
    eprintln!("visitor REST bodies: {accepted} accepted");
    assert!(accepted > 0, "no body was ever accepted");
}

#[derive(Debug, Clone)]
struct GetCase {
    route: usize,
    params: Vec<String>,
    query: Vec<(String, String)>,
    raw_query: Option<String>,
}

fn get_case() -> impl Strategy<Value = GetCase> {
    let pair = (
        prop_oneof![
            3 => prop::sample::select(vec![
                "token", "rid", "agentId", "department", "ls", "end", "limit", "offset",
                "count", "sort", "fields", "query", "searchText", "businessUnit", "id",
                "token[]", "rid[]", "sort[ts]",
            ]).prop_map(str::to_string),
            1 => input::key(),
        ],
        prop_oneof![
            3 => path_param(),
            1 => prop::sample::select(vec![
                "-1", "0", "1e9", "99999999999999999999", "{\"ts\":-1}", "{\"$where\":1}",
                "2024-13-45T99:99:99Z", "[]",
            ]).prop_map(str::to_string),
        ],
    );
    (
        0..GETS.len(),
        prop::collection::vec(path_param(), 2),
        prop::collection::vec(pair, 0..5),
        prop::option::weighted(0.2, "[ -~]{0,64}"),
    )
        .prop_map(|(route, params, query, raw_query)| GetCase {
            route,
            params,
            query,
            raw_query,
        })
}

async fn one_get(app: &App, c: &GetCase) -> Result<(), TestCaseError> {
    let path = fill_path(app, GETS[c.route], &c.params);
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &c.query {
        q.append_pair(k, &app.fill(v));
    }
    let mut query = q.finish();
    if let Some(raw) = &c.raw_query {
        query.push('&');
        query.push_str(raw);
    }
    let url = format!("{}{path}?{query}", app.base);
    // Some raw strings are not URLs at all: nothing reaches the server then.
    let Ok(url) = reqwest::Url::parse(&url) else {
        return Ok(());
    };
    if too_long(url.as_str()) {
        return Ok(());
    }
    let r = app
        .http
        .get(url)
        .header("x-visitor-token", &app.token)
        .send()
        .await;
    let what = format!("GET {path}?{query}");
    if path.starts_with("/file-upload/") {
        check_no_5xx(&what, r).await?;
    } else {
        check_answer(&what, r).await?;
    }
    app.alive().await
}

#[test]
fn visitor_route_queries_never_5xx() {
    let rt = runtime();
    let app = rt.block_on(App::spawn());
    run("visitor REST queries", 500, get_case(), |c| {
        rt.block_on(one_get(&app, &c))
    });
}
