// A handle parameter takes a handle or an element value, nothing else.
use arena_arc::{ArcSingle, ArenaAlloc};

#[derive(ArenaAlloc)]
enum Expr {
    Num(f64),
    Neg(ArcSingle<Expr>),
}

fn main() {
    let _ = Expr::neg(String::from("1.0"));
}
