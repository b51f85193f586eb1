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

/// The allocation limit an `#[arena]` struct's fields share.
#[derive(Clone, Debug)]
pub struct SharedLimit(alloc::sync::Arc<crate::chunk::ArenaLimit>);

/// A field of an `#[arena]` struct, for the struct's allocation limit
/// (implemented by [`Allocator`](crate::Allocator) alone).
pub trait ArenaMember {
    /// The bytes of chunk memory the field's pool holds.
    fn __held_bytes(&self) -> usize;
    /// The struct's limit, if the field has joined one.
    fn __arena_limit(&self) -> Option<SharedLimit>;
    /// Joins the struct's limit as field `slot`.
    fn __join_arena(&mut self, limit: &SharedLimit, slot: usize);
}

impl<T, L: crate::IndexType, const N: usize> ArenaMember for crate::Allocator<T, L, N> {
    fn __held_bytes(&self) -> usize {
        self.allocated_bytes()
    }
    fn __arena_limit(&self) -> Option<SharedLimit> {
        self.arena_limit().cloned().map(SharedLimit)
    }
    fn __join_arena(&mut self, limit: &SharedLimit, slot: usize) {
        self.join_arena(alloc::sync::Arc::clone(&limit.0), slot);
    }
}

/// `#[arena]`'s `set_allocation_limit`: sets the limit its fields share,
/// making it the first time.
pub fn set_arena_limit(fields: &mut [&mut dyn ArenaMember], limit: Option<usize>) {
    let existing = fields.iter().find_map(|field| field.__arena_limit());
    match (existing, limit) {
        (Some(shared), limit) => shared.0.set_limit(limit.unwrap_or(usize::MAX)),
        (None, None) => {}
        (None, Some(limit)) => {
            let shared = SharedLimit(crate::chunk::ArenaLimit::new(limit, fields.len()));
            for (slot, field) in fields.iter_mut().enumerate() {
                field.__join_arena(&shared, slot);
            }
        }
    }
}

/// `#[arena]`'s `allocation_limit`.
pub fn arena_limit(fields: &[&dyn ArenaMember]) -> Option<usize> {
    let shared = fields.iter().find_map(|field| field.__arena_limit())?;
    Some(shared.0.limit()).filter(|&limit| limit != usize::MAX)
}

/// `#[arena]`'s `allocated_bytes`: the sum over its fields.
pub fn arena_held_bytes(fields: &[&dyn ArenaMember]) -> usize {
    fields
        .iter()
        .map(|field| field.__held_bytes())
        .fold(0, usize::saturating_add)
}

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
