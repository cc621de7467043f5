//! Files a visitor sends in its room (`livechat/upload/:rid`), files agents send
//! (`rooms.media` then `rooms.mediaConfirm`), and who may read them back.

use super::Livechat;
use crate::error::{Code, Error, Result};
use crate::files::FileStorage;
use crate::ids;
use crate::model::{Message, Room, Upload, User, UserRef, Visitor};
use crate::time::Ts;
use serde_json::{Map, Value, json};
use std::path::PathBuf;

/// A received file, staged on disk and flushed, with the form's other fields.
pub struct NewUpload {
    pub name: String,
    pub kind: String,
    pub size: u64,
    pub staged: PathBuf,
    pub description: Option<String>,
    pub msg: Option<String>,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// The file's first bytes (enough for an image header).
    pub head: Vec<u8>,
}

/// How many leading bytes `image_dimensions` may need (JPEG frames can follow EXIF data).
pub const HEAD_BYTES: usize = 256 * 1024;

/// `{width, height}` from a PNG, GIF, JPEG or WebP header (upstream's `identify().size`).
pub fn image_dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let be16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?])))
    };
    let le16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_le_bytes([*b.get(i)?, *b.get(i + 1)?])))
    };
    let le24 = |i: usize| -> Option<u32> {
        Some(
            u32::from(*b.get(i)?)
                | u32::from(*b.get(i + 1)?) << 8
                | u32::from(*b.get(i + 2)?) << 16,
        )
    };
    if b.starts_with(b"\x89PNG\r\n\x1a\n") && b.get(12..16) == Some(b"IHDR") {
        let w = u32::from_be_bytes(b.get(16..20)?.try_into().ok()?);
        let h = u32::from_be_bytes(b.get(20..24)?.try_into().ok()?);
        return Some((w, h));
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Some((le16(6)?, le16(8)?));
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        return match b.get(12..16)? {
            b"VP8 " => Some((le16(26)? & 0x3fff, le16(28)? & 0x3fff)),
            b"VP8L" => {
                let (b0, b1, b2, b3) = (
                    u32::from(*b.get(21)?),
                    u32::from(*b.get(22)?),
                    u32::from(*b.get(23)?),
                    u32::from(*b.get(24)?),
                );
                Some((
                    1 + (b0 | (b1 & 0x3f) << 8),
                    1 + ((b1 >> 6) | b2 << 2 | (b3 & 0x0f) << 10),
                ))
            }
            b"VP8X" => Some((1 + le24(24)?, 1 + le24(27)?)),
            _ => None,
        };
    }
    if b.starts_with(&[0xff, 0xd8]) {
        let mut i = 2;
        while i + 9 < b.len() {
            if b[i] != 0xff {
                return None;
            }
            let marker = b[i + 1];
            if marker == 0xff {
                i += 1;
                continue;
            }
            let is_sof = matches!(marker, 0xc0..=0xc3 | 0xc5..=0xc7 | 0xc9..=0xcb | 0xcd..=0xcf);
            if is_sof {
                return Some((be16(i + 7)?, be16(i + 5)?));
            }
            i += 2 + be16(i + 2)? as usize;
        }
    }
    None
}

/// Who asks for a file.
pub enum Reader {
    Visitor(String),
    User(Box<User>),
    Nobody,
}

/// `filesize()` as upstream prints `sizeAllowed` (base 2, up to two decimals).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    let rounded = (v * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {}", UNITS[u])
}

/// A media type without its parameters, lower-cased: `Image/SVG+xml; charset=utf-8` is
/// `image/svg+xml` (upstream compares the raw header, so parameters slip past its lists).
pub fn media_type_essence(kind: &str) -> String {
    kind.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// What the first bytes of a file say it is, for the kinds that matter to the lists
/// (images a browser renders, markup that can run script); `None` when unknown.
pub fn sniff_media_type(head: &[u8]) -> Option<&'static str> {
    let magic: [(&[u8], &str); 5] = [
        (b"\x89PNG\r\n\x1a\n", "image/png"),
        (b"GIF8", "image/gif"),
        (b"\xff\xd8\xff", "image/jpeg"),
        (b"%PDF-", "application/pdf"),
        (b"\x00\x00\x01\x00", "image/x-icon"),
    ];
    if let Some((_, t)) = magic.iter().find(|(m, _)| head.starts_with(m)) {
        return Some(t);
    }
    if head.starts_with(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return Some("image/webp");
    }
    // Markup: after a byte-order mark and white space, a `<` opens it; look for an SVG or
    // HTML root in its first kilobytes (`<?xml` prologs and comments may come first).
    let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    if text[start] != b'<' {
        return None;
    }
    let window = &text[start..text.len().min(start + 8192)];
    let lower = window.to_ascii_lowercase();
    let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    if has(b"<svg") {
        Some("image/svg+xml")
    } else if has(b"<html") || has(b"<!doctype html") || has(b"<script") {
        Some("text/html")
    } else {
        None
    }
}

/// Upstream's `isTypeOnList`: exact type, or `major/*`.
fn type_on_list(kind: &str, list: &[String]) -> bool {
    if list.iter().any(|t| t == kind) {
        return true;
    }
    let major = kind.split('/').next().unwrap_or("");
    list.iter()
        .filter(|t| t.find("/*").is_some_and(|i| i > 0))
        .any(|t| *t == format!("{major}/*"))
}

fn list_of(setting: &str) -> Option<Vec<String>> {
    if setting.is_empty() {
        return None;
    }
    Some(setting.split(',').map(|t| t.trim().to_string()).collect())
}

impl Livechat {
    /// `Livechat_fileupload_enabled && FileUpload_Enabled`.
    pub fn uploads_enabled(&self) -> bool {
        self.settings.bool("Livechat_fileupload_enabled")
            && self.settings.bool("FileUpload_Enabled")
    }

    /// `FileUpload_MaxFileSize` (0 or unset: upstream's 100 MiB; -1: no limit).
    pub fn max_file_size(&self) -> Option<u64> {
        match self.settings.i64("FileUpload_MaxFileSize") {
            0 => Some(104_857_600),
            n if n < 0 => None,
            n => Some(n as u64),
        }
    }

    /// An upload's type is allowed: the declared one without its parameters, and what its
    /// first bytes show it to be (a blacklisted SVG declared as `image/png` is refused).
    pub fn valid_upload_type(&self, declared: &str, head: &[u8]) -> bool {
        self.valid_content_type(&media_type_essence(declared))
            && sniff_media_type(head).is_none_or(|t| self.valid_content_type(t))
    }

    /// Upstream's `fileUploadIsValidContentType` (black list, then white list).
    pub fn valid_content_type(&self, kind: &str) -> bool {
        let black = list_of(&self.settings.str("FileUpload_MediaTypeBlackList"));
        let white = match self.settings.str("FileUpload_MediaTypeWhiteList") {
            w if w == "*" => None,
            w => list_of(&w),
        };
        if kind.is_empty() && black.is_some() {
            return false;
        }
        if let Some(b) = &black
            && type_on_list(kind, b)
        {
            return false;
        }
        match white {
            None => true,
            Some(w) => type_on_list(kind, &w),
        }
    }

    /// The visitor and its open room `rid`, or `None` (upstream answers 403).
    pub async fn upload_target(&self, token: &str, rid: &str) -> Result<Option<(Visitor, Room)>> {
        let Some(visitor) = self.store.visitor_by_token(token).await? else {
            return Ok(None);
        };
        let room = self
            .store
            .room_by_token(token, Some(rid))
            .await?
            .filter(Room::is_open);
        Ok(room.map(|r| (visitor, r)))
    }

    /// Stores the file durably, then writes its record and the visitor's file message
    /// (upstream's `sendFileLivechatMessage` shape) in one transaction. If that fails the
    /// stored file is removed again.
    pub async fn send_file_message(
        &self,
        files: &dyn FileStorage,
        visitor: &Visitor,
        rid: &str,
        up: NewUpload,
    ) -> Result<Message> {
        let mut upload = store_file(files, rid, &up, self.now()).await?;
        let (path, now) = (upload.path.clone(), upload.uploaded_at);
        upload.visitor_token = Some(visitor.token().to_string());
        upload.description = up.description.clone();
        let (file_ref, attachment) = file_parts(&upload, up.description.as_deref());
        let u = UserRef {
            id: visitor.id.clone(),
            username: visitor.username().to_string(),
            name: visitor.name.clone(),
        };
        let mut m = self.new_message(None, rid, up.msg.as_deref().unwrap_or(""), u, now);
        m.token = Some(visitor.token().to_string());
        m.alias = visitor.name.clone();
        m.groupable = Some(false);
        m.file = Some(file_ref.clone());
        m.files = Some(vec![file_ref]);
        m.attachments = Some(vec![attachment]);
        let update = self.visitor_message_update(&m);
        let written = self
            .store
            .insert_upload_message(&upload, m.clone(), update)
            .await;
        match written {
            Ok(Some(room)) => {
                self.count_message(&m);
                self.publish_message(&m);
                self.publish_room_changed(&room);
                Ok(m)
            }
            other => {
                let _ = files.delete(&path).await;
                match other {
                    Err(e) => Err(e.into()),
                    _ => Err(Code::Forbidden.into()),
                }
            }
        }
    }

    /// The upload when `reader` may read its room; `Ok(None)` when there is no such file,
    /// `Err(Forbidden)` when there is but the reader may not see it.
    pub async fn readable_upload(&self, id: &str, reader: &Reader) -> Result<Option<Upload>> {
        let Some(upload) = self.store.upload(id).await? else {
            return Ok(None);
        };
        if !self.settings.bool("FileUpload_ProtectFiles") {
            return Ok(Some(upload));
        }
        let room = self.store.room(&upload.rid).await?;
        let allowed = match (reader, &room) {
            (_, None) => false,
            // The room's visitor, also after the room closed.
            (Reader::Visitor(token), Some(r)) => !token.is_empty() && r.v.token == *token,
            (Reader::User(u), Some(r)) => self.can_access_room(u, r).await?,
            (Reader::Nobody, _) => false,
        };
        if allowed {
            Ok(Some(upload))
        } else {
            Err(Code::Forbidden.into())
        }
    }
}

impl Livechat {
    /// GDPR removal with the visitor's files (upstream's `removeFilesByRoomId` for each room):
    /// the records go with the rooms, then the bytes.
    pub async fn remove_visitor_and_files(
        &self,
        files: &dyn FileStorage,
        token: &str,
    ) -> Result<Visitor> {
        let uploads = self.store.uploads_of_token(token).await?;
        let v = self.remove_visitor(token).await?;
        for u in uploads {
            if let Err(e) = files.delete(&u.path).await {
                tracing::warn!(error = %e, upload = %u.id, "removing a removed visitor's file");
            }
        }
        Ok(v)
    }
}

/// JavaScript's `encodeURI`.
/// Upstream's `identify` of an image: its `{size: {width, height}}`.
fn identify(kind: &str, head: &[u8]) -> Option<Value> {
    if !kind.starts_with("image/") {
        return None;
    }
    image_dimensions(head)
        .map(|(width, height)| json!({"size": {"width": width, "height": height}}))
}

/// Puts the staged file in storage under a new id; its record, owned by nobody yet.
async fn store_file(files: &dyn FileStorage, rid: &str, up: &NewUpload, now: Ts) -> Result<Upload> {
    let id = ids::random_id();
    let path = files
        .put(&id, &up.staged)
        .await
        .map_err(|e| Error::internal(format!("storing upload: {e}")))?;
    Ok(Upload {
        id,
        name: up.name.clone(),
        size: up.size as i64,
        kind: up.kind.clone(),
        rid: rid.to_string(),
        visitor_token: None,
        user_id: None,
        store: files.store_name().to_string(),
        complete: true,
        uploading: false,
        extension: up
            .name
            .rsplit_once('.')
            .map(|(_, e)| e.to_lowercase())
            .unwrap_or_default(),
        progress: 1,
        description: None,
        uploaded_at: now,
        updated_at: now,
        path,
        etag: up.sha256.clone(),
        expires_at: None,
        identify: identify(&up.kind, &up.head),
    })
}

/// A file message's `file` and its attachment (upstream's `parseFileIntoMessageAttachments`).
fn file_parts(upload: &Upload, description: Option<&str>) -> (Value, Value) {
    let url = format!("/file-upload/{}/{}", upload.id, encode_uri(&upload.name));
    let kind = &upload.kind;
    let mut attachment = Map::new();
    attachment.insert("title".into(), json!(upload.name));
    attachment.insert("type".into(), json!("file"));
    if let Some(d) = description {
        attachment.insert("description".into(), json!(d));
    }
    attachment.insert("title_link".into(), json!(url));
    attachment.insert("title_link_download".into(), json!(true));
    for media in ["image", "audio", "video"] {
        if kind.starts_with(&format!("{media}/")) && kind.len() > media.len() + 1 {
            attachment.insert(format!("{media}_url"), json!(url));
            attachment.insert(format!("{media}_type"), json!(kind));
            attachment.insert(format!("{media}_size"), json!(upload.size));
            if media == "image"
                && let Some(size) = upload.identify.as_ref().and_then(|i| i.get("size"))
            {
                attachment.insert("image_dimensions".into(), size.clone());
            }
        }
    }
    let file_ref = json!({"_id": upload.id, "name": upload.name, "type": kind});
    (file_ref, Value::Object(attachment))
}

/// How long an agent's unsent upload is kept (upstream: 24 hours).
const TEMPORARY_UPLOAD_MS: i64 = 24 * 3600 * 1000;

impl Livechat {
    /// `rooms.media/:rid`: the room an agent may put a file in (upstream's `canAccessRoom`).
    pub async fn agent_upload_room(&self, user: &User, rid: &str) -> Result<Room> {
        match self.store.room(rid).await? {
            Some(room) if self.can_access_room(user, &room).await? => Ok(room),
            _ => Err(Code::Forbidden.into()),
        }
    }

    /// Stores an agent's file unsent: `rooms.mediaConfirm` sends it within 24 hours, or
    /// `remove_expired_uploads` deletes it.
    pub async fn store_agent_upload(
        &self,
        files: &dyn FileStorage,
        user: &User,
        rid: &str,
        up: NewUpload,
    ) -> Result<Upload> {
        let mut upload = store_file(files, rid, &up, self.now()).await?;
        let path = upload.path.clone();
        upload.user_id = Some(user.id.clone());
        upload.expires_at = Some(Ts::from_millis(
            upload.uploaded_at.millis() + TEMPORARY_UPLOAD_MS,
        ));
        if let Err(e) = self.store.insert_upload(&upload).await {
            let _ = files.delete(&path).await;
            return Err(e.into());
        }
        Ok(upload)
    }

    /// `rooms.mediaConfirm/:rid/:fileId`: the agent sends its uploaded file, with an
    /// optional text (`msg`) and description; the file stops being temporary in the same
    /// write as the message.
    pub async fn confirm_agent_upload(
        &self,
        user: &User,
        rid: &str,
        file_id: &str,
        msg: Option<&str>,
        description: Option<&str>,
    ) -> Result<Message> {
        self.agent_upload_room(user, rid).await?;
        let mut upload = self
            .store
            .upload(file_id)
            .await?
            .filter(|u| {
                u.rid == rid && u.user_id.as_deref() == Some(&user.id) && u.expires_at.is_some()
            })
            .ok_or(Code::InvalidFile)?;
        let max = self.settings.i64("Message_MaxAllowedSize");
        if description.is_some_and(|d| d.chars().count() as i64 > max) {
            return Err(Code::DescriptionSizeExceeded.into());
        }
        self.agent_send_room(user, rid).await?;
        let text = msg.unwrap_or("");
        self.check_max_size(text)?;
        let now = self.now();
        upload.description = description.map(str::to_string);
        upload.expires_at = None;
        upload.updated_at = now;
        let (file_ref, attachment) = file_parts(&upload, description);
        let mut m = self.new_message(None, rid, text, user.user_ref(), now);
        m.groupable = Some(false);
        m.file = Some(file_ref.clone());
        m.files = Some(vec![file_ref]);
        m.attachments = Some(vec![attachment]);
        self.deliver_agent_message(user, m, Some(upload)).await
    }

    /// Deletes agents' uploads never sent before they expired, records then bytes; returns
    /// how many went. One file that cannot be removed does not stop the others.
    pub async fn remove_expired_uploads(&self, files: &dyn FileStorage) -> Result<usize> {
        let before = self.now().iso();
        let mut removed = 0;
        for u in self.store.expired_uploads(&before).await? {
            self.store.delete_upload(&u.id).await?;
            if let Err(e) = files.delete(&u.path).await {
                tracing::warn!(upload = %u.id, "removing an expired upload's file: {e}");
            }
            removed += 1;
        }
        Ok(removed)
    }
}

pub fn encode_uri(s: &str) -> String {
    const KEEP: &str = ";,/?:@&=+$-_.!~*'()#";
    let mut out = String::new();
    for ch in s.chars() {
        if ch.is_ascii_alphanumeric() || KEEP.contains(ch) {
            out.push(ch);
        } else {
            let mut buf = [0u8; 4];
            for b in ch.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_uris() {
        assert_eq!(human_size(104_857_600), "100 MB");
        assert_eq!(human_size(1536), "1.5 KB");
        assert_eq!(human_size(10), "10 B");
        assert_eq!(encode_uri("my file ü.png"), "my%20file%20%C3%BC.png");
    }

    #[test]
    fn image_headers() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x02\x80\0\0\x01\xe0\x08\x06\0\0\0";
        assert_eq!(image_dimensions(png), Some((640, 480)));
        let gif = b"GIF89a\x20\x03\x58\x02\0\0";
        assert_eq!(image_dimensions(gif), Some((800, 600)));
        // SOI, an APP0 segment, then SOF0 with height 0x0258 and width 0x0320.
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x02,
            0x58, 0x03, 0x20, 0x03, 0x01, 0x22, 0x00,
        ];
        assert_eq!(image_dimensions(&jpeg), Some((800, 600)));
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[0x1f, 0x03, 0x00, 0x57, 0x02, 0x00]);
        assert_eq!(image_dimensions(&webp), Some((800, 600)));
        assert_eq!(image_dimensions(b"not an image"), None);
    }
}
