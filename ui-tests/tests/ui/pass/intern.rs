// `#[arena(intern)]`: the constructors intern, `Interned` fields take values
// to intern, equal values share one allocation.
#![allow(dead_code)]

use arena_arc::{Allocator, ArcSingle, ArenaAlloc, Interned, IntoInterned};

// An interned enum with a non-default index type and chunk size; its
// `Interned` fields name that index type.
#[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
#[arena(intern, index = u64, chunk = 64)]
enum Ty {
    Int,
    Ptr(Interned<Ty, u64>),
    Fn(Interned<Ty, u64>, Interned<Ty, u64>),
    Tuple(Vec<Interned<Ty, u64>>),
}

// An interned struct whose fields are another type's `Interned` handles:
// plain, optional (taken as it is) and in an array (taken as it is). The
// keys `intern = true` and `per_thread` (on by default) are accepted too.
#[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
#[arena(intern, per_thread)]
struct Sym(String);

#[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
#[arena(intern = true, prefix = "mk_")]
struct Path {
    head: Interned<Sym>,
    parent: Option<Interned<Path>>,
    pair: [Interned<Sym>; 2],
}

// `intern = false` and a generic type: no table, as without the key.
#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
#[arena(intern = false)]
struct NotInterned(u8);

#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
#[arena(intern = false)]
struct Generic<T>(T);

// Through a framework that re-exports arena-arc under another name.
mod framework {
    use arena_arc_ui_framework::arena::{ArenaAlloc, Interned};

    #[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
    #[arena(crate = "arena_arc_ui_framework::arena", intern, index = u64)]
    pub enum Kind {
        Leaf(u32),
        Node(Interned<Kind, u64>, Interned<Kind, u64>),
    }
}

fn takes(x: impl IntoInterned<Ty, u64>) -> Interned<Ty, u64> {
    x.into_interned()
}

fn main() {
    // Constructors take values or handles and return `Interned`.
    let int: Interned<Ty, u64> = Ty::int();
    let a = Ty::r#fn(Ty::Int, Ty::ptr(Ty::Int));
    let b = Ty::r#fn(int.clone(), Ty::Ptr(Ty::intern(Ty::Int)));
    assert!(Interned::ptr_eq(&a, &b));
    assert_eq!(a, b);
    assert_eq!(format!("{a:?}"), "Fn(Int, Ptr(Int))");
    let t = Ty::tuple(vec![int.clone(), Ty::ptr(int.clone())]);
    assert!(Interned::ptr_eq(
        &t,
        &Ty::intern(Ty::Tuple(vec![Ty::int(), Ty::ptr(Ty::Int)]))
    ));
    assert!(Interned::ptr_eq(&takes(Ty::Int), &takes(int.clone())));
    assert!(Ty::intern_stats().entries >= 4);

    // The `_in` constructors allocate in an explicit pool, without interning.
    let mut pool: Allocator<Ty, u64, 64> = Allocator::new();
    let own: ArcSingle<Ty, u64> = Ty::ptr_in(&mut pool, int.clone());
    assert_eq!(*own, *Ty::ptr(Ty::Int));
    let single: ArcSingle<Ty, u64> = int.into();
    assert_eq!(*single, Ty::Int);

    let std = Sym::sym(String::from("std"));
    let root = Path::mk_path(Sym(String::from("std")), None, [std.clone(), std.clone()]);
    let mem = Path::mk_path(
        Sym::sym("mem".into()),
        Some(root.clone()),
        [std.clone(), std],
    );
    assert!(Interned::ptr_eq(mem.parent.as_ref().unwrap(), &root));
    assert_eq!(root.head.0, "std");

    // A type without a table still allocates per thread.
    let n: ArcSingle<NotInterned> = NotInterned::not_interned(1);
    assert_eq!(n.0, 1);
    let mut generic: Allocator<Generic<u8>> = Allocator::new();
    assert_eq!(Generic::generic_in(&mut generic, 2).0, 2);

    let leaf = framework::Kind::leaf(1);
    let node = framework::Kind::node(framework::Kind::Leaf(1), leaf.clone());
    assert!(matches!(&*node, framework::Kind::Node(l, r) if Interned::ptr_eq(l, r)));
}
