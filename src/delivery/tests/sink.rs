//! A loopback inbox server for the worker tests: real HTTP, answering what the test says.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// A request as a sink read it.
pub(super) struct Seen {
    pub(super) path: String,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Vec<u8>,
}

type Answer = Box<dyn Fn(&Seen) -> (u16, String) + Send>;

/// A loopback inbox server: one thread per connection, one request per connection, answered
/// by a function the test can change; every request is kept.
pub(super) struct Sink {
    base: String,
    answer: Arc<Mutex<Answer>>,
    pub(super) seen: Arc<Mutex<Vec<Seen>>>,
    arrived: Arc<Mutex<Option<mpsc::Sender<()>>>>,
}

impl Sink {
    pub(super) fn new(status: u16) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let sink = Sink {
            base: format!("http://{}", listener.local_addr().unwrap()),
            answer: Arc::new(Mutex::new(Box::new(move |_| (status, String::new())))),
            seen: Arc::default(),
            arrived: Arc::default(),
        };
        let (answer, seen, arrived) =
            (sink.answer.clone(), sink.seen.clone(), sink.arrived.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (answer, seen, arrived) = (answer.clone(), seen.clone(), arrived.clone());
                std::thread::spawn(move || {
                    let mut stream = stream;
                    let Some(request) = read_request(&mut stream) else {
                        return;
                    };
                    let (status, extra) = (answer.lock().unwrap())(&request);
                    // Kept before answering, so a test that got the answer sees the request.
                    seen.lock().unwrap().push(request);
                    let _ = write!(
                        stream,
                        "HTTP/1.1 {status} Test\r\nContent-Length: 0\r\n{extra}Connection: close\r\n\r\n"
                    );
                    if let Some(tx) = arrived.lock().unwrap().as_ref() {
                        let _ = tx.send(());
                    }
                });
            }
        });
        sink
    }

    pub(super) fn inbox(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(super) fn host(&self) -> String {
        self.base.trim_start_matches("http://").to_string()
    }

    pub(super) fn answer(&self, answer: impl Fn(&Seen) -> (u16, String) + Send + 'static) {
        *self.answer.lock().unwrap() = Box::new(answer);
    }

    pub(super) fn status(&self, status: u16) {
        self.answer(move |_| (status, String::new()));
    }

    pub(super) fn requests(&self) -> usize {
        self.seen.lock().unwrap().len()
    }

    pub(super) fn notify(&self) -> mpsc::Receiver<()> {
        let (tx, rx) = mpsc::channel();
        *self.arrived.lock().unwrap() = Some(tx);
        rx
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.to_string(), value.trim().to_string()));
    }
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Seen {
        path,
        headers,
        body,
    })
}
