use arena_arc::{ArenaAlloc, arena};

#[derive(ArenaAlloc)]
#[arena(index = u16, chunk = 100000)]
struct Wide(u8);

#[arena(index = u16)]
struct Pools {
    #[arena(chunk = 70_000)]
    bytes: u8,
}

fn main() {}
