// A handle field whose index type is not the one its element's pool uses.
use arena_arc::{ArcSingle, ArcSlice, ArenaAlloc};

#[derive(ArenaAlloc)]
enum Expr {
    Num(f64),
    Neg(ArcSingle<Expr>),
    Call { name: ArcSlice<u8>, args: ArcSlice<Expr, u16> },
}

fn main() {}
