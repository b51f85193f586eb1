// A per-thread pool is a `static`: it cannot be generic.
use arena_arc::{ArcSingle, ArenaAlloc};

#[derive(ArenaAlloc)]
#[arena(per_thread)]
struct List<T> {
    head: T,
    tail: Option<ArcSingle<List<T>>>,
}

fn main() {}
