//! Serving the livechat widget as Rocket.Chat does: `/livechat` with SERVER_URL injected,
//! assets with their types and caching, frame-ancestors from `Livechat_AllowedDomainsList`,
//! CORS preflights for the widget's cross-origin API calls, the demo page, avatars, the
//! chime. A temporary folder stands in for the widget's `build` folder (same file names).

use crate::helpers::TestApp;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::json;

const INDEX: &str = r#"<!doctype html><html><head><meta charset="utf-8"><title>Rocket.Chat.Livechat</title></head><body><script src="livechat/0.chunk.44660.js"></script><script src="livechat/bundle.31a95.js"></script></body></html>"#;

fn widget_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, content: &[u8]| std::fs::write(dir.path().join(name), content).unwrap();
    w("index.html", INDEX.as_bytes());
    w("bundle.31a95.js", b"console.log('bundle')");
    w("vendors~bundle.chunk.8a189.js", b"/* vendors */");
    w("5.chunk.64645.css", b"body{}");
    w("e9ae7973e9fdbbe4aa91df9a6a684116.png", b"\x89PNG\r\n");
    w("rocketchat-livechat.min.js", b"/* loader */");
    std::fs::write(dir.path().join("..secret"), b"no").ok();
    dir
}

struct Raw {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

async fn raw(app: &TestApp, method: Method, path: &str, headers: &[(&str, &str)]) -> Raw {
    let mut r = app.http.request(method, format!("{}{}", app.base, path));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let res = r.send().await.unwrap();
    Raw {
        status: res.status(),
        headers: res.headers().clone(),
        body: String::from_utf8_lossy(&res.bytes().await.unwrap()).into_owned(),
    }
}

fn h<'a>(r: &'a Raw, name: &str) -> Option<&'a str> {
    r.headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn index_has_server_url_after_body_and_can_be_framed() {
    let dir = widget_dir();
    let app = TestApp::spawn_with_widget(dir.path()).await;
    for path in ["/livechat", "/livechat/"] {
        let r = raw(&app, Method::GET, path, &[]).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(h(&r, "content-type"), Some("text/html; charset=utf-8"));
        // ROOT_URL of the test config (no trailing slash)
        let expected = INDEX.replace(
            "<body>",
            "<body><script> SERVER_URL = 'http://localhost:0'; </script>",
        );
        assert_eq!(r.body, expected);
        assert_eq!(h(&r, "x-frame-options"), None);
        assert_eq!(h(&r, "content-security-policy"), None);
    }
    // a referer alone changes nothing while the allowed list is empty
    let r = raw(
        &app,
        Method::GET,
        "/livechat",
        &[("referer", "https://shop.example/cart")],
    )
    .await;
    assert_eq!(h(&r, "content-security-policy"), None);
}

#[tokio::test]
async fn allowed_domains_become_frame_ancestors() {
    let dir = widget_dir();
    let app = TestApp::spawn_with_widget(dir.path()).await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/settings/Livechat_AllowedDomainsList",
            json!({"value": "shop.example, 127.0.0.1:3100"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let csp = |referer: &'static str| {
        let app = &app;
        async move {
            let r = raw(app, Method::GET, "/livechat", &[("referer", referer)]).await;
            assert_eq!(r.status, 200);
            assert_eq!(h(&r, "x-frame-options"), None);
            h(&r, "content-security-policy").map(str::to_string)
        }
    };
    assert_eq!(
        csp("https://shop.example/cart?x=1").await.as_deref(),
        Some("frame-ancestors https://shop.example")
    );
    assert_eq!(
        csp("http://127.0.0.1:3100/").await.as_deref(),
        Some("frame-ancestors http://127.0.0.1:3100")
    );
    // the port is part of the host, as upstream compares it
    assert_eq!(
        csp("http://127.0.0.1:3200/").await.as_deref(),
        Some("frame-ancestors 'none'")
    );
    assert_eq!(
        csp("https://evil.example/").await.as_deref(),
        Some("frame-ancestors 'none'")
    );
    // without a referer upstream sets no policy
    let r = raw(&app, Method::GET, "/livechat", &[]).await;
    assert_eq!(h(&r, "content-security-policy"), None);
}

/// The server's own pages (the demo page, the manager console's preview) may frame the
/// widget whatever the allowed domains say.
#[tokio::test]
async fn own_pages_may_always_frame_the_widget() {
    let dir = widget_dir();
    let widget = dir.path().to_path_buf();
    let app = TestApp::spawn_configured(move |c| {
        c.livechat_widget_dir = widget;
        c.root_url = Some("https://chat.example".into());
    })
    .await;
    app.set_setting("Livechat_AllowedDomainsList", "shop.example".into())
        .await;
    for (referer, policy) in [
        (
            "https://chat.example/agent/manage/widget",
            "frame-ancestors 'self'",
        ),
        ("https://chat.example/", "frame-ancestors 'self'"),
        // another scheme or port is another origin
        ("http://chat.example/", "frame-ancestors 'none'"),
        ("https://chat.example:8443/", "frame-ancestors 'none'"),
        (
            "https://shop.example/",
            "frame-ancestors https://shop.example",
        ),
    ] {
        let r = raw(&app, Method::GET, "/livechat", &[("referer", referer)]).await;
        assert_eq!(r.status, 200);
        assert_eq!(h(&r, "content-security-policy"), Some(policy), "{referer}");
    }
}

#[tokio::test]
async fn assets_have_their_types_and_hashed_names_are_immutable() {
    let dir = widget_dir();
    let app = TestApp::spawn_with_widget(dir.path()).await;
    let cases = [
        (
            "bundle.31a95.js",
            "application/javascript; charset=UTF-8",
            true,
        ),
        (
            "vendors~bundle.chunk.8a189.js",
            "application/javascript; charset=UTF-8",
            true,
        ),
        ("5.chunk.64645.css", "text/css; charset=UTF-8", true),
        ("e9ae7973e9fdbbe4aa91df9a6a684116.png", "image/png", true),
        (
            "rocketchat-livechat.min.js",
            "application/javascript; charset=UTF-8",
            false,
        ),
    ];
    for (name, ty, hashed) in cases {
        let r = raw(&app, Method::GET, &format!("/livechat/{name}"), &[]).await;
        assert_eq!(r.status, 200, "{name}");
        assert_eq!(h(&r, "content-type"), Some(ty), "{name}");
        let cache = h(&r, "cache-control").unwrap();
        if hashed {
            assert_eq!(cache, "public, max-age=31536000, immutable", "{name}");
        } else {
            assert_eq!(cache, "no-cache", "{name}");
        }
        assert_eq!(
            r.body,
            String::from_utf8_lossy(&std::fs::read(dir.path().join(name)).unwrap())
        );
    }
    // the loader revalidates: same ETag, 304
    let r = raw(
        &app,
        Method::GET,
        "/livechat/rocketchat-livechat.min.js",
        &[],
    )
    .await;
    let etag = h(&r, "etag").unwrap().to_string();
    let r = raw(
        &app,
        Method::GET,
        "/livechat/rocketchat-livechat.min.js?_=201903270000",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(r.status, 304);
    assert_eq!(r.body, "");
    // nothing outside the folder, nothing hidden, nothing missing
    for path in [
        "/livechat/..secret",
        "/livechat/..%2F..%2Fetc%2Fpasswd",
        "/livechat/nope.js",
        "/livechat/a/b.js",
    ] {
        let r = raw(&app, Method::GET, path, &[]).await;
        assert_eq!(r.status, 404, "{path}");
    }
}

#[tokio::test]
async fn without_the_widget_the_server_runs_and_says_how_to_install_it() {
    let missing = tempfile::tempdir().unwrap();
    let app = TestApp::spawn_with_widget(&missing.path().join("build")).await;
    let r = raw(&app, Method::GET, "/livechat", &[]).await;
    assert_eq!(r.status, 503);
    assert_eq!(h(&r, "content-type"), Some("text/html; charset=utf-8"));
    assert!(
        r.body.contains("bash scripts/fetch-widget.sh"),
        "{}",
        r.body
    );
    assert!(r.body.contains("LIVECHAT_WIDGET_DIR"), "{}", r.body);
    let r = raw(&app, Method::GET, "/livechat/bundle.31a95.js", &[]).await;
    assert_eq!(r.status, 404);
    // the demo page says so too, and the API is unaffected
    let r = raw(&app, Method::GET, "/", &[]).await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("not installed"), "{}", r.body);
    let r = app.get("/api/v1/livechat/config").await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn demo_page_embeds_rocket_chats_snippet_pointing_here() {
    let dir = widget_dir();
    let app = TestApp::spawn_with_widget(dir.path()).await;
    let r = raw(&app, Method::GET, "/", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(h(&r, "content-type"), Some("text/html; charset=utf-8"));
    assert!(r.body.contains(
        "j.src = 'http://localhost:0/livechat/rocketchat-livechat.min.js?_=201903270000';"
    ));
    assert!(
        r.body
            .contains("})(window, document, 'script', 'http://localhost:0/livechat');")
    );
    assert!(!r.body.contains("not installed"));
}

#[tokio::test]
async fn every_route_the_widget_calls_answers_its_cors_preflight() {
    let dir = widget_dir();
    let app = TestApp::spawn_with_widget(dir.path()).await;
    let routes = [
        ("GET", "/api/v1/livechat/config?token=t"),
        ("POST", "/api/v1/livechat/visitor"),
        ("GET", "/api/v1/livechat/visitor/t"),
        ("DELETE", "/api/v1/livechat/visitor/t"),
        ("GET", "/api/v1/livechat/room?token=t"),
        ("GET", "/api/v1/livechat/agent.info/rid/t?"),
        ("GET", "/api/v1/livechat/agent.next/t?department="),
        ("POST", "/api/v1/livechat/message"),
        ("GET", "/api/v1/livechat/message/mid?token=t&rid=r"),
        ("PUT", "/api/v1/livechat/message/mid"),
        ("DELETE", "/api/v1/livechat/message/mid"),
        ("GET", "/api/v1/livechat/messages.history/rid?token=t"),
        ("POST", "/api/v1/livechat/page.visited"),
        ("POST", "/api/v1/livechat/visitor.status"),
        ("POST", "/api/v1/livechat/room.close"),
        ("POST", "/api/v1/livechat/room.transfer"),
        ("POST", "/api/v1/livechat/transcript"),
        ("POST", "/api/v1/livechat/offline.message"),
        ("POST", "/api/v1/livechat/custom.field"),
        ("POST", "/api/v1/livechat/upload/rid"),
    ];
    for (method, path) in routes {
        let r = raw(
            &app,
            Method::OPTIONS,
            path,
            &[
                ("origin", "http://127.0.0.1:3000"),
                ("access-control-request-method", method),
                (
                    "access-control-request-headers",
                    "content-type,x-visitor-token",
                ),
            ],
        )
        .await;
        assert_eq!(r.status, 200, "{method} {path}");
        assert_eq!(
            h(&r, "access-control-allow-origin"),
            Some("http://127.0.0.1:3000"),
            "{method} {path}"
        );
        let methods = h(&r, "access-control-allow-methods")
            .unwrap()
            .to_lowercase();
        assert!(
            methods.contains(&method.to_lowercase()),
            "{method} {path}: {methods}"
        );
        let headers = h(&r, "access-control-allow-headers")
            .unwrap()
            .to_lowercase();
        assert!(
            headers.contains("content-type") && headers.contains("x-visitor-token"),
            "{method} {path}: {headers}"
        );
    }
    // and the actual cross-origin answer carries the origin too
    let r = raw(
        &app,
        Method::GET,
        "/api/v1/livechat/config?token=t",
        &[("origin", "http://127.0.0.1:3000")],
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        h(&r, "access-control-allow-origin"),
        Some("http://127.0.0.1:3000")
    );
}

#[tokio::test]
async fn avatars_are_upstreams_letters() {
    let app = TestApp::spawn().await;
    let r = raw(&app, Method::GET, "/avatar/agent.smith", &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(h(&r, "content-type"), Some("image/svg+xml"));
    assert_eq!(h(&r, "cache-control"), Some("public, max-age=3600"));
    assert_eq!(h(&r, "content-disposition"), Some("inline"));
    assert_eq!(
        h(&r, "last-modified"),
        Some("Thu, 01 Jan 2015 00:00:00 GMT")
    );
    // 'agent.smith' is 11 long: colours[11 % 6]; a 200 box, font 200 / 1.6
    assert_eq!(
        r.body,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 200\">\n<rect width=\"100%\" height=\"100%\" fill=\"#6C727A\"/>\n<text x=\"50%\" y=\"50%\" dy=\"0.36em\" text-anchor=\"middle\" pointer-events=\"none\" fill=\"#ffffff\" font-family=\"'Helvetica', 'Arial', 'Lucida Grande', 'sans-serif'\" font-size=\"125\">\nA\n</text>\n</svg>"
    );
    // the browser's revalidation of the fallback
    let r = raw(
        &app,
        Method::GET,
        "/avatar/agent.smith",
        &[("if-modified-since", "Thu, 01 Jan 2015 00:00:00 GMT")],
    )
    .await;
    assert_eq!(r.status, 304);
    // size is clamped to 16..1024; '@' forces the letters of what follows; cacheTime wins
    let r = raw(
        &app,
        Method::GET,
        "/avatar/@guest-1?size=5000&cacheTime=60",
        &[],
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(r.body.contains("viewBox=\"0 0 1024 1024\""), "{}", r.body);
    assert!(r.body.contains("fill=\"#7F1B9F\""), "{}", r.body); // 7 % 6 = 1
    assert!(r.body.contains("\nG\n"), "{}", r.body);
    assert_eq!(h(&r, "cache-control"), Some("public, max-age=60"));
    // with UI_Use_Name_Avatar, a user's name gives all initials
    app.create_user("jdoe", &[]).await;
    let r = app
        .post_as(
            &app.admin,
            "/api/v1/settings/UI_Use_Name_Avatar",
            json!({"value": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let user = app
        .get_as(&app.admin, "/api/v1/users.info?username=jdoe")
        .await;
    let name = user.body["user"]["name"].as_str().unwrap().to_string();
    let r = raw(&app, Method::GET, "/avatar/jdoe", &[]).await;
    let initials: String = name
        .split(' ')
        .take(3)
        .filter_map(|w| w.chars().find(char::is_ascii_alphanumeric))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    assert!(
        r.body.contains(&format!("\n{initials}\n")),
        "{name}: {}",
        r.body
    );
}

#[tokio::test]
async fn the_config_sound_is_served() {
    let app = TestApp::spawn().await;
    let cfg = app.get("/api/v1/livechat/config").await;
    let sound = cfg.body["config"]["resources"]["sound"].as_str().unwrap();
    let path = sound.strip_prefix("http://localhost:0").unwrap();
    let r = raw(&app, Method::GET, path, &[]).await;
    assert_eq!(r.status, 200);
    assert_eq!(h(&r, "content-type"), Some("audio/wav"));
    assert!(r.body.starts_with("RIFF"));
}

#[tokio::test]
async fn the_rest_rate_limiter_does_not_count_the_widgets_files() {
    // a page load fetches a dozen files and avatars; upstream limits only its REST API
    let app = TestApp::spawn_rate_limited().await;
    for i in 0..15 {
        let r = raw(&app, Method::GET, "/avatar/agent.smith", &[]).await;
        assert_eq!(r.status, 200, "call {i}");
        let r = raw(&app, Method::GET, "/livechat/bundle.31a95.js", &[]).await;
        assert_eq!(r.status, 404, "call {i}");
    }
    let mut last = StatusCode::OK;
    for _ in 0..11 {
        last = app.get("/api/v1/livechat/config").await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
}
