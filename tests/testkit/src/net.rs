//! A TCP relay between the flow and the sandbox that can be cut: while it
//! is down, new connections are refused and open ones are dropped, as when
//! a phone loses its network.
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The relay's switch.
#[derive(Clone)]
pub struct NetSwitch {
    up: Arc<watch::Sender<bool>>,
    pub addr: SocketAddr,
}

impl NetSwitch {
    pub fn set_up(&self, up: bool) {
        self.up.send_replace(up);
    }

    pub fn is_up(&self) -> bool {
        *self.up.borrow()
    }
}

/// Starts a relay on loopback to `target`.
pub async fn relay(target: SocketAddr) -> std::io::Result<NetSwitch> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let (tx, _) = watch::channel(true);
    let up = Arc::new(tx);
    let up2 = up.clone();
    tokio::spawn(async move {
        loop {
            let Ok((inbound, _)) = listener.accept().await else {
                continue;
            };
            if !*up2.borrow() {
                drop(inbound);
                continue;
            }
            let mut rx = up2.subscribe();
            tokio::spawn(async move {
                let Ok(outbound) = TcpStream::connect(target).await else {
                    return;
                };
                let (mut a, mut b) = (inbound, outbound);
                tokio::select! {
                    _ = tokio::io::copy_bidirectional(&mut a, &mut b) => {}
                    _ = rx.wait_for(|up| !*up) => {}
                }
            });
        }
    });
    Ok(NetSwitch { up, addr })
}
