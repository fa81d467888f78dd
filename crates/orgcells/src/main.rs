//! The `orgcells` binary: `serve`, `cell`, `router`, `topology`, `cluster`, `config`, `migrate`,
//! `generate`, `admin create`. Every
//! setting is in [`orgcells::options::Options`].

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use orgcells::options::{LogFormat, Options};
use orgcells::{Config, redact_url};
use tracing_subscriber::EnvFilter;

/// mimalloc: a request allocates and frees many small strings across threads, where glibc's
/// malloc showed ~20% of the server's profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "orgcells",
    version,
    about = "GitLab's Organization layer for Cells"
)]
struct Cli {
    /// A TOML file of settings, keys named as the flags (`listen = "0.0.0.0:8080"`); flags and
    /// the environment win over it.
    #[arg(
        long = "config",
        env = "ORGCELLS_CONFIG",
        value_name = "FILE",
        global = true
    )]
    config_file: Option<PathBuf>,
    #[command(flatten)]
    options: Options,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (migrates and bootstraps first).
    Serve,
    /// Serve one Cell of a cluster: the API over the Cell's own database, its claims taken in
    /// the topology service at `--topology-url`.
    Cell {
        /// The Cell's id, as the topology service knows it.
        #[arg(long)]
        id: u16,
    },
    /// Run a cluster's router: every request to the Cell that owns it. It serves on `--listen`
    /// and reads the Cells from the topology service at `--topology-url`. Give it the router's
    /// credential as its `--cluster-secret` (it lists Cells and classifies, nothing more).
    Router {
        /// Print the router's credential, derived from the cluster secret given, and exit.
        #[arg(long)]
        print_credential: bool,
    },
    /// Run a whole cluster on this machine: a topology service, a router on `--listen` and
    /// `--cells` Cells, each a child process with its own database, restarted when it dies.
    /// Writes `cluster.json` in the data directory.
    Cluster {
        /// How many Cells.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=64))]
        cells: u16,
    },
    /// Print the effective configuration (flags, environment, file, defaults) as TOML, secrets
    /// redacted.
    Config,
    /// Apply the database migrations and exit.
    Migrate,
    /// Fill the Cell with generated data shaped by the seeds (for benchmarks).
    Generate {
        #[arg(long, value_enum, default_value_t = orgcells::generate::Scale::Small)]
        scale: orgcells::generate::Scale,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Run the topology service of a cluster on its own (gRPC): the Cells, the claims on every
    /// globally unique value, classification.
    /// It serves on `--listen` [default here: 127.0.0.1:9090] and needs `--cluster-secret`.
    Topology {
        /// `sqlite://...` or `postgres://...` [default: topology.db in the data directory].
        #[arg(long, env = "ORGCELLS_TOPOLOGY_DATABASE_URL", hide_env_values = true)]
        topology_database_url: Option<String>,
        /// A Cell of the cluster, `ID,NAME,ADDRESS,SESSION_PREFIX` (repeat for each).
        #[arg(long = "cell", value_parser = orgcells::topology::parse_cell)]
        cells: Vec<orgcells_store::topology::CellRow>,
    },
    /// Instance administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The Organizations of a running cluster.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Move an Organization to another Cell, through the cluster's admin API (the admin token
    /// is `ORGCELLS_ADMIN_TOKEN`), and follow the move to its end.
    Move {
        /// The Organization, by id or path.
        org: String,
        /// The Cell it moves to.
        #[arg(long, required_unless_present_any = ["resume", "rollback"])]
        to: Option<u16>,
        /// Go on with a move that failed.
        #[arg(long, conflicts_with_all = ["to", "rollback"])]
        resume: bool,
        /// Give up a move that failed before its switch.
        #[arg(long, conflicts_with_all = ["to", "resume"])]
        rollback: bool,
        /// The cluster's address: its router [default: http://LISTEN].
        #[arg(long)]
        url: Option<String>,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an instance admin and print a personal access token for them.
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long, env = "ORGCELLS_NEW_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
}

/// Creates what is missing of the Default Organization and root, printing root's new token.
async fn bootstrap(service: &orgcells_service::Service, config: &Config) -> anyhow::Result<()> {
    if let Some(root_token) = service
        .bootstrap(&config.admin)
        .await
        .map_err(|e| anyhow::anyhow!("bootstrap: {e}"))?
    {
        println!(
            "Created the admin user root. Its personal access token (shown once): {root_token}"
        );
    }
    Ok(())
}

fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_env("ORGCELLS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}

/// A signal to stop, or (for a part started by `orgcells cluster`) its parent gone: the
/// parent holds the write end of this process's stdin, which closes however the parent ends,
/// SIGKILL included, so no part outlives its cluster.
async fn shutdown_signal() {
    if std::env::var_os(orgcells::cluster::EXIT_WITH_PARENT).is_some() {
        tokio::select! {
            () = stop_signal() => {},
            () = orgcells::cluster::parent_gone() => {
                tracing::info!("the cluster that started this part is gone; stopping");
            },
        }
    } else {
        stop_signal().await;
    }
}

async fn stop_signal() {
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
    let options = cli.options.with_file(cli.config_file.as_deref())?;
    let config = options.config();
    init_logs(options.log_format());
    match cli.command {
        Command::Serve => {
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
        Command::Cell { id } => {
            let config = Config {
                cell: orgcells_core::ids::CellId(id),
                ..config
            };
            if id == 0 {
                anyhow::bail!("a Cell's id is from 1 to 65535");
            }
            if config.topology_url.is_none() {
                anyhow::bail!(
                    "a Cell of a cluster needs --topology-url (ORGCELLS_TOPOLOGY_URL); `orgcells serve` runs a Cell on its own"
                );
            }
            let running = orgcells::start(&config).await?;
            tracing::info!(addr = %running.addr, cell = id, database = %redact_url(&config.database_url()?), "cell {id} is serving on http://{}", running.addr);
            running.wait(shutdown_signal()).await?;
            tracing::info!("stopped");
        }
        Command::Router {
            print_credential: true,
        } => {
            let secret =
                orgcells_topology::ClusterSecret::new(config.cluster_secret.as_deref().context(
                    "--print-credential needs --cluster-secret (ORGCELLS_CLUSTER_SECRET)",
                )?)
                .context("the cluster secret has at least 16 characters")?;
            println!("{}", secret.for_router().reveal());
        }
        Command::Router {
            print_credential: false,
        } => {
            let topology_url = config
                .topology_url
                .as_deref()
                .context("the router needs --topology-url (ORGCELLS_TOPOLOGY_URL)")?;
            let secret = orgcells_topology::ClusterSecret::new(
                config
                    .cluster_secret
                    .as_deref()
                    .context("the router needs --cluster-secret (ORGCELLS_CLUSTER_SECRET)")?,
            )
            .context("the cluster secret has at least 16 characters")?;
            let mut router = orgcells_router::RouterConfig::new(topology_url, secret);
            router.upstream_timeout = config.upstream_timeout;
            router.external_url = config.external_url.clone();
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("binding {}", config.listen))?;
            let running = orgcells_router::start(listener, &router).await?;
            tracing::info!(addr = %running.addr, topology = topology_url, "the router is serving on http://{}", running.addr);
            running.wait(shutdown_signal()).await?;
            tracing::info!("stopped");
        }
        Command::Cluster { cells } => {
            orgcells::cluster::run(&config, &options, cells, shutdown_signal()).await?;
        }
        Command::Org {
            command:
                OrgCommand::Move {
                    org,
                    to,
                    resume,
                    rollback,
                    url,
                },
        } => {
            let token = config.admin.token.as_deref().context(
                "moving an Organization needs the admin's token in ORGCELLS_ADMIN_TOKEN",
            )?;
            let url = url.unwrap_or_else(|| format!("http://{}", config.listen));
            let action = match (to, resume, rollback) {
                (Some(cell), false, false) => orgcells::org_move::Action::To(cell),
                (None, true, false) => orgcells::org_move::Action::Resume,
                (None, false, true) => orgcells::org_move::Action::RollBack,
                _ => anyhow::bail!("give one of --to, --resume or --rollback"),
            };
            let answer = orgcells::org_move::run(&url, token, &org, action).await?;
            println!("{answer}");
        }
        Command::Config => print!("{}", options.describe()),
        Command::Topology {
            topology_database_url,
            cells,
        } => {
            let secret = config
                .cluster_secret
                .as_deref()
                .context("the topology service needs --cluster-secret (ORGCELLS_CLUSTER_SECRET)")?;
            let secret = orgcells_topology::ClusterSecret::new(secret)
                .context("the cluster secret has at least 16 characters")?;
            let listen = options
                .listen
                .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 9090)));
            let database_url = match topology_database_url {
                Some(url) => url,
                None => {
                    std::fs::create_dir_all(&config.data_dir)?;
                    format!(
                        "sqlite://{}?mode=rwc",
                        config.data_dir.join("topology.db").display()
                    )
                }
            };
            let topology = orgcells::topology::TopologyConfig {
                listen,
                database_url: database_url.clone(),
                cells,
                secret,
            };
            let running = orgcells::topology::start(&topology).await?;
            tracing::info!(addr = %running.addr, database = %redact_url(&database_url), "the topology service is serving gRPC on {}", running.addr);
            running.wait(shutdown_signal()).await?;
            tracing::info!("stopped");
        }
        Command::Generate { scale, seed } => {
            let db = orgcells::open_database(&config).await?;
            let lock = orgcells::lock_cell(&config, &db).await?;
            bootstrap(&orgcells::service(&db, &config)?, &config).await?;
            orgcells::generate::generate(&db, scale, seed).await?;
            lock.release().await;
            db.close().await;
        }
        Command::Migrate => {
            let db = orgcells::open_database(&config).await?;
            db.close().await;
            println!("migrated {}", redact_url(&config.database_url()?));
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    username,
                    email,
                    name,
                    password,
                },
        } => {
            let db = orgcells::open_database(&config).await?;
            let service = orgcells::service(&db, &config)?;
            bootstrap(&service, &config).await?;
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
