use arena_arc::ArenaAlloc;

#[derive(ArenaAlloc)]
#[arena(chunk = 0)]
struct Empty(u8);

fn main() {}
