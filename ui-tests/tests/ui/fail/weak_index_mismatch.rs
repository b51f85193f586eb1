// A weak handle field whose index type is not the one its element's pool
// uses: checked like strong handles, also inside `OnceLock`.
use std::sync::OnceLock;

use arena_arc::{ArcSingle, ArenaAlloc, WeakSingle};

#[derive(ArenaAlloc)]
struct Node {
    next: Option<ArcSingle<Node>>,
    prev: OnceLock<WeakSingle<Node, u64>>,
}

fn main() {}
