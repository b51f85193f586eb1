//! Handle workloads: `drop_handles`, `clone_drop`, `read`.
//!
//! Run with `cargo bench -p arena-arc-benches --bench handles` (or one
//! group: `cargo bench --bench handles -- read`), then
//! `cargo run -p arena-arc-benches --bin bench_table` for a markdown table.
//!
//! multitude is 0.12, whose `Arena::new`, `alloc_arc`,
//! `alloc_slice_copy_arc` and `Arc` (8 bytes, a per-value atomic strong
//! count, the chunk freed with its last handle) are those of 0.5.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use arena_arc::Allocator;
use arena_arc_benches::{SINGLE_VALUES, SMALL_SLICES, SmallSlices, custom, init, sum_through};
use bumpalo::Bump;
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

const CHUNK: usize = 4096;

type Group<'a> = BenchmarkGroup<'a, WallTime>;

/// Times only dropping 400k single-value handles. Untimed setup: allocate
/// them (kept in a `Vec`), then drop the arena, so the handles are the last
/// owners and dropping them also frees the chunks. Timed: `Vec::clear` (the
/// `Vec`'s own buffer is freed untimed). Throughput: handles.
fn drop_handles(c: &mut Criterion) {
    init();
    let n = SINGLE_VALUES;
    let mut g = c.benchmark_group("drop_handles");
    g.throughput(Throughput::Elements(n as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2));

    /// Times only `Vec::clear` of the handles `make` returns.
    fn bench<H>(g: &mut Group<'_>, name: &str, mut make: impl FnMut() -> Vec<H>) {
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                custom(iters, |sw| {
                    let mut hs = make();
                    sw.time(|| hs.clear());
                })
            })
        });
    }

    bench(&mut g, "arena-arc/ArcSingle", || {
        let mut alloc: Allocator<u64, u32, CHUNK> = Allocator::new();
        (0..n as u64).map(|i| alloc.alloc_value(i)).collect()
    });
    bench(&mut g, "arena-arc-0.1.2/ArcSingle", || {
        let mut alloc: arena_arc_012::Allocator<u64, u32, CHUNK> = arena_arc_012::Allocator::new();
        (0..n as u64).map(|i| alloc.alloc_value(i)).collect()
    });
    bench(&mut g, "multitude/Arc", || {
        let arena = multitude::Arena::new();
        (0..n as u64).map(|i| arena.alloc_arc(i)).collect()
    });
    bench(&mut g, "std/Arc", || (0..n as u64).map(Arc::new).collect());
    bench(&mut g, "std/Box", || (0..n as u64).map(Box::new).collect());
    g.finish();
}

/// Clone one handle and drop the clone, per operation (single-threaded, so
/// the atomics are uncontended).
fn clone_drop(c: &mut Criterion) {
    init();
    let mut g = c.benchmark_group("clone_drop");
    g.throughput(Throughput::Elements(1))
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    fn bench<H: Clone>(g: &mut Group<'_>, name: &str, h: &H) {
        g.bench_function(name, |b| {
            b.iter(|| {
                let c = black_box(h).clone();
                drop(black_box(c));
            })
        });
    }

    let mut values: Allocator<u64, u32, CHUNK> = Allocator::new();
    let mut slices: Allocator<u32, u32, CHUNK> = Allocator::new();
    bench(&mut g, "arena-arc/ArcSingle", &values.alloc_value(7));
    bench(
        &mut g,
        "arena-arc/ArcSlice",
        &slices.alloc_slice_copy(&[1, 2, 3, 4]),
    );
    let mut old_values: arena_arc_012::Allocator<u64, u32, CHUNK> = arena_arc_012::Allocator::new();
    let mut old_slices: arena_arc_012::Allocator<u32, u32, CHUNK> = arena_arc_012::Allocator::new();
    bench(
        &mut g,
        "arena-arc-0.1.2/ArcSingle",
        &old_values.alloc_value(7),
    );
    bench(
        &mut g,
        "arena-arc-0.1.2/ArcSlice",
        &old_slices.alloc(4, |i| i as u32),
    );
    let arena = multitude::Arena::new();
    bench(&mut g, "multitude/Arc<u64>", &arena.alloc_arc(7u64));
    bench(
        &mut g,
        "multitude/Arc<[u32]>",
        &arena.alloc_slice_copy_arc([1u32, 2, 3, 4]),
    );
    bench(&mut g, "std/Arc<u64>", &Arc::new(7u64));
    bench(
        &mut g,
        "std/Arc<[u32]>",
        &Arc::<[u32]>::from(&[1, 2, 3, 4][..]),
    );
    g.finish();
}

/// Sum all elements through 200k slice handles (1..=16 `u32` each, the
/// `small_slices` lengths). The handles are made once, untimed. Throughput:
/// handles.
fn read(c: &mut Criterion) {
    init();
    let input = SmallSlices::new(SMALL_SLICES);
    let s = &input;
    let expected = s.total_sum();
    let mut g = c.benchmark_group("read");
    g.throughput(Throughput::Elements(s.len() as u64))
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    fn bench<H>(
        g: &mut Group<'_>,
        name: &str,
        handles: &[H],
        expected: u64,
        get: impl Fn(&H) -> &[u32] + Copy,
    ) {
        assert_eq!(sum_through(handles, get), expected, "{name}");
        g.bench_function(name, |b| b.iter(|| sum_through(black_box(handles), get)));
    }

    let mut alloc: Allocator<u32, u32, CHUNK> = Allocator::new();
    let new: Vec<_> = s
        .ranges()
        .map(|(o, l)| alloc.alloc_slice_copy(s.slice(o, l)))
        .collect();
    drop(alloc);
    bench(&mut g, "arena-arc/ArcSlice deref", &new, expected, |h| h);
    bench(&mut g, "arena-arc/ArcSlice::get", &new, expected, |h| {
        h.get()
    });
    drop(new);

    let mut alloc: arena_arc_012::Allocator<u32, u32, CHUNK> = arena_arc_012::Allocator::new();
    let old: Vec<_> = s
        .ranges()
        .map(|(o, l)| alloc.alloc(l as u32, |j| (o + j) as u32))
        .collect();
    drop(alloc);
    bench(
        &mut g,
        "arena-arc-0.1.2/ArcSlice deref",
        &old,
        expected,
        |h| h,
    );
    bench(
        &mut g,
        "arena-arc-0.1.2/ArcSlice::get",
        &old,
        expected,
        |h| h.get(),
    );
    drop(old);

    let arena = multitude::Arena::new();
    let multi: Vec<_> = s
        .ranges()
        .map(|(o, l)| arena.alloc_slice_copy_arc(s.slice(o, l)))
        .collect();
    drop(arena);
    bench(&mut g, "multitude/Arc<[u32]>", &multi, expected, |h| h);
    drop(multi);

    let arcs: Vec<Arc<[u32]>> = s.ranges().map(|(o, l)| Arc::from(s.slice(o, l))).collect();
    bench(&mut g, "std/Arc<[u32]>", &arcs, expected, |h| h);
    drop(arcs);

    let boxes: Vec<Box<[u32]>> = s.ranges().map(|(o, l)| Box::from(s.slice(o, l))).collect();
    bench(&mut g, "std/Box<[u32]>", &boxes, expected, |h| h);
    drop(boxes);

    let bump = Bump::new();
    let refs: Vec<&[u32]> = s
        .ranges()
        .map(|(o, l)| &*bump.alloc_slice_copy(s.slice(o, l)))
        .collect();
    bench(&mut g, "bumpalo/&[u32]", &refs, expected, |h| h);
    g.finish();
}

criterion_group!(benches, drop_handles, clone_drop, read);
criterion_main!(benches);
