//! Edge cases: long chains of chunks freed without recursion, re-entrant
//! `init` closures, elements holding handles into other chunks, allocation
//! failure.

use std::sync::atomic::{AtomicUsize, Ordering};

use arena_arc::{Allocator, ArcSingle, ArcSlice};
use arena_arc_tests::{DropLog, Tracked, expect_panic, scaled};

/// A linked list whose every node sits in a chunk of its own (N = 1), each
/// holding the last handle to the previous one.
struct Link {
    _prev: Option<ArcSingle<Link>>,
    _payload: [u64; 2],
}

#[test]
fn a_long_chain_of_chunks_is_freed_without_stack_overflow() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Counted(#[allow(dead_code)] Link);
    impl Drop for Counted {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::Relaxed);
        }
    }
    let n = scaled(1_000_000, 1_000);
    let mut alloc: Allocator<Link, u32, 1> = Allocator::new();
    let mut head = None;
    for i in 0..n {
        head = Some(alloc.alloc_value(Link {
            _prev: head.take(),
            _payload: [i as u64; 2],
        }));
    }
    assert_eq!(alloc.stats().chunks, n);
    drop(alloc);
    // Run the drop on a thread with a small stack: recursion through a
    // million chunks would need hundreds of MiB.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let counted = Counted(Link {
                _prev: head,
                _payload: [0; 2],
            });
            drop(counted);
        })
        .unwrap();
    handle
        .join()
        .expect("dropping the chain overflowed or panicked");
    assert_eq!(DROPS.load(Ordering::Relaxed), 1);
}

#[test]
fn a_chain_across_allocators_and_slices() {
    // Slices whose elements hold the previous slice, in chunks of 2.
    let log = DropLog::new();
    struct Node {
        _t: Tracked,
        _prev: ArcSlice<Node>,
    }
    let n = scaled(50_000, 150);
    let mut alloc: Allocator<Node, u32, 2> = Allocator::new();
    let mut prev = ArcSlice::empty();
    for i in 0..n {
        let p = prev.clone();
        prev = alloc.alloc(3, |k| Node {
            _t: log.make(3 * i + k),
            _prev: p.clone(),
        });
    }
    drop(alloc);
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || drop(prev))
        .unwrap()
        .join()
        .unwrap();
    log.assert_dropped_once(0..3 * n);
    log.assert_all_dropped_once();
}

#[test]
fn init_closures_that_clone_and_drop_handles_of_the_same_allocator() {
    let log = DropLog::new();
    let mut alloc: Allocator<Tracked, u32, 8> = Allocator::new();
    let first = alloc.alloc(4, |i| log.make(i));
    let mut stash = Vec::new();
    let mut victim = Some(alloc.alloc(2, |i| log.make(10 + i)));
    // `init` clones handles into the current chunk and drops the last handle
    // of another while the allocator writes into that same chunk.
    let second = alloc.alloc(6, |i| {
        stash.push(first.clone());
        if i == 3 {
            drop(victim.take());
        }
        log.make(20 + i)
    });
    assert_eq!(stash.len(), 6);
    assert_eq!(second[5].id, 25);
    drop(alloc);
    drop((first, second, stash));
    log.assert_all_dropped_once();
}

#[test]
fn init_closures_that_allocate_from_another_allocator_of_the_same_type() {
    let log = DropLog::new();
    let mut outer: Allocator<Tracked, u32, 4> = Allocator::new();
    let mut inner: Allocator<Tracked, u32, 4> = Allocator::new();
    let mut made = Vec::new();
    let h = outer.alloc(6, |i| {
        made.push(inner.alloc_value(log.make(100 + i)));
        log.make(i)
    });
    assert_eq!(made.len(), 6);
    assert_eq!(h[5].id, 5);
    drop((outer, inner, h, made));
    log.assert_all_dropped_once();
}

#[test]
fn elements_holding_handles_into_other_chunks() {
    let log = DropLog::new();
    let mut leaves: Allocator<Tracked, u32, 4> = Allocator::new();
    let mut parents: Allocator<(Tracked, ArcSlice<Tracked>), u32, 4> = Allocator::new();
    let mut roots = Vec::new();
    for p in 0..10 {
        let kids = leaves.alloc(3, |k| log.make(1000 + p * 3 + k));
        roots.push(parents.alloc_value((log.make(p), kids)));
    }
    drop((leaves, parents));
    // Drop in an order that frees parent chunks before and after leaf ones.
    roots.reverse();
    for r in roots.drain(..5) {
        assert_eq!(r.1.len(), 3);
    }
    drop(roots);
    log.assert_all_dropped_once();
}

#[test]
fn impossible_sizes_fail_before_running_init() {
    let mut alloc: Allocator<u64, usize, 16> = Allocator::new();
    let mut called = false;
    let msg = expect_panic(|| {
        alloc.alloc(usize::MAX / 4, |_| {
            called = true;
            0
        })
    });
    assert!(msg.contains("capacity overflow"), "{msg}");
    assert!(!called);
    // Still usable.
    assert_eq!(alloc.alloc_slice_copy(&[1, 2]), [1, 2]);
}

#[test]
fn zero_sized_elements_with_huge_lengths_need_no_memory() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Zst;
    impl Drop for Zst {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::Relaxed);
        }
    }
    let mut alloc: Allocator<Zst, usize, 4> = Allocator::new();
    let n = scaled(10_000_000, 1_000);
    let h = alloc.alloc_from_iter(std::iter::repeat_with(|| Zst).take(n));
    assert_eq!(h.len(), n);
    assert!(alloc.stats().bytes_reserved < 1024);
    drop((h, alloc));
    assert_eq!(DROPS.load(Ordering::Relaxed), n);
}

#[test]
fn alignments_up_to_4096() {
    // (Alignment 1 is `u8`, covered in shapes.rs.)
    macro_rules! check {
        ($($align:literal),*) => {$({
            #[repr(align($align))]
            struct A(u8);
            let mut alloc: Allocator<A, u32, 3> = Allocator::new();
            let hs: Vec<_> = (0..5u8).map(|i| alloc.alloc(u32::from(i % 4 + 1), |k| A(i + k as u8))).collect();
            for (i, h) in hs.iter().enumerate() {
                for (k, a) in h.iter().enumerate() {
                    assert_eq!(a as *const A as usize % $align, 0);
                    assert_eq!(a.0, i as u8 + k as u8);
                }
            }
        })*};
    }
    check!(2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096);
}
