//! `json`: deserialize the three standard JSON inputs into
//! `serde_json::Value` and into the arena-backed `Json` tree of
//! `examples/src/json.rs`, and drop them.
//!
//! Run with `cargo bench -p arena-arc-benches --bench json`, then
//! `cargo run -p arena-arc-benches --bin bench_table` for a markdown table.
//! The inputs are read from `../shared/data/json/` (or `ARENA_ARC_JSON_DIR`);
//! a generated document stands in for a missing file. Peak memory is not a
//! criterion measure: `cargo run --release --example json` prints it.
//!
//! * `load`: `serde_json::from_slice` on a fresh thread (fresh malloc arena,
//!   empty per-thread pools, as a program loading a document once), only
//!   the load timed; the same as `cargo run --release --example json`.
//! * `drop`: from dropping a tree loaded on a fresh thread to the end of that
//!   thread. The arena tree's last chunk is held by its per-thread pool until
//!   the thread ends (or the pool allocates again), so this is when it is
//!   all freed.
//! * `load+drop`: load and drop on the benchmark's own thread, both timed
//!   (a warm allocator; the arena frees a dropped tree when the next load
//!   starts allocating, so only the sum is comparable here).
//!
//! Throughput: bytes of JSON.

use std::hint::black_box;
use std::time::{Duration, Instant};

use arena_arc_benches::init;
use arena_arc_examples::json::{Json, inputs};
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};

fn json(c: &mut Criterion) {
    init();
    let mut g = c.benchmark_group("json");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for input in inputs(None) {
        let text = &input.text[..];
        let stem = &input.stem;
        g.throughput(Throughput::Bytes(text.len() as u64));
        fresh_thread(&mut g, "serde_json/Value", stem, text, |t| {
            serde_json::from_slice::<serde_json::Value>(t).unwrap()
        });
        fresh_thread(&mut g, "arena-arc/Json", stem, text, |t| {
            serde_json::from_slice::<Json>(t).unwrap()
        });
        g.bench_function(BenchmarkId::new("serde_json/Value load+drop", stem), |b| {
            b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(text)).unwrap())
        });
        g.bench_function(BenchmarkId::new("arena-arc/Json load+drop", stem), |b| {
            b.iter(|| serde_json::from_slice::<Json>(black_box(text)).unwrap())
        });
    }
    g.finish();
}

/// `{name} load` and `{name} drop`, each iteration on a fresh thread.
fn fresh_thread<T>(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    stem: &str,
    text: &[u8],
    load: fn(&[u8]) -> T,
) {
    // (load time, when the drop started) of one load on a fresh thread; the
    // drop ends when the thread has ended (`join` returned).
    let once = || {
        std::thread::scope(|s| {
            s.spawn(|| {
                let started = Instant::now();
                let tree = black_box(load(black_box(text)));
                let loaded = started.elapsed();
                let dropping = Instant::now();
                drop(tree);
                (loaded, dropping)
            })
            .join()
            .unwrap()
        })
    };
    g.bench_function(BenchmarkId::new(format!("{name} load"), stem), |b| {
        b.iter_custom(|iters| (0..iters).map(|_| once().0).sum())
    });
    g.bench_function(BenchmarkId::new(format!("{name} drop"), stem), |b| {
        b.iter_custom(|iters| (0..iters).map(|_| once().1.elapsed()).sum())
    });
}

criterion_group!(benches, json);
criterion_main!(benches);
