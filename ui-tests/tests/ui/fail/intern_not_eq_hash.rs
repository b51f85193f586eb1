// An interning table compares and hashes values: the type must be `Eq + Hash`.
use arena_arc::{ArenaAlloc, Interned};

// `PartialEq` only: neither `Eq` nor `Hash`.
#[derive(ArenaAlloc, PartialEq)]
#[arena(intern)]
enum Num {
    Float(f64),
    Neg(Interned<Num>),
}

// `Eq` but no `Hash`.
#[derive(ArenaAlloc, PartialEq, Eq)]
#[arena(intern)]
struct Name(String);

fn main() {
    // The types still get their constructors: no cascade of errors.
    let _ = Num::neg(Num::Float(1.0));
    let _ = Name::name(String::from("x"));
}
