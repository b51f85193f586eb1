// `ArcSingle::new`, `.into()` and `collect()` allocate in the element type's
// per-thread pool; a type without one is told how to get one.
use arena_arc::{ArcSingle, ArcSlice};

struct Plain(u32);

fn main() {
    let _a: ArcSingle<Plain> = ArcSingle::new(Plain(1));
    let _b: ArcSingle<Plain> = Plain(2).into();
    let _c: ArcSlice<Plain> = [Plain(3)].into_iter().collect();
}
