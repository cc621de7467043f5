//! Real peers for the outbox tests: an SMTP server, an HTTP receiver for webhooks and a DNS
//! server answering MX queries, all in this process on loopback. Waits poll with a generous deadline; nothing sleeps to assert.

use super::helpers::TestApp;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::collections::{HashSet, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const DEADLINE: Duration = Duration::from_secs(30);

/// Polls `f` until it yields `Some`, or fails the test after the deadline.
pub async fn eventually<T, F, Fut>(what: &str, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = std::time::Instant::now();
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the outbox holds nothing pending (everything delivered or given up).
pub async fn outbox_settled(app: &TestApp) {
    eventually("the outbox to settle", || async {
        match app.store.outbox_next_due().await.unwrap() {
            None => Some(()),
            Some(_) => None,
        }
    })
    .await
}

pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// An SMTP server on loopback keeping every mail it accepts in memory: enough of RFC 5321
/// for a real client (EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT).
/// It offers no STARTTLS and no AUTH, so lettre's opportunistic TLS sends in the clear.
pub struct Smtp {
    pub port: u16,
    mails: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Smtp {
    pub async fn start() -> Smtp {
        Self::start_on(0).await
    }

    pub async fn start_on(port: u16) -> Smtp {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("SMTP sink cannot listen on {port}: {e}"));
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(smtp_session(socket, store.clone()));
            }
        });
        Smtp { port, mails, task }
    }

    /// Every mail received so far, raw (headers and body).
    pub fn mails(&self) -> Vec<String> {
        self.mails.lock().unwrap().clone()
    }

    pub async fn wait_mails(&self, n: usize) -> Vec<String> {
        eventually(&format!("{n} mail(s)"), || async {
            let m = self.mails();
            (m.len() >= n).then_some(m)
        })
        .await
    }

    /// Points the server's SMTP settings at this port.
    pub async fn configure(app: &TestApp, port: u16) {
        app.set_setting("SMTP_Host", "127.0.0.1".into()).await;
        app.set_setting("SMTP_Port", port.to_string().into()).await;
        app.set_setting("From_Email", "Support <support@ferrochat.test>".into())
            .await;
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn smtp_session(socket: tokio::net::TcpStream, mails: Arc<Mutex<Vec<String>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let (r, mut w) = socket.into_split();
    let mut lines = BufReader::new(r);
    let mut line = String::new();
    let mut sender = false;
    let mut recipients = 0;
    macro_rules! reply {
        ($s:expr) => {
            if w.write_all(concat!($s, "\r\n").as_bytes()).await.is_err() {
                return;
            }
        };
    }
    reply!("220 sink.ferrochat.test ESMTP");
    loop {
        line.clear();
        match lines.read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => reply!("250-sink.ferrochat.test\r\n250 8BITMIME"),
            "HELO" => reply!("250 sink.ferrochat.test"),
            "MAIL" => {
                sender = true;
                recipients = 0;
                reply!("250 OK");
            }
            "RCPT" if sender => {
                recipients += 1;
                reply!("250 OK");
            }
            "DATA" if recipients > 0 => {
                reply!("354 End data with <CR><LF>.<CR><LF>");
                let mut mail = String::new();
                loop {
                    line.clear();
                    match lines.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    mail.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                mails.lock().unwrap().push(mail);
                (sender, recipients) = (false, 0);
                reply!("250 OK: queued");
            }
            "RSET" => {
                (sender, recipients) = (false, 0);
                reply!("250 OK");
            }
            "NOOP" => reply!("250 OK"),
            "QUIT" => {
                reply!("221 Bye");
                return;
            }
            "RCPT" | "DATA" => reply!("503 Bad sequence of commands"),
            _ => reply!("502 Command not implemented"),
        }
    }
}

/// The decoded text of a mail's parts (quoted-printable soft breaks joined).
pub fn mail_text(raw: &str) -> String {
    raw.replace("=\r\n", "")
        .replace("=\n", "")
        .replace("=3D", "=")
        .replace("=20", " ")
        .replace("\r\n", "\n")
}

pub fn header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    raw.lines()
        .take_while(|l| !l.trim().is_empty())
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
}

#[derive(Clone, Debug)]
pub struct Hit {
    pub headers: HeaderMap,
    pub body: Value,
    pub status: u16,
}

#[derive(Default)]
struct ReceiverState {
    hits: Mutex<Vec<Hit>>,
    script: Mutex<VecDeque<u16>>,
    reply: Mutex<String>,
}

/// An HTTP endpoint recording each POST and answering with scripted statuses (then 200).
pub struct Receiver {
    pub url: String,
    state: Arc<ReceiverState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

async fn receive(
    State(s): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (StatusCode, String) {
    let status = s.script.lock().unwrap().pop_front().unwrap_or(200);
    s.hits.lock().unwrap().push(Hit {
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        status,
    });
    (
        StatusCode::from_u16(status).unwrap(),
        s.reply.lock().unwrap().clone(),
    )
}

impl Receiver {
    pub async fn start(script: &[u16]) -> Receiver {
        let state = Arc::new(ReceiverState::default());
        state.script.lock().unwrap().extend(script.iter().copied());
        *state.reply.lock().unwrap() = r#"{"crm":"ok"}"#.into();
        let app = axum::Router::new()
            .fallback(receive)
            .with_state(state.clone());
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", l.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(l, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Receiver {
            url,
            state,
            stop: Some(tx),
        }
    }

    pub fn hits(&self) -> Vec<Hit> {
        self.state.hits.lock().unwrap().clone()
    }

    /// The successful (200) calls of a payload type.
    pub fn delivered(&self, kind: &str) -> Vec<Hit> {
        self.hits()
            .into_iter()
            .filter(|h| h.status == 200 && h.body["type"] == kind)
            .collect()
    }

    pub async fn wait_delivered(&self, kind: &str) -> Hit {
        eventually(&format!("a {kind} webhook"), || async {
            self.delivered(kind).into_iter().next()
        })
        .await
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

/// A DNS server answering MX queries for the given domains and NXDOMAIN otherwise.
pub struct Dns {
    pub addr: std::net::SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Dns {
    pub async fn start(mx_domains: &[&str]) -> Dns {
        let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = sock.local_addr().unwrap();
        let known: HashSet<String> = mx_domains.iter().map(|d| d.to_lowercase()).collect();
        let task = tokio::spawn(async move {
            let mut buf = [0u8; 1500];
            while let Ok((n, peer)) = sock.recv_from(&mut buf).await {
                if let Some(reply) = dns_reply(&buf[..n], &known) {
                    let _ = sock.send_to(&reply, peer).await;
                }
            }
        });
        Dns { addr, task }
    }
}

impl Drop for Dns {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn dns_reply(q: &[u8], known: &HashSet<String>) -> Option<Vec<u8>> {
    let mut i = 12;
    let mut labels = Vec::new();
    loop {
        let len = *q.get(i)? as usize;
        i += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(q.get(i..i + len)?).to_lowercase());
        i += len;
    }
    let qtype = u16::from_be_bytes([*q.get(i)?, *q.get(i + 1)?]);
    let question = q.get(12..i + 4)?;
    let name = labels.join(".");
    let hit = qtype == 15 && known.contains(&name);
    let mut r = Vec::new();
    r.extend_from_slice(&q[0..2]);
    r.extend_from_slice(if hit { &[0x81, 0x80] } else { &[0x81, 0x83] });
    r.extend_from_slice(&[0, 1, 0, u8::from(hit), 0, 0, 0, 0]);
    r.extend_from_slice(question);
    if hit {
        let mut rdata = vec![0, 10];
        for l in std::iter::once("mail").chain(labels.iter().map(String::as_str)) {
            rdata.push(l.len() as u8);
            rdata.extend_from_slice(l.as_bytes());
        }
        rdata.push(0);
        r.extend_from_slice(&[0xC0, 0x0C, 0, 15, 0, 1, 0, 0, 0, 60]);
        r.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        r.extend_from_slice(&rdata);
    }
    Some(r)
}
