//! A TLS connection split into a reading and a writing half, for a driver that writes while a
//! read is pending (HTTP/2 sends a response while it waits for the peer's next frame).
//!
//! The halves share rustls's connection state (one `RefCell`, borrowed for a synchronous pass
//! and never across an await): the reader decrypts in place in its own `incoming` buffer, the
//! writer encrypts into its own `outgoing` one, passing rustls an empty buffer of received
//! records (the unbuffered API keeps no partial record of its own, so the reader's buffer is
//! the only place they live).
//!
//! Records that reading makes the connection send (the answer to a peer's key update, an
//! alert) are queued in `control`, and the writer sends them ahead of its next write. RFC 8446
//! §4.6.3 asks for the updated key only before our next application data, which is exactly
//! when the writer sends it.

use std::cell::RefCell;
use std::io;
use std::rc::Rc;

use super::{Side, Step, Tls, hand_out, prepare_read, process, queue_close_notify, shrink_idle};
use crate::transport::{TransportRead, TransportWrite};
use bext_core::limits::TLS_INCOMING_BYTES_MAX;
use bext_shards::rt::BufResult;

struct Shared<C> {
    conn: RefCell<C>,
    /// Records the reader's passes produced, sent by the writer ahead of its next write.
    control: RefCell<Vec<u8>>,
}

/// The reading half: decrypts what the peer sends.
pub(crate) struct TlsReader<R, C> {
    io: R,
    shared: Rc<Shared<C>>,
    incoming: Vec<u8>,
    plain: Vec<u8>,
    plain_at: usize,
    closed: bool,
    streaming: bool,
}

/// The writing half: encrypts what the driver sends.
pub(crate) struct TlsWriter<W, C> {
    io: W,
    shared: Rc<Shared<C>>,
    outgoing: Vec<u8>,
    /// Always empty: the received records the writer's passes see (none; they are the
    /// reader's).
    no_records: Vec<u8>,
}

/// What an unsplit connection had buffered.
pub(super) struct Buffers {
    pub incoming: Vec<u8>,
    pub plain: Vec<u8>,
    pub plain_at: usize,
    pub outgoing: Vec<u8>,
    pub closed: bool,
    pub streaming: bool,
}

pub(super) fn split<R, W, C>(
    conn: C,
    reader: R,
    writer: W,
    buffers: Buffers,
) -> (TlsReader<R, C>, TlsWriter<W, C>) {
    let shared = Rc::new(Shared {
        conn: RefCell::new(conn),
        // Anything the unsplit connection had yet to send goes first.
        control: RefCell::new(buffers.outgoing),
    });
    (
        TlsReader {
            io: reader,
            shared: shared.clone(),
            incoming: buffers.incoming,
            plain: buffers.plain,
            plain_at: buffers.plain_at,
            closed: buffers.closed,
            streaming: buffers.streaming,
        },
        TlsWriter {
            io: writer,
            shared,
            outgoing: Vec::new(),
            no_records: Vec::new(),
        },
    )
}

/// The connection `reader` and `writer` were split from, whole again, its transport rejoined
/// by `io`: `None` if they are halves of different connections. What the reader had
/// buffered is the connection's again, and records queued for the writer are sent first.
pub(super) fn rejoin<R, W, T, C>(
    reader: TlsReader<R, C>,
    writer: TlsWriter<W, C>,
    io: impl FnOnce(R, W) -> Option<T>,
) -> Option<Tls<T, C>> {
    if !Rc::ptr_eq(&reader.shared, &writer.shared) {
        return None;
    }
    let TlsWriter {
        io: writer_io,
        shared,
        outgoing,
        ..
    } = writer;
    drop(shared);
    let TlsReader {
        io: reader_io,
        shared,
        incoming,
        plain,
        plain_at,
        closed,
        streaming,
    } = reader;
    let shared = Rc::try_unwrap(shared).ok()?;
    let mut control = shared.control.into_inner();
    control.extend_from_slice(&outgoing);
    Some(Tls {
        io: io(reader_io, writer_io)?,
        conn: shared.conn.into_inner(),
        incoming,
        plain,
        plain_at,
        outgoing: control,
        closed,
        streaming,
    })
}

impl<R: TransportRead, C: Side> TransportRead for TlsReader<R, C> {
    async fn read(&mut self, mut buf: Vec<u8>) -> BufResult<usize> {
        loop {
            if let Some(n) = hand_out(&mut self.plain, &mut self.plain_at, &mut buf) {
                return (Ok(n), buf);
            }
            if self.closed {
                return (Ok(0), buf);
            }
            let step = {
                let mut conn = self.shared.conn.borrow_mut();
                let mut control = self.shared.control.borrow_mut();
                process(
                    &mut *conn,
                    &mut self.incoming,
                    &mut self.plain,
                    &mut control,
                    &mut self.closed,
                    None,
                )
            };
            match step {
                // Data: handed out above. Transmit: the records wait in `control` for the
                // writer.
                Ok(Step::Data | Step::Transmit) => continue,
                Ok(Step::Closed) => return (Ok(0), buf),
                Ok(Step::Ready | Step::NeedRead) => {}
                Err(e) => return (Err(e), buf),
            }
            if self.incoming.len() >= TLS_INCOMING_BYTES_MAX {
                let e =
                    io::Error::new(io::ErrorKind::InvalidData, "records larger than TLS allows");
                return (Err(e), buf);
            }
            shrink_idle(&mut self.plain);
            prepare_read(&mut self.incoming, self.streaming);
            let room = self.incoming.capacity() - self.incoming.len();
            let (result, back) = self.io.read(std::mem::take(&mut self.incoming)).await;
            self.incoming = back;
            self.streaming = matches!(result, Ok(n) if n == room);
            match result {
                Ok(0) => return (Ok(0), buf),
                Ok(_) => {}
                Err(e) => return (Err(e), buf),
            }
        }
    }
}

impl<W: TransportWrite, C: Side> TlsWriter<W, C> {
    /// Moves the reader's queued records into `outgoing`, ahead of what is encrypted next.
    fn take_control(&mut self) {
        let mut control = self.shared.control.borrow_mut();
        if !control.is_empty() {
            self.outgoing.append(&mut control);
        }
    }

    async fn flush(&mut self) -> io::Result<()> {
        if self.outgoing.is_empty() {
            return Ok(());
        }
        let (result, mut back) = self.io.write_all(std::mem::take(&mut self.outgoing)).await;
        back.clear();
        self.outgoing = back;
        shrink_idle(&mut self.outgoing);
        result
    }
}

impl<W: TransportWrite, C: Side> TransportWrite for TlsWriter<W, C> {
    async fn write_all(&mut self, buf: Vec<u8>) -> BufResult<()> {
        self.take_control();
        let mut plain = Vec::new();
        let mut closed = false;
        loop {
            let step = process(
                &mut *self.shared.conn.borrow_mut(),
                &mut self.no_records,
                &mut plain,
                &mut self.outgoing,
                &mut closed,
                Some(&buf),
            );
            match step {
                Ok(Step::Ready) => break,
                // Records to send ahead of the data: they are in `outgoing` already.
                Ok(Step::Transmit) => continue,
                Ok(Step::Closed) => return (Err(io::ErrorKind::BrokenPipe.into()), buf),
                Ok(Step::Data | Step::NeedRead) => {
                    let e = io::Error::other("the TLS connection cannot send");
                    return (Err(e), buf);
                }
                Err(e) => return (Err(e), buf),
            }
        }
        (self.flush().await, buf)
    }

    async fn shutdown_write(&mut self) -> io::Result<()> {
        self.take_control();
        // close_notify, best effort: the peer may already be gone.
        let _ = queue_close_notify(
            &mut *self.shared.conn.borrow_mut(),
            &mut self.no_records,
            &mut self.outgoing,
        );
        let _ = self.flush().await;
        self.io.shutdown_write().await
    }
}
