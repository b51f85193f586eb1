// Generic types get `_in` constructors only; there is no `T::alloc`.
use arena_arc::{Allocator, ArenaAlloc};

#[derive(ArenaAlloc)]
struct Pair<T>(T, T);

fn main() {
    let mut pool: Allocator<Pair<u8>> = Allocator::new();
    let _ok = Pair::pair_in(&mut pool, 1, 2);
    let _err = Pair::alloc(Pair(1u8, 2));
}
