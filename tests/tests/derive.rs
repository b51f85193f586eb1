//! `#[derive(ArenaAlloc)]` and `#[arena]`: constructors, per-thread pools,
//! explicit pools, and trees that are freed (no reference cycles).

use arena_arc::{ArcSingle, ArcSlice, ArenaAlloc, ArenaType, Allocator, arena};

#[derive(ArenaAlloc, Debug, PartialEq)]
#[arena(index = u32, chunk = 64)]
enum Expr {
    Num(f64),
    Neg(ArcSingle<Expr>),
    Add(ArcSingle<Expr>, ArcSingle<Expr>),
    Call { name: ArcSlice<u8>, args: ArcSlice<Expr> },
}

fn eval(e: &Expr) -> f64 {
    match e {
        Expr::Num(x) => *x,
        Expr::Neg(a) => -eval(a),
        Expr::Add(a, b) => eval(a) + eval(b),
        Expr::Call { args, .. } => args.iter().map(eval).sum(),
    }
}

#[test]
fn constructors_accept_values_and_handles() {
    let one = Expr::num(1.0);
    let e = Expr::add(Expr::Num(2.0), one.clone());
    assert_eq!(eval(&e), 3.0);
    let c = Expr::call(*b"sum", [Expr::Num(1.0), Expr::Num(2.0)]);
    assert_eq!(eval(&c), 3.0);
    let n = Expr::neg(e);
    assert_eq!(eval(&n), -3.0);
}

#[arena(index = u32, chunk = 128)]
struct Ast {
    exprs: Expr,
    #[arena(chunk = 4096)]
    text: u8,
}

#[test]
fn arena_struct_dispatches_on_type() {
    let mut ast = Ast::new();
    let one = ast.alloc(Expr::Num(1.0));
    let name = ast.alloc_slice_copy(b"print");
    let args = ast.alloc_from_iter([Expr::Num(2.0)]);
    let call = ast.alloc(Expr::Call { name, args });
    assert_eq!(eval(&one) + eval(&call), 3.0);
    assert_eq!(ast.exprs.stats().elements, 3);
    let mut pool: Allocator<Expr, u32, 16> = Allocator::new();
    let x = Expr::alloc_in(&mut pool, Expr::Num(4.0));
    assert_eq!(*x, Expr::Num(4.0));
}
