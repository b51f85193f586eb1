// Every supported shape of `#[derive(ArenaAlloc)]` compiles and works.
use arena_arc::{Allocator, ArcSingle, ArcSlice, ArenaAlloc, ArenaType};

#[derive(ArenaAlloc, Debug, PartialEq)]
#[arena(index = u32, chunk = 1024)]
enum Expr {
    Nil,
    Num(f64),
    Neg(ArcSingle<Expr>),
    Add(ArcSingle<Expr>, ArcSingle<Expr>),
    Call { name: ArcSlice<u8>, args: ArcSlice<Expr> },
    Let { var: ArcSlice<u8>, value: ArcSingle<Expr>, body: Option<ArcSingle<Expr>> },
    HTTPGet(u16),
}

#[derive(ArenaAlloc, Debug)]
struct Point {
    x: f64,
    y: f64,
}

#[derive(ArenaAlloc)]
struct Unit;

#[derive(ArenaAlloc)]
struct Wrapper(ArcSlice<Point>, u8);

// Renamed, prefixed, skipped and switched-off constructors.
#[derive(ArenaAlloc)]
#[arena(prefix = "mk_")]
enum Tok {
    Ident(u32),
    #[arena(rename = "plus_sign")]
    Plus,
    #[arena(skip)]
    Eof,
}

impl Tok {
    // A user method that a generated constructor must not clash with.
    fn ident(&self) -> Option<u32> {
        match self {
            Tok::Ident(i) => Some(*i),
            _ => None,
        }
    }
}

#[derive(ArenaAlloc)]
#[arena(constructors = false)]
struct Quiet(u8);

#[derive(ArenaAlloc)]
#[arena(rename = "at")]
struct Pos(u32, u32);

// Generic and borrowed types: explicit pools only.
#[derive(ArenaAlloc)]
#[arena(index = u64, chunk = 16)]
struct List<T> {
    head: T,
    tail: Option<ArcSingle<List<T>, u64>>,
}

#[derive(ArenaAlloc)]
struct Token<'src> {
    text: &'src str,
}

// A small index type.
#[derive(ArenaAlloc)]
#[arena(index = u16, chunk = 65535)]
struct Small(ArcSlice<u8, u16>);

fn main() {
    let tree = Expr::add(Expr::num(1.0), Expr::Neg(Expr::num(2.0)));
    assert!(matches!(*tree, Expr::Add(..)));
    let call = Expr::call(*b"f", vec![Expr::Nil, Expr::Num(3.0)]);
    assert!(matches!(&*call, Expr::Call { args, .. } if args.len() == 2));
    let let_ = Expr::r#let(*b"x", Expr::Nil, Some(call));
    assert!(matches!(*let_, Expr::Let { .. }));
    assert_eq!(*Expr::nil(), Expr::Nil);
    assert_eq!(*Expr::http_get(80), Expr::HTTPGet(80));

    let p = Point::point(1.0, 2.0);
    assert_eq!(p.x + p.y, 3.0);
    let _u = Unit::unit();
    let w = Wrapper::wrapper([Point { x: 0.0, y: 0.0 }], 7);
    assert_eq!(w.0.len(), 1);

    let t = Tok::mk_ident(3);
    assert_eq!(t.ident(), Some(3));
    let _plus = Tok::plus_sign();
    let _eof = Tok::alloc(Tok::Eof);
    let _q = Quiet::alloc(Quiet(1));
    let _at = Pos::at(1, 2);

    let mut lists: Allocator<List<&'static str>, u64, 16> = Allocator::new();
    let one = List::list_in(&mut lists, "a", None);
    let two = List::list_in(&mut lists, "b", Some(one));
    assert_eq!(two.tail.as_ref().map(|l| l.head), Some("a"));

    let source = String::from("let x");
    let mut tokens: Allocator<Token<'_>> = Allocator::new();
    let tok = Token::token_in(&mut tokens, &source[..3]);
    assert_eq!(tok.text, "let");

    let bytes: ArcSlice<u8, u16> = Allocator::<u8, u16, 64>::new().alloc_slice_copy(b"hi");
    let s = Small::small(bytes);
    assert_eq!(&*s.0, b"hi");

    let mut pool: Allocator<Expr, u32, 8> = Allocator::new();
    let n = Expr::num_in(&mut pool, 1.0);
    let m = Expr::neg_in(&mut pool, n);
    let all = Expr::alloc_from_iter_in(&mut pool, [Expr::Nil, Expr::Nil]);
    assert_eq!(all.len(), 2);
    assert!(matches!(*m, Expr::Neg(_)));
    assert_eq!(<Expr as ArenaType>::CHUNK, 1024);
    assert_eq!(Expr::pool_stats().chunks, 1);
}
