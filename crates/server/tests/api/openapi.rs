//! The API document (`/api/openapi.json`): OpenAPI 3.1, well formed, and it covers exactly the
//! routes the router registers. The registered routes are found without the document: by
//! reading every `.route(…)` call in the server's source, and by calling each documented
//! operation on the real router and recording which route answered (axum's `MatchedPath`).

use crate::helpers::TestApp;
use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

const METHODS: &[&str] = &[
    "get", "post", "put", "delete", "patch", "head", "options", "trace",
];

/// `{*path}` (axum) and `{path}` (the document) are the same parameter.
fn normalize(path: &str) -> String {
    path.replace("{*", "{")
}

/// Every `(method, path)` registered by a `.route("path", get(…).post(…))` call in `src`.
fn routes_in_source(dir: &Path, out: &mut BTreeSet<(String, String)>, odd: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            routes_in_source(&path, out, odd);
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("rs") {
            continue;
        }
        let src = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        for forbidden in [".route_service(", ".nest_service(", ".fallback_service("] {
            if src.contains(forbidden) {
                odd.push(format!(
                    "{name}: {forbidden} registers a route the scan cannot read"
                ));
            }
        }
        let bytes = src.as_bytes();
        let mut from = 0;
        while let Some(i) = src[from..].find(".route(") {
            let start = from + i + ".route(".len();
            from = start;
            // The call's arguments, up to its closing parenthesis.
            let (mut depth, mut end) = (1, start);
            while depth > 0 {
                match bytes[end] {
                    b'(' => depth += 1,
                    b')' => depth -= 1,
                    _ => {}
                }
                end += 1;
            }
            let args = &src[start..end - 1];
            let trimmed = args.trim_start();
            let Some(rest) = trimmed.strip_prefix('"') else {
                // The table's own `self.router.route(path, m.router)`.
                if !name.ends_with("openapi.rs") {
                    odd.push(format!("{name}: .route({args}) has no literal path"));
                }
                continue;
            };
            let route_path = &rest[..rest.find('"').unwrap()];
            // Method calls at the top level of the second argument: `get(…)`, `.post(…)`.
            let after = &rest[rest.find('"').unwrap() + 1..];
            let (mut depth, mut word) = (0, String::new());
            let mut methods = Vec::new();
            for c in after.chars() {
                match c {
                    '(' => {
                        if depth == 0 && !word.is_empty() {
                            methods.push(word.clone());
                        }
                        depth += 1;
                        word.clear();
                    }
                    ')' => depth -= 1,
                    c if depth == 0 && (c.is_ascii_alphanumeric() || c == '_') => word.push(c),
                    _ => {
                        if depth == 0 {
                            word.clear();
                        }
                    }
                }
            }
            for m in methods {
                if METHODS.contains(&m.as_str()) {
                    out.insert((m, route_path.to_string()));
                } else if m != "layer" {
                    odd.push(format!("{name}: {route_path}: unknown registration {m}(…)"));
                }
            }
        }
    }
}

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            if METHODS.contains(&method.as_str()) {
                ops.insert((method.clone(), path.clone()));
            }
        }
    }
    ops
}

#[tokio::test]
async fn the_document_covers_every_route_and_only_them() {
    // The routes that answered (`MatchedPath`), in order.
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let app = TestApp::spawn_wrapped(move |router| {
        router.layer(axum::middleware::from_fn(
            move |req: Request, next: Next| {
                let record = record.clone();
                async move {
                    if let Some(m) = req.extensions().get::<MatchedPath>() {
                        record.lock().unwrap().push(m.as_str().to_string());
                    }
                    next.run(req).await
                }
            },
        ))
    })
    .await;
    let r = app.get("/api/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let doc = r.body;
    let ops = documented(&doc);

    // Source ⊆ document and document ⊆ source.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (mut registered, mut odd) = (BTreeSet::new(), Vec::new());
    routes_in_source(&src, &mut registered, &mut odd);
    assert!(
        odd.is_empty(),
        "registrations the scan cannot read: {odd:#?}"
    );
    let doc_paths: BTreeSet<&String> = ops.iter().map(|(_, p)| p).collect();
    let registered: BTreeSet<(String, String)> = registered
        .into_iter()
        .map(|(m, p)| {
            let p = normalize(&p);
            let api = format!("/api{p}");
            (m, if doc_paths.contains(&api) { api } else { p })
        })
        .collect();
    let missing: Vec<_> = registered.difference(&ops).collect();
    let extra: Vec<_> = ops.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "routes not in the document: {missing:#?}"
    );
    assert!(
        extra.is_empty(),
        "documented routes not in the source: {extra:#?}"
    );
    assert!(ops.len() >= 120, "only {} operations", ops.len());

    // Each documented operation is answered by the route of that path and method.
    for (method, path) in &ops {
        let concrete = path
            .split('/')
            .map(|seg| {
                if seg.starts_with('{') {
                    let name = &seg[1..seg.len() - 1];
                    let param = doc["paths"][path][method]["parameters"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|p| p["name"] == name && p["in"] == "path")
                        .unwrap_or_else(|| panic!("{method} {path}: {name} not declared"));
                    param["schema"]["enum"][0]
                        .as_str()
                        .unwrap_or("x")
                        .to_string()
                } else {
                    seg.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        seen.lock().unwrap().clear();
        let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let res = app.req(m, &concrete, None, None).await;
        assert_ne!(
            res.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        let matched: Vec<_> = seen.lock().unwrap().iter().map(|m| normalize(m)).collect();
        assert!(
            matched.contains(path),
            "{method} {concrete}: answered by {matched:?}, not {path}"
        );
    }
}

/// Every `$ref` in the document names a component that exists.
fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if k == "$ref" {
                    out.push(x.as_str().unwrap());
                } else {
                    refs(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_well_formed_openapi_3_1() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json").await.body;
    let version = doc["openapi"].as_str().unwrap();
    assert!(version.starts_with("3.1."), "{version}");
    assert_eq!(doc["info"]["title"], "Ferrochat");
    assert!(doc["info"]["version"].is_string());
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        assert!(path.starts_with('/'), "{path}");
        let params: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            assert!(ids.insert(id.to_string()), "duplicate operationId {id}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path}"
            );
            let declared: BTreeSet<&str> = op["parameters"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter(|p| p["in"] == "path")
                        .map(|p| {
                            assert_eq!(p["required"], true);
                            p["name"].as_str().unwrap()
                        })
                        .collect()
                })
                .unwrap_or_default();
            assert_eq!(declared, params, "{method} {path}");
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}");
            for (status, r) in responses {
                assert!(
                    status.len() == 3 && (status.parse::<u16>().is_ok() || status.ends_with("XX")),
                    "{method} {path}: {status}"
                );
                assert!(r.get("$ref").is_some() || r["description"].is_string());
            }
            // `/api` operations answer Rocket.Chat's envelope (upstream's logout answers
            // `{status, data}` without `success`).
            if path.starts_with("/api/v1/") {
                let ok = &op["responses"]["200"]["content"]["application/json"]["schema"];
                assert!(
                    path == "/api/v1/logout"
                        || ok["required"]
                            .as_array()
                            .is_some_and(|r| r.contains(&"success".into())),
                    "{method} {path}: {ok}"
                );
                for s in ["400", "404", "429", "4XX"] {
                    assert!(
                        op["responses"][s]["$ref"].is_string(),
                        "{method} {path} {s}"
                    );
                }
                if op.get("security").is_some() {
                    assert_eq!(
                        op["responses"]["401"]["$ref"],
                        "#/components/responses/Unauthorized"
                    );
                    assert_eq!(
                        op["responses"]["403"]["$ref"],
                        "#/components/responses/Forbidden"
                    );
                }
            }
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let parts: Vec<&str> = r.trim_start_matches("#/").split('/').collect();
        let mut v = &doc;
        for p in &parts {
            v = &v[*p];
        }
        assert!(!v.is_null(), "unresolved {r}");
    }
    // The envelopes as they render.
    let unauthorized = &doc["components"]["schemas"]["Unauthorized"];
    assert_eq!(unauthorized["properties"]["success"]["enum"][0], false);
    assert_eq!(unauthorized["properties"]["status"]["enum"][0], "error");
    // The page renders it, from this server only.
    let page = app.get("/api/docs").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text.contains("openapi.json"));
    assert!(
        !page.text.contains("https://"),
        "the page loads nothing from elsewhere"
    );
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("connect-src 'self'"), "{csp}");
}

/// The documented envelopes are the ones the server sends.
#[tokio::test]
async fn errors_render_as_documented() {
    let app = TestApp::spawn().await;
    let r = app.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["success"], false);
    assert_eq!(r.body["status"], "error");
    assert_eq!(r.body["message"], "You must be logged in to do this.");
    let r = app.get("/api/v1/no-such-route").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["success"], false);
}

/// The 200 schema of `method path` in the document, with the document's components beside it
/// so that its `#/components/…` references resolve.
fn answer_validator(doc: &Value, method: &str, path: &str) -> jsonschema::Validator {
    let mut schema = doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        ["schema"]
        .clone();
    assert!(schema.is_object(), "{method} {path}: no JSON 200 answer");
    schema["components"] = doc["components"].clone();
    jsonschema::draft202012::new(&schema).unwrap()
}

#[track_caller]
fn conforms(doc: &Value, method: &str, path: &str, r: &crate::helpers::Resp) {
    assert_eq!(r.status, 200, "{method} {path}: {}", r.text);
    let v = answer_validator(doc, method, path);
    let errors: Vec<String> = v
        .iter_errors(&r.body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {path} answered outside the document:\n{}\n{}",
        errors.join("\n"),
        r.text
    );
}

/// The stored documents (room, visitor, message, inquiry, department) are described by the
/// types that serialise them, and real answers from a whole chat match those descriptions,
/// dates included (ISO with milliseconds and `Z`).
#[tokio::test]
async fn answers_in_a_whole_chat_match_the_documented_documents() {
    let app = TestApp::spawn().await;
    let doc = app.get("/api/openapi.json").await.body;
    for (path, method, key, name) in [
        ("/api/v1/livechat/room", "get", "room", "Room"),
        ("/api/v1/livechat/visitor", "post", "visitor", "Visitor"),
        ("/api/v1/livechat/message", "post", "message", "Message"),
        (
            "/api/v1/livechat/inquiries.queued",
            "get",
            "inquiries",
            "Inquiry",
        ),
        (
            "/api/v1/livechat/department",
            "get",
            "departments",
            "Department",
        ),
        (
            "/api/v1/canned-responses",
            "get",
            "cannedResponses",
            "CannedResponse",
        ),
        ("/api/v1/livechat/tags", "get", "tags", "LivechatTag"),
    ] {
        let prop = &doc["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
            ["properties"][key];
        let reference = prop["$ref"].as_str().or(prop["items"]["$ref"].as_str());
        assert_eq!(
            reference,
            Some(format!("#/components/schemas/{name}").as_str()),
            "{method} {path}: {prop}"
        );
    }
    assert_eq!(doc["components"]["schemas"]["Date"]["type"], "string");

    let agent = app.create_agent("shape-agent").await;
    app.make_available(&agent).await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/livechat/department",
            json!({"department": {"enabled": true, "name": "Shapes", "email": "shapes@example.com",
                "showOnRegistration": true, "showOnOfflineForm": false},
                "agents": [{"agentId": agent.id, "count": 0, "order": 1}]}),
        )
        .await;
    conforms(&doc, "post", "/api/v1/livechat/department", &r);
    let r = app.get_as(&app.admin, "/api/v1/livechat/department").await;
    conforms(&doc, "get", "/api/v1/livechat/department", &r);
    let dep = r.body["departments"][0]["_id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/canned-responses",
            json!({"shortcut": "hi", "text": "Hello!", "scope": "department",
                "departmentId": dep, "tags": ["greeting"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_as(&app.admin, "/api/v1/canned-responses").await;
    conforms(&doc, "get", "/api/v1/canned-responses", &r);
    assert_eq!(r.body["cannedResponses"].as_array().unwrap().len(), 1);
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/method.call/livechat:saveTag",
            json!({"message": serde_json::to_string(&json!({"msg": "method", "id": "1",
                "method": "livechat:saveTag",
                "params": [null, {"name": "vip", "description": "Important"}, []]})).unwrap()}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_as(&app.admin, "/api/v1/livechat/tags").await;
    conforms(&doc, "get", "/api/v1/livechat/tags", &r);
    assert_eq!(r.body["tags"].as_array().unwrap().len(), 1, "{}", r.text);

    let r = app
        .post(
            "/api/v1/livechat/visitor",
            json!({"visitor": {"token": "shape-v", "name": "Ann", "email": "ann@example.com",
                "phone": "+4912345", "customFields": []}}),
        )
        .await;
    conforms(&doc, "post", "/api/v1/livechat/visitor", &r);
    let r = app.get("/api/v1/livechat/visitor/shape-v").await;
    conforms(&doc, "get", "/api/v1/livechat/visitor/{token}", &r);

    let r = app.room("shape-v").await;
    conforms(&doc, "get", "/api/v1/livechat/room", &r);
    let rid = r.body["room"]["_id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v1/livechat/message",
            json!({"token": "shape-v", "rid": rid, "msg": "Hello, see **this** https://example.com"}),
        )
        .await;
    conforms(&doc, "post", "/api/v1/livechat/message", &r);
    let mid = r.body["message"]["_id"].as_str().unwrap().to_string();
    let r = app
        .get(&format!(
            "/api/v1/livechat/message/{mid}?token=shape-v&rid={rid}"
        ))
        .await;
    conforms(&doc, "get", "/api/v1/livechat/message/{id}", &r);
    let r = app
        .req(
            Method::PUT,
            &format!("/api/v1/livechat/message/{mid}"),
            None,
            Some(json!({"token": "shape-v", "rid": rid, "msg": "Hello again"})),
        )
        .await;
    conforms(&doc, "put", "/api/v1/livechat/message/{id}", &r);
    let r = app
        .post_as(
            &agent,
            "/api/v1/chat.sendMessage",
            json!({"message": {"rid": rid, "msg": "How can I help?"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .get(&format!(
            "/api/v1/livechat/messages.history/{rid}?token=shape-v"
        ))
        .await;
    conforms(&doc, "get", "/api/v1/livechat/messages.history/{rid}", &r);
    assert!(r.body["messages"].as_array().unwrap().len() >= 3);
    let r = app
        .get_as(&agent, &format!("/api/v1/livechat/{rid}/messages"))
        .await;
    conforms(&doc, "get", "/api/v1/livechat/{rid}/messages", &r);

    // A closed room carries its metrics and closing fields.
    let r = app
        .post_as(
            &agent,
            "/api/v1/livechat/room.closeByUser",
            json!({"rid": rid, "comment": "done"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app.get_as(&app.admin, "/api/v1/livechat/rooms").await;
    conforms(&doc, "get", "/api/v1/livechat/rooms", &r);
    assert!(r.body["rooms"][0]["closedAt"].is_string(), "{}", r.text);

    // A queued inquiry (manual selection keeps it in the queue).
    app.set_setting("Livechat_Routing_Method", json!("Manual_Selection"))
        .await;
    app.visitor("shape-w").await;
    assert_eq!(app.room("shape-w").await.status, 200);
    let r = app
        .get_as(&agent, "/api/v1/livechat/inquiries.queued")
        .await;
    conforms(&doc, "get", "/api/v1/livechat/inquiries.queued", &r);
    assert_eq!(
        r.body["inquiries"].as_array().unwrap().len(),
        1,
        "{}",
        r.text
    );
}
