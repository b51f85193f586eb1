// `index` must be one of the unsigned index types.
use arena_arc::ArenaAlloc;

#[derive(ArenaAlloc)]
#[arena(index = i32)]
struct Signed(u8);

#[derive(ArenaAlloc)]
#[arena(index = f64)]
struct Float(u8);

fn main() {
    // The types still get a (default) pool, so this use is not an error.
    let _ = Signed::signed(1);
}
