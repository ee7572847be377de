//! A small HTTP/HTTPS server on 127.0.0.1 for fetch tests, with hostile behaviours on demand.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::ssl::{SslAcceptor, SslMethod};
use openssl::x509::extension::{BasicConstraints, SubjectAlternativeName};
use openssl::x509::{X509Builder, X509NameBuilder, X509};

#[derive(Clone)]
pub enum Reply {
    Ok(&'static str, Vec<u8>),
    Status(u16, Vec<u8>),
    Redirect(String),
    /// Headers, then bytes forever (until the client hangs up).
    Endless,
    /// Waits before answering.
    Slow(Duration, Vec<u8>),
    /// Claims gzip and sends a small compressed body that inflates to a huge one (see [`gzip_of_zeros`]).
    GzipBomb(Vec<u8>),
}

pub struct Server {
    pub base: String,
    pub ca_pem: Option<PathBuf>,
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    stop: Arc<AtomicBool>,
    _dir: tempdir::Dir,
}

mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Server {
    pub fn http() -> Server {
        Server::start(false)
    }

    pub fn https() -> Server {
        Server::start(true)
    }

    pub fn route(&self, path: &str, reply: Reply) {
        self.routes.lock().unwrap().insert(path.to_string(), reply);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A fresh directory that is removed with the server (for caches).
    pub fn scratch(&self, name: &str) -> PathBuf {
        let p = self._dir.0.join(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    fn start(tls: bool) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("keyprobe-test-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let routes: Arc<Mutex<HashMap<String, Reply>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (acceptor, ca_pem) = if tls {
            let (acceptor, ca) = tls_acceptor();
            let path = dir.join("ca.pem");
            std::fs::write(&path, ca.to_pem().unwrap()).unwrap();
            (Some(Arc::new(acceptor)), Some(path))
        } else {
            (None, None)
        };
        let r = routes.clone();
        let s = stop.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let routes = r.clone();
                let acceptor = acceptor.clone();
                std::thread::spawn(move || match acceptor {
                    Some(a) => {
                        if let Ok(tls) = a.accept(stream) {
                            serve(tls, &routes);
                        }
                    }
                    None => serve(stream, &routes),
                });
            }
        });
        let scheme = if tls { "https" } else { "http" };
        Server {
            base: format!("{scheme}://127.0.0.1:{port}"),
            ca_pem,
            routes,
            stop,
            _dir: tempdir::Dir(dir),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(
            self.base
                .trim_start_matches("https://")
                .trim_start_matches("http://"),
        );
    }
}

fn serve<S: Read + Write>(mut stream: S, routes: &Mutex<HashMap<String, Reply>>) {
    let mut reader = BufReader::new(&mut stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    drop(reader);
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let reply = routes
        .lock()
        .unwrap()
        .get(&path)
        .cloned()
        .unwrap_or(Reply::Status(404, b"not found".to_vec()));
    let head = |status: u16, ctype: &str, len: usize, extra: &str| {
        format!("HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\nConnection: close\r\n{extra}\r\n")
    };
    let _ = match reply {
        Reply::Ok(ctype, body) => stream
            .write_all(head(200, ctype, body.len(), "").as_bytes())
            .and_then(|_| stream.write_all(&body)),
        Reply::Status(code, body) => stream
            .write_all(head(code, "text/html", body.len(), "").as_bytes())
            .and_then(|_| stream.write_all(&body)),
        Reply::Redirect(to) => {
            stream.write_all(head(302, "text/plain", 0, &format!("Location: {to}\r\n")).as_bytes())
        }
        Reply::Slow(wait, body) => {
            std::thread::sleep(wait);
            stream
                .write_all(head(200, "application/json", body.len(), "").as_bytes())
                .and_then(|_| stream.write_all(&body))
        }
        Reply::Endless => {
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
            );
            let chunk = vec![b' '; 64 * 1024];
            let mut sent = 0usize;
            // Bounded so a broken client cannot keep the test alive forever.
            while sent < 256 * 1024 * 1024 && stream.write_all(&chunk).is_ok() {
                sent += chunk.len();
            }
            Ok(())
        }
        Reply::GzipBomb(body) => stream
            .write_all(
                head(
                    200,
                    "application/json",
                    body.len(),
                    "Content-Encoding: gzip\r\n",
                )
                .as_bytes(),
            )
            .and_then(|_| stream.write_all(&body)),
    };
    let _ = stream.flush();
}

/// A gzip member of `n` zero bytes: a few kilobytes on the wire. Made before a timed request, so the
/// test server's own compression time is not counted against the client.
pub fn gzip_of_zeros(n: usize) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..n / zeros.len() {
        enc.write_all(&zeros).unwrap();
    }
    enc.finish().unwrap()
}

fn name(cn: &str) -> openssl::x509::X509Name {
    let mut n = X509NameBuilder::new().unwrap();
    n.append_entry_by_text("CN", cn).unwrap();
    n.build()
}

fn cert(
    subject: &str,
    key: &PKey<Private>,
    issuer: Option<(&X509, &PKey<Private>)>,
    ca: bool,
) -> X509 {
    let mut b = X509Builder::new().unwrap();
    b.set_version(2).unwrap();
    let serial = BigNum::from_u32(if ca { 1 } else { 2 })
        .unwrap()
        .to_asn1_integer()
        .unwrap();
    b.set_serial_number(&serial).unwrap();
    b.set_subject_name(&name(subject)).unwrap();
    b.set_issuer_name(
        issuer
            .map(|(c, _)| c.subject_name())
            .unwrap_or(&name(subject)),
    )
    .unwrap();
    b.set_pubkey(key).unwrap();
    b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
        .unwrap();
    b.set_not_after(&Asn1Time::days_from_now(2).unwrap())
        .unwrap();
    if ca {
        b.append_extension(BasicConstraints::new().critical().ca().build().unwrap())
            .unwrap();
    } else {
        let san = SubjectAlternativeName::new()
            .ip("127.0.0.1")
            .dns("localhost")
            .build(&b.x509v3_context(issuer.map(|(c, _)| c.as_ref()), None))
            .unwrap();
        b.append_extension(san).unwrap();
    }
    b.sign(
        issuer.map(|(_, k)| k).unwrap_or(key),
        MessageDigest::sha256(),
    )
    .unwrap();
    b.build()
}

fn tls_acceptor() -> (SslAcceptor, X509) {
    let ca_key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let ca = cert("keyprobe test CA", &ca_key, None, true);
    let leaf_key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
    let leaf = cert("127.0.0.1", &leaf_key, Some((&ca, &ca_key)), false);
    let mut a = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls()).unwrap();
    a.set_private_key(&leaf_key).unwrap();
    a.set_certificate(&leaf).unwrap();
    a.add_extra_chain_cert(ca.clone()).unwrap();
    (a.build(), ca)
}
