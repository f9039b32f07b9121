//! App sites: pages rendered by the shard's JavaScript engine, cached per shard (ISR).
//! (Being wired; see render/.)

use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Instant;

use super::shard::Shard;
use super::static_files::{self, Answer, Ask};

/// A request for an app site, as the slow path has it.
pub(crate) struct Incoming<'a> {
    pub ask: &'a Ask<'a>,
    pub target: &'a [u8],
    pub method: &'a [u8],
    pub fields: &'a [u8],
    pub body: Option<Vec<u8>>,
    pub peer: SocketAddr,
}

/// The synchronous path: a fresh or stale ISR entry for this request.
pub(crate) fn answer_cached(
    _shard: &Shard,
    _site: usize,
    _ask: &Ask<'_>,
    _out: &mut Vec<u8>,
) -> Option<Answer> {
    None
}

pub(crate) async fn answer(
    shard: &Rc<Shard>,
    _site: usize,
    request: Incoming<'_>,
    started: Instant,
    out: &mut Vec<u8>,
) -> Answer {
    static_files::answer_miss(shard, request.ask, started, out).await
}
