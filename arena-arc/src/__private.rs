//! Support for the code `arena-arc-derive` generates. Not public API: no
//! semver guarantees; reached only as `::arena_arc::__private`.

pub use core::marker::PhantomData;
pub use core::option::Option;

#[cfg(feature = "std")]
pub use std::cell::RefCell;
#[cfg(feature = "std")]
pub use std::thread::LocalKey;
#[cfg(feature = "std")]
pub use std::thread_local;

#[cfg(feature = "std")]
pub use crate::scope::ScopeGuard;

use crate::chunk::OwnedHandles;
use crate::pools::{ArenaType, Pool};

/// Runs `f` on the pool in `key`, or on a temporary pool when that one is
/// busy (re-entrant use on this thread) or destroyed (thread teardown).
#[cfg(feature = "std")]
pub fn with_pool<T: OwnedHandles, P: Pool<T>, R>(
    key: &'static LocalKey<RefCell<P>>,
    f: impl FnOnce(&mut P) -> R,
) -> R {
    let mut f = Some(f);
    let done = key.try_with(|cell| match cell.try_borrow_mut() {
        Ok(mut pool) => {
            pool.break_cycles();
            f.take().map(|f| f(&mut pool))
        }
        Err(_) => None,
    });
    match (done, f) {
        (Ok(Some(result)), _) => result,
        (_, Some(f)) => {
            let mut pool = P::new_pool();
            pool.break_cycles();
            f(&mut pool)
        }
        (_, None) => unreachable!("`f` runs at most once"),
    }
}

/// Whether a [`PoolScope`](crate::PoolScope) is open on this thread: the
/// per-thread constructors then go through `ArenaAlloc::__alloc_with`.
#[cfg(feature = "std")]
#[inline(always)]
pub fn scope_open() -> bool {
    crate::scope::any_open()
}

/// Allocates `build()` in `pool`, cycle-aware, building the value straight
/// into its slot: the `_in` constructors call this with a closure that
/// assembles the variant from their arguments, and
/// [`ArenaType::alloc_in`] with a plain value.
#[inline]
#[track_caller]
pub fn build_in<T: OwnedHandles, P: Pool<T>>(
    pool: &mut P,
    build: impl FnOnce() -> T,
) -> crate::ArcSingle<T, P::Index> {
    pool.break_cycles();
    pool.alloc_single(build)
}

/// Autoref-specialisation probe: `(&Probe::<T, L>::new()).method()` picks
/// the `ArenaType`-aware impl when `T: ArenaType` (resp. `OwnedHandles`), and
/// the fallback on `&Probe` otherwise. Used with concrete types only.
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

/// The element type lists its handles: make its pool cycle-aware.
pub trait PrepareOwnedHandles<T> {
    /// Turns on [`Pool::break_cycles`].
    fn prepare<P: Pool<T>>(&self, pool: &mut P);
}

impl<T: OwnedHandles, L> PrepareOwnedHandles<T> for Probe<T, L> {
    #[inline(always)]
    fn prepare<P: Pool<T>>(&self, pool: &mut P) {
        pool.break_cycles();
    }
}

/// Any other element type: its pool allocates plainly.
pub trait PreparePlain {
    /// Does nothing.
    fn prepare<T, P: Pool<T>>(&self, pool: &mut P);
}

impl<T, L> PreparePlain for &Probe<T, L> {
    #[inline(always)]
    fn prepare<U, P: Pool<U>>(&self, _: &mut P) {}
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
    /// Moves `pool` into this thread's scope stack until the guard drops.
    #[cfg(feature = "std")]
    fn enter<'a, const N: usize>(
        &self,
        pool: &'a mut crate::Allocator<T, L, N>,
    ) -> ScopeGuard<'a, T, L, N>;
}

#[cfg(feature = "std")]
impl<T: crate::ArenaAlloc<Index = L>, L: crate::IndexType + 'static> ScopeArenaAlloc<T, L>
    for Probe<T, L>
{
    fn enter<'a, const N: usize>(
        &self,
        pool: &'a mut crate::Allocator<T, L, N>,
    ) -> ScopeGuard<'a, T, L, N> {
        crate::scope::ScopeGuard::enter(pool)
    }
}

/// Any other field: left alone.
pub trait ScopeNone {
    /// Does nothing.
    fn enter<P>(&self, _: &mut P) {}
}

impl<T: ?Sized, L> ScopeNone for &Probe<T, L> {}
