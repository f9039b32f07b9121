//! `bext-h3load`: a closed-loop HTTP/3 load generator (h2load's shape: connections, each
//! keeping a number of requests in flight as streams), on quiche's client, since neither
//! Debian's h2load nor wrk speaks HTTP/3.
//!
//! One thread, pinned to `--cpu`, busy-polling its connections' UDP sockets (each a
//! connected, non-blocking socket of its own): on a core of its own a generator that never
//! sleeps loses nothing, and it keeps the generator free of any runtime whose scheduling
//! would be measured along with the server. Every connection is made (handshake done) before
//! the clock starts; requests completed inside the measured window are counted, with their
//! body bytes; a request the server answers with other than 2xx, a reset stream or a closed
//! connection counts as an error.
//!
//! ```text
//! bext-h3load --connect 127.0.0.1:8443 --path /small.txt [--host localhost]
//!             [--connections 10] [--streams 10] [--duration-secs 5] [--cpu 1]
//! bext-h3load --connect 127.0.0.1:8443 --path /small.txt --check 13
//! ```
//!
//! Prints one JSON line: `{"requests", "errors", "body_bytes", "elapsed_secs",
//! "requests_per_sec", "bytes_per_sec"}`; with `--check LEN`, fetches the path once and
//! exits 0 only if it answered 200 with a body of LEN bytes.

#![forbid(unsafe_code)]

use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bext_shards::sys;
use quiche::h3::NameValue;

/// Largest UDP payload the generator sends (quiche's default).
const DATAGRAM_BYTES: usize = 1350;
/// Receive buffer: the UDP maximum.
const RECV_BYTES: usize = 65_535;
/// How long every connection gets to finish its handshake.
const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(10);
/// The client's receive windows: large, so that the server's sending is what is measured.
const CONNECTION_WINDOW_BYTES: u64 = 64 * 1024 * 1024;
const STREAM_WINDOW_BYTES: u64 = 16 * 1024 * 1024;

#[derive(Clone)]
struct Args {
    connect: SocketAddr,
    path: String,
    host: String,
    connections: usize,
    streams: usize,
    duration: Duration,
    cpu: Option<usize>,
    check: Option<usize>,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        connect: SocketAddr::from(([127, 0, 0, 1], 443)),
        path: String::from("/"),
        host: String::from("localhost"),
        connections: 10,
        streams: 10,
        duration: Duration::from_secs(5),
        cpu: None,
        check: None,
    };
    let mut given = std::env::args().skip(1);
    while let Some(flag) = given.next() {
        let mut value = || given.next().ok_or(format!("{flag} needs a value"));
        let number = |text: String| {
            text.parse::<u64>()
                .map_err(|_| format!("{flag}: `{text}` is not a number"))
        };
        match flag.as_str() {
            "--connect" => {
                let text = value()?;
                args.connect = text
                    .parse()
                    .map_err(|_| format!("--connect: `{text}` is not an address"))?;
            }
            "--path" => args.path = value()?,
            "--host" => args.host = value()?,
            "--connections" => args.connections = number(value()?)? as usize,
            "--streams" => args.streams = number(value()?)? as usize,
            "--duration-secs" => args.duration = Duration::from_secs(number(value()?)?),
            "--cpu" => args.cpu = Some(number(value()?)? as usize),
            "--check" => args.check = Some(number(value()?)? as usize),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if args.connections == 0 || args.streams == 0 {
        return Err(String::from(
            "--connections and --streams must be at least 1",
        ));
    }
    Ok(args)
}

/// One connection and what it has in flight.
struct Conn {
    socket: UdpSocket,
    local: SocketAddr,
    peer: SocketAddr,
    quic: quiche::Connection,
    h3: Option<quiche::h3::Connection>,
    in_flight: usize,
    /// The kernel segments this socket's bursts (cleared at its first refusal).
    gso: bool,
}

/// What the measured window saw.
#[derive(Default)]
struct Counts {
    requests: u64,
    errors: u64,
    body_bytes: u64,
    /// The status and body length of the last answer (for `--check`).
    last: Option<(u16, usize)>,
    /// Body bytes of the answer in progress on each stream are not kept; only counted.
    current_status: std::collections::HashMap<u64, (u16, usize)>,
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("bext-h3load: {message}");
            return ExitCode::from(2);
        }
    };
    if let Some(cpu) = args.cpu
        && let Err(e) = sys::pin_current_thread(cpu)
    {
        eprintln!("bext-h3load: cannot pin to CPU {cpu}: {e}");
        return ExitCode::FAILURE;
    }
    match run(&args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("bext-h3load: {message}");
            ExitCode::FAILURE
        }
    }
}

fn config() -> Result<quiche::Config, String> {
    let mut config =
        quiche::Config::new(quiche::PROTOCOL_VERSION).map_err(|e| format!("quiche: {e}"))?;
    config
        .set_application_protos(quiche::h3::APPLICATION_PROTOCOL)
        .map_err(|e| format!("quiche: {e}"))?;
    // The harness's certificates are self-signed: what is measured is the server.
    config.verify_peer(false);
    config.set_max_idle_timeout(30_000);
    config.set_max_recv_udp_payload_size(RECV_BYTES);
    config.set_max_send_udp_payload_size(DATAGRAM_BYTES);
    config.set_initial_max_data(CONNECTION_WINDOW_BYTES);
    config.set_initial_max_stream_data_bidi_local(STREAM_WINDOW_BYTES);
    config.set_initial_max_stream_data_bidi_remote(STREAM_WINDOW_BYTES);
    config.set_initial_max_stream_data_uni(STREAM_WINDOW_BYTES);
    config.set_initial_max_streams_bidi(1000);
    config.set_initial_max_streams_uni(100);
    Ok(config)
}

fn connect(args: &Args, config: &mut quiche::Config) -> Result<Conn, String> {
    let socket = UdpSocket::bind(if args.connect.is_ipv4() {
        "127.0.0.1:0"
    } else {
        "[::1]:0"
    })
    .map_err(|e| format!("bind: {e}"))?;
    socket
        .connect(args.connect)
        .map_err(|e| format!("connect: {e}"))?;
    socket
        .set_nonblocking(true)
        .map_err(|e| format!("nonblocking: {e}"))?;
    // Bursts of the server's datagrams arrive whole where the kernel offers it (a real
    // client's stack does the same: quic-go, ngtcp2), so the generator spends less per byte.
    let _ = sys::enable_gro(socket.as_raw_fd());
    let local = socket.local_addr().map_err(|e| format!("local: {e}"))?;
    let mut scid = [0u8; quiche::MAX_CONN_ID_LEN];
    // Distinct per connection: the time and the local port are enough for a generator.
    let seed = Instant::now().elapsed().as_nanos() as u64 ^ u64::from(local.port()) << 32;
    for (i, byte) in scid.iter_mut().enumerate() {
        *byte = (seed.rotate_left(i as u32 * 7) & 0xff) as u8 ^ i as u8;
    }
    let scid = quiche::ConnectionId::from_ref(&scid);
    let quic = quiche::connect(Some(&args.host), &scid, local, args.connect, config)
        .map_err(|e| format!("quiche connect: {e}"))?;
    Ok(Conn {
        socket,
        local,
        peer: args.connect,
        quic,
        h3: None,
        in_flight: 0,
        gso: true,
    })
}

/// Moves one connection along: datagrams in, HTTP/3 events, new requests while `open`,
/// datagrams out, timers. Returns whether anything happened.
fn step(
    conn: &mut Conn,
    args: &Args,
    open: bool,
    counting: bool,
    counts: &mut Counts,
    buf: &mut [u8],
    out: &mut [u8],
) -> bool {
    let mut progress = false;
    // With UDP_GRO a receive may hold a burst of the server's datagrams: cut apart here.
    while let Ok(Some(received)) = sys::recv_segments(conn.socket.as_raw_fd(), buf) {
        progress = true;
        let info = quiche::RecvInfo {
            from: received.from,
            to: conn.local,
        };
        let segment = received.segment.unwrap_or(received.len).max(1);
        for datagram in buf[..received.len].chunks_mut(segment) {
            let _ = conn.quic.recv(datagram, info);
        }
    }
    if conn.quic.timeout() == Some(Duration::ZERO) {
        conn.quic.on_timeout();
        progress = true;
    }
    if conn.h3.is_none()
        && conn.quic.is_established()
        && let Ok(h3_config) = quiche::h3::Config::new()
        && let Ok(h3) = quiche::h3::Connection::with_transport(&mut conn.quic, &h3_config)
    {
        conn.h3 = Some(h3);
    }
    if let Some(h3) = conn.h3.as_mut() {
        loop {
            match h3.poll(&mut conn.quic) {
                Ok((id, quiche::h3::Event::Headers { list, .. })) => {
                    let status = list
                        .iter()
                        .find(|h| h.name() == b":status")
                        .and_then(|h| std::str::from_utf8(h.value()).ok()?.parse().ok())
                        .unwrap_or(0);
                    counts.current_status.insert(id, (status, 0));
                    progress = true;
                }
                Ok((id, quiche::h3::Event::Data)) => {
                    while let Ok(n) = h3.recv_body(&mut conn.quic, id, buf) {
                        if let Some(entry) = counts.current_status.get_mut(&id) {
                            entry.1 += n;
                        }
                    }
                    progress = true;
                }
                Ok((id, quiche::h3::Event::Finished)) => {
                    conn.in_flight = conn.in_flight.saturating_sub(1);
                    let (status, len) = counts.current_status.remove(&id).unwrap_or((0, 0));
                    counts.last = Some((status, len));
                    if counting {
                        if (200..300).contains(&status) {
                            counts.requests += 1;
                            counts.body_bytes += len as u64;
                        } else {
                            counts.errors += 1;
                        }
                    }
                    progress = true;
                }
                Ok((id, quiche::h3::Event::Reset(_))) => {
                    conn.in_flight = conn.in_flight.saturating_sub(1);
                    counts.current_status.remove(&id);
                    if counting {
                        counts.errors += 1;
                    }
                    progress = true;
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
        let authority = format!("{}:{}", args.host, args.connect.port());
        let headers = [
            quiche::h3::Header::new(b":method", b"GET"),
            quiche::h3::Header::new(b":scheme", b"https"),
            quiche::h3::Header::new(b":authority", authority.as_bytes()),
            quiche::h3::Header::new(b":path", args.path.as_bytes()),
            quiche::h3::Header::new(b"user-agent", b"bext-h3load"),
        ];
        while open && conn.in_flight < args.streams {
            match h3.send_request(&mut conn.quic, &headers, true) {
                Ok(_) => {
                    conn.in_flight += 1;
                    progress = true;
                }
                Err(_) => break,
            }
        }
    }
    progress | send(conn, out)
}

/// Sends what quiche has for `conn` as bursts: runs of datagrams as long as the run's first
/// (the last may be shorter), one `sendmsg` each with UDP GSO where the kernel offers it,
/// as ngtcp2 and quic-go clients do. quiche writes one stream per packet, so a connection's
/// new requests are a run of alike short datagrams. Returns whether anything was sent.
fn send(conn: &mut Conn, out: &mut [u8]) -> bool {
    let fd = conn.socket.as_raw_fd();
    let mut progress = false;
    let mut burst: Vec<u8> = Vec::new();
    let mut segment = 0;
    let mut count = 0;
    let flush = |burst: &mut Vec<u8>, segment: usize, gso: &mut bool| {
        if burst.is_empty() {
            return;
        }
        // A full socket buffer loses the datagrams; QUIC sends them again.
        if !*gso || sys::send_segments(fd, burst, segment, conn.peer).is_err() {
            *gso = false;
            for datagram in burst.chunks(segment.max(1)) {
                let _ = conn.socket.send(datagram);
            }
        }
        burst.clear();
    };
    while let Ok((n, _)) = conn.quic.send(out) {
        progress = true;
        let fits = conn.gso
            && !burst.is_empty()
            && n <= segment
            && count < sys::GSO_SEGMENTS_MAX
            && burst.len() + n <= sys::UDP_PAYLOAD_BYTES_MAX;
        if !fits {
            flush(&mut burst, segment, &mut conn.gso);
            segment = n;
            count = 0;
        }
        burst.extend_from_slice(&out[..n]);
        count += 1;
        if n < segment {
            flush(&mut burst, segment, &mut conn.gso);
        }
    }
    flush(&mut burst, segment, &mut conn.gso);
    progress
}

fn run(args: &Args) -> Result<ExitCode, String> {
    let mut config = config()?;
    let mut conns = Vec::with_capacity(args.connections);
    let connections = if args.check.is_some() {
        1
    } else {
        args.connections
    };
    for _ in 0..connections {
        conns.push(connect(args, &mut config)?);
    }
    let mut buf = vec![0u8; RECV_BYTES];
    let mut out = vec![0u8; DATAGRAM_BYTES];
    let mut counts = Counts::default();
    // Handshakes first, outside the measured window.
    let deadline = Instant::now() + HANDSHAKE_DEADLINE;
    while !conns.iter().all(|c| c.h3.is_some()) {
        if Instant::now() > deadline || conns.iter().any(|c| c.quic.is_closed()) {
            return Err(String::from("handshakes did not finish"));
        }
        for conn in &mut conns {
            step(conn, args, false, false, &mut counts, &mut buf, &mut out);
        }
    }
    if let Some(expected) = args.check {
        let deadline = Instant::now() + HANDSHAKE_DEADLINE;
        let single = Args {
            streams: 1,
            ..args.clone()
        };
        let mut sent = false;
        while counts.last.is_none() && Instant::now() < deadline {
            let conn = &mut conns[0];
            step(conn, &single, !sent, true, &mut counts, &mut buf, &mut out);
            sent |= conn.in_flight > 0;
        }
        return match counts.last {
            Some((200, len)) if len == expected => Ok(ExitCode::SUCCESS),
            Some((status, len)) => Err(format!(
                "{}: answered {status} with {len} body bytes, expected 200 with {expected}",
                args.path
            )),
            None => Err(format!(
                "{}: no answer within {HANDSHAKE_DEADLINE:?}",
                args.path
            )),
        };
    }
    let started = Instant::now();
    let end = started + args.duration;
    loop {
        let now = Instant::now();
        let open = now < end;
        if !open {
            break;
        }
        for conn in &mut conns {
            step(conn, args, open, true, &mut counts, &mut buf, &mut out);
            if conn.quic.is_closed() {
                return Err(format!(
                    "a connection closed: {:?}",
                    conn.quic.peer_error().or(conn.quic.local_error())
                ));
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    for conn in &mut conns {
        let _ = conn.quic.close(true, 0x100, b"");
        step(conn, args, false, false, &mut counts, &mut buf, &mut out);
    }
    println!(
        "{{\"requests\":{},\"errors\":{},\"body_bytes\":{},\"elapsed_secs\":{elapsed:.6},\"requests_per_sec\":{:.1},\"bytes_per_sec\":{:.1}}}",
        counts.requests,
        counts.errors,
        counts.body_bytes,
        counts.requests as f64 / elapsed,
        counts.body_bytes as f64 / elapsed
    );
    Ok(ExitCode::SUCCESS)
}
