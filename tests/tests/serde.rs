//! The `serde` feature: handles serialize like slices and values, and
//! deserialize into per-thread pools, explicit pools and `#[arena]` structs
//! (through `PoolScope`); malformed input is an error and leaks nothing.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicIsize, Ordering::SeqCst};

use arena_arc::serde::{DeserializeIn, deserialize_in};
use arena_arc::{Allocator, ArcSingle, ArcSlice, ArcStr, ArenaAlloc, PoolScope, arena};
use arena_arc_tests::Liar;
use serde::de::DeserializeSeed;
use serde::{Deserialize, Serialize};

/// An untagged, recursive expression tree.
#[derive(ArenaAlloc, Serialize, Deserialize, Debug, PartialEq)]
#[serde(untagged)]
enum Expr {
    Num(f64),
    Var(ArcStr),
    Neg { neg: ArcSingle<Expr> },
    Call { name: ArcStr, args: ArcSlice<Expr> },
    List(ArcSlice<Expr>),
}

fn eval(e: &Expr) -> f64 {
    match e {
        Expr::Num(x) => *x,
        Expr::Var(_) => 0.0,
        Expr::Neg { neg } => -eval(neg),
        Expr::Call { args, .. } | Expr::List(args) => args.iter().map(eval).sum(),
    }
}

const DOC: &str = r#"{"name":"sum","args":[1.5,{"neg":2.0},"x",[3.0,4.0,{"name":"f","args":[]}]]}"#;

#[test]
fn an_untagged_recursive_tree_loads_into_the_per_thread_pool_and_writes_back() {
    let before = Expr::pool_stats().elements;
    let expr: ArcSingle<Expr> = serde_json::from_str(DOC).unwrap();
    assert_eq!(eval(&expr), 1.5 - 2.0 + 3.0 + 4.0);
    let Expr::Call { name, args } = &*expr else {
        panic!("not a call: {expr:?}")
    };
    assert_eq!(name, "sum");
    assert_eq!(args.len(), 4);
    assert_eq!(args[2], Expr::Var(text("x")));
    // The root, its 4 arguments, 2.0 under `neg` and the 3 list items (the
    // nested call's empty `args` allocates nothing): 9 values, in this
    // thread's pool.
    assert_eq!(Expr::pool_stats().elements - before, 9);
    assert_eq!(serde_json::to_string(&expr).unwrap(), DOC);
}

/// A string handle, for comparisons.
fn text(s: &str) -> ArcStr {
    let mut pool: Allocator<u8> = Allocator::new();
    pool.alloc_str(s)
}

/// Externally tagged (serde's default) enums and structs with byte slices.
#[derive(ArenaAlloc, Serialize, Deserialize, Debug, PartialEq)]
enum Stmt {
    Let { name: ArcSlice<u8>, value: f64 },
    Block(ArcSlice<Stmt>),
    Nop,
}

#[test]
fn tagged_enums_and_byte_slices_round_trip() {
    let text = r#"{"Block":[{"Let":{"name":[120],"value":1.0}},"Nop",{"Block":[]}]}"#;
    let stmt: ArcSingle<Stmt> = serde_json::from_str(text).unwrap();
    let Stmt::Block(items) = &*stmt else {
        panic!("not a block")
    };
    assert_eq!(items.len(), 3);
    assert!(matches!(&items[0], Stmt::Let { name, value } if name == b"x" && *value == 1.0));
    assert_eq!(items[1], Stmt::Nop);
    assert!(matches!(&items[2], Stmt::Block(b) if b.is_empty()));
    assert_eq!(serde_json::to_string(&stmt).unwrap(), text);
}

#[test]
fn handles_serialize_as_sequences_values_and_strings() {
    let slice: ArcSlice<u32> = u32::alloc_from_iter([1, 2, 3]);
    let single: ArcSingle<u64> = u64::alloc(7);
    let empty: ArcSlice<u32> = ArcSlice::default();
    let text = text("h\u{e9}\"llo");
    assert_eq!(serde_json::to_string(&slice).unwrap(), "[1,2,3]");
    assert_eq!(serde_json::to_string(&slice.slice(1..)).unwrap(), "[2,3]");
    assert_eq!(serde_json::to_string(&single).unwrap(), "7");
    assert_eq!(serde_json::to_string(&empty).unwrap(), "[]");
    assert_eq!(serde_json::to_string(&text).unwrap(), "\"h\u{e9}\\\"llo\"");
    let back: ArcStr = serde_json::from_str("\"h\u{e9}\\\"llo\"").unwrap();
    assert_eq!(back, text);
}

#[test]
fn wrong_input_types_are_serde_errors() {
    let err = serde_json::from_str::<ArcSlice<u32>>("\"abc\"").unwrap_err();
    assert!(err.to_string().contains("expected a sequence"), "{err}");
    let err = serde_json::from_str::<ArcStr>("[1]").unwrap_err();
    assert!(err.to_string().contains("expected a string"), "{err}");
    let err = serde_json::from_str::<ArcSingle<u8>>("300").unwrap_err();
    assert!(err.to_string().contains("invalid value"), "{err}");
    let err = serde_json::from_str::<ArcSlice<u16>>("[1, -1]").unwrap_err();
    assert!(err.to_string().contains("invalid value"), "{err}");
}

/// Elements that count how many of them are alive.
macro_rules! counted {
    ($name:ident, $live:ident) => {
        static $live: AtomicIsize = AtomicIsize::new(0);

        #[derive(ArenaAlloc, Deserialize, Debug)]
        #[arena(chunk = 16)]
        enum $name {
            Leaf(#[allow(dead_code)] Live<$name>),
            Node(#[allow(dead_code)] ArcSlice<$name>),
        }

        impl Counter for $name {
            fn live() -> &'static AtomicIsize {
                &$live
            }
        }
    };
}

trait Counter {
    fn live() -> &'static AtomicIsize;
}

/// Deserializes from a number; counts itself alive until dropped.
#[derive(Debug)]
struct Live<C: Counter>(std::marker::PhantomData<C>);

impl<'de, C: Counter> Deserialize<'de> for Live<C> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u32::deserialize(d)?;
        C::live().fetch_add(1, SeqCst);
        Ok(Live(std::marker::PhantomData))
    }
}

impl<C: Counter> Drop for Live<C> {
    fn drop(&mut self) {
        C::live().fetch_sub(1, SeqCst);
    }
}

counted!(PerThreadTree, PER_THREAD_LIVE);
counted!(ExplicitTree, EXPLICIT_LIVE);

const TREE: &str = r#"{"Node":[{"Leaf":1},{"Node":[{"Leaf":2},{"Leaf":3},{"Node":[]}]},{"Node":[{"Node":[{"Leaf":4}]}]},{"Leaf":5}]}"#;

#[test]
fn malformed_input_cut_anywhere_leaks_nothing_from_per_thread_pools() {
    // On its own thread, so that the pool (and anything it still holds) is
    // gone when the thread ends.
    std::thread::spawn(|| {
        for end in 0..TREE.len() {
            let result = serde_json::from_str::<ArcSingle<PerThreadTree>>(&TREE[..end]);
            assert!(result.is_err(), "{}", &TREE[..end]);
        }
        let tree = serde_json::from_str::<ArcSingle<PerThreadTree>>(TREE).unwrap();
        assert!(PER_THREAD_LIVE.load(SeqCst) >= 5);
        drop(tree);
    })
    .join()
    .unwrap();
    assert_eq!(PER_THREAD_LIVE.load(SeqCst), 0);
}

#[test]
fn malformed_input_cut_anywhere_leaks_nothing_from_an_explicit_pool() {
    let mut pool: Allocator<ExplicitTree, u32, 4> = Allocator::new();
    let mut errors = 0;
    for end in 0..TREE.len() {
        let mut json = serde_json::Deserializer::from_str(&TREE[..end]);
        let result: Result<ArcSingle<ExplicitTree>, _> = deserialize_in(&mut pool, &mut json);
        errors += usize::from(result.is_err());
    }
    assert_eq!(errors, TREE.len());
    // The leaves made before each error went into `pool` (not the
    // per-thread pool), and were dropped with the error: the pool counts
    // per value, so nothing waits for the pool to go.
    assert!(pool.stats().elements > 0);
    assert_eq!(EXPLICIT_LIVE.load(SeqCst), 0);
    drop(pool);
    assert_eq!(EXPLICIT_LIVE.load(SeqCst), 0);
}

#[test]
fn a_seed_loads_a_whole_tree_into_an_explicit_pool() {
    let per_thread_before = Expr::pool_stats().elements;
    let mut pool: Allocator<Expr, u32, 8> = Allocator::new();
    let mut json = serde_json::Deserializer::from_str(DOC);
    let expr: ArcSingle<Expr> = DeserializeIn::new(&mut pool)
        .deserialize(&mut json)
        .unwrap();
    assert_eq!(eval(&expr), 6.5);
    assert_eq!(pool.stats().elements, 9);
    assert_eq!(Expr::pool_stats().elements, per_thread_before);
    // The pool is back in place, cycle-aware, and keeps allocating.
    assert!(pool.breaks_cycles());
    let more: Vec<ArcSingle<Expr>> = deserialize_in(
        &mut pool,
        &mut serde_json::Deserializer::from_str("[1.0, 2.0]"),
    )
    .unwrap();
    assert_eq!(more.len(), 2);
    assert_eq!(pool.stats().elements, 11);
    drop(pool);
    assert_eq!(serde_json::to_string(&expr).unwrap(), DOC);
}

#[arena(chunk = 256)]
struct Ast {
    exprs: Expr,
    text: u8,
    numbers: u64,
}

#[test]
fn a_seed_loads_into_an_arena_struct_pool_by_pool() {
    let exprs_before = Expr::pool_stats().elements;
    let text_before = u8::pool_stats().bytes_used;
    let mut ast = Ast::new();
    let (expr, counts): (ArcSingle<Expr>, ArcSlice<u64>) = deserialize_in(
        &mut ast,
        &mut serde_json::Deserializer::from_str(&format!("[{DOC}, [1, 2, 3]]")),
    )
    .unwrap();
    assert_eq!(eval(&expr), 6.5);
    assert_eq!(counts, [1, 2, 3]);
    assert_eq!(ast.exprs.stats().elements, 9);
    assert_eq!(
        ast.text.stats().bytes_used,
        "sum".len() + "x".len() + "f".len()
    );
    assert_eq!(ast.numbers.stats().elements, 3);
    assert_eq!(Expr::pool_stats().elements, exprs_before);
    assert_eq!(u8::pool_stats().bytes_used, text_before);
}

#[test]
fn scopes_nest_restore_their_pools_and_cover_constructors() {
    #[derive(ArenaAlloc, Debug)]
    enum Term {
        Lit(u32),
        Pair(ArcSingle<Term>, ArcSingle<Term>),
    }
    let mut outer: Allocator<Term, u32, 16> = Allocator::new();
    let mut inner: Allocator<Term, u32, 16> = Allocator::new();
    let before = Term::pool_stats().elements;
    let (a, b) = outer.scope(|| {
        let a = Term::pair(Term::Lit(1), Term::Lit(2)); // 3 in `outer`
        let b = inner.scope(|| Term::lit(3)); // 1 in `inner`
        let c = Term::alloc(Term::Lit(4)); // `outer` again
        drop(c);
        (a, b)
    });
    assert!(
        matches!(&*a, Term::Pair(x, y) if matches!(**x, Term::Lit(1)) && matches!(**y, Term::Lit(2)))
    );
    assert!(matches!(*b, Term::Lit(3)));
    assert_eq!(outer.stats().elements, 4);
    assert_eq!(inner.stats().elements, 1);
    assert_eq!(Term::pool_stats().elements, before);

    // A panic inside a scope puts the pool back, with what it allocated.
    let result = catch_unwind(AssertUnwindSafe(|| {
        outer.scope(|| {
            let _kept = Term::lit(5);
            panic!("inside a scope");
        })
    }));
    assert!(result.is_err());
    assert_eq!(outer.stats().elements, 5);
    let after = Term::lit(6);
    assert_eq!(Term::pool_stats().elements, before + 1);
    drop(after);
}

#[test]
fn a_scope_on_one_thread_does_not_affect_another() {
    let mut pool: Allocator<u16, u32, 64> = Allocator::new();
    pool.scope(|| {
        let here = u16::alloc(1);
        let there = std::thread::spawn(|| {
            let before = u16::pool_stats().elements;
            let h = u16::alloc(2);
            (u16::pool_stats().elements - before, *h)
        })
        .join()
        .unwrap();
        assert_eq!(there, (1, 2));
        assert_eq!(*here, 1);
    });
    assert_eq!(pool.stats().elements, 1);
}

#[test]
fn sequences_of_every_short_length_load_in_order_in_and_out_of_scopes() {
    let mut pool: Allocator<u32, u32, 64> = Allocator::new();
    for len in 0..8u32 {
        let text = serde_json::to_string(&(0..len).collect::<Vec<_>>()).unwrap();
        let here: ArcSlice<u32> = serde_json::from_str(&text).unwrap();
        assert_eq!(here, (0..len).collect::<Vec<_>>());
        let before = pool.stats().elements;
        let scoped: ArcSlice<u32> =
            deserialize_in(&mut pool, &mut serde_json::Deserializer::from_str(&text)).unwrap();
        assert_eq!(scoped, here);
        assert_eq!(pool.stats().elements - before, len as usize);
    }
    // Cut after each element of a short sequence: an error, nothing kept.
    std::thread::spawn(|| {
        let text = r#"[{"Leaf":1},{"Leaf":2},{"Leaf":3},{"Leaf":4},{"Leaf":5}]"#;
        for end in 0..text.len() {
            assert!(serde_json::from_str::<ArcSlice<ShortTree>>(&text[..end]).is_err());
        }
    })
    .join()
    .unwrap();
    assert_eq!(SHORT_LIVE.load(SeqCst), 0);
}

counted!(ShortTree, SHORT_LIVE);

/// Deserializes from a number, as the `Live` it wraps.
#[derive(ArenaAlloc, Deserialize, Debug)]
#[serde(transparent)]
#[arena(chunk = 16)]
struct Hinted(#[allow(dead_code)] Live<Hinted>);

static HINTED_LIVE: AtomicIsize = AtomicIsize::new(0);

impl Counter for Hinted {
    fn live() -> &'static AtomicIsize {
        &HINTED_LIVE
    }
}

#[test]
fn sequences_of_a_known_length_go_straight_into_one_slice() {
    use serde::de::value::{Error, SeqDeserializer};
    std::thread::spawn(|| {
        let seq = |claim, real| SeqDeserializer::<_, Error>::new(Liar::new(real, claim));
        let exact = ArcSlice::<u32>::deserialize(seq(5, 0..5)).unwrap();
        assert_eq!(exact, [0, 1, 2, 3, 4]);
        let stats = u32::pool_stats();
        assert_eq!((stats.allocations, stats.elements), (1, 5));
        // A length that was wrong either way still loads every element.
        assert_eq!(
            ArcSlice::<u32>::deserialize(seq(6, 0..3)).unwrap(),
            [0, 1, 2]
        );
        assert_eq!(
            ArcSlice::<u32>::deserialize(seq(2, 0..4)).unwrap(),
            [0, 1, 2, 3]
        );
        // An element that fails: those before it are dropped, none is kept.
        let bad = SeqDeserializer::<_, Error>::new([1i64, 2, -1, 4].into_iter());
        assert!(ArcSlice::<Hinted>::deserialize(bad).is_err());
        assert_eq!(HINTED_LIVE.load(SeqCst), 0);
        let good = SeqDeserializer::<_, Error>::new([1i64, 2, 3].into_iter());
        let good = ArcSlice::<Hinted>::deserialize(good).unwrap();
        assert_eq!((good.len(), HINTED_LIVE.load(SeqCst)), (3, 3));
        drop(good);
        assert_eq!(HINTED_LIVE.load(SeqCst), 0);
    })
    .join()
    .unwrap();
}
