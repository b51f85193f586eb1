//! Fuzzes deserializing arbitrary bytes into arena pools through serde.
//!
//! ```sh
//! bash fuzz/run 60                                        # both targets, 60 s each, from anywhere
//! cd fuzz && cargo +nightly fuzz run deserialize -- -max_total_time=60   # this one alone
//! cargo +nightly fuzz run deserialize seeds/deserialize   # from the checked-in seeds (mutates them)
//! ```
//!
//! `bash fuzz/run` installs cargo-fuzz if it is missing and fuzzes copies of
//! the checked-in corpus (`fuzz/seeds/deserialize`) under `target/`.
//!
//! The first byte of an input picks the format (bit 0: JSON or postcard),
//! where the handles go (bits 1-2: the per-thread pools; an explicit
//! `Allocator` of `Tree` through `DeserializeIn`; an `#[arena]` struct of
//! all the pools through `deserialize_in`; or both, nested) and the root
//! type (bits 3-4: `ArcSingle<Doc>`, `ArcSlice<Tree>`,
//! `Vec<ArcSingle<Tree>>`, or a tuple of a tree, numbers and an interned
//! atom); the rest is the document.
//!
//! The types nest every kind of handle: `ArcSlice` of derived structs and
//! enums, `ArcSingle`, `Option`s of them, `ArcStr`, byte and number slices,
//! `Symbol`s and `Interned` values. Their `Counted` leaves record their
//! drops: whether the input loads or is an error (a partial result is
//! freed), once the result is dropped every value made was dropped exactly
//! once, and no interned value is left alive. A loaded value is written back
//! in its format (and the other one) and loaded again: equal, and written
//! the same. Scoped loads must leave the per-thread pools of the scoped
//! types alone.
//!
//! The loads run on a thread of their own with a large stack: postcard has
//! no recursion limit, so a deeply nested input recurses as deep as it is
//! long (serde's derived code, not arena-arc's; dropping is iterative).

#![no_main]

use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, MutexGuard, OnceLock};

use arena_arc::serde::{DeserializeIn, deserialize_in};
use arena_arc::{
    Allocator, ArcSingle, ArcSlice, ArcStr, ArenaAlloc, Interned, PoolScope, Symbol, arena,
};
use libfuzzer_sys::fuzz_target;
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

// ---------------------------------------------------------------------------
// Drop counting
// ---------------------------------------------------------------------------

/// Drop counts by id for the current input.
static LOG: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn log() -> MutexGuard<'static, Vec<u32>> {
    LOG.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// A number that records its drop; (de)serializes as the number, and is
/// equal (and hashes) by it.
#[derive(Debug)]
struct Counted {
    value: u32,
    id: usize,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut log = log();
        // An id past the end is a value of an earlier input dropped late.
        let n = log
            .get_mut(self.id)
            .expect("a value of an earlier input dropped late");
        *n += 1;
    }
}

impl PartialEq for Counted {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}
impl Eq for Counted {}
impl Hash for Counted {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl Serialize for Counted {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.value)
    }
}

impl<'de> Deserialize<'de> for Counted {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = u32::deserialize(d)?;
        let mut log = log();
        log.push(0);
        Ok(Counted {
            value,
            id: log.len() - 1,
        })
    }
}

// ---------------------------------------------------------------------------
// The document types
// ---------------------------------------------------------------------------

/// Externally tagged (postcard cannot load untagged enums), recursive.
#[derive(ArenaAlloc, Serialize, Deserialize, Debug, PartialEq)]
#[arena(chunk = 8)]
enum Tree {
    Leaf(Counted),
    Text(ArcStr),
    Sym(Symbol),
    Atom(Interned<Atom>),
    Opt(Option<ArcSingle<Tree>>),
    Pair(ArcSingle<Tree>, ArcSingle<Tree>),
    List(ArcSlice<Tree>),
    Bytes(ArcSlice<u8>),
    Record {
        name: ArcStr,
        nums: ArcSlice<u32>,
        entries: ArcSlice<Entry>,
        kids: ArcSlice<Tree>,
    },
    Empty,
}

/// A small struct (the short-sequence path keeps up to three in locals).
#[derive(ArenaAlloc, Serialize, Deserialize, Debug, PartialEq)]
#[arena(chunk = 16)]
struct Entry {
    count: Counted,
    label: Option<ArcStr>,
}

/// Interned on load: equal atoms share one value.
#[derive(ArenaAlloc, Serialize, Deserialize, Debug, PartialEq, Eq, Hash)]
#[arena(intern, chunk = 4)]
struct Atom {
    id: u8,
    count: Counted,
}

#[derive(ArenaAlloc, Serialize, Deserialize, Debug, PartialEq)]
#[arena(chunk = 4)]
struct Doc {
    title: ArcStr,
    tag: Counted,
    root: Option<ArcSingle<Tree>>,
    forest: ArcSlice<Tree>,
    entries: ArcSlice<Entry>,
    names: Vec<Symbol>,
}

type Tuple = (ArcSingle<Tree>, ArcSlice<u32>, Option<Interned<Atom>>);

/// Every pool a document's handles go to (interned values aside).
#[arena(chunk = 4)]
struct Pools {
    trees: Tree,
    docs: Doc,
    entries: Entry,
    text: u8,
    nums: u32,
}

/// `outer`'s pools, with `inner` standing in for `Tree`'s inside them.
struct Nested<'a, V> {
    outer: &'a mut Pools,
    inner: &'a mut Allocator<Tree, u32, 4>,
    value: PhantomData<V>,
}

impl<'de, V: Deserialize<'de>> DeserializeSeed<'de> for Nested<'_, V> {
    type Value = V;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V, D::Error> {
        let inner = self.inner;
        self.outer.scope(|| inner.scope(|| V::deserialize(d)))
    }
}

// ---------------------------------------------------------------------------
// Loading and writing back
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Debug)]
enum Format {
    Json,
    Postcard,
}

/// Loads `data` with `seed` (failing on trailing JSON).
fn load<'a, S: DeserializeSeed<'a>>(
    format: Format,
    data: &'a [u8],
    seed: S,
) -> Result<S::Value, String> {
    match format {
        Format::Json => {
            let mut de = serde_json::Deserializer::from_slice(data);
            let value = seed.deserialize(&mut de).map_err(|e| e.to_string())?;
            // On trailing characters the value loaded is dropped.
            de.end().map_err(|e| e.to_string())?;
            Ok(value)
        }
        Format::Postcard => {
            let mut de = postcard::Deserializer::from_bytes(data);
            seed.deserialize(&mut de).map_err(|e| e.to_string())
        }
    }
}

fn write<V: Serialize>(format: Format, value: &V) -> Vec<u8> {
    match format {
        Format::Json => serde_json::to_vec(value).expect("a loaded value writes as JSON"),
        Format::Postcard => {
            postcard::to_allocvec(value).expect("a loaded value writes as postcard")
        }
    }
}

/// Writes `value` in `format`, loads it back into the per-thread pools and
/// checks the copy is equal and writes the same.
fn round_trip<V>(format: Format, value: &V)
where
    V: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let bytes = write(format, value);
    match load(format, &bytes, PhantomData::<V>) {
        Ok(copy) => {
            assert_eq!(&copy, value, "a value written and loaded again differs");
            assert_eq!(write(format, &copy), bytes, "a copy writes differently");
        }
        // serde_json refuses documents nested more than 128 deep, which a
        // postcard input can be.
        Err(e) if format == Format::Json && e.contains("recursion limit") => {}
        Err(e) => panic!("a value written as {format:?} does not load again: {e}"),
    }
}

/// Allocations made so far in the per-thread pools of the types `Pools`
/// scopes.
fn per_thread() -> [usize; 5] {
    [
        Tree::pool_stats().allocations,
        Doc::pool_stats().allocations,
        Entry::pool_stats().allocations,
        u8::pool_stats().allocations,
        u32::pool_stats().allocations,
    ]
}

fn run_as<V>(format: Format, target: u8, data: &[u8])
where
    V: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let mut tree_pool: Allocator<Tree, u32, 4> = Allocator::new();
    let mut pools = Pools::new();
    let before = per_thread();
    let result: Result<V, String> = match target {
        0 => load(format, data, PhantomData::<V>),
        1 => load(format, data, DeserializeIn::new(&mut tree_pool)),
        2 => match format {
            // `deserialize_in` itself, for one format.
            Format::Json => {
                let mut de = serde_json::Deserializer::from_slice(data);
                deserialize_in(&mut pools, &mut de)
                    .and_then(|v: V| de.end().map(|()| v))
                    .map_err(|e| e.to_string())
            }
            Format::Postcard => load(format, data, DeserializeIn::new(&mut pools)),
        },
        _ => load(
            format,
            data,
            Nested {
                outer: &mut pools,
                inner: &mut tree_pool,
                value: PhantomData::<V>,
            },
        ),
    };
    let after = per_thread();
    match target {
        1 => assert_eq!(
            after[0], before[0],
            "a scoped load used the per-thread pool of `Tree`"
        ),
        2 | 3 => assert_eq!(after, before, "a scoped load used a per-thread pool"),
        _ => {}
    }
    if target == 3 && result.is_ok() {
        // The trees went into the inner pool, nothing into the outer one's.
        assert_eq!(
            pools.trees.stats().allocations,
            0,
            "the inner scope did not win"
        );
    }
    if let Ok(value) = &result {
        round_trip(format, value);
        let other = match format {
            Format::Json => Format::Postcard,
            Format::Postcard => Format::Json,
        };
        round_trip(other, value);
    }
    // The result (or what was loaded before the error) and the pools go;
    // every value made was dropped exactly once.
    drop(result);
    drop(tree_pool);
    drop(pools);
    assert!(
        log().iter().all(|&n| n == 1),
        "every value loaded is dropped exactly once"
    );
    assert_eq!(
        Atom::intern_stats().live_entries,
        0,
        "an interned atom outlived its handles"
    );
}

fn run(data: &[u8]) {
    let Some((&mode, doc)) = data.split_first() else {
        return;
    };
    log().clear();
    let format = if mode & 1 == 0 {
        Format::Json
    } else {
        Format::Postcard
    };
    let target = (mode >> 1) & 3;
    match (mode >> 3) & 3 {
        0 => run_as::<ArcSingle<Doc>>(format, target, doc),
        1 => run_as::<ArcSlice<Tree>>(format, target, doc),
        2 => run_as::<Vec<ArcSingle<Tree>>>(format, target, doc),
        _ => run_as::<Tuple>(format, target, doc),
    }
}

/// The thread the loads run on (with its per-thread pools, kept from one
/// input to the next), and the way back.
struct Runner {
    inputs: Sender<Vec<u8>>,
    done: Receiver<()>,
}

fn runner() -> MutexGuard<'static, Runner> {
    static RUNNER: OnceLock<Mutex<Runner>> = OnceLock::new();
    RUNNER
        .get_or_init(|| {
            let (inputs, inbox) = mpsc::channel::<Vec<u8>>();
            let (outbox, done) = mpsc::channel();
            std::thread::Builder::new()
                .name("deserialize".into())
                .stack_size(256 << 20)
                .spawn(move || {
                    for data in inbox {
                        run(&data);
                        outbox.send(()).expect("the fuzz thread is alive");
                    }
                })
                .expect("spawn the loading thread");
            Mutex::new(Runner { inputs, done })
        })
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
}

fuzz_target!(|data: &[u8]| {
    let runner = runner();
    runner
        .inputs
        .send(data.to_vec())
        .expect("the loading thread is alive");
    // A panic there aborts the process (libFuzzer's panic hook), so this
    // waits for a finished run.
    runner.done.recv().expect("the loading thread is alive");
});
