// A generic struct of pools replaces hand-written ones such as
// `struct Allocators<U, V> { v: Allocator<U, usize, 1024>, .. }`.
use std::sync::Arc;

use arena_arc::{ArcSingle, ArenaAlloc, arena};

pub struct Branch<U, V> {
    pub key: U,
    pub value: V,
}

#[arena(index = usize)]
pub struct Allocators<U, V> {
    #[arena(chunk = 1024)]
    pub v: U,
    #[arena(chunk = 256)]
    pub kv: (Arc<str>, U),
    #[arena(chunk = 64)]
    pub branch: Branch<U, V>,
}

// Any element type works, derived or not, with per-field chunk sizes.
#[derive(ArenaAlloc)]
#[arena(index = u32)]
enum Node {
    Leaf(u64),
    Pair(ArcSingle<Node>, ArcSingle<Node>),
}

#[arena(chunk = 128)]
struct Graph {
    nodes: Node,
    names: String,
    #[arena(chunk = 65536)]
    bytes: u8,
}

fn main() {
    let mut pools: Allocators<u32, String> = Allocators::new();
    let v = pools.alloc(7u32);
    let kv = pools.alloc((Arc::from("k"), 1u32));
    let b = pools.alloc(Branch { key: 1u32, value: String::from("x") });
    let vs = pools.alloc_from_iter([1u32, 2, 3]);
    assert_eq!((*v, &*kv.0, b.value.as_str(), vs.len()), (7, "k", "x", 3));
    assert_eq!(pools.v.stats().elements, 4);

    let mut g = Graph::default();
    let a = g.alloc(Node::Leaf(1));
    let p = g.alloc(Node::Pair(a.clone(), a));
    let names = g.alloc_slice_clone(&[String::from("a")]);
    let bytes = g.alloc_slice_copy(b"xyz");
    assert!(matches!(*p, Node::Pair(..)));
    assert_eq!((names.len(), bytes.len()), (1, 3));
    assert_eq!(g.pool::<u8>().stats().elements, 3);
}
