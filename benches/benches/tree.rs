//! `tree`: build and drop a tree of typed nodes, timed as a whole.
//!
//! Run with `cargo bench -p arena-arc-benches --bench tree`, then
//! `cargo run -p arena-arc-benches --bin bench_table` for a markdown table.
//!
//! Two shapes: a binary tree of depth 16 (131,071 nodes, `enum` with two
//! children) and a wide tree of depth 3 and fan-out 40 (65,641 nodes,
//! `struct` with a slice of children). Each is built
//!
//! * with `#[derive(ArenaAlloc)]` nodes in an explicit `Allocator` (the `_in`
//!   constructors / `T::alloc_from_iter_in`); the pool and the root are
//!   dropped inside the timed part, which frees the whole tree;
//! * with the same nodes in the per-thread pool (`Tree::node(..)`,
//!   `Wide::alloc_from_iter`); the root is dropped inside the timed part
//!   (the pool keeps only its current, partly filled chunk);
//! * with `std::sync::Arc` children and with `Box` children.
//!
//! Throughput: nodes.

use std::hint::black_box;
use std::time::Duration;

use arena_arc::Allocator;
use arena_arc_benches::{
    BINARY_DEPTH, TREE_CHUNK, Tree, WIDE_DEPTH, WIDE_FAN, Wide, arc_tree, arc_wide, box_tree,
    box_wide, init, tree_in, tree_nodes, tree_per_thread, wide_in, wide_per_thread,
};
use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};

fn tree(c: &mut Criterion) {
    init();
    let mut g = c.benchmark_group("tree");
    g.sampling_mode(SamplingMode::Flat)
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    let d = BINARY_DEPTH;
    g.throughput(Throughput::Elements(tree_nodes(d, 2) as u64));
    g.bench_function(
        BenchmarkId::new("arena-arc/explicit pool (_in)", "binary"),
        |b| {
            b.iter(|| {
                let mut pool: Allocator<Tree, u32, TREE_CHUNK> = Allocator::new();
                let root = tree_in(&mut pool, d, &mut 0);
                black_box(&root);
                drop(pool);
                drop(root);
            })
        },
    );
    g.bench_function(
        BenchmarkId::new("arena-arc/per-thread pool", "binary"),
        |b| b.iter(|| drop(black_box(tree_per_thread(d, &mut 0)))),
    );
    g.bench_function(BenchmarkId::new("std/Arc", "binary"), |b| {
        b.iter(|| drop(black_box(arc_tree(d, &mut 0))))
    });
    g.bench_function(BenchmarkId::new("std/Box", "binary"), |b| {
        b.iter(|| drop(black_box(box_tree(d, &mut 0))))
    });

    let (d, fan) = (WIDE_DEPTH, WIDE_FAN);
    g.throughput(Throughput::Elements(tree_nodes(d, fan) as u64));
    g.bench_function(
        BenchmarkId::new("arena-arc/explicit pool (_in)", "wide"),
        |b| {
            b.iter(|| {
                let mut pool: Allocator<Wide, u32, TREE_CHUNK> = Allocator::new();
                let root = wide_in(&mut pool, d, fan, &mut 0);
                black_box(&root);
                drop(pool);
                drop(root);
            })
        },
    );
    g.bench_function(BenchmarkId::new("arena-arc/per-thread pool", "wide"), |b| {
        b.iter(|| drop(black_box(wide_per_thread(d, fan, &mut 0))))
    });
    g.bench_function(BenchmarkId::new("std/Arc", "wide"), |b| {
        b.iter(|| drop(black_box(arc_wide(d, fan, &mut 0))))
    });
    g.bench_function(BenchmarkId::new("std/Box", "wide"), |b| {
        b.iter(|| drop(black_box(box_wide(d, fan, &mut 0))))
    });
    g.finish();
}

criterion_group!(benches, tree);
criterion_main!(benches);
