//! `stats().live_chunks` and `live_bytes` count every chunk that a handle,
//! a builder or the allocator keeps alive, whichever placement rule made it,
//! in plain and in cycle-aware (per-value) allocators.
//!
//! Nothing is freed while every handle is kept, so after each request the
//! live figures must equal all the chunks made (`chunks`, `bytes_reserved`);
//! handles dropped afterwards take exactly their own chunks' bytes away.

use std::sync::Arc;

use arena_arc::{Allocator, AllocatorStats};
use arena_arc_tests::{DropLog, Tracked};

/// The live figures equal everything made: nothing has been freed.
#[track_caller]
fn assert_all_live(stats: AllocatorStats, what: &str) {
    assert_eq!(
        (stats.live_chunks, stats.live_bytes),
        (stats.chunks, stats.bytes_reserved),
        "{what}: {stats}"
    );
}

/// How a request changed the statistics: which placement rule it took.
#[derive(Debug, PartialEq, Eq)]
enum Placed {
    /// In the current chunk.
    Current,
    /// In a chunk of its own, longer than a chunk (`dedicated_chunks`).
    Dedicated,
    /// In a new chunk that became current.
    NewCurrent,
    /// In a new chunk of the regular size that did not become current: it
    /// left less room than the old one.
    NewNotCurrent,
    /// Nowhere (an empty request).
    Nothing,
}

fn placed(before: AllocatorStats, after: AllocatorStats) -> Placed {
    let new = after.chunks - before.chunks;
    let dedicated = after.dedicated_chunks - before.dedicated_chunks;
    match (new, dedicated, after.elements == before.elements) {
        (0, 0, true) => Placed::Nothing,
        (0, 0, false) => Placed::Current,
        (1, 1, _) => Placed::Dedicated,
        (1, 0, _) if after.current_chunk_free == before.current_chunk_free => Placed::NewNotCurrent,
        (1, 0, _) => Placed::NewCurrent,
        _ => panic!("unexpected change: {before} -> {after}"),
    }
}

/// Requests of `lens` elements into `alloc`, each checked to leave every
/// chunk made live; then the handles are dropped in an interleaved order,
/// each taking its chunk's bytes away when it was the chunk's only one,
/// until only the current chunk is live. Returns the rule each request
/// took.
fn check_rules(
    alloc: &mut Allocator<Tracked, u32, 8>,
    log: &Arc<DropLog>,
    lens: &[u32],
) -> Vec<Placed> {
    let mut kept = Vec::new();
    let mut rules = Vec::new();
    for &len in lens {
        let before = alloc.stats();
        let first = log.created();
        let slice = alloc.alloc(len, |i| log.make(first + i));
        let after = alloc.stats();
        let rule = placed(before, after);
        assert_all_live(after, &format!("after a request of {len} ({rule:?})"));
        // A chunk of its own is freed with its handle.
        let own = matches!(rule, Placed::Dedicated | Placed::NewNotCurrent);
        kept.push(Some((
            slice,
            own,
            after.bytes_reserved - before.bytes_reserved,
        )));
        rules.push(rule);
    }
    // Every other handle first, then the rest.
    let order = (0..kept.len()).step_by(2).chain((1..kept.len()).step_by(2));
    for i in order {
        let (slice, own, bytes) = kept[i].take().expect("dropped once");
        let before = alloc.stats();
        drop(slice);
        let after = alloc.stats();
        if own {
            assert_eq!(
                after.live_chunks,
                before.live_chunks - 1,
                "{before} -> {after}"
            );
            assert_eq!(
                after.live_bytes,
                before.live_bytes - bytes,
                "{before} -> {after}"
            );
        }
    }
    // Only the current chunk is left: the chunks let go of are freed.
    let stats = alloc.stats();
    assert_eq!(stats.live_chunks, 1, "{stats}");
    rules
}

#[test]
fn plain_allocators_count_every_placement() {
    use Placed::*;
    let log = DropLog::new();
    let mut alloc: Allocator<Tracked, u32, 8> = Allocator::new();
    let rules = check_rules(&mut alloc, &log, &[3, 2, 20, 0, 6, 4, 4, 8, 1]);
    assert_eq!(
        rules,
        [
            NewCurrent,    // the first chunk (5 free)
            Current,       // fits (3 free)
            Dedicated,     // longer than a chunk; the current one stays
            Nothing,       // empty
            NewNotCurrent, // a new chunk would leave 2 < 3: not current
            NewCurrent,    // a new chunk leaves 4 > 3: current
            Current,       // fills it
            NewNotCurrent, // a full new chunk leaves 0: not current
            NewCurrent,    // 0 free before: anything new is more
        ]
    );
    drop(alloc);
    log.assert_all_dropped_once();
}

#[test]
fn cycle_aware_allocators_count_every_placement() {
    let log = DropLog::new();
    let mut alloc: Allocator<Tracked, u32, 8> = Allocator::new();
    alloc.break_cycles();
    assert!(alloc.breaks_cycles());
    // The same rules in bytes of cells (whose sizes depend on the layout):
    // single values and slices of several lengths reach each of them.
    let lens = [
        1, 1, 1, 1, 1, 7, 3, 20, 0, 8, 2, 6, 5, 7, 1, 1, 1, 1, 1, 1, 7, 8, 3, 4, 4,
    ];
    let rules = check_rules(&mut alloc, &log, &lens);
    for rule in [
        Placed::Current,
        Placed::Dedicated,
        Placed::NewCurrent,
        Placed::NewNotCurrent,
        Placed::Nothing,
    ] {
        assert!(rules.contains(&rule), "{rule:?} not reached: {rules:?}");
    }
    // Every value went with its last handle.
    assert_eq!(log.alive(), 0);
    drop(alloc);
    log.assert_all_dropped_once();
}

/// The case: with the default chunk size, slices of 200 and then
/// 250 elements are in two chunks, both live.
#[test]
fn the_default_chunk_size_counts_both_chunks() {
    for cycle_aware in [false, true] {
        let log = DropLog::new();
        let mut alloc: Allocator<Tracked> = Allocator::new();
        if cycle_aware {
            alloc.break_cycles();
        }
        let a = alloc.alloc(200, |i| log.make(i));
        let b = alloc.alloc(250, |i| log.make(1000 + i));
        let stats = alloc.stats();
        assert_eq!(stats.chunks, 2, "{stats}");
        assert_all_live(stats, "two slices in two chunks");
        drop(alloc);
        assert_eq!((a.len(), b.len()), (200, 250));
        drop((a, b));
        log.assert_all_dropped_once();
    }
}

/// Builders keep their room alive: a reservation in a chunk of its own is
/// counted from the start, in both modes, plain ones of a type without
/// drop glue too.
#[test]
fn builders_count_their_chunks() {
    // A builder that outgrows the room of a pool still on its first chunk
    // (the pool has made nothing else yet) is counted too.
    let mut fresh: Allocator<u64, u32, 8> = Allocator::new();
    let _one = fresh.alloc_value(1);
    let mut long = fresh.slice_builder(1);
    long.extend(0..40);
    // (`chunks` counts what the allocator made, not the builder's chunk.)
    assert_eq!(fresh.stats().live_chunks, 2, "{}", fresh.stats());
    let long = long.finish();
    assert_eq!(fresh.stats().live_chunks, 2);
    drop(long);
    assert_eq!(fresh.stats().live_chunks, 1, "{}", fresh.stats());

    let mut numbers: Allocator<u64, u32, 8> = Allocator::new();
    let _first = numbers.alloc_slice_copy(&[1; 5]);
    // 6 do not fit the 3 free slots, and a new chunk would leave 2: a chunk
    // of 8 for the builder alone.
    let mut row = numbers.slice_builder(6);
    assert_eq!(numbers.stats().chunks, 2);
    assert_all_live(numbers.stats(), "a builder in a chunk of its own");
    row.extend([1, 2, 3, 4, 5, 6]);
    let row = row.finish();
    assert_all_live(numbers.stats(), "its slice");
    drop(row);
    assert_eq!(numbers.stats().live_chunks, 1);
    // A builder that outgrows its room moves into a chunk of its own,
    // without the allocator: counted too, until its slice goes.
    let mut grown = numbers.slice_builder(2);
    grown.extend(0..50);
    let stats = numbers.stats();
    assert_eq!(stats.live_chunks, 2, "{stats}");
    let grown = grown.finish();
    assert_eq!(numbers.stats().live_chunks, 2);
    assert_eq!(grown.len(), 50);
    drop(grown);
    assert_eq!(numbers.stats().live_chunks, 1);

    for cycle_aware in [false, true] {
        let log = DropLog::new();
        let mut alloc: Allocator<Tracked, u32, 8> = Allocator::new();
        if cycle_aware {
            alloc.break_cycles();
        }
        let first = alloc.alloc(5, |i| log.make(i));
        let mut builders = Vec::new();
        for cap in [6, 20, 2, 8] {
            builders.push(alloc.slice_builder(cap));
            assert_all_live(
                alloc.stats(),
                &format!("a builder of {cap} (cycle-aware: {cycle_aware})"),
            );
        }
        for (i, mut builder) in builders.into_iter().enumerate() {
            let cap = builder.capacity();
            builder.extend((0..cap).map(|j| log.make(100 * (i + 1) + j)));
            drop(builder.finish());
        }
        drop(first);
        // Only the current chunk is left.
        assert_eq!(alloc.stats().live_chunks, 1, "{}", alloc.stats());
        drop(alloc);
        log.assert_all_dropped_once();
    }
}
