//! Model tests of the mesh's queue-and-wake protocol: under every interleaving loom explores,
//! a parked receiver is woken for every message and none is lost or duplicated.
//!
//! Run: `RUSTFLAGS="--cfg loom" cargo test -p bext-shards --test loom_mesh --release`
//! (the test suite does). Without `--cfg loom` this file is empty.
#![cfg(loom)]

use bext_shards::mesh::mesh;

/// Receives `expected` messages on the current loom thread, parking between them.
fn receive_all(rx: &bext_shards::mesh::MeshReceiver<u32>, expected: usize) -> Vec<u32> {
    (0..expected)
        .map(|_| loom::future::block_on(rx.recv()))
        .collect()
}

#[test]
fn one_sender_wakes_parked_receiver() {
    loom::model(|| {
        let (tx, mut rxs) = mesh::<u32>(1, 4);
        let rx = rxs.remove(0);
        let sender = loom::thread::spawn(move || {
            tx.send(0, 1).unwrap();
            tx.send(0, 2).unwrap();
        });
        let got = receive_all(&rx, 2);
        sender.join().unwrap();
        assert_eq!(got, vec![1, 2]);
    });
}

#[test]
fn two_senders_no_lost_wakeup() {
    loom::model(|| {
        let (tx, mut rxs) = mesh::<u32>(1, 4);
        let rx = rxs.remove(0);
        let tx2 = tx.clone();
        let a = loom::thread::spawn(move || tx.send(0, 10).unwrap());
        let b = loom::thread::spawn(move || tx2.send(0, 20).unwrap());
        let mut got = receive_all(&rx, 2);
        a.join().unwrap();
        b.join().unwrap();
        got.sort();
        assert_eq!(got, vec![10, 20]);
    });
}

#[test]
fn full_inbox_is_back_pressure() {
    loom::model(|| {
        let (tx, mut rxs) = mesh::<u32>(1, 1);
        let rx = rxs.remove(0);
        let sender = loom::thread::spawn(move || {
            tx.send(0, 1).unwrap();
            // Either the receiver already took 1 (this fits) or the inbox is full and the
            // message comes back to us: never silently dropped.
            match tx.send(0, 2) {
                Ok(()) => true,
                Err(full) => {
                    assert_eq!(full.0, 2);
                    false
                }
            }
        });
        let first = loom::future::block_on(rx.recv());
        let second_sent = sender.join().unwrap();
        assert_eq!(first, 1);
        if second_sent {
            assert_eq!(loom::future::block_on(rx.recv()), 2);
        }
    });
}
