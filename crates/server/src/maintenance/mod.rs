//! The operator's commands beside `serve`: `backup` and `restore` of a SQLite deployment
//! (its database and its uploaded files) and `migrate` of one into PostgreSQL.
//!
//! A backup is two things side by side: `<file>`, a consistent copy of the database made
//! with `VACUUM INTO` (one read transaction: a snapshot, while the server keeps writing in
//! WAL mode), and `<file>.uploads/`, the uploaded files' bytes, copied after the snapshot
//! (a file is stored before its record is committed, so every file the snapshot names is
//! there, unless deleted in between).

pub mod cli;
pub mod migrate;

use crate::config::Config;
use crate::store::sqlite::{self, lock};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// A command's failure, said to the operator as is.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Failed(pub String);

pub type Result<T> = std::result::Result<T, Failed>;

fn fail<T>(msg: impl Into<String>) -> Result<T> {
    Err(Failed(msg.into()))
}

fn io_err(what: &Path) -> impl Fn(std::io::Error) -> Failed + '_ {
    move |e| Failed(format!("{}: {e}", what.display()))
}

fn db_err(e: rusqlite::Error) -> Failed {
    Failed(e.to_string())
}

pub fn is_postgres(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The SQLite file of `DATABASE_URL`, or why there is none.
fn sqlite_file(url: &str, command: &str) -> Result<PathBuf> {
    if is_postgres(url) {
        return fail(format!(
            "DATABASE_URL is PostgreSQL: `ferrochat {command}` is for SQLite; use pg_dump / pg_restore (docs/operations.md)"
        ));
    }
    match sqlite::file_of(url) {
        Ok(Some(p)) => Ok(p),
        Ok(None) => fail(format!(
            "DATABASE_URL is an in-memory database: nothing to {command}"
        )),
        Err(e) => fail(e.to_string()),
    }
}

/// `<file>.uploads`: where a backup keeps the uploaded files.
pub fn uploads_of(backup: &Path) -> PathBuf {
    let mut name = backup.as_os_str().to_os_string();
    name.push(".uploads");
    PathBuf::from(name)
}

/// A name beside `path` for writing before the rename into place.
fn temp_beside(path: &Path, tag: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(format!(".{tag}-{}", crate::ids::random_id()));
    PathBuf::from(name)
}

fn sync_dir_of(path: &Path) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    #[cfg(unix)]
    std::fs::File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io_err(dir))?;
    Ok(())
}

fn open_existing(path: &Path, flags: OpenFlags) -> Result<Connection> {
    if !path.is_file() {
        return fail(format!("{}: no such database file", path.display()));
    }
    let c = Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| Failed(format!("{}: {e}", path.display())))?;
    c.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(db_err)?;
    Ok(c)
}

/// `VACUUM INTO` a new file beside `dest`, checked, synced and renamed into place.
fn snapshot(src: &Connection, dest: &Path) -> Result<()> {
    let tmp = temp_beside(dest, "tmp");
    let out = (|| {
        src.execute("VACUUM INTO ?1", [tmp.to_string_lossy().into_owned()])
            .map_err(|e| Failed(format!("copying the database: {e}")))?;
        check(&tmp)?;
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, dest).map_err(io_err(dest))?;
        sync_dir_of(dest)
    })();
    if out.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    out
}

/// `PRAGMA integrity_check` on a Ferrochat database file.
fn check(path: &Path) -> Result<()> {
    let c = open_existing(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(db_err)?;
    if verdict != "ok" {
        return fail(format!(
            "{}: integrity check failed: {verdict}",
            path.display()
        ));
    }
    let ours: bool = c
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = '_migrations')",
            [],
            |r| r.get(0),
        )
        .map_err(db_err)?;
    if !ours {
        return fail(format!("{}: not a Ferrochat database", path.display()));
    }
    Ok(())
}

/// Rows of the tables an operator recognises, for the summary line.
fn counts(path: &Path) -> Result<String> {
    let c = open_existing(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut out = Vec::new();
    for t in ["users", "visitors", "rooms", "messages", "uploads"] {
        let n: i64 = c
            .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .map_err(db_err)?;
        out.push(format!("{t} {n}"));
    }
    Ok(out.join(", "))
}

/// Copies the stored files (names as `LocalFiles` makes them: alphanumeric keys) from `from`
/// into `to`, each written beside its place and renamed. Returns (files, bytes).
fn copy_files(from: &Path, to: &Path) -> Result<(u64, u64)> {
    let (mut n, mut bytes) = (0, 0);
    let entries = match std::fs::read_dir(from) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((0, 0)),
        Err(e) => return Err(io_err(from)(e)),
    };
    std::fs::create_dir_all(to).map_err(io_err(to))?;
    for entry in entries {
        let entry = entry.map_err(io_err(from))?;
        let name = entry.file_name();
        let Some(key) = name.to_str() else { continue };
        if key.is_empty()
            || !key.chars().all(|c| c.is_ascii_alphanumeric())
            || !entry.file_type().map_err(io_err(from))?.is_file()
        {
            continue;
        }
        let target = to.join(key);
        let tmp = temp_beside(&target, "tmp");
        let copied = std::fs::copy(entry.path(), &tmp)
            .and_then(|len| std::fs::File::open(&tmp)?.sync_all().map(|_| len))
            .and_then(|len| std::fs::rename(&tmp, &target).map(|_| len));
        match copied {
            Ok(len) => {
                n += 1;
                bytes += len;
            }
            // Removed since the snapshot (an agent's unsent file expiring): not needed.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let _ = std::fs::remove_file(&tmp);
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(io_err(&entry.path())(e));
            }
        }
    }
    sync_dir_of(&to.join("x"))?;
    Ok((n, bytes))
}

pub struct BackupOptions {
    pub force: bool,
    pub without_uploads: bool,
}

/// `ferrochat backup <file>`: returns the summary printed to the operator.
pub fn backup(config: &Config, dest: &Path, opts: &BackupOptions) -> Result<String> {
    let db = sqlite_file(&config.database_url, "backup")?;
    let uploads = uploads_of(dest);
    if !opts.force {
        for p in [dest, uploads.as_path()] {
            if p.exists() {
                return fail(format!(
                    "{} exists: choose another name or pass --force to replace it",
                    p.display()
                ));
            }
        }
    }
    if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    // Read-write (never created): a WAL reader needs the shared-memory file.
    let src = open_existing(&db, OpenFlags::SQLITE_OPEN_READ_WRITE)?;
    snapshot(&src, dest)?;
    drop(src);
    let size = std::fs::metadata(dest).map_err(io_err(dest))?.len();
    let mut summary = format!(
        "backup of {} written to {} ({size} bytes, integrity ok): {}",
        db.display(),
        dest.display(),
        counts(dest)?
    );
    if opts.without_uploads {
        summary.push_str("; uploaded files not copied (--without-uploads)");
        return Ok(summary);
    }
    let tmp = temp_beside(&uploads, "tmp");
    let copied = copy_files(&config.upload_dir(), &tmp);
    let (n, bytes) = match copied {
        Ok(v) => v,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    std::fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
    if uploads.exists() {
        std::fs::remove_dir_all(&uploads).map_err(io_err(&uploads))?;
    }
    std::fs::rename(&tmp, &uploads).map_err(io_err(&uploads))?;
    sync_dir_of(&uploads)?;
    summary.push_str(&format!(
        "; {n} uploaded files ({bytes} bytes) from {} copied to {}",
        config.upload_dir().display(),
        uploads.display()
    ));
    Ok(summary)
}

/// The exclusive lock on `db`, or the reason a server keeps it.
fn exclusive(db: &Path, what: &str) -> Result<lock::DbLock> {
    if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    match lock::exclusive(db) {
        Ok(Some(l)) => Ok(l),
        Ok(None) => fail(format!(
            "a Ferrochat server is running on {} (it holds {}): stop it before {what}",
            db.display(),
            lock::lock_path(db).display()
        )),
        Err(e) => fail(format!("{}: {e}", lock::lock_path(db).display())),
    }
}

pub struct RestoreOptions {
    pub force: bool,
}

/// `ferrochat restore <file>`: the backup becomes `DATABASE_URL`'s database (and its files
/// join the upload folder). Returns the summary printed to the operator.
pub fn restore(config: &Config, backup: &Path, opts: &RestoreOptions) -> Result<String> {
    let db = sqlite_file(&config.database_url, "restore")?;
    check(backup)?;
    let _lock = exclusive(&db, "restoring")?;
    if db.exists() && !opts.force {
        return fail(format!(
            "{} exists: pass --force to replace it with the backup",
            db.display()
        ));
    }
    // Through SQLite, not a byte copy: a backup that has a WAL beside it comes out whole.
    let src = open_existing(backup, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let staged = temp_beside(&db, "restore");
    if let Err(e) = snapshot(&src, &staged) {
        let _ = std::fs::remove_file(&staged);
        return Err(e);
    }
    drop(src);
    // The old database's WAL must never be replayed onto the restored file.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_os_string();
        p.push(suffix);
        match std::fs::remove_file(PathBuf::from(&p)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                let _ = std::fs::remove_file(&staged);
                return fail(format!("{}: {e}", Path::new(&p).display()));
            }
            _ => {}
        }
    }
    std::fs::rename(&staged, &db).map_err(io_err(&db))?;
    sync_dir_of(&db)?;
    let mut summary = format!(
        "restored {} into {}: {}",
        backup.display(),
        db.display(),
        counts(&db)?
    );
    let uploads = uploads_of(backup);
    if uploads.is_dir() {
        let (n, bytes) = copy_files(&uploads, &config.upload_dir())?;
        summary.push_str(&format!(
            "; {n} uploaded files ({bytes} bytes) copied into {}",
            config.upload_dir().display()
        ));
    } else {
        summary.push_str(&format!(
            "; no {} beside the backup: uploaded files not restored",
            uploads.display()
        ));
    }
    Ok(summary)
}
