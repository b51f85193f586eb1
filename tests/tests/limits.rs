//! Allocation limits (issue 22): a plain allocator, a cycle-aware one, a
//! per-thread pool, an `#[arena]` struct and a builder growing without its
//! pool. Each limit ends in a clean error (the `_checked` methods) or a
//! panic naming it (the others), drops what it was given, leaks nothing
//! (drop counters), and leaves the pool working once handles are dropped.

use std::sync::Arc;

use arena_arc::{AllocError, Allocator, ArcSingle, ArcSlice, ArenaAlloc, arena};
use arena_arc_tests::{DropLog, Tracked, expect_panic};

/// Fills `alloc` with single values until the limit refuses one; returns
/// the handles and the error. Checks, on the way, that the pool never holds
/// more than the limit, and that every value refused was dropped at once.
fn fill_until_refused<const N: usize>(
    alloc: &mut Allocator<Tracked, u32, N>,
    log: &Arc<DropLog>,
    limit: usize,
) -> (Vec<ArcSingle<Tracked>>, AllocError) {
    let mut kept = Vec::new();
    loop {
        let id = log.created();
        match alloc.alloc_value_checked(log.make(id)) {
            Ok(handle) => kept.push(handle),
            Err(err) => {
                assert_eq!(log.drops_of(id), 1, "the refused value is dropped");
                assert!(alloc.allocated_bytes() <= limit);
                return (kept, err);
            }
        }
        assert!(alloc.allocated_bytes() <= limit, "{}", alloc.stats());
        assert!(kept.len() < 100_000, "the limit never refused");
    }
}

#[test]
fn a_plain_allocator_stops_at_its_limit_and_works_again_after() {
    for cycle_aware in [false, true] {
        let log = DropLog::new();
        let mut alloc: Allocator<Tracked, u32, 16> = Allocator::new();
        if cycle_aware {
            alloc.break_cycles();
        }
        let limit = 4096;
        alloc.set_allocation_limit(Some(limit));
        assert_eq!(alloc.allocation_limit(), Some(limit));
        let (kept, err) = fill_until_refused(&mut alloc, &log, limit);
        assert!(err.is_limit());
        assert_eq!(err.limit(), Some(limit));
        assert!(
            err.layout().size() + alloc.allocated_bytes() > limit,
            "{err}"
        );
        let message = err.to_string();
        assert!(
            message.contains("allocation limit of 4096 bytes")
                && message.contains("set_allocation_limit"),
            "{message}"
        );
        // Every chunk made is live, and the figures agree.
        let stats = alloc.stats();
        assert_eq!(stats.live_bytes, alloc.allocated_bytes());
        assert_eq!(stats.live_chunks, stats.chunks, "{stats}");
        assert!(kept.len() > 16, "more than one chunk: {}", kept.len());
        // Slices are refused too, and nothing is cloned for them.
        let created = log.created();
        let sources: Vec<Tracked> = (0..40).map(|i| log.make(created + i)).collect();
        assert!(
            alloc
                .alloc_slice_clone_checked(&sources)
                .unwrap_err()
                .is_limit()
        );
        assert_eq!(log.created(), created + 40, "no clone was made");
        drop(sources);
        // The panicking methods panic with the same message, dropping the
        // value, and the pool stays usable.
        let id = log.created();
        let msg = expect_panic(|| alloc.alloc_value(log.make(id)));
        assert!(msg.contains("allocation limit of 4096 bytes"), "{msg}");
        assert_eq!(log.drops_of(id), 1);
        // The handles are intact.
        for (i, handle) in kept.iter().enumerate() {
            assert_eq!(handle.id, i);
        }
        // Dropped, they free their chunks: room again, under the same limit.
        drop(kept);
        let again = alloc.alloc_value_checked(log.make(log.created())).unwrap();
        assert!(alloc.allocated_bytes() <= limit);
        // No limit: anything goes.
        alloc.set_allocation_limit(None);
        assert_eq!(alloc.allocation_limit(), None);
        let many: Vec<_> = (0..200)
            .map(|_| alloc.alloc_value(log.make(log.created())))
            .collect();
        assert!(alloc.allocated_bytes() > limit);
        drop((again, many, alloc));
        log.assert_all_dropped_once();
    }
}

#[test]
fn a_limit_below_what_is_live_stops_new_chunks_only() {
    let mut alloc: Allocator<u64, u32, 64> = Allocator::new();
    let kept: Vec<_> = (0..64 * 3).map(|i| alloc.alloc_value(i)).collect();
    let held = alloc.allocated_bytes();
    alloc.set_allocation_limit(Some(held / 2));
    // The current chunk is full: a new one is refused.
    assert!(alloc.alloc_value_checked(1).unwrap_err().is_limit());
    // Room in the pool's chunk costs no check: a pool with room keeps
    // allocating into it.
    let mut roomy: Allocator<u64, u32, 64> = Allocator::new();
    let first = roomy.alloc_value(0);
    roomy.set_allocation_limit(Some(0));
    let rest: Vec<_> = (1..64)
        .map(|i| roomy.alloc_value_checked(i).unwrap())
        .collect();
    assert!(roomy.alloc_value_checked(64).is_err());
    assert_eq!(
        *first + rest.iter().map(|h| **h).sum::<u64>(),
        (0..64).sum()
    );
    drop(kept);
}

#[test]
fn checked_methods_call_nothing_when_refused() {
    let mut big: Allocator<[u8; 4096], u32, 1> = Allocator::new();
    big.set_allocation_limit(Some(1024));
    let mut called = false;
    let err = big
        .alloc_with_checked(|| {
            called = true;
            [1; 4096]
        })
        .unwrap_err();
    assert!(!called && err.is_limit());
    let mut squares: Allocator<u64, u32, 8> = Allocator::new();
    squares.set_allocation_limit(Some(256));
    let mut calls = 0;
    assert!(
        squares
            .alloc_slice_fill_with_checked(100, |i| {
                calls += 1;
                i as u64
            })
            .is_err()
    );
    assert_eq!(calls, 0);
    let mut text: Allocator<u8, u32, 16> = Allocator::new();
    text.set_allocation_limit(Some(200));
    assert_eq!(text.alloc_str_checked("short").unwrap(), "short");
    assert!(text.alloc_str_checked(&"long".repeat(100)).is_err());
    assert_eq!(text.alloc_slice_copy_checked(b"ok").unwrap(), *b"ok");
}

#[test]
fn a_builder_growing_alone_stays_within_its_pools_limit() {
    let log = DropLog::new();
    let mut alloc: Allocator<Tracked, u32, 8> = Allocator::new();
    alloc.break_cycles();
    let first = alloc.alloc_value(log.make(0));
    alloc.set_allocation_limit(Some(8 * 1024));
    let mut row = alloc.slice_builder(4);
    let msg = expect_panic(|| {
        for i in 1.. {
            row.push(log.make(i));
        }
    });
    assert!(msg.contains("allocation limit of 8192 bytes"), "{msg}");
    assert!(alloc.allocated_bytes() <= 8 * 1024, "{}", alloc.stats());
    // It doubled from 4 until the next chunk would pass the limit; the
    // elements pushed were dropped with the panic (documented), the value
    // being pushed too, and the builder is empty.
    assert!(log.created() > 128, "{}", log.created());
    assert_eq!(log.alive(), 1, "only `first` is alive");
    assert!(row.is_empty());
    assert!(row.finish().is_empty());
    // The pool works, within its limit.
    let more = alloc.alloc_value_checked(log.make(log.created())).unwrap();
    assert_eq!(first.id, 0);
    drop((more, first, alloc));
    log.assert_all_dropped_once();
}

#[derive(ArenaAlloc, Debug)]
#[arena(chunk = 32)]
#[allow(dead_code)] // `tag` and `parts` are there to be dropped
struct Record {
    id: u64,
    tag: Tracked,
    parts: ArcSlice<u32>,
}

#[test]
fn a_per_thread_pool_has_its_own_limit() {
    // A fresh thread: its pools start empty, and the limit is its own.
    std::thread::spawn(|| {
        let log = DropLog::new();
        assert_eq!(Record::allocation_limit(), None);
        Record::set_allocation_limit(Some(16 * 1024));
        assert_eq!(Record::allocation_limit(), Some(16 * 1024));
        let mut kept = Vec::new();
        let err = loop {
            let id = log.created();
            let record = Record {
                id: id as u64,
                tag: log.make(id),
                parts: ArcSlice::empty(),
            };
            match Record::alloc_checked(record) {
                Ok(handle) => kept.push(handle),
                Err(err) => {
                    assert_eq!(log.drops_of(id), 1, "the refused value is dropped");
                    break err;
                }
            }
            assert!(kept.len() < 100_000);
        };
        assert!(err.is_limit());
        assert!(Record::allocated_bytes() <= 16 * 1024);
        assert_eq!(Record::allocated_bytes(), Record::pool_stats().live_bytes);
        // The panicking form panics, dropping the value.
        let id = log.created();
        let msg = expect_panic(|| {
            Record::alloc(Record {
                id: 0,
                tag: log.make(id),
                parts: ArcSlice::empty(),
            })
        });
        assert!(msg.contains("allocation limit"), "{msg}");
        assert_eq!(log.drops_of(id), 1);
        // Other types' pools on this thread are not limited.
        let parts = u32::alloc_slice_copy_checked(&[1; 10_000]).unwrap();
        assert_eq!(parts.len(), 10_000);
        // Another thread's pool of the same type is not limited.
        std::thread::spawn(|| {
            assert_eq!(Record::allocation_limit(), None);
            let many: Vec<_> = (0..600)
                .map(|i| {
                    Record::alloc_checked(Record {
                        id: i,
                        tag: DropLog::new().make(0),
                        parts: ArcSlice::empty(),
                    })
                    .unwrap()
                })
                .collect();
            assert!(Record::allocated_bytes() > 16 * 1024);
            drop(many);
        })
        .join()
        .unwrap();
        assert!(kept.iter().enumerate().all(|(i, r)| r.id == i as u64));
        drop(kept);
        assert!(
            Record::alloc_checked(Record {
                id: 1,
                tag: log.make(log.created()),
                parts
            })
            .is_ok()
        );
        log.assert_all_dropped_once();
    })
    .join()
    .unwrap();
}

#[arena(chunk = 64)]
struct Tables {
    records: Tracked,
    #[arena(chunk = 1024)]
    bytes: u8,
}

#[test]
fn an_arena_struct_has_one_limit_for_all_its_pools() {
    let log = DropLog::new();
    let mut tables = Tables::new();
    assert_eq!(tables.allocation_limit(), None);
    let limit = 32 * 1024;
    tables.set_allocation_limit(Some(limit));
    assert_eq!(tables.allocation_limit(), Some(limit));
    let mut records = Vec::new();
    let mut texts = Vec::new();
    // Both pools draw on the one limit, in turn, until it refuses.
    let err = loop {
        let id = log.created();
        match tables.alloc_checked(log.make(id)) {
            Ok(handle) => records.push(handle),
            Err(err) => {
                assert_eq!(log.drops_of(id), 1);
                break err;
            }
        }
        match tables.alloc_slice_copy_checked(&[7u8; 100]) {
            Ok(text) => texts.push(text),
            Err(err) => break err,
        }
        assert!(tables.allocated_bytes() <= limit);
    };
    assert!(err.is_limit() && err.limit() == Some(limit), "{err}");
    let total = tables.allocated_bytes();
    assert!(total <= limit);
    assert_eq!(
        total,
        tables.records.allocated_bytes() + tables.bytes.allocated_bytes()
    );
    // Each pool alone is well under the limit: the sum refused it.
    assert!(tables.records.allocated_bytes() < limit && tables.bytes.allocated_bytes() < limit);
    let created = log.created();
    let many: Vec<Tracked> = (0..1000).map(|i| log.make(created + i)).collect();
    assert!(tables.alloc_slice_clone_checked(&many).is_err());
    assert_eq!(log.created(), created + 1000, "no clone was made");
    drop(many);
    // The panicking form panics.
    let msg = expect_panic(|| tables.alloc_slice_copy(&[0u8; 5000]));
    assert!(msg.contains("allocation limit"), "{msg}");
    // Freed, room again; a raised limit takes effect at once.
    drop(texts);
    assert!(tables.alloc_slice_copy_checked(&[1u8; 100]).is_ok());
    tables.set_allocation_limit(Some(limit * 4));
    let more: Vec<_> = (0..1500)
        .map(|_| tables.alloc(log.make(log.created())))
        .collect();
    assert!(tables.allocated_bytes() > limit);
    tables.set_allocation_limit(None);
    assert_eq!(tables.allocation_limit(), None);
    drop((records, more, tables));
    log.assert_all_dropped_once();
}

/// A limit set after the pools have allocated counts the chunks they made
/// before, the first ones too (a pool that never left its first chunk has
/// no record until it joins the limit).
#[test]
fn an_arena_limit_set_late_counts_the_chunks_made_before() {
    let log = DropLog::new();
    let chunk_of_bytes = {
        let mut probe = Tables::new();
        let _text = probe.alloc_slice_copy(b"x");
        probe.allocated_bytes()
    };
    for (slack, fits) in [(0, true), (1, false)] {
        let mut tables = Tables::new();
        let first = tables.alloc(log.make(log.created()));
        let held = tables.allocated_bytes();
        assert_eq!(held, tables.records.allocated_bytes());
        assert!(held > 0);
        // The `bytes` pool's first chunk fits only beside the records'.
        tables.set_allocation_limit(Some(held + chunk_of_bytes - slack));
        let text = tables.alloc_slice_copy_checked(b"late");
        assert_eq!(text.is_ok(), fits, "{:?}", text.as_ref().map(|_| ()));
        if let Err(err) = text {
            assert!(err.is_limit(), "{err}");
        }
        drop((first, tables));
    }
    log.assert_all_dropped_once();
}

#[test]
fn a_large_result_refused_its_room_drops_its_value() {
    // `try_alloc_single` builds a `Result` larger than a page on the heap,
    // then makes room for its value: at a limit that panics, and the value
    // built is dropped, once.
    struct Big {
        _bytes: [u8; 8192],
        _tag: Tracked,
    }
    let log = DropLog::new();
    let mut pool: Allocator<Big, u32, 1> = Allocator::new();
    pool.set_allocation_limit(Some(1024));
    let msg = expect_panic(|| {
        pool.try_alloc_single(|| {
            Ok::<_, ()>(Big {
                _bytes: [0; 8192],
                _tag: log.make(0),
            })
        })
    });
    assert!(msg.contains("allocation limit"), "{msg}");
    assert_eq!(log.drops_of(0), 1);
    pool.set_allocation_limit(None);
    let kept = pool
        .try_alloc_single(|| {
            Ok::<_, ()>(Big {
                _bytes: [1; 8192],
                _tag: log.make(1),
            })
        })
        .unwrap();
    assert_eq!(kept._bytes[8191], 1);
    drop((kept, pool));
    log.assert_all_dropped_once();
}
