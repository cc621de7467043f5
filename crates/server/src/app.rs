//! Builds the state (store, clock, settings, domain) and the router, and serves it.

use crate::config::Config;
use crate::domain::Livechat;
use crate::error::{Error, Result};
use crate::http::{self, AppState};
use crate::store::SharedStore;
use crate::store::postgres::{PgStore, PoolSettings};
use crate::store::sqlite::SqliteStore;
use crate::time::{SharedClock, SystemClock};
use axum::Router;
use std::sync::Arc;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub struct App {
    pub state: AppState,
    pub router: Router,
    /// `/metrics` and `/health` alone, to serve on `METRICS_BIND` (then not on `router`).
    pub metrics_router: Option<Router>,
    /// Timeouts and the connection cap `serve` applies.
    pub limits: crate::http::serve::Limits,
}

pub async fn open_store(url: &str) -> Result<SharedStore> {
    open_store_with(url, &PoolSettings::default()).await
}

/// `sqlite:` URLs open the embedded store; `postgres://` (or `postgresql://`) URLs the
/// shared PostgreSQL store with the given pool settings.
pub async fn open_store_with(url: &str, pool: &PoolSettings) -> Result<SharedStore> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url, pool).await?))
    } else {
        Err(Error::internal(format!(
            "unsupported DATABASE_URL {:?}: use sqlite://path, sqlite::memory: or postgres://user@host/db",
            crate::config::redact_url(url)
        )))
    }
}

pub async fn build(config: &Config, clock: Option<SharedClock>) -> Result<App> {
    let store = open_store_with(&config.database_url, &config.pool_settings()).await?;
    build_on(config, clock, store).await
}

/// The event bus: NATS when `NATS_URL` is set, else in-process.
pub async fn open_bus(config: &Config, instance: &str) -> Result<crate::bus::SharedBus> {
    const CAPACITY: usize = 65_536;
    Ok(match &config.nats_url {
        Some(url) => {
            crate::bus::nats::NatsBus::connect(url, &config.nats_subject_prefix, instance, CAPACITY)
                .await
                .map_err(Error::internal)?
        }
        None => Arc::new(crate::bus::LocalBus::new(CAPACITY)),
    })
}

/// An app on an already open store (several apps in one process may share one).
pub async fn build_on(
    config: &Config,
    clock: Option<SharedClock>,
    store: SharedStore,
) -> Result<App> {
    let clock = clock.unwrap_or_else(|| Arc::new(SystemClock));
    let delivery = Arc::new(crate::outbox::Delivery::new(
        crate::outbox::OutboxConfig::from_config(config),
        store.clone(),
    ));
    let mut lc = Livechat::new(store, clock, config.bcrypt_cost, delivery.clone()).await?;
    // Upstream's `Site_Url` defaults to `ROOT_URL`.
    lc.settings
        .default_to("Site_Url", serde_json::json!(config.root_url()));
    if let Some(id) = &config.instance_id {
        lc.instance = id.as_str().into();
        lc.metrics = crate::telemetry::Metrics::new(&lc.instance);
    }
    // Histogram samples are folded between scrapes (memory stays bounded when nobody scrapes).
    let metrics = Arc::downgrade(&lc.metrics);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            every.tick().await;
            match metrics.upgrade() {
                Some(m) => m.upkeep(),
                None => break,
            }
        }
    });
    let bus = open_bus(config, &lc.instance).await?;
    let lc = lc.with_bus(bus);
    tokio::spawn(crate::outbox::worker::supervise(
        lc.clone(),
        delivery.clone(),
    ));
    if let (Some(u), Some(p)) = (&config.admin_username, &config.admin_pass) {
        let email = config
            .admin_email
            .clone()
            .unwrap_or_else(|| format!("{u}@localhost.local"));
        if let Some(admin) = lc.ensure_admin(u, p, &email).await? {
            tracing::info!(username = %admin.username, "created admin user");
        }
    }
    let files: Arc<crate::files::LocalFiles> = Arc::new(
        crate::files::LocalFiles::open(config.upload_dir())
            .map_err(|e| Error::internal(format!("upload folder: {e}")))?,
    );
    // Hourly: room-less navigation history expires (room creation also skips expired
    // entries), and agents' uploads never sent go after 24 hours.
    let sweeper = lc.clone();
    let sweep_files = files.clone();
    tokio::spawn(async move {
        let hour = std::time::Duration::from_secs(3600);
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + hour, hour);
        loop {
            every.tick().await;
            if let Err(e) = sweeper.purge_expired_navigation().await {
                tracing::warn!(error = %e, "purging expired navigation history");
            }
            if let Err(e) = sweeper.remove_expired_uploads(sweep_files.as_ref()).await {
                tracing::warn!(error = %e, "removing expired uploads");
            }
        }
    });
    // Business hours open and close with the clock; the default one exists from the start.
    lc.default_business_hour().await?;
    let hours = lc.clone();
    let tick = std::time::Duration::from_millis(config.business_hours_tick_ms.max(10));
    tokio::spawn(async move {
        let mut every = tokio::time::interval(tick);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = hours.business_hours_tick().await {
                tracing::warn!(error = %e, "checking business hours");
            }
        }
    });
    let hub = crate::realtime::hub::Hub::new(lc.bus.clone());
    // Registered (first heartbeat) before serving, then kept alive by the presence job.
    lc.presence_round(
        std::time::Duration::from_secs(config.presence_timeout.max(1)),
        &[],
    )
    .await?;
    let cluster = crate::cluster::Cluster::start(
        &lc,
        &hub,
        std::time::Duration::from_secs(config.presence_timeout.max(1)),
    );
    let trusted_proxies = crate::http::proxies::TrustedProxies::parse(
        config.trusted_proxies.as_deref().unwrap_or(""),
    )
    .map_err(|e| Error::internal(format!("TRUSTED_PROXIES: {e}")))?;
    let state = AppState::new(crate::http::AppInner {
        trusted_proxies: Arc::new(trusted_proxies),
        cluster,
        lc,
        delivery,
        hub,
        limiter: Default::default(),
        test_mode: config.test_mode,
        root_url: config.root_url(),
        widget_dir: config.livechat_widget_dir.clone(),
        agent_app_dir: config.agent_app_dir.clone(),
        version: VERSION,
        files,
        metrics_token: config.metrics_token.clone().map(Into::into),
        metrics_on_main: config.metrics_bind.is_none(),
    });
    let router = http::router(state.clone());
    let metrics_router = config.metrics_bind.map(|_| {
        http::health::routes(true)
            .into_parts()
            .0
            .with_state(state.clone())
    });
    Ok(App {
        state,
        router,
        metrics_router,
        limits: config.serve_limits(),
    })
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: crate::http::serve::Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::http::serve::serve(listener, router, limits, shutdown).await
}

/// SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
