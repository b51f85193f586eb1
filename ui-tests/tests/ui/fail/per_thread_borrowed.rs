// Nor can it hold borrowed data: handles are `'static`.
use arena_arc::ArenaAlloc;

#[derive(ArenaAlloc)]
#[arena(per_thread = true)]
struct Token<'src> {
    text: &'src str,
}

fn main() {}
