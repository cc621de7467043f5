//! Agents' files, as upstream's clients send them: `POST rooms.media/:rid` stores the file
//! unsent, `POST rooms.mediaConfirm/:rid/:fileId` sends it as a message.

use super::livechat::upload::{Received, drain, receive};
use super::validate::{Ty, ajv, opt, str_of};
use super::{AppState, Auth, Body, Success, ok};
use crate::domain::uploads::{NewUpload, human_size};
use crate::error::{Code, Error, Result};
use crate::http::openapi::{self as api, Api, op};
use crate::validate::F;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use serde_json::json;

pub fn routes() -> Api {
    Api::new()
        // The size limit is `FileUpload_MaxFileSize`, enforced while reading.
        .route(
            "/v1/rooms.media/{rid}",
            api::post(
                media,
                op("An agent's file, stored unsent")
                    .user()
                    .multipart(&["file", "description", "msg"])
                    .ok(&[("file", Ty::Obj)]),
            )
            .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/v1/rooms.mediaConfirm/{rid}/{file_id}",
            api::post(
                confirm,
                op("Send a stored file as the agent's message")
                    .user()
                    .body(&[F::opt("msg", Ty::Str), F::opt("description", Ty::Str)])
                    .ok(&[("message", Ty::Obj)]),
            ),
        )
}

async fn media(
    State(s): State<AppState>,
    auth: Auth,
    Path(rid): Path<String>,
    multipart: std::result::Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Success> {
    let checks = async {
        s.lc.agent_upload_room(&auth.user, &rid).await?;
        if !s.lc.settings.bool("FileUpload_Enabled") {
            return Err(Error::from(Code::AgentUploadsDisabled));
        }
        Ok(())
    };
    if let Err(e) = checks.await {
        // Read what the client is still sending (bounded), so it gets the answer.
        drain(multipart).await;
        return Err(e);
    }
    let multipart = multipart.map_err(|_| Error::from(Code::NoFileUploadedMeteor))?;
    let Received { file, .. } = receive(&s, multipart).await.map_err(|e| match e {
        Error::Code(Code::SizeNotAllowed { allowed }) => Code::FileTooLarge { allowed }.into(),
        e => e,
    })?;
    let Some((name, kind, size, staged, sha256, head)) = file else {
        return Err(Code::NoFileUploadedMeteor.into());
    };
    if s.lc.max_file_size().is_some_and(|m| size > m) {
        let allowed = human_size(s.lc.max_file_size().unwrap_or(0));
        return Err(Code::FileTooLarge { allowed }.into());
    }
    if !s.lc.valid_upload_type(&kind, &head) {
        return Err(Code::InvalidFileType.into());
    }
    let staged_path = staged.path().to_path_buf();
    let upload =
        s.lc.store_agent_upload(
            s.files.as_ref(),
            &auth.user,
            &rid,
            NewUpload {
                name,
                kind,
                size,
                staged: staged_path,
                description: None,
                msg: None,
                sha256,
                head,
            },
        )
        .await?;
    drop(staged);
    let url = format!(
        "/file-upload/{}/{}",
        upload.id,
        crate::domain::uploads::encode_uri(&upload.name)
    );
    Ok(Success(json!({"file": {"_id": upload.id, "url": url}})))
}

async fn confirm(
    State(s): State<AppState>,
    auth: Auth,
    Path((rid, file_id)): Path<(String, String)>,
    Body(b): Body,
) -> super::ApiResult {
    ajv(
        &b,
        &[opt("msg", Ty::Str), opt("description", Ty::Str)],
        true,
    )?;
    let m =
        s.lc.confirm_agent_upload(
            &auth.user,
            &rid,
            &file_id,
            str_of(&b, "msg").as_deref(),
            str_of(&b, "description").as_deref(),
        )
        .await?;
    ok(json!({ "message": m }))
}
