// `intern` needs what `per_thread = false` turns off, and a table is one
// `static` per type, which a generic type cannot have.
use arena_arc::ArenaAlloc;

#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
#[arena(intern, per_thread = false)]
struct Symbol(u32);

#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
#[arena(intern)]
struct W<T>(T);

#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
#[arena(intern, intern)]
struct Twice(u32);

fn main() {}
