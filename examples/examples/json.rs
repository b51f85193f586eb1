//! Load JSON documents into an arena-backed value tree through serde, and
//! compare with `serde_json::Value`: load time, drop time and peak memory,
//! plus a check that both trees hold the same data.
//!
//! ```sh
//! cargo run --release --example json                 # ../shared/data/json/ (from the project root)
//! cargo run --release --example json -- DIR_OR_FILE  # another directory, or one file
//! ARENA_ARC_JSON_DIR=DIR cargo run --release --example json
//! ```
//!
//! Files that are absent are reported, and a generated document of a
//! similar size stands in for them. Memory is counted by a global allocator
//! that wraps the system one; each load runs on a fresh thread, so the
//! per-thread pools start empty. Times are the median of 7 runs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use arena_arc_examples::json::{Input, Json, inputs};

/// Counts live and peak heap bytes while `COUNTING` is on (only during the
/// memory runs: the timed runs pay one relaxed load per call).
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every method forwards to `System` with the same arguments; the
// counters are plain statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is (`layout` has non-zero size, as the
        // caller promised us).
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with `layout` (we hand out only
        // `System`'s blocks).
        unsafe { System.dealloc(ptr, layout) };
        count(-(layout.size() as isize));
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as `dealloc`, and `new_size` is the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
        }
        p
    }
}

fn count(delta: isize) {
    if COUNTING.load(Relaxed) {
        let live = LIVE.fetch_add(delta, Relaxed) + delta;
        PEAK.fetch_max(live, Relaxed);
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const RUNS: usize = 7;

/// One document loaded with one loader: median load and drop times, the
/// heap the load needed at its peak and kept afterwards, and what was still
/// live once its thread had ended.
#[derive(Clone, Copy)]
struct Sample {
    load: Duration,
    drop: Duration,
    peak: isize,
    kept: isize,
    left: isize,
}

/// Loads `text` with `load` on a fresh thread (fresh per-thread pools) and
/// drops it there. Returns the load time, and the drop time: from dropping
/// the tree to the end of the thread (a per-thread pool gives its last
/// chunk back when the thread ends, or when it allocates again, so that is
/// when the arena tree is all freed). With `memory`, also the peak and kept
/// heap bytes above what was live before the load.
fn run<T>(text: &[u8], load: fn(&[u8]) -> T, memory: bool) -> (Duration, Duration, isize, isize) {
    let (loaded, dropping, peak, kept) = std::thread::scope(|s| {
        s.spawn(|| {
            let base = LIVE.load(Relaxed);
            PEAK.store(base, Relaxed);
            COUNTING.store(memory, Relaxed);
            let started = Instant::now();
            let tree = std::hint::black_box(load(text));
            let loaded = started.elapsed();
            let (peak, kept) = (PEAK.load(Relaxed) - base, LIVE.load(Relaxed) - base);
            let dropping = Instant::now();
            drop(tree);
            (loaded, dropping, peak, kept)
        })
        .join()
        .expect("the load panicked")
    });
    (loaded, dropping.elapsed(), peak, kept)
}

fn measure<T>(text: &[u8], load: fn(&[u8]) -> T) -> Sample {
    let mut loads = Vec::new();
    let mut drops = Vec::new();
    for _ in 0..RUNS {
        let (loaded, dropped, _, _) = run(text, load, false);
        loads.push(loaded);
        drops.push(dropped);
    }
    loads.sort();
    drops.sort();
    // The memory run: counting on from before the thread starts until it
    // has ended, so everything it allocates is matched by its frees.
    let before = LIVE.load(Relaxed);
    COUNTING.store(true, Relaxed);
    let (_, _, peak, kept) = run(text, load, true);
    COUNTING.store(false, Relaxed);
    Sample {
        load: loads[RUNS / 2],
        drop: drops[RUNS / 2],
        peak,
        kept,
        left: LIVE.load(Relaxed) - before,
    }
}

fn load_value(text: &[u8]) -> serde_json::Value {
    serde_json::from_slice(text).expect("checked before measuring")
}

fn load_arena(text: &[u8]) -> Json {
    serde_json::from_slice(text).expect("checked before measuring")
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn mib(bytes: isize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1 << 20) as f64)
}

fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}", a / b)
}

fn main() -> ExitCode {
    let mut rows = Vec::new();
    for Input { label, text, .. } in inputs(std::env::args_os().nth(1).map(PathBuf::from)) {
        // Both must accept the input and hold the same data.
        let value: serde_json::Value = match serde_json::from_slice(&text) {
            Ok(value) => value,
            Err(err) => {
                eprintln!("error: {label} is not valid JSON: {err}");
                return ExitCode::FAILURE;
            }
        };
        let tree: Json = serde_json::from_slice(&text).expect("serde_json accepted it");
        if !tree.same_as(&value) {
            eprintln!("error: {label}: the arena tree differs from serde_json::Value");
            return ExitCode::FAILURE;
        }
        drop((value, tree));

        let value = measure(&text, load_value);
        let arena = measure(&text, load_arena);
        rows.push((label, text.len(), value, arena));
    }

    println!(
        "| file | size | load Value | load arena | ratio | drop Value | drop arena | ratio | peak Value | peak arena | ratio | same data |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (label, size, value, arena) in &rows {
        println!(
            "| {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | yes |",
            mib(*size as isize),
            ms(value.load),
            ms(arena.load),
            ratio(arena.load.as_secs_f64(), value.load.as_secs_f64()),
            ms(value.drop),
            ms(arena.drop),
            ratio(arena.drop.as_secs_f64(), value.drop.as_secs_f64()),
            mib(value.peak),
            mib(arena.peak),
            ratio(arena.peak as f64, value.peak as f64),
        );
    }
    println!();
    println!(
        "ratio = arena / Value (below 1: the arena is faster or smaller). Times: median of {RUNS} \
         runs, each on a fresh thread; drop: from dropping the tree to the end of its thread; \
         peak: most heap live during a load, above what was live before (a separate run, with \
         the counting allocator on)."
    );
    let mut leaked = false;
    for (label, _, value, arena) in &rows {
        println!(
            "{label}: live after the load {} (Value) vs {} (arena); still live once the thread \
             ended: {} vs {} bytes",
            mib(value.kept),
            mib(arena.kept),
            value.left,
            arena.left
        );
        leaked |= arena.left > value.left;
    }
    if leaked {
        eprintln!("error: the arena tree left memory behind");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
