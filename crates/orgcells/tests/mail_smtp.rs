//! Mail through an SMTP relay (`--smtp-url`): an invitation reaches the relay as a message
//! from `--mail-from` to the invited address, after the invitation's write; a relay that is
//! down or refuses changes no answer and loses no write.

mod common;

use std::time::{Duration, Instant};

use common::{TestApp, unique};
use orgcells::Config;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// One message as the relay received it.
#[derive(Debug)]
struct Received {
    from: String,
    to: Vec<String>,
    data: String,
}

/// A relay on a free loopback port that speaks just enough SMTP; each message it takes comes
/// out of the receiver. With `refuse`, it answers every recipient with 550.
async fn relay(refuse: bool) -> (String, mpsc::UnboundedReceiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let (sender, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let sender = sender.clone();
            tokio::spawn(async move {
                let (reader, mut writer) = stream.into_split();
                let mut lines = BufReader::new(reader).lines();
                let mut message = Received {
                    from: String::new(),
                    to: Vec::new(),
                    data: String::new(),
                };
                let _ = writer.write_all(b"220 relay.test ESMTP\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let answer: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                        b"250 relay.test\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        message.from = line[10..].trim().to_owned();
                        b"250 OK\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        if refuse {
                            b"550 no such mailbox\r\n"
                        } else {
                            message.to.push(line[8..].trim().to_owned());
                            b"250 OK\r\n"
                        }
                    } else if upper == "DATA" {
                        let _ = writer.write_all(b"354 go on\r\n").await;
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            message.data.push_str(&line);
                            message.data.push('\n');
                        }
                        let taken = std::mem::replace(
                            &mut message,
                            Received {
                                from: String::new(),
                                to: Vec::new(),
                                data: String::new(),
                            },
                        );
                        let _ = sender.send(taken);
                        b"250 queued\r\n"
                    } else if upper == "QUIT" {
                        let _ = writer.write_all(b"221 bye\r\n").await;
                        break;
                    } else if upper == "RSET" || upper == "NOOP" {
                        b"250 OK\r\n"
                    } else {
                        b"502 not here\r\n"
                    };
                    if writer.write_all(answer).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    (format!("smtp://{address}"), received)
}

fn through(url: String) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        config.smtp_url = Some(url);
        config.mail_from = Some("GitLab <gitlab@orgcells.test>".into());
    }
}

async fn invite(app: &TestApp, email: &str) {
    let (group, _) = app.group(None, "private", None).await;
    let answer = app
        .post(
            app.admin(),
            &format!("/groups/{group}/invitations"),
            json!({"email": email, "access_level": 30}),
        )
        .await
        .expect(201);
    assert_eq!(answer.body, json!({"status": "success"}));
    // The invitation is written whatever the relay does.
    let pending = app
        .get(app.admin(), &format!("/groups/{group}/invitations"))
        .await
        .expect(200);
    assert_eq!(pending.body[0]["invite_email"], email);
}

async fn invitations_reach_the_relay(
    app: &TestApp,
    mut received: mpsc::UnboundedReceiver<Received>,
) {
    let email = format!("{}@example.com", unique("sasha"));
    invite(app, &email).await;
    let message = tokio::time::timeout(Duration::from_secs(30), received.recv())
        .await
        .expect("the relay got a message within 30 s")
        .expect("a message");
    // Quoted-printable lines end in `=` where they were cut.
    let text = message.data.replace("=\n", "");
    assert_eq!(message.from, "<gitlab@orgcells.test>");
    assert_eq!(message.to, vec![format!("<{email}>")]);
    for expected in [
        format!("To: {email}"),
        "From: GitLab <gitlab@orgcells.test>".to_owned(),
        "Subject: Invitation to".to_owned(),
        "within 30 days".to_owned(),
    ] {
        assert!(text.contains(&expected), "{expected} in {text}");
    }
}

/// A relay that refuses, and one that is not there: the answers and writes are as ever.
async fn a_failing_relay_loses_no_write(
    app: &TestApp,
    mut received: mpsc::UnboundedReceiver<Received>,
) {
    let started = Instant::now();
    invite(app, &format!("{}@example.com", unique("nobody"))).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the request waited for the relay"
    );
    // Nothing was accepted by the refusing relay.
    assert!(
        tokio::time::timeout(Duration::from_millis(500), received.recv())
            .await
            .is_err()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite() {
    let (url, received) = relay(false).await;
    let app = TestApp::sqlite_with(through(url)).await;
    invitations_reach_the_relay(&app, received).await;
    app.finish().await;
    let (url, received) = relay(true).await;
    let app = TestApp::sqlite_with(through(url)).await;
    a_failing_relay_loses_no_write(&app, received).await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres() {
    let (url, received) = relay(false).await;
    if let Some(app) = TestApp::postgres_with(through(url)).await {
        invitations_reach_the_relay(&app, received).await;
        app.finish().await;
    }
    // A relay where no one listens: a port bound and let go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let (_, received) = relay(true).await;
    if let Some(app) = TestApp::postgres_with(through(format!("smtp://127.0.0.1:{port}"))).await {
        a_failing_relay_loses_no_write(&app, received).await;
        app.finish().await;
    }
}
