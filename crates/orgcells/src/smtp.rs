//! Mail through an SMTP relay (`--smtp-url`), with lettre. A request that sends mail only
//! queues it: one task per process delivers the queue in order, each message tried a few times
//! with a pause between, so a slow or absent relay never holds a request (GitLab delivers its
//! mail from a background job too). The queue lives in memory: what it holds when the process
//! stops is not sent, and the log says what was not.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use orgcells_service::mail::{Mail, Mailer};
use tokio::sync::mpsc;

/// Messages waiting at most; past it a message is refused (and logged by the sender).
const QUEUE: usize = 10_000;
/// Tries per message, and the pause after each failed one.
const TRIES: [Duration; 3] = [
    Duration::from_secs(1),
    Duration::from_secs(5),
    Duration::from_secs(0),
];
/// How long one exchange with the relay may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Queues mail for the relay.
#[derive(Debug)]
pub struct SmtpMailer {
    queue: mpsc::Sender<Mail>,
}

impl SmtpMailer {
    /// A mailer for the relay at `url` (`smtps://user:pass@host:465`,
    /// `smtp://host:587?tls=required`, or `smtp://host:25` unencrypted), sending as `from`;
    /// its delivering task runs on the current runtime. Refuses a URL or address it cannot
    /// read.
    pub fn start(url: &str, from: &str) -> anyhow::Result<SmtpMailer> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("--smtp-url: {e}"))?
            .timeout(Some(TIMEOUT))
            .build();
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("--mail-from {from:?}: {e}"))?;
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(deliver(transport, from, waiting));
        Ok(SmtpMailer { queue })
    }
}

impl Mailer for SmtpMailer {
    fn send(&self, mail: &Mail) -> std::io::Result<()> {
        self.queue
            .try_send(mail.clone())
            .map_err(|e| std::io::Error::other(format!("the mail queue refused it: {e}")))
    }
}

/// Sends what is queued, in order, until every sender is gone.
async fn deliver(
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    mut waiting: mpsc::Receiver<Mail>,
) {
    while let Some(mail) = waiting.recv().await {
        let message = match message(&from, &mail) {
            Ok(message) => message,
            Err(error) => {
                tracing::warn!(%error, to = %mail.to, "a message that cannot be written: not sent");
                continue;
            }
        };
        for (attempt, pause) in TRIES.iter().enumerate() {
            match transport.send(message.clone()).await {
                Ok(_) => {
                    tracing::debug!(to = %mail.to, subject = %mail.subject, "mail sent");
                    break;
                }
                Err(error) if attempt + 1 < TRIES.len() => {
                    tracing::warn!(%error, to = %mail.to, attempt, "sending mail; trying again");
                    tokio::time::sleep(*pause).await;
                }
                Err(error) => {
                    tracing::error!(%error, to = %mail.to, subject = %mail.subject, "mail not sent");
                }
            }
        }
    }
}

fn message(from: &Mailbox, mail: &Mail) -> anyhow::Result<Message> {
    Ok(Message::builder()
        .from(from.clone())
        .to(mail.to.parse()?)
        .subject(&mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())?)
}
