// Every mistake in the attributes is reported, not only the first.
use arena_arc::ArenaAlloc;

#[derive(ArenaAlloc)]
#[arena(index = u32, size = 64, index = u64)]
#[arena(chunk = 64, chunk = 128)]
enum Expr {
    #[arena(rename = "number", alias = "n")]
    Num(f64),
}

fn main() {
    // The type still gets its pool and constructors: no cascade of errors.
    let _ = Expr::number(1.0);
}
