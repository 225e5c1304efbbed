//! A tiny static HTTP/1.1 server on loopback for tests. One thread per connection, kept
//! alive between requests as a real mirror does; GET and HEAD only; each file has an `ETag`
//! (a hash of its bytes) and `If-None-Match` gets a 304. It stops accepting when dropped.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub struct Server {
    addr: std::net::SocketAddr,
    stop: Arc<AtomicBool>,
    /// Requests served so far.
    pub hits: Arc<AtomicUsize>,
    /// Connections accepted so far.
    pub connections: Arc<AtomicUsize>,
    /// Every request so far: its path and the status answered.
    pub log: Arc<Mutex<Vec<(String, u16)>>>,
}

impl Server {
    /// Serves `root` on 127.0.0.1 at a free port.
    pub fn start(root: &Path) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let stop = Arc::new(AtomicBool::new(false));
        let hits = Arc::new(AtomicUsize::new(0));
        let log = Arc::new(Mutex::new(Vec::new()));
        let root = root.to_path_buf();
        let connections = Arc::new(AtomicUsize::new(0));
        let (stop2, hits2, log2) = (stop.clone(), hits.clone(), log.clone());
        let connections2 = connections.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::Relaxed) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (root, log, hits) = (root.clone(), log2.clone(), hits2.clone());
                connections2.fetch_add(1, Ordering::Relaxed);
                std::thread::spawn(move || {
                    let _ = serve(stream, &root, &log, &hits);
                });
            }
        });
        Self {
            addr,
            stop,
            hits,
            connections,
            log,
        }
    }

    /// The requests logged since `from` (an earlier `log` length) whose path ends with `suffix`.
    pub fn requests_since(&self, from: usize, suffix: &str) -> Vec<(String, u16)> {
        let log = self.log.lock().expect("log");
        log[from.min(log.len())..]
            .iter()
            .filter(|(path, _)| path.ends_with(suffix))
            .cloned()
            .collect()
    }

    /// How many requests have been logged.
    pub fn logged(&self) -> usize {
        self.log.lock().expect("log").len()
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.addr); // wake the accept loop so it sees the flag
    }
}

fn serve(
    mut stream: TcpStream,
    root: &Path,
    log: &Mutex<Vec<(String, u16)>>,
    hits: &AtomicUsize,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    // Bounded: a client gets at most this many requests on one connection.
    for _ in 0..10_000 {
        let mut request = String::new();
        if reader.read_line(&mut request)? == 0 {
            return Ok(());
        }
        let mut if_none_match = None;
        let mut close = false;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("if-none-match") {
                    if_none_match = Some(value.trim().to_string());
                }
                close |= name.eq_ignore_ascii_case("connection")
                    && value.trim().eq_ignore_ascii_case("close");
            }
        }
        hits.fetch_add(1, Ordering::Relaxed);
        let mut parts = request.split_whitespace();
        let method = parts.next().unwrap_or("");
        let path = parts.next().unwrap_or("/");
        let rel = path.trim_start_matches('/');
        let file = root.join(rel);
        let safe = !rel.split('/').any(|c| c == "..");
        let (status, etag, body) = match std::fs::read(&file) {
            Ok(body) if safe && file.is_file() => {
                let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&body))[..16]);
                match if_none_match.as_deref() == Some(etag.as_str()) {
                    true => (304, Some(etag), Vec::new()),
                    false => (200, Some(etag), body),
                }
            }
            _ => (404, None, Vec::new()),
        };
        let reason = match status {
            200 => "OK",
            304 => "Not Modified",
            _ => "Not Found",
        };
        let mut head = format!("HTTP/1.1 {status} {reason}\r\n");
        if let Some(etag) = etag {
            head.push_str(&format!("ETag: {etag}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        if close {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        if method != "HEAD" {
            stream.write_all(&body)?;
        }
        stream.flush()?;
        log.lock().expect("log").push((path.to_string(), status));
        if close {
            return Ok(());
        }
    }
    Ok(())
}
