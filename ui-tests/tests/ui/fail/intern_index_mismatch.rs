// An `Interned` field carries its element type's index type, like any handle.
use arena_arc::{ArenaAlloc, Interned};

#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
#[arena(intern, index = u64)]
struct Wide(u64);

#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
#[arena(intern)]
enum Ty {
    Int,
    Ptr(Interned<Ty, u16>),
    Wide(Interned<Wide>),
}

fn main() {}
