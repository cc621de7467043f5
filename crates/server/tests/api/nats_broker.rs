//! A NATS broker inside the test harness, so the multi-instance tests need no `nats-server`
//! on the machine: the client protocol's core (INFO, CONNECT, PING/PONG, SUB, UNSUB, PUB,
//! HPUB) on loopback, subjects with `*` and `>` wildcards. It can be stopped (every client
//! connection drops, as when the server dies) and started again on the same port.
//! With `NATS_TEST_URL` set, the cluster tests use that server instead.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

type Outbound = mpsc::UnboundedSender<Vec<u8>>;

#[derive(Default)]
struct Routes {
    /// connection → (its writer, sid → subject)
    conns: HashMap<u64, (Outbound, HashMap<String, String>)>,
    next: u64,
}

pub struct Broker {
    pub port: u16,
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Broker {
    pub async fn start() -> Broker {
        Self::start_on(0).await
    }

    pub async fn start_on(port: u16) -> Broker {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .unwrap_or_else(|e| panic!("NATS broker cannot listen on {port}: {e}"));
        let port = listener.local_addr().unwrap().port();
        let routes = Arc::new(Mutex::new(Routes::default()));
        let tasks: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let t = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let _ = socket.set_nodelay(true);
                let (r, mut w) = socket.into_split();
                let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
                let id = {
                    let mut routes = routes.lock();
                    routes.next += 1;
                    let id = routes.next;
                    routes.conns.insert(id, (tx.clone(), HashMap::new()));
                    id
                };
                let info = format!(
                    "INFO {{\"server_id\":\"ferrochat-test-broker\",\"server_name\":\"test\",\"version\":\"2.10.0\",\"proto\":1,\"host\":\"127.0.0.1\",\"port\":{port},\"headers\":true,\"max_payload\":1048576}}\r\n"
                );
                let _ = tx.send(info.into_bytes());
                let writer = tokio::spawn(async move {
                    while let Some(bytes) = rx.recv().await {
                        if w.write_all(&bytes).await.is_err() {
                            break;
                        }
                    }
                });
                let routes2 = routes.clone();
                let reader = tokio::spawn(async move {
                    let _ = session(BufReader::new(r), id, &tx, &routes2).await;
                    routes2.lock().conns.remove(&id);
                });
                t.lock().extend([writer, reader]);
            }
        });
        tasks.lock().push(accept);
        Broker { port, tasks }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Goes away as a killed server does: the port closes and every connection drops.
    pub fn stop(&self) {
        for t in self.tasks.lock().drain(..) {
            t.abort();
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
    }
}

fn matches(pattern: &str, subject: &str) -> bool {
    let mut p = pattern.split('.');
    let mut s = subject.split('.');
    loop {
        match (p.next(), s.next()) {
            (Some(">"), Some(_)) => return true,
            (Some("*"), Some(_)) => {}
            (Some(a), Some(b)) if a == b => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

async fn session(
    mut r: BufReader<tokio::net::tcp::OwnedReadHalf>,
    id: u64,
    tx: &Outbound,
    routes: &Mutex<Routes>,
) -> std::io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let parts: Vec<&str> = line.split_whitespace().collect();
        let Some(op) = parts.first().map(|o| o.to_ascii_uppercase()) else {
            continue;
        };
        match op.as_str() {
            "PING" => {
                let _ = tx.send(b"PONG\r\n".to_vec());
            }
            "CONNECT" | "PONG" => {}
            "SUB" if parts.len() >= 3 => {
                let (subject, sid) = (parts[1].to_string(), parts[parts.len() - 1].to_string());
                if let Some(c) = routes.lock().conns.get_mut(&id) {
                    c.1.insert(sid, subject);
                }
            }
            "UNSUB" if parts.len() >= 2 => {
                if let Some(c) = routes.lock().conns.get_mut(&id) {
                    c.1.remove(parts[1]);
                }
            }
            "PUB" | "HPUB" => {
                // PUB subject [reply] size / HPUB subject [reply] header-size total-size
                let sizes = if op == "PUB" { 1 } else { 2 };
                if parts.len() < 2 + sizes {
                    let _ = tx.send(b"-ERR 'Unknown Protocol Operation'\r\n".to_vec());
                    return Ok(());
                }
                let subject = parts[1];
                let reply = (parts.len() == 3 + sizes).then(|| parts[2]);
                let size_args = &parts[parts.len() - sizes..];
                let total: usize = size_args[sizes - 1].parse().unwrap_or(0);
                let mut payload = vec![0u8; total + 2];
                r.read_exact(&mut payload).await?;
                let routes = routes.lock();
                for (out, subs) in routes.conns.values() {
                    for (sid, pattern) in subs {
                        if !matches(pattern, subject) {
                            continue;
                        }
                        let mut head = format!(
                            "{} {subject} {sid}",
                            if sizes == 1 { "MSG" } else { "HMSG" }
                        );
                        if let Some(reply) = reply {
                            head.push(' ');
                            head.push_str(reply);
                        }
                        for s in size_args {
                            head.push(' ');
                            head.push_str(s);
                        }
                        head.push_str("\r\n");
                        let mut frame = head.into_bytes();
                        frame.extend_from_slice(&payload);
                        let _ = out.send(frame);
                    }
                }
            }
            _ => {
                let _ = tx.send(b"-ERR 'Unknown Protocol Operation'\r\n".to_vec());
            }
        }
    }
}

#[test]
fn subjects_match_as_nats_does() {
    assert!(matches("a.events", "a.events"));
    assert!(!matches("a.events", "a.events.x"));
    assert!(matches("a.*", "a.events"));
    assert!(matches("a.>", "a.events.x"));
    assert!(!matches("b.>", "a.events"));
}
