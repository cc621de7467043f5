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
    /// `sqlite://path` (created on first start), `sqlite::memory:`, or
    /// `postgres://user:pass@host:5432/db` (several instances may share it).
    #[arg(
        long = "database-url",
        env = "DATABASE_URL",
        default_value = "sqlite://data/ferrochat.db",
        hide_env_values = true
    )]
    pub database_url: String,
    /// PostgreSQL: most connections this instance opens.
    #[arg(
        long = "database-pool-max",
        env = "DATABASE_POOL_MAX",
        default_value_t = 16
    )]
    pub database_pool_max: u32,
    /// PostgreSQL: connections kept open when idle.
    #[arg(
        long = "database-pool-min",
        env = "DATABASE_POOL_MIN",
        default_value_t = 0
    )]
    pub database_pool_min: u32,
    /// PostgreSQL: seconds a request waits for a free connection before failing.
    #[arg(
        long = "database-acquire-timeout",
        env = "DATABASE_ACQUIRE_TIMEOUT",
        default_value_t = 30
    )]
    pub database_acquire_timeout: u64,
    /// Admin created when the database has none.
    #[arg(long = "admin-username", env = "ADMIN_USERNAME")]
    pub admin_username: Option<String>,
    #[arg(long = "admin-pass", env = "ADMIN_PASS", hide_env_values = true)]
    pub admin_pass: Option<String>,
    #[arg(long = "admin-email", env = "ADMIN_EMAIL")]
    pub admin_email: Option<String>,
    /// As upstream: disables the REST rate limiter (and memoisation) for tests.
    #[arg(long = "test-mode", env = "TEST_MODE", default_value_t = false, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub test_mode: bool,
    /// bcrypt work factor for new passwords (upstream: 10).
    #[arg(long = "bcrypt-cost", env = "BCRYPT_COST", default_value_t = 10)]
    pub bcrypt_cost: u32,
    /// The livechat widget's files: the `build` folder of `@rocket.chat/livechat`
    /// (`scripts/fetch-widget.sh` puts it in the default place).
    #[arg(
        long = "livechat-widget-dir",
        env = "LIVECHAT_WIDGET_DIR",
        default_value = "vendor/livechat/build"
    )]
    pub livechat_widget_dir: std::path::PathBuf,
    /// The agent workspace's built files (`web/agent`, built by `scripts/build-agent.sh`).
    #[arg(
        long = "agent-app-dir",
        env = "AGENT_APP_DIR",
        default_value = "web/agent/dist"
    )]
    pub agent_app_dir: std::path::PathBuf,
    /// Folder for uploaded files (default: `uploads` beside the SQLite file, else `data/uploads`).
    #[arg(long = "file-upload-path", env = "FILE_UPLOAD_PATH")]
    pub file_upload_path: Option<std::path::PathBuf>,
    // Several instances: the event bus and shared presence.
    /// `nats://host:4222` (comma-separated for a cluster): realtime events reach every
    /// instance. Unset: events stay in this process (one instance).
    #[arg(long = "nats-url", env = "NATS_URL", hide_env_values = true)]
    pub nats_url: Option<String>,
    /// Subject prefix on NATS (`<prefix>.events`): instances of one deployment share it.
    #[arg(
        long = "nats-subject-prefix",
        env = "NATS_SUBJECT_PREFIX",
        default_value = "ferrochat"
    )]
    pub nats_subject_prefix: String,
    /// This process's name in presence and on the bus (default: random at each start).
    #[arg(long = "instance-id", env = "INSTANCE_ID")]
    pub instance_id: Option<String>,
    /// Seconds without a heartbeat after which an instance counts as dead and its agents'
    /// connections are dropped (heartbeats go every third of it).
    #[arg(
        long = "presence-timeout",
        env = "PRESENCE_TIMEOUT",
        default_value_t = 30
    )]
    pub presence_timeout: u64,
    /// How often business hours are checked for opening or closing (milliseconds).
    #[arg(
        long = "business-hours-tick-ms",
        env = "BUSINESS_HOURS_TICK_MS",
        default_value_t = 10_000
    )]
    pub business_hours_tick_ms: u64,
    /// Outbox (e-mail, webhooks): first retry delay; each further retry doubles it.
    #[arg(
        long = "outbox-retry-base-ms",
        env = "OUTBOX_RETRY_BASE_MS",
        default_value_t = 10_000
    )]
    pub outbox_retry_base_ms: u64,
    /// Outbox: the longest delay between two attempts.
    #[arg(
        long = "outbox-retry-max-ms",
        env = "OUTBOX_RETRY_MAX_MS",
        default_value_t = 3_600_000
    )]
    pub outbox_retry_max_ms: u64,
    /// Outbox: how often an idle worker looks for work queued by other instances.
    #[arg(
        long = "outbox-poll-ms",
        env = "OUTBOX_POLL_MS",
        default_value_t = 5_000
    )]
    pub outbox_poll_ms: u64,
    /// Outbox: attempts before an e-mail is given up (webhooks: 5, as upstream).
    #[arg(
        long = "mail-max-attempts",
        env = "MAIL_MAX_ATTEMPTS",
        default_value_t = 20
    )]
    pub mail_max_attempts: i64,
    /// Seconds a client has to send a request's head, from its first byte.
    #[arg(
        long = "http-header-timeout",
        env = "HTTP_HEADER_TIMEOUT",
        default_value_t = 10
    )]
    pub http_header_timeout: u64,
    /// Seconds a request body may pause between two reads.
    #[arg(
        long = "http-body-timeout",
        env = "HTTP_BODY_TIMEOUT",
        default_value_t = 30
    )]
    pub http_body_timeout: u64,
    /// Seconds a connection may wait idle for its next request.
    #[arg(
        long = "http-idle-timeout",
        env = "HTTP_IDLE_TIMEOUT",
        default_value_t = 60
    )]
    pub http_idle_timeout: u64,
    /// Most connections at once (0: the descriptor limit less a reserve).
    #[arg(long = "max-connections", env = "MAX_CONNECTIONS", default_value_t = 0)]
    pub max_connections: usize,
    /// Outbox: `/health` says `degraded` once an item has waited this long (seconds).
    #[arg(
        long = "outbox-stuck-seconds",
        env = "OUTBOX_STUCK_SECONDS",
        default_value_t = 900
    )]
    pub outbox_stuck_seconds: u64,
    /// Proxies in front of the server, as comma-separated addresses or CIDR networks: from
    /// them, the client's address is the right-most other hop of `X-Forwarded-For`. Unset:
    /// the socket's peer is the client, whatever headers it sends.
    #[arg(long = "trusted-proxies", env = "TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// DNS server (`ip:port`) for the offline form's MX check; default: the system's.
    #[arg(long = "dns-server", env = "DNS_SERVER")]
    pub dns_server: Option<std::net::SocketAddr>,
    /// `GET /metrics` answers only `Authorization: Bearer <this>` (401 otherwise). Unset: open.
    #[arg(long = "metrics-token", env = "METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// `ip:port` serving `/metrics` (and `/health`) apart from the API, which then has no
    /// `/metrics`. Unset: `/metrics` is on the main port.
    #[arg(long = "metrics-bind", env = "METRICS_BIND")]
    pub metrics_bind: Option<std::net::SocketAddr>,
    /// `json`: one JSON object per log line, for machines; `text` (default): for people.
    #[arg(long = "log-format", env = "LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A URL as it may be logged: a password in it becomes `***`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => url.to_string(),
    }
}

impl Config {
    pub fn root_url(&self) -> String {
        self.root_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}", self.port))
    }

    pub fn serve_limits(&self) -> crate::http::serve::Limits {
        let secs = |s: u64| std::time::Duration::from_secs(s.max(1));
        crate::http::serve::Limits {
            header: secs(self.http_header_timeout),
            body: secs(self.http_body_timeout),
            idle: secs(self.http_idle_timeout),
            max_connections: match self.max_connections {
                0 => crate::http::serve::auto_max_connections(),
                n => n,
            },
        }
    }

    pub fn pool_settings(&self) -> crate::store::postgres::PoolSettings {
        crate::store::postgres::PoolSettings {
            max: self.database_pool_max,
            min: self.database_pool_min,
            acquire_timeout: std::time::Duration::from_secs(self.database_acquire_timeout),
        }
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
            database_pool_max: 8,
            database_pool_min: 0,
            database_acquire_timeout: 30,
            admin_username: None,
            admin_pass: None,
            admin_email: None,
            test_mode: true,
            bcrypt_cost: 4,
            livechat_widget_dir: "no-widget-in-tests".into(),
            agent_app_dir: "no-agent-app-in-tests".into(),
            file_upload_path: None,
            nats_url: None,
            nats_subject_prefix: "ferrochat".into(),
            instance_id: None,
            presence_timeout: 30,
            business_hours_tick_ms: 100,
            outbox_retry_base_ms: 50,
            outbox_retry_max_ms: 400,
            outbox_poll_ms: 1_000,
            mail_max_attempts: 20,
            outbox_stuck_seconds: 900,
            http_header_timeout: 10,
            http_body_timeout: 30,
            http_idle_timeout: 60,
            max_connections: 0,
            dns_server: None,
            trusted_proxies: None,
            metrics_token: None,
            metrics_bind: None,
            log_format: LogFormat::Text,
        }
    }
}
