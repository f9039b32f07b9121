//! The access log: lines appended to a per-shard buffer on the request path, written out
//! once a second (or when the buffer passes `ACCESS_LOG_BUFFER_BYTES`) by the shard's ticker.
//!
//! Every shard appends to the same file opened with O_APPEND: each flush is one `write`, and
//! appends of whole buffers never interleave inside a line. Writes are plain blocking writes:
//! they happen at most once a second per shard and go to the page cache.
//!
//! Refused requests go through [`AccessLogBuffer::push_refused`], which spends the shard's
//! [`RefusedBudget`] and counts what it had to leave out.

use std::fs::{File, OpenOptions};
use std::io::Write;

use bext_core::access_log::{self, Entry, Format, RefusedBudget};
use bext_core::config::{AccessLog, LogFormat, ServerConfig};
use bext_core::limits::{ACCESS_LOG_BUFFER_BYTES, REFUSED_LOG_LINES_PER_SECOND_MAX};

pub(crate) struct AccessLogBuffer {
    sink: Option<Sink>,
    format: Format,
    buffer: Vec<u8>,
    refused: RefusedBudget,
}

enum Sink {
    Stdout,
    Stderr,
    File(File),
}

impl AccessLogBuffer {
    pub fn open(server: &ServerConfig) -> Self {
        let mut log = AccessLogBuffer {
            sink: None,
            format: Format::Combined,
            buffer: Vec::new(),
            refused: RefusedBudget::new(REFUSED_LOG_LINES_PER_SECOND_MAX),
        };
        log.reconfigure(server);
        log
    }

    pub fn reconfigure(&mut self, server: &ServerConfig) {
        self.flush();
        self.format = match server.access_log_format {
            LogFormat::Combined => Format::Combined,
            LogFormat::Json => Format::Json,
        };
        self.sink = match &server.access_log {
            AccessLog::Off => None,
            AccessLog::Stdout => Some(Sink::Stdout),
            AccessLog::Stderr => Some(Sink::Stderr),
            AccessLog::File(path) => {
                match OpenOptions::new().create(true).append(true).open(path) {
                    Ok(file) => Some(Sink::File(file)),
                    Err(e) => {
                        eprintln!(
                            "bext: access log {} cannot be opened: {e}; logging is off",
                            path.display()
                        );
                        None
                    }
                }
            }
        };
        if self.sink.is_some() && self.buffer.capacity() == 0 {
            self.buffer.reserve(ACCESS_LOG_BUFFER_BYTES);
        }
    }

    pub fn enabled(&self) -> bool {
        self.sink.is_some()
    }

    pub fn push(&mut self, entry: &Entry<'_>) {
        if self.sink.is_none() {
            return;
        }
        access_log::write_line(&mut self.buffer, self.format, entry);
        if self.buffer.len() >= ACCESS_LOG_BUFFER_BYTES {
            self.flush();
        }
    }

    /// Logs a refused request if this second's budget allows; false if it was left out.
    pub fn push_refused(&mut self, entry: &Entry<'_>) -> bool {
        if self.sink.is_none() {
            return true;
        }
        let unix_secs = u64::try_from(entry.unix_secs).unwrap_or(0);
        if !self.refused.allow(unix_secs) {
            return false;
        }
        self.push(entry);
        true
    }

    pub fn flush(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        let result = match &mut self.sink {
            None => Ok(()),
            Some(Sink::Stdout) => std::io::stdout().lock().write_all(&self.buffer),
            Some(Sink::Stderr) => std::io::stderr().lock().write_all(&self.buffer),
            Some(Sink::File(file)) => file.write_all(&self.buffer),
        };
        if let Err(e) = result {
            eprintln!("bext: access log write failed: {e}");
        }
        self.buffer.clear();
    }
}
