// The control of `fail/new_without_pool.rs`: with `#[derive(ArenaAlloc)]`
// the same lines compile, and so do slices of handles.
use arena_arc::{ArcSingle, ArcSlice, ArcStr, ArenaAlloc, WeakSingle};

#[derive(ArenaAlloc)]
struct Plain(u32);

#[derive(ArenaAlloc, Default)]
struct Node {
    kids: ArcSlice<ArcSingle<Node>>,
    up: ArcSlice<WeakSingle<Node>>,
    names: ArcSlice<ArcStr>,
}

fn main() {
    let a: ArcSingle<Plain> = ArcSingle::new(Plain(1));
    let _b: ArcSingle<Plain> = Plain(2).into();
    let _c: ArcSlice<Plain> = [Plain(3)].into_iter().collect();
    let leaf = ArcSingle::new(Node::default());
    let _n = Node::node(vec![leaf.clone()], [ArcSingle::downgrade(&leaf)], ["x".into()]);
    assert_eq!(a.0, 1);
}
