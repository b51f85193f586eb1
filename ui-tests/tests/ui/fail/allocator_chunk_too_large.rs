// A hand-written allocator whose chunk size the index type cannot address.
use arena_arc::Allocator;

fn main() {
    let mut pool = Allocator::<u8, u16, 100_000>::new();
    let _ = pool.alloc_value(1);
}
