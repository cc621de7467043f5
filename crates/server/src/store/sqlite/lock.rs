//! Who is using a database file: every server holds a shared `flock` on `<db>-lock` for
//! its lifetime; `restore` and `migrate` take it exclusively, so they never run under a
//! server, and a server does not start during them. The kernel drops the lock when the
//! process ends, however it ends, so it never goes stale.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// A held lock; released when dropped.
#[derive(Debug)]
pub struct DbLock {
    _file: File,
}

/// `<db>-lock`, beside SQLite's own `-wal` and `-shm`.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_os_string();
    name.push("-lock");
    PathBuf::from(name)
}

fn open(db: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(lock_path(db))
}

/// The lock a server holds; `None` while a restore or migration holds it exclusively.
pub fn shared(db: &Path) -> io::Result<Option<DbLock>> {
    let file = open(db)?;
    match file.try_lock_shared() {
        Ok(()) => Ok(Some(DbLock { _file: file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

/// The lock of a restore or migration; `None` while any server (or another one) holds it.
pub fn exclusive(db: &Path) -> io::Result<Option<DbLock>> {
    let file = open(db)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(DbLock { _file: file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_share_and_exclude_restores() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        let a = shared(&db).unwrap().expect("first server");
        let b = shared(&db).unwrap().expect("second server");
        assert!(exclusive(&db).unwrap().is_none());
        drop((a, b));
        let r = exclusive(&db).unwrap().expect("no server");
        assert!(shared(&db).unwrap().is_none());
        assert!(exclusive(&db).unwrap().is_none());
        drop(r);
        assert!(shared(&db).unwrap().is_some());
    }
}
