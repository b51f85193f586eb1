// With interning, `intern` and `intern_stats` are methods of `ArenaAlloc`
// too: a variant's constructor must not take their names.
use arena_arc::ArenaAlloc;

#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
#[arena(intern)]
enum Op {
    Intern(u8),
    InternStats,
    #[arena(rename = "slice_builder")]
    Build,
}

fn main() {}
