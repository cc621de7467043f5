//! `POST /api/v1/livechat/upload/:rid` (the visitor sends a file) and
//! `GET /file-upload/:id/:name` (whoever may read the room gets it back).

use super::super::{AppState, Auth, Success};
use crate::domain::uploads::{HEAD_BYTES, NewUpload, Reader, human_size};
use crate::error::{Code, Error, Result};
use crate::http::openapi::{self as api, Api, op};
use crate::validate::{F, Ty};
use axum::body::Body as RawBody;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Multipart, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;

pub fn routes() -> Api {
    // The size limit is the `FileUpload_MaxFileSize` setting, enforced while reading.
    Api::new().route(
        "/v1/livechat/upload/{rid}",
        api::post(
            upload,
            op("The visitor's file (`x-visitor-token`)")
                .header("x-visitor-token", true)
                .multipart(&["file", "description", "msg"]),
        )
        .layer(DefaultBodyLimit::disable()),
    )
}
pub fn file_routes() -> Api {
    Api::new().route(
        "/file-upload/{id}/{name}",
        api::get(
            download,
            op("An uploaded file, for the room's visitor (`rc_token`) or agents")
                .query(&[F::opt("rc_token", Ty::Str)])
                .media(200, "*/*")
                .plain(&[(304, ""), (403, ""), (404, "")]),
        ),
    )
}

fn forbidden() -> Error {
    Code::Forbidden.into()
}

/// Discards a refused upload's body: at most 8 MiB, for at most 5 seconds.
pub(in crate::http) async fn drain(
    multipart: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) {
    const CAP: usize = 8 << 20;
    let Ok(mut m) = multipart else {
        return;
    };
    let read = async {
        let mut n = 0usize;
        while let Ok(Some(mut field)) = m.next_field().await {
            while let Ok(Some(chunk)) = field.chunk().await {
                n += chunk.len();
                if n > CAP {
                    return;
                }
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), read).await;
}

async fn upload(
    State(s): State<AppState>,
    Path(rid): Path<String>,
    headers: HeaderMap,
    multipart: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Success> {
    let checks = async {
        let token = headers
            .get("x-visitor-token")
            .and_then(|v| v.to_str().ok())
            .filter(|t| !t.is_empty())
            .ok_or_else(forbidden)?
            .to_string();
        if !s.lc.uploads_enabled() {
            return Err(Error::from(Code::FileUploadDisabled));
        }
        let (visitor, room) =
            s.lc.upload_target(&token, &rid)
                .await?
                .ok_or_else(forbidden)?;
        Ok((visitor, room))
    };
    let (visitor, room) = match checks.await {
        Ok(t) => t,
        Err(e) => {
            // Read what the client is still sending (bounded), so it gets the answer instead
            // of a reset connection (EPIPE) mid-upload.
            drain(multipart).await;
            return Err(e);
        }
    };
    let multipart = multipart.map_err(|_| Error::from(Code::NoFileUploaded))?;
    let Received { file, fields } = receive(&s, multipart).await?;
    let Some((name, kind, size, staged, sha256, head)) = file else {
        return Err(Error::from(Code::NoFileUploaded));
    };
    if !s.lc.valid_upload_type(&kind, &head) {
        return Err(Code::TypeNotAllowed.into());
    }
    let text = |k: &str| fields.get(k).and_then(Value::as_str).map(str::to_string);
    // The staged file stays ours until `put` moves it; dropping it afterwards is harmless.
    let staged_path = staged.path().to_path_buf();
    let m =
        s.lc.send_file_message(
            s.files.as_ref(),
            &visitor,
            &room.id,
            NewUpload {
                name,
                kind,
                size,
                staged: staged_path,
                description: text("description"),
                msg: text("msg"),
                sha256,
                head,
            },
        )
        .await?;
    drop(staged);
    let mut body = match serde_json::to_value(&m)? {
        Value::Object(o) => o,
        _ => Map::new(),
    };
    body.insert("newRoom".into(), json!(false));
    body.insert(
        "showConnecting".into(),
        json!(s.lc.settings.bool("Livechat_Show_Connecting")),
    );
    Ok(Success(Value::Object(body)))
}

/// A received file: name, type, size, the staged bytes, hex SHA-256 and first bytes.
pub(in crate::http) type ReceivedFile = (
    String,
    String,
    u64,
    tempfile::NamedTempFile,
    String,
    Vec<u8>,
);

/// A multipart upload read: the `file` part staged on disk (at most `FileUpload_MaxFileSize`)
/// and the other fields as text (together at most the JSON body limit).
pub(in crate::http) struct Received {
    pub file: Option<ReceivedFile>,
    pub fields: Map<String, Value>,
}

pub(in crate::http) async fn receive(s: &AppState, mut multipart: Multipart) -> Result<Received> {
    let max = s.lc.max_file_size();
    let too_big = || {
        Error::from(Code::SizeNotAllowed {
            allowed: human_size(max.unwrap_or(0)),
        })
    };

    let mut fields: Map<String, Value> = Map::new();
    let mut other_bytes = 0usize;
    let mut file: Option<ReceivedFile> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Err(Code::ReadingUpload(e.to_string()).into()),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" && file.is_none() {
            let filename = field.file_name().unwrap_or("").to_string();
            // busboy's default type for a part without one.
            let kind = field.content_type().unwrap_or("text/plain").to_string();
            let mut staged = tempfile::NamedTempFile::new_in(s.files.staging_dir())
                .map_err(|e| Error::internal(format!("staging upload: {e}")))?;
            let mut size: u64 = 0;
            let mut hash = Sha256::new();
            let mut head = Vec::new();
            let mut field = field;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        size += chunk.len() as u64;
                        if max.is_some_and(|m| size > m) {
                            return Err(too_big());
                        }
                        hash.update(&chunk);
                        if head.len() < HEAD_BYTES {
                            let take = (HEAD_BYTES - head.len()).min(chunk.len());
                            head.extend_from_slice(&chunk[..take]);
                        }
                        staged
                            .write_all(&chunk)
                            .map_err(|e| Error::internal(format!("staging upload: {e}")))?;
                    }
                    Ok(None) => break,
                    Err(e) => return Err(Code::ReadingUpload(e.to_string()).into()),
                }
            }
            staged
                .flush()
                .map_err(|e| Error::internal(format!("staging upload: {e}")))?;
            file = Some((
                filename,
                kind,
                size,
                staged,
                hex::encode(hash.finalize()),
                head,
            ));
        } else {
            // Other parts (form fields, a second file) share the JSON body limit.
            let mut field = field;
            let mut bytes = Vec::new();
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        other_bytes += chunk.len();
                        if other_bytes > super::super::MAX_BODY {
                            return Err(Code::RequestEntityTooLarge.into());
                        }
                        bytes.extend_from_slice(&chunk);
                    }
                    Ok(None) => break,
                    Err(e) => return Err(Code::ReadingUpload(e.to_string()).into()),
                }
            }
            if !fields.contains_key(&name) {
                fields.insert(
                    name,
                    Value::String(String::from_utf8_lossy(&bytes).into_owned()),
                );
            }
        }
    }
    Ok(Received { file, fields })
}

/// `rc_token`/`rc_uid` from the query or the cookies.
fn cookie_or_query(parts: &Parts, key: &str) -> Option<String> {
    if let Some(q) = parts.uri.query() {
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            if k == key && !v.is_empty() {
                return Some(v.into_owned());
            }
        }
    }
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|s| s.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, v)| *k == key && !v.is_empty())
        .map(|(_, v)| v.to_string())
}

struct FileReader(Reader);

impl FromRequestParts<AppState> for FileReader {
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self> {
        let h = |n: &str| {
            parts
                .headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        // An agent: the REST headers, or Meteor's `rc_uid` + `rc_token` cookies/query.
        if h("x-user-id").is_some() {
            return match Auth::from_request_parts(parts, s).await {
                Ok(a) => Ok(FileReader(Reader::User(Box::new(a.user)))),
                Err(_) => Ok(FileReader(Reader::Nobody)),
            };
        }
        if let (Some(uid), Some(tok)) = (
            cookie_or_query(parts, "rc_uid"),
            cookie_or_query(parts, "rc_token"),
        ) {
            return Ok(FileReader(match s.lc.authenticate(&uid, &tok).await {
                Ok(u) => Reader::User(Box::new(u)),
                Err(_) => Reader::Nobody,
            }));
        }
        // A visitor: `x-visitor-token`, or the widget's `rc_token` cookie/query.
        match h("x-visitor-token").or_else(|| cookie_or_query(parts, "rc_token")) {
            Some(t) => Ok(FileReader(Reader::Visitor(t))),
            None => Ok(FileReader(Reader::Nobody)),
        }
    }
}

async fn download(
    State(s): State<AppState>,
    Path((id, _name)): Path<(String, String)>,
    FileReader(reader): FileReader,
) -> Response {
    let upload = match s.lc.readable_upload(&id, &reader).await {
        Ok(Some(u)) => u,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(Error::Code(Code::Forbidden)) => return StatusCode::FORBIDDEN.into_response(),
        Err(e) => return e.into_response(),
    };
    let stream = match s.files.get(&upload.path).await {
        Ok(Some(b)) => b,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return Error::internal(format!("reading upload: {e}")).into_response(),
    };
    let mut res = Response::new(RawBody::from_stream(stream));
    let hd = res.headers_mut();
    let set = |hd: &mut HeaderMap, k: header::HeaderName, v: String| {
        if let Ok(v) = HeaderValue::from_str(&v) {
            hd.insert(k, v);
        }
    };
    set(hd, header::CONTENT_TYPE, upload.kind.clone());
    set(hd, header::CONTENT_LENGTH, upload.size.to_string());
    set(
        hd,
        header::CONTENT_DISPOSITION,
        format!(
            "inline; filename=\"{}\"",
            crate::domain::uploads::encode_uri(&upload.name)
        ),
    );
    // As upstream's file store: nothing in a served file may run as our page.
    set(
        hd,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'none'".into(),
    );
    set(hd, header::X_CONTENT_TYPE_OPTIONS, "nosniff".into());
    set(hd, header::CACHE_CONTROL, "max-age=31536000".into());
    set(hd, header::ETAG, format!("\"{}\"", upload.etag));
    res
}
