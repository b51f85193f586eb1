//! Fuzzes sequences of allocator and handle operations against a model.
//!
//! ```sh
//! bash fuzz/run 60                                        # both targets, 60 s each, from anywhere
//! cd fuzz && cargo +nightly fuzz run ops -- -max_total_time=60   # this one alone
//! cargo +nightly fuzz run ops seeds/ops                   # from the checked-in seeds (mutates them)
//! ```
//!
//! `bash fuzz/run` installs cargo-fuzz if it is missing and fuzzes copies of
//! the checked-in corpus (`fuzz/seeds/ops`) under `target/`.
//!
//! Each element records its drops in a shared table; after every operation
//! every live handle must show exactly the values the model expects, and at
//! the end every element must have been dropped exactly once. An element of
//! an earlier run dropped during a later one is a failure too (something
//! kept it alive past the end of its run). What is covered:
//!
//! * an explicit `Allocator` of elements (plain, then cycle-aware after
//!   `BreakCycles`), whose elements may point into a second, cycle-aware
//!   pool of nodes that point back at elements; weak handles upgrade exactly
//!   while their values are not dropped;
//! * the per-thread pools of `#[derive(ArenaAlloc)]` types: `Item` (drop
//!   glue: cycle-aware; items hold slices of earlier items and, when made by
//!   `alloc_cyclic`, a weak handle to themselves) and `Word` (no drop glue:
//!   a plain pool, checked by content);
//! * `SliceBuilder`s of explicit and per-thread pools: pushed past their
//!   capacity (they grow), `reserve`d, `try_push`ed when full, mutated in
//!   place, finished or dropped unfinished, while their pool allocates the
//!   pushed items' children;
//! * `PoolScope` scopes, nested up to four deep: two explicit pools of
//!   `Item` (the innermost wins), an `#[arena]` struct of `Item` and `Word`
//!   pools, and an explicit pool of `Word`. Handles and pending builders
//!   outlive the scopes (a builder made in a scope may grow after it closed,
//!   in another pool), and the scoped pools are dropped and remade;
//! * interning: `#[arena(intern)]` keys that compare by a small key, whose
//!   identity must follow the model (equal live keys share one value and the
//!   duplicate is dropped at once; the last handle dropped drops the value,
//!   and interning again makes a fresh one), kept as `Interned` or as
//!   `ArcSingle`; `Symbol` and `ArcStr::intern` strings share one copy;
//! * a second, persistent thread fed through a channel: handles, weak
//!   handles, interned keys and builders are sent to it, checked there and
//!   kept (until a flush) or dropped there while this thread goes on; it
//!   also grows and finishes builders of this thread's pools, and allocates
//!   items, words and interned keys in its own per-thread pools for this
//!   thread to keep.
//!
//! libFuzzer's AddressSanitizer catches any memory error on the way.
//! (libFuzzer turns every panic into a crash, so panicking `init`s are left
//! to the test suite's `panics.rs`.)

#![no_main]

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Mutex, MutexGuard, OnceLock};

use arbitrary::Arbitrary;
use arena_arc::{
    Allocator, ArcSingle, ArcSlice, ArcStr, ArenaAlloc, ArenaType, Interned, PoolScope,
    SliceBuilder, Symbol, WeakSingle, WeakSlice, arena,
};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    // --- The explicit pool of elements, and the pool of nodes ---
    Alloc(u8),
    TryAlloc {
        len: u8,
        fail_at: u8,
    },
    Value,
    SliceClone(u8),
    ExactIter(u8),
    UnknownIter(u8),
    LyingIter {
        claimed: u8,
        actual: u8,
    },
    DropAllocator,
    /// The elements' allocator counts per value from now on.
    BreakCycles,
    /// A node (second pool) pointing at live element handle `i`.
    NodeTo(u8),
    /// An element pointing at live node `n` (only in per-value mode: a
    /// plain chunk pointing into the node pool, which points back, would be
    /// a cycle between chunks).
    ElemTo(u8),
    DropNode(u8),
    DropNodePool,

    // --- Any live handle ---
    Clone(u8),
    Slice(u8, u8, u8),
    Element(u8, u8),
    SplitAt(u8, u8),
    Drop(u8),
    Downgrade(u8),
    Upgrade(u8),
    DropWeak(u8),

    // --- Per-thread pools (or the scoped pools standing in for them) ---
    /// One item whose children are live handle `kids` (or none).
    Item {
        kids: u8,
    },
    /// `Item::alloc_cyclic`: an item with a weak handle to itself.
    ItemCyclic {
        kids: u8,
    },
    /// Leaf items, made in one of several ways (`how`).
    Items {
        how: u8,
        len: u8,
    },
    /// Leaf items in an explicit pool (`alloc_from_iter_in`).
    ItemsIn(u8),
    DropItemPool,
    /// Words (a plain per-thread pool), made in one of several ways.
    Words {
        how: u8,
        len: u8,
    },

    // --- Builders ---
    /// A builder of kind `kind` (elements, per-thread items, items in an
    /// explicit pool, per-thread words) with room for `cap`.
    Builder {
        kind: u8,
        cap: u8,
    },
    /// Pushes `n` values (items get children as `kids` says: fresh ones
    /// allocated meanwhile, live handle `kids`, or none).
    Push {
        b: u8,
        n: u8,
        kids: u8,
    },
    TryPush(u8),
    Reserve(u8, u8),
    Extend(u8, u8),
    /// Swaps two pushed values through `as_mut_slice`.
    SwapIn(u8, u8, u8),
    Finish(u8),
    DropBuilder(u8),

    // --- Scopes ---
    /// Opens a scope of pool `k` (if that pool is not already open); the
    /// operations up to the matching `EndScope` run inside it.
    Scope(u8),
    EndScope,
    /// Drops and remakes scoped pool `k` (if it is not open).
    ResetScopePool(u8),

    // --- Interning ---
    Intern(u8),
    /// Keeps a clone of interned handle `i` as an `ArcSingle`.
    KeyToSingle(u8),
    KeyClone(u8),
    KeyDrop(u8),
    KeySweep,
    /// `Symbol::new` or `ArcStr::intern` (by `str`) of a small alphabet.
    Sym {
        text: u8,
        str: bool,
    },
    SymDrop(u8),

    // --- The second thread ---
    /// Sends live handle `i` (a clone, or the handle itself if `moved`) to
    /// be kept there until the next flush.
    SendKeep {
        i: u8,
        moved: bool,
    },
    /// Sends live handle `i` there to be dropped at once, while this thread
    /// goes on.
    SendDrop(u8),
    SendWeak(u8),
    /// Sends interned handle `i` there, kept until the next flush or
    /// dropped at once.
    SendKey {
        i: u8,
        keep: bool,
    },
    /// Builder `b` grows there by `n` pushes, then is finished (coming back
    /// as a handle) or dropped there.
    SendBuilder {
        b: u8,
        n: u8,
        finish: bool,
    },
    /// The other thread allocates in its own per-thread pools and sends
    /// the handle back.
    Remote {
        how: u8,
        len: u8,
    },
    /// The other thread interns key `k`, and sends it back.
    RemoteIntern(u8),
    /// Waits until the other thread dropped what it kept.
    Flush,
}

// ---------------------------------------------------------------------------
// Drop counting
// ---------------------------------------------------------------------------

/// Drop counts by id for the current run (one run at a time: libFuzzer
/// runs inputs one after the other, and the other thread is flushed before
/// a run ends).
struct Log {
    run: u64,
    drops: Vec<u32>,
}

static LOG: Mutex<Log> = Mutex::new(Log {
    run: 0,
    drops: Vec::new(),
});

fn log() -> MutexGuard<'static, Log> {
    LOG.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Counts its drops in `LOG`.
#[derive(Debug)]
struct Tag {
    run: u64,
    id: usize,
}

impl Drop for Tag {
    fn drop(&mut self) {
        let mut log = log();
        assert_eq!(
            log.run, self.run,
            "an element of an earlier run dropped late"
        );
        log.drops[self.id] += 1;
    }
}

fn tag() -> Tag {
    let mut log = log();
    log.drops.push(0);
    Tag {
        run: log.run,
        id: log.drops.len() - 1,
    }
}

fn dropped(id: usize) -> u32 {
    log().drops[id]
}

fn all_alive(ids: &[usize]) -> bool {
    let log = log();
    ids.iter().all(|&id| log.drops[id] == 0)
}

fn all_dropped(ids: &[usize]) -> bool {
    let log = log();
    ids.iter().all(|&id| log.drops[id] == 1)
}

// ---------------------------------------------------------------------------
// Element types
// ---------------------------------------------------------------------------

/// An element of the explicit pool.
struct Elem {
    tag: Tag,
    link: Option<ArcSingle<Node, u16>>,
}

/// A node of the second pool: points at elements.
struct Node {
    elem: Elem,
    to: ArcSlice<Elem, u16>,
}

impl Clone for Elem {
    fn clone(&self) -> Self {
        make()
    }
}

fn make() -> Elem {
    Elem {
        tag: tag(),
        link: None,
    }
}

/// A node of a per-thread pool with drop glue (so cycle-aware).
#[derive(ArenaAlloc)]
#[arena(chunk = 8)]
struct Item {
    tag: Tag,
    kids: ArcSlice<Item>,
    /// Itself, if made by `alloc_cyclic`.
    me: WeakSingle<Item>,
}

fn leaf() -> Item {
    Item {
        tag: tag(),
        kids: ArcSlice::empty(),
        me: WeakSingle::new(),
    }
}

/// A value of a plain per-thread pool (no drop glue): checked by content.
#[derive(ArenaAlloc, Clone, Copy, Debug, PartialEq)]
#[arena(chunk = 8)]
struct Word(u32);

/// An interned value: equal by `key` alone, so that a duplicate can be told
/// from the original by its tag.
#[derive(ArenaAlloc, Debug)]
#[arena(intern, chunk = 4)]
struct Key {
    key: u8,
    tag: Tag,
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for Key {}
impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

const KEYS: u8 = 8;
const TEXTS: u8 = 8;

/// A struct of pools, standing in for both per-thread pools in a scope.
#[arena(chunk = 4)]
struct Pools {
    items: Item,
    words: Word,
}

// ---------------------------------------------------------------------------
// Handles and their model
// ---------------------------------------------------------------------------

enum Handle {
    Elems(ArcSlice<Elem, u16>),
    Elem(ArcSingle<Elem, u16>),
    Items(ArcSlice<Item>),
    Item(ArcSingle<Item>),
    Words(ArcSlice<Word>),
    Word(ArcSingle<Word>),
}

enum Weak {
    Elems(WeakSlice<Elem, u16>),
    Elem(WeakSingle<Elem, u16>),
    Items(WeakSlice<Item>),
    Item(WeakSingle<Item>),
    Words(WeakSlice<Word>),
    Word(WeakSingle<Word>),
}

impl Handle {
    /// The ids of its elements (the values of words).
    fn ids(&self) -> Vec<usize> {
        match self {
            Handle::Elems(s) => s.iter().map(|e| e.tag.id).collect(),
            Handle::Elem(s) => vec![s.tag.id],
            Handle::Items(s) => s.iter().map(|e| e.tag.id).collect(),
            Handle::Item(s) => vec![s.tag.id],
            Handle::Words(s) => s.iter().map(|w| w.0 as usize).collect(),
            Handle::Word(s) => vec![s.0 as usize],
        }
    }

    /// Whether its ids are drop-counted (words are not).
    fn counted(&self) -> bool {
        !matches!(self, Handle::Words(_) | Handle::Word(_))
    }

    fn dup(&self) -> Handle {
        match self {
            Handle::Elems(s) => Handle::Elems(s.clone()),
            Handle::Elem(s) => Handle::Elem(s.clone()),
            Handle::Items(s) => Handle::Items(s.clone()),
            Handle::Item(s) => Handle::Item(s.clone()),
            Handle::Words(s) => Handle::Words(s.clone()),
            Handle::Word(s) => Handle::Word(s.clone()),
        }
    }

    fn slice(&self, a: usize, b: usize) -> Option<Handle> {
        match self {
            Handle::Elems(s) => Some(Handle::Elems(s.slice(a..b))),
            Handle::Items(s) => Some(Handle::Items(s.slice(a..b))),
            Handle::Words(s) => Some(Handle::Words(s.slice(a..b))),
            _ => None,
        }
    }

    fn element(&self, k: usize) -> Option<Handle> {
        match self {
            Handle::Elems(s) => Some(Handle::Elem(s.element(k).expect("in bounds"))),
            Handle::Items(s) => Some(Handle::Item(s.element(k).expect("in bounds"))),
            Handle::Words(s) => Some(Handle::Word(s.element(k).expect("in bounds"))),
            _ => None,
        }
    }

    fn split_at(&self, m: usize) -> Option<(Handle, Handle)> {
        match self {
            Handle::Elems(s) => {
                let (l, r) = ArcSlice::split_at(s, m);
                Some((Handle::Elems(l), Handle::Elems(r)))
            }
            Handle::Items(s) => {
                let (l, r) = ArcSlice::split_at(s, m);
                Some((Handle::Items(l), Handle::Items(r)))
            }
            Handle::Words(s) => {
                let (l, r) = ArcSlice::split_at(s, m);
                Some((Handle::Words(l), Handle::Words(r)))
            }
            _ => None,
        }
    }

    fn downgrade(&self) -> Weak {
        match self {
            Handle::Elems(s) => Weak::Elems(ArcSlice::downgrade(s)),
            Handle::Elem(s) => Weak::Elem(ArcSingle::downgrade(s)),
            Handle::Items(s) => Weak::Items(ArcSlice::downgrade(s)),
            Handle::Item(s) => Weak::Item(ArcSingle::downgrade(s)),
            Handle::Words(s) => Weak::Words(ArcSlice::downgrade(s)),
            Handle::Word(s) => Weak::Word(ArcSingle::downgrade(s)),
        }
    }

    /// The items it holds, if any.
    fn items(&self) -> &[Item] {
        match self {
            Handle::Items(s) => s,
            Handle::Item(s) => std::slice::from_ref(&**s),
            _ => &[],
        }
    }

    /// As a slice of items, for an item's children.
    fn item_slice(&self) -> Option<ArcSlice<Item>> {
        match self {
            Handle::Items(s) => Some(s.clone()),
            Handle::Item(s) => Some(ArcSlice::from(s.clone())),
            _ => None,
        }
    }

    fn elem_slice(&self) -> Option<ArcSlice<Elem, u16>> {
        match self {
            Handle::Elems(s) => Some(s.clone()),
            Handle::Elem(s) => Some(ArcSlice::from(s.clone())),
            _ => None,
        }
    }

    /// Checks it shows `ids`, alive (run on either thread).
    fn check(&self, ids: &[usize]) {
        assert_eq!(self.ids(), ids, "a handle shows other elements");
        if self.counted() {
            assert!(all_alive(ids), "element dropped while shown");
        }
    }
}

impl Weak {
    fn upgrade(&self) -> Option<Handle> {
        match self {
            Weak::Elems(w) => w.upgrade().map(Handle::Elems),
            Weak::Elem(w) => w.upgrade().map(Handle::Elem),
            Weak::Items(w) => w.upgrade().map(Handle::Items),
            Weak::Item(w) => w.upgrade().map(Handle::Item),
            Weak::Words(w) => w.upgrade().map(Handle::Words),
            Weak::Word(w) => w.upgrade().map(Handle::Word),
        }
    }

    fn counted(&self) -> bool {
        !matches!(self, Weak::Words(_) | Weak::Word(_))
    }
}

/// An interned key, as the interned handle or as a plain single.
enum KeyHandle {
    Interned(Interned<Key>),
    Single(ArcSingle<Key>),
}

impl KeyHandle {
    fn ptr(&self) -> *const Key {
        match self {
            KeyHandle::Interned(k) => Interned::as_ptr(k),
            KeyHandle::Single(k) => ArcSingle::as_ptr(k),
        }
    }

    fn key(&self) -> &Key {
        match self {
            KeyHandle::Interned(k) => k,
            KeyHandle::Single(k) => k,
        }
    }

    fn check(&self, key: u8, id: usize) {
        let k = self.key();
        assert_eq!(
            (k.key, k.tag.id),
            (key, id),
            "an interned handle shows another value"
        );
        assert_eq!(dropped(id), 0, "interned value dropped while shown");
    }
}

enum SymHandle {
    Symbol(Symbol),
    Str(ArcStr),
}

impl SymHandle {
    fn text(&self) -> &str {
        match self {
            SymHandle::Symbol(s) => s.as_str(),
            SymHandle::Str(s) => s,
        }
    }

    fn ptr(&self) -> *const u8 {
        match self {
            SymHandle::Symbol(s) => Symbol::as_arc_str(s).as_ptr(),
            SymHandle::Str(s) => s.as_ptr(),
        }
    }
}

fn text_of(k: u8) -> String {
    format!("sym{}", k % TEXTS)
}

enum Builder {
    Elems(SliceBuilder<Elem, u16>),
    Items(SliceBuilder<Item>),
    Words(SliceBuilder<Word>),
}

impl Builder {
    fn ids(&self) -> Vec<usize> {
        match self {
            Builder::Elems(b) => b.iter().map(|e| e.tag.id).collect(),
            Builder::Items(b) => b.iter().map(|e| e.tag.id).collect(),
            Builder::Words(b) => b.iter().map(|w| w.0 as usize).collect(),
        }
    }

    fn counted(&self) -> bool {
        !matches!(self, Builder::Words(_))
    }

    fn len_cap(&self) -> (usize, usize) {
        match self {
            Builder::Elems(b) => (b.len(), b.capacity()),
            Builder::Items(b) => (b.len(), b.capacity()),
            Builder::Words(b) => (b.len(), b.capacity()),
        }
    }

    /// Pushes one new value; returns its id (or word value).
    fn push_new(&mut self, next_word: &mut u32) -> usize {
        match self {
            Builder::Elems(b) => {
                let e = make();
                let id = e.tag.id;
                b.push(e);
                id
            }
            Builder::Items(b) => {
                let it = leaf();
                let id = it.tag.id;
                b.push(it);
                id
            }
            Builder::Words(b) => {
                *next_word += 1;
                b.push(Word(*next_word));
                *next_word as usize
            }
        }
    }

    fn finish(self) -> Handle {
        match self {
            Builder::Elems(b) => Handle::Elems(b.finish()),
            Builder::Items(b) => Handle::Items(b.finish()),
            Builder::Words(b) => Handle::Words(b.finish()),
        }
    }

    fn check(&self, ids: &[usize]) {
        assert_eq!(self.ids(), ids, "a builder shows other elements");
        let (len, cap) = self.len_cap();
        assert!(len <= cap, "a builder holds more than its capacity");
        if self.counted() {
            assert!(all_alive(ids), "element dropped while in a builder");
        }
    }
}

// ---------------------------------------------------------------------------
// The second thread
// ---------------------------------------------------------------------------

/// What is sent to the other thread, with what it must show.
enum Sent {
    Handle(Handle, Vec<usize>),
    Weak(Weak, Vec<usize>),
    Key(KeyHandle, u8, usize),
}

impl Sent {
    fn check(&self) {
        match self {
            Sent::Handle(h, ids) => h.check(ids),
            Sent::Weak(w, ids) => {
                // Whether it upgrades depends on this thread's timing.
                if let Some(h) = w.upgrade() {
                    h.check(ids);
                }
            }
            Sent::Key(k, key, id) => k.check(*key, *id),
        }
    }
}

enum Job {
    /// Check it, and keep it until the next flush.
    Keep(Sent),
    /// Check it, and drop it at once.
    Drop(Sent),
    Build {
        builder: Builder,
        ids: Vec<usize>,
        push: u8,
        finish: bool,
        next_word: u32,
    },
    Make {
        how: u8,
        len: u8,
        next_word: u32,
    },
    Intern(u8),
    Flush,
}

enum Reply {
    /// The builder finished (or dropped, `None`) and the ids it held.
    Built(Option<Handle>, Vec<usize>),
    /// A handle of the other thread's pools, its ids, and the children of
    /// the items made (by id).
    Made(Handle, Vec<usize>, Vec<(usize, Vec<usize>)>),
    /// The interned key, and the id of the value passed in.
    Interned(Interned<Key>, usize),
    Flushed,
}

struct Worker {
    jobs: Sender<Job>,
    replies: Receiver<Reply>,
}

impl Worker {
    fn send(&self, job: Job) {
        self.jobs.send(job).expect("the worker is alive");
    }

    fn call(&self, job: Job) -> Reply {
        self.send(job);
        self.replies.recv().expect("the worker is alive")
    }
}

fn worker() -> MutexGuard<'static, Worker> {
    static WORKER: OnceLock<Mutex<Worker>> = OnceLock::new();
    WORKER
        .get_or_init(|| {
            let (jobs, inbox) = mpsc::channel();
            let (outbox, replies) = mpsc::channel();
            std::thread::Builder::new()
                .name("ops-worker".into())
                .spawn(move || serve(inbox, outbox))
                .expect("spawn the worker");
            Mutex::new(Worker { jobs, replies })
        })
        .lock()
        .unwrap_or_else(|poison| poison.into_inner())
}

/// The other thread: runs jobs until the channel closes (never: it lives as
/// long as the process, with its per-thread pools).
fn serve(jobs: Receiver<Job>, replies: Sender<Reply>) {
    let mut kept: Vec<Sent> = Vec::new();
    for job in jobs {
        let reply = match job {
            Job::Keep(sent) => {
                sent.check();
                kept.push(sent);
                continue;
            }
            Job::Drop(sent) => {
                sent.check();
                drop(sent);
                continue;
            }
            Job::Build {
                mut builder,
                mut ids,
                push,
                finish,
                mut next_word,
            } => {
                builder.check(&ids);
                for _ in 0..push % 24 {
                    ids.push(builder.push_new(&mut next_word));
                }
                builder.check(&ids);
                Reply::Built(finish.then(|| builder.finish()), ids)
            }
            Job::Make {
                how,
                len,
                next_word,
            } => {
                let len = usize::from(len % 40);
                let mut kids = Vec::new();
                let h = match how % 4 {
                    0 => Handle::Items(Item::alloc_from_iter((0..len).map(|_| leaf()))),
                    1 => {
                        let mut b = Item::slice_builder(len / 3);
                        b.extend((0..len).map(|_| leaf()));
                        Handle::Items(b.finish())
                    }
                    2 => {
                        let children = Item::alloc_from_iter((0..len).map(|_| leaf()));
                        let mut parent = leaf();
                        parent.kids = children;
                        kids.push((
                            parent.tag.id,
                            parent.kids.iter().map(|k| k.tag.id).collect(),
                        ));
                        Handle::Item(Item::alloc(parent))
                    }
                    _ => Handle::Words(Word::alloc_from_iter(
                        (0..len as u32).map(|i| Word(next_word + 1 + i)),
                    )),
                };
                let ids = h.ids();
                Reply::Made(h, ids, kids)
            }
            Job::Intern(key) => {
                let value = Key { key, tag: tag() };
                let id = value.tag.id;
                Reply::Interned(Key::intern(value), id)
            }
            Job::Flush => {
                kept.clear();
                Reply::Flushed
            }
        };
        replies.send(reply).expect("the fuzz thread is alive");
    }
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

/// Pools that scopes can open; `None` while open.
struct Scoped {
    items_a: Option<Allocator<Item, u32, 8>>,
    items_b: Option<Allocator<Item, u32, 32>>,
    pools: Option<Pools>,
    words: Option<Allocator<Word, u32, 16>>,
}

struct State {
    worker: MutexGuard<'static, Worker>,
    alloc: Allocator<Elem, u16, 7>,
    nodes_pool: Allocator<Node, u16, 5>,
    item_pool: Allocator<Item, u32, 16>,
    scoped: Scoped,
    /// Live handles with the ids (or word values) they show.
    live: Vec<(Handle, Vec<usize>)>,
    /// Nodes with their own id and the ids they point at.
    nodes: Vec<(ArcSingle<Node, u16>, usize, Vec<usize>)>,
    weaks: Vec<(Weak, Vec<usize>)>,
    builders: Vec<(Builder, Vec<usize>)>,
    /// The children of items (by id) that have any.
    kids: HashMap<usize, Vec<usize>>,
    /// Items made by `alloc_cyclic`.
    cyclic: HashSet<usize>,
    next_word: u32,
    /// Open scopes standing in for `Item`'s, and `Word`'s, per-thread pool.
    item_scopes: usize,
    /// Interned handles held here: key and value id.
    keys: Vec<(KeyHandle, u8, usize)>,
    /// Interned values the worker keeps until the next flush.
    worker_keys: Vec<(u8, usize)>,
    /// Keys of which the worker may be dropping a value right now.
    uncertain: [bool; KEYS as usize],
    /// The value last interned for each key.
    last_key: [Option<usize>; KEYS as usize],
    syms: Vec<(SymHandle, u8)>,
    /// Whether the worker may be dropping something right now.
    pending: bool,
}

impl State {
    fn pick(i: u8, n: usize) -> Option<usize> {
        (n > 0).then(|| i as usize % n)
    }

    fn push_items(&mut self, s: ArcSlice<Item>) {
        let ids = s.iter().map(|e| e.tag.id).collect();
        self.live.push((Handle::Items(s), ids));
    }

    fn push_words(&mut self, s: ArcSlice<Word>) {
        let ids = s.iter().map(|w| w.0 as usize).collect();
        self.live.push((Handle::Words(s), ids));
    }

    fn words(&mut self, len: u8) -> Vec<Word> {
        (0..len % 40)
            .map(|_| {
                self.next_word += 1;
                Word(self.next_word)
            })
            .collect()
    }

    /// The children for a new item: live handle `kids` if it holds items,
    /// else none.
    fn kids_for(&self, kids: u8) -> ArcSlice<Item> {
        Self::pick(kids, self.live.len())
            .and_then(|i| self.live[i].0.item_slice())
            .unwrap_or_default()
    }

    fn note_kids(&mut self, it: &Item) {
        if !it.kids.is_empty() {
            self.kids
                .insert(it.tag.id, it.kids.iter().map(|k| k.tag.id).collect());
        }
    }

    /// Who holds key `key` for sure: the id of its value.
    fn key_holder(&self, key: u8) -> Option<usize> {
        self.keys
            .iter()
            .find(|(_, k, _)| *k == key)
            .map(|&(_, _, id)| id)
            .or_else(|| {
                self.worker_keys
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|&(_, id)| id)
            })
    }

    /// Checks `got`, the result of interning key `key` with a value of id
    /// `new`, against the model, and keeps it.
    fn interned(&mut self, got: Interned<Key>, key: u8, new: usize) {
        let id = got.tag.id;
        assert_eq!(got.key, key, "interning gave another key");
        match self.key_holder(key) {
            Some(old) => {
                assert_eq!(id, old, "an equal live value was not found");
                assert_eq!(dropped(new), 1, "the duplicate was not dropped at once");
            }
            None if self.uncertain[key as usize] => {
                if id != new {
                    assert_eq!(dropped(new), 1, "the duplicate was not dropped at once");
                }
            }
            None => {
                assert_eq!(id, new, "a value whose handles are gone was found");
                if let Some(last) = self.last_key[key as usize] {
                    assert_eq!(dropped(last), 1, "an interned value outlived its handles");
                }
            }
        }
        assert_eq!(dropped(id), 0, "interning gave a dropped value");
        for (other, k, _) in &self.keys {
            let same = std::ptr::eq(other.ptr(), Interned::as_ptr(&got));
            assert_eq!(same, *k == key, "identity does not follow equality");
            if let KeyHandle::Interned(other) = other {
                assert_eq!(*other == got, *k == key, "`==` is not identity");
            }
        }
        self.last_key[key as usize] = Some(id);
        self.keys.push((KeyHandle::Interned(got), key, id));
        if !self.uncertain.iter().any(|&u| u) {
            let mut distinct: Vec<u8> = self.keys.iter().map(|&(_, k, _)| k).collect();
            distinct.extend(self.worker_keys.iter().map(|&(k, _)| k));
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(Key::intern_stats().live_entries, distinct.len());
        }
    }

    fn flush(&mut self) {
        match self.worker.call(Job::Flush) {
            Reply::Flushed => {}
            _ => unreachable!("a flush is answered by `Flushed`"),
        }
        for (_, id) in std::mem::take(&mut self.worker_keys) {
            if self.keys.iter().all(|&(_, _, other)| other != id) {
                assert_eq!(dropped(id), 1, "an interned value outlived its handles");
            }
        }
        self.uncertain = [false; KEYS as usize];
        self.pending = false;
    }

    /// Checks everything this thread holds against the model.
    fn check(&self) {
        for (h, ids) in &self.live {
            h.check(ids);
            for it in h.items() {
                let kids: Vec<usize> = it.kids.iter().map(|k| k.tag.id).collect();
                assert_eq!(
                    kids,
                    self.kids.get(&it.tag.id).cloned().unwrap_or_default(),
                    "an item shows other children"
                );
                assert!(all_alive(&kids), "a child dropped before its parent");
                match it.me.upgrade() {
                    Some(me) => {
                        assert!(self.cyclic.contains(&it.tag.id));
                        assert!(
                            std::ptr::eq(&*me, it),
                            "a cyclic item's weak handle is not itself"
                        );
                    }
                    None => assert!(
                        !self.cyclic.contains(&it.tag.id),
                        "a live cyclic item does not upgrade"
                    ),
                }
            }
        }
        for (node, id, ids) in &self.nodes {
            assert_eq!(node.elem.tag.id, *id);
            assert_eq!(&node.to.iter().map(|e| e.tag.id).collect::<Vec<_>>(), ids);
            assert!(
                all_alive(ids) && dropped(*id) == 0,
                "node or target dropped"
            );
        }
        for (b, ids) in &self.builders {
            b.check(ids);
        }
        for (k, key, id) in &self.keys {
            k.check(*key, *id);
        }
        for (s, k) in &self.syms {
            assert_eq!(s.text(), text_of(*k));
        }
    }

    /// Runs operations until the end, or until the `EndScope` of a scope
    /// opened `depth` deep.
    fn run(&mut self, ops: &mut std::iter::Take<std::vec::IntoIter<Op>>, depth: usize) {
        while let Some(op) = ops.next() {
            if let Op::EndScope = op {
                if depth > 0 {
                    return;
                }
                continue;
            }
            if let Op::Scope(k) = op {
                self.scope(k, ops, depth);
            } else {
                self.op(op);
            }
            self.check();
        }
    }

    fn scope(&mut self, k: u8, ops: &mut std::iter::Take<std::vec::IntoIter<Op>>, depth: usize) {
        match k % 4 {
            0 => self.run_scoped(|s| &mut s.items_a, true, ops, depth),
            1 => self.run_scoped(|s| &mut s.items_b, true, ops, depth),
            2 => self.run_scoped(|s| &mut s.pools, true, ops, depth),
            _ => self.run_scoped(|s| &mut s.words, false, ops, depth),
        }
    }

    /// Runs the next ops inside a scope of the pool in `slot` (if it is not
    /// already open further out); `of_items` says whether it stands in for
    /// `Item`'s per-thread pool.
    fn run_scoped<P: PoolScope>(
        &mut self,
        slot: fn(&mut Scoped) -> &mut Option<P>,
        of_items: bool,
        ops: &mut std::iter::Take<std::vec::IntoIter<Op>>,
        depth: usize,
    ) {
        let Some(mut pool) = slot(&mut self.scoped).take() else {
            return;
        };
        self.item_scopes += usize::from(of_items);
        pool.scope(|| self.run(ops, depth + 1));
        self.item_scopes -= usize::from(of_items);
        *slot(&mut self.scoped) = Some(pool);
    }

    fn op(&mut self, op: Op) {
        let pick = Self::pick;
        match op {
            Op::Alloc(len) => {
                let s = self.alloc.alloc(u16::from(len), |_| make());
                let ids = s.iter().map(|e| e.tag.id).collect();
                self.live.push((Handle::Elems(s), ids));
            }
            Op::TryAlloc { len, fail_at } => {
                let r = self.alloc.try_alloc(u16::from(len), |i| {
                    if i == fail_at as usize {
                        Err(())
                    } else {
                        Ok(make())
                    }
                });
                assert_eq!(r.is_err(), fail_at < len);
                if let Ok(s) = r {
                    let ids = s.iter().map(|e| e.tag.id).collect();
                    self.live.push((Handle::Elems(s), ids));
                }
            }
            Op::Value => {
                let s = self.alloc.alloc_value(make());
                let id = s.tag.id;
                self.live.push((Handle::Elem(s), vec![id]));
            }
            Op::SliceClone(len) => {
                let src: Vec<Elem> = (0..len).map(|_| make()).collect();
                let s = self.alloc.alloc_slice_clone(&src);
                let ids = s.iter().map(|e| e.tag.id).collect();
                self.live.push((Handle::Elems(s), ids));
            }
            Op::ExactIter(len) => {
                let s = self.alloc.alloc_from_iter((0..len).map(|_| make()));
                let ids = s.iter().map(|e| e.tag.id).collect();
                self.live.push((Handle::Elems(s), ids));
            }
            Op::UnknownIter(len) => {
                let s = self
                    .alloc
                    .alloc_from_iter((0..len).filter(|_| true).map(|_| make()));
                let ids = s.iter().map(|e| e.tag.id).collect();
                self.live.push((Handle::Elems(s), ids));
            }
            Op::LyingIter { claimed, actual } => {
                let s = self.alloc.alloc_from_iter(Liar {
                    inner: (0..actual).map(|_| make()),
                    claimed: claimed as usize,
                });
                assert_eq!(s.len(), actual as usize);
                let ids = s.iter().map(|e| e.tag.id).collect();
                self.live.push((Handle::Elems(s), ids));
            }
            Op::DropAllocator => self.alloc = Allocator::new(),
            Op::BreakCycles => self.alloc.break_cycles(),
            Op::NodeTo(i) => {
                if let Some(i) = pick(i, self.live.len())
                    && let Some(to) = self.live[i].0.elem_slice()
                {
                    let ids = self.live[i].1.clone();
                    let node = self.nodes_pool.alloc_value(Node { elem: make(), to });
                    let id = node.elem.tag.id;
                    self.nodes.push((node, id, ids));
                }
            }
            Op::ElemTo(n) => {
                if self.alloc.breaks_cycles()
                    && let Some(n) = pick(n, self.nodes.len())
                {
                    let mut e = make();
                    e.link = Some(self.nodes[n].0.clone());
                    let s = self.alloc.alloc_value(e);
                    let id = s.tag.id;
                    self.live.push((Handle::Elem(s), vec![id]));
                }
            }
            Op::DropNode(n) => {
                if let Some(n) = pick(n, self.nodes.len()) {
                    self.nodes.swap_remove(n);
                }
            }
            Op::DropNodePool => {
                self.nodes_pool = Allocator::new();
                self.nodes_pool.break_cycles();
            }
            Op::Clone(i) => {
                if let Some(i) = pick(i, self.live.len()) {
                    let (h, ids) = &self.live[i];
                    let c = (h.dup(), ids.clone());
                    self.live.push(c);
                }
            }
            Op::Slice(i, a, b) => {
                if let Some(i) = pick(i, self.live.len()) {
                    let (h, ids) = &self.live[i];
                    let n = ids.len() + 1;
                    let (a, b) = (a as usize % n, b as usize % n);
                    let (a, b) = (a.min(b), a.max(b));
                    if let Some(sub) = h.slice(a, b) {
                        let sub_ids = ids[a..b].to_vec();
                        self.live.push((sub, sub_ids));
                    }
                }
            }
            Op::Element(i, k) => {
                if let Some(i) = pick(i, self.live.len())
                    && let Some(k) = pick(k, self.live[i].1.len())
                {
                    let (h, ids) = &self.live[i];
                    if let Some(e) = h.element(k) {
                        let id = ids[k];
                        self.live.push((e, vec![id]));
                    }
                }
            }
            Op::SplitAt(i, m) => {
                if let Some(i) = pick(i, self.live.len()) {
                    let (h, ids) = &self.live[i];
                    let m = m as usize % (ids.len() + 1);
                    if let Some((l, r)) = h.split_at(m) {
                        let (li, ri) = (ids[..m].to_vec(), ids[m..].to_vec());
                        self.live.push((l, li));
                        self.live.push((r, ri));
                    }
                }
            }
            Op::Drop(i) => {
                if let Some(i) = pick(i, self.live.len()) {
                    self.live.swap_remove(i);
                }
            }
            Op::Downgrade(i) => {
                if let Some(i) = pick(i, self.live.len()) {
                    let (h, ids) = &self.live[i];
                    let w = (h.downgrade(), ids.clone());
                    self.weaks.push(w);
                }
            }
            Op::Upgrade(w) => {
                if let Some(w) = pick(w, self.weaks.len()) {
                    let (weak, ids) = &self.weaks[w];
                    match weak.upgrade() {
                        Some(h) => {
                            // Also checks the values are not dropped.
                            h.check(ids);
                            let ids = ids.clone();
                            self.live.push((h, ids));
                        }
                        // While the worker may be dropping the last strong
                        // handle, the values may be on their way out.
                        None if weak.counted() && !self.pending => {
                            assert!(all_dropped(ids), "no upgrade, yet alive");
                        }
                        None => {}
                    }
                }
            }
            Op::DropWeak(w) => {
                if let Some(w) = pick(w, self.weaks.len()) {
                    self.weaks.swap_remove(w);
                }
            }

            Op::Item { kids } => {
                let mut it = leaf();
                it.kids = self.kids_for(kids);
                self.note_kids(&it);
                let id = it.tag.id;
                let before = Item::pool_stats().allocations;
                let h = Item::alloc(it);
                let after = Item::pool_stats().allocations;
                if self.item_scopes > 0 {
                    assert_eq!(after, before, "a scoped item went into the per-thread pool");
                } else {
                    assert_eq!(after, before + 1, "an item went elsewhere");
                }
                self.live.push((Handle::Item(h), vec![id]));
            }
            Op::ItemCyclic { kids } => {
                let kids = self.kids_for(kids);
                let h = Item::alloc_cyclic(|me| {
                    assert!(me.upgrade().is_none(), "upgraded before it was built");
                    let mut it = leaf();
                    it.kids = kids;
                    it.me = me.clone();
                    it
                });
                self.note_kids(&h);
                self.cyclic.insert(h.tag.id);
                let id = h.tag.id;
                self.live.push((Handle::Item(h), vec![id]));
            }
            Op::Items { how, len } => {
                let n = usize::from(len % 40);
                let s = match how % 5 {
                    0 => Item::alloc_from_iter((0..n).map(|_| leaf())),
                    1 => Item::alloc_from_iter((0..n).filter(|_| true).map(|_| leaf())),
                    2 => Item::alloc_vec((0..n).map(|_| leaf()).collect()),
                    3 => Item::alloc_slice(n, |_| leaf()),
                    // Items whose children are allocated in the same pool
                    // while the slice is being filled.
                    _ => Item::alloc_from_iter((0..n).map(|_| {
                        let mut it = leaf();
                        it.kids = Item::alloc_from_iter([leaf()]);
                        it
                    })),
                };
                for it in s.iter() {
                    self.note_kids(it);
                }
                self.push_items(s);
            }
            Op::ItemsIn(len) => {
                let s =
                    Item::alloc_from_iter_in(&mut self.item_pool, (0..len % 40).map(|_| leaf()));
                self.push_items(s);
            }
            Op::DropItemPool => self.item_pool = Allocator::new(),
            Op::Words { how, len } => {
                let words = self.words(len);
                let s = match how % 4 {
                    0 => Word::alloc_slice_copy(&words),
                    1 => Word::alloc_from_iter(words),
                    2 => Word::alloc_vec(words),
                    _ => match words.first() {
                        Some(&w) => ArcSlice::from(Word::alloc(w)),
                        None => ArcSlice::empty(),
                    },
                };
                self.push_words(s);
            }

            Op::Builder { kind, cap } => {
                let cap = usize::from(cap % 24);
                let b = match kind % 4 {
                    0 => Builder::Elems(self.alloc.slice_builder(cap)),
                    1 => Builder::Items(Item::slice_builder(cap)),
                    2 => Builder::Items(Item::slice_builder_in(&mut self.item_pool, cap)),
                    _ => Builder::Words(Word::slice_builder(cap)),
                };
                let (len, got) = b.len_cap();
                assert_eq!((len, got), (0, cap), "a new builder's length and capacity");
                self.builders.push((b, Vec::new()));
            }
            Op::Push { b, n, kids } => {
                if let Some(b) = pick(b, self.builders.len()) {
                    for _ in 0..n % 24 {
                        let id = if let Builder::Items(_) = self.builders[b].0 {
                            let mut it = leaf();
                            it.kids = match kids % 3 {
                                // Children allocated while the builder is
                                // pending (in the same pool, for a
                                // per-thread builder).
                                0 => Item::alloc_from_iter([leaf(), leaf()]),
                                1 => self.kids_for(kids),
                                _ => ArcSlice::empty(),
                            };
                            self.note_kids(&it);
                            let id = it.tag.id;
                            let Builder::Items(builder) = &mut self.builders[b].0 else {
                                unreachable!("checked above")
                            };
                            builder.push(it);
                            id
                        } else {
                            self.builders[b].0.push_new(&mut self.next_word)
                        };
                        self.builders[b].1.push(id);
                    }
                }
            }
            Op::TryPush(b) => {
                if let Some(b) = pick(b, self.builders.len()) {
                    let (builder, ids) = &mut self.builders[b];
                    let (len, cap) = builder.len_cap();
                    let full = len == cap;
                    let refused = match builder {
                        Builder::Elems(b) => b.try_push(make()).err().map(|e| e.tag.id),
                        Builder::Items(b) => b.try_push(leaf()).err().map(|e| e.tag.id),
                        Builder::Words(b) => {
                            self.next_word += 1;
                            b.try_push(Word(self.next_word)).err().map(|w| w.0 as usize)
                        }
                    };
                    assert_eq!(
                        refused.is_some(),
                        full,
                        "`try_push` refuses exactly when full"
                    );
                    match refused {
                        Some(id) if builder.counted() => {
                            assert_eq!(dropped(id), 1, "the refused value was not handed back");
                        }
                        Some(_) => {}
                        None => {
                            let last = *builder.ids().last().expect("just pushed");
                            ids.push(last);
                        }
                    }
                }
            }
            Op::Reserve(b, n) => {
                if let Some(b) = pick(b, self.builders.len()) {
                    let n = usize::from(n % 64);
                    let builder = &mut self.builders[b].0;
                    match builder {
                        Builder::Elems(b) => b.reserve(n),
                        Builder::Items(b) => b.reserve(n),
                        Builder::Words(b) => b.reserve(n),
                    }
                    let (len, cap) = builder.len_cap();
                    assert!(cap >= len + n, "`reserve` made too little room");
                }
            }
            Op::Extend(b, n) => {
                if let Some(b) = pick(b, self.builders.len()) {
                    let n = n % 32;
                    let (builder, ids) = &mut self.builders[b];
                    let start = ids.len();
                    match builder {
                        Builder::Elems(b) => b.extend((0..n).map(|_| make())),
                        Builder::Items(b) => b.extend((0..n).filter(|_| true).map(|_| leaf())),
                        Builder::Words(b) => {
                            let next = &mut self.next_word;
                            b.extend((0..n).map(|_| {
                                *next += 1;
                                Word(*next)
                            }));
                        }
                    }
                    let now = builder.ids();
                    assert_eq!(now.len(), start + usize::from(n));
                    ids.extend_from_slice(&now[start..]);
                }
            }
            Op::SwapIn(b, x, y) => {
                if let Some(b) = pick(b, self.builders.len())
                    && let Some(x) = pick(x, self.builders[b].1.len())
                    && let Some(y) = pick(y, self.builders[b].1.len())
                {
                    let (builder, ids) = &mut self.builders[b];
                    match builder {
                        Builder::Elems(b) => b.as_mut_slice().swap(x, y),
                        Builder::Items(b) => b.as_mut_slice().swap(x, y),
                        Builder::Words(b) => b.as_mut_slice().swap(x, y),
                    }
                    ids.swap(x, y);
                }
            }
            Op::Finish(b) => {
                if let Some(b) = pick(b, self.builders.len()) {
                    let (builder, ids) = self.builders.swap_remove(b);
                    let h = builder.finish();
                    self.live.push((h, ids));
                }
            }
            Op::DropBuilder(b) => {
                if let Some(b) = pick(b, self.builders.len()) {
                    let (builder, ids) = self.builders.swap_remove(b);
                    let counted = builder.counted();
                    drop(builder);
                    if counted {
                        assert!(all_dropped(&ids), "a dropped builder kept what was pushed");
                    }
                }
            }

            Op::Scope(_) | Op::EndScope => unreachable!("handled by `run`"),
            Op::ResetScopePool(k) => match k % 4 {
                0 => {
                    if self.scoped.items_a.is_some() {
                        self.scoped.items_a = Some(Allocator::new());
                    }
                }
                1 => {
                    if self.scoped.items_b.is_some() {
                        self.scoped.items_b = Some(Allocator::new());
                    }
                }
                2 => {
                    if self.scoped.pools.is_some() {
                        self.scoped.pools = Some(Pools::new());
                    }
                }
                _ => {
                    if self.scoped.words.is_some() {
                        self.scoped.words = Some(Allocator::new());
                    }
                }
            },

            Op::Intern(k) => {
                let key = k % KEYS;
                let value = Key { key, tag: tag() };
                let new = value.tag.id;
                let got = Key::intern(value);
                self.interned(got, key, new);
            }
            Op::KeyToSingle(i) => {
                if let Some(i) = pick(i, self.keys.len())
                    && let KeyHandle::Interned(k) = &self.keys[i].0
                {
                    let single = ArcSingle::from(k.clone());
                    let (key, id) = (self.keys[i].1, self.keys[i].2);
                    self.keys.push((KeyHandle::Single(single), key, id));
                }
            }
            Op::KeyClone(i) => {
                if let Some(i) = pick(i, self.keys.len()) {
                    let (k, key, id) = &self.keys[i];
                    let c = match k {
                        KeyHandle::Interned(k) => KeyHandle::Interned(k.clone()),
                        KeyHandle::Single(k) => KeyHandle::Single(k.clone()),
                    };
                    let c = (c, *key, *id);
                    self.keys.push(c);
                }
            }
            Op::KeyDrop(i) => {
                if let Some(i) = pick(i, self.keys.len()) {
                    let (k, key, id) = self.keys.swap_remove(i);
                    drop(k);
                    if self.key_holder(key).is_none() && !self.uncertain[key as usize] {
                        assert_eq!(
                            dropped(id),
                            1,
                            "the last interned handle went, the value stayed"
                        );
                    }
                }
            }
            Op::KeySweep => {
                Key::intern_sweep();
                ArcStr::intern_sweep();
                if !self.uncertain.iter().any(|&u| u) {
                    assert_eq!(
                        Key::intern_stats().dead_entries,
                        0,
                        "a sweep left dead entries"
                    );
                }
            }
            Op::Sym { text, str } => {
                let k = text % TEXTS;
                let s = text_of(k);
                let h = if str {
                    SymHandle::Str(ArcStr::intern(&s))
                } else {
                    SymHandle::Symbol(Symbol::new(&s))
                };
                assert_eq!(h.text(), s);
                for (other, k2) in &self.syms {
                    assert_eq!(other.ptr() == h.ptr(), *k2 == k, "one copy per text");
                }
                self.syms.push((h, k));
            }
            Op::SymDrop(i) => {
                if let Some(i) = pick(i, self.syms.len()) {
                    self.syms.swap_remove(i);
                }
            }

            Op::SendKeep { i, moved } => {
                if let Some(i) = pick(i, self.live.len()) {
                    let (h, ids) = if moved {
                        self.live.swap_remove(i)
                    } else {
                        let (h, ids) = &self.live[i];
                        (h.dup(), ids.clone())
                    };
                    self.worker.send(Job::Keep(Sent::Handle(h, ids)));
                }
            }
            Op::SendDrop(i) => {
                if let Some(i) = pick(i, self.live.len()) {
                    let (h, ids) = self.live.swap_remove(i);
                    self.worker.send(Job::Drop(Sent::Handle(h, ids)));
                    self.pending = true;
                }
            }
            Op::SendWeak(w) => {
                if let Some(w) = pick(w, self.weaks.len()) {
                    let (weak, ids) = self.weaks.swap_remove(w);
                    // Its upgrade there may be the last strong handle for
                    // a moment.
                    self.worker.send(Job::Drop(Sent::Weak(weak, ids)));
                    self.pending = true;
                }
            }
            Op::SendKey { i, keep } => {
                if let Some(i) = pick(i, self.keys.len()) {
                    let (k, key, id) = self.keys.swap_remove(i);
                    let sent = Sent::Key(k, key, id);
                    if keep {
                        self.worker.send(Job::Keep(sent));
                        self.worker_keys.push((key, id));
                    } else {
                        self.worker.send(Job::Drop(sent));
                        self.uncertain[key as usize] = true;
                        self.pending = true;
                    }
                }
            }
            Op::SendBuilder { b, n, finish } => {
                if let Some(b) = pick(b, self.builders.len()) {
                    let (builder, ids) = self.builders.swap_remove(b);
                    let counted = builder.counted();
                    let words = matches!(builder, Builder::Words(_));
                    let reply = self.worker.call(Job::Build {
                        builder,
                        ids,
                        push: n,
                        finish,
                        next_word: self.next_word,
                    });
                    let Reply::Built(h, ids) = reply else {
                        unreachable!("a build is answered by `Built`")
                    };
                    if words {
                        self.next_word += u32::from(n % 24);
                    }
                    match h {
                        Some(h) => {
                            h.check(&ids);
                            self.live.push((h, ids));
                        }
                        None if counted => {
                            assert!(
                                all_dropped(&ids),
                                "a builder dropped there kept what was pushed"
                            );
                        }
                        None => {}
                    }
                }
            }
            Op::Remote { how, len } => {
                let reply = self.worker.call(Job::Make {
                    how,
                    len,
                    next_word: self.next_word,
                });
                let Reply::Made(h, ids, kids) = reply else {
                    unreachable!("a make is answered by `Made`")
                };
                if !h.counted() {
                    self.next_word += u32::from(len % 40);
                }
                self.kids.extend(kids);
                h.check(&ids);
                self.live.push((h, ids));
            }
            Op::RemoteIntern(k) => {
                let key = k % KEYS;
                let Reply::Interned(got, new) = self.worker.call(Job::Intern(key)) else {
                    unreachable!("an intern is answered by `Interned`")
                };
                self.interned(got, key, new);
            }
            Op::Flush => self.flush(),
        }
    }
}

struct Liar<I> {
    inner: I,
    claimed: usize,
}

impl<I: Iterator> Iterator for Liar<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.claimed = self.claimed.saturating_sub(1);
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.claimed, Some(self.claimed))
    }
}

fuzz_target!(|ops: Vec<Op>| {
    {
        let mut log = log();
        log.run += 1;
        log.drops.clear();
    }
    let mut nodes_pool: Allocator<Node, u16, 5> = Allocator::new();
    nodes_pool.break_cycles();
    let mut st = State {
        worker: worker(),
        alloc: Allocator::new(),
        nodes_pool,
        item_pool: Allocator::new(),
        scoped: Scoped {
            items_a: Some(Allocator::new()),
            items_b: Some(Allocator::new()),
            pools: Some(Pools::new()),
            words: Some(Allocator::new()),
        },
        live: Vec::new(),
        nodes: Vec::new(),
        weaks: Vec::new(),
        builders: Vec::new(),
        kids: HashMap::new(),
        cyclic: HashSet::new(),
        next_word: 0,
        item_scopes: 0,
        keys: Vec::new(),
        worker_keys: Vec::new(),
        uncertain: [false; KEYS as usize],
        last_key: [None; KEYS as usize],
        syms: Vec::new(),
        pending: false,
    };
    let mut ops = ops.into_iter().take(200);
    st.run(&mut ops, 0);
    // Everything goes: this thread's handles, then what the worker kept.
    st.live.clear();
    st.builders.clear();
    st.nodes.clear();
    st.weaks.clear();
    st.keys.clear();
    st.syms.clear();
    st.nodes_pool = Allocator::new();
    st.alloc = Allocator::new();
    st.item_pool = Allocator::new();
    st.scoped.items_a = None;
    st.scoped.items_b = None;
    st.scoped.pools = None;
    st.scoped.words = None;
    st.flush();
    drop(st);
    assert!(
        log().drops.iter().all(|&n| n == 1),
        "every element dropped exactly once"
    );
    assert_eq!(
        Key::intern_stats().live_entries,
        0,
        "an interned value outlived the run"
    );
});
