//! std's `Arc`/`Weak` names on the handles (issue "Handles as a drop-in for
//! `Arc`"): each function in both kinds of pool (cycle-aware: counted per
//! value; plain: counted per chunk), slices of handles, conversions, raw
//! pointers. Every value is tracked, so a double drop or a leak fails the
//! test; the file runs under Miri in CI.

use std::borrow::Cow;
use std::sync::{Arc, Barrier, Mutex};

use arena_arc::{
    Allocator, ArcSingle, ArcSlice, ArcStr, ArenaAlloc, Interned, PoolScope, WeakSingle, WeakSlice,
    WeakStr,
};
use arena_arc_tests::{DropLog, Tracked, expect_panic, scaled};

/// A tracked value with a per-thread pool (cycle-aware: it has drop glue).
#[derive(ArenaAlloc, Debug, Clone)]
struct Val(Tracked);

/// A value without drop glue: its per-thread pool is plain.
#[derive(ArenaAlloc, Debug, Clone, Copy, PartialEq, Default)]
struct Num(u64);

/// The program of the issue, as written there.
#[test]
fn the_issue_program_runs_as_its_comments_say() {
    #[derive(ArenaAlloc, Debug, Clone, Default)]
    struct Node {
        v: i64,
        kids: ArcSlice<ArcSingle<Node>>,
        up: Option<WeakSingle<Node>>,
    }

    let a: ArcSingle<Node> = ArcSingle::new(Node {
        v: 1,
        ..Default::default()
    });
    let b: ArcSingle<Node> = Node {
        v: 2,
        ..Default::default()
    }
    .into();
    let kids: ArcSlice<ArcSingle<Node>> = vec![a.clone(), b.clone()].into();
    let row: ArcSlice<i64> = (0..3).collect();
    let name: ArcStr = "main".into();
    assert_eq!(ArcSingle::strong_count(&a), 2);
    let mut c = ArcSingle::new(Node {
        v: 3,
        kids,
        up: Some(ArcSingle::downgrade(&a)),
    });
    ArcSingle::get_mut(&mut c).unwrap().v = 4; // unique: mutable
    drop(a);
    let b: Node = ArcSingle::into_inner(b).unwrap_or_default(); // c still holds b: None
    assert_eq!(
        (c.v, c.kids.len(), row.len(), &*name, b.v),
        (4, 2, 3, "main", 0)
    );
    // `a` lives on in `c.kids`, so the back-edge still upgrades.
    let up = c.up.as_ref().and_then(WeakSingle::upgrade).unwrap();
    assert!(ArcSingle::ptr_eq(&up, &c.kids[0]));
}

// ---------------------------------------------------------------------------
// Counts and uniqueness
// ---------------------------------------------------------------------------

#[test]
fn per_value_counts_and_get_mut_behave_as_arc() {
    let log = DropLog::new();
    let mut a = ArcSingle::new(Val(log.make(1)));
    assert_eq!(
        (ArcSingle::strong_count(&a), ArcSingle::weak_count(&a)),
        (1, 0)
    );
    assert!(ArcSingle::get_mut(&mut a).is_some());
    let b = a.clone();
    assert_eq!(ArcSingle::strong_count(&a), 2);
    assert!(ArcSingle::get_mut(&mut a).is_none());
    drop(b);
    ArcSingle::get_mut(&mut a).unwrap().0 = log.make(2); // drops element 1
    log.assert_dropped_once([1]);
    // Once downgraded, never unique again (weak handles are counted per
    // chunk): documented.
    let w = ArcSingle::downgrade(&a);
    assert_eq!(ArcSingle::weak_count(&a), 1);
    assert_eq!((w.strong_count(), w.weak_count()), (1, 1));
    assert!(ArcSingle::get_mut(&mut a).is_none());
    drop(w);
    assert!(ArcSingle::get_mut(&mut a).is_none());
    assert_eq!(a.0.id, 2);
    drop(a);
    log.assert_all_dropped_once();
}

#[test]
fn plain_pools_count_the_chunk_and_are_unique_once_alone() {
    let log = DropLog::new();
    let mut pool: Allocator<Tracked, u32, 4> = Allocator::new();
    let mut a = pool.alloc_value(log.make(1));
    let b = pool.alloc_value(log.make(2));
    // The chunk's count: both handles and the pool's references in advance.
    assert!(ArcSingle::strong_count(&a) >= 2);
    assert!(ArcSingle::get_mut(&mut a).is_none());
    drop(pool);
    assert!(ArcSingle::get_mut(&mut a).is_none()); // `b` shares the chunk
    drop(b);
    log.assert_not_dropped([2]); // dropped with its chunk, later
    assert_eq!(ArcSingle::strong_count(&a), 1);
    ArcSingle::get_mut(&mut a).unwrap().id = 10;
    // A value with drop glue never leaves a plain chunk, which drops it.
    let a = ArcSingle::try_unwrap(a).unwrap_err();
    assert_eq!(ArcSingle::into_inner(a).map(|t| t.id), None);
    log.assert_dropped_once([10, 2]);
    log.assert_all_dropped_once();
}

#[test]
fn values_without_drop_glue_leave_a_plain_chunk_once_alone() {
    let mut pool: Allocator<u64, u32, 8> = Allocator::new();
    let a = pool.alloc_value(7);
    let a = ArcSingle::try_unwrap(a).unwrap_err(); // the pool holds the chunk
    drop(pool);
    assert_eq!(ArcSingle::try_unwrap(a), Ok(7));
    let mut pool: Allocator<u64, u32, 8> = Allocator::new();
    let (a, b) = (pool.alloc_value(1), pool.alloc_value(2));
    drop(pool);
    assert_eq!(ArcSingle::into_inner(a), None); // `b` holds the chunk
    assert_eq!(ArcSingle::into_inner(b), Some(2));
    // The per-thread pool of a type without drop glue is plain too.
    let n = ArcSingle::new(Num(3));
    assert!(ArcSingle::try_unwrap(n).is_err());
}

#[test]
fn try_unwrap_into_inner_and_unwrap_or_clone_in_cycle_aware_pools() {
    let log = DropLog::new();
    let a = ArcSingle::new(Val(log.make(1)));
    let b = a.clone();
    let a = ArcSingle::try_unwrap(a).unwrap_err();
    drop(b);
    let weak = ArcSingle::downgrade(&a);
    let val = ArcSingle::try_unwrap(a).unwrap();
    assert!(weak.upgrade().is_none()); // moved out: the weak handle is dead
    assert_eq!(weak.strong_count(), 0);
    log.assert_not_dropped([1]);
    drop(val);
    log.assert_dropped_once([1]);

    let a = ArcSingle::new(Val(log.make(2)));
    let b = a.clone();
    let cloned = ArcSingle::unwrap_or_clone(a); // shared: a clone (id 2 again)
    let moved = ArcSingle::unwrap_or_clone(b);
    assert_eq!((cloned.0.id, moved.0.id), (2, 2));
    drop((cloned, moved));
    assert_eq!(log.drops_of(2), 2); // two values with id 2: each dropped once
    assert_eq!(log.alive(), 0);

    // An explicit pool after `break_cycles`, too.
    let mut pool: Allocator<Tracked> = Allocator::new();
    pool.break_cycles();
    let c = pool.alloc_value(log.make(3));
    assert_eq!(ArcSingle::into_inner(c).map(|t| t.id), Some(3));
    drop(pool);
    assert_eq!(log.alive(), 0);
    assert_eq!([1, 2, 3].map(|id| log.drops_of(id)), [1, 2, 1]);
}

#[test]
fn elements_of_slices_are_never_moved_out() {
    let log = DropLog::new();
    let mut pool: Allocator<Tracked> = Allocator::new();
    pool.break_cycles();
    let all = pool.alloc_from_iter([log.make(1), log.make(2)]);
    let second = all.element(1).unwrap();
    drop(all);
    let second = ArcSingle::try_unwrap(second).unwrap_err();
    assert_eq!(ArcSingle::into_inner(second).map(|t| t.id), None);
    log.assert_dropped_once([1, 2]);
    // A one-element slice is a value of its own.
    let one = ArcSingle::from_slice(pool.alloc_from_iter([log.make(3)]));
    assert_eq!(ArcSingle::try_unwrap(one).map(|t| t.id).ok(), Some(3));
    drop(pool);
    log.assert_all_dropped_once();
}

#[test]
fn into_inner_gives_the_value_to_exactly_one_thread() {
    let log = DropLog::new();
    for round in 0..scaled(100, 5) {
        let value = ArcSingle::new(Val(log.make(round)));
        let barrier = Arc::new(Barrier::new(2));
        // Two handles, and the original gone before either thread starts:
        // otherwise both threads may give theirs up first and leave the
        // last one to this thread's drop.
        let handles = [value.clone(), value];
        let threads: Vec<_> = handles
            .into_iter()
            .map(|value| {
                let barrier = barrier.clone();
                std::thread::spawn(move || {
                    barrier.wait();
                    ArcSingle::into_inner(value).map(|v| v.0.id)
                })
            })
            .collect();
        let got: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert_eq!(got.iter().flatten().count(), 1, "round {round}: {got:?}");
        log.assert_dropped_once([round]);
    }
    log.assert_all_dropped_once();
}

#[test]
fn make_mut_clones_into_a_chunk_of_its_own_and_then_stays_unique() {
    let log = DropLog::new();
    let mut a = ArcSingle::new(Val(log.make(1)));
    let b = a.clone();
    ArcSingle::make_mut(&mut a).0.id = 10; // cloned (a new id-1 value, renamed)
    assert_eq!((a.0.id, b.0.id), (10, 1));
    let copy_at = ArcSingle::as_ptr(&a);
    ArcSingle::make_mut(&mut a).0.id = 11; // unique now: no clone
    assert_eq!(ArcSingle::as_ptr(&a), copy_at);
    assert_eq!(ArcSingle::strong_count(&a), 1);
    // The copy keeps no pool chunk: it moves out like any lone value.
    assert_eq!(ArcSingle::try_unwrap(a).map(|v| v.0.id).ok(), Some(11));
    drop(b);
    // A value of a plain pool becomes unique after one copy.
    let mut n = ArcSingle::new(Num(1));
    ArcSingle::make_mut(&mut n).0 += 1;
    assert_eq!(ArcSingle::get_mut(&mut n), Some(&mut Num(2)));
    // Slices too.
    let mut pool: Allocator<Tracked> = Allocator::new();
    let mut s = pool.alloc_from_iter([log.make(20), log.make(21)]);
    let old = s.clone();
    ArcSlice::make_mut(&mut s)[0].id = 22;
    assert_eq!(s.iter().map(|t| t.id).collect::<Vec<_>>(), [22, 21]);
    assert_eq!(old.iter().map(|t| t.id).collect::<Vec<_>>(), [20, 21]);
    assert!(ArcSlice::get_mut(&mut s).is_some());
    drop((s, old, pool));
    // Clones share their original's id: two values with ids 1 and 21.
    assert_eq!(log.alive(), 0);
    assert_eq!(
        [1, 10, 11, 20, 21, 22].map(|id| log.drops_of(id)),
        [1, 0, 1, 1, 2, 1]
    );
}

#[test]
fn slice_counts_and_get_mut() {
    let mut pool: Allocator<String> = Allocator::new();
    pool.break_cycles();
    let mut words = pool.alloc_from_iter(["a", "b", "c"].map(String::from));
    assert_eq!(ArcSlice::strong_count(&words), 1);
    let tail = words.slice(1..);
    assert_eq!(ArcSlice::strong_count(&words), 2);
    assert!(ArcSlice::get_mut(&mut words).is_none());
    drop(tail);
    ArcSlice::get_mut(&mut words).unwrap()[2].push('!');
    assert_eq!(words, ["a", "b", "c!"]);
    let mut empty: ArcSlice<String> = ArcSlice::empty();
    assert_eq!(ArcSlice::get_mut(&mut empty), Some(&mut [][..]));
    assert_eq!(ArcSlice::strong_count(&empty), 0);
    let weak: WeakSlice<String> = ArcSlice::downgrade(&words);
    assert_eq!((weak.strong_count(), weak.weak_count()), (1, 1));
    assert_eq!(weak.as_ptr(), words.as_ptr());
    assert!(ArcSlice::get_mut(&mut words).is_none()); // downgraded
    drop(words);
    assert_eq!((weak.strong_count(), weak.weak_count()), (0, 0));
}

// ---------------------------------------------------------------------------
// alloc_cyclic
// ---------------------------------------------------------------------------

#[derive(ArenaAlloc)]
struct Graph {
    id: usize,
    me: WeakSingle<Graph>,
    kids: ArcSlice<Graph>,
    _tracked: Tracked,
}

#[test]
fn alloc_cyclic_hands_out_a_weak_handle_that_upgrades_once_built() {
    let log = DropLog::new();
    let root = Graph::alloc_cyclic(|me| {
        assert!(me.upgrade().is_none());
        assert_eq!(me.strong_count(), 0);
        // The per-thread pool is free meanwhile: the children go in it.
        let kids = (0..3).map(|id| Graph {
            id,
            me: WeakSingle::new(),
            kids: ArcSlice::empty(),
            _tracked: log.make(id),
        });
        Graph {
            id: 100,
            me: me.clone(),
            kids: Graph::alloc_from_iter(kids),
            _tracked: log.make(100),
        }
    });
    let again = root.me.upgrade().unwrap();
    assert!(ArcSingle::ptr_eq(&again, &root));
    assert_eq!((again.id, again.kids.len()), (100, 3));
    let weak = root.me.clone();
    drop((root, again));
    // The node held only a weak handle to itself: no cycle.
    assert!(weak.upgrade().is_none());
    log.assert_all_dropped_once();
}

#[test]
fn a_panicking_alloc_cyclic_allocates_nothing() {
    let log = DropLog::new();
    let kept: Arc<Mutex<Option<WeakSingle<Graph>>>> = Arc::default();
    let msg = expect_panic(|| {
        Graph::alloc_cyclic(|me| {
            *kept.lock().unwrap() = Some(me.clone());
            let _partial = log.make(1);
            panic!("build fails")
        })
    });
    assert_eq!(msg, "build fails");
    log.assert_all_dropped_once();
    let weak = kept.lock().unwrap().take().unwrap();
    assert!(weak.upgrade().is_none());
    assert_eq!(weak.strong_count(), 0);
    drop(weak);
    // The pool goes on.
    let next = Graph::alloc_cyclic(|me| Graph {
        id: 2,
        me: me.clone(),
        kids: ArcSlice::empty(),
        _tracked: log.make(2),
    });
    assert_eq!(next.me.upgrade().map(|g| g.id), Some(2));
    drop(next);
    log.assert_all_dropped_once();
}

#[test]
fn alloc_cyclic_in_a_plain_pool_gets_a_chunk_of_its_own() {
    struct Me(WeakSingle<Me>, u32);
    let mut pool: Allocator<Me, u32, 64> = Allocator::new();
    let plain = pool.alloc_value(Me(WeakSingle::new(), 0));
    let me = pool.alloc_cyclic(|w| {
        assert!(w.upgrade().is_none());
        Me(w.clone(), 1)
    });
    let stats = pool.stats();
    assert_eq!((stats.chunks, stats.dedicated_chunks), (2, 1));
    assert_eq!(me.0.upgrade().map(|m| m.1), Some(1));
    let weak = me.0.clone();
    drop(me);
    assert!(weak.upgrade().is_none());
    assert_eq!(pool.stats().live_chunks, 2); // a weak handle keeps the memory
    drop(weak);
    assert_eq!(pool.stats().live_chunks, 1);
    // Without drop glue the pool is plain too.
    let mut numbers: Allocator<u64> = Allocator::new();
    let seen = Mutex::new(None);
    let n = numbers.alloc_cyclic(|w| {
        *seen.lock().unwrap() = Some(w.clone());
        5
    });
    let w = seen.lock().unwrap().take().unwrap();
    assert!(ArcSingle::ptr_eq(&w.upgrade().unwrap(), &n));
    drop((n, numbers, plain));
    assert!(w.upgrade().is_none());
}

// ---------------------------------------------------------------------------
// Raw pointers
// ---------------------------------------------------------------------------

#[test]
fn raw_pointers_round_trip_for_values_on_their_own_and_inside_chunks() {
    let log = DropLog::new();
    // A value allocated on its own: index 0, nothing remembered.
    let a = ArcSingle::new(Val(log.make(1)));
    let pa = ArcSingle::into_raw(a.clone());
    // SAFETY: `pa` came from `into_raw`; the value is alive.
    assert_eq!(unsafe { &*pa }.0.id, 1);
    // SAFETY: `pa` came from `into_raw`, taken back once.
    let a2 = unsafe { ArcSingle::<Val>::from_raw(pa) };
    assert!(ArcSingle::ptr_eq(&a, &a2));
    assert_eq!(ArcSingle::strong_count(&a), 2);
    drop((a, a2));
    log.assert_dropped_once([1]);

    // Elements in the middle of an owner: plain chunks and slices.
    let mut pool: Allocator<Tracked> = Allocator::new();
    let first = pool.alloc_value(log.make(2));
    let third_of_chunk = pool.alloc_value(log.make(3));
    let slice = {
        let mut cycle: Allocator<Tracked> = Allocator::new();
        cycle.break_cycles();
        cycle.alloc_from_iter([log.make(4), log.make(5), log.make(6)])
    };
    let raws: Vec<*const Tracked> = [
        first.clone(),
        third_of_chunk.clone(),
        third_of_chunk.clone(),
        slice.element(2).unwrap(),
    ]
    .into_iter()
    .map(ArcSingle::into_raw)
    .collect();
    // On another thread (the pointers travel through `join`).
    let raws: Vec<usize> = raws.into_iter().map(|p| p as usize).collect();
    let ids = std::thread::spawn(move || {
        raws.into_iter()
            .map(|p| {
                // SAFETY: each came from `into_raw` and is taken back once;
                // `join` orders this after it.
                let h = unsafe { ArcSingle::<Tracked>::from_raw(p as *const Tracked) };
                h.id
            })
            .collect::<Vec<_>>()
    })
    .join()
    .unwrap();
    assert_eq!(ids, [2, 3, 3, 6]);
    assert_eq!(
        ArcSingle::strong_count(&third_of_chunk),
        ArcSingle::strong_count(&first)
    );
    // increment / decrement
    let p = ArcSingle::into_raw(slice.element(1).unwrap());
    // SAFETY: `p` came from `into_raw`; each reference is taken back once.
    unsafe {
        ArcSingle::<Tracked>::increment_strong_count(p);
        ArcSingle::<Tracked>::decrement_strong_count(p);
        assert_eq!((*p).id, 5);
        ArcSingle::<Tracked>::decrement_strong_count(p);
    }
    drop((first, third_of_chunk, slice, pool));
    log.assert_all_dropped_once();
}

#[test]
fn weak_raw_pointers_round_trip() {
    let mut pool: Allocator<String> = Allocator::new();
    pool.break_cycles();
    let words = pool.alloc_from_iter(["a", "b", "c"].map(String::from));
    let b = words.element(1).unwrap();
    let pw = ArcSingle::downgrade(&b).into_raw();
    // SAFETY: `pw` came from `into_raw`, taken back once.
    let w = unsafe { WeakSingle::<String>::from_raw(pw) };
    assert_eq!(w.upgrade().as_deref().map(String::as_str), Some("b"));
    let never = WeakSingle::<String>::new().into_raw();
    // SAFETY: as above.
    assert!(
        unsafe { WeakSingle::<String>::from_raw(never) }
            .upgrade()
            .is_none()
    );
    let ps = ArcSlice::downgrade(&words.slice(1..)).into_raw();
    assert_eq!(ps.len(), 2);
    // SAFETY: as above.
    let ws = unsafe { WeakSlice::<String>::from_raw(ps) };
    assert_eq!(ws.upgrade().unwrap(), ["b", "c"]);
    for (weak, upgrades) in [
        (WeakSlice::<String>::new(), false),
        (ArcSlice::downgrade(&ArcSlice::<String>::empty()), true),
    ] {
        let p = weak.into_raw();
        // SAFETY: as above.
        let back = unsafe { WeakSlice::<String>::from_raw(p) };
        assert_eq!(back.upgrade().is_some(), upgrades);
    }
    drop((words, b));
    assert!(w.upgrade().is_none() && ws.upgrade().is_none());
}

// ---------------------------------------------------------------------------
// Conversions and traits
// ---------------------------------------------------------------------------

#[test]
fn slices_collect_and_convert_in_the_per_thread_pool() {
    std::thread::spawn(|| {
        let before = u32::pool_stats().elements;
        let a: ArcSlice<u32> = (0..4).collect();
        let b: ArcSlice<u32> = vec![4, 5].into();
        let c: ArcSlice<u32> = [6, 7, 8].into();
        let d: ArcSlice<u32> = vec![9].into_boxed_slice().into();
        let e: ArcSlice<u32> = ArcSlice::from(&[10, 11][..]);
        let f = u32::alloc_slice_copy(&[12]);
        let g = u32::alloc_slice_clone(&[13]);
        assert_eq!(
            u32::pool_stats().elements - before,
            4 + 2 + 3 + 1 + 2 + 1 + 1
        );
        let all: Vec<u32> = [a, b, c, d, e, f, g]
            .iter()
            .flat_map(|s| s.iter().copied())
            .collect();
        assert_eq!(all, (0..14).collect::<Vec<_>>());
        // In a scope, the scoped pool takes them.
        let mut pool: Allocator<u32, u32, 64> = Allocator::new();
        let (h, i): (ArcSlice<u32>, ArcSlice<u32>) =
            pool.scope(|| ((0..3).collect(), u32::alloc_slice_copy(&[1, 2])));
        assert_eq!((pool.stats().elements, h.len(), i.len()), (5, 3, 2));
    })
    .join()
    .unwrap();
}

#[test]
fn strings_convert_and_downgrade() {
    let from_str: ArcStr = "a".into();
    let from_string: ArcStr = String::from("b").into();
    let from_box: ArcStr = Box::<str>::from("c").into();
    let from_cow: ArcStr = Cow::Borrowed("d").into();
    let collected: ArcStr = "e".chars().collect();
    assert_eq!(
        [&from_str, &from_string, &from_box, &from_cow, &collected].map(|s| s.as_str()),
        ["a", "b", "c", "d", "e"]
    );
    assert_eq!(from_str.as_ptr(), from_str.as_str().as_ptr());
    let weak: WeakStr = ArcStr::downgrade(&from_str);
    assert_eq!(ArcStr::weak_count(&from_str), 1);
    assert_eq!(weak.upgrade().unwrap(), "a");
    assert!(weak.ptr_eq(&weak.clone()) && !weak.ptr_eq(&WeakStr::new()));
    assert_eq!(format!("{weak:?}"), "(Weak)");
    // In a scope, text goes into the scoped pool of bytes.
    let mut text: Allocator<u8, u32, 256> = Allocator::new();
    let scoped: ArcStr = text.scope(|| "scoped".into());
    assert_eq!((text.stats().elements, &*scoped), (6, "scoped"));
}

#[test]
fn traits_like_arcs() {
    #[derive(ArenaAlloc, Debug)]
    struct Oops(&'static str);
    impl std::fmt::Display for Oops {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Oops {}
    let err: Box<dyn std::error::Error> = Box::new(ArcSingle::new(Oops("bad")));
    assert_eq!(err.to_string(), "bad");
    let zero: ArcSingle<Num> = ArcSingle::default();
    assert_eq!(*zero, Num(0));
    let w = ArcSingle::downgrade(&zero);
    assert_eq!(
        format!("{w:?} {:?}", WeakSlice::<u8>::new()),
        "(Weak) (Weak)"
    );
    assert_eq!(
        format!("{zero:p}"),
        format!("{:p}", ArcSingle::as_ptr(&zero))
    );
    assert_eq!(format!("{w:p}"), format!("{:p}", ArcSingle::as_ptr(&zero)));
}

#[test]
fn inherent_methods_do_not_shadow_the_pointees() {
    let mut pool: Allocator<u8> = Allocator::new();
    let bytes = pool.alloc_slice_copy(b"abc");
    // `<[T]>::split_at`: references.
    let (l, r): (&[u8], &[u8]) = bytes.split_at(1);
    assert_eq!((l, r), (&b"a"[..], &b"bc"[..]));
    let (hl, hr): (ArcSlice<u8>, ArcSlice<u8>) = ArcSlice::split_at(&bytes, 1);
    assert_eq!((hl.len(), hr.len()), (1, 2));
    // `Vec::as_ptr` through an `ArcSingle<Vec<u8>>`.
    let mut vecs: Allocator<Vec<u8>> = Allocator::new();
    let v = vecs.alloc_value(vec![1, 2]);
    let data: *const u8 = v.as_ptr();
    assert_eq!(data, v[..].as_ptr());
    assert_ne!(data.cast::<Vec<u8>>(), ArcSingle::as_ptr(&v));
    // 0.1.2's `get()` stays; the pointee's `get` is one deref away.
    assert_eq!((bytes.get(), bytes[..].get(2)), (&b"abc"[..], Some(&b'c')));
    assert_eq!((*v).get(1), Some(&2));
}

// ---------------------------------------------------------------------------
// Slices of handles
// ---------------------------------------------------------------------------

#[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
#[arena(intern)]
enum Ty {
    Int,
    Ptr(Interned<Ty>),
}

#[derive(ArenaAlloc)]
struct Block {
    id: usize,
    succs: ArcSlice<ArcSingle<Block>>,
    preds: ArcSlice<WeakSingle<Block>>,
    names: ArcSlice<ArcStr>,
    types: ArcSlice<Interned<Ty>>,
    rows: ArcSlice<ArcSlice<u32>>,
    boxed: Option<ArcSingle<ArcSlice<ArcSingle<Block>>>>,
    _tracked: Tracked,
}

#[test]
fn slices_of_handles_need_no_newtype() {
    let log = DropLog::new();
    let leaf = |id| {
        Block::block(
            id,
            ArcSlice::empty(),
            ArcSlice::empty(),
            ArcSlice::empty(),
            ArcSlice::empty(),
            ArcSlice::empty(),
            None,
            log.make(id),
        )
    };
    let (a, b) = (leaf(1), leaf(2));
    let exit = Block::block(
        3,
        vec![a.clone(), b.clone()],               // a `Vec` of handles
        [ArcSingle::downgrade(&a)],               // an array
        ["x", "y"].into_iter().map(ArcStr::from), // an iterator
        [Ty::ptr(Ty::Int), Ty::int()],
        [(0..2).collect::<ArcSlice<u32>>(), [7].into()],
        Some(ArcSingle::new((vec![a.clone()]).into())), // `ArcSingle<ArcSlice<..>>`
        log.make(3),
    );
    assert_eq!(exit.succs.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2]);
    assert!(ArcSingle::ptr_eq(&exit.preds[0].upgrade().unwrap(), &a));
    assert_eq!(
        (&*exit.names[1], exit.rows[0].len(), exit.rows[1][0]),
        ("y", 2, 7)
    );
    assert!(Interned::ptr_eq(&exit.types[0], &Ty::ptr(Ty::Int)));
    assert_eq!(exit.boxed.as_ref().unwrap()[0].id, 1);
    // `collect()` into a slice of handles, too.
    let all: ArcSlice<ArcSingle<Block>> =
        [a.clone(), b.clone(), exit.clone()].into_iter().collect();
    // `a`, `exit.succs[0]`, `exit.boxed`'s and `all`'s.
    assert_eq!(ArcSingle::strong_count(&a), 4);
    drop((a, b, exit));
    log.assert_not_dropped([1, 2, 3]);
    drop(all);
    log.assert_all_dropped_once();
}

#[test]
fn handle_pools_are_per_thread_and_freed_with_it() {
    let log = DropLog::new();
    let kept = {
        let log = log.clone();
        std::thread::spawn(move || {
            let vals: ArcSlice<ArcSingle<Val>> =
                (0..3).map(|i| ArcSingle::new(Val(log.make(i)))).collect();
            let weak: ArcSlice<WeakSingle<Val>> = vals.iter().map(ArcSingle::downgrade).collect();
            assert_eq!(<ArcSingle<Val>>::pool_stats().elements, 3);
            assert_eq!(<WeakSingle<Val>>::pool_stats().elements, 3);
            (vals, weak)
        })
        .join()
        .unwrap()
    };
    // The thread ended (and its pools with it); the handles live on.
    assert_eq!(kept.0[2].0.id, 2);
    assert!(kept.1[0].upgrade().is_some());
    assert_eq!(<ArcSingle<Val>>::pool_stats().elements, 0); // this thread's own
    drop(kept);
    log.assert_all_dropped_once();
}
