//! The binary's command line: `--version`, and `config` showing where each setting comes from
//! (flag over environment over file over default) with secrets redacted.

use std::process::{Command, Output};

fn orgcells(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_orgcells"))
        .env_clear()
        .envs(env.iter().copied())
        .args(args)
        .output()
        .expect("run orgcells")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).expect("utf-8")
}

#[test]
fn version() {
    let output = orgcells(&["--version"], &[]);
    assert_eq!(
        stdout(&output),
        format!("orgcells {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn config_merges_flags_environment_and_file_and_hides_secrets() {
    let file = std::env::temp_dir().join(format!("orgcells-cli-{}.toml", std::process::id()));
    std::fs::write(
        &file,
        "listen = \"0.0.0.0:9000\"\ncell-id = 5\ndata-dir = \"/srv/from-file\"\n\
         admin-password = \"file-secret-password\"\nmonitoring-allowlist = \"10.0.0.0/8\"\n",
    )
    .expect("config file");
    let path = file.to_string_lossy().into_owned();
    let output = orgcells(
        &["config", "--config", &path, "--cell-id", "7"],
        &[
            ("ORGCELLS_DATA_DIR", "/srv/from-env"),
            ("ORGCELLS_ADMIN_TOKEN", "glpat-env-secret-token"),
            ("DATABASE_URL", "postgres://app:env-secret-db@db/orgcells"),
        ],
    );
    let _ = std::fs::remove_file(&file);
    let text = stdout(&output);
    for expected in [
        "listen = \"0.0.0.0:9000\"",           // file
        "data-dir = \"/srv/from-env\"",        // environment over file
        "cell-id = 7",                         // flag over file
        "allow-organization-creation = false", // default
        "monitoring-allowlist = \"10.0.0.0/8\"",
        "admin-token = \"[redacted]\"",
        "admin-password = \"[redacted]\"",
        "database-url = \"postgres://app:[redacted]@db/orgcells\"",
        "log-format = \"json\"",                // not a terminal
        "organization-retention = \"604800s\"", // default: 7 days
    ] {
        assert!(text.contains(expected), "{expected} not in\n{text}");
    }
    for secret in [
        "file-secret-password",
        "glpat-env-secret-token",
        "env-secret-db",
    ] {
        assert!(!text.contains(secret), "{secret} in\n{text}");
    }
}

#[test]
fn a_bad_setting_is_refused_with_its_name() {
    let output = orgcells(
        &["config"],
        &[("ORGCELLS_MONITORING_ALLOWLIST", "not-a-network")],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("monitoring-allowlist"), "{stderr}");
}
