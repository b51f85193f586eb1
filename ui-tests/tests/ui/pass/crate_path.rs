// A framework that depends on arena-arc under another name and re-exports
// it: its users reach arena-arc only through it, and tell the macros so with
// `#[arena(crate = "..")]`. The framework is `arena-arc-ui-framework`
// (`ui-tests/framework`: `arena_core = { package = "arena-arc", .. }`,
// `pub use arena_core as arena;`), renamed again on import; this file never
// names `arena_arc`.
#![allow(dead_code)]

use arena_arc_ui_framework as my_framework;

mod ast {
    // A path relative to the crate root, from inside a module.
    use crate::my_framework::arena::{ArcSingle, ArcSlice, ArenaAlloc, PoolScope, arena};

    // An enum: per-thread pool, constructors converting values to handles,
    // and the index checks of its handle fields.
    #[derive(ArenaAlloc)]
    #[arena(crate = "crate::my_framework::arena", chunk = 64)]
    pub enum Expr {
        Num(f64),
        Add(ArcSingle<Expr>, ArcSingle<Expr>),
        Call {
            name: ArcSlice<u8>,
            args: ArcSlice<Expr>,
        },
    }

    // A struct, with the key in a second attribute.
    #[derive(ArenaAlloc)]
    #[arena(index = u64)]
    #[arena(crate = "crate::my_framework::arena")]
    pub struct Point {
        pub x: i32,
        pub y: i32,
    }

    // A generic type: no per-thread pool, `_in` constructors only.
    #[derive(ArenaAlloc)]
    #[arena(crate = "crate::my_framework::arena")]
    pub struct Pair<T> {
        pub a: T,
        pub b: T,
    }

    // A struct of pools, with a field-level chunk.
    #[arena(crate = "crate::my_framework::arena", chunk = 128)]
    pub struct Ast {
        pub exprs: Expr,
        #[arena(chunk = 1024)]
        pub text: u8,
    }

    // A generic struct of pools, with an absolute path.
    #[arena(index = usize, crate = "::arena_arc_ui_framework::arena")]
    pub struct Pools<U> {
        pub items: U,
    }

    pub fn run() {
        let sum = Expr::add(Expr::Num(1.0), Expr::num(2.0));
        let nums = Expr::alloc_slice(2, |i| Expr::Num(i as f64));
        assert_eq!(nums.len(), 2);
        match &*sum {
            Expr::Add(a, b) => assert!(matches!((&**a, &**b), (Expr::Num(1.0), Expr::Num(2.0)))),
            _ => unreachable!(),
        }
        assert!(Expr::pool_stats().elements >= 3);

        let p = Point::point(1, 2);
        assert_eq!((p.x, p.y), (1, 2));

        let mut pairs = crate::my_framework::arena::Allocator::<Pair<u8>, u32, 16>::new();
        let pair = Pair::pair_in(&mut pairs, 3, 4);
        assert_eq!((pair.a, pair.b), (3, 4));

        let mut ast = Ast::new();
        let text = ast.alloc_slice_copy(b"print");
        let one = ast.alloc(Expr::Num(1.0));
        let args = ast.alloc_from_iter([Expr::Num(2.0)]);
        let call = ast.alloc(Expr::Call { name: text, args });
        assert_eq!(ast.exprs.stats().elements, 3);
        // In a scope, the per-thread constructors allocate in `ast`.
        let three = ast.scope(|| Expr::num(3.0));
        assert_eq!(ast.exprs.stats().elements, 4);
        drop(ast);
        assert!(matches!(&*call, Expr::Call { args, .. } if args.len() == 1));
        assert!(matches!((&*one, &*three), (Expr::Num(1.0), Expr::Num(3.0))));

        let mut pools: Pools<String> = Pools::default();
        let s = pools.alloc(String::from("x"));
        assert_eq!(s.as_str(), "x");
    }
}

fn main() {
    ast::run();
}
