// `crate = ".."` must hold a path; the error is on the string, every other
// key is still checked, and the types still get their pools and
// constructors (with `::arena_arc`), so nothing cascades.
use arena_arc::{ArenaAlloc, arena};

#[derive(ArenaAlloc)]
#[arena(crate = "not a path!")]
struct Spaced(u8);

#[derive(ArenaAlloc)]
#[arena(crate = "a::")]
enum Trailing {
    One(u8),
}

#[derive(ArenaAlloc)]
#[arena(crate = "my_framework::arena<u8>")]
struct Generic(u8);

#[derive(ArenaAlloc)]
#[arena(crate = ::arena_arc, chunk = 0)]
struct Unquoted(u8);

#[derive(ArenaAlloc)]
#[arena(crate = "::arena_arc", crate = "::arena_arc")]
struct Twice(u8);

#[arena(crate = "1abc")]
struct Pools {
    bytes: u8,
}

fn main() {
    let _ = (Spaced::spaced(1), Trailing::one(2), Generic::generic(3));
    let _ = (Unquoted::unquoted(4), Twice::twice(5));
    let _ = Pools::new().alloc(6u8);
}
