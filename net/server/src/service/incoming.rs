//! A request body read while its handler answers ([`BodyUse::Stream`]).
//!
//! The proxy and FastCGI pass a body on as it arrives instead of holding all of it first
//! (nginx's `proxy_request_buffering off`), so an upload's memory is one read's worth and the
//! upstream sees its first bytes at once. Each protocol driver supplies the body in its own
//! way behind [`IncomingBody`]: HTTP/1.1 from the connection's reads, which the driver makes
//! only while the handler waits for more ([`Feed`]), so a client is held to the pace of the
//! server the body goes to; HTTP/2 from the stream's frames, its window released as pieces
//! are taken. The handler takes the body once ([`Request::take_incoming`]).
//!
//! A body that fails (too large, stalled, broken framing, the client gone) ends with a
//! [`BodyFault`]: the handler stops, answers the fault's status, and the connection closes.
//!
//! [`BodyUse::Stream`]: super::BodyUse::Stream
//! [`Request::take_incoming`]: super::Request::take_incoming

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;

/// Why a request body could not be read to its end: the answer's status and the log's reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BodyFault {
    pub status: u16,
    pub reason: &'static str,
}

/// The next piece of a body, `None` at its end.
pub(crate) type NextPiece<'a> =
    Pin<Box<dyn Future<Output = Option<Result<Bytes, BodyFault>>> + 'a>>;

/// A request body as it arrives.
pub(crate) trait IncomingBody {
    /// The next piece (never empty), `None` once the body has ended.
    fn next(&mut self) -> NextPiece<'_>;
    /// What [`IncomingBody::next`] would give without waiting, if anything (`None`: it
    /// would wait). Lets a handler gather what is at hand into one write.
    fn try_next(&mut self) -> Option<Option<Result<Bytes, BodyFault>>> {
        None
    }
    /// The body's length, when the client declared it.
    fn length(&self) -> Option<u64>;
}

/// Where a request keeps its incoming body until the handler takes it.
#[derive(Default)]
pub(crate) struct BodyCell(RefCell<Option<Box<dyn IncomingBody>>>);

impl BodyCell {
    pub fn new(body: Box<dyn IncomingBody>) -> BodyCell {
        BodyCell(RefCell::new(Some(body)))
    }

    pub fn take(&self) -> Option<Box<dyn IncomingBody>> {
        self.0.borrow_mut().take()
    }
}

impl fmt::Debug for BodyCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let taken = self.0.borrow().is_none();
        f.debug_struct("BodyCell").field("taken", &taken).finish()
    }
}

/// Reads an incoming body whole, up to `max` bytes (a handler that needs all of it, such as
/// FastCGI for a body of unknown length).
pub(crate) async fn collect(body: &mut dyn IncomingBody, max: u64) -> Result<Vec<u8>, BodyFault> {
    let mut whole = Vec::with_capacity(
        body.length()
            .and_then(|n| usize::try_from(n.min(max)).ok())
            .unwrap_or(0),
    );
    while let Some(piece) = body.next().await {
        let piece = piece?;
        if (whole.len() + piece.len()) as u64 > max {
            return Err(BodyFault {
                status: 413,
                reason: "body too large",
            });
        }
        whole.extend_from_slice(&piece);
    }
    Ok(whole)
}

/// The HTTP/1.1 driver's side of a body it feeds to the handler: pieces pushed as the
/// connection decodes them, and whether the handler is waiting for more (then the driver
/// reads). One piece at a time is enough: the driver pushes a read's runs, then waits.
#[derive(Clone, Default)]
pub(crate) struct Feed(Rc<RefCell<FeedState>>);

#[derive(Default)]
struct FeedState {
    pieces: VecDeque<Bytes>,
    /// The body ended: `Ok` at its end, `Err` when it failed.
    end: Option<Result<(), BodyFault>>,
    /// The handler's task, waiting for a piece.
    waiting: Option<Waker>,
    length: Option<u64>,
}

impl Feed {
    pub fn new(length: Option<u64>) -> Feed {
        Feed(Rc::new(RefCell::new(FeedState {
            length,
            ..FeedState::default()
        })))
    }

    /// The handler's end of it.
    pub fn body(&self) -> Box<dyn IncomingBody> {
        Box::new(self.clone())
    }

    pub fn push(&self, piece: &[u8]) {
        if piece.is_empty() {
            return;
        }
        let mut state = self.0.borrow_mut();
        state.pieces.push_back(Bytes::copy_from_slice(piece));
        if let Some(waker) = state.waiting.take() {
            waker.wake();
        }
    }

    /// The body ended (`Ok`) or failed.
    pub fn end(&self, end: Result<(), BodyFault>) {
        let mut state = self.0.borrow_mut();
        state.end.get_or_insert(end);
        if let Some(waker) = state.waiting.take() {
            waker.wake();
        }
    }

    pub fn ended(&self) -> bool {
        self.0.borrow().end.is_some()
    }

    /// The handler waits for a piece that has not come: the driver should read.
    pub fn starved(&self) -> bool {
        let state = self.0.borrow();
        state.waiting.is_some() && state.pieces.is_empty() && state.end.is_none()
    }
}

impl IncomingBody for Feed {
    fn next(&mut self) -> NextPiece<'_> {
        Box::pin(std::future::poll_fn(|cx: &mut Context<'_>| {
            let mut state = self.0.borrow_mut();
            if let Some(piece) = state.pieces.pop_front() {
                return Poll::Ready(Some(Ok(piece)));
            }
            match state.end {
                Some(Ok(())) => Poll::Ready(None),
                Some(Err(fault)) => Poll::Ready(Some(Err(fault))),
                None => {
                    state.waiting = Some(cx.waker().clone());
                    Poll::Pending
                }
            }
        }))
    }

    fn try_next(&mut self) -> Option<Option<Result<Bytes, BodyFault>>> {
        let mut state = self.0.borrow_mut();
        if let Some(piece) = state.pieces.pop_front() {
            return Some(Some(Ok(piece)));
        }
        match state.end {
            Some(Ok(())) => Some(None),
            Some(Err(fault)) => Some(Some(Err(fault))),
            None => None,
        }
    }

    fn length(&self) -> Option<u64> {
        self.0.borrow().length
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll_once<T>(future: &mut Pin<Box<dyn Future<Output = T> + '_>>) -> Poll<T> {
        let mut cx = Context::from_waker(Waker::noop());
        future.as_mut().poll(&mut cx)
    }

    #[test]
    fn a_feed_hands_over_pieces_then_its_end() {
        let feed = Feed::new(Some(5));
        let mut body = feed.body();
        assert_eq!(body.length(), Some(5));
        {
            let mut next = body.next();
            assert!(poll_once(&mut next).is_pending());
        }
        assert!(feed.starved(), "a waiting handler asks for a read");
        feed.push(b"he");
        feed.push(b"");
        feed.push(b"llo");
        assert!(!feed.starved());
        feed.end(Ok(()));
        let mut got = Vec::new();
        loop {
            let mut next = body.next();
            match poll_once(&mut next) {
                Poll::Ready(Some(Ok(piece))) => got.push(piece),
                Poll::Ready(None) => break,
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(got, [Bytes::from_static(b"he"), Bytes::from_static(b"llo")]);
    }

    #[test]
    fn a_failed_feed_gives_its_fault_after_what_came_before() {
        let feed = Feed::new(None);
        let mut body = feed.body();
        feed.push(b"ab");
        let fault = BodyFault {
            status: 408,
            reason: "body timeout",
        };
        feed.end(Err(fault));
        feed.end(Ok(()));
        let mut next = body.next();
        assert!(matches!(poll_once(&mut next), Poll::Ready(Some(Ok(_)))));
        drop(next);
        let mut next = body.next();
        assert_eq!(poll_once(&mut next), Poll::Ready(Some(Err(fault))));
    }

    #[test]
    fn collecting_stops_at_the_bound() {
        let feed = Feed::new(None);
        let mut body = feed.body();
        feed.push(b"abc");
        feed.push(b"def");
        feed.end(Ok(()));
        let mut whole = Box::pin(collect(body.as_mut(), 5));
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(
            whole.as_mut().poll(&mut cx),
            Poll::Ready(Err(BodyFault {
                status: 413,
                reason: "body too large"
            }))
        );
    }
}
