// Interning needs `#[arena(intern)]`: a per-thread pool alone has no table.
use arena_arc::{ArenaAlloc, Interned};

#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
struct Foo(u32);

// An `Interned<Foo>` field is fine, but a constructor cannot intern a `Foo`.
#[derive(ArenaAlloc, PartialEq, Eq, Hash)]
#[arena(intern)]
struct Bar(Interned<Foo>);

fn main() {
    let _ = Foo::intern(Foo(1));
    let _ = Bar::bar(Foo(2));
}
