use clap::{Parser, Subcommand};
use ferrochat::app;
use ferrochat::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

// glibc's malloc took ~15 % of all CPU samples while visitors posted messages (its arena
// locks contended between the runtime's threads and the SQLite writer); see docs/benchmarks.md.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "ferrochat",
    version,
    about = "A live-chat server that speaks Rocket.Chat's Omnichannel Livechat API"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    config: Config,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Parse messages into Rocket.Chat's `md` AST: JSON lines `{"msg", "options"?}` on
    /// stdin, one `{"md": …}` or `{"error": …}` line per input on stdout.
    Md,
    /// Copy the SQLite database (consistent, while the server runs) to FILE, and the
    /// uploaded files to FILE.uploads/.
    Backup(ferrochat::maintenance::cli::BackupArgs),
    /// Replace DATABASE_URL's SQLite database with a backup (the server must be stopped).
    Restore(ferrochat::maintenance::cli::RestoreArgs),
    /// Copy a whole SQLite deployment into an empty PostgreSQL database.
    Migrate(ferrochat::maintenance::cli::MigrateArgs),
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Md => {
            let stdin = std::io::stdin().lock();
            let stdout = std::io::BufWriter::new(std::io::stdout().lock());
            match ferrochat_md::run_jsonl(stdin, stdout) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("ferrochat md: {e}");
                    std::process::ExitCode::FAILURE
                }
            }
        }
        Command::Backup(a) => ferrochat::maintenance::cli::backup(&cli.config, &a),
        Command::Restore(a) => ferrochat::maintenance::cli::restore(&cli.config, &a),
        Command::Migrate(a) => ferrochat::maintenance::cli::migrate(&cli.config, &a).await,
        Command::Serve => match serve(cli.config).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!("{e}");
                std::process::ExitCode::FAILURE
            }
        },
    }
}

async fn serve(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    match config.log_format {
        // One JSON object per line, with the spans (request id, route; DDP method).
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .with_ansi(false)
            .with_env_filter(filter)
            .init(),
        // Colour codes only for a person at a terminal, never into a log file or journal.
        LogFormat::Text => tracing_subscriber::fmt()
            .with_ansi(std::io::stdout().is_terminal())
            .with_env_filter(filter)
            .init(),
    }
    if let Some(n) = ferrochat::http::serve::raise_descriptor_limit() {
        tracing::debug!(descriptors = n, "descriptor limit");
    }
    let built = app::build(&config, None).await?;
    let addr = format!("{}:{}", config.bind_ip, config.port);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        root_url = %config.root_url(),
        database = %ferrochat::config::redact_url(&config.database_url),
        "ferrochat {} listening",
        app::VERSION
    );
    if let (Some(router), Some(addr)) = (built.metrics_router, config.metrics_bind) {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(address = %listener.local_addr()?, "metrics listening");
        let limits = built.limits;
        tokio::spawn(async move {
            if let Err(e) = app::serve(listener, router, limits, std::future::pending()).await {
                tracing::error!(error = %e, "metrics listener stopped");
            }
        });
    }
    app::serve(listener, built.router, built.limits, app::shutdown_signal()).await?;
    // Its agents go offline now, not after the presence timeout.
    built.state.cluster.stop();
    match built.state.lc.presence_leave().await {
        Ok(n) => tracing::info!(offline = n, "left the cluster"),
        Err(e) => tracing::warn!("could not leave the cluster cleanly: {e}"),
    }
    Ok(())
}
