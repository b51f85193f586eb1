// The generated code goes through the `crate = ".."` path: one that does
// not resolve is reported on the string.
use arena_arc::{ArenaAlloc, arena};

#[derive(ArenaAlloc)]
#[arena(crate = "my_framework::arena")]
enum Expr {
    Num(f64),
}

#[arena(crate = "::missing_framework")]
struct Pools {
    exprs: Expr,
}

fn main() {}
