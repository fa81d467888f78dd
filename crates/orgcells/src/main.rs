//! The `orgcells` binary: `serve`, `migrate`, `admin create`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use orgcells::{Config, redact_url};
use orgcells_core::ids::CellId;
use orgcells_service::bootstrap::AdminSetup;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(
    name = "orgcells",
    version,
    about = "GitLab's Organization layer for Cells"
)]
struct Cli {
    /// Log format: text for people, json for machines.
    #[arg(long, env = "ORGCELLS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (migrates and bootstraps first).
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate(DatabaseArgs),
    /// Fill the Cell with generated data shaped by the seeds (for benchmarks).
    Generate {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long, value_enum, default_value_t = orgcells::generate::Scale::Small)]
        scale: orgcells::generate::Scale,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Instance administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an instance admin and print a personal access token for them.
    Create {
        #[command(flatten)]
        database: DatabaseArgs,
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, env = "ORGCELLS_NEW_ADMIN_PASSWORD")]
        password: Option<String>,
    },
}

#[derive(Args, Clone)]
struct DatabaseArgs {
    /// Directory of the SQLite file (when no database URL is given).
    #[arg(long, env = "ORGCELLS_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// `postgres://...` to use PostgreSQL, or `sqlite://...`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// This Cell's id: primary keys come from its range.
    #[arg(long, env = "ORGCELLS_CELL_ID", default_value_t = 1)]
    cell_id: u16,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ORGCELLS_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    #[command(flatten)]
    database: DatabaseArgs,
    /// Base URL of every `web_url` and `Link` (default: http://<listen>).
    #[arg(long, env = "ORGCELLS_EXTERNAL_URL")]
    external_url: Option<String>,
    /// On first start, the personal access token of root (scope api, no expiry).
    #[arg(long, env = "ORGCELLS_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// On first start, root's password.
    #[arg(long, env = "ORGCELLS_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: Option<String>,
    /// Let every User create Organizations (a SaaS-style install); off: admins only.
    #[arg(
        long,
        env = "ORGCELLS_ALLOW_ORGANIZATION_CREATION",
        default_value_t = false
    )]
    allow_organization_creation: bool,
}

fn config(database: &DatabaseArgs, listen: SocketAddr) -> Config {
    Config {
        listen,
        data_dir: database.data_dir.clone(),
        database_url: database.database_url.clone(),
        external_url: None,
        cell: CellId(database.cell_id),
        admin: AdminSetup::default(),
        allow_organization_creation: false,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_env("ORGCELLS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    match cli.log_format {
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init(),
    }
    match cli.command {
        Command::Serve(args) => {
            let mut config = config(&args.database, args.listen);
            config.external_url = args.external_url;
            config.admin = AdminSetup {
                token: args.admin_token,
                password: args.admin_password,
            };
            config.allow_organization_creation = args.allow_organization_creation;
            let running = orgcells::start(&config).await?;
            let url = config.database_url()?;
            tracing::info!(addr = %running.addr, database = %redact_url(&url), cell = config.cell.0, "orgcells is serving on http://{}", running.addr);
            if let Some(token) = &running.new_admin_token {
                // Shown once: it is stored only as a digest.
                println!(
                    "Created the admin user root. Its personal access token (shown once): {token}"
                );
            }
            running.wait(shutdown_signal()).await?;
            tracing::info!("stopped");
        }
        Command::Generate {
            database,
            scale,
            seed,
        } => {
            let config = config(&database, SocketAddr::from(([127, 0, 0, 1], 0)));
            let db = orgcells::open_database(&config).await?;
            let service = orgcells_service::Service::new(
                db.clone(),
                orgcells_service::Settings {
                    allow_organization_creation: false,
                },
            );
            if let Some(root_token) = service
                .bootstrap(&AdminSetup::default())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                println!(
                    "Created the admin user root. Its personal access token (shown once): {root_token}"
                );
            }
            orgcells::generate::generate(&db, scale, seed).await?;
            db.close().await;
        }
        Command::Migrate(database) => {
            let config = config(&database, SocketAddr::from(([127, 0, 0, 1], 0)));
            let db = orgcells::open_database(&config).await?;
            db.close().await;
            println!("migrated {}", redact_url(&config.database_url()?));
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    database,
                    username,
                    email,
                    name,
                    password,
                },
        } => {
            let config = config(&database, SocketAddr::from(([127, 0, 0, 1], 0)));
            let db = orgcells::open_database(&config).await?;
            let service = orgcells_service::Service::new(
                db.clone(),
                orgcells_service::Settings {
                    allow_organization_creation: false,
                },
            );
            if let Some(root_token) = service
                .bootstrap(&AdminSetup::default())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
            {
                println!(
                    "Created the admin user root. Its personal access token (shown once): {root_token}"
                );
            }
            let token = service
                .create_admin(
                    &username,
                    &email,
                    name.as_deref().unwrap_or(&username),
                    password.as_deref(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))
                .context("creating the admin")?;
            db.close().await;
            println!("Created admin {username}. Personal access token (shown once): {token}");
        }
    }
    Ok(())
}
