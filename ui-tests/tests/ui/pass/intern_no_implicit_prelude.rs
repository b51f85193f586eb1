// The code generated for `#[arena(intern)]` names everything by absolute path.
#![no_implicit_prelude]

extern crate arena_arc;
extern crate std;

use arena_arc::{ArenaAlloc, Interned};
use std::cmp::{Eq, PartialEq};
use std::hash::Hash;

#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
#[arena(intern)]
enum Ty {
    Int,
    Ptr(Interned<Ty>),
}

fn main() {
    let a = Ty::ptr(Ty::Int);
    let b = Ty::ptr(Ty::int());
    std::assert!(Interned::ptr_eq(&a, &b));
}
