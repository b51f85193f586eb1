//! Builds a layered graph (a DAG) in a node pool, then walks it from
//! several threads at once: handles are `Send + Sync`, and the graph needs
//! no lifetime or index bookkeeping.
//!
//! ```sh
//! cargo run --release --example graph [LAYERS] [WIDTH] [THREADS]
//! ```

use std::collections::HashMap;

use arena_arc::{ArcSingle, ArenaAlloc, arena};

const FAN_OUT: usize = 3;

/// A node with up to `FAN_OUT` successors. Successors are allocated before
/// their predecessors, so the graph is built from the last layer up.
#[derive(ArenaAlloc, Debug)]
#[arena(index = u32, chunk = 4096)]
struct Node {
    id: u32,
    weight: u64,
    next: [Option<ArcSingle<Node>>; FAN_OUT],
}

#[arena]
#[derive(Debug)]
struct Graph {
    #[arena(chunk = 4096)]
    nodes: Node,
}

/// A small deterministic generator, so runs are reproducible.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The heaviest path from `node` to a sink, memoised by node identity.
fn heaviest_path(node: &ArcSingle<Node>, memo: &mut HashMap<*const Node, u64>) -> u64 {
    if let Some(&w) = memo.get(&ArcSingle::as_ptr(node)) {
        return w;
    }
    let best = node
        .next
        .iter()
        .flatten()
        .map(|n| heaviest_path(n, memo))
        .max()
        .unwrap_or(0);
    let w = node.weight + best;
    memo.insert(ArcSingle::as_ptr(node), w);
    w
}

fn arg(n: usize, default: usize) -> usize {
    match std::env::args().nth(n) {
        None => default,
        Some(text) => text.parse().unwrap_or_else(|_| {
            eprintln!("error: argument {n} must be a positive integer, got `{text}`");
            std::process::exit(2)
        }),
    }
}

fn main() {
    let layers = arg(1, 200).max(1);
    let width = arg(2, 500).max(1);
    let threads = arg(3, 4).max(1);

    let mut graph = Graph::new();
    let mut rng = SplitMix(42);
    let mut id = 0u32;
    let mut below: Vec<ArcSingle<Node>> = Vec::new();
    for _ in 0..layers {
        let layer: Vec<ArcSingle<Node>> = (0..width)
            .map(|_| {
                let mut next: [Option<ArcSingle<Node>>; FAN_OUT] = Default::default();
                if !below.is_empty() {
                    for slot in &mut next {
                        let pick = (rng.next() % below.len() as u64) as usize;
                        *slot = Some(below[pick].clone());
                    }
                }
                id += 1;
                graph.alloc(Node {
                    id,
                    weight: rng.next() % 100,
                    next,
                })
            })
            .collect();
        below = layer;
    }
    let roots = below;
    println!(
        "built {} nodes in {} layers: {}",
        id,
        layers,
        graph.nodes.stats()
    );
    // The roots keep everything reachable alive; the pool can go.
    drop(graph);

    // Each thread walks the roots it is given; all share the same nodes.
    let chunk = roots.len().div_ceil(threads);
    let results: Vec<(usize, u64, u32)> = std::thread::scope(|s| {
        let handles: Vec<_> = roots
            .chunks(chunk)
            .enumerate()
            .map(|(t, mine)| {
                let mine = mine.to_vec();
                s.spawn(move || {
                    let mut memo = HashMap::new();
                    let (best, root) = mine
                        .iter()
                        .map(|r| (heaviest_path(r, &mut memo), r.id))
                        .max()
                        .unwrap_or((0, 0));
                    (t, best, root)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("walker panicked"))
            .collect()
    });
    for (t, best, root) in &results {
        println!("thread {t}: heaviest path {best} (from node {root})");
    }
    let best = results.iter().map(|r| r.1).max().unwrap_or(0);
    println!("heaviest path overall: {best}");
}
