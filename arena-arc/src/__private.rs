//! Support for the code `arena-arc-derive` generates. Not public API: no
//! semver guarantees; reached only as `::arena_arc::__private`.

pub use core::marker::PhantomData;
pub use core::option::Option;

#[cfg(feature = "std")]
pub use std::thread_local;

#[cfg(feature = "std")]
pub use crate::chunk::{PerThreadPool, PoolKey};
#[cfg(feature = "std")]
pub use crate::intern::InternTable;
#[cfg(feature = "std")]
pub use crate::pools::alloc_with_cold;
pub use crate::pools::build_in;

use crate::pools::ArenaType;

/// Autoref-specialisation probe: `(&Probe::<T, L>::new()).method()` picks
/// the impl for `T: ArenaType` (resp. `ArenaAlloc`) when it applies, and the
/// fallback on `&Probe` otherwise. Used with concrete types only.
#[allow(missing_debug_implementations)]
pub struct Probe<T: ?Sized, L>(PhantomData<fn() -> (L, *const T)>);

impl<T: ?Sized, L> Probe<T, L> {
    /// The probe.
    pub const fn new() -> Self {
        Probe(PhantomData)
    }
}

impl<T: ?Sized, L> Default for Probe<T, L> {
    fn default() -> Self {
        Self::new()
    }
}

/// The index types to compare: `A`, the element's pool, and `B`, the
/// handle's or arena's.
#[allow(missing_debug_implementations)]
pub struct IndexCheck<A, B>(PhantomData<fn() -> (A, B)>);

impl<A, B> IndexCheck<A, B> {
    /// Compiles only when `A == B`.
    pub fn same(self)
    where
        A: SameIndex<B>,
    {
    }
}

/// `A == B`, with a message naming both when it fails.
#[diagnostic::on_unimplemented(
    message = "index type mismatch: this element type's pool uses `{Self}`, not `{B}`",
    label = "write `{Self}` here, or change the element type's `#[arena(index = ..)]`",
    note = "handles into a pool carry the pool's index type"
)]
pub trait SameIndex<B> {}
impl<A> SameIndex<A> for A {}

/// Implemented by `#[derive(ArenaAlloc)]`: the index type the type's
/// definition declares (the runtime's primitive pools declare none, so
/// `ArcSlice<u8, u16>` and `#[arena(index = u16)]` structs of `u8` are fine).
pub trait DeclaredIndex: ArenaType {}

/// The element type declares an index type: compare.
pub trait CheckArenaIndex<T, L> {
    /// The comparison to make.
    fn check_index(&self) -> IndexCheck<T, L>;
}

impl<T: DeclaredIndex, L> CheckArenaIndex<T::Index, L> for Probe<T, L> {
    fn check_index(&self) -> IndexCheck<T::Index, L> {
        IndexCheck(PhantomData)
    }
}

/// The element type has no pool configuration: nothing to compare.
pub trait CheckNoArenaIndex {
    /// Nothing to compare.
    fn check_index(&self) -> IndexCheck<(), ()>;
}

impl<T: ?Sized, L> CheckNoArenaIndex for &Probe<T, L> {
    fn check_index(&self) -> IndexCheck<(), ()> {
        IndexCheck(PhantomData)
    }
}

/// Checks at compile time that `N` is a valid chunk size for `L` (used by
/// `#[arena]` and the derive when they cannot check it themselves).
pub const fn chunk_fits<L: crate::IndexType>(n: usize) -> bool {
    crate::chunk::chunk_size_fits_index::<L>(n)
}

/// `#[arena]` structs: a field whose element type has a per-thread pool with
/// the struct's index type stands in for it inside
/// [`PoolScope::scope`](crate::PoolScope::scope).
pub trait ScopeArenaAlloc<T: 'static, L: crate::IndexType> {
    /// Runs `f` with `pool` moved into this thread's scope stack (as the
    /// pool of `T`), and moves it back afterwards, also when `f` panics.
    #[cfg(feature = "std")]
    fn scope_in<const N: usize, R>(
        &self,
        pool: &mut crate::Allocator<T, L, N>,
        f: impl FnOnce() -> R,
    ) -> R;
}

#[cfg(feature = "std")]
impl<T: crate::ArenaAlloc<Index = L>, L: crate::IndexType + 'static> ScopeArenaAlloc<T, L>
    for Probe<T, L>
{
    fn scope_in<const N: usize, R>(
        &self,
        pool: &mut crate::Allocator<T, L, N>,
        f: impl FnOnce() -> R,
    ) -> R {
        crate::scope::run_scoped(pool, f)
    }
}

/// Any other field: left alone.
pub trait ScopeNone {
    /// Just runs `f`.
    fn scope_in<P, R>(&self, _: &mut P, f: impl FnOnce() -> R) -> R {
        f()
    }
}

impl<T: ?Sized, L> ScopeNone for &Probe<T, L> {}
