//! A stand-in for a framework built on arena-arc: it depends on arena-arc
//! under another name (`arena_core`, see its `Cargo.toml`) and re-exports it
//! as [`arena`], so its users never name `arena_arc` either (the
//! `ui/pass/crate_path.rs` case).
//!
//! Its own types use the macros through the renamed dependency. In this
//! crate there is no `arena_arc` to fall back on, so it only compiles if
//! every path the macros generate goes through `#[arena(crate = "..")]`.

/// arena-arc, under the framework's name.
pub use arena_core as arena;

use arena_core::{ArcSingle, ArcSlice, ArenaAlloc, arena as arena_pools};

/// A node type of the framework: per-thread pool, constructors, handle
/// fields.
#[derive(ArenaAlloc, Debug)]
#[arena(crate = "arena_core", chunk = 64)]
pub enum Node {
    /// A leaf.
    Leaf(u32),
    /// A pair of nodes.
    Pair(ArcSingle<Node>, ArcSingle<Node>),
    /// A list of nodes.
    List(ArcSlice<Node>),
}

/// A generic node type: constructors into explicit pools only.
#[derive(ArenaAlloc, Debug)]
#[arena(crate = "::arena_core")]
pub struct Tagged<T> {
    /// The tag.
    pub tag: u8,
    /// The value.
    pub value: T,
}

/// The framework's struct of pools.
#[arena_pools(crate = "crate::arena", chunk = 128)]
#[derive(Debug)]
pub struct Pools {
    /// Nodes.
    pub nodes: Node,
    /// Text.
    #[arena(chunk = 1024)]
    pub text: u8,
}

/// Sums the leaves under `node`.
pub fn sum(node: &Node) -> u32 {
    match node {
        Node::Leaf(n) => *n,
        Node::Pair(a, b) => sum(a) + sum(b),
        Node::List(items) => items.iter().map(sum).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arena_core::PoolScope;

    #[test]
    fn the_macros_work_through_the_renamed_dependency() {
        let pair = Node::pair(Node::Leaf(1), Node::leaf(2));
        let list = Node::list([Node::Leaf(3), Node::Leaf(4)]);
        assert_eq!(sum(&Node::pair(pair, list)), 10);
        assert_eq!(Node::pool_stats().elements, 7);

        let mut tagged = arena::Allocator::<Tagged<&str>, u32, 8>::new();
        let t = Tagged::tagged_in(&mut tagged, 1, "x");
        assert_eq!((t.tag, t.value), (1, "x"));

        let mut pools = Pools::new();
        let leaf = pools.alloc(Node::Leaf(5));
        let text = pools.text.alloc_str("five");
        let in_scope = pools.scope(|| Node::leaf(6));
        assert_eq!(pools.nodes.stats().elements, 2);
        drop(pools);
        assert_eq!((sum(&leaf) + sum(&in_scope), &*text), (11, "five"));
    }
}
