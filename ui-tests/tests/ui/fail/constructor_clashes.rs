use arena_arc::ArenaAlloc;

#[derive(ArenaAlloc)]
enum Op {
    Alloc(u8),
    AllocCyclic(u8),
    AddOne(u8),
    #[arena(rename = "add_one")]
    Plus(u8),
}

#[derive(ArenaAlloc)]
#[arena(rename = "make")]
enum Renamed {
    A,
}

fn main() {}
