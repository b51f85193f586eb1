use arena_arc::arena;

#[arena(chunk = 1024)]
struct Pools {
    small: u64,
    big: u64,
    text: u8,
}

fn main() {}
