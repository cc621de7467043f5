//! Where uploaded files' bytes live. `FileStorage` is the seam: the local-folder store below
//! is the only one today; an S3-compatible store can implement the same three operations.

use async_trait::async_trait;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[async_trait]
pub trait FileStorage: Send + Sync + 'static {
    /// Upstream's `store` name recorded on the upload (`FileSystem:Uploads`).
    fn store_name(&self) -> &'static str;
    /// A local folder where the caller writes a file before `put` (same filesystem as the
    /// store, so `put` can be a rename).
    fn staging_dir(&self) -> &Path;
    /// Makes the staged file (written and flushed by the caller) the content of `key`,
    /// durably: when this returns `Ok`, a crash does not lose it. Returns where it is.
    async fn put(&self, key: &str, staged: &Path) -> io::Result<String>;
    /// The bytes stored at `path` (as `put` returned it) as a stream of chunks; `None` when
    /// missing.
    async fn get(&self, path: &str) -> io::Result<Option<ByteStream>>;
    async fn delete(&self, path: &str) -> io::Result<()>;
}

pub type SharedFiles = Arc<dyn FileStorage>;
pub type ByteStream = futures::stream::BoxStream<'static, io::Result<bytes::Bytes>>;

/// Chunks served from a local file.
const CHUNK: usize = 64 * 1024;

/// Files in a folder: `<root>/<key>`, staged in `<root>/.staging`.
pub struct LocalFiles {
    root: PathBuf,
    staging: PathBuf,
}

impl LocalFiles {
    pub fn open(root: impl Into<PathBuf>) -> io::Result<Self> {
        let root = root.into();
        let staging = root.join(".staging");
        std::fs::create_dir_all(&staging)?;
        Ok(LocalFiles { root, staging })
    }

    fn path_of(&self, key: &str) -> io::Result<PathBuf> {
        // Keys are our own ids; refuse anything that could leave the folder.
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "bad file key"));
        }
        Ok(self.root.join(key))
    }
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[async_trait]
impl FileStorage for LocalFiles {
    fn store_name(&self) -> &'static str {
        "FileSystem:Uploads"
    }
    fn staging_dir(&self) -> &Path {
        &self.staging
    }
    async fn put(&self, key: &str, staged: &Path) -> io::Result<String> {
        let target = self.path_of(key)?;
        let staged = staged.to_path_buf();
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || {
            std::fs::File::open(&staged)?.sync_all()?;
            std::fs::rename(&staged, &target)?;
            sync_dir(&root)
        })
        .await
        .map_err(io::Error::other)??;
        Ok(key.to_string())
    }
    async fn get(&self, path: &str) -> io::Result<Option<ByteStream>> {
        use futures::StreamExt;
        use tokio::io::AsyncReadExt;
        let file = match tokio::fs::File::open(self.path_of(path)?).await {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let stream = futures::stream::unfold(Some(file), |file| async move {
            let mut file = file?;
            let mut buf = vec![0u8; CHUNK];
            match file.read(&mut buf).await {
                Ok(0) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Ok(bytes::Bytes::from(buf)), Some(file)))
                }
                Err(e) => Some((Err(e), None)),
            }
        });
        Ok(Some(stream.boxed()))
    }
    async fn delete(&self, path: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.path_of(path)?).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
