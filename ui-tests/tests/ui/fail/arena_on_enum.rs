use arena_arc::arena;

#[arena]
enum Pools {
    Bytes(u8),
}

fn main() {}
