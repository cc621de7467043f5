//! The accept loop and each connection's limits: slow or idle clients cannot hold the server.
//!
//! - A request's head must arrive within `header` of its first byte; a connection may wait
//!   `idle` for its next request; the body may pause at most `body` between two reads.
//!   A connection upgraded to WebSocket leaves these to DDP's own heartbeat.
//! - At most `max_connections` connections at once; beyond that new ones wait in the
//!   kernel's backlog until one ends (the descriptors they would take stay free).
//! - An accept that fails (descriptors exhausted, memory) is logged and retried after a short
//!   pause: the loop never ends on it.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use parking_lot::Mutex;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header: Duration,
    pub body: Duration,
    pub idle: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header: Duration::from_secs(10),
            body: Duration::from_secs(30),
            idle: Duration::from_secs(60),
            max_connections: auto_max_connections(),
        }
    }
}

/// Descriptors this process may open, less a reserve for the database, files and logs.
pub fn auto_max_connections() -> usize {
    let soft = rlimit::getrlimit(rlimit::Resource::NOFILE)
        .map(|(soft, _)| soft)
        .unwrap_or(1024);
    let reserve = (soft / 10).clamp(64, 1024);
    soft.saturating_sub(reserve).max(16) as usize
}

/// Raises the soft descriptor limit to the hard one (as Go's runtime does at start).
pub fn raise_descriptor_limit() -> Option<u64> {
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).ok()?;
    rlimit::increase_nofile_limit(hard).ok()
}

/// Where a connection is between requests, for its deadline.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Phase {
    /// Waiting for the next request (deadline: `idle` from when it started waiting).
    Idle(Instant),
    /// Part of a request head has arrived (deadline: `header` from its first byte).
    Head(Instant),
    /// A request is being handled or its response written: no deadline here.
    Busy,
    /// Switched protocols (WebSocket): the connection's own protocol keeps time.
    Upgraded,
}

struct Watch {
    phase: Mutex<Phase>,
    limits: Limits,
    /// The pending read, woken when the phase (and so the deadline) changes.
    reader: Mutex<Option<std::task::Waker>>,
}

impl Watch {
    fn deadline(&self) -> Option<Instant> {
        match *self.phase.lock() {
            Phase::Idle(t) => Some(t + self.limits.idle),
            Phase::Head(t) => Some(t + self.limits.header),
            Phase::Busy | Phase::Upgraded => None,
        }
    }
    fn bytes_arrived(&self) {
        let mut p = self.phase.lock();
        if let Phase::Idle(_) = *p {
            *p = Phase::Head(Instant::now());
        }
    }
    fn set(&self, phase: Phase) {
        {
            let mut p = self.phase.lock();
            if *p == Phase::Upgraded {
                return;
            }
            *p = phase;
        }
        if let Some(w) = self.reader.lock().take() {
            w.wake();
        }
    }
}

/// The socket, failing its reads once the connection's deadline has passed.
struct TimedIo {
    inner: TcpStream,
    watch: Arc<Watch>,
    timer: Pin<Box<Sleep>>,
    /// The connection's place under the cap, held as long as the socket (a WebSocket too).
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl AsyncRead for TimedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.watch.bytes_arrived();
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                {
                    let mut reader = self.watch.reader.lock();
                    if !reader.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                        *reader = Some(cx.waker().clone());
                    }
                }
                if let Some(deadline) = self.watch.deadline() {
                    if self.timer.deadline() != deadline {
                        self.timer.as_mut().reset(deadline);
                    }
                    if self.timer.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(Err(io::ErrorKind::TimedOut.into()));
                    }
                }
                Poll::Pending
            }
        }
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// Back to idle when the response's body is done (or dropped).
struct IdleOnDrop(Arc<Watch>);

impl Drop for IdleOnDrop {
    fn drop(&mut self) {
        self.0.set(Phase::Idle(Instant::now()));
    }
}

fn is_transient_accept_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish (at most 30 s).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    // HTTP connections still being served (an upgraded one leaves this count).
    let (active_tx, mut active_rx) = watch::channel(0usize);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut last_warning: Option<Instant> = None;
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
        };
        let (socket, addr) = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) if is_transient_accept_error(&e) => continue,
                Err(e) => {
                    // Descriptors or memory exhausted: wait for connections to end.
                    if last_warning.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
                        tracing::error!(error = %e, "accept failed; retrying");
                        last_warning = Some(Instant::now());
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = socket.set_nodelay(true);
        let router = router.clone();
        let mut stop = stop_rx.clone();
        let active = active_tx.clone();
        active.send_modify(|n| *n += 1);
        tokio::spawn(async move {
            let watch = Arc::new(Watch {
                phase: Mutex::new(Phase::Idle(Instant::now())),
                limits,
                reader: Mutex::new(None),
            });
            let io = TimedIo {
                inner: socket,
                watch: watch.clone(),
                timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
                _permit: permit,
            };
            let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                watch.set(Phase::Busy);
                let (watch, router) = (watch.clone(), router.clone());
                let body_timeout = limits.body;
                async move {
                    let mut req = req
                        .map(|b| Body::new(tower_http::timeout::TimeoutBody::new(body_timeout, b)));
                    req.extensions_mut().insert(ConnectInfo(addr));
                    let res = router.oneshot(req).await?;
                    if res.status() == hyper::StatusCode::SWITCHING_PROTOCOLS {
                        watch.set(Phase::Upgraded);
                        return Ok::<_, std::convert::Infallible>(res);
                    }
                    let guard = IdleOnDrop(watch);
                    Ok(res.map(|b| {
                        Body::new(b.map_frame(move |f| {
                            let _ = &guard;
                            f
                        }))
                    }))
                }
            });
            let mut http = hyper::server::conn::http1::Builder::new();
            // Our own deadlines (above) decide; hyper's would also cut idle connections.
            http.timer(TokioTimer::new()).header_read_timeout(None);
            let conn = http
                .serve_connection(TokioIo::new(io), service)
                .with_upgrades();
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = async { stop.wait_for(|s| *s).await.is_ok() } => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
            active.send_modify(|n| *n -= 1);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // In-flight requests finish; idle connections close at once.
    let _ = tokio::time::timeout(Duration::from_secs(30), async {
        active_rx.wait_for(|n| *n == 0).await.is_ok()
    })
    .await;
    Ok(())
}
