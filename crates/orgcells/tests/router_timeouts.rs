//! The router's timeouts, against a Cell that the test plays: an upload slower in all than the
//! upstream timeout goes through (only stalls count), a stalled upload gets a 408, an answer
//! that stalls half way is cut off instead of holding the client for ever, and a Cell that
//! reads none of an upload gets the client a 504.

mod common;

use std::time::{Duration, Instant};

use axum::body::Bytes;
use orgcells::topology::{RunningTopology, TopologyConfig, parse_cell};
use orgcells_core::ids::CellId;
use orgcells_topology::ClusterSecret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const SECRET: &str = "router-timeouts-secret-0001";
const TIMEOUT: Duration = Duration::from_secs(1);

struct Setup {
    router: std::net::SocketAddr,
    running: orgcells_router::RunningRouter,
    topology: RunningTopology,
    dir: std::path::PathBuf,
}

/// Cell 1: answers any request with the length of the body it was sent.
async fn counting_cell() -> std::net::SocketAddr {
    let app = axum::Router::new().fallback(|body: Bytes| async move { body.len().to_string() });
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// Cell 2: answers every request with a head and the first bytes of a chunked body, then
/// nothing more, holding the connection.
async fn stalling_cell() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0_u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if stream.read_exact(&mut byte).await.is_err() {
                        return;
                    }
                    head.push(byte[0]);
                }
                let _ = stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                          Transfer-Encoding: chunked\r\n\r\n9\r\n[{\"id\":1}\r\n",
                    )
                    .await;
                tokio::time::sleep(Duration::from_secs(60)).await;
            });
        }
    });
    addr
}

/// Cell 3: takes connections and reads nothing.
async fn deaf_cell() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    addr
}

async fn setup() -> Setup {
    let (counting, stalling, deaf) = (
        counting_cell().await,
        stalling_cell().await,
        deaf_cell().await,
    );
    let dir = std::env::temp_dir().join(common::unique("orgcells-router-timeouts"));
    std::fs::create_dir_all(&dir).expect("dir");
    let secret = ClusterSecret::new(SECRET).expect("secret");
    let topology = orgcells::topology::start(&TopologyConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        database_url: format!("sqlite://{}?mode=rwc", dir.join("topology.db").display()),
        cells: vec![
            parse_cell(&format!("1,cell-1,http://{counting},cell1")).expect("cell 1"),
            parse_cell(&format!("2,cell-2,http://{stalling},cell2")).expect("cell 2"),
            parse_cell(&format!("3,cell-3,http://{deaf},cell3")).expect("cell 3"),
        ],
        secret: secret.clone(),
    })
    .await
    .expect("topology");
    let mut config =
        orgcells_router::RouterConfig::new(&format!("http://{}", topology.addr), secret);
    config.upstream_timeout = TIMEOUT;
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let router = orgcells_router::start(listener, &config)
        .await
        .expect("router");
    Setup {
        router: router.addr,
        running: router,
        topology,
        dir,
    }
}

/// Sends a chunked `POST` whose chunks come `gap` apart (`None` after the first: it stalls),
/// and reads the status line and body the router answers.
async fn upload(router: std::net::SocketAddr, chunks: usize, gap: Option<Duration>) -> String {
    let mut stream = TcpStream::connect(router).await.expect("connect");
    stream
        .write_all(
            b"POST /api/v4/upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\
              Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        )
        .await
        .expect("head");
    for index in 0..chunks {
        stream.write_all(b"4\r\nabcd\r\n").await.expect("chunk");
        match gap {
            Some(gap) => tokio::time::sleep(gap).await,
            None if index == 0 => break,
            None => {}
        }
    }
    if gap.is_some() {
        stream.write_all(b"0\r\n\r\n").await.expect("end");
    }
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("an answer in bounded time")
        .expect("read");
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_stalls_time_out() {
    let setup = setup().await;
    // Wait until the router knows the Cell.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !upload(setup.router, 1, Some(Duration::ZERO))
        .await
        .starts_with("HTTP/1.1 200")
    {
        assert!(Instant::now() < deadline, "the router never knew the Cell");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Six chunks 400 ms apart: 2.4 s in all, more than the timeout, never quiet for as long.
    let slow = upload(setup.router, 6, Some(Duration::from_millis(400))).await;
    assert!(slow.starts_with("HTTP/1.1 200"), "{slow}");
    assert!(slow.ends_with("24"), "the Cell got every byte: {slow}");
    // One chunk, then nothing: a 408 once the body has been quiet for the timeout.
    let started = Instant::now();
    let stalled = upload(setup.router, 2, None).await;
    assert!(stalled.starts_with("HTTP/1.1 408"), "{stalled}");
    assert!(
        started.elapsed() < TIMEOUT * 4,
        "took {:?}",
        started.elapsed()
    );
    // An answer that stalls after its first bytes is cut off, not held open.
    let started = Instant::now();
    let mut stream = TcpStream::connect(setup.router).await.expect("connect");
    stream
        .write_all(
            format!(
                "GET /api/v4/groups/{} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n",
                CellId(2).id_range().0
            )
            .as_bytes(),
        )
        .await
        .expect("request");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the router let go in bounded time");
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("[{\"id\":1}"),
        "the first bytes came: {answer}"
    );
    assert!(
        read.is_err() || !answer.ends_with("0\r\n\r\n"),
        "the stalled answer is not passed off as whole: {answer}"
    );
    assert!(
        started.elapsed() < TIMEOUT * 4,
        "took {:?}",
        started.elapsed()
    );
    // A Cell that reads none of a large upload: a 504 in bounded time, not a hang.
    let started = Instant::now();
    let stream = TcpStream::connect(setup.router).await.expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    let head = format!(
        "PUT /api/v4/groups/{} HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\
         Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        CellId(3).id_range().0
    );
    let uploading = tokio::spawn(async move {
        writer.write_all(head.as_bytes()).await?;
        let chunk = format!("10000\r\n{}\r\n", "x".repeat(0x10000));
        // 64 MiB at most: far more than the sockets between hold.
        for _ in 0..1024 {
            writer.write_all(chunk.as_bytes()).await?;
        }
        Ok::<_, std::io::Error>(())
    });
    // The head is enough: the router may keep the connection to read the rest of the body.
    let mut answer = Vec::new();
    let read_head = async {
        let mut buffer = [0_u8; 1024];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(15), read_head)
        .await
        .expect("the router answered in bounded time");
    uploading.abort();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    assert!(answer.starts_with("HTTP/1.1 504"), "{answer}");
    assert!(
        started.elapsed() < TIMEOUT * 6,
        "took {:?}",
        started.elapsed()
    );
    setup.running.stop().await.expect("stop the router");
    setup.topology.stop().await.expect("stop");
    let _ = std::fs::remove_dir_all(&setup.dir);
}
