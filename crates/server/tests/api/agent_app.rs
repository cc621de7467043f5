//! Serving the agent workspace at `/agent`: index.html for the app's own routes (deep links
//! and reloads), built files with their types and caching, nothing outside the folder, a
//! 503 page that says how to build it when the folder is empty, and the demo page's link.
//! A temporary folder stands in for the build (same layout as `web/agent/dist`).

use crate::helpers::TestApp;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

const INDEX: &str = r#"<!doctype html><html><head><link rel="stylesheet" href="/agent/assets/app.0123abcdef.css"><script type="module" src="/agent/assets/app.9f8e7d6c5b.js"></script></head><body><div id="app"></div></body></html>"#;

fn build_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("index.html"), INDEX).unwrap();
    std::fs::write(
        dir.path().join("assets/app.9f8e7d6c5b.js"),
        "console.log('app')",
    )
    .unwrap();
    std::fs::write(dir.path().join("assets/app.0123abcdef.css"), "body{}").unwrap();
    std::fs::write(dir.path().join("manifest.json"), "{}").unwrap();
    dir
}

async fn spawn(dir: &std::path::Path) -> TestApp {
    let dir = dir.to_path_buf();
    TestApp::spawn_configured(move |c| c.agent_app_dir = dir).await
}

async fn get(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut r = app.http.get(format!("{}{}", app.base, path));
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    let res = r.send().await.unwrap();
    let status = res.status();
    let h = res.headers().clone();
    (status, h, res.text().await.unwrap())
}

fn h<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn index_and_client_routes_get_the_app() {
    let dir = build_dir();
    let app = spawn(dir.path()).await;
    for path in [
        "/agent",
        "/agent/",
        "/agent/chat/8ZmPqw3x2LkRtYb",
        "/agent/history",
        "/agent/history/abc/",
        "/agent/manage/departments",
    ] {
        let (status, headers, body) = get(&app, path, &[]).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(body, INDEX, "{path}");
        assert_eq!(
            h(&headers, "content-type"),
            Some("text/html; charset=utf-8")
        );
        // the page names the hashed files: it must revalidate, they need not
        assert_eq!(h(&headers, "cache-control"), Some("no-cache"), "{path}");
        let csp = h(&headers, "content-security-policy").unwrap();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("connect-src 'self' ws: wss:"), "{csp}");
        assert_eq!(h(&headers, "x-content-type-options"), Some("nosniff"));
    }
}

#[tokio::test]
async fn built_files_with_types_and_caching() {
    let dir = build_dir();
    let app = spawn(dir.path()).await;
    let (status, headers, body) = get(&app, "/agent/assets/app.9f8e7d6c5b.js", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body, "console.log('app')");
    assert_eq!(
        h(&headers, "content-type"),
        Some("application/javascript; charset=UTF-8")
    );
    assert_eq!(
        h(&headers, "cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let etag = h(&headers, "etag").unwrap().to_string();
    let (status, _, body) = get(
        &app,
        "/agent/assets/app.9f8e7d6c5b.js",
        &[("if-none-match", &etag)],
    )
    .await;
    assert_eq!(status, 304);
    assert!(body.is_empty());

    let (status, headers, _) = get(&app, "/agent/assets/app.0123abcdef.css", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(h(&headers, "content-type"), Some("text/css; charset=UTF-8"));

    // a name without a content hash revalidates
    let (status, headers, _) = get(&app, "/agent/manifest.json", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(h(&headers, "cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn missing_files_and_paths_outside_the_build_are_404() {
    let dir = build_dir();
    std::fs::write(dir.path().join(".env"), "SECRET=1").unwrap();
    let outside = dir.path().parent().unwrap().join("outside-agent-build.txt");
    std::fs::write(&outside, "no").ok();
    let app = spawn(dir.path()).await;
    for path in [
        "/agent/assets/app.0000000000.js",
        "/agent/.env",
        "/agent/assets/..%2F..%2Foutside-agent-build.txt",
        "/agent/%2e%2e/outside-agent-build.txt",
        "/agent/assets",
    ] {
        let (status, _, body) = get(&app, path, &[]).await;
        // `/agent/assets` is a folder, not a file: the app answers (its router shows the lists)
        if path == "/agent/assets" {
            assert_eq!(status, 200, "{path}");
            assert_eq!(body, INDEX);
            continue;
        }
        assert_eq!(status, 404, "{path}: {body}");
        assert!(!body.contains("SECRET") && body != "no", "{path}");
    }
    std::fs::remove_file(outside).ok();
}

#[tokio::test]
async fn without_a_build_the_page_says_how_to_make_one() {
    let empty = tempfile::tempdir().unwrap();
    let app = spawn(&empty.path().join("dist")).await;
    for path in ["/agent", "/agent/chat/abc"] {
        let (status, headers, body) = get(&app, path, &[]).await;
        assert_eq!(status, 503, "{path}");
        assert_eq!(
            h(&headers, "content-type"),
            Some("text/html; charset=utf-8")
        );
        assert!(body.contains("bash scripts/build-agent.sh"), "{body}");
        assert!(body.contains("scripts/serve.sh"), "{body}");
        assert!(body.contains("AGENT_APP_DIR"), "{body}");
        assert!(
            body.contains("/dist"),
            "names the folder it looked in: {body}"
        );
    }
    // the rest of the server is unaffected
    let r = app.get("/api/info").await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn demo_page_links_to_the_workspace() {
    let app = TestApp::spawn().await;
    let (status, _, body) = get(&app, "/", &[]).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("href=\"http://localhost:0/agent\""),
        "the demo page links to /agent: {body}"
    );
}
