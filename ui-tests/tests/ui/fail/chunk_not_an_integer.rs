use arena_arc::ArenaAlloc;

#[derive(ArenaAlloc)]
#[arena(chunk = "big")]
struct Text(u8);

#[derive(ArenaAlloc)]
#[arena(chunk = 1.5)]
struct Half(u8);

#[derive(ArenaAlloc)]
#[arena(chunk = 64u8)]
struct Suffixed(u8);

fn main() {}
