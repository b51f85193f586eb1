// An element type whose pool uses another index type than the arena.
use arena_arc::{ArcSingle, ArenaAlloc, arena};

#[derive(ArenaAlloc)]
#[arena(index = u32)]
enum Expr {
    Num(f64),
    Neg(ArcSingle<Expr>),
}

#[arena(index = u16, chunk = 1024)]
struct Ast {
    exprs: Expr,
    text: u8,
}

fn main() {}
