//! The subcommands' arguments and their report on stdout/stderr.

use crate::config::Config;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The database copy to write (the uploaded files go to FILE.uploads/).
    pub file: PathBuf,
    /// Replace FILE (and FILE.uploads/) if they exist.
    #[arg(long)]
    pub force: bool,
    /// Copy the database only.
    #[arg(long)]
    pub without_uploads: bool,
}

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// A file written by `ferrochat backup` (its FILE.uploads/ is restored too).
    pub file: PathBuf,
    /// Replace DATABASE_URL's database if it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(clap::Args)]
pub struct MigrateArgs {
    /// The PostgreSQL database to fill: `postgres://user:pass@host:5432/db` (empty).
    #[arg(long, value_name = "POSTGRES_URL")]
    pub to: String,
    /// The SQLite database to copy (default: DATABASE_URL), e.g. `sqlite://backup.db`.
    #[arg(long, value_name = "SQLITE_URL")]
    pub from: Option<String>,
}

fn report(command: &str, out: super::Result<String>) -> ExitCode {
    match out {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ferrochat {command}: {e}");
            ExitCode::FAILURE
        }
    }
}

pub fn backup(config: &Config, a: &BackupArgs) -> ExitCode {
    let opts = super::BackupOptions {
        force: a.force,
        without_uploads: a.without_uploads,
    };
    report("backup", super::backup(config, &a.file, &opts))
}

pub fn restore(config: &Config, a: &RestoreArgs) -> ExitCode {
    let opts = super::RestoreOptions { force: a.force };
    report("restore", super::restore(config, &a.file, &opts))
}

pub async fn migrate(config: &Config, a: &MigrateArgs) -> ExitCode {
    let from = a.from.as_deref().unwrap_or(&config.database_url);
    let mut source = config.clone();
    source.database_url = from.to_string();
    // A backup's files are beside it (`FILE.uploads/`); a deployment's in its upload folder.
    let beside = crate::store::sqlite::file_of(from)
        .ok()
        .flatten()
        .map(|f| super::uploads_of(&f))
        .filter(|d| a.from.is_some() && d.is_dir());
    let uploads = beside.unwrap_or_else(|| source.upload_dir());
    let target = super::migrate::Target { from, to: &a.to };
    report("migrate", super::migrate::migrate(&target, &uploads).await)
}
