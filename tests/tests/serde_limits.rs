//! Deserialization limits for untrusted input (`DeserializeLimits`): a load
//! that would allocate more bytes or elements than allowed ends in the
//! deserializer's error, naming the limit, before the memory is taken;
//! what it allocated is dropped; the pools stay usable; a length claimed
//! up front reserves no more than the limits allow. Through every route:
//! `DeserializeIn::with_limits` into an `Allocator` and an `#[arena]`
//! struct, `deserialize_in_with_limits`, and `with_limits` around plain
//! `serde_json` calls on the per-thread pools.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{self, BufReader, Read, Write as _};
use std::mem::size_of;
use std::panic::{AssertUnwindSafe, catch_unwind};

use arena_arc::serde::{DeserializeIn, DeserializeLimits, deserialize_in_with_limits, with_limits};
use arena_arc::{Allocator, ArcSingle, ArcSlice, ArcStr, ArenaAlloc, Interned, Symbol, arena};
use arena_arc_tests::{Liar, scaled};
use proptest::prelude::*;
use serde::de::DeserializeSeed;
use serde::de::value::{Error as ValueError, SeqDeserializer};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// Measuring: heap use per thread, values alive per thread
// ---------------------------------------------------------------------------

/// The system allocator, counting each thread's heap use and its peak.
struct Counting;

std::thread_local! {
    /// Bytes this thread allocated minus bytes it freed (no destructor:
    /// readable while the thread's other thread-locals are destroyed).
    static HEAP: Cell<isize> = const { Cell::new(0) };
    /// The highest `HEAP` since `peak_heap_during` began.
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn count(bytes: isize) {
    let now = HEAP.with(|heap| {
        let now = heap.get() + bytes;
        heap.set(now);
        now
    });
    PEAK.with(|peak| peak.set(peak.get().max(now)));
}

// SAFETY: forwards to `System`, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f`; returns what it returned and by how much this thread's heap
/// grew at its highest meanwhile.
fn peak_heap_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let start = HEAP.with(Cell::get);
    PEAK.with(|peak| peak.set(start));
    let result = f();
    (result, (PEAK.with(Cell::get) - start) as usize)
}

std::thread_local! {
    /// `Live` values made and not dropped, on this thread (tests run in
    /// parallel, each on its own thread).
    static ALIVE: Cell<isize> = const { Cell::new(0) };
    /// `Live` values ever made on this thread.
    static MADE: Cell<usize> = const { Cell::new(0) };
}

fn alive() -> isize {
    ALIVE.with(Cell::get)
}

fn made() -> usize {
    MADE.with(Cell::get)
}

/// A number that counts itself alive (on its thread) until dropped.
#[derive(Debug, PartialEq)]
struct Live(u32);

impl Live {
    fn new(n: u32) -> Live {
        ALIVE.with(|a| a.set(a.get() + 1));
        MADE.with(|m| m.set(m.get() + 1));
        Live(n)
    }
}

impl<'de> Deserialize<'de> for Live {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u32::deserialize(d).map(Live::new)
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        ALIVE.with(|a| a.set(a.get() - 1));
    }
}

/// Asserts that `err` is the limit's error, naming `limit` of `unit`
/// ("bytes" or "elements") and the setter that raises it.
#[track_caller]
fn assert_limit_error(err: &str, limit: usize, unit: &str) {
    let setter = if unit == "bytes" {
        "max_bytes"
    } else {
        "max_elements"
    };
    let expected = format!(
        "arena-arc: the document needs more than {limit} {unit} (raise DeserializeLimits::{setter})"
    );
    assert!(
        err.starts_with(&expected),
        "expected {expected:?}, got {err:?}"
    );
}

// ---------------------------------------------------------------------------
// A 100 MB document, streamed in
// ---------------------------------------------------------------------------

#[derive(ArenaAlloc, Deserialize, Debug)]
#[arena(chunk = 1024)]
struct Node {
    #[allow(dead_code)]
    id: Live,
    name: ArcStr,
    tags: ArcSlice<ArcStr>,
    leaves: ArcSlice<Leaf>,
}

#[derive(ArenaAlloc, Deserialize, Debug)]
#[arena(chunk = 1024)]
struct Leaf {
    #[allow(dead_code)]
    id: Live,
    weight: u32,
}

/// A JSON array of `Node`s of about `size` bytes, written as it is read
/// (only one node's text is held at a time).
struct Document {
    size: u64,
    /// Bytes written into `buf` so far, all nodes together.
    written: u64,
    /// Bytes handed to the reader so far.
    read: u64,
    nodes: u32,
    buf: Vec<u8>,
    pos: usize,
    done: bool,
}

impl Document {
    fn new(size: u64) -> Document {
        Document {
            size,
            written: 0,
            read: 0,
            nodes: 0,
            buf: Vec::with_capacity(256),
            pos: 0,
            done: false,
        }
    }

    /// The next piece of the document into `buf`: the opening bracket, a
    /// node, or the closing bracket.
    fn refill(&mut self) {
        self.buf.clear();
        self.pos = 0;
        if self.done {
            return;
        }
        if self.written + 2 >= self.size {
            self.buf.push(b']');
            self.done = true;
        } else {
            let i = self.nodes;
            let sep = if i == 0 { '[' } else { ',' };
            write!(
                self.buf,
                r#"{sep}{{"id":{i},"name":"node-{i:08}","tags":["alpha","\u00e9t\u00e9-{i}"],"leaves":["#
            )
            .unwrap();
            for leaf in 0..i % 5 {
                let comma = if leaf == 0 { "" } else { "," };
                write!(self.buf, r#"{comma}{{"id":{leaf},"weight":{}}}"#, i ^ leaf).unwrap();
            }
            self.buf.extend_from_slice(b"]}");
            self.nodes += 1;
        }
        self.written += self.buf.len() as u64;
    }
}

impl Read for Document {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.buf.len() {
            self.refill();
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        self.read += n as u64;
        Ok(n)
    }
}

#[test]
fn a_100_mb_document_streamed_in_stops_early_at_the_byte_limit_and_drops_what_it_built() {
    let size: u64 = scaled(100_000_000, 100_000) as u64;
    let limit: usize = scaled(16 << 20, 8 << 10);
    let limits = DeserializeLimits::new().max_bytes(limit);

    // The same kind of document, small, loads whole under the same limits:
    // it is valid, and only its size makes the big one fail.
    let mut small = Document::new(2_000);
    let nodes: ArcSlice<Node> = with_limits(limits, || {
        serde_json::from_reader(BufReader::new(&mut small))
    })
    .unwrap();
    assert_eq!(nodes.len() as u32, small.nodes);
    assert_eq!(nodes[7].name, "node-00000007");
    assert_eq!(nodes[7].tags[1], "\u{e9}t\u{e9}-7");
    assert_eq!(nodes[7].leaves.len(), 2);
    assert_eq!(nodes[7].leaves[1].weight, 7 ^ 1);
    drop(nodes);
    assert_eq!(alive(), 0);

    let started = std::time::Instant::now();
    let mut doc = Document::new(size);
    let (result, peak) = peak_heap_during(|| {
        with_limits(limits, || {
            serde_json::from_reader::<_, ArcSlice<Node>>(BufReader::new(&mut doc))
        })
    });
    let elapsed = started.elapsed();
    let err = result.unwrap_err().to_string();
    assert_limit_error(&err, limit, "bytes");
    eprintln!(
        "a {size}-byte document, limit {limit} bytes: error after reading {} bytes ({} nodes), \
         peak heap {peak} bytes, in {elapsed:?}: {err}",
        doc.read, doc.nodes,
    );
    // Early: the nodes built take about as many bytes as their text, so the
    // limit is hit after about `limit` bytes of input, far from the end.
    assert!(doc.read > limit as u64 / 2, "read only {} bytes", doc.read);
    assert!(doc.read < 2 * limit as u64, "read {} bytes", doc.read);
    assert!(!doc.done);
    // Nothing of the input was held whole, and the load did not grow the
    // heap much past the limit (the `Vec` staging the nodes grows by
    // doubling; the pools' chunks hold the strings and leaves).
    assert!(peak < 3 * limit, "peak heap {peak} bytes");
    // Every node and leaf built was dropped with the error.
    assert!(made() as u64 > size / 1000, "only {} values made", made());
    assert_eq!(alive(), 0);

    // The pools still work: by hand, and a document that fits.
    let leaves = Leaf::alloc_from_iter([Leaf {
        id: Live::new(1),
        weight: 2,
    }]);
    let node = Node::alloc(Node {
        id: Live::new(0),
        name: ArcStr::from("by hand"),
        tags: ArcSlice::default(),
        leaves,
    });
    assert_eq!(node.leaves[0].weight, 2);
    let mut small = Document::new(2_000);
    let nodes: ArcSlice<Node> = with_limits(limits, || {
        serde_json::from_reader(BufReader::new(&mut small))
    })
    .unwrap();
    assert_eq!(nodes.len() as u32, small.nodes);
    drop((node, nodes));
    assert_eq!(alive(), 0);
}

// ---------------------------------------------------------------------------
// Every route: elements, bytes, the boundary
// ---------------------------------------------------------------------------

#[derive(ArenaAlloc, Deserialize, Debug, PartialEq)]
#[arena(chunk = 64)]
enum Item {
    Num(Live),
    Text(ArcStr),
    List(ArcSlice<Item>),
}

#[arena(chunk = 64)]
struct Doc {
    items: Item,
    text: u8,
}

/// 6 `Item` values (the root, the 3 of its list, the 2 of the inner list)
/// and the 3 bytes of `"abc"`.
const DOC: &str = r#"{"List":[{"Num":1},{"Text":"abc"},{"List":[{"Num":2},{"Num":3}]}]}"#;
const DOC_ITEMS: usize = 6;
const DOC_ELEMENTS: usize = DOC_ITEMS + 3;
const DOC_BYTES: usize = DOC_ITEMS * size_of::<Item>() + 3;
/// `DOC` and one more `Item` (one element, `size_of::<Item>()` bytes).
const DOC_PLUS_ITEM: &str =
    r#"{"List":[{"Num":1},{"Text":"abc"},{"List":[{"Num":2},{"Num":3},{"Num":4}]}]}"#;
/// `DOC` and one more byte of text (one element, one byte).
const DOC_PLUS_BYTE: &str =
    r#"{"List":[{"Num":1},{"Text":"abcd"},{"List":[{"Num":2},{"Num":3}]}]}"#;

#[derive(Clone, Copy, Debug)]
enum Route {
    /// `DeserializeIn::with_limits` into an `Allocator<Item>`.
    SeedIntoAllocator,
    /// `DeserializeIn::with_limits` into an `#[arena]` struct.
    SeedIntoArena,
    /// `deserialize_in_with_limits` into an `#[arena]` struct.
    FnIntoArena,
    /// `with_limits` around `serde_json::from_str`: the per-thread pools.
    PerThread,
}

const ROUTES: [Route; 4] = [
    Route::SeedIntoAllocator,
    Route::SeedIntoArena,
    Route::FnIntoArena,
    Route::PerThread,
];

/// Loads `doc` as an `ArcSingle<Item>` by `route` under `limits`; checks
/// that a success went into the route's pools, that everything is dropped
/// afterwards (success or not), and that the pools still work after an
/// error. The error's message on failure.
fn load(route: Route, limits: DeserializeLimits, doc: &str) -> Result<(), String> {
    // What a document that fits is loaded with after an error.
    let fits = DeserializeLimits::new()
        .max_bytes(DOC_BYTES)
        .max_elements(DOC_ELEMENTS);
    let mut json = serde_json::Deserializer::from_str(doc);
    let result = match route {
        Route::SeedIntoAllocator => {
            let mut pool: Allocator<Item, u32, 64> = Allocator::new();
            let result = DeserializeIn::<_, ArcSingle<Item>>::with_limits(&mut pool, limits)
                .deserialize(&mut json)
                .map(|item| {
                    assert!(matches!(&*item, Item::List(items) if items.len() == 3));
                    assert!(pool.stats().elements >= DOC_ITEMS);
                });
            if result.is_err() {
                // The pool goes on working, and takes a document that fits.
                let by_hand = pool.alloc_value(Item::Num(Live::new(9)));
                assert!(matches!(*by_hand, Item::Num(Live(9))));
                let ok: ArcSingle<Item> = DeserializeIn::with_limits(&mut pool, fits)
                    .deserialize(&mut serde_json::Deserializer::from_str(r#"{"Num":5}"#))
                    .unwrap();
                assert!(matches!(*ok, Item::Num(Live(5))));
            }
            result
        }
        Route::SeedIntoArena | Route::FnIntoArena => {
            let mut doc = Doc::new();
            let result = if let Route::SeedIntoArena = route {
                DeserializeIn::<_, ArcSingle<Item>>::with_limits(&mut doc, limits)
                    .deserialize(&mut json)
            } else {
                deserialize_in_with_limits::<_, ArcSingle<Item>, _>(&mut doc, limits, &mut json)
            };
            let result = result.map(|item| {
                assert!(matches!(&*item, Item::List(items) if items.len() == 3));
                assert!(doc.items.stats().elements >= DOC_ITEMS);
                assert!(doc.text.stats().elements >= 3);
            });
            if result.is_err() {
                let ok: ArcSingle<Item> = deserialize_in_with_limits(
                    &mut doc,
                    fits,
                    &mut serde_json::Deserializer::from_str(r#"{"Text":"a"}"#),
                )
                .unwrap();
                assert_eq!(*ok, Item::Text(ArcStr::from("a")));
            }
            result
        }
        Route::PerThread => {
            let result =
                with_limits(limits, || ArcSingle::<Item>::deserialize(&mut json)).map(|item| {
                    assert!(matches!(&*item, Item::List(items) if items.len() == 3));
                });
            if result.is_err() {
                let ok = Item::num(Live::new(7));
                let more: ArcSingle<Item> =
                    with_limits(fits, || serde_json::from_str(r#"{"Num":8}"#)).unwrap();
                assert!(matches!(
                    (&*ok, &*more),
                    (Item::Num(Live(7)), Item::Num(Live(8)))
                ));
            }
            result
        }
    };
    assert_eq!(alive(), 0, "{route:?}: values left alive");
    result.map_err(|err| err.to_string())
}

#[test]
fn an_element_limit_stops_a_load_in_every_route() {
    for route in ROUTES {
        let limits = DeserializeLimits::new().max_elements(5);
        let err = load(route, limits, DOC).unwrap_err();
        assert_limit_error(&err, 5, "elements");
        // serde_json places the error.
        assert!(err.contains(" at line 1 column "), "{route:?}: {err}");
        // No bytes limit: it is the elements that count.
        load(route, DeserializeLimits::new().max_elements(1000), DOC).unwrap();
        // Zero elements: nothing at all.
        let err = load(route, DeserializeLimits::new().max_elements(0), DOC).unwrap_err();
        assert_limit_error(&err, 0, "elements");
    }
}

#[test]
fn a_byte_limit_stops_a_load_in_every_route() {
    for route in ROUTES {
        let limit = DOC_BYTES / 2;
        let err = load(route, DeserializeLimits::new().max_bytes(limit), DOC).unwrap_err();
        assert_limit_error(&err, limit, "bytes");
        load(route, DeserializeLimits::new().max_bytes(1 << 20), DOC).unwrap();
        // A bytes limit, and elements to spare: the bytes count.
        let both = DeserializeLimits::new().max_bytes(limit).max_elements(1000);
        assert_limit_error(&load(route, both, DOC).unwrap_err(), limit, "bytes");
    }
}

#[test]
fn a_document_exactly_at_a_limit_loads_and_one_element_more_fails() {
    for route in ROUTES {
        let elements = DeserializeLimits::new().max_elements(DOC_ELEMENTS);
        load(route, elements, DOC).unwrap();
        assert_limit_error(
            &load(route, elements, DOC_PLUS_ITEM).unwrap_err(),
            DOC_ELEMENTS,
            "elements",
        );
        assert_limit_error(
            &load(route, elements, DOC_PLUS_BYTE).unwrap_err(),
            DOC_ELEMENTS,
            "elements",
        );
        let fewer = DeserializeLimits::new().max_elements(DOC_ELEMENTS - 1);
        assert_limit_error(
            &load(route, fewer, DOC).unwrap_err(),
            DOC_ELEMENTS - 1,
            "elements",
        );

        let bytes = DeserializeLimits::new().max_bytes(DOC_BYTES);
        load(route, bytes, DOC).unwrap();
        assert_limit_error(
            &load(route, bytes, DOC_PLUS_ITEM).unwrap_err(),
            DOC_BYTES,
            "bytes",
        );
        assert_limit_error(
            &load(route, bytes, DOC_PLUS_BYTE).unwrap_err(),
            DOC_BYTES,
            "bytes",
        );
        let fewer = DeserializeLimits::new().max_bytes(DOC_BYTES - 1);
        assert_limit_error(
            &load(route, fewer, DOC).unwrap_err(),
            DOC_BYTES - 1,
            "bytes",
        );

        // Both at once, exactly.
        let both = DeserializeLimits::new()
            .max_bytes(DOC_BYTES)
            .max_elements(DOC_ELEMENTS);
        load(route, both, DOC).unwrap();
    }
}

#[test]
fn honest_claimed_lengths_are_charged_exactly() {
    // A binary format's length prefixes (serde's value deserializers give
    // exact size hints): the slices are written in place, and the
    // boundary is where it is for JSON.
    let rows = || {
        let rows = [vec![1u64, 2, 3], vec![], vec![4, 5]];
        SeqDeserializer::<_, ValueError>::new(
            rows.into_iter()
                .map(|row| SeqDeserializer::new(row.into_iter())),
        )
    };
    // 3 slices in the outer slice, 5 numbers in them.
    let (elements, bytes) = (3 + 5, 3 * size_of::<ArcSlice<u64>>() + 5 * 8);
    let mut numbers: Allocator<u64, u32, 64> = Allocator::new();
    let exact = DeserializeLimits::new()
        .max_elements(elements)
        .max_bytes(bytes);
    let loaded = with_limits(exact, || {
        DeserializeIn::<_, ArcSlice<ArcSlice<u64>>>::new(&mut numbers).deserialize(rows())
    })
    .unwrap();
    assert_eq!(loaded, [vec![1, 2, 3], vec![], vec![4, 5]]);
    assert_eq!(numbers.stats().elements, 5);
    for fewer in [
        DeserializeLimits::new().max_elements(elements - 1),
        DeserializeLimits::new().max_bytes(bytes - 1),
    ] {
        let err =
            with_limits(fewer, || ArcSlice::<ArcSlice<u64>>::deserialize(rows())).unwrap_err();
        let (limit, unit) = match fewer.byte_limit() {
            Some(b) => (b, "bytes"),
            None => (elements - 1, "elements"),
        };
        assert_limit_error(&err.to_string(), limit, unit);
    }
}

/// A row of the property test's documents.
#[derive(ArenaAlloc, Deserialize, Debug)]
struct Row {
    name: ArcStr,
    values: ArcSlice<u16>,
}

/// A `Row`'s source, for writing the JSON.
#[derive(Serialize, Debug, Clone)]
struct RowSource {
    name: String,
    values: Vec<u16>,
}

fn cases() -> u32 {
    if cfg!(miri) { 4 } else { 256 }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Any document of rows: its exact cost loads, one byte or one element
    /// less fails, through the per-thread pools and an explicit pool.
    #[test]
    fn the_limits_are_exact_for_any_document(
        rows in prop::collection::vec(
            (
                prop::collection::vec(any::<char>(), 0..6).prop_map(String::from_iter),
                prop::collection::vec(any::<u16>(), 0..9),
            )
                .prop_map(|(name, values)| RowSource { name, values }),
            0..8,
        ),
        explicit in any::<bool>(),
    ) {
        let json = serde_json::to_string(&rows).unwrap();
        let text: usize = rows.iter().map(|r| r.name.len()).sum();
        let values: usize = rows.iter().map(|r| r.values.len()).sum();
        let elements = rows.len() + text + values;
        let bytes = rows.len() * size_of::<Row>() + text + 2 * values;
        let mut pool: Allocator<Row, u32, 16> = Allocator::new();
        let mut load = |limits: DeserializeLimits| {
            let mut de = serde_json::Deserializer::from_str(&json);
            if explicit {
                deserialize_in_with_limits::<_, ArcSlice<Row>, _>(&mut pool, limits, &mut de)
            } else {
                with_limits(limits, || ArcSlice::<Row>::deserialize(&mut de))
            }
        };
        let loaded = load(DeserializeLimits::new().max_elements(elements).max_bytes(bytes)).unwrap();
        prop_assert_eq!(loaded.len(), rows.len());
        for (row, source) in loaded.iter().zip(&rows) {
            prop_assert_eq!(row.name.as_str(), source.name.as_str());
            prop_assert_eq!(&*row.values, &source.values[..]);
        }
        if elements > 0 {
            let err = load(DeserializeLimits::new().max_elements(elements - 1)).unwrap_err();
            assert_limit_error(&err.to_string(), elements - 1, "elements");
        }
        if bytes > 0 {
            let err = load(DeserializeLimits::new().max_bytes(bytes - 1)).unwrap_err();
            assert_limit_error(&err.to_string(), bytes - 1, "bytes");
        }
    }
}

/// An interned type of this file's own (the tables are process-wide).
#[derive(ArenaAlloc, Deserialize, PartialEq, Eq, Hash, Debug)]
#[arena(intern)]
struct Key(u32);

#[test]
fn interned_values_and_symbols_count_what_they_would_allocate() {
    // One element of `size_of::<Key>()` bytes per value, even when an equal
    // value is interned already (the second `1`): whether a document fits
    // does not depend on the table.
    let two = DeserializeLimits::new().max_elements(2);
    let keys: Vec<Interned<Key>> = with_limits(two, || serde_json::from_str("[1, 1]")).unwrap();
    assert!(Interned::ptr_eq(&keys[0], &keys[1]));
    let err = with_limits(two, || {
        serde_json::from_str::<Vec<Interned<Key>>>("[1, 1, 1]")
    })
    .unwrap_err();
    assert_limit_error(&err.to_string(), 2, "elements");
    let bytes = DeserializeLimits::new().max_bytes(2 * size_of::<Key>());
    with_limits(bytes, || {
        serde_json::from_str::<Vec<Interned<Key>>>("[2, 3]")
    })
    .unwrap();
    let err = with_limits(bytes, || {
        serde_json::from_str::<Vec<Interned<Key>>>("[2, 3, 4]")
    })
    .unwrap_err();
    assert_limit_error(&err.to_string(), 2 * size_of::<Key>(), "bytes");

    // A symbol: its text, in bytes and elements (escapes decoded first).
    let five = DeserializeLimits::new().max_bytes(5);
    let names: Vec<Symbol> =
        with_limits(five, || serde_json::from_str(r#"["ab", "\u00e9c"]"#)).unwrap();
    assert_eq!(names[1].as_str(), "\u{e9}c");
    let err = with_limits(five, || {
        serde_json::from_str::<Vec<Symbol>>(r#"["ab", "abcd"]"#)
    })
    .unwrap_err();
    assert_limit_error(&err.to_string(), 5, "bytes");
    let err = with_limits(DeserializeLimits::new().max_elements(3), || {
        serde_json::from_str::<Symbol>(r#""four""#)
    })
    .unwrap_err();
    assert_limit_error(&err.to_string(), 3, "elements");
}

// ---------------------------------------------------------------------------
// Nesting
// ---------------------------------------------------------------------------

/// `n` numbers, as `ArcSlice<u32>` in this thread's pool.
fn numbers(n: usize) -> Result<ArcSlice<u32>, String> {
    let json = serde_json::to_string(&(0..n as u32).collect::<Vec<_>>()).unwrap();
    serde_json::from_str(&json).map_err(|e| e.to_string())
}

#[test]
fn nested_limits_take_the_tighter_and_restore_the_outer_budget() {
    let ten = DeserializeLimits::new().max_elements(10);
    with_limits(ten, || {
        numbers(3).unwrap(); // 7 left
        // A tighter inner limit applies inside...
        with_limits(DeserializeLimits::new().max_elements(4), || {
            numbers(4).unwrap();
        });
        // ...and what it allowed counts outside: 3 left.
        // A looser inner limit: the outer budget still binds inside.
        with_limits(DeserializeLimits::new().max_elements(100), || {
            numbers(3).unwrap(); // 0 left
            assert_limit_error(&numbers(1).unwrap_err(), 10, "elements");
        });
        // The outer budget is back, with nothing left.
        numbers(0).unwrap();
        assert_limit_error(&numbers(1).unwrap_err(), 10, "elements");
    });
    // Outside: no limit.
    assert_eq!(numbers(scaled(1000, 40)).unwrap().len(), scaled(1000, 40));

    // An inner limit that is hit names itself; the outer one is back after.
    with_limits(ten, || {
        with_limits(DeserializeLimits::new().max_elements(2), || {
            assert_limit_error(&numbers(5).unwrap_err(), 2, "elements");
        });
        // The inner load charged what it took before it failed (2).
        numbers(8).unwrap();
        assert_limit_error(&numbers(1).unwrap_err(), 10, "elements");
    });

    // A panic inside an inner call restores the outer budget too.
    with_limits(ten, || {
        let panicked = catch_unwind(AssertUnwindSafe(|| {
            with_limits(DeserializeLimits::new().max_elements(3), || {
                numbers(3).unwrap();
                panic!("inside");
            })
        }));
        assert!(panicked.is_err());
        numbers(7).unwrap();
        assert_limit_error(&numbers(1).unwrap_err(), 10, "elements");
    });
    assert_eq!(numbers(scaled(1000, 40)).unwrap().len(), scaled(1000, 40));

    // Bytes and elements nest separately; an explicit pool's limits nest
    // in the thread's.
    with_limits(DeserializeLimits::new().max_bytes(16), || {
        with_limits(DeserializeLimits::new().max_elements(100), || {
            let err = serde_json::from_str::<ArcSlice<u64>>("[1, 2, 3]").unwrap_err();
            assert_limit_error(&err.to_string(), 16, "bytes");
        });
    });
    let mut pool: Allocator<u32, u32, 64> = Allocator::new();
    with_limits(DeserializeLimits::new().max_elements(5), || {
        let err = DeserializeIn::<_, ArcSlice<u32>>::with_limits(
            &mut pool,
            DeserializeLimits::new().max_elements(100),
        )
        .deserialize(&mut serde_json::Deserializer::from_str(
            "[1, 2, 3, 4, 5, 6]",
        ))
        .unwrap_err();
        assert_limit_error(&err.to_string(), 5, "elements");
    });
    // On another thread, no limit applies.
    with_limits(DeserializeLimits::new().max_elements(0), || {
        let there = std::thread::spawn(|| numbers(10).map(|n| n.len()))
            .join()
            .unwrap();
        assert_eq!(there, Ok(10));
        assert!(numbers(1).is_err());
    });
}

// ---------------------------------------------------------------------------
// Lengths claimed up front
// ---------------------------------------------------------------------------

/// A sequence of `real` that claims to hold `claimed` items.
fn lying<I>(real: I, claimed: usize) -> SeqDeserializer<Liar<I::IntoIter>, ValueError>
where
    I: IntoIterator,
{
    SeqDeserializer::new(Liar::new(real.into_iter(), claimed))
}

#[test]
fn a_huge_claimed_length_reserves_no_more_than_the_limit_allows() {
    let limits = DeserializeLimits::new().max_bytes(4096);

    // In place (a claim the pool would trust: up to 1 MiB): without limits
    // the claim is reserved in the pool...
    let mut pool: Allocator<u64, u32, 64> = Allocator::new();
    let loaded = DeserializeIn::<_, ArcSlice<u64>>::new(&mut pool)
        .deserialize(lying(0..3u64, 100_000))
        .unwrap();
    assert_eq!(loaded, [0, 1, 2]);
    assert!(pool.stats().bytes_reserved >= 800_000);
    // ...with them, no more than the limit allows, and the document, which
    // fits, loads.
    let mut pool: Allocator<u64, u32, 64> = Allocator::new();
    let loaded = DeserializeIn::<_, ArcSlice<u64>>::with_limits(&mut pool, limits)
        .deserialize(lying(0..3u64, 100_000))
        .unwrap();
    assert_eq!(loaded, [0, 1, 2]);
    let reserved = pool.stats().bytes_reserved;
    // The room (4096 bytes at most) and the pool's first chunk (64 slots,
    // made first: it holds the pool's record), each with its header.
    assert!(
        reserved <= 4096 + 64 * 8 + 2 * 128,
        "{reserved} bytes reserved"
    );
    // The room claimed and not used is given back: in one budget, the
    // rest of it still loads (3 + 509 = 4096 / 8), and not one more.
    let mut other: Allocator<u64, u32, 64> = Allocator::new();
    with_limits(limits, || {
        let mut load = |real: std::ops::Range<u64>, claimed| {
            DeserializeIn::<_, ArcSlice<u64>>::new(&mut other).deserialize(lying(real, claimed))
        };
        load(0..3, 100_000).unwrap();
        assert_eq!(load(0..509, 100_000).unwrap().len(), 509);
        assert_limit_error(&load(0..1, 1).unwrap_err().to_string(), 4096, "bytes");
    });
    with_limits(limits, || {
        // The same through a `Vec` (a claim of 2^40 is not trusted).
        let load = |real: std::ops::Range<u64>| {
            ArcSlice::<u64>::deserialize(lying(real, 1 << 40)).map(|s| s.len())
        };
        assert_eq!(load(0..10), Ok(10));
        assert_eq!(load(0..502), Ok(502));
        assert_limit_error(&load(0..1).unwrap_err().to_string(), 4096, "bytes");
    });
    // More elements than the limit allows: the error, early.
    let err = DeserializeIn::<_, ArcSlice<u64>>::with_limits(&mut pool, limits)
        .deserialize(lying(0..100_000u64, 100_000))
        .unwrap_err();
    assert_limit_error(&err.to_string(), 4096, "bytes");
    assert!(pool.stats().bytes_reserved <= 2 * (4096 + 64 * 8));

    // A claim of 2^40 (postcard's length prefix): staged in a `Vec`, whose
    // room is capped too. Without limits the `Vec` takes 1 MiB...
    let (loaded, peak) =
        peak_heap_during(|| ArcSlice::<u8>::deserialize(lying(0..10u8, 1 << 40)).unwrap());
    assert_eq!(loaded.len(), 10);
    assert!(peak >= 1 << 20, "peak {peak}");
    // ...with them, about the limit.
    let (loaded, peak) = peak_heap_during(|| {
        with_limits(limits, || {
            ArcSlice::<u8>::deserialize(lying(0..10u8, 1 << 40))
        })
        .unwrap()
    });
    assert_eq!(loaded.len(), 10);
    assert!(peak <= 3 * 4096, "peak {peak}");
    let (err, peak) = peak_heap_during(|| {
        let too_many = (0..5000).map(|i| i as u8);
        with_limits(limits, || {
            ArcSlice::<u8>::deserialize(lying(too_many, 1 << 40))
        })
        .unwrap_err()
    });
    assert_limit_error(&err.to_string(), 4096, "bytes");
    assert!(peak <= 3 * 4096, "peak {peak}");

    // Claims nested in claims: each level's room is charged, so they
    // cannot each take the whole budget anew. Every level claims 60,000
    // elements (a claim the pool would trust); the first level is allowed
    // 4096 / 16 = 256 slices, and leaves no room for the next.
    let nested = || {
        lying(
            (0..4).map(|_| lying((0..4).map(|_| lying(0..2u64, 60_000)), 60_000)),
            60_000,
        )
    };
    // On a fresh thread, whose per-thread pools start empty: the room the
    // three levels took, all together, is what the limit allows.
    std::thread::spawn(move || {
        let err = with_limits(limits, || {
            ArcSlice::<ArcSlice<ArcSlice<u64>>>::deserialize(nested())
        })
        .unwrap_err();
        assert_limit_error(&err.to_string(), 4096, "bytes");
        let used = [
            ArcSlice::<ArcSlice<u64>>::pool_stats().bytes_used,
            ArcSlice::<u64>::pool_stats().bytes_used,
            u64::pool_stats().bytes_used,
        ];
        assert!(used.iter().sum::<usize>() <= 4096, "{used:?}");
        // Without limits it loads (the claims are only hints).
        let all = ArcSlice::<ArcSlice<ArcSlice<u64>>>::deserialize(nested()).unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all[3][3], [0, 1]);
    })
    .join()
    .unwrap();
}
