//! The Benchmarks Game's **binary-trees** program, once per allocator.
//!
//! The shape is the Benchmarks Game's, single-threaded, with `n = 16`:
//! [`MIN_DEPTH`] 4, max depth `max(MIN_DEPTH + 2, n)` = 16 ([`MAX_DEPTH`]).
//!
//! 1. A *stretch* tree of depth `max + 1` (17) is built, checked and dropped.
//! 2. A *long-lived* tree of depth `max` (16) is built and kept to the end.
//! 3. For each even depth `d` from 4 to 16, `2^(max - d + 4)` trees of depth
//!    `d` are built, checked and dropped one after another.
//! 4. The long-lived tree is checked, then dropped.
//!
//! A tree of depth `d` has `2^(d + 1) - 1` nodes, all allocated (leaves too),
//! and its *check* is its node count. [`Outcome::expected`] is what every
//! variant must report; [`Outcome::output`] prints it as the Benchmarks Game
//! does. Each tree is checked through [`black_box`], so no variant can skip
//! building it.
//!
//! The variants (the `binary_trees` criterion group):
//!
//! | function | node type | allocation |
//! | --- | --- | --- |
//! | [`per_thread_pool()`] | [`Tree`] (`ArcSingle` children) | `Tree::node`, `Tree::leaf` (this thread's pool) |
//! | [`explicit_pool()`] | [`Tree`] | `Tree::node_in`, `Tree::leaf_in`, one `Allocator` for the run |
//! | [`bumpalo()`] | [`RefTree`] (`&` children) | one `Bump` for the long-lived tree, one reused (`reset`) for every other tree |
//! | [`typed_arena()`] | [`RefTree`] | a fresh `typed_arena::Arena` per tree |
//! | [`boxed()`], [`rc()`], [`arc()`] | [`BoxTree`], [`RcTree`], [`ArcTree`] | `Box::new`, `Rc::new`, `Arc::new` |
//! | [`multitude()`] | [`MultiTree`] (`multitude::Arc` children) | `alloc_arc`, one `multitude::Arena` for the run |

use std::hint::black_box;
use std::rc::Rc;
use std::sync::Arc;

use arena_arc::{Allocator, ArcSingle, ArenaAlloc, ArenaType};
use bumpalo::Bump;

/// The smallest depth of the iterated trees.
pub const MIN_DEPTH: u32 = 4;
/// The Benchmarks Game's `n`, and the depth of the long-lived tree.
pub const MAX_DEPTH: u32 = 16;

// ---------------------------------------------------------------------------
// Node types
// ---------------------------------------------------------------------------

/// A binary-trees node with arena-arc children, in its derived pool.
///
/// The chunk size is the one of the `tree` benchmark's nodes (4096 elements,
/// 64 KiB chunks of 16-byte nodes).
#[derive(ArenaAlloc, Debug)]
#[arena(index = u32, chunk = 4096)]
pub enum Tree {
    /// A node without children.
    Leaf,
    /// A node with two children.
    Node(ArcSingle<Tree>, ArcSingle<Tree>),
}

/// The chunk size of [`Tree`]'s pools, for the explicit pool.
pub const CHUNK: usize = <Tree as ArenaType>::CHUNK;

/// A binary-trees node borrowed from an arena (bumpalo, typed-arena).
#[derive(Debug)]
pub enum RefTree<'a> {
    /// A node without children.
    Leaf,
    /// A node with two children.
    Node(&'a RefTree<'a>, &'a RefTree<'a>),
}

/// A binary-trees node with `Box` children.
#[derive(Debug)]
pub enum BoxTree {
    /// A node without children.
    Leaf,
    /// A node with two children.
    Node(Box<BoxTree>, Box<BoxTree>),
}

/// A binary-trees node with `Rc` children.
#[derive(Debug)]
pub enum RcTree {
    /// A node without children.
    Leaf,
    /// A node with two children.
    Node(Rc<RcTree>, Rc<RcTree>),
}

/// A binary-trees node with `std::sync::Arc` children.
#[derive(Debug)]
pub enum ArcTree {
    /// A node without children.
    Leaf,
    /// A node with two children.
    Node(Arc<ArcTree>, Arc<ArcTree>),
}

/// A binary-trees node with `multitude::Arc` children.
#[derive(Debug)]
pub enum MultiTree {
    /// A node without children.
    Leaf,
    /// A node with two children.
    Node(multitude::Arc<MultiTree>, multitude::Arc<MultiTree>),
}

/// The Benchmarks Game's `check`: the number of nodes of a tree.
pub trait Check {
    /// The number of nodes of the tree rooted here.
    fn check(&self) -> u32;
}

macro_rules! impl_check {
    ($($ty:ty),*) => {$(
        impl Check for $ty {
            fn check(&self) -> u32 {
                match self {
                    Self::Leaf => 1,
                    Self::Node(l, r) => 1 + l.check() + r.check(),
                }
            }
        }
    )*};
}

impl_check!(Tree, RefTree<'_>, BoxTree, RcTree, ArcTree, MultiTree);

/// Checks `tree` through `black_box`, so the tree must really exist.
#[inline]
fn checked<T: Check + ?Sized>(tree: &T) -> u32 {
    black_box(tree).check()
}

// ---------------------------------------------------------------------------
// Tree builders (bottom up, left child first, as the Benchmarks Game)
// ---------------------------------------------------------------------------

/// A tree of `depth` in this thread's pool of [`Tree`].
pub fn per_thread_tree(depth: u32) -> ArcSingle<Tree> {
    if depth == 0 {
        Tree::leaf()
    } else {
        Tree::node(per_thread_tree(depth - 1), per_thread_tree(depth - 1))
    }
}

/// A tree of `depth` in `pool` (the `_in` constructors).
pub fn tree_in(pool: &mut Allocator<Tree, u32, CHUNK>, depth: u32) -> ArcSingle<Tree> {
    if depth == 0 {
        Tree::leaf_in(pool)
    } else {
        let left = tree_in(pool, depth - 1);
        let right = tree_in(pool, depth - 1);
        Tree::node_in(pool, left, right)
    }
}

/// A tree of `depth` in `bump`.
pub fn bump_tree(bump: &Bump, depth: u32) -> &RefTree<'_> {
    if depth == 0 {
        bump.alloc(RefTree::Leaf)
    } else {
        let left = bump_tree(bump, depth - 1);
        let right = bump_tree(bump, depth - 1);
        bump.alloc(RefTree::Node(left, right))
    }
}

/// A tree of `depth` in `arena`.
pub fn typed_arena_tree<'a>(
    arena: &'a typed_arena::Arena<RefTree<'a>>,
    depth: u32,
) -> &'a RefTree<'a> {
    if depth == 0 {
        arena.alloc(RefTree::Leaf)
    } else {
        let left = typed_arena_tree(arena, depth - 1);
        let right = typed_arena_tree(arena, depth - 1);
        arena.alloc(RefTree::Node(left, right))
    }
}

/// A tree of `depth` with `Box` children.
pub fn box_tree(depth: u32) -> Box<BoxTree> {
    Box::new(if depth == 0 {
        BoxTree::Leaf
    } else {
        BoxTree::Node(box_tree(depth - 1), box_tree(depth - 1))
    })
}

/// A tree of `depth` with `Rc` children.
pub fn rc_tree(depth: u32) -> Rc<RcTree> {
    Rc::new(if depth == 0 {
        RcTree::Leaf
    } else {
        RcTree::Node(rc_tree(depth - 1), rc_tree(depth - 1))
    })
}

/// A tree of `depth` with `std::sync::Arc` children.
pub fn arc_tree(depth: u32) -> Arc<ArcTree> {
    Arc::new(if depth == 0 {
        ArcTree::Leaf
    } else {
        ArcTree::Node(arc_tree(depth - 1), arc_tree(depth - 1))
    })
}

/// A tree of `depth` in `arena`, every node an `alloc_arc`.
pub fn multitude_tree(arena: &multitude::Arena, depth: u32) -> multitude::Arc<MultiTree> {
    if depth == 0 {
        arena.alloc_arc(MultiTree::Leaf)
    } else {
        let left = multitude_tree(arena, depth - 1);
        let right = multitude_tree(arena, depth - 1);
        arena.alloc_arc(MultiTree::Node(left, right))
    }
}

// ---------------------------------------------------------------------------
// The program
// ---------------------------------------------------------------------------

/// One line of the iterated trees: `iterations` trees of `depth`, whose
/// checks add up to `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// Number of trees built.
    pub iterations: u32,
    /// Their depth.
    pub depth: u32,
    /// The sum of their checks.
    pub check: u32,
}

/// What one run of the program reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Depth and check of the stretch tree.
    pub stretch: (u32, u32),
    /// The iterated trees, by depth.
    pub lines: Vec<Line>,
    /// Depth and check of the long-lived tree.
    pub long_lived: (u32, u32),
}

impl Outcome {
    /// The correct outcome for `n = max_depth`.
    pub fn expected(max_depth: u32) -> Self {
        let max_depth = max_depth.max(MIN_DEPTH + 2);
        let nodes = |depth: u32| (1u32 << (depth + 1)) - 1;
        Outcome {
            stretch: (max_depth + 1, nodes(max_depth + 1)),
            lines: (MIN_DEPTH..=max_depth)
                .step_by(2)
                .map(|depth| {
                    let iterations = 1u32 << (max_depth - depth + MIN_DEPTH);
                    Line {
                        iterations,
                        depth,
                        check: iterations * nodes(depth),
                    }
                })
                .collect(),
            long_lived: (max_depth, nodes(max_depth)),
        }
    }

    /// The total number of nodes built (and checked).
    pub fn nodes(&self) -> u64 {
        u64::from(self.stretch.1)
            + self.lines.iter().map(|l| u64::from(l.check)).sum::<u64>()
            + u64::from(self.long_lived.1)
    }

    /// The program's output, as the Benchmarks Game prints it.
    pub fn output(&self) -> String {
        let mut out = format!(
            "stretch tree of depth {}\t check: {}\n",
            self.stretch.0, self.stretch.1
        );
        for l in &self.lines {
            out += &format!(
                "{}\t trees of depth {}\t check: {}\n",
                l.iterations, l.depth, l.check
            );
        }
        out + &format!(
            "long lived tree of depth {}\t check: {}\n",
            self.long_lived.0, self.long_lived.1
        )
    }
}

/// The program, whatever the allocator: `state` is what the variant
/// threads through (a pool, a `Bump`), `long_lived` builds the long-lived
/// tree, `check_long` checks it, and `tree(state, depth)` builds one tree,
/// checks it, drops it and returns its check.
#[inline(always)]
pub fn program<S, L>(
    state: &mut S,
    max_depth: u32,
    long_lived: impl FnOnce(&mut S, u32) -> L,
    check_long: impl FnOnce(&L) -> u32,
    mut tree: impl FnMut(&mut S, u32) -> u32,
) -> Outcome {
    let max_depth = max_depth.max(MIN_DEPTH + 2);
    let stretch_depth = max_depth + 1;
    let stretch = (stretch_depth, tree(state, stretch_depth));

    let long = long_lived(state, max_depth);

    let mut lines = Vec::with_capacity(((max_depth - MIN_DEPTH) / 2 + 1) as usize);
    for depth in (MIN_DEPTH..=max_depth).step_by(2) {
        let iterations = 1u32 << (max_depth - depth + MIN_DEPTH);
        let mut check = 0u32;
        for _ in 0..iterations {
            check += tree(state, depth);
        }
        lines.push(Line {
            iterations,
            depth,
            check: black_box(check),
        });
    }

    let long_lived = (max_depth, check_long(&long));
    drop(long);
    Outcome {
        stretch,
        lines,
        long_lived,
    }
}

/// arena-arc, this thread's pool of [`Tree`] (`Tree::node`, `Tree::leaf`).
pub fn per_thread_pool(max_depth: u32) -> Outcome {
    program(
        &mut (),
        max_depth,
        |(), d| per_thread_tree(d),
        |t| checked(&**t),
        |(), d| checked(&*per_thread_tree(d)),
    )
}

/// arena-arc, one explicit `Allocator<Tree, u32, CHUNK>` for the whole run
/// (`Tree::node_in`, `Tree::leaf_in`).
pub fn explicit_pool(max_depth: u32) -> Outcome {
    let mut pool: Allocator<Tree, u32, CHUNK> = Allocator::new();
    program(
        &mut pool,
        max_depth,
        tree_in,
        |t| checked(&**t),
        |pool, d| checked(&*tree_in(pool, d)),
    )
}

/// bumpalo: the long-lived tree in its own `Bump`, every other tree in one
/// `Bump` that is `reset` after each tree (as the Benchmarks Game's Rust
/// arena programs do).
pub fn bumpalo(max_depth: u32) -> Outcome {
    let long_bump = Bump::new();
    let long_bump = &long_bump;
    let mut bump = Bump::new();
    program(
        &mut bump,
        max_depth,
        move |_, d| bump_tree(long_bump, d),
        |t| checked(*t),
        |bump, d| {
            let check = checked(bump_tree(bump, d));
            bump.reset();
            check
        },
    )
}

/// typed-arena: a fresh `Arena` per tree, stretch and long-lived trees
/// included, as the Benchmarks Game's typed-arena programs do.
/// `typed_arena::Arena` has no `reset`, so reusing one arena across trees
/// would keep every tree until the end; one arena per batch of trees of a
/// depth would do the same for the batch (up to 2 Mi nodes held at once).
pub fn typed_arena(max_depth: u32) -> Outcome {
    let long_arena = typed_arena::Arena::new();
    let long_arena = &long_arena;
    program(
        &mut (),
        max_depth,
        move |(), d| typed_arena_tree(long_arena, d),
        |t| checked(*t),
        |(), d| {
            let arena = typed_arena::Arena::new();
            checked(typed_arena_tree(&arena, d))
        },
    )
}

/// `Box` children.
pub fn boxed(max_depth: u32) -> Outcome {
    program(
        &mut (),
        max_depth,
        |(), d| box_tree(d),
        |t| checked(&**t),
        |(), d| checked(&*box_tree(d)),
    )
}

/// `Rc` children.
pub fn rc(max_depth: u32) -> Outcome {
    program(
        &mut (),
        max_depth,
        |(), d| rc_tree(d),
        |t| checked(&**t),
        |(), d| checked(&*rc_tree(d)),
    )
}

/// `std::sync::Arc` children.
pub fn arc(max_depth: u32) -> Outcome {
    program(
        &mut (),
        max_depth,
        |(), d| arc_tree(d),
        |t| checked(&**t),
        |(), d| checked(&*arc_tree(d)),
    )
}

/// multitude 0.12: one `multitude::Arena` for the whole run, every node an
/// `alloc_arc` (`multitude::Arc<MultiTree>` children). Chunks are given back
/// when their last `Arc` goes.
pub fn multitude(max_depth: u32) -> Outcome {
    let mut arena = multitude::Arena::new();
    program(
        &mut arena,
        max_depth,
        |arena, d| multitude_tree(arena, d),
        |t| checked(&**t),
        |arena, d| checked(&*multitude_tree(arena, d)),
    )
}

/// One whole run of the program with `n = max_depth`.
pub type Program = fn(u32) -> Outcome;

/// Every variant, by its benchmark id in the `binary_trees` group.
pub const VARIANTS: &[(&str, Program)] = &[
    ("arena-arc/per-thread pool", per_thread_pool),
    ("arena-arc/explicit pool", explicit_pool),
    ("bumpalo", bumpalo),
    ("typed-arena", typed_arena),
    ("std/Box", boxed),
    ("std/Rc", rc),
    ("std/Arc", arc),
    ("multitude", multitude),
];

// ---------------------------------------------------------------------------
// Bytes per node
// ---------------------------------------------------------------------------

/// What one node costs in one variant.
#[derive(Debug, Clone)]
pub struct NodeBytes {
    /// The variant.
    pub variant: &'static str,
    /// The node type.
    pub node_type: &'static str,
    /// `size_of` the node type.
    pub size: usize,
    /// Bytes the allocator adds per node (a prefix, malloc's header and
    /// rounding), not counting chunk headers or unused chunk space.
    pub overhead: usize,
    /// Address distance of two nodes allocated one after the other, where
    /// the allocator is an arena (`None` for malloc: its layout is not
    /// ours to observe reliably).
    pub measured_stride: Option<usize>,
    /// Where `overhead` comes from.
    pub note: &'static str,
}

/// glibc malloc's chunk for a request of `size` bytes on 64-bit: `size`
/// plus the 8-byte size field, rounded up to 16, at least 32.
pub const fn malloc_chunk(size: usize) -> usize {
    let c = (size + 8).next_multiple_of(16);
    if c < 32 { 32 } else { c }
}

/// The size of `std::rc::Rc`'s and `std::sync::Arc`'s allocation for a
/// value of `value` bytes (two `usize` counts, then the value).
const fn counted(value: usize) -> usize {
    (2 * size_of::<usize>() + value).next_multiple_of(align_of::<usize>())
}

fn stride<T>(a: *const T, b: *const T) -> usize {
    (a as usize).abs_diff(b as usize)
}

/// The bytes a node costs in each variant.
pub fn node_bytes() -> Vec<NodeBytes> {
    let mut pool: Allocator<Tree, u32, CHUNK> = Allocator::new();
    let (a, b) = (Tree::leaf_in(&mut pool), Tree::leaf_in(&mut pool));
    let arena_arc_stride = stride(&*a, &*b);
    let bump = Bump::new();
    let bump_stride = stride(bump.alloc(RefTree::Leaf), bump.alloc(RefTree::Leaf));
    let arena = typed_arena::Arena::new();
    let typed_stride = stride(&*arena.alloc(RefTree::Leaf), &*arena.alloc(RefTree::Leaf));
    let m = multitude::Arena::new();
    let (ma, mb) = (m.alloc_arc(MultiTree::Leaf), m.alloc_arc(MultiTree::Leaf));
    let multitude_stride = stride(&*ma, &*mb);
    // multitude 0.12's `Arc<T>` allocation: a 4-byte strong count, padded
    // to `align_of::<T>()`, in front of the value (`thin_dst::
    // strong_prefix_bytes_for(align, 0)` = `4.next_multiple_of(align)`).
    let multitude_prefix = 4usize.next_multiple_of(align_of::<MultiTree>());

    let tree = size_of::<Tree>();
    let ref_tree = size_of::<RefTree<'_>>();
    let box_tree = size_of::<BoxTree>();
    let rc_tree = size_of::<RcTree>();
    let arc_tree = size_of::<ArcTree>();
    let multi = size_of::<MultiTree>();
    vec![
        NodeBytes {
            variant: "arena-arc (per-thread or explicit pool)",
            node_type: "Tree (ArcSingle<Tree> children)",
            size: tree,
            // The per-value count header of a cycle-aware pool (`meta` and
            // `refs`, two `u32`s) in front of each value.
            overhead: 8,
            measured_stride: Some(arena_arc_stride),
            note: "8-byte count header per value in a chunk of 4096; an ArcSingle is 16 B (pointer + index)",
        },
        NodeBytes {
            variant: "bumpalo",
            node_type: "RefTree<'a> (&'a children)",
            size: ref_tree,
            overhead: 0,
            measured_stride: Some(bump_stride),
            note: "bump allocation, 8-byte aligned",
        },
        NodeBytes {
            variant: "typed-arena",
            node_type: "RefTree<'a> (&'a children)",
            size: ref_tree,
            overhead: 0,
            measured_stride: Some(typed_stride),
            note: "element of a Vec chunk",
        },
        NodeBytes {
            variant: "std/Box",
            node_type: "BoxTree (Box children)",
            size: box_tree,
            overhead: malloc_chunk(box_tree) - box_tree,
            measured_stride: None,
            note: "glibc chunk: size + 8 rounded to 16, min 32",
        },
        NodeBytes {
            variant: "std/Rc",
            node_type: "RcTree (Rc children)",
            size: rc_tree,
            overhead: malloc_chunk(counted(rc_tree)) - rc_tree,
            measured_stride: None,
            note: "strong + weak counts (16), then glibc chunk",
        },
        NodeBytes {
            variant: "std/Arc",
            node_type: "ArcTree (Arc children)",
            size: arc_tree,
            overhead: malloc_chunk(counted(arc_tree)) - arc_tree,
            measured_stride: None,
            note: "strong + weak counts (16), then glibc chunk",
        },
        NodeBytes {
            variant: "multitude",
            node_type: "MultiTree (multitude::Arc children)",
            size: multi,
            overhead: multitude_prefix,
            measured_stride: Some(multitude_stride),
            note: "4-byte strong count padded to align 8, in the chunk",
        },
    ]
}

/// [`node_bytes`] as a markdown table.
pub fn node_bytes_table() -> String {
    let mut out = String::from(
        "| variant | node type | size_of | + per node | = bytes per node | measured stride | where the overhead comes from |\n\
         | --- | --- | ---: | ---: | ---: | ---: | --- |\n",
    );
    for n in node_bytes() {
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            n.variant,
            n.node_type,
            n.size,
            n.overhead,
            n.size + n.overhead,
            n.measured_stride
                .map_or_else(|| "-".to_owned(), |s| s.to_string()),
            n.note
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_outcome_of_n_16() {
        let o = Outcome::expected(MAX_DEPTH);
        assert_eq!(o.stretch, (17, 262_143));
        assert_eq!(o.long_lived, (16, 131_071));
        assert_eq!(o.lines.len(), 7);
        assert_eq!(
            o.lines[0],
            Line {
                iterations: 65_536,
                depth: 4,
                check: 2_031_616
            }
        );
        assert_eq!(
            o.lines[6],
            Line {
                iterations: 16,
                depth: 16,
                check: 2_097_136
            }
        );
        assert_eq!(o.nodes(), 14_985_902);
    }

    #[test]
    fn every_variant_is_right() {
        for depth in [6, 8] {
            let expected = Outcome::expected(depth);
            for (name, run) in VARIANTS {
                assert_eq!(run(depth), expected, "{name}, n = {depth}");
            }
        }
    }

    #[test]
    fn node_bytes_are_consistent() {
        let table = node_bytes();
        for n in &table {
            if let Some(s) = n.measured_stride {
                assert_eq!(s, n.size + n.overhead, "{}", n.variant);
            }
        }
        assert_eq!(malloc_chunk(16), 32);
        assert_eq!(malloc_chunk(32), 48);
        assert_eq!(malloc_chunk(24), 32);
    }
}
