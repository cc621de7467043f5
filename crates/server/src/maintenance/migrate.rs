//! `ferrochat migrate --to postgres://…`: a whole SQLite deployment copied into PostgreSQL.
//!
//! The tables are not listed here: every table of the SQLite file is copied into its
//! PostgreSQL twin of the same name, column by column, each value converted to the twin's
//! type (integers to BOOLEAN/SMALLINT/BIGINT, document text to JSON). A table or column
//! without a twin, or a type without a conversion, stops the migration before anything is
//! written, so a table added later is never skipped silently. Rows are inserted in rowid
//! order, so the `seq` columns PostgreSQL keeps for SQLite's rowid order (messages,
//! triggers, …) are numbered in the same order by their own sequences. Everything is
//! written in one transaction, checked by counting every table's rows before the commit.

use super::{Failed, Result, fail};
use crate::store::postgres::{PgStore, PoolSettings};
use crate::store::sqlite;
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OpenFlags};
use sqlx::{AssertSqlSafe, Row};
use std::path::Path;

/// Tables not copied: presence says which instance holds which connection right now; the
/// SQLite server that wrote it is stopped, and the PostgreSQL instances register their own.
pub const NOT_COPIED: &[&str] = &["_migrations", "presence_instances", "presence_connections"];

/// Most rows in one INSERT (PostgreSQL allows 65535 parameters a statement).
const BATCH_ROWS: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Text,
    Int8,
    Int4,
    Int2,
    Bool,
    Float,
    Json,
    Jsonb,
}

impl Kind {
    fn of(pg_type: &str) -> Option<Kind> {
        Some(match pg_type {
            "text" | "character varying" => Kind::Text,
            "bigint" => Kind::Int8,
            "integer" => Kind::Int4,
            "smallint" => Kind::Int2,
            "boolean" => Kind::Bool,
            "double precision" => Kind::Float,
            "json" => Kind::Json,
            "jsonb" => Kind::Jsonb,
            _ => return None,
        })
    }
}

/// One table's copy: its columns (name, target type) and whether it has a rowid.
struct Plan {
    table: String,
    columns: Vec<(String, Kind)>,
    rowid: bool,
}

pub struct Target<'a> {
    pub from: &'a str,
    pub to: &'a str,
}

fn db(e: impl std::fmt::Display) -> Failed {
    Failed(e.to_string())
}

/// Runs the migration; returns the summary printed to the operator.
pub async fn migrate(t: &Target<'_>, upload_dir: &Path) -> Result<String> {
    if !super::is_postgres(t.to) {
        return fail("--to must be a postgres:// URL");
    }
    let path = super::sqlite_file(t.from, "migrate")?;
    if !path.is_file() {
        return fail(format!("{}: no such database file", path.display()));
    }
    // No server may write while the copy runs: whatever it wrote after would be lost.
    let _lock = super::exclusive(
        &path,
        "migrating (or migrate from a `ferrochat backup` copy with --from)",
    )?;
    sqlite::migrate_file(&path).map_err(db)?;
    let src = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db)?;
    let store = PgStore::connect(
        t.to,
        &PoolSettings {
            max: 2,
            ..PoolSettings::default()
        },
    )
    .await
    .map_err(|e| Failed(format!("{}: {e}", crate::config::redact_url(t.to))))?;
    let pool = store.pool();

    // The same schema version on both sides.
    let versions = |c: &Connection| -> rusqlite::Result<Vec<i64>> {
        c.prepare("SELECT version FROM _migrations ORDER BY version")?
            .query_map([], |r| r.get(0))?
            .collect()
    };
    let ours = versions(&src).map_err(db)?;
    let theirs: Vec<i64> = sqlx::query_scalar("SELECT version FROM _migrations ORDER BY version")
        .fetch_all(pool)
        .await
        .map_err(db)?;
    if ours != theirs {
        return fail(format!(
            "schema versions differ: SQLite {ours:?}, PostgreSQL {theirs:?}"
        ));
    }

    let plans = plan(&src, pool).await?;
    let started = std::time::Instant::now();
    let mut tx = pool.begin().await.map_err(db)?;
    for p in &plans {
        let busy: bool = sqlx::query_scalar(AssertSqlSafe(format!(
            "SELECT EXISTS (SELECT 1 FROM {})",
            p.table
        )))
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        if busy {
            return fail(format!(
                "{} already holds data (table {}): migrate into an empty database or schema",
                crate::config::redact_url(t.to),
                p.table
            ));
        }
    }
    let mut lines = Vec::new();
    let mut total = 0i64;
    for p in &plans {
        let copied = copy_table(&src, &mut tx, p).await?;
        let there: i64 =
            sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM {}", p.table)))
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
        let here: i64 = src
            .query_row(&format!("SELECT count(*) FROM {}", p.table), [], |r| {
                r.get(0)
            })
            .map_err(db)?;
        if there != here || copied != here {
            return fail(format!(
                "table {}: {here} rows in SQLite, {copied} copied, {there} in PostgreSQL; nothing was committed",
                p.table
            ));
        }
        total += here;
        lines.push(format!("{} {here}", p.table));
    }
    tx.commit().await.map_err(db)?;
    let uploads = std::path::absolute(upload_dir).unwrap_or_else(|_| upload_dir.to_path_buf());
    Ok(format!(
        "migrated {} to {} in {:.1}s: {} tables, {total} rows ({}); rows counted on both sides\n\
         uploaded files stay where they are: start the PostgreSQL server(s) with FILE_UPLOAD_PATH={} (or copy that folder where FILE_UPLOAD_PATH points)",
        path.display(),
        crate::config::redact_url(t.to),
        started.elapsed().as_secs_f64(),
        plans.len(),
        lines.join(", "),
        uploads.display()
    ))
}

/// Every SQLite table matched with its PostgreSQL twin, parents before children (foreign
/// keys); an error names what has no twin.
async fn plan(src: &Connection, pool: &sqlx::PgPool) -> Result<Vec<Plan>> {
    let tables: Vec<(String, String)> = src
        .prepare(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .and_then(|mut s| {
            s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(db)?;
    let mut plans = Vec::new();
    let mut problems = Vec::new();
    for (table, sql) in tables {
        if NOT_COPIED.contains(&table.as_str()) {
            continue;
        }
        let theirs: Vec<(String, String, Option<String>)> = sqlx::query(
            "SELECT column_name::text, data_type::text, column_default::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .map_err(db)?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
        if theirs.is_empty() {
            problems.push(format!(
                "table {table} has no PostgreSQL twin (add it to migrations/postgres, or to NOT_COPIED in maintenance/migrate.rs)"
            ));
            continue;
        }
        let ours = sqlite_columns(src, &table)?;
        let mut columns = Vec::new();
        for c in &ours {
            match theirs.iter().find(|(n, _, _)| n == c) {
                None => problems.push(format!("column {table}.{c} has no PostgreSQL twin")),
                Some((_, ty, _)) => match Kind::of(ty) {
                    Some(k) => columns.push((c.clone(), k)),
                    None => problems.push(format!(
                        "column {table}.{c}: no conversion to PostgreSQL's {ty}"
                    )),
                },
            }
        }
        for (n, _, default) in &theirs {
            if !ours.contains(n) && default.is_none() {
                problems.push(format!(
                    "column {table}.{n} exists only in PostgreSQL and has no default"
                ));
            }
        }
        let parents = src
            .prepare(&format!(
                "SELECT \"table\" FROM pragma_foreign_key_list('{table}')"
            ))
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()
            })
            .map_err(db)?;
        let rowid = !sql.to_ascii_uppercase().contains("WITHOUT ROWID");
        plans.push((
            Plan {
                table,
                columns,
                rowid,
            },
            parents,
        ));
    }
    if !problems.is_empty() {
        return fail(format!(
            "cannot migrate, nothing was written:\n  {}",
            problems.join("\n  ")
        ));
    }
    // Parents first.
    let mut ordered: Vec<Plan> = Vec::new();
    while !plans.is_empty() {
        let ready = plans.iter().position(|(_, parents)| {
            parents.iter().all(|p| {
                ordered.iter().any(|o| &o.table == p) || !plans.iter().any(|(q, _)| &q.table == p)
            })
        });
        match ready {
            Some(i) => ordered.push(plans.remove(i).0),
            None => return fail("the tables' foreign keys form a cycle"),
        }
    }
    Ok(ordered)
}

fn sqlite_columns(src: &Connection, table: &str) -> Result<Vec<String>> {
    src.prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(db)
}

enum Cell {
    Text(Option<String>),
    Int8(Option<i64>),
    Int4(Option<i32>),
    Int2(Option<i16>),
    Bool(Option<bool>),
    Float(Option<f64>),
}

fn convert(v: Sql, kind: Kind, at: &dyn Fn() -> String) -> Result<Cell> {
    let bad = |v: &Sql| Failed(format!("{}: cannot convert {v:?} to {kind:?}", at()));
    let int = |v: Sql| -> Result<Option<i64>> {
        match v {
            Sql::Null => Ok(None),
            Sql::Integer(i) => Ok(Some(i)),
            Sql::Text(ref s) => s.trim().parse().map(Some).map_err(|_| bad(&v)),
            other => Err(bad(&other)),
        }
    };
    Ok(match kind {
        Kind::Text | Kind::Json | Kind::Jsonb => Cell::Text(match v {
            Sql::Null => None,
            Sql::Text(s) => Some(s),
            Sql::Integer(i) => Some(i.to_string()),
            Sql::Real(f) => Some(f.to_string()),
            Sql::Blob(b) => Some(
                String::from_utf8(b)
                    .map_err(|e| Failed(format!("{}: a blob that is not UTF-8 text: {e}", at())))?,
            ),
        }),
        Kind::Int8 => Cell::Int8(int(v)?),
        Kind::Int4 => Cell::Int4(
            int(v)?
                .map(i32::try_from)
                .transpose()
                .map_err(|e| Failed(format!("{}: {e}", at())))?,
        ),
        Kind::Int2 => Cell::Int2(
            int(v)?
                .map(i16::try_from)
                .transpose()
                .map_err(|e| Failed(format!("{}: {e}", at())))?,
        ),
        Kind::Bool => Cell::Bool(match v {
            Sql::Null => None,
            Sql::Integer(i) => Some(i != 0),
            other => return Err(bad(&other)),
        }),
        Kind::Float => Cell::Float(match v {
            Sql::Null => None,
            Sql::Integer(i) => Some(i as f64),
            Sql::Real(f) => Some(f),
            other => return Err(bad(&other)),
        }),
    })
}

/// Copies one table in batches (by rowid, or by offset for a WITHOUT ROWID table); returns
/// the rows copied.
async fn copy_table(src: &Connection, tx: &mut sqlx::PgConnection, p: &Plan) -> Result<i64> {
    let cols: Vec<&str> = p.columns.iter().map(|(c, _)| c.as_str()).collect();
    let list = cols
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let per_batch = BATCH_ROWS.min(60_000 / cols.len().max(1));
    let (mut after, mut offset, mut copied) = (i64::MIN, 0usize, 0i64);
    loop {
        let rows: Vec<(i64, Vec<Sql>)> = {
            let sql = if p.rowid {
                format!(
                    "SELECT rowid, {list} FROM \"{}\" WHERE rowid > ?1 ORDER BY rowid LIMIT {per_batch}",
                    p.table
                )
            } else {
                let all = (2..cols.len() + 2)
                    .map(|i| i.to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                format!(
                    "SELECT 0, {list} FROM \"{}\" ORDER BY {all} LIMIT {per_batch} OFFSET {offset}",
                    p.table
                )
            };
            let mut st = src.prepare(&sql).map_err(db)?;
            let params: Vec<i64> = if p.rowid { vec![after] } else { vec![] };
            st.query_map(rusqlite::params_from_iter(params), |r| {
                let mut vals = Vec::with_capacity(cols.len());
                for i in 0..cols.len() {
                    vals.push(r.get::<_, Sql>(i + 1)?);
                }
                Ok((r.get::<_, i64>(0)?, vals))
            })
            .and_then(|it| it.collect::<rusqlite::Result<Vec<_>>>())
            .map_err(db)?
        };
        if rows.is_empty() {
            return Ok(copied);
        }
        let n = rows.len();
        after = rows.last().map(|r| r.0).unwrap_or(after);
        offset += n;
        let mut sql = format!("INSERT INTO {} ({list}) VALUES ", p.table);
        let mut cells = Vec::with_capacity(n * cols.len());
        for (i, (rowid, vals)) in rows.into_iter().enumerate() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for (j, v) in vals.into_iter().enumerate() {
                let (name, kind) = &p.columns[j];
                let at = || format!("{}.{name} (rowid {rowid})", p.table);
                cells.push(convert(v, *kind, &at)?);
                if j > 0 {
                    sql.push_str(", ");
                }
                sql.push_str(&format!("${}", cells.len()));
                match kind {
                    Kind::Json => sql.push_str("::json"),
                    Kind::Jsonb => sql.push_str("::jsonb"),
                    _ => {}
                }
            }
            sql.push(')');
        }
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for c in cells {
            q = match c {
                Cell::Text(v) => q.bind(v),
                Cell::Int8(v) => q.bind(v),
                Cell::Int4(v) => q.bind(v),
                Cell::Int2(v) => q.bind(v),
                Cell::Bool(v) => q.bind(v),
                Cell::Float(v) => q.bind(v),
            };
        }
        q.execute(&mut *tx)
            .await
            .map_err(|e| Failed(format!("copying {}: {e}", p.table)))?;
        copied += n as i64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Table and column names of the PostgreSQL migrations, read from their SQL.
    fn pg_tables() -> std::collections::BTreeMap<String, Vec<String>> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
        let mut out = std::collections::BTreeMap::new();
        for f in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(f.unwrap().path()).unwrap();
            let mut rest = text.as_str();
            while let Some(i) = rest.find("CREATE TABLE ") {
                rest = &rest[i + "CREATE TABLE ".len()..];
                let name = rest.split_whitespace().next().unwrap().to_string();
                let body = &rest[rest.find('(').unwrap() + 1..rest.find("\n);").unwrap()];
                let cols = body
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with("--"))
                    .filter(|l| {
                        !["PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT"]
                            .iter()
                            .any(|k| l.starts_with(k))
                    })
                    .map(|l| l.split_whitespace().next().unwrap().to_string())
                    .collect();
                out.insert(name, cols);
            }
        }
        out
    }

    /// Every SQLite table is copied or deliberately left out, and each of its columns has a
    /// twin: a table added to one engine only fails here, with no PostgreSQL server needed.
    #[test]
    fn every_sqlite_table_has_a_postgres_twin() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.db");
        sqlite::migrate_file(&path).unwrap();
        let c = Connection::open(&path).unwrap();
        let tables: Vec<String> = c
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let pg = pg_tables();
        assert!(pg.len() > 10, "{pg:?}");
        for t in tables {
            if NOT_COPIED.contains(&t.as_str()) {
                continue;
            }
            let theirs = pg
                .get(&t)
                .unwrap_or_else(|| panic!("SQLite table {t} has no PostgreSQL twin"));
            for col in sqlite_columns(&c, &t).unwrap() {
                assert!(
                    theirs.contains(&col),
                    "column {t}.{col} has no PostgreSQL twin ({theirs:?})"
                );
            }
        }
    }

    #[test]
    fn values_convert_to_their_twins_types() {
        let at = || "t.c".to_string();
        assert!(matches!(
            convert(Sql::Integer(1), Kind::Bool, &at).unwrap(),
            Cell::Bool(Some(true))
        ));
        assert!(matches!(
            convert(Sql::Null, Kind::Int2, &at).unwrap(),
            Cell::Int2(None)
        ));
        assert!(matches!(
            convert(Sql::Text("{}".into()), Kind::Json, &at).unwrap(),
            Cell::Text(Some(s)) if s == "{}"
        ));
        assert!(convert(Sql::Integer(1 << 20), Kind::Int2, &at).is_err());
        assert!(convert(Sql::Text("x".into()), Kind::Int8, &at).is_err());
    }
}
