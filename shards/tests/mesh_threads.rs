//! The mesh between real shards: pinned threads on the real executor backend, cross-thread
//! wake-ups, broadcast and back-pressure.
#![cfg(not(loom))]

use std::time::{Duration, Instant};

use bext_shards::mesh::mesh;
use bext_shards::rt::{self, RuntimeOptions};

/// Every shard sends `rounds` numbered messages to every other shard; each receiver must see
/// all of them, in order per sender, while parked between bursts.
#[test]
fn all_to_all_messages_arrive_in_order_per_sender() {
    const SHARDS: usize = 3;
    const ROUNDS: u32 = 2_000;
    let (_control, receivers) = mesh::<(usize, u32)>(SHARDS, 64);
    let handles: Vec<_> = receivers
        .into_iter()
        .map(|rx| {
            std::thread::spawn(move || {
                let mut seen = vec![0u32; SHARDS];
                rt::run(RuntimeOptions::default(), |_| async {
                    let me = rx.shard();
                    let tx = rx.sender();
                    let sent = std::rc::Rc::new(std::cell::Cell::new(false));
                    let sent_flag = sent.clone();
                    let sender = async move {
                        for n in 0..ROUNDS {
                            for to in (0..SHARDS).filter(|&to| to != me) {
                                let mut msg = (me, n);
                                // A full inbox hands the message back: wait and retry.
                                let deadline = Instant::now() + Duration::from_secs(20);
                                while let Err(full) = tx.send(to, msg) {
                                    assert!(Instant::now() < deadline, "peer {to} never drained");
                                    msg = full.0;
                                    rt::sleep(Duration::from_micros(50)).await;
                                }
                            }
                        }
                        sent_flag.set(true);
                    };
                    rt::spawn(sender);
                    let expected = (SHARDS as u32 - 1) * ROUNDS;
                    for _ in 0..expected {
                        let got = rt::timeout(Duration::from_secs(20), rx.recv()).await;
                        let (from, n) = got.expect("a message was lost: receiver never woken");
                        assert_eq!(seen[from], n, "messages from one sender arrive in order");
                        seen[from] += 1;
                    }
                    // Leaving block_on drops the shard's tasks: let our sender finish first.
                    let deadline = Instant::now() + Duration::from_secs(20);
                    while !sent.get() {
                        assert!(Instant::now() < deadline, "sender never finished");
                        rt::sleep(Duration::from_millis(1)).await;
                    }
                })
                .unwrap();
                seen
            })
        })
        .collect();
    for (me, handle) in handles.into_iter().enumerate() {
        let seen = handle.join().unwrap();
        for (from, count) in seen.into_iter().enumerate() {
            assert_eq!(count, if from == me { 0 } else { ROUNDS });
        }
    }
}

#[test]
fn broadcast_reports_full_inboxes() {
    let (tx, receivers) = mesh::<u8>(2, 1);
    assert!(tx.broadcast(|_| 1).is_empty());
    assert_eq!(tx.broadcast(|_| 2), vec![0, 1], "both inboxes are full now");
    assert_eq!(receivers[0].try_recv(), Some(1));
    assert_eq!(tx.broadcast(|_| 3), vec![1], "only shard 1 is still full");
    assert!(tx.send(7, 0).is_err(), "no such shard");
}
