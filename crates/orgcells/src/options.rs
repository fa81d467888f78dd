//! Every setting in one typed place. Each is a flag, an environment variable and a key of the
//! optional TOML file (`--config FILE`), the key named as the flag (`data-dir = "/srv/data"`),
//! and documented once, on its field here (`orgcells --help` shows it). A flag wins over the
//! environment, the environment over the file, the file over the default.

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::ValueEnum;
use orgcells_api::Allowlist;
use orgcells_core::ids::CellId;
use orgcells_service::bootstrap::AdminSetup;

use crate::{Config, redact_url};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For people: one readable line per event.
    Text,
    /// For machines: one JSON object per line, its fields at the top level.
    Json,
}

impl LogFormat {
    pub fn name(self) -> &'static str {
        match self {
            LogFormat::Text => "text",
            LogFormat::Json => "json",
        }
    }
}

/// The settings, each unset until a flag, the environment or the file sets it. (No `Debug`:
/// it holds secrets; [`Options::describe`] shows them redacted.)
#[derive(Default, clap::Args, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Options {
    /// Address to serve on [default: 127.0.0.1:8080].
    #[arg(long, env = "ORGCELLS_LISTEN", global = true)]
    pub listen: Option<SocketAddr>,
    /// Directory of the SQLite file, used when no database URL is given [default: data].
    #[arg(long, env = "ORGCELLS_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `postgres://...` to use PostgreSQL, or `sqlite://...` [default: orgcells.db in the data
    /// directory]. Its password is never printed.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, global = true)]
    pub database_url: Option<String>,
    /// Base URL of every `web_url` and `Link` [default: http://<listen>].
    #[arg(long, env = "ORGCELLS_EXTERNAL_URL", global = true)]
    pub external_url: Option<String>,
    /// This Cell's id: primary keys come from its range [default: 1].
    #[arg(long, env = "ORGCELLS_CELL_ID", global = true)]
    pub cell_id: Option<u16>,
    /// On first start, the personal access token of root (scope api, no expiry) [default: one
    /// is generated and printed once].
    #[arg(
        long,
        env = "ORGCELLS_ADMIN_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub admin_token: Option<String>,
    /// On first start, root's password [default: none].
    #[arg(
        long,
        env = "ORGCELLS_ADMIN_PASSWORD",
        hide_env_values = true,
        global = true
    )]
    pub admin_password: Option<String>,
    /// Let every User create Organizations (a SaaS-style install) [default: false: admins only].
    #[arg(
        long,
        env = "ORGCELLS_ALLOW_ORGANIZATION_CREATION",
        global = true,
        num_args = 0..=1,
        default_missing_value = "true",
        value_parser = clap::builder::BoolishValueParser::new(),
    )]
    pub allow_organization_creation: Option<bool>,
    /// Client addresses (comma-separated CIDRs or IPs) that may reach `/-/health`,
    /// `/-/liveness`, `/-/readiness` and `/-/metrics`; others get 404 [default:
    /// 127.0.0.0/8,::1/128].
    #[arg(long, env = "ORGCELLS_MONITORING_ALLOWLIST", global = true)]
    pub monitoring_allowlist: Option<Allowlist>,
    /// Log format [default: text when stderr is a terminal, json otherwise]. Filter what is
    /// logged with `ORGCELLS_LOG` (e.g. `debug`, `warn,orgcells::request=info`).
    #[arg(long, env = "ORGCELLS_LOG_FORMAT", value_enum, global = true)]
    pub log_format: Option<LogFormat>,
    /// The topology service of the cluster this Cell belongs to (`http://host:port`): its
    /// claims on usernames, emails and paths are taken there [default: none, a Cell on its
    /// own].
    #[arg(long, env = "ORGCELLS_TOPOLOGY_URL", global = true)]
    pub topology_url: Option<String>,
    /// The secret every part of a cluster presents to the others (16 characters or more).
    #[arg(
        long,
        env = "ORGCELLS_CLUSTER_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub cluster_secret: Option<String>,
    /// How old a lease of this Cell gets before the reconciler rolls it back when no committed
    /// write noted it: seconds, or a number with `s`, `m` or `h` [default: 10m].
    #[arg(long, env = "ORGCELLS_LEASE_STALE_AFTER", global = true)]
    pub lease_stale_after: Option<Span>,
    /// How long a router waits for a Cell's answer before it answers 504 [default: 10s,
    /// GitLab's]; a Cell waits half of it for the topology service before it answers 503.
    #[arg(long, env = "ORGCELLS_UPSTREAM_TIMEOUT", global = true)]
    pub upstream_timeout: Option<Span>,
    /// How long a soft-deleted Organization may be restored before it is deleted for good
    /// [default: 7d].
    #[arg(long, env = "ORGCELLS_ORGANIZATION_RETENTION", global = true)]
    pub organization_retention: Option<Span>,
    /// The SMTP relay that sends the service's mail (invitations): `smtps://user:pass@host`
    /// (TLS, port 465), `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtp://host:25`
    /// (unencrypted, for a relay on the same host). Its password is never printed [default:
    /// none: mail is written to <data dir>/mail/outbox.jsonl].
    #[arg(long, env = "ORGCELLS_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,
    /// The sender of the service's mail: `Name <address>` or an address [default:
    /// orgcells@<host of the external URL>].
    #[arg(long, env = "ORGCELLS_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,
}

/// A length of time: seconds, or a number with `ms`, `s`, `m`, `h` or `d` (`600`, `250ms`,
/// `90s`, `10m`, `1h`, `7d`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(try_from = "String")]
pub struct Span(pub std::time::Duration);

impl std::str::FromStr for Span {
    type Err = String;

    fn from_str(text: &str) -> Result<Span, String> {
        let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
            Some(at) => text.split_at(at),
            None => (text, "s"),
        };
        let millis = match unit {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => {
                return Err(format!(
                    "{text:?}: a number of seconds, or with ms, s, m, h or d"
                ));
            }
        };
        number
            .parse::<u64>()
            .ok()
            .and_then(|n| n.checked_mul(millis))
            .map(|millis| Span(std::time::Duration::from_millis(millis)))
            .ok_or_else(|| format!("{text:?}: a number of seconds, or with ms, s, m, h or d"))
    }
}

impl TryFrom<String> for Span {
    type Error = String;

    fn try_from(text: String) -> Result<Span, String> {
        text.parse()
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.subsec_millis() == 0 {
            write!(f, "{}s", self.0.as_secs())
        } else {
            write!(f, "{}ms", self.0.as_millis())
        }
    }
}

impl Options {
    /// These options, each unset one taken from the TOML file at `path` when there is one.
    pub fn with_file(self, path: Option<&Path>) -> anyhow::Result<Options> {
        let Some(path) = path else {
            return Ok(self);
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the configuration file {}", path.display()))?;
        let file: Options = toml::from_str(&text)
            .with_context(|| format!("in the configuration file {}", path.display()))?;
        Ok(self.over(file))
    }

    fn over(self, file: Options) -> Options {
        Options {
            listen: self.listen.or(file.listen),
            data_dir: self.data_dir.or(file.data_dir),
            database_url: self.database_url.or(file.database_url),
            external_url: self.external_url.or(file.external_url),
            cell_id: self.cell_id.or(file.cell_id),
            admin_token: self.admin_token.or(file.admin_token),
            admin_password: self.admin_password.or(file.admin_password),
            allow_organization_creation: self
                .allow_organization_creation
                .or(file.allow_organization_creation),
            monitoring_allowlist: self.monitoring_allowlist.or(file.monitoring_allowlist),
            log_format: self.log_format.or(file.log_format),
            topology_url: self.topology_url.or(file.topology_url),
            cluster_secret: self.cluster_secret.or(file.cluster_secret),
            lease_stale_after: self.lease_stale_after.or(file.lease_stale_after),
            upstream_timeout: self.upstream_timeout.or(file.upstream_timeout),
            organization_retention: self.organization_retention.or(file.organization_retention),
            smtp_url: self.smtp_url.or(file.smtp_url),
            mail_from: self.mail_from.or(file.mail_from),
        }
    }

    pub fn log_format(&self) -> LogFormat {
        self.log_format.unwrap_or_else(|| {
            if std::io::stderr().is_terminal() {
                LogFormat::Text
            } else {
                LogFormat::Json
            }
        })
    }

    /// The configuration these options give, defaults filled in.
    pub fn config(&self) -> Config {
        Config {
            listen: self
                .listen
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir: self
                .data_dir
                .clone()
                .unwrap_or_else(|| PathBuf::from("data")),
            database_url: self.database_url.clone(),
            external_url: self.external_url.clone(),
            cell: CellId(self.cell_id.unwrap_or(1)),
            admin: AdminSetup {
                token: self.admin_token.clone(),
                password: self.admin_password.clone(),
            },
            allow_organization_creation: self.allow_organization_creation.unwrap_or(false),
            monitoring_allowlist: self.monitoring_allowlist.clone().unwrap_or_default(),
            topology_url: self.topology_url.clone(),
            cluster_secret: self.cluster_secret.clone(),
            lease_stale_after: self
                .lease_stale_after
                .map_or(std::time::Duration::from_secs(600), |span| span.0),
            upstream_timeout: self
                .upstream_timeout
                .map_or(std::time::Duration::from_secs(10), |span| span.0),
            organization_retention: self
                .organization_retention
                .map_or(std::time::Duration::from_secs(7 * 86_400), |span| span.0),
            smtp_url: self.smtp_url.clone(),
            mail_from: self.mail_from.clone(),
        }
    }

    /// The effective configuration as TOML (usable as a `--config` file), secrets redacted and
    /// each setting left unset shown as a comment.
    pub fn describe(&self) -> String {
        let config = self.config();
        let string = |value: &str| toml::Value::String(value.to_owned()).to_string();
        let redacted = |secret: &Option<String>| secret.as_ref().map(|_| string("[redacted]"));
        let lines = [
            ("listen", Some(string(&config.listen.to_string())), ""),
            (
                "data-dir",
                Some(string(&config.data_dir.display().to_string())),
                "",
            ),
            (
                "database-url",
                config
                    .database_url
                    .as_deref()
                    .map(|url| string(&redact_url(url))),
                "orgcells.db in the data directory",
            ),
            (
                "external-url",
                config.external_url.as_deref().map(string),
                "http://<listen>",
            ),
            ("cell-id", Some(config.cell.0.to_string()), ""),
            (
                "admin-token",
                redacted(&config.admin.token),
                "generated on first start",
            ),
            ("admin-password", redacted(&config.admin.password), "none"),
            (
                "allow-organization-creation",
                Some(config.allow_organization_creation.to_string()),
                "",
            ),
            (
                "monitoring-allowlist",
                Some(string(&config.monitoring_allowlist.to_string())),
                "",
            ),
            ("log-format", Some(string(self.log_format().name())), ""),
            (
                "topology-url",
                config.topology_url.as_deref().map(string),
                "none: a Cell on its own",
            ),
            ("cluster-secret", redacted(&config.cluster_secret), "none"),
            (
                "lease-stale-after",
                Some(string(&Span(config.lease_stale_after).to_string())),
                "",
            ),
            (
                "upstream-timeout",
                Some(string(&Span(config.upstream_timeout).to_string())),
                "",
            ),
            (
                "organization-retention",
                Some(string(&Span(config.organization_retention).to_string())),
                "",
            ),
            (
                "smtp-url",
                config
                    .smtp_url
                    .as_deref()
                    .map(|url| string(&redact_url(url))),
                "none: mail is written to <data dir>/mail/outbox.jsonl",
            ),
            ("mail-from", Some(string(&config.mail_from())), ""),
        ];
        let mut text = String::new();
        for (key, value, unset) in lines {
            let _ = match value {
                Some(value) => writeln!(text, "{key} = {value}"),
                None => writeln!(text, "# {key}: unset ({unset})"),
            };
        }
        text
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn spans_are_seconds_or_with_a_unit() {
        let cases: &[(&str, Option<u64>)] = &[
            ("600", Some(600)),
            ("90s", Some(90)),
            ("1500ms", Some(1)),
            ("10m", Some(600)),
            ("1h", Some(3600)),
            ("0", Some(0)),
            ("", None),
            ("10 m", None),
            ("7d", Some(604_800)),
            ("1w", None),
            ("-5s", None),
            ("m", None),
        ];
        for (text, seconds) in cases {
            let parsed = text.parse::<Span>().ok().map(|span| span.0.as_secs());
            assert_eq!(parsed, *seconds, "{text:?}");
        }
        for shown in ["250ms", "10s", "600s"] {
            let span: Span = shown.parse().expect("span");
            assert_eq!(span.to_string(), shown);
        }
    }
    use super::*;

    #[test]
    fn the_file_fills_what_flags_and_environment_leave_unset() {
        let file: Options = toml::from_str(
            "listen = \"0.0.0.0:9000\"\ncell-id = 7\nmonitoring-allowlist = \"10.0.0.0/8\"\nlog-format = \"json\"",
        )
        .expect("toml");
        let options = Options {
            cell_id: Some(3),
            ..Options::default()
        }
        .over(file);
        let config = options.config();
        assert_eq!(config.listen, SocketAddr::from(([0, 0, 0, 0], 9000)));
        assert_eq!(config.cell, CellId(3));
        assert_eq!(config.data_dir, PathBuf::from("data"));
        assert_eq!(config.monitoring_allowlist.to_string(), "10.0.0.0/8");
        assert_eq!(options.log_format(), LogFormat::Json);
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        assert!(toml::from_str::<Options>("lissen = \"0.0.0.0:9000\"").is_err());
    }

    #[test]
    fn describe_redacts_secrets_and_reads_back() {
        let options = Options {
            database_url: Some("postgres://app:hunter2@db/orgcells".into()),
            admin_token: Some("glpat-secret".into()),
            admin_password: Some("hunter3".into()),
            ..Options::default()
        };
        let text = options.describe();
        for secret in ["hunter2", "glpat-secret", "hunter3"] {
            assert!(!text.contains(secret), "{text}");
        }
        assert!(text.contains("database-url = \"postgres://app:[redacted]@db/orgcells\""));
        assert!(text.contains("# external-url: unset"), "{text}");
        let again: Options = toml::from_str(&text).expect("describe is a config file");
        assert_eq!(again.config().listen, options.config().listen);
    }
}
