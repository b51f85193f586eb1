//! `SliceBuilder`: slices written in place while their pool goes on
//! allocating. Every element pushed is dropped exactly once, whether the
//! builder is finished, dropped, or unwound; room a builder leaves unused is
//! never read or dropped; a pending builder keeps its chunk (and its room)
//! out of reach of the pool's reuse.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use arena_arc::{Allocator, ArcSlice, ArenaAlloc, ArenaType, PoolScope, SliceBuilder};
use arena_arc_tests::{DropLog, Liar, Tracked, expect_panic, scaled};

/// A tree whose nodes hold their children as one slice, with drop glue.
#[derive(ArenaAlloc, Debug)]
#[arena(chunk = 32)]
struct Node {
    tag: Tracked,
    children: ArcSlice<Node>,
}

/// Builds a complete tree of `fan`-ary nodes, depth `depth`, with the
/// children of each node written in place in `pool` while their own
/// children are allocated; ids are given in pre-order from `next`.
fn build_in<const N: usize>(
    pool: &mut Allocator<Node, u32, N>,
    log: &std::sync::Arc<DropLog>,
    depth: u32,
    fan: usize,
    next: &mut usize,
) -> ArcSlice<Node> {
    let mut kids = Node::slice_builder_in(pool, fan);
    for _ in 0..fan {
        *next += 1;
        let tag = log.make(*next);
        let children = if depth > 1 {
            build_in(pool, log, depth - 1, fan, next)
        } else {
            ArcSlice::empty()
        };
        kids.push(Node { tag, children });
    }
    kids.finish()
}

/// Pre-order ids of a forest.
fn ids(nodes: &[Node], out: &mut Vec<usize>) {
    for node in nodes {
        out.push(node.tag.id);
        ids(&node.children, out);
    }
}

#[test]
fn a_tree_built_in_place_reads_back_in_order_and_is_freed() {
    let log = DropLog::new();
    let mut pool: Allocator<Node, u32, 32> = Allocator::new();
    let mut next = 0;
    let forest = build_in(&mut pool, &log, 3, 4, &mut next);
    let mut seen = Vec::new();
    ids(&forest, &mut seen);
    assert_eq!(seen, (1..=4 + 16 + 64).collect::<Vec<_>>());
    assert_eq!(log.alive(), 84);
    drop(forest);
    // Cycle-aware: the whole tree goes with its last handle, the pool alive.
    log.assert_all_dropped_once();
    drop(pool);
}

#[test]
fn per_thread_builders_nest_while_the_children_allocate() {
    let log = DropLog::new();
    fn build(log: &std::sync::Arc<DropLog>, depth: u32, next: &mut usize) -> ArcSlice<Node> {
        let mut kids = Node::slice_builder(3);
        for _ in 0..3 {
            *next += 1;
            let tag = log.make(*next);
            let children = if depth > 1 {
                build(log, depth - 1, next)
            } else {
                // The pool is free here: a single value goes through the
                // per-thread hot path, with builders pending further up.
                Node::alloc(Node {
                    tag: log.make(1000 + *next),
                    children: ArcSlice::empty(),
                })
                .into()
            };
            kids.push(Node { tag, children });
        }
        kids.finish()
    }
    let forest = build(&log, 3, &mut 0);
    let mut seen = Vec::new();
    ids(&forest, &mut seen);
    assert_eq!(seen.len(), 3 + 9 + 27 + 27);
    assert_eq!(&seen[..4], &[1, 2, 3, 1003]);
    drop(forest);
    log.assert_all_dropped_once();
}

#[test]
fn a_builder_dropped_unfinished_drops_what_was_pushed() {
    let log = DropLog::new();
    let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
    pool.break_cycles();
    let kept = pool.alloc_value(log.make(0));
    let mut b = pool.slice_builder(5);
    b.push(log.make(1));
    b.push(log.make(2));
    drop(b);
    log.assert_dropped_once([1, 2]);
    log.assert_not_dropped([0]);
    // The pool goes on; its next allocations are fine.
    let after = pool.alloc_from_iter([log.make(3), log.make(4)]);
    assert_eq!(after.iter().map(|t| t.id).collect::<Vec<_>>(), [3, 4]);
    drop((kept, after, pool));
    log.assert_all_dropped_once();
}

#[test]
fn a_panic_while_building_drops_the_elements_pushed() {
    let log = DropLog::new();
    let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
    pool.break_cycles();
    let msg = expect_panic(|| {
        let mut b = pool.slice_builder(4);
        b.extend((1..=4).map(|i| {
            assert!(i < 3, "element {i} fails");
            log.make(i)
        }));
        b.finish()
    });
    assert!(msg.contains("element 3 fails"), "{msg}");
    log.assert_dropped_once([1, 2]);
    assert_eq!(log.alive(), 0);
    // Pushing past the capacity grows the builder: the elements move to new
    // room, none is dropped or duplicated; a panic then drops them all once.
    let mut b = pool.slice_builder(1);
    b.push(log.make(10));
    b.push(log.make(11));
    assert!(b.capacity() >= 2);
    assert_eq!(log.alive(), 2);
    let maker = log.clone();
    let msg = expect_panic(move || {
        b.extend((12..=14).map(|i| {
            assert!(i < 14, "element {i} fails");
            maker.make(i)
        }));
    });
    assert!(msg.contains("element 14 fails"), "{msg}");
    log.assert_dropped_once([10, 11, 12, 13]);
    let mut b = pool.slice_builder(1);
    b.push(log.make(20));
    b.push(log.make(21));
    let two = b.finish();
    assert_eq!(two.iter().map(|t| t.id).collect::<Vec<_>>(), [20, 21]);
    drop((two, pool));
    log.assert_all_dropped_once();
}

#[test]
fn try_push_gives_the_value_back_when_full() {
    let mut pool: Allocator<String, u32, 4> = Allocator::new();
    let mut b = pool.slice_builder(1);
    assert_eq!(b.try_push("a".to_string()), Ok(()));
    assert_eq!(b.try_push("b".to_string()), Err("b".to_string()));
    assert!(b.is_full());
    assert_eq!(b.remaining_capacity(), 0);
    b.as_mut_slice()[0].push('!');
    assert_eq!(b.as_slice(), ["a!"]);
    assert_eq!(
        format!("{b:?}"),
        r#"SliceBuilder { elements: ["a!"], capacity: 1 }"#
    );
    assert_eq!(b.finish(), ["a!"]);
}

#[test]
fn partly_filled_builders_cover_only_what_was_pushed() {
    // Per value (drop glue, cycle-aware), plain (no drop glue), and a plain
    // allocator of a type with drop glue (a chunk of the builder's own).
    let log = DropLog::new();
    let mut values: Allocator<Tracked, u32, 16> = Allocator::new();
    values.break_cycles();
    let mut plain: Allocator<u64, u32, 16> = Allocator::new();
    let mut own: Allocator<Tracked, u32, 16> = Allocator::new();

    let mut a = values.slice_builder(10);
    let mut b = plain.slice_builder(10);
    let mut c = own.slice_builder(10);
    for i in 0..3 {
        a.push(log.make(i));
        b.push(i as u64);
        c.push(log.make(100 + i));
    }
    // The pools allocate after the reserved room meanwhile.
    let a2 = values.alloc_value(log.make(50));
    let b2 = plain.alloc_slice_copy(&[7, 8]);
    let c2 = own.alloc_value(log.make(150));
    let (a, b, c) = (a.finish(), b.finish(), c.finish());
    assert_eq!(a.iter().map(|t| t.id).collect::<Vec<_>>(), [0, 1, 2]);
    assert_eq!(b, [0, 1, 2]);
    assert_eq!(c.iter().map(|t| t.id).collect::<Vec<_>>(), [100, 101, 102]);
    assert_eq!((a2.id, &*b2, c2.id), (50, &[7, 8][..], 150));
    assert_eq!(
        own.stats().chunks,
        2,
        "the builder's own chunk, and the pool's"
    );
    drop(a);
    log.assert_dropped_once([0, 1, 2]);
    drop((a2, values, b, b2, plain, c, c2, own));
    log.assert_all_dropped_once();
}

#[test]
fn empty_and_zero_capacity_builders_allocate_nothing() {
    let mut pool: Allocator<u32, u32, 8> = Allocator::new();
    assert!(pool.slice_builder(0).finish().is_empty());
    assert_eq!(pool.stats().chunks, 0);
    let mut b = pool.slice_builder(0);
    assert_eq!(b.try_push(1), Err(1));
    // Room reserved and nothing pushed: the empty slice; the room stays
    // unused and the chunk is freed with the pool.
    assert!(pool.slice_builder(3).finish().is_empty());
    let x = pool.alloc_value(9);
    assert_eq!(*x, 9);
    assert_eq!(pool.stats().current_chunk_free, 8 - 3 - 1);
}

#[test]
fn builders_longer_than_a_chunk_get_one_of_their_own() {
    let log = DropLog::new();
    let mut values: Allocator<Tracked, u32, 4> = Allocator::new();
    values.break_cycles();
    let mut plain: Allocator<u16, u32, 4> = Allocator::new();
    let mut a = values.slice_builder(1000);
    let mut b = plain.slice_builder(1000);
    for i in 0..700 {
        a.push(log.make(i));
        b.push(i as u16);
    }
    let (a, b) = (a.finish(), b.finish());
    assert_eq!(a.len(), 700);
    assert_eq!(b.iter().map(|&x| x as usize).sum::<usize>(), 699 * 700 / 2);
    assert_eq!(values.stats().dedicated_chunks, 1);
    assert_eq!(plain.stats().dedicated_chunks, 1);
    drop(values);
    drop(plain);
    assert_eq!(a[699].id, 699);
    drop(a);
    log.assert_all_dropped_once();
    // The dedicated chunks report to the pools' records when freed.
    drop(b);
}

#[test]
fn a_pending_builder_keeps_its_chunk_from_being_rewound() {
    // A per-value chunk in which nothing is alive is rewound and reused. A
    // builder's room is not alive yet, but must not be handed out twice.
    let mut pool: Allocator<Vec<u8>, u32, 4> = Allocator::new();
    pool.break_cycles();
    let mut b = pool.slice_builder(2);
    let filler: Vec<_> = (0..8).map(|i| pool.alloc_value(vec![i])).collect();
    drop(filler); // everything but the builder's room is dead now
    let later: Vec<_> = (0..8).map(|i| pool.alloc_value(vec![100 + i])).collect();
    b.push(vec![1, 2]);
    b.push(vec![3]);
    let slice = b.finish();
    assert_eq!(slice, [vec![1, 2], vec![3]]);
    for (i, v) in later.iter().enumerate() {
        assert_eq!(**v, [100 + i as u8]);
    }
}

#[test]
fn a_builder_outlives_its_pool_and_moves_to_another_thread() {
    let log = DropLog::new();
    let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
    pool.break_cycles();
    let mut b: SliceBuilder<Tracked> = pool.slice_builder(3);
    b.push(log.make(1));
    drop(pool);
    let log2 = log.clone();
    let slice = std::thread::spawn(move || {
        b.push(log2.make(2));
        b.finish()
    })
    .join()
    .unwrap();
    assert_eq!(slice.iter().map(|t| t.id).collect::<Vec<_>>(), [1, 2]);
    drop(slice);
    log.assert_all_dropped_once();
}

/// A builder that outlives its pool keeps reaching the pool's record (its
/// statistics and limit) through the chunk it holds: it grows past a chunk
/// on another thread, and stops at the pool's limit, in both modes.
#[test]
fn a_builder_outliving_its_pool_grows_within_the_pools_limit() {
    for cycle_aware in [false, true] {
        let log = DropLog::new();
        let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
        if cycle_aware {
            pool.break_cycles();
        }
        let first = pool.alloc_value(log.make(0));
        pool.set_allocation_limit(Some(64 * 1024));
        let mut b: SliceBuilder<Tracked> = pool.slice_builder(2);
        b.push(log.make(1));
        drop(pool);
        let log2 = log.clone();
        let (ids, message) = std::thread::spawn(move || {
            // Past a chunk of 8, twice: chunks of its own, counted in the
            // record that only chunks keep now.
            for i in 2..40 {
                b.push(log2.make(i));
            }
            let ids: Vec<usize> = b.iter().map(|t| t.id).collect();
            // Room for 100,000 more would pass the pool's limit.
            let message = expect_panic(|| b.reserve(100_000));
            drop(b);
            (ids, message)
        })
        .join()
        .unwrap();
        assert!(ids.into_iter().eq(1..40));
        assert!(
            message.contains("allocation limit of 65536 bytes"),
            "{message}"
        );
        drop(first);
        log.assert_all_dropped_once();
    }
}

#[test]
fn per_thread_alloc_from_iter_writes_in_place_and_survives_lying_iterators() {
    std::thread::spawn(|| {
        assert_eq!(u32::alloc_from_iter(Liar::new(0..3, 5)), [0, 1, 2]);
        let long = u32::alloc_from_iter(Liar::new(0..6, 2));
        assert_eq!(long, [0, 1, 2, 3, 4, 5]);
        assert_eq!(u32::alloc_slice(4, |i| i as u32 * 3), [0, 3, 6, 9]);
    })
    .join()
    .unwrap();
}

#[test]
fn a_scoped_pool_serves_per_thread_builders() {
    static MADE: AtomicUsize = AtomicUsize::new(0);
    #[derive(ArenaAlloc, Debug, PartialEq)]
    #[arena(chunk = 16)]
    struct Item(u32);
    impl Drop for Item {
        fn drop(&mut self) {
            MADE.fetch_sub(1, SeqCst);
        }
    }
    std::thread::spawn(|| {
        let mut pool: Allocator<Item, u32, 16> = Allocator::new();
        let slice = pool.scope(|| {
            let mut b = Item::slice_builder(2);
            MADE.fetch_add(2, SeqCst);
            b.push(Item(1));
            b.push(Item(2));
            b.finish()
        });
        assert_eq!(slice.iter().map(|i| i.0).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(pool.stats().allocations, 1, "the scoped pool made it");
        drop(slice);
        assert_eq!(MADE.load(SeqCst), 0);
    })
    .join()
    .unwrap();
}

#[test]
fn building_and_dropping_in_a_loop_stays_bounded() {
    let log = DropLog::new();
    let mut pool: Allocator<Node, u32, 32> = Allocator::new();
    let mut next = 0;
    let rounds = scaled(200, 10);
    for _ in 0..rounds {
        drop(build_in(&mut pool, &log, 2, 5, &mut next));
    }
    assert_eq!(log.alive(), 0);
    let stats = pool.stats();
    assert!(stats.live_chunks <= 2, "{stats:?}");
    assert_eq!(stats.allocations, rounds * 6);
    log.assert_all_dropped_once();
}

/// A value with drop glue and a per-thread pool (cycle-aware), for the
/// growth tests.
#[derive(ArenaAlloc, Debug)]
#[arena(chunk = 1024)]
struct Word(Tracked);

/// A per-thread builder that is the last allocation in its chunk grows in
/// place and gives back what it did not use: the pool's cursor moves by
/// exactly the slice, in a plain pool and in a cycle-aware one.
#[test]
fn a_per_thread_builder_grows_in_place_and_gives_back_its_tail() {
    let log = DropLog::new();
    let log2 = log.clone();
    std::thread::spawn(move || {
        let log = log2;
        // Plain (`u32` has no drop glue).
        let _warm = u32::alloc(0); // the pool has a current chunk
        let before = u32::pool_stats();
        let mut b = u32::slice_builder(0);
        let mut first = None;
        for i in 0..100 {
            b.push(i);
            first.get_or_insert(b.as_ptr());
        }
        assert_eq!(b.as_ptr(), first.unwrap(), "grown in place, never moved");
        let slice = b.finish();
        let after = u32::pool_stats();
        assert_eq!(after.elements - before.elements, 100);
        assert_eq!(before.current_chunk_free - after.current_chunk_free, 100);
        assert_eq!(after.chunks, before.chunks);
        let next = u32::alloc(7);
        assert_eq!(
            arena_arc::ArcSingle::as_ptr(&next),
            slice.as_ptr().wrapping_add(100)
        );

        // Cycle-aware.
        let _warm = Word::alloc(Word(log.make(0)));
        let before = Word::pool_stats();
        let mut b = Word::slice_builder(0);
        let mut first = None;
        for i in 1..=40 {
            b.push(Word(log.make(i)));
            first.get_or_insert(b.as_ptr());
        }
        assert_eq!(b.as_ptr(), first.unwrap(), "grown in place, never moved");
        let words = b.finish();
        let after = Word::pool_stats();
        assert_eq!(after.elements - before.elements, 40);
        assert_eq!(
            (after.chunks, after.allocations),
            (before.chunks, before.allocations + 1)
        );
        // A builder of 64 holding one gives 63 back: the next one starts
        // right after its element, and the statistics count one element.
        let mut short = Word::slice_builder(64);
        short.push(Word(log.make(100)));
        let short = short.finish();
        let mut again = Word::slice_builder(64);
        again.push(Word(log.make(101)));
        let again = again.finish();
        assert!(again.as_ptr() > short.as_ptr());
        assert!((again.as_ptr() as usize - short.as_ptr() as usize) < 64 * size_of::<Word>());
        assert_eq!(Word::pool_stats().elements - after.elements, 2);
        drop((words, short, again, _warm));
        log.assert_all_dropped_once();
    })
    .join()
    .unwrap();
}

/// A builder that is no longer the last allocation in its chunk moves its
/// elements to new room when it grows; none is dropped or duplicated, and
/// what was allocated in between stays.
#[test]
fn a_builder_that_is_not_last_in_its_chunk_moves_when_it_grows() {
    let log = DropLog::new();
    let log2 = log.clone();
    std::thread::spawn(move || {
        let log = log2;
        let mut b = Word::slice_builder(2);
        b.push(Word(log.make(1)));
        b.push(Word(log.make(2)));
        let between = Word::alloc(Word(log.make(99)));
        let at = b.as_ptr();
        for i in 3..=10 {
            b.push(Word(log.make(i)));
        }
        assert_ne!(b.as_ptr(), at, "moved");
        assert!(b.capacity() >= 10);
        let words = b.finish();
        assert_eq!(
            words.iter().map(|w| w.0.id).collect::<Vec<_>>(),
            (1..=10).collect::<Vec<_>>()
        );
        assert_eq!(between.0.id, 99);
        assert_eq!(log.alive(), 11);
        drop((words, between));
        log.assert_all_dropped_once();
    })
    .join()
    .unwrap();
}

/// Memory of many short slices built with builders of a generous capacity
/// (a parser's blocks): what allocating each slice at its exact length
/// costs, but for the tail of a chunk too short for the next builder's
/// capacity (at most one chunk more).
#[test]
fn builders_with_room_to_spare_cost_what_exact_slices_cost() {
    fn live(with_builders: bool) -> (usize, usize, usize) {
        std::thread::spawn(move || {
            let log = DropLog::new();
            let kept: Vec<ArcSlice<Word>> = (0..scaled(1000, 50))
                .map(|i| {
                    if with_builders {
                        let mut b = Word::slice_builder(64);
                        b.push(Word(log.make(i)));
                        b.finish()
                    } else {
                        Word::alloc_from_iter([Word(log.make(i))])
                    }
                })
                .collect();
            let stats = Word::pool_stats();
            drop(kept);
            log.assert_all_dropped_once();
            (stats.live_chunks, stats.live_bytes, stats.elements)
        })
        .join()
        .unwrap()
    }
    let (built, exact) = (live(true), live(false));
    assert_eq!(built.2, exact.2, "elements");
    assert!(built.0 <= exact.0 + 1, "{built:?} against {exact:?}");
    assert!(
        built.1 <= exact.1 / exact.0 * (exact.0 + 1),
        "{built:?} against {exact:?}"
    );
}

/// A builder of an explicit pool cannot reach its pool: it grows into a
/// chunk of its own.
#[test]
fn an_explicit_pool_builder_grows_into_a_chunk_of_its_own() {
    let log = DropLog::new();
    for cycle_aware in [false, true] {
        let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
        if cycle_aware {
            pool.break_cycles();
        }
        let base = if cycle_aware { 1000 } else { 0 };
        let mut b = pool.slice_builder(1);
        let chunks = pool.stats().chunks;
        for i in 0..20 {
            b.push(log.make(base + i));
        }
        let slice = b.finish();
        assert_eq!(
            slice.iter().map(|t| t.id - base).collect::<Vec<_>>(),
            (0..20).collect::<Vec<_>>()
        );
        assert_eq!(pool.stats().chunks, chunks);
        let from_zero = {
            let mut b = pool.slice_builder(0);
            b.extend((100..103).map(|i| log.make(base + i)));
            b.finish()
        };
        assert_eq!(from_zero.len(), 3);
        drop((slice, from_zero, pool));
        log.assert_all_dropped_once();
    }
}

/// Inside a scope, a per-thread builder grows in the scoped pool.
#[test]
fn a_scoped_builder_grows_in_the_scoped_pool() {
    let mut pool: Allocator<u64, u32, 256> = Allocator::new();
    let slice = pool.scope(|| {
        let mut b = u64::slice_builder(0);
        b.extend(0..50);
        b.finish()
    });
    assert_eq!(slice.len(), 50);
    let stats = pool.stats();
    assert_eq!((stats.elements, stats.current_chunk_free), (50, 206));
}
