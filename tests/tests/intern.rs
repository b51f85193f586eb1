//! Interning: `#[arena(intern)]`, `Interned` and `ArcStr::intern`.
//!
//! Each test interns a type of its own (tables are process-wide, and the
//! tests of this file run in parallel), so that counts and statistics are
//! exact.

use std::collections::{BTreeSet, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;

use arena_arc::{ArcSingle, ArcSlice, ArcStr, ArenaAlloc, Interned, Symbol};
use arena_arc_tests::{DropLog, Tracked, expect_panic, scaled};

/// A value that counts its drops in a `DropLog`; equal by `key`.
#[derive(Debug)]
struct Keyed {
    key: u64,
    _tracked: Tracked,
}

impl PartialEq for Keyed {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Keyed {}
impl Hash for Keyed {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

// A separate type per test that counts: the derive needs concrete types.
macro_rules! keyed_type {
    ($name:ident $(, $chunk:literal)?) => {
        #[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
        #[arena(intern $(, chunk = $chunk)?)]
        struct $name(Keyed);
        impl $name {
            fn new(log: &Arc<DropLog>, id: usize, key: u64) -> Self {
                $name(Keyed {
                    key,
                    _tracked: log.make(id),
                })
            }
        }
    };
}

keyed_type!(Dedup);

#[test]
fn equal_values_share_one_allocation_and_the_duplicate_is_dropped() {
    let log = DropLog::new();
    let a = Dedup::intern(Dedup::new(&log, 0, 7));
    let b = Dedup::intern(Dedup::new(&log, 1, 7));
    let c = Dedup::intern(Dedup::new(&log, 2, 8));
    assert!(Interned::ptr_eq(&a, &b));
    assert!(!Interned::ptr_eq(&a, &c));
    assert_eq!(a, b);
    assert_ne!(a, c);
    // The second 7 was already present: dropped at once, and only it.
    log.assert_dropped_once([1]);
    log.assert_not_dropped([0, 2]);
    assert_eq!(Dedup::intern_stats().entries, 2);
    assert_eq!(Dedup::intern_stats().pools.allocations, 2);
    drop((a, c));
    log.assert_not_dropped([0]); // `b` still holds it
    drop(b);
    log.assert_all_dropped_once();
}

/// A type whose `Hash` and `Eq` count their calls.
#[derive(ArenaAlloc, Debug)]
#[arena(intern)]
enum Ty {
    Int,
    Ptr(Interned<Ty>),
}

static TY_HASHES: AtomicUsize = AtomicUsize::new(0);
static TY_EQS: AtomicUsize = AtomicUsize::new(0);
static TY_DROPS: AtomicUsize = AtomicUsize::new(0);

impl Hash for Ty {
    fn hash<H: Hasher>(&self, state: &mut H) {
        TY_HASHES.fetch_add(1, Ordering::Relaxed);
        match self {
            Ty::Int => 0u8.hash(state),
            Ty::Ptr(inner) => {
                1u8.hash(state);
                inner.hash(state);
            }
        }
    }
}
impl PartialEq for Ty {
    fn eq(&self, other: &Self) -> bool {
        TY_EQS.fetch_add(1, Ordering::Relaxed);
        match (self, other) {
            (Ty::Int, Ty::Int) => true,
            (Ty::Ptr(a), Ty::Ptr(b)) => a == b,
            _ => false,
        }
    }
}
impl Eq for Ty {}
impl Drop for Ty {
    fn drop(&mut self) {
        TY_DROPS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Interning a deep chain hashes and compares each node once (children
/// compare and hash by address), and dropping it takes constant stack.
/// The only test that interns `Ty`.
#[test]
fn a_deep_chain_interns_in_linear_time_and_drops_in_constant_stack() {
    let depth = scaled(200_000, 500);
    // A small stack: a recursive drop (or a recursive hash) of the chain
    // would overflow it.
    let worker = thread::Builder::new().stack_size(256 * 1024);
    worker
        .spawn(move || {
            let mut ty = Ty::intern(Ty::Int);
            for _ in 0..depth {
                ty = Ty::ptr(ty); // the constructor interns
            }
            // One hash per intern; the chain was new, so no comparison.
            assert_eq!(TY_HASHES.load(Ordering::Relaxed), depth + 1);
            assert_eq!(TY_EQS.load(Ordering::Relaxed), 0);
            // Interning it again from values: each level hits, with one
            // hash and one comparison of O(1) each.
            let mut again = Ty::intern(Ty::Int);
            for _ in 0..depth {
                again = Ty::intern(Ty::Ptr(again));
            }
            assert!(Interned::ptr_eq(&ty, &again));
            assert_eq!(TY_HASHES.load(Ordering::Relaxed), 2 * (depth + 1));
            assert_eq!(TY_EQS.load(Ordering::Relaxed), depth + 1);
            // The values passed in were duplicates: dropped at once, each
            // dropping its child handle (not the last).
            assert_eq!(TY_DROPS.load(Ordering::Relaxed), depth + 1);
            assert_eq!(Ty::intern_stats().entries, depth + 1);
            drop(again);
            drop(ty);
            assert_eq!(TY_DROPS.load(Ordering::Relaxed), 2 * (depth + 1));
        })
        .unwrap()
        .join()
        .unwrap();
}

#[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
#[arena(intern)]
struct Word(String);

impl std::fmt::Display for Word {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}>", self.0)
    }
}

#[test]
fn interned_handles_compare_by_address_and_print_by_content() {
    let a = Word::intern(Word("a".into()));
    let b = Word::intern(Word("b".into()));
    let a2 = Word::intern(Word("a".into()));
    assert_eq!(format!("{a:?}"), "Word(\"a\")");
    assert_eq!(format!("{a}"), "<a>");
    assert_eq!(a.0, "a"); // Deref
    assert_eq!(Interned::get(&a).0, "a");
    assert_eq!(Interned::as_ptr(&a), &*a as *const Word);

    let set: HashSet<Interned<Word>> = [a.clone(), b.clone(), a2.clone()].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(set.contains(&a2));

    // `Ord` is the order of the addresses: total, and consistent with `Eq`.
    let ordered: BTreeSet<Interned<Word>> = [b.clone(), a.clone(), a2].into_iter().collect();
    assert_eq!(ordered.len(), 2);
    assert_eq!(
        a.cmp(&b),
        Interned::as_ptr(&a).cmp(&Interned::as_ptr(&b)),
        "Ord compares addresses"
    );
    assert_eq!(a.cmp(&a.clone()), std::cmp::Ordering::Equal);

    // The hash is the address's, not the value's.
    let hash = |x: &dyn Fn(&mut std::collections::hash_map::DefaultHasher)| {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        x(&mut h);
        h.finish()
    };
    assert_eq!(
        hash(&|h| a.hash(h)),
        hash(&|h| std::ptr::hash(Interned::as_ptr(&a), h))
    );
    assert_eq!(format!("{a:p}"), format!("{:p}", Interned::as_ptr(&a)));
}

#[test]
fn an_arc_single_keeps_the_value_interned() {
    #[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
    #[arena(intern)]
    struct Kept(u64, String);

    let a = Kept::intern(Kept(1, "one".into()));
    let single: ArcSingle<Kept> = a.into();
    // No `Interned` left, but the value is alive: interning finds it.
    let again = Kept::intern(Kept(1, "one".into()));
    assert!(std::ptr::eq(&*single, &*again));
    assert!(ArcSingle::ptr_eq(Interned::as_single(&again), &single));
    drop((single, again));
    // Now it is gone: a new value is made.
    let fresh = Kept::intern(Kept(1, "one".into()));
    assert_eq!(Kept::intern_stats().pools.allocations, 2);
    assert_eq!(fresh.1, "one");
}

keyed_type!(Churn, 16);

/// Interning and dropping distinct values in a loop keeps the table and its
/// pools bounded.
#[test]
fn unreferenced_values_are_dropped_and_leave_the_table() {
    let log = DropLog::new();
    let rounds = scaled(100_000, 500);
    let mut max_entries = 0;
    let mut max_chunks = 0;
    for i in 0..rounds {
        let value = Churn::intern(Churn::new(&log, i, i as u64));
        assert_eq!(value.0.key, i as u64);
        drop(value);
        // Dropped at once: the table holds no value alive.
        assert_eq!(log.drops_of(i), 1);
        if i % 97 == 0 {
            let stats = Churn::intern_stats();
            max_entries = max_entries.max(stats.entries);
            max_chunks = max_chunks.max(stats.pools.live_chunks);
        }
    }
    log.assert_all_dropped_once();
    let stats = Churn::intern_stats();
    assert_eq!(stats.pools.allocations, rounds);
    // Every value died at once, so a shard sweeps whenever it reaches 16
    // entries: its dead entries are its latest 16 values at most, in its
    // current chunk (16 values) and the one before.
    assert!(max_entries <= 16 * 16, "{max_entries} entries");
    assert!(max_chunks <= 16 * 2, "{max_chunks} live chunks");
    assert!(stats.pools.chunks >= rounds / 16, "{stats}");
}

/// A value without drop glue lives and dies with its chunk; the table and
/// pools stay bounded too.
#[test]
fn values_without_drop_glue_leave_the_table_with_their_chunk() {
    #[derive(ArenaAlloc, PartialEq, Eq, Hash, Clone, Copy, Debug)]
    #[arena(intern, chunk = 16)]
    struct Sym(u64);

    let rounds = scaled(100_000, 500);
    let mut max_entries = 0;
    let mut max_chunks = 0;
    for i in 0..rounds as u64 {
        let sym = Sym::intern(Sym(i));
        assert_eq!(*sym, Sym(i));
        if i % 97 == 0 {
            let stats = Sym::intern_stats();
            max_entries = max_entries.max(stats.entries);
            max_chunks = max_chunks.max(stats.pools.live_chunks);
        }
    }
    let stats = Sym::intern_stats();
    assert!(stats.pools.chunks >= rounds / 16, "{stats}");
    // A shard's values are alive while their chunk is: its current one
    // (16 values), and those that its entries not swept yet keep (a shard
    // sweeps when its entries have doubled).
    assert!(max_chunks <= 16 * 4, "{max_chunks} chunks; {stats}");
    assert!(max_entries <= 16 * 4 * 16, "{max_entries} entries; {stats}");
}

/// A `Drop` that interns (a value of the same type) runs outside the
/// table's lock, whether it is the duplicate being dropped or the last
/// handle's value.
#[test]
fn drop_may_intern_the_same_type() {
    static REENTERED: AtomicUsize = AtomicUsize::new(0);

    #[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
    #[arena(intern)]
    struct Reentrant(u32);

    impl Drop for Reentrant {
        fn drop(&mut self) {
            if self.0 < 1000 {
                // Interns (and drops) a value whose own drop stops here.
                let inner = Reentrant::intern(Reentrant(self.0 + 1000));
                assert_eq!(inner.0, self.0 + 1000);
                REENTERED.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    let a = Reentrant::intern(Reentrant(1));
    let b = Reentrant::intern(Reentrant(1)); // the duplicate interns on drop
    assert_eq!(REENTERED.load(Ordering::Relaxed), 1);
    drop((a, b)); // the value's drop interns too
    assert_eq!(REENTERED.load(Ordering::Relaxed), 2);
}

/// A panicking `Eq` leaves the table usable and consistent.
#[test]
fn a_panicking_eq_leaves_the_table_usable() {
    static PANIC: AtomicBool = AtomicBool::new(false);

    #[derive(ArenaAlloc, Debug)]
    #[arena(intern)]
    struct Touchy(u8);

    impl Hash for Touchy {
        fn hash<H: Hasher>(&self, state: &mut H) {
            self.0.hash(state);
        }
    }

    impl PartialEq for Touchy {
        fn eq(&self, other: &Self) -> bool {
            assert!(!PANIC.load(Ordering::Relaxed), "Touchy::eq panics");
            self.0 == other.0
        }
    }
    impl Eq for Touchy {}

    let one = Touchy::intern(Touchy(1));
    PANIC.store(true, Ordering::Relaxed);
    let message = expect_panic(|| Touchy::intern(Touchy(1)));
    assert_eq!(message, "Touchy::eq panics");
    PANIC.store(false, Ordering::Relaxed);
    // The shard's lock was poisoned; the table is consistent.
    let again = Touchy::intern(Touchy(1));
    assert!(Interned::ptr_eq(&one, &again));
    let two = Touchy::intern(Touchy(2));
    assert_eq!(two.0, 2);
    assert_eq!(Touchy::intern_stats().entries, 2);
}

keyed_type!(Shared);

/// Threads interning the same values get the same handles.
#[test]
fn every_thread_gets_the_same_value() {
    let log = DropLog::new();
    let threads = 4;
    let keys = scaled(2_000, 50) as u64;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<Vec<Interned<Shared>>> = (0..threads)
        .map(|t| {
            let (log, barrier) = (log.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                (0..keys)
                    .map(|k| Shared::intern(Shared::new(&log, t * 1_000_000 + k as usize, k)))
                    .collect::<Vec<_>>()
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    for theirs in &handles[1..] {
        for (mine, theirs) in handles[0].iter().zip(theirs) {
            assert!(Interned::ptr_eq(mine, theirs));
        }
    }
    // One value per key is kept; every other one was dropped once.
    assert_eq!(log.alive(), keys as usize);
    assert_eq!(Shared::intern_stats().pools.allocations, keys as usize);
    drop(handles);
    log.assert_all_dropped_once();
}

keyed_type!(Racing);

/// Threads intern equal values while others drop their last handles to
/// them: a handle held is always the one interning finds, and every value
/// is dropped exactly once.
#[test]
fn interning_races_the_last_drop_of_an_equal_value() {
    let log = DropLog::new();
    let threads = 4;
    let rounds = scaled(20_000, 50);
    let ids = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(Barrier::new(threads));
    let workers: Vec<_> = (0..threads)
        .map(|t| {
            let (log, ids, barrier) = (log.clone(), ids.clone(), barrier.clone());
            thread::spawn(move || {
                barrier.wait();
                let mut kept = Vec::new();
                for i in 0..rounds {
                    let key = ((i + t) % 4) as u64;
                    let make = || Racing::new(&log, ids.fetch_add(1, Ordering::Relaxed), key);
                    let a = Racing::intern(make());
                    // `a` keeps the value alive: the same one is found.
                    let b = Racing::intern(make());
                    assert!(Interned::ptr_eq(&a, &b));
                    assert_eq!(a.0.key, key);
                    if i % 7 == 0 {
                        kept.push(a);
                    }
                    if kept.len() > 3 {
                        kept.remove(0);
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    log.assert_all_dropped_once();
    assert_eq!(log.created(), ids.load(Ordering::Relaxed));
}

#[test]
fn strings_intern_to_one_allocation() {
    let _one_at_a_time = STRING_TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let a = ArcStr::intern("identifier");
    let b = ArcStr::intern(&String::from("identifier"));
    let c = ArcStr::intern("identifiers");
    assert!(ArcStr::ptr_eq(&a, &b));
    assert!(!ArcStr::ptr_eq(&a, &c));
    assert_eq!(a, "identifier");
    assert_eq!(c, "identifiers");
    // From another thread too.
    let d = thread::spawn(|| ArcStr::intern("identifier"))
        .join()
        .unwrap();
    assert!(ArcStr::ptr_eq(&a, &d));
    // The empty string allocates nothing.
    let empty = ArcStr::intern("");
    assert_eq!(empty, "");
    assert!(ArcStr::ptr_eq(&empty, &ArcStr::intern("")));
    // Non-ASCII text, and text longer than a chunk.
    let long = "é".repeat(5000);
    assert!(ArcStr::ptr_eq(
        &ArcStr::intern(&long),
        &ArcStr::intern(&long)
    ));
    assert_eq!(ArcStr::intern(&long).as_str(), long);
}

/// The string table is process-wide: the tests of this file that count its
/// entries take turns.
static STRING_TABLE: Mutex<()> = Mutex::new(());

/// Interning distinct strings and dropping them keeps the string table's
/// pools bounded. The only test that makes many strings (the other tests'
/// strings are few, but share the table: the bounds leave room for them).
#[test]
fn dropped_strings_leave_the_table() {
    let _one_at_a_time = STRING_TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let rounds = scaled(200_000, 500);
    let mut max_chunks = 0;
    for i in 0..rounds {
        let s = format!("tmp_{i}_{}", "x".repeat(i % 32));
        let interned = ArcStr::intern(&s);
        assert_eq!(interned, s.as_str());
        if i % 101 == 0 {
            max_chunks = max_chunks.max(ArcStr::intern_stats().pools.live_chunks);
        }
    }
    let stats = ArcStr::intern_stats();
    let total: usize = (0..rounds)
        .map(|i| format!("tmp_{i}_").len() + i % 32)
        .sum();
    assert!(stats.pools.bytes_used >= total, "{stats}");
    // Each shard keeps its current chunk (4 KiB, about 100 of these
    // strings) and those that entries not swept yet point into: a shard
    // sweeps when its entries double, so at most about as many dead entries
    // as its chunk holds strings, from the chunks just before.
    assert!(max_chunks <= 16 * 4, "{max_chunks} chunks live; {stats}");
    assert!(stats.pools.chunks >= total / 4096, "{stats}");
}

#[test]
fn deserializing_interns() {
    #[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug, serde::Serialize, serde::Deserialize)]
    #[arena(intern)]
    enum Json {
        Null,
        Name(String),
        List(Vec<Interned<Json>>),
    }

    let list: Interned<Json> =
        serde_json::from_str(r#"{"List": [{"Name": "a"}, {"Name": "a"}, "Null"]}"#).unwrap();
    let Json::List(items) = &*list else {
        panic!("{list:?}")
    };
    assert!(Interned::ptr_eq(&items[0], &items[1]));
    assert!(Interned::ptr_eq(&items[2], &Json::intern(Json::Null)));
    assert_eq!(
        serde_json::to_string(&list).unwrap(),
        r#"{"List":[{"Name":"a"},{"Name":"a"},"Null"]}"#
    );
    let again: Interned<Json> =
        serde_json::from_str(&serde_json::to_string(&list).unwrap()).unwrap();
    assert!(Interned::ptr_eq(&list, &again));
    assert!(serde_json::from_str::<Interned<Json>>(r#"{"List": [1]}"#).is_err());
}

keyed_type!(Split);

#[test]
fn intern_stats_tell_live_and_dead_entries_apart() {
    let log = DropLog::new();
    let all: Vec<_> = (0..10)
        .map(|i| Split::intern(Split::new(&log, i, i as u64)))
        .collect();
    let stats = Split::intern_stats();
    assert_eq!(
        (stats.entries, stats.live_entries, stats.dead_entries),
        (10, 10, 0)
    );
    let kept: Vec<_> = all.into_iter().take(4).collect();
    let stats = Split::intern_stats();
    assert_eq!(
        (stats.entries, stats.live_entries, stats.dead_entries),
        (10, 4, 6)
    );
    assert!(
        stats
            .to_string()
            .starts_with("10 entries (4 live, 6 dead); "),
        "{stats}"
    );
    assert_eq!(Split::intern_sweep(), 6);
    let stats = Split::intern_stats();
    assert_eq!(
        (stats.entries, stats.live_entries, stats.dead_entries),
        (4, 4, 0)
    );
    assert_eq!(Split::intern_sweep(), 0);
    drop(kept);
    log.assert_all_dropped_once();
}

// Small chunks: even Miri's short burst fills several per shard.
keyed_type!(Burst, 4);

/// After a burst of values that all die, the table still points into their
/// chunks (dead entries keep the memory, not the values) until it sweeps;
/// `intern_sweep` gives it all back at once.
#[test]
fn intern_sweep_bounds_a_table_after_a_burst() {
    let log = DropLog::new();
    let kept: Vec<_> = (0..16)
        .map(|i| Burst::intern(Burst::new(&log, i, i as u64)))
        .collect();
    let burst = scaled(20_000, 400);
    let values: Vec<_> = (0..burst)
        .map(|i| Burst::intern(Burst::new(&log, 100 + i, 100 + i as u64)))
        .collect();
    let during = Burst::intern_stats();
    assert_eq!(during.live_entries, 16 + burst);
    drop(values);
    let after = Burst::intern_stats();
    assert_eq!((after.live_entries, after.dead_entries), (16, burst));
    assert!(after.pools.live_chunks >= burst / 16, "{after}");
    assert_eq!(Burst::intern_sweep(), burst);
    let swept = Burst::intern_stats();
    assert_eq!((swept.entries, swept.live_entries), (16, 16));
    // Each shard keeps its current chunk and those of the values kept.
    assert!(swept.pools.live_chunks <= 16 + 16, "{swept}");
    assert!(
        swept.pools.live_chunks * 2 <= after.pools.live_chunks,
        "{swept} / {after}"
    );
    drop(kept);
    log.assert_all_dropped_once();
}

#[test]
fn the_string_table_sweeps_on_demand() {
    let _one_at_a_time = STRING_TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let kept = ArcStr::intern("kept across the sweep");
    // Text lives and dies with its chunk (bytes have no drop glue): strings
    // of 1,000 bytes fill four to a chunk, so all but each shard's current
    // chunk die with the burst.
    // (`format!("{i:>1000}")`, without its padding loop: slow under Miri.)
    let text = |i: usize| {
        let digits = i.to_string();
        " ".repeat(1000 - digits.len()) + &digits
    };
    let burst: Vec<ArcStr> = (0..scaled(2_000, 200))
        .map(|i| ArcStr::intern(&text(i)))
        .collect();
    let n = burst.len();
    drop(burst);
    let dead = ArcStr::intern_stats().dead_entries;
    assert!(dead >= n / 2, "{dead} of {n}");
    let swept = ArcStr::intern_sweep();
    assert!(swept >= n / 2, "{swept}");
    let stats = ArcStr::intern_stats();
    assert_eq!(stats.dead_entries, 0, "{stats}");
    assert!(stats.live_entries >= 1);
    assert!(ArcStr::ptr_eq(
        &kept,
        &ArcStr::intern("kept across the sweep")
    ));
}

#[test]
fn symbols_compare_and_hash_by_address() {
    let _one_at_a_time = STRING_TABLE.lock().unwrap_or_else(|e| e.into_inner());
    let a = Symbol::new("symbol_a");
    let b: Symbol = String::from("symbol_a").into();
    let c: Symbol = "symbol_c".into();
    assert!(a == b && Symbol::ptr_eq(&a, &b) && a != c);
    assert_eq!((&*a, a.len(), a.as_str()), ("symbol_a", 8, "symbol_a"));
    assert!(a == "symbol_a" && a == *"symbol_a");
    assert_eq!(format!("{a} {a:?}"), r#"symbol_a "symbol_a""#);
    assert!(a < c && c > b);
    assert_eq!(a.cmp(&b), std::cmp::Ordering::Equal);
    let set: HashSet<Symbol> = [a.clone(), b.clone(), c.clone()].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert!(set.contains(&Symbol::new("symbol_c")));
    let sorted: BTreeSet<Symbol> = ["z", "m", "a"].into_iter().map(Symbol::new).collect();
    assert_eq!(
        sorted.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        ["a", "m", "z"]
    );
    // The same allocation as `ArcStr::intern`, and back.
    assert!(ArcStr::ptr_eq(
        Symbol::as_arc_str(&a),
        &ArcStr::intern("symbol_a")
    ));
    let text: ArcStr = a.clone().into();
    assert_eq!(text, "symbol_a");
    assert_eq!(Symbol::default(), Symbol::new(""));
    // Slices of symbols need no newtype.
    let params: ArcSlice<Symbol> = ["x", "y", "x"].into_iter().map(Symbol::new).collect();
    assert!(params[0] == params[2] && params[0] != params[1]);
    // From another thread: the same symbol.
    let d = thread::spawn(|| Symbol::new("symbol_a")).join().unwrap();
    assert_eq!(a, d);
}

#[test]
fn symbols_serialize_as_strings_and_deserialize_by_interning() {
    let _one_at_a_time = STRING_TABLE.lock().unwrap_or_else(|e| e.into_inner());
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Field {
        name: Symbol,
        ty: Symbol,
    }
    let fields: Vec<Field> =
        serde_json::from_str(r#"[{"name": "len", "ty": "usize"}, {"name": "cap", "ty": "usize"}]"#)
            .unwrap();
    assert!(Symbol::ptr_eq(&fields[0].ty, &fields[1].ty));
    assert_eq!(fields[0].name, Symbol::new("len"));
    assert_eq!(
        serde_json::to_string(&fields[1]).unwrap(),
        r#"{"name":"cap","ty":"usize"}"#
    );
    let names: ArcSlice<Symbol> = serde_json::from_str(r#"["len", "len"]"#).unwrap();
    assert!(Symbol::ptr_eq(&names[0], &names[1]));
    assert!(serde_json::from_str::<Symbol>("1").is_err());
}
