//! `binary_trees`: the Benchmarks Game's binary-trees program (n = 16,
//! single-threaded), one whole program run per benchmark iteration.
//!
//! Run with `cargo bench -p arena-arc-benches --bench binary_trees`, then
//! `cargo run -p arena-arc-benches --bin bench_table` for a markdown table.
//!
//! A run builds a stretch tree of depth 17, a long-lived tree of depth 16,
//! and 2^(20 - d) trees of each even depth d from 4 to 16, 14,985,902 nodes
//! in all, checking (counting the nodes of) every tree; see
//! `arena_arc_benches::binary_trees` for the variants. Everything is timed:
//! creating the pools or arenas, building, checking and dropping every
//! tree. Before measuring, each variant runs once and its output is
//! compared with the correct one, and every measured run asserts it again.
//! The bytes each variant spends per node are printed first.
//!
//! Throughput: nodes.

use std::hint::black_box;
use std::time::Duration;

use arena_arc_benches::binary_trees::{MAX_DEPTH, Outcome, VARIANTS, node_bytes_table};
use arena_arc_benches::init;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

fn binary_trees(c: &mut Criterion) {
    init();
    let expected = Outcome::expected(MAX_DEPTH);
    eprintln!("binary_trees: bytes per node\n\n{}", node_bytes_table());
    eprint!(
        "binary_trees: expected output (n = {MAX_DEPTH})\n\n{}",
        expected.output()
    );
    for (name, run) in VARIANTS {
        assert_eq!(run(MAX_DEPTH), expected, "{name}: wrong output");
    }
    eprintln!("binary_trees: every variant's output is right\n");

    let mut g = c.benchmark_group("binary_trees");
    g.throughput(Throughput::Elements(expected.nodes()))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    for &(name, run) in VARIANTS {
        g.bench_function(name, |b| {
            b.iter(|| {
                let outcome = run(black_box(MAX_DEPTH));
                assert_eq!(outcome, expected, "{name}: wrong output");
                outcome
            })
        });
    }
    g.finish();
}

criterion_group!(benches, binary_trees);
criterion_main!(benches);
