//! A stand-in for Redis that answers every `SET` the way a test scripts it: a reply that is
//! neither `OK` nor nil (`:1`, `+QUEUED`), a reply after a delay (a store that is up but slow),
//! or no reply at all. Every other command (the client's handshake) is answered `+OK` at once.
//! It serves from threads of its own, so it runs beside any async runtime.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// What the stand-in answers to a `SET`.
#[derive(Debug, Clone, Copy)]
pub enum SetReply {
    /// These RESP bytes, after this delay.
    After(Duration, &'static [u8]),
    /// Nothing, ever (the connection stays open).
    Never,
}

/// A stand-in Redis on a loopback port of its own; stops serving when dropped.
pub struct ScriptedRedis {
    port: u16,
    stopped: Arc<AtomicBool>,
    sets: Arc<AtomicUsize>,
}

impl ScriptedRedis {
    /// Starts serving: every `SET` is answered with `reply`.
    pub fn start(reply: SetReply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let stopped = Arc::new(AtomicBool::new(false));
        let sets = Arc::new(AtomicUsize::new(0));
        let (stop, count) = (Arc::clone(&stopped), Arc::clone(&sets));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let count = Arc::clone(&count);
                std::thread::spawn(move || serve(stream, reply, &count));
            }
        });
        ScriptedRedis { port, stopped, sets }
    }

    /// `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// How many `SET`s have arrived.
    pub fn sets(&self) -> usize {
        self.sets.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedRedis {
    fn drop(&mut self) {
        self.stopped.store(true, Ordering::SeqCst);
        // Wakes the accepting thread so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// The RESP commands complete at the start of `buffer` (each as its arguments), and how many
/// bytes they took.
fn commands(buffer: &[u8]) -> (Vec<Vec<Vec<u8>>>, usize) {
    let mut found = Vec::new();
    let mut at = 0;
    'next: loop {
        let start = at;
        let Some(line) = line_at(buffer, at) else { return (found, start) };
        let Some(count) = buffer[at..line].strip_prefix(b"*").and_then(number) else { return (found, start) };
        at = line + 2;
        let mut args = Vec::new();
        for _ in 0..count {
            let Some(line) = line_at(buffer, at) else { return (found, start) };
            let Some(len) = buffer[at..line].strip_prefix(b"$").and_then(number) else {
                return (found, start);
            };
            let (from, to) = (line + 2, line + 2 + len);
            if buffer.len() < to + 2 {
                return (found, start);
            }
            args.push(buffer[from..to].to_vec());
            at = to + 2;
        }
        found.push(args);
        continue 'next;
    }
}

fn line_at(buffer: &[u8], at: usize) -> Option<usize> {
    buffer.get(at..)?.windows(2).position(|w| w == b"\r\n").map(|i| at + i)
}

fn number(text: &[u8]) -> Option<usize> {
    std::str::from_utf8(text).ok()?.parse().ok()
}

fn serve(mut stream: TcpStream, reply: SetReply, sets: &AtomicUsize) {
    let mut pending = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        pending.extend_from_slice(&chunk[..read]);
        let (found, used) = commands(&pending);
        pending.drain(..used);
        for args in found {
            let is_set = args.first().is_some_and(|name| name.eq_ignore_ascii_case(b"SET"));
            if !is_set {
                let _ = stream.write_all(b"+OK\r\n");
                continue;
            }
            sets.fetch_add(1, Ordering::SeqCst);
            match reply {
                SetReply::After(delay, bytes) => {
                    std::thread::sleep(delay);
                    let _ = stream.write_all(bytes);
                }
                SetReply::Never => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_read_whole_and_partial_ones_kept() {
        let (found, used) = commands(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPI");
        assert_eq!(found, vec![vec![b"GET".to_vec(), b"k".to_vec()]]);
        assert_eq!(used, 20);
    }
}
