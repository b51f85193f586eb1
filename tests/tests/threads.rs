//! Handles are read, cloned and dropped on other threads while the allocator
//! keeps writing into the same chunk; the allocator itself moves between
//! threads. Small enough to run under Miri, which checks for data races.

use std::sync::mpsc;
use std::thread;

use arena_arc::{Allocator, ArcSingle, ArcSlice};
use arena_arc_tests::{DropLog, scaled};

#[test]
fn readers_on_other_threads_while_allocating_into_the_same_chunk() {
    let rounds = scaled(2_000, 60);
    // One chunk big enough for everything: every handle shares it.
    let mut alloc: Allocator<u64, u32, 8192> = Allocator::new();
    let (tx, rx) = mpsc::channel::<ArcSlice<u64>>();
    thread::scope(|s| {
        let reader = s.spawn(move || {
            let mut sum = 0u64;
            let mut kept = Vec::new();
            for h in rx {
                // Read the whole slice while the writer keeps appending.
                let expected_first = h[0];
                for (i, &x) in h.iter().enumerate() {
                    assert_eq!(x, expected_first + i as u64);
                }
                sum += h.iter().sum::<u64>();
                kept.push(h.clone());
            }
            (sum, kept)
        });
        let mut expected = 0u64;
        let mut own = Vec::new();
        for r in 0..rounds {
            let base = (r * 10) as u64;
            let h = alloc.alloc(3, |i| base + i as u64);
            expected += 3 * base + 3;
            own.push(h.clone());
            tx.send(h).unwrap();
        }
        drop(tx);
        assert_eq!(alloc.stats().chunks, 1, "all in one chunk");
        let (sum, kept) = reader.join().unwrap();
        assert_eq!(sum, expected);
        assert_eq!(kept.len(), rounds);
        // Our own borrows are untouched by everything written after them.
        for (r, h) in own.iter().enumerate() {
            assert_eq!(
                h.get(),
                &[(r * 10) as u64, (r * 10) as u64 + 1, (r * 10) as u64 + 2]
            );
        }
    });
}

#[test]
fn borrowed_slice_survives_later_allocations() {
    let mut alloc: Allocator<u32, u32, 64> = Allocator::new();
    let first = alloc.alloc(4, |i| i as u32);
    let borrowed: &[u32] = first.get();
    let mut later = Vec::new();
    for i in 0..scaled(500, 40) {
        later.push(alloc.alloc(3, |j| (i * 3 + j) as u32));
    }
    assert_eq!(borrowed, &[0, 1, 2, 3]);
    assert_eq!(later[5], [15, 16, 17]);
}

#[test]
fn clones_and_drops_race_with_allocation() {
    let log = DropLog::new();
    let n = scaled(300, 30);
    let mut alloc: Allocator<_, u32, 4096> = Allocator::new();
    let shared = alloc.alloc(4, |i| log.make(i));
    thread::scope(|s| {
        for _ in 0..2 {
            let shared = shared.clone();
            s.spawn(move || {
                for _ in 0..n {
                    let c = shared.clone();
                    let e: ArcSingle<_> = c.element(2).unwrap();
                    assert_eq!(e.id, 2);
                    drop(c);
                }
            });
        }
        for i in 0..n {
            // Same chunk as `shared`.
            let h = alloc.alloc_value(log.make(100 + i));
            assert_eq!(h.id, 100 + i);
        }
    });
    drop(shared);
    log.assert_not_dropped(0..4);
    drop(alloc);
    log.assert_dropped_once(0..4);
    log.assert_all_dropped_once();
}

#[test]
fn allocator_moves_to_a_worker_thread() {
    let log = DropLog::new();
    let mut alloc: Allocator<_, u32, 8> = Allocator::new();
    let before = alloc.alloc(3, |i| log.make(i));
    let log2 = log.clone();
    let (alloc, made) = thread::spawn(move || {
        let made: Vec<_> = (0..20)
            .map(|i| alloc.alloc_value(log2.make(10 + i)))
            .collect();
        (alloc, made)
    })
    .join()
    .unwrap();
    assert_eq!(before[2].id, 2);
    assert_eq!(made[19].id, 29);
    assert!(alloc.stats().chunks >= 3);
    // The allocator is dropped on yet another thread.
    thread::spawn(move || drop(alloc)).join().unwrap();
    drop((before, made));
    log.assert_all_dropped_once();
}

#[test]
fn last_handle_dropped_on_another_thread_frees_the_chunk() {
    let log = DropLog::new();
    let mut alloc: Allocator<_, u32, 16> = Allocator::new();
    let h = alloc.alloc(5, |i| log.make(i));
    drop(alloc);
    let log2 = log.clone();
    thread::spawn(move || {
        log2.assert_not_dropped(0..5);
        drop(h);
        log2.assert_dropped_once(0..5);
    })
    .join()
    .unwrap();
    log.assert_all_dropped_once();
}
