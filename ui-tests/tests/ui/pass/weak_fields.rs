// Weak handles in derived types (bare, in `Option`, `OnceLock`, `OnceCell`)
// are plain constructor parameters, not handles to allocate: back-edges set
// after allocation.
use std::cell::OnceCell;
use std::sync::OnceLock;

use arena_arc::{ArcSingle, ArcSlice, ArenaAlloc, WeakSingle, WeakSlice};

#[derive(ArenaAlloc)]
struct Node {
    value: u32,
    children: ArcSlice<Node>,
    parent: OnceLock<WeakSingle<Node>>,
    first: Option<WeakSingle<Node>>,
    siblings: WeakSlice<Node>,
}

#[derive(ArenaAlloc)]
struct Local {
    back: OnceCell<WeakSingle<Local>>,
}

fn main() {
    let leaf = Node {
        value: 1,
        children: ArcSlice::empty(),
        parent: OnceLock::new(),
        first: None,
        siblings: WeakSlice::new(),
    };
    let root = Node::node(0, [leaf], OnceLock::new(), None, WeakSlice::new());
    root.children[0]
        .parent
        .set(ArcSingle::downgrade(&root))
        .unwrap_or_else(|_| unreachable!());
    let up = root.children[0].parent.get().and_then(WeakSingle::upgrade);
    assert_eq!(up.map(|p| p.value), Some(0));
    assert!(root.first.is_none() && root.siblings.upgrade().is_none());

    let local = Local::local(OnceCell::new());
    let _ = local.back.set(ArcSingle::downgrade(&local));
    assert!(local.back.get().and_then(WeakSingle::upgrade).is_some());
}
