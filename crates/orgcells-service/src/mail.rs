//! Mail the service sends (invitations): through a `Mailer`. A Cell writes its mail to a file
//! sink by default (one JSON line per message in `<data dir>/mail/outbox.jsonl`), which tests
//! and operators read; a relay (SMTP) plugs in behind the same trait.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;

/// One message.
#[derive(Debug, Clone, Serialize)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Where mail goes. Sending happens after the write that asked for it has committed; a
/// failure is logged and never undoes the write.
pub trait Mailer: Send + Sync + std::fmt::Debug {
    fn send(&self, mail: &Mail) -> std::io::Result<()>;
}

/// Appends each message as a JSON line to a file.
#[derive(Debug)]
pub struct FileMailer {
    path: PathBuf,
    /// One writer at a time, so lines never interleave.
    lock: Mutex<()>,
}

impl FileMailer {
    /// Mail to `dir/outbox.jsonl` (the directory is made when needed).
    pub fn new(dir: PathBuf) -> FileMailer {
        FileMailer {
            path: dir.join("outbox.jsonl"),
            lock: Mutex::new(()),
        }
    }
}

impl Mailer for FileMailer {
    fn send(&self, mail: &Mail) -> std::io::Result<()> {
        let _one = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = serde_json::to_vec(mail)?;
        line.push(b'\n');
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?
            .write_all(&line)
    }
}

/// Writes each message to the log only: for a service made without a mail setting.
#[derive(Debug)]
pub struct LogMailer;

impl Mailer for LogMailer {
    fn send(&self, mail: &Mail) -> std::io::Result<()> {
        tracing::info!(to = %mail.to, subject = %mail.subject, "mail (not sent: no mailer)");
        Ok(())
    }
}
