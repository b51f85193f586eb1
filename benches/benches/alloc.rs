//! Allocation workloads: `small_slices`, `single_values`, `copy_large`,
//! `scaling`.
//!
//! Run with `cargo bench -p arena-arc-benches --bench alloc` (or one group:
//! `cargo bench -p arena-arc-benches --bench alloc -- small_slices`), then
//! `cargo run -p arena-arc-benches --bin bench_table` for markdown tables.
//!
//! `small_slices`, `single_values` and `scaling` time the allocations only,
//! including the arena's own chunk allocations and pushing each handle into
//! a `Vec` that keeps it alive. Not timed: creating the (empty) arena,
//! making the inputs, and dropping the handles and the arena afterwards
//! (`drop_handles` and `tree` time dropping). Every iteration starts with a
//! fresh arena; the `Vec` of handles is allocated once and reused, so its
//! page faults are not timed either (see also `arena_arc_benches::init` on
//! the heap). Borrowed results (bumpalo, typed-arena) are kept as raw
//! pointers, which costs the same as keeping the references.
//!
//! multitude is 0.12: `Arena::new`, `alloc_arc`, `alloc_slice_copy_arc` and
//! `alloc_slice_fill_with_arc` kept their 0.5 names, signatures and
//! allocation layout (a 4-byte strong count in front of each `Arc` value,
//! plus the length for slices, in 64 KiB-aligned chunks), so these rows
//! measure what they measured with 0.5.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use arena_arc::{Allocator, ArenaAlloc};
use arena_arc_benches::{SINGLE_VALUES, SMALL_SLICES, SmallSlices, custom, init};
use bumpalo::Bump;
use criterion::measurement::WallTime;
use criterion::{
    Bencher, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};

/// Chunk size (in elements) of the arena-arc and 0.1.2 allocators.
const CHUNK: usize = 4096;

type NewSlices = Allocator<u32, u32, CHUNK>;
type OldSlices = arena_arc_012::Allocator<u32, u32, CHUNK>;
type NewValues = Allocator<u64, u32, CHUNK>;
type OldValues = arena_arc_012::Allocator<u64, u32, CHUNK>;

type Group<'a> = BenchmarkGroup<'a, WallTime>;

/// One benchmark of the "fill a fresh arena" kind, named `name` (with the
/// parameter `param`, if any): per iteration, make an arena with
/// `new_arena` (untimed), time `fill(arena, out)`, then drop the handles in
/// `out` and the arena (untimed). `out` (capacity `n`) is allocated once and
/// reused by every iteration.
fn fill_bench<A, H>(
    g: &mut Group<'_>,
    name: &str,
    param: Option<usize>,
    n: usize,
    mut new_arena: impl FnMut() -> A,
    mut fill: impl FnMut(&mut A, &mut Vec<H>),
) {
    let mut out: Vec<H> = Vec::with_capacity(n);
    let mut routine = |b: &mut Bencher<'_>| {
        b.iter_custom(|iters| {
            custom(iters, |sw| {
                let mut arena = new_arena();
                sw.time(|| fill(&mut arena, &mut out));
                assert_eq!(out.len(), n);
                black_box(&out);
                out.clear();
                drop(arena);
            })
        })
    };
    match param {
        Some(p) => g.bench_function(BenchmarkId::new(name, p), &mut routine),
        None => g.bench_function(name, &mut routine),
    };
}

/// 200k slices of 1..=16 `u32` (fixed-seed lengths), all kept alive until
/// the end of the iteration. Throughput: slices.
fn small_slices(c: &mut Criterion) {
    init();
    let input = SmallSlices::new(SMALL_SLICES);
    let s = &input;
    let n = s.len();
    let mut g = c.benchmark_group("small_slices");
    g.throughput(Throughput::Elements(n as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    fill_bench(
        &mut g,
        "arena-arc/alloc_slice_copy",
        None,
        n,
        NewSlices::new,
        |a, out| {
            for (o, l) in s.ranges() {
                out.push(a.alloc_slice_copy(s.slice(o, l)));
            }
        },
    );
    fill_bench(
        &mut g,
        "arena-arc/alloc(len, init)",
        None,
        n,
        NewSlices::new,
        |a, out| {
            for (o, l) in s.ranges() {
                out.push(a.alloc(l as u32, |j| (o + j) as u32));
            }
        },
    );
    fill_bench(
        &mut g,
        "arena-arc/alloc_from_iter",
        None,
        n,
        NewSlices::new,
        |a, out| {
            for (o, l) in s.ranges() {
                out.push(a.alloc_from_iter((o..o + l).map(|i| i as u32)));
            }
        },
    );
    fill_bench(
        &mut g,
        "arena-arc-0.1.2/alloc(len, init)",
        None,
        n,
        OldSlices::new,
        |a, out| {
            for (o, l) in s.ranges() {
                out.push(a.alloc(l as u32, |j| (o + j) as u32));
            }
        },
    );
    fill_bench(
        &mut g,
        "bumpalo/alloc_slice_fill_with",
        None,
        n,
        Bump::new,
        |a, out| {
            for (o, l) in s.ranges() {
                out.push(a.alloc_slice_fill_with(l, |j| (o + j) as u32) as *const [u32]);
            }
        },
    );
    fill_bench(
        &mut g,
        "bumpalo/alloc_slice_copy",
        None,
        n,
        Bump::new,
        |a, out| {
            for (o, l) in s.ranges() {
                out.push(a.alloc_slice_copy(s.slice(o, l)) as *const [u32]);
            }
        },
    );
    fill_bench(
        &mut g,
        "multitude/alloc_slice_fill_with_arc",
        None,
        n,
        multitude::Arena::new,
        |a, out| {
            for (o, l) in s.ranges() {
                out.push(a.alloc_slice_fill_with_arc(l, |j| (o + j) as u32));
            }
        },
    );
    fill_bench(
        &mut g,
        "multitude/alloc_slice_copy_arc",
        None,
        n,
        multitude::Arena::new,
        |a, out| {
            for (o, l) in s.ranges() {
                out.push(a.alloc_slice_copy_arc(s.slice(o, l)));
            }
        },
    );
    fill_bench(
        &mut g,
        "typed-arena/alloc_extend",
        None,
        n,
        typed_arena::Arena::new,
        |a, out| {
            for (o, l) in s.ranges() {
                out.push(a.alloc_extend((o..o + l).map(|i| i as u32)) as *const [u32]);
            }
        },
    );
    fill_bench(
        &mut g,
        "std/Arc<[u32]>::from",
        None,
        n,
        || (),
        |(), out| {
            for (o, l) in s.ranges() {
                out.push(Arc::<[u32]>::from(s.slice(o, l)));
            }
        },
    );
    fill_bench(
        &mut g,
        "std/Box<[u32]>::from",
        None,
        n,
        || (),
        |(), out| {
            for (o, l) in s.ranges() {
                out.push(Box::<[u32]>::from(s.slice(o, l)));
            }
        },
    );
    g.finish();
}

/// 400k single `u64`, all kept alive until the end of the iteration.
/// Throughput: values.
fn single_values(c: &mut Criterion) {
    init();
    let n = SINGLE_VALUES;
    let mut g = c.benchmark_group("single_values");
    g.throughput(Throughput::Elements(n as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    fill_bench(
        &mut g,
        "arena-arc/alloc_value",
        None,
        n,
        NewValues::new,
        |a, out| {
            for i in 0..n as u64 {
                out.push(a.alloc_value(i));
            }
        },
    );
    fill_bench(
        &mut g,
        "arena-arc/u64::alloc (per-thread pool)",
        None,
        n,
        || (),
        |(), out| {
            for i in 0..n as u64 {
                out.push(u64::alloc(i));
            }
        },
    );
    fill_bench(
        &mut g,
        "arena-arc-0.1.2/alloc_value",
        None,
        n,
        OldValues::new,
        |a, out| {
            for i in 0..n as u64 {
                out.push(a.alloc_value(i));
            }
        },
    );
    fill_bench(&mut g, "bumpalo/alloc", None, n, Bump::new, |a, out| {
        for i in 0..n as u64 {
            out.push(a.alloc(i) as *const u64);
        }
    });
    fill_bench(
        &mut g,
        "multitude/alloc_arc",
        None,
        n,
        multitude::Arena::new,
        |a, out| {
            for i in 0..n as u64 {
                out.push(a.alloc_arc(i));
            }
        },
    );
    fill_bench(
        &mut g,
        "typed-arena/alloc",
        None,
        n,
        typed_arena::Arena::new,
        |a, out| {
            for i in 0..n as u64 {
                out.push(a.alloc(i) as *const u64);
            }
        },
    );
    fill_bench(
        &mut g,
        "std/Arc::new",
        None,
        n,
        || (),
        |(), out| {
            for i in 0..n as u64 {
                out.push(Arc::new(i));
            }
        },
    );
    fill_bench(
        &mut g,
        "std/Box::new",
        None,
        n,
        || (),
        |(), out| {
            for i in 0..n as u64 {
                out.push(Box::new(i));
            }
        },
    );
    g.finish();
}

/// Copying one large `u8` slice (4 KiB, 1 MiB) in. Throughput: bytes.
///
/// `fresh`: each iteration creates an arena, copies the slice in and drops
/// the handle and the arena, all timed, so the chunk's `malloc` and `free`
/// are included, like the `Vec`'s (`Vec::with_capacity`, `extend_from_slice`
/// and drop: malloc, memcpy, free). `reused`: one arena for all iterations;
/// each iteration copies in and drops the handle (timed). An arena-arc or
/// multitude chunk is freed once the arena has moved past it and its
/// handles are gone; bumpalo's `reused` is `reset` + copy.
fn copy_large(c: &mut Criterion) {
    init();
    let mut g = c.benchmark_group("copy_large");
    g.sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for size in [4usize << 10, 1 << 20] {
        let src: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
        let src = &src[..];
        let label = if size < 1 << 20 { "4KiB" } else { "1MiB" };
        g.throughput(Throughput::Bytes(size as u64));

        g.bench_function(
            BenchmarkId::new("arena-arc/alloc_slice_copy fresh", label),
            |b| {
                b.iter(|| {
                    let mut alloc = Allocator::<u8, u32, CHUNK>::new();
                    black_box(alloc.alloc_slice_copy(black_box(src)));
                })
            },
        );
        let mut alloc = Allocator::<u8, u32, CHUNK>::new();
        g.bench_function(
            BenchmarkId::new("arena-arc/alloc_slice_copy reused", label),
            |b| b.iter(|| black_box(alloc.alloc_slice_copy(black_box(src)))),
        );
        drop(alloc);
        g.bench_function(
            BenchmarkId::new("arena-arc-0.1.2/alloc(len, |i| src[i]) fresh", label),
            |b| {
                b.iter(|| {
                    let mut alloc = arena_arc_012::Allocator::<u8, u32, CHUNK>::new();
                    let src = black_box(src);
                    black_box(alloc.alloc(src.len() as u32, |i| src[i]));
                })
            },
        );
        let mut alloc = arena_arc_012::Allocator::<u8, u32, CHUNK>::new();
        g.bench_function(
            BenchmarkId::new("arena-arc-0.1.2/alloc(len, |i| src[i]) reused", label),
            |b| {
                b.iter(|| {
                    let src = black_box(src);
                    black_box(alloc.alloc(src.len() as u32, |i| src[i]))
                })
            },
        );
        drop(alloc);
        g.bench_function(
            BenchmarkId::new("std/Vec::with_capacity+extend_from_slice", label),
            |b| {
                b.iter(|| {
                    let src = black_box(src);
                    let mut v = Vec::with_capacity(src.len());
                    v.extend_from_slice(src);
                    black_box(v)
                })
            },
        );
        g.bench_function(
            BenchmarkId::new("bumpalo/alloc_slice_copy fresh", label),
            |b| {
                b.iter(|| {
                    let bump = Bump::new();
                    black_box(bump.alloc_slice_copy(black_box(src)));
                })
            },
        );
        let mut bump = Bump::new();
        g.bench_function(
            BenchmarkId::new("bumpalo/alloc_slice_copy reused (reset)", label),
            |b| {
                b.iter(|| {
                    bump.reset();
                    black_box(bump.alloc_slice_copy(black_box(src)));
                })
            },
        );
        drop(bump);
        g.bench_function(
            BenchmarkId::new("multitude/alloc_slice_copy_arc fresh", label),
            |b| {
                b.iter(|| {
                    let arena = multitude::Arena::new();
                    black_box(arena.alloc_slice_copy_arc(black_box(src)));
                })
            },
        );
        let arena = multitude::Arena::new();
        g.bench_function(
            BenchmarkId::new("multitude/alloc_slice_copy_arc reused", label),
            |b| b.iter(|| black_box(arena.alloc_slice_copy_arc(black_box(src)))),
        );
        drop(arena);
    }
    g.finish();
}

/// Cost per `alloc_value(u64)` at 10^3, 10^5 and 10^7 allocations into one
/// fresh allocator, handles kept alive (as in `single_values`; multitude's
/// `alloc_arc` and bumpalo's `alloc` alongside for reference). Throughput:
/// values, so criterion reports the time per value.
fn scaling(c: &mut Criterion) {
    init();
    let mut g = c.benchmark_group("scaling");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for n in [1_000usize, 100_000, 10_000_000] {
        g.throughput(Throughput::Elements(n as u64));
        fill_bench(
            &mut g,
            "arena-arc/alloc_value",
            Some(n),
            n,
            NewValues::new,
            |a, out| {
                for i in 0..n as u64 {
                    out.push(a.alloc_value(i));
                }
            },
        );
        fill_bench(
            &mut g,
            "multitude/alloc_arc",
            Some(n),
            n,
            multitude::Arena::new,
            |a, out| {
                for i in 0..n as u64 {
                    out.push(a.alloc_arc(i));
                }
            },
        );
        fill_bench(&mut g, "bumpalo/alloc", Some(n), n, Bump::new, |a, out| {
            for i in 0..n as u64 {
                out.push(a.alloc(i) as *const u64);
            }
        });
    }
    g.finish();
}

criterion_group!(benches, small_slices, single_values, copy_large, scaling);
criterion_main!(benches);
