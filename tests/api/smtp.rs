//! A real SMTP server for the email tests: mailin-embedded on a loopback port, collecting
//! what it receives and answering 550 for addresses a test rejects.
//!
//! Closeloop talks to it through a front port that a test can switch: `up` forwards to
//! the server, `down` listens on nothing (connection refused), `silent` accepts and never
//! says a word (the fault a deadline must catch). The front only moves bytes; all of SMTP
//! is the real server's.

use std::collections::HashSet;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use mailin_embedded::{Handler, Response, Server, SslConfig, response};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The raw message: headers, a blank line, the body.
    pub data: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Up,
    Down,
    Silent,
}

pub struct SmtpServer {
    /// What Closeloop connects to.
    pub addr: SocketAddr,
    backend: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    rejected: Arc<Mutex<HashSet<String>>>,
    front: Mutex<Option<JoinHandle<()>>>,
}

impl SmtpServer {
    /// A server that is up.
    pub async fn start() -> SmtpServer {
        let server = SmtpServer::start_in(Mode::Down).await;
        server.set(Mode::Up).await;
        server
    }

    /// A server whose front is in `mode`.
    pub async fn start_in(mode: Mode) -> SmtpServer {
        let received = Arc::new(Mutex::new(Vec::new()));
        let rejected = Arc::new(Mutex::new(HashSet::new()));
        let backend = run_mailin(Collector {
            received: received.clone(),
            rejected: rejected.clone(),
            current: None,
        });
        let addr = TcpListener::bind("127.0.0.1:0")
            .await
            .and_then(|l| l.local_addr())
            .expect("free port");
        let server = SmtpServer {
            addr,
            backend,
            received,
            rejected,
            front: Mutex::new(None),
        };
        server.set(mode).await;
        server
    }

    /// `smtp://127.0.0.1:PORT`: plain SMTP, as a local relay speaks it.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Switches the front; connections of the previous mode are cut.
    pub async fn set(&self, mode: Mode) {
        let previous = self.lock_front().take();
        if let Some(previous) = previous {
            previous.abort();
            let _ = previous.await;
        }
        if mode == Mode::Down {
            return;
        }
        let listener = TcpListener::bind(self.addr)
            .await
            .expect("the front port is free again");
        let backend = self.backend;
        *self.lock_front() = Some(tokio::spawn(front(listener, mode, backend)));
    }

    /// RCPT TO this address is answered `550 Mailbox unavailable`.
    pub fn reject(&self, address: &str) {
        self.rejected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(address.to_owned());
    }

    pub fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn lock_front(&self) -> std::sync::MutexGuard<'_, Option<JoinHandle<()>>> {
        self.front.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(front) = self.lock_front().take() {
            front.abort();
        }
    }
}

/// Accepts on the front; the connections live in the task's set, so aborting the task
/// closes them all.
async fn front(listener: TcpListener, mode: Mode, backend: SocketAddr) {
    let mut connections = JoinSet::new();
    let mut silent = Vec::new();
    while let Ok((client, _)) = listener.accept().await {
        match mode {
            Mode::Silent => silent.push(client),
            _ => {
                connections.spawn(forward(client, backend));
            }
        }
    }
}

async fn forward(mut client: TcpStream, backend: SocketAddr) -> io::Result<()> {
    let mut server = TcpStream::connect(backend).await?;
    tokio::io::copy_bidirectional(&mut client, &mut server).await?;
    Ok(())
}

/// Starts mailin on its own port in a thread of its own (it blocks), for the test process.
fn run_mailin(handler: Collector) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("mailin port");
    let addr = listener.local_addr().expect("mailin address");
    let mut server = Server::new(handler);
    server
        .with_name("mailin.test")
        .with_num_threads(16)
        .with_tcp_listener(listener);
    server.with_ssl(SslConfig::None).expect("no TLS");
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    addr
}

#[derive(Clone)]
struct Collector {
    received: Arc<Mutex<Vec<Received>>>,
    rejected: Arc<Mutex<HashSet<String>>>,
    current: Option<Received>,
}

impl Handler for Collector {
    fn rcpt(&mut self, to: &str) -> Response {
        let address = to.trim_matches(['<', '>']);
        if self
            .rejected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(address)
        {
            response::NO_MAILBOX
        } else {
            response::OK
        }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        let to = to
            .iter()
            .map(|t| t.trim_matches(['<', '>']).to_owned())
            .collect();
        self.current = Some(Received {
            from: from.trim_matches(['<', '>']).to_owned(),
            to,
            data: String::new(),
        });
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> io::Result<()> {
        if let Some(current) = &mut self.current {
            current.data.push_str(&String::from_utf8_lossy(buf));
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(message) = self.current.take() {
            self.received
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(message);
        }
        response::OK
    }
}

/// The value of the first header `name` of a raw message (folded lines unfolded).
pub fn header(data: &str, name: &str) -> Option<String> {
    let head = data.split("\r\n\r\n").next().unwrap_or(data);
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// Every header name of a raw message's top-level head, in order.
pub fn header_names(data: &str) -> Vec<String> {
    let head = data.split("\r\n\r\n").next().unwrap_or(data);
    head.lines()
        .filter(|line| !line.starts_with([' ', '\t']))
        .filter_map(|line| line.split_once(':').map(|(key, _)| key.to_owned()))
        .collect()
}

/// The message with quoted-printable soft breaks and escapes undone, for reading bodies.
pub fn decoded(data: &str) -> String {
    let joined = data.replace("=\r\n", "");
    let mut out = Vec::with_capacity(joined.len());
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
