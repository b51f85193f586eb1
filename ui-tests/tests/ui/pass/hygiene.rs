// User items that shadow std and arena-arc names do not break the
// generated code, inside a module too.
#![allow(dead_code)]

mod shadows {
    pub struct Option;
    pub struct Result;
    pub struct Vec;
    pub struct Box;
    pub struct Allocator;
    pub struct RefCell;
    pub trait Default {}
    pub trait Clone {}
    pub trait FnOnce {}
    pub trait IntoIterator {}
}

mod ast {
    use super::shadows::*;
    use arena_arc::{ArcSingle, ArcSlice, ArenaAlloc, arena};

    #[derive(ArenaAlloc)]
    pub enum Expr {
        Num(f64),
        Add(ArcSingle<Expr>, ArcSingle<Expr>),
        Call { args: ArcSlice<Expr> },
    }

    #[arena(chunk = 64)]
    pub struct Ast {
        pub exprs: Expr,
        pub text: u8,
    }

    pub fn build() -> f64 {
        let e = Expr::add(Expr::Num(1.0), Expr::Num(2.0));
        let mut ast = Ast::new();
        let x = ast.alloc(Expr::Num(3.0));
        let _t = ast.alloc_slice_copy(b"abc");
        match (&*e, &*x) {
            (Expr::Add(a, b), Expr::Num(c)) => match (&**a, &**b) {
                (Expr::Num(a), Expr::Num(b)) => a + b + c,
                _ => 0.0,
            },
            _ => 0.0,
        }
    }
}

fn main() {
    assert_eq!(ast::build(), 6.0);
}
