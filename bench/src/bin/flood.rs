//! `bext-flood`: small UDP datagrams from one address to one port, as fast as one core can
//! send them, for the `xdp` scenario's hostile client.
//!
//! ```text
//! bext-flood --from 10.77.0.3 --to 10.77.0.1:8080 --secs 5 [--bytes 18]
//! ```
//!
//! It sends from a socket bound to `--from` and connected to `--to`, 64 datagrams per
//! `sendmmsg`, until `--secs` have passed, then prints `{"sent": N, "secs": S, "cpu_secs": C}`,
//! `C` being its own user + system CPU time (`/proc/self/stat`): on a veth pair the receiving
//! side's work (and so the filter's) runs inline on the sending CPU and is charged to it. A refused
//! send (an ICMP port-unreachable that came back while nothing filtered) is counted and
//! skipped; any other error stops it.

#![forbid(unsafe_code)]

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use bext_shards::sys;
use lexopt::prelude::*;

/// Most seconds one flood may last.
const FLOOD_SECS_MAX: u64 = 600;
/// Linux's `USER_HZ`, the unit of `/proc/self/stat`'s CPU times (100 on every architecture
/// the kernel exports to user space).
const USER_HZ: f64 = 100.0;
/// Datagram payload sizes accepted (a UDP header and 18 bytes make a minimum Ethernet frame).
const PAYLOAD_BYTES_MAX: usize = 1400;

struct Options {
    from: IpAddr,
    to: SocketAddr,
    secs: u64,
    bytes: usize,
}

fn parse() -> Result<Options, String> {
    let mut parser = lexopt::Parser::from_env();
    let (mut from, mut to, mut secs, mut bytes) = (None, None, 5u64, 18usize);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        let value = |parser: &mut lexopt::Parser| -> Result<String, String> {
            parser
                .value()
                .map_err(|e| e.to_string())?
                .into_string()
                .map_err(|_| String::from("not UTF-8"))
        };
        match arg {
            Long("from") => {
                from = Some(
                    value(&mut parser)?
                        .parse()
                        .map_err(|e| format!("--from: {e}"))?,
                )
            }
            Long("to") => {
                to = Some(
                    value(&mut parser)?
                        .parse()
                        .map_err(|e| format!("--to: {e}"))?,
                )
            }
            Long("secs") => {
                secs = value(&mut parser)?
                    .parse()
                    .map_err(|e| format!("--secs: {e}"))?
            }
            Long("bytes") => {
                bytes = value(&mut parser)?
                    .parse()
                    .map_err(|e| format!("--bytes: {e}"))?
            }
            other => return Err(other.unexpected().to_string()),
        }
    }
    if !(1..=FLOOD_SECS_MAX).contains(&secs) {
        return Err(format!("--secs: 1 to {FLOOD_SECS_MAX}"));
    }
    if !(1..=PAYLOAD_BYTES_MAX).contains(&bytes) {
        return Err(format!("--bytes: 1 to {PAYLOAD_BYTES_MAX}"));
    }
    Ok(Options {
        from: from.ok_or("--from is required")?,
        to: to.ok_or("--to is required")?,
        secs,
        bytes,
    })
}

fn main() -> ExitCode {
    let options = match parse() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("bext-flood: {message}");
            return ExitCode::from(2);
        }
    };
    match flood(&options) {
        Ok((sent, secs)) => {
            let cpu_secs = own_cpu_secs().unwrap_or(0.0);
            println!("{{\"sent\": {sent}, \"secs\": {secs:.3}, \"cpu_secs\": {cpu_secs:.3}}}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("bext-flood: {e}");
            ExitCode::FAILURE
        }
    }
}

fn flood(options: &Options) -> std::io::Result<(u64, f64)> {
    let socket = UdpSocket::bind(SocketAddr::new(options.from, 0))?;
    socket.connect(options.to)?;
    let payload = vec![0x5a; options.bytes];
    let fd = socket.as_raw_fd();
    let started = Instant::now();
    let until = started + Duration::from_secs(options.secs);
    let mut sent = 0u64;
    while Instant::now() < until {
        match sys::send_repeated(fd, &payload, sys::GSO_SEGMENTS_MAX) {
            Ok(n) => sent += n as u64,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {}
            // The socket's send buffer is full: the device queue is behind; go on.
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.raw_os_error() == Some(105) => {} // ENOBUFS
            Err(e) => return Err(e),
        }
    }
    Ok((sent, started.elapsed().as_secs_f64()))
}

/// This process's user + system CPU seconds so far, from `/proc/self/stat` (fields 14 and
/// 15, counted after the parenthesised command name, which may hold spaces).
fn own_cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let mut fields = stat.get(stat.rfind(')')? + 1..)?.split_whitespace();
    // After `)`: state is field 3, so utime (14) is the 12th and stime (15) the 13th.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / USER_HZ)
}
