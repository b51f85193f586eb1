// The generated code names everything by absolute path.
#![no_implicit_prelude]

extern crate arena_arc;
extern crate std;

use arena_arc::{ArcSingle, ArenaAlloc, arena};

#[derive(ArenaAlloc)]
enum Expr {
    Num(f64),
    Neg(ArcSingle<Expr>),
}

#[derive(ArenaAlloc)]
struct Pair<T>(T, std::option::Option<ArcSingle<Pair<T>>>);

#[arena(index = u32)]
struct Ast {
    exprs: Expr,
    #[arena(chunk = 4096)]
    text: u8,
}

fn main() {
    let e = Expr::neg(Expr::Num(1.0));
    let mut ast = Ast::new();
    let _n = ast.alloc(Expr::Num(2.0));
    match &*e {
        Expr::Neg(inner) => std::assert!(std::matches!(**inner, Expr::Num(_))),
        Expr::Num(_) => std::panic!(),
    }
}
