//! Every setting the process takes: Rocket.Chat's environment names, with matching flags.

use clap::Args;

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Port to listen on.
    #[arg(long, env = "PORT", default_value_t = 3000)]
    pub port: u16,
    /// Address to bind.
    #[arg(long = "bind-ip", env = "BIND_IP", default_value = "0.0.0.0")]
    pub bind_ip: String,
    /// Public URL of this server (default http://localhost:PORT).
    #[arg(long = "root-url", env = "ROOT_URL")]
    pub root_url: Option<String>,
    /// `sqlite://path` (created on first start) or `sqlite::memory:`.
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        default_value = "sqlite://data/ferrochat.db"
    )]
    pub database_url: String,
    /// Admin created when the database has none.
    #[arg(long = "admin-username", env = "ADMIN_USERNAME")]
    pub admin_username: Option<String>,
    #[arg(long = "admin-pass", env = "ADMIN_PASS")]
    pub admin_pass: Option<String>,
    #[arg(long = "admin-email", env = "ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    /// As upstream: disables the REST rate limiter (and memoisation) for tests.
    #[arg(long = "test-mode", env = "TEST_MODE", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub test_mode: bool,
    /// bcrypt work factor for new passwords (upstream: 10).
    #[arg(long = "bcrypt-cost", env = "BCRYPT_COST", default_value_t = 10)]
    pub bcrypt_cost: u32,
    /// Folder for uploaded files (default: `uploads` beside the SQLite file, else `data/uploads`).
    #[arg(long = "file-upload-path", env = "FILE_UPLOAD_PATH")]
    pub file_upload_path: Option<std::path::PathBuf>,
}

impl Config {
    pub fn root_url(&self) -> String {
        self.root_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}", self.port))
    }

    /// Where uploaded files live: the setting, else the SQLite file's folder, else `data`.
    pub fn upload_dir(&self) -> std::path::PathBuf {
        if let Some(p) = &self.file_upload_path {
            return p.clone();
        }
        let file = self
            .database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
            .map(|r| r.split('?').next().unwrap_or(""))
            .filter(|p| !p.is_empty() && !p.contains(":memory:"));
        match file.and_then(|f| std::path::Path::new(f).parent()) {
            Some(dir) if !dir.as_os_str().is_empty() => dir.join("uploads"),
            _ => std::path::PathBuf::from("data/uploads"),
        }
    }

    /// Defaults for an embedded test server.
    pub fn for_tests(database_url: &str) -> Self {
        Config {
            port: 0,
            bind_ip: "127.0.0.1".into(),
            root_url: None,
            database_url: database_url.into(),
            admin_username: None,
            admin_pass: None,
            admin_email: None,
            test_mode: true,
            bcrypt_cost: 4,
            file_upload_path: None,
        }
    }
}
