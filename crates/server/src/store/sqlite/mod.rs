//! The embedded store: SQLite (WAL) through rusqlite.
//!
//! Writes: one thread owns the only writing connection and commits queued operations in
//! batches (group commit): every operation runs under its own savepoint inside the batch's
//! transaction, and its caller hears back only after COMMIT returned, so an acknowledged
//! write is on disk (`synchronous=FULL`) while one fsync serves the whole batch.
//! Reads: a small pool of connections used in place; WAL readers never wait for the writer.
//!
//! rusqlite rather than sqlx here: sqlx drives each SQLite connection from its own thread,
//! and on the seed endpoint half of the CPU went to those thread hand-offs (see
//! docs/benchmarks.md). Point reads in place and a synchronous writer thread remove them.

pub mod lock;
mod migrate;
mod ops;

use super::*;
use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::mpsc as std_mpsc;
use tokio::sync::oneshot;

pub(crate) type Conn = Connection;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, msg) = &e
            && f.code == rusqlite::ErrorCode::ConstraintViolation
            && (f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
        {
            let m = msg.clone().unwrap_or_default();
            return StoreError::Duplicate(if m.contains("email") {
                "email"
            } else if m.contains("rooms.token") || m.contains("rooms_token_open") {
                "open room"
            } else if m.contains("visitors.token") {
                "token"
            } else if m.contains("username") {
                "username"
            } else if m.contains("shortcut") {
                "shortcut"
            } else {
                "id"
            });
        }
        StoreError::Db(e.to_string())
    }
}

pub struct SqliteStore {
    path: PathBuf,
    readers: Mutex<Vec<Connection>>,
    writer: Writer,
    /// Stops with the store.
    _checkpointer: Checkpointer,
    synchronous: &'static str,
    /// Reads running now (for operators' pool figures).
    reading: std::sync::atomic::AtomicU64,
    /// Holds the file of a `sqlite::memory:` database for the store's lifetime.
    _tmp: Option<tempfile::TempDir>,
    /// Tells `restore` and `migrate` that a server uses this file.
    _lock: lock::DbLock,
}

/// `sqlite://path`, `sqlite:path` or `sqlite::memory:` → a file path (memory: a private
/// temporary file, so the writer and the readers share one database).
/// `?synchronous=normal` trades the last commits on power loss (not on a crash of the
/// process) for speed; the default is `full`: acknowledged means on disk.
fn synchronous_of(url: &str, memory: bool) -> &'static str {
    if memory {
        return "OFF";
    }
    match url.split_once('?').map(|(_, q)| q) {
        Some(q)
            if q.split('&')
                .any(|kv| kv.eq_ignore_ascii_case("synchronous=normal")) =>
        {
            "NORMAL"
        }
        _ => "FULL",
    }
}

fn parse_url(url: &str) -> StoreResult<(PathBuf, Option<tempfile::TempDir>, bool)> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::Db(format!("not a sqlite URL: {url}")))?;
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path.contains(":memory:") || rest.contains("mode=memory") {
        let dir = tempfile::tempdir().map_err(|e| StoreError::Db(e.to_string()))?;
        return Ok((dir.path().join("memory.db"), Some(dir), true));
    }
    Ok((PathBuf::from(path), None, false))
}

/// The file a `sqlite:` URL names; `None` for `sqlite::memory:`.
pub fn file_of(url: &str) -> StoreResult<Option<PathBuf>> {
    let (path, _tmp, memory) = parse_url(url)?;
    Ok((!memory).then_some(path))
}

/// Applies the migrations to the database at `path` (creating it if needed) and closes it.
pub fn migrate_file(path: &std::path::Path) -> StoreResult<()> {
    let mut conn = open(&path.to_path_buf(), "FULL")?;
    migrate::run(&mut conn)
}

fn open(path: &PathBuf, synchronous: &str) -> StoreResult<Connection> {
    let c = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    c.busy_timeout(std::time::Duration::from_secs(30))?;
    c.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = {};
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -16000;
         PRAGMA temp_store = MEMORY;",
        synchronous
    ))?;
    c.set_prepared_statement_cache_capacity(128);
    // SQLite otherwise re-prepares a cached statement whenever a new value is bound to a
    // parameter its plan looked at (every `LIMIT ?`, for one): measured as a third of a
    // history read's instructions. Plans then depend on the SQL alone, as on PostgreSQL.
    c.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    Ok(c)
}

const MAX_IDLE_READERS: usize = 16;

impl SqliteStore {
    /// Opens (creating if needed) the database and applies the migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let (path, tmp, memory) = parse_url(url)?;
        let synchronous = synchronous_of(url, memory);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StoreError::Db(format!("{}: {e}", parent.display())))?;
        }
        let lock = lock::shared(&path)
            .map_err(|e| StoreError::Db(format!("{}: {e}", lock::lock_path(&path).display())))?
            .ok_or_else(|| {
                StoreError::Db(format!(
                    "{}: a restore or migration is using this database",
                    path.display()
                ))
            })?;
        let mut conn = open(&path, synchronous)?;
        migrate::run(&mut conn)?;
        // The checkpoints that let the WAL start over run on the writer (SQLite's automatic
        // ones): a separate checkpointer alone cannot restart the WAL while readers keep old
        // snapshots, and the WAL then grows without bound (measured: 1.6 GB in a minute of
        // room creation). The background one (`Checkpointer`) copies most pages beforehand.
        // A checkpoint every 10,000 WAL pages (40 MB) rather than 1,000: a hot page (an
        // index's rightmost leaf, an agent's row) is copied to the database once per
        // checkpoint however often it changed; at 1,000 checkpoints took a fifth of the
        // writer's time while creating rooms.
        conn.execute_batch(
            "PRAGMA journal_size_limit = 67108864;
             PRAGMA wal_autocheckpoint = 10000;",
        )?;
        Ok(SqliteStore {
            readers: Mutex::new(vec![open(&path, synchronous)?]),
            _checkpointer: Checkpointer::start(open(&path, synchronous)?)?,
            path,
            writer: Writer::start(conn)?,
            synchronous,
            reading: Default::default(),
            _tmp: tmp,
            _lock: lock,
        })
    }

    /// Runs a read on a pooled connection, in place (an indexed read takes microseconds).
    fn read<R>(&self, f: impl FnOnce(&Connection) -> StoreResult<R>) -> StoreResult<R> {
        let conn = self.readers.lock().pop();
        let conn = match conn {
            Some(c) => c,
            None => open(&self.path, self.synchronous)?,
        };
        use std::sync::atomic::Ordering::Relaxed;
        self.reading.fetch_add(1, Relaxed);
        let out = f(&conn);
        self.reading.fetch_sub(1, Relaxed);
        let mut pool = self.readers.lock();
        if pool.len() < MAX_IDLE_READERS {
            pool.push(conn);
        }
        out
    }

    /// Runs `f` as one operation of the writer's next batch. `f` may run twice (the
    /// batch's first run rolled back, see `Writer::run_loop`): it must only touch the database.
    async fn write<R: Send + 'static>(
        &self,
        f: impl Fn(&Connection) -> StoreResult<R> + Send + 'static,
    ) -> StoreResult<R> {
        self.writer.run(f).await
    }
}

fn exec(c: &Connection, sql: &str) -> rusqlite::Result<usize> {
    c.prepare_cached(sql)?.execute([])
}

/// One queued write: run (perhaps twice, see `run_loop`), then told how the commit went.
trait Job: Send {
    /// Runs the operation; false when it failed (its writes must not be kept).
    fn run(&mut self, c: &Connection) -> bool;
    fn deliver(self: Box<Self>, commit: Result<(), String>);
}

struct Op<R, F> {
    f: F,
    out: Option<StoreResult<R>>,
    tx: oneshot::Sender<StoreResult<R>>,
}

impl<R, F> Job for Op<R, F>
where
    R: Send,
    F: Fn(&Connection) -> StoreResult<R> + Send,
{
    fn run(&mut self, c: &Connection) -> bool {
        let r = std::panic::catch_unwind(AssertUnwindSafe(|| (self.f)(c)))
            .unwrap_or_else(|_| Err(StoreError::Closed("a write operation panicked")));
        let ok = r.is_ok();
        self.out = Some(r);
        ok
    }

    fn deliver(self: Box<Self>, commit: Result<(), String>) {
        let r = self
            .out
            .unwrap_or(Err(StoreError::Closed("the write was not carried out")));
        let out = match commit {
            Err(e) if r.is_ok() => Err(StoreError::Db(format!("commit failed: {e}"))),
            _ => r,
        };
        let _ = self.tx.send(out);
    }
}

struct Writer {
    jobs: std_mpsc::SyncSender<Box<dyn Job>>,
    /// Writes handed to the writer and not answered yet.
    queued: Arc<std::sync::atomic::AtomicU64>,
}

const MAX_BATCH: usize = 512;

impl Writer {
    fn start(conn: Connection) -> StoreResult<Self> {
        let (tx, rx) = std_mpsc::sync_channel::<Box<dyn Job>>(8192);
        std::thread::Builder::new()
            .name("fc-sqlite-writer".into())
            .spawn(move || Self::run_loop(conn, rx))
            .map_err(|e| StoreError::Db(e.to_string()))?;
        Ok(Writer {
            jobs: tx,
            queued: Default::default(),
        })
    }

    /// A batch first runs without a savepoint per operation: a savepoint makes SQLite copy
    /// every page an operation touches into its sub-journal before changing it (measured:
    /// ~15 % of the writer's time while creating rooms), and operations rarely fail after
    /// writing. When one does, the batch is rolled back and run again with a savepoint
    /// around each operation, so only the failed one's writes are undone.
    fn run_loop(conn: Connection, rx: std_mpsc::Receiver<Box<dyn Job>>) {
        let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
        while let Ok(first) = rx.recv() {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => batch.push(j),
                    Err(_) => break,
                }
            }
            let commit = Self::run_batch(&conn, &mut batch);
            for job in batch.drain(..) {
                job.deliver(commit.clone());
            }
        }
    }

    /// Runs the batch in one transaction and commits it.
    fn run_batch(conn: &Connection, batch: &mut [Box<dyn Job>]) -> Result<(), String> {
        exec(conn, "BEGIN IMMEDIATE").map_err(|e| {
            tracing::error!(error = %e, "cannot begin a write transaction");
            e.to_string()
        })?;
        // An operation that failed before any of its statements completed left nothing to
        // undo (a statement that fails is undone by SQLite itself): the batch goes on.
        let clean = batch.iter_mut().all(|job| {
            let before = conn.total_changes();
            job.run(conn) || (conn.total_changes() == before && !conn.is_autocommit())
        });
        if !clean {
            // An error may have ended the transaction already (SQLite rolls back on some).
            let _ = exec(conn, "ROLLBACK");
            exec(conn, "BEGIN IMMEDIATE").map_err(|e| e.to_string())?;
            for job in batch.iter_mut() {
                let sp = exec(conn, "SAVEPOINT op").is_ok();
                let ok = job.run(conn);
                if conn.is_autocommit() {
                    // SQLite ended the transaction (a full disk, an I/O error): nothing of the
                    // batch is kept, and no later operation may run outside a transaction.
                    return Err("the write transaction was rolled back".into());
                }
                if sp {
                    if !ok {
                        let _ = exec(conn, "ROLLBACK TO op");
                    }
                    let _ = exec(conn, "RELEASE op");
                }
            }
        }
        let commit = exec(conn, "COMMIT").map(|_| ()).map_err(|e| e.to_string());
        if commit.is_err() {
            let _ = exec(conn, "ROLLBACK");
        }
        commit
    }

    async fn run<R, F>(&self, f: F) -> StoreResult<R>
    where
        R: Send + 'static,
        F: Fn(&Connection) -> StoreResult<R> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel::<StoreResult<R>>();
        let queued = QueuedWrite::new(self.queued.clone());
        let job: Box<dyn Job> = Box::new(Op { f, out: None, tx });
        // The channel is bounded: a full queue makes this wait, which is the backpressure.
        let jobs = self.jobs.clone();
        match jobs.try_send(job) {
            Ok(()) => {}
            Err(std_mpsc::TrySendError::Full(job)) => {
                tokio::task::spawn_blocking(move || jobs.send(job))
                    .await
                    .map_err(|_| StoreError::Closed("the writer has stopped"))?
                    .map_err(|_| StoreError::Closed("the writer has stopped"))?;
            }
            Err(std_mpsc::TrySendError::Disconnected(_)) => {
                return Err(StoreError::Closed("the writer has stopped"));
            }
        }
        let out = rx
            .await
            .map_err(|_| StoreError::Closed("the write was not carried out"))?;
        drop(queued);
        out
    }
}

/// Copies the WAL's committed pages into the database file in the background (passive
/// checkpoints), so that the writer's own checkpoint, which is what lets the WAL start over
/// and runs inside a commit, finds little left to copy: a full one stalled every write
/// queued behind it (delivery p99 at 2,000 replies/s: ~13 ms with it, ~6 ms without).
struct Checkpointer {
    stop: Option<std_mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

impl Checkpointer {
    fn start(conn: Connection) -> StoreResult<Self> {
        let (stop, stopped) = std_mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("fc-sqlite-ckpt".into())
            .spawn(move || {
                while let Err(std_mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    // Busy (the writer checkpointing) is normal: the next round copies.
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::debug!(error = %e, "background checkpoint");
                    }
                }
            })
            .map_err(|e| StoreError::Db(e.to_string()))?;
        Ok(Checkpointer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    /// Its connection is closed when the store is gone (a restore may replace the file next).
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Counts a write from its hand-over to its answer (or its caller giving up).
struct QueuedWrite(Arc<std::sync::atomic::AtomicU64>);

impl QueuedWrite {
    fn new(n: Arc<std::sync::atomic::AtomicU64>) -> Self {
        n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        QueuedWrite(n)
    }
}

impl Drop for QueuedWrite {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl SqliteStore {
    /// Reads running, readers kept idle, and writes queued for the writer.
    pub(crate) fn pool_figures(&self) -> crate::store::PoolStats {
        use std::sync::atomic::Ordering::Relaxed;
        crate::store::PoolStats {
            engine: "sqlite",
            in_use: self.reading.load(Relaxed),
            idle: self.readers.lock().len() as u64,
            max: MAX_IDLE_READERS as u64,
            writes_queued: Some(self.writer.queued.load(Relaxed)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};

    /// Runs `n` writes made by `op` as one batch of the writer (it is held until all are
    /// queued); their answers in order.
    async fn one_batch<R, F>(
        s: &Arc<SqliteStore>,
        n: i64,
        op: impl Fn(i64) -> F,
    ) -> Vec<StoreResult<R>>
    where
        R: Send + 'static,
        F: Fn(&Connection) -> StoreResult<R> + Send + 'static,
    {
        let released = Arc::new(AtomicBool::new(false));
        let hold = {
            let (s, released) = (s.clone(), released.clone());
            tokio::spawn(async move {
                s.write(move |_| {
                    while !released.load(SeqCst) {
                        std::thread::sleep(std::time::Duration::from_millis(1));
                    }
                    Ok(())
                })
                .await
            })
        };
        while s.pool_figures().writes_queued != Some(1) {
            tokio::task::yield_now().await;
        }
        let all = futures::future::join_all((0..n).map(|i| s.write(op(i))));
        let release = async {
            while s.pool_figures().writes_queued != Some(n as u64 + 1) {
                tokio::task::yield_now().await;
            }
            released.store(true, SeqCst);
        };
        let (answers, ()) = tokio::join!(all, release);
        hold.await.unwrap().unwrap();
        answers
    }

    async fn store() -> Arc<SqliteStore> {
        let s = Arc::new(SqliteStore::connect("sqlite::memory:").await.unwrap());
        s.write(|c| Ok(c.execute_batch("CREATE TABLE t (x INTEGER)")?))
            .await
            .unwrap();
        s
    }

    fn kept(s: &SqliteStore) -> Vec<i64> {
        s.read(|c| {
            let mut st = c.prepare("SELECT x FROM t ORDER BY x")?;
            let rows = st.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .unwrap()
    }

    fn rejected() -> StoreError {
        StoreError::Rejected(crate::error::Code::RoomClosed.into())
    }

    /// One batch where some operations fail after writing and one panics: only their writes
    /// are undone, every other operation of the batch is kept and answered with its result.
    #[tokio::test]
    async fn a_failed_operation_undoes_only_its_own_writes() {
        let s = store().await;
        let answers = one_batch(&s, 40, |i| {
            move |c: &Connection| {
                c.execute("INSERT INTO t (x) VALUES (?1)", [i])?;
                match i % 4 {
                    1 => Err(rejected()),
                    3 if i == 3 => panic!("an operation that panics"),
                    _ => Ok(i),
                }
            }
        })
        .await;
        for (i, a) in answers.iter().enumerate() {
            let i = i as i64;
            match (i % 4, a) {
                (1, Err(StoreError::Rejected(_))) => {}
                (3, Err(StoreError::Closed(_))) if i == 3 => {}
                (_, Ok(x)) if *x == i && i % 4 != 1 && i != 3 => {}
                (_, a) => panic!("operation {i} answered {a:?}"),
            }
        }
        let expected: Vec<i64> = (0..40).filter(|i| i % 4 != 1 && *i != 3).collect();
        assert_eq!(kept(&s), expected);
    }

    /// Committed pages reach the database file without the writer's checkpoint (which waits
    /// for 10,000 WAL pages): the background checkpointer copies them.
    #[tokio::test]
    async fn committed_pages_reach_the_database_file_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.db");
        let s = SqliteStore::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        s.write(|c| {
            c.execute_batch("CREATE TABLE blobs (b BLOB)")?;
            for _ in 0..100 {
                c.execute("INSERT INTO blobs (b) VALUES (zeroblob(8000))", [])?;
            }
            Ok(())
        })
        .await
        .unwrap();
        // ~200 pages: far below the writer's threshold.
        let grown = async {
            while std::fs::metadata(&path).unwrap().len() < before + 800_000 {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(30), grown)
            .await
            .expect("the pages were not copied into the database file");
    }

    /// Operations refused before they wrote anything (a rule's answer) leave the rest of
    /// their batch to run once.
    #[tokio::test]
    async fn a_refusal_before_writing_runs_the_batch_once() {
        let s = store().await;
        let runs = Arc::new(AtomicUsize::new(0));
        let answers = one_batch(&s, 20, |i| {
            let runs = runs.clone();
            move |c: &Connection| {
                runs.fetch_add(1, SeqCst);
                if i % 2 == 1 {
                    return Err(rejected());
                }
                c.execute("INSERT INTO t (x) VALUES (?1)", [i])?;
                Ok(())
            }
        })
        .await;
        assert_eq!(runs.load(SeqCst), 20, "no operation ran twice");
        assert_eq!(answers.iter().filter(|a| a.is_err()).count(), 10);
        assert_eq!(
            kept(&s),
            (0..20).filter(|i| i % 2 == 0).collect::<Vec<i64>>()
        );
    }
}
