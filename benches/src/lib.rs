//! Shared inputs and workloads of the arena-arc benchmarks.
//!
//! The criterion benches live in `benches/benches/*.rs`; this library holds
//! what they share, so that every peer of a group runs exactly the same
//! workload: the fixed-seed slice lengths, the tree node types (arena-arc,
//! `Arc` and `Box` versions of the same shapes) and their builders, and a
//! small timing helper for `Bencher::iter_custom`. [`binary_trees`] holds
//! the Benchmarks Game's binary-trees program, once per allocator.
//!
//! `cargo test -p arena-arc-benches` checks that the tree builders of every
//! peer build the same tree, and that every binary-trees variant reports
//! the right checks.

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arena_arc::{Allocator, ArcSingle, ArcSlice, ArenaAlloc, ArenaType};

pub mod binary_trees;

/// A small fixed-seed generator (SplitMix64), so that every peer and every
/// run gets the same inputs.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator with the given seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The seed of every generated input.
pub const SEED: u64 = 0x00A1_2E7A_A2C0_2026;

/// Number of slices in the `small_slices` and `read` workloads.
pub const SMALL_SLICES: usize = 200_000;
/// Number of values in the `single_values` and `drop_handles` workloads.
pub const SINGLE_VALUES: usize = 400_000;

/// The small-slice workload: `lens[k]` (1..=16) is the length of slice `k`,
/// and slice `k` holds `offsets[k]..offsets[k] + lens[k]` (as `u32`), which
/// is also `src[offsets[k]..][..lens[k]]` for the copying peers.
#[derive(Debug, Clone)]
pub struct SmallSlices {
    /// The length of each slice, 1..=16.
    pub lens: Vec<usize>,
    /// Where each slice starts in `src`.
    pub offsets: Vec<usize>,
    /// `0..total` as `u32`: the contents of all slices, back to back.
    pub src: Vec<u32>,
}

impl SmallSlices {
    /// `count` slices with lengths 1..=16 drawn from [`SEED`].
    pub fn new(count: usize) -> Self {
        let mut rng = SplitMix64::new(SEED);
        let lens: Vec<usize> = (0..count)
            .map(|_| 1 + (rng.next_u64() % 16) as usize)
            .collect();
        let mut offsets = Vec::with_capacity(count);
        let mut total = 0;
        for &len in &lens {
            offsets.push(total);
            total += len;
        }
        let src = (0..total).map(|i| i as u32).collect();
        Self { lens, offsets, src }
    }

    /// The number of slices.
    pub fn len(&self) -> usize {
        self.lens.len()
    }

    /// Whether there are no slices.
    pub fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }

    /// `(offset, len)` of every slice.
    pub fn ranges(&self) -> impl ExactSizeIterator<Item = (usize, usize)> + '_ {
        self.offsets.iter().copied().zip(self.lens.iter().copied())
    }

    /// The contents of slice `k`, as a borrowed slice of `src`.
    pub fn slice(&self, offset: usize, len: usize) -> &[u32] {
        &self.src[offset..offset + len]
    }

    /// Sum of all elements of all slices (what `read` computes).
    pub fn total_sum(&self) -> u64 {
        self.src.iter().map(|&x| u64::from(x)).sum()
    }
}

/// Sums all elements reachable through `handles`, reading each through
/// `get` (deref, `.get()`, ...). The `read` workload.
#[inline]
pub fn sum_through<H>(handles: &[H], get: impl Fn(&H) -> &[u32]) -> u64 {
    let mut sum = 0u64;
    for h in handles {
        for &x in get(h) {
            sum += u64::from(x);
        }
    }
    sum
}

/// Accumulates the time of the timed parts of a `Bencher::iter_custom`
/// iteration: setup before and teardown after [`Stopwatch::time`] are not
/// counted.
#[derive(Debug, Default)]
pub struct Stopwatch {
    total: Duration,
}

impl Stopwatch {
    /// Runs `f`, adding its wall time to the total; its result goes through
    /// `black_box`.
    #[inline(always)]
    pub fn time<R>(&mut self, f: impl FnOnce() -> R) -> R {
        let start = Instant::now();
        let r = black_box(f());
        self.total += start.elapsed();
        r
    }
}

/// For `Bencher::iter_custom`: runs `iteration` `iters` times and returns the
/// time spent inside its [`Stopwatch::time`] calls. Whatever `iteration`
/// does outside them (making inputs, dropping outputs) is not timed.
pub fn custom(iters: u64, mut iteration: impl FnMut(&mut Stopwatch)) -> Duration {
    let mut sw = Stopwatch::default();
    for _ in 0..iters {
        iteration(&mut sw);
    }
    sw.total
}

/// Prepares the process for benchmarking; every group calls it first.
///
/// With glibc, freed memory is normally returned to the kernel (heap
/// trimming; `mmap` for blocks over the adaptive threshold, 128 KiB at
/// first), so a workload that frees megabytes and allocates them again pays
/// page faults, and how many depends on the heap's history (which benchmark
/// ran before, how big each arena's chunks are). That swamps the
/// differences between the allocators' code and makes the ratios unstable.
/// So by default this turns trimming off and raises the `mmap` threshold to
/// its maximum (32 MiB): memory freed by one iteration is reused, already
/// mapped, by the next, for every peer alike. Set
/// `ARENA_ARC_BENCH_COLD_HEAP=1` to keep glibc's defaults instead (fresh
/// arenas then pay their page faults, Box/Arc much less so).
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let cold = std::env::var_os("ARENA_ARC_BENCH_COLD_HEAP").is_some_and(|v| v != "0");
        if cold {
            eprintln!("arena-arc-benches: glibc's default heap (ARENA_ARC_BENCH_COLD_HEAP)");
        } else if glibc::keep_heap_warm() {
            eprintln!(
                "arena-arc-benches: warm heap (no trimming, mmap threshold 32 MiB); \
                 ARENA_ARC_BENCH_COLD_HEAP=1 for glibc's defaults"
            );
        }
    });
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    use std::ffi::c_int;

    const M_TRIM_THRESHOLD: c_int = -1;
    const M_MMAP_THRESHOLD: c_int = -3;

    unsafe extern "C" {
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }

    pub(crate) fn keep_heap_warm() -> bool {
        // SAFETY: `mallopt` only changes malloc's tuning parameters; it is
        // called before the benchmarks allocate from other threads.
        unsafe {
            mallopt(M_TRIM_THRESHOLD, c_int::MAX) == 1 && mallopt(M_MMAP_THRESHOLD, 32 << 20) == 1
        }
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
mod glibc {
    pub(crate) fn keep_heap_warm() -> bool {
        false
    }
}

// ---------------------------------------------------------------------------
// Trees: the same shapes with arena-arc, `Arc` and `Box` children.
// ---------------------------------------------------------------------------

/// Depth of the binary tree (2^17 - 1 = 131,071 nodes).
pub const BINARY_DEPTH: u32 = 16;
/// Depth of the wide tree (levels below the root).
pub const WIDE_DEPTH: u32 = 3;
/// Fan-out of the wide tree (1 + 40 + 1,600 + 64,000 = 65,641 nodes).
pub const WIDE_FAN: usize = 40;

/// Number of nodes of a complete tree of `depth` levels below the root and
/// fan-out `fan`.
pub fn tree_nodes(depth: u32, fan: usize) -> usize {
    (0..=depth).map(|d| fan.pow(d)).sum()
}

/// A binary tree node whose children are arena-arc handles.
#[derive(ArenaAlloc, Debug)]
#[arena(index = u32, chunk = 4096)]
pub enum Tree {
    /// A leaf.
    Leaf(u64),
    /// An inner node with two children.
    Node(u64, ArcSingle<Tree>, ArcSingle<Tree>),
}

/// The binary tree with `std::sync::Arc` children.
#[derive(Debug)]
pub enum ArcTree {
    /// A leaf.
    Leaf(u64),
    /// An inner node with two children.
    Node(u64, Arc<ArcTree>, Arc<ArcTree>),
}

/// The binary tree with `Box` children.
#[derive(Debug)]
pub enum BoxTree {
    /// A leaf.
    Leaf(u64),
    /// An inner node with two children.
    Node(u64, Box<BoxTree>, Box<BoxTree>),
}

/// Builds the binary tree in `pool` with the `_in` constructors. Values are
/// numbered in pre-order from `*next + 1`.
pub fn tree_in<const N: usize>(
    pool: &mut Allocator<Tree, u32, N>,
    depth: u32,
    next: &mut u64,
) -> ArcSingle<Tree> {
    *next += 1;
    let value = *next;
    if depth == 0 {
        Tree::leaf_in(pool, value)
    } else {
        let left = tree_in(pool, depth - 1, next);
        let right = tree_in(pool, depth - 1, next);
        Tree::node_in(pool, value, left, right)
    }
}

/// Builds the binary tree in this thread's pool of `Tree` (`Tree::leaf`,
/// `Tree::node`).
pub fn tree_per_thread(depth: u32, next: &mut u64) -> ArcSingle<Tree> {
    *next += 1;
    let value = *next;
    if depth == 0 {
        Tree::leaf(value)
    } else {
        let left = tree_per_thread(depth - 1, next);
        let right = tree_per_thread(depth - 1, next);
        Tree::node(value, left, right)
    }
}

/// Builds the binary tree with `Arc` children.
pub fn arc_tree(depth: u32, next: &mut u64) -> Arc<ArcTree> {
    *next += 1;
    let value = *next;
    if depth == 0 {
        Arc::new(ArcTree::Leaf(value))
    } else {
        let left = arc_tree(depth - 1, next);
        let right = arc_tree(depth - 1, next);
        Arc::new(ArcTree::Node(value, left, right))
    }
}

/// Builds the binary tree with `Box` children.
pub fn box_tree(depth: u32, next: &mut u64) -> Box<BoxTree> {
    *next += 1;
    let value = *next;
    if depth == 0 {
        Box::new(BoxTree::Leaf(value))
    } else {
        let left = box_tree(depth - 1, next);
        let right = box_tree(depth - 1, next);
        Box::new(BoxTree::Node(value, left, right))
    }
}

/// A wide-tree node whose children are one arena-arc slice.
#[derive(ArenaAlloc, Debug)]
#[arena(index = u32, chunk = 4096)]
pub struct Wide {
    /// The node's value.
    pub value: u64,
    /// The children (empty for a leaf).
    pub children: ArcSlice<Wide>,
}

/// The wide tree with an `Arc<[_]>` of children.
#[derive(Debug)]
pub struct ArcWide {
    /// The node's value.
    pub value: u64,
    /// The children (empty for a leaf; `Arc::default()` does not allocate).
    pub children: Arc<[ArcWide]>,
}

/// The wide tree with a `Box<[_]>` of children.
#[derive(Debug)]
pub struct BoxWide {
    /// The node's value.
    pub value: u64,
    /// The children (empty for a leaf).
    pub children: Box<[BoxWide]>,
}

// The wide tree's builders all recurse on a node's *children* (a 16-byte
// handle or `Box<[_]>`, returned in registers) and write each node where it
// belongs; a leaf's empty children are made by its parent, without a call.
// Recursing on whole nodes (24 bytes, returned through the stack) costs
// every variant a copy per node, and the arena ones a store-forwarding stall
// in it (see BENCHMARKS.md).

/// The value of the next node in pre-order.
fn next_value(next: &mut u64) -> u64 {
    *next += 1;
    *next
}

/// Builds the wide tree in `pool`: each node's children are written in
/// place (`Wide::slice_builder_in`) while their own children are allocated
/// in the same pool; `Wide::wide_in` makes the root.
pub fn wide_in<const N: usize>(
    pool: &mut Allocator<Wide, u32, N>,
    depth: u32,
    fan: usize,
    next: &mut u64,
) -> ArcSingle<Wide> {
    let value = next_value(next);
    let children = wide_children_in(pool, depth, fan, next);
    Wide::wide_in(pool, value, children)
}

fn wide_children_in<const N: usize>(
    pool: &mut Allocator<Wide, u32, N>,
    depth: u32,
    fan: usize,
    next: &mut u64,
) -> ArcSlice<Wide> {
    if depth == 0 {
        return ArcSlice::default();
    }
    let mut kids = Wide::slice_builder_in(pool, fan);
    for _ in 0..fan {
        let value = next_value(next);
        let children = if depth > 1 {
            wide_children_in(pool, depth - 1, fan, next)
        } else {
            ArcSlice::default()
        };
        kids.push(Wide { value, children });
    }
    kids.finish()
}

/// Builds the wide tree in this thread's pool of `Wide`
/// (`Wide::alloc_from_iter` for each node's children).
pub fn wide_per_thread(depth: u32, fan: usize, next: &mut u64) -> ArcSingle<Wide> {
    let value = next_value(next);
    let children = wide_children_per_thread(depth, fan, next);
    Wide::alloc(Wide { value, children })
}

fn wide_children_per_thread(depth: u32, fan: usize, next: &mut u64) -> ArcSlice<Wide> {
    if depth == 0 {
        return ArcSlice::default();
    }
    Wide::alloc_from_iter((0..fan).map(|_| {
        let value = next_value(next);
        let children = if depth > 1 {
            wide_children_per_thread(depth - 1, fan, next)
        } else {
            ArcSlice::default()
        };
        Wide { value, children }
    }))
}

/// Builds the wide tree with `Arc<[_]>` children.
pub fn arc_wide(depth: u32, fan: usize, next: &mut u64) -> Arc<ArcWide> {
    let value = next_value(next);
    let children = arc_wide_children(depth, fan, next);
    Arc::new(ArcWide { value, children })
}

fn arc_wide_children(depth: u32, fan: usize, next: &mut u64) -> Arc<[ArcWide]> {
    if depth == 0 {
        return Arc::default();
    }
    (0..fan)
        .map(|_| {
            let value = next_value(next);
            let children = if depth > 1 {
                arc_wide_children(depth - 1, fan, next)
            } else {
                Arc::default()
            };
            ArcWide { value, children }
        })
        .collect()
}

/// Builds the wide tree with `Box<[_]>` children.
pub fn box_wide(depth: u32, fan: usize, next: &mut u64) -> Box<BoxWide> {
    let value = next_value(next);
    let children = box_wide_children(depth, fan, next);
    Box::new(BoxWide { value, children })
}

fn box_wide_children(depth: u32, fan: usize, next: &mut u64) -> Box<[BoxWide]> {
    if depth == 0 {
        return Box::default();
    }
    (0..fan)
        .map(|_| {
            let value = next_value(next);
            let children = if depth > 1 {
                box_wide_children(depth - 1, fan, next)
            } else {
                Box::default()
            };
            BoxWide { value, children }
        })
        .collect()
}

/// Sum and count of the values of a binary tree, any representation.
pub trait TreeSum {
    /// `(sum of values, number of nodes)`.
    fn sum(&self) -> (u64, usize);
}

impl TreeSum for Tree {
    fn sum(&self) -> (u64, usize) {
        match self {
            Tree::Leaf(v) => (*v, 1),
            Tree::Node(v, l, r) => add3(*v, l.sum(), r.sum()),
        }
    }
}

impl TreeSum for ArcTree {
    fn sum(&self) -> (u64, usize) {
        match self {
            ArcTree::Leaf(v) => (*v, 1),
            ArcTree::Node(v, l, r) => add3(*v, l.sum(), r.sum()),
        }
    }
}

impl TreeSum for BoxTree {
    fn sum(&self) -> (u64, usize) {
        match self {
            BoxTree::Leaf(v) => (*v, 1),
            BoxTree::Node(v, l, r) => add3(*v, l.sum(), r.sum()),
        }
    }
}

impl TreeSum for Wide {
    fn sum(&self) -> (u64, usize) {
        self.children
            .iter()
            .map(Wide::sum)
            .fold((self.value, 1), add2)
    }
}

impl TreeSum for ArcWide {
    fn sum(&self) -> (u64, usize) {
        self.children
            .iter()
            .map(ArcWide::sum)
            .fold((self.value, 1), add2)
    }
}

impl TreeSum for BoxWide {
    fn sum(&self) -> (u64, usize) {
        self.children
            .iter()
            .map(BoxWide::sum)
            .fold((self.value, 1), add2)
    }
}

fn add2(a: (u64, usize), b: (u64, usize)) -> (u64, usize) {
    (a.0 + b.0, a.1 + b.1)
}

fn add3(v: u64, l: (u64, usize), r: (u64, usize)) -> (u64, usize) {
    (v + l.0 + r.0, 1 + l.1 + r.1)
}

/// The binary tree's chunk size, as the explicit pools of the `tree`
/// benchmark use it.
pub const TREE_CHUNK: usize = <Tree as ArenaType>::CHUNK;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_slices_are_deterministic_and_in_range() {
        let a = SmallSlices::new(1000);
        let b = SmallSlices::new(1000);
        assert_eq!(a.lens, b.lens);
        assert!(a.lens.iter().all(|&l| (1..=16).contains(&l)));
        assert!(a.lens.contains(&1) && a.lens.contains(&16));
        let (o, l) = a.ranges().last().unwrap();
        assert_eq!(a.slice(o, l).last().copied(), Some(a.src.len() as u32 - 1));
    }

    #[test]
    fn every_binary_tree_is_the_same() {
        let depth = 6;
        let nodes = tree_nodes(depth, 2);
        let expected = ((nodes * (nodes + 1) / 2) as u64, nodes);
        let mut pool: Allocator<Tree, u32, TREE_CHUNK> = Allocator::new();
        assert_eq!(tree_in(&mut pool, depth, &mut 0).sum(), expected);
        assert_eq!(tree_per_thread(depth, &mut 0).sum(), expected);
        assert_eq!(arc_tree(depth, &mut 0).sum(), expected);
        assert_eq!(box_tree(depth, &mut 0).sum(), expected);
    }

    #[test]
    fn every_wide_tree_is_the_same() {
        let (depth, fan) = (2, 5);
        let nodes = tree_nodes(depth, fan);
        let expected = ((nodes * (nodes + 1) / 2) as u64, nodes);
        let mut pool: Allocator<Wide, u32, 64> = Allocator::new();
        assert_eq!(wide_in(&mut pool, depth, fan, &mut 0).sum(), expected);
        assert_eq!(wide_per_thread(depth, fan, &mut 0).sum(), expected);
        assert_eq!(arc_wide(depth, fan, &mut 0).sum(), expected);
        assert_eq!(box_wide(depth, fan, &mut 0).sum(), expected);
    }

    #[test]
    fn an_explicit_pool_frees_the_tree() {
        let mut pool: Allocator<Tree, u32, 16> = Allocator::new();
        let root = tree_in(&mut pool, 6, &mut 0);
        assert!(pool.stats().chunks > 1);
        drop(pool);
        drop(root);
        // Nothing observable is left; Miri/ASan in the runtime's own CI
        // check the freeing itself. This only makes sure it does not panic.
    }

    #[test]
    fn read_sums_agree() {
        let s = SmallSlices::new(100);
        let mut alloc: Allocator<u32, u32, 64> = Allocator::new();
        let hs: Vec<_> = s
            .ranges()
            .map(|(o, l)| alloc.alloc_slice_copy(s.slice(o, l)))
            .collect();
        assert_eq!(sum_through(&hs, |h| h), s.total_sum());
    }
}
