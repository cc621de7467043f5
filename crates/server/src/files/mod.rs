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
    /// The bytes stored at `path` (as `put` returned it); `None` when missing.
    async fn get(&self, path: &str) -> io::Result<Option<Vec<u8>>>;
    async fn delete(&self, path: &str) -> io::Result<()>;
}

pub type SharedFiles = Arc<dyn FileStorage>;

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
    async fn get(&self, path: &str) -> io::Result<Option<Vec<u8>>> {
        match tokio::fs::read(self.path_of(path)?).await {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
    async fn delete(&self, path: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.path_of(path)?).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
