//! The connection loop: accept, TLS handshake (bounded), then HTTP/1.1 with a
//! header timeout, under a limit of open connections in all and per client.
//! Each request carries its client's address (for the per-client limits).
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use aktiver_protocol::{ErrorBody, ErrorCode};

use crate::app::App;

/// The client address of a request.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub IpAddr);

const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Open connections get this long to finish after a stop.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// Serves until `stop` flips, then lets open requests finish.
pub async fn serve(
    tcp: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    router: Router,
    app: Arc<App>,
    mut stop: watch::Receiver<bool>,
) {
    let mut tasks = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = tcp.accept() => a,
            _ = stop.changed() => break,
        };
        while tasks.try_join_next().is_some() {}
        let Ok((stream, peer)) = accepted else {
            tokio::time::sleep(Duration::from_millis(20)).await;
            continue;
        };
        let ip = peer.ip();
        if !app.limits.open_connection(ip) {
            // Over the limit: a short JSON answer over plain HTTP, then close;
            // over TLS the connection is closed unanswered (a handshake costs
            // more than the client deserves).
            if tls.is_none() {
                tasks.spawn(refuse_busy(stream));
            }
            continue;
        }
        let (router, app2, tls, stop) = (router.clone(), app.clone(), tls.clone(), stop.clone());
        tasks.spawn(async move {
            match tls {
                Some(acc) => {
                    if let Ok(Ok(s)) =
                        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acc.accept(stream)).await
                    {
                        serve_one(JsonErrors::new(s), peer, router, &app2, stop).await;
                    }
                }
                None => serve_one(JsonErrors::new(stream), peer, router, &app2, stop).await,
            }
            app2.limits.close_connection(ip);
        });
    }
    drop(tcp);
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    tasks.abort_all();
}

async fn serve_one<S: AsyncRead + AsyncWrite + Unpin + Send + 'static>(
    io: S,
    peer: SocketAddr,
    router: Router,
    app: &App,
    mut stop: watch::Receiver<bool>,
) {
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(Peer(peer.ip()));
        tower::ServiceExt::oneshot(router.clone(), req)
    });
    let mut b = hyper::server::conn::http1::Builder::new();
    b.timer(TokioTimer::new())
        .header_read_timeout(Duration::from_millis(app.rules.header_timeout_ms))
        .max_buf_size(aktiver_protocol::MAX_HEADER_BYTES.max(8192))
        .keep_alive(true);
    let conn = b.serve_connection(TokioIo::new(io), svc);
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        _ = stop.changed() => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}

async fn refuse_busy(mut stream: tokio::net::TcpStream) {
    let bytes = error_response(503, ErrorCode::ServerBusy, "too many open connections");
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(&bytes).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

/// A complete HTTP/1.1 answer with the documented JSON error body.
fn error_response(status: u16, code: ErrorCode, message: &str) -> Vec<u8> {
    let body = serde_json::to_vec(&ErrorBody::new(code, message)).unwrap_or_default();
    let reason = axum::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(&body);
    out
}

/// hyper answers a request it cannot parse (400), a header block over the
/// limit (431) or an over-long URI (414) itself, with an empty body. This
/// wrapper recognises such an answer (no content type: every answer of ours
/// has one) and sends the documented JSON error instead.
pub struct JsonErrors<S> {
    inner: S,
    pending: Vec<u8>,
    sent: usize,
}

impl<S> JsonErrors<S> {
    pub fn new(inner: S) -> Self {
        JsonErrors {
            inner,
            pending: Vec::new(),
            sent: 0,
        }
    }
}

/// The JSON replacement for hyper's own bodiless error answer, if `buf` is one.
fn replacement(buf: &[u8]) -> Option<Vec<u8>> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = buf.get(..head_end)?;
    if !head.starts_with(b"HTTP/1.") {
        return None;
    }
    let lower = head.to_ascii_lowercase();
    if lower.windows(13).any(|w| w == b"content-type:") {
        return None;
    }
    let status = std::str::from_utf8(head.get(9..12)?)
        .ok()?
        .parse::<u16>()
        .ok()?;
    let (code, message) = match status {
        400 => (
            ErrorCode::MalformedRequest,
            "the request line or a header is malformed",
        ),
        414 => (ErrorCode::UriTooLong, "the request URI is too long"),
        431 => (
            ErrorCode::HeadersTooLarge,
            "the request headers are too large",
        ),
        _ => return None,
    };
    Some(error_response(status, code, message))
}

impl<S: AsyncWrite + Unpin> JsonErrors<S> {
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        while self.sent < self.pending.len() {
            let rest = self.pending.get(self.sent..).unwrap_or_default();
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, rest))?;
            if n == 0 {
                return Poll::Ready(Err(std::io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for JsonErrors<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for JsonErrors<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if let Some(r) = replacement(buf) {
            this.pending = r;
            this.sent = 0;
            let _ = this.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_bare_errors_become_json_and_ours_pass() {
        let bare =
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let r = replacement(bare).unwrap_or_default();
        let text = String::from_utf8_lossy(&r);
        assert!(text.starts_with("HTTP/1.1 431 "), "{text}");
        assert!(text.contains("\"code\":\"headers_too_large\""), "{text}");
        let ours = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
        assert!(replacement(ours).is_none());
        assert!(replacement(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}
