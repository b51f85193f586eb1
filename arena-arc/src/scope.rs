//! Scoped pools: an explicit pool (or an `#[arena]` struct) standing in for
//! the per-thread pools of its element types while a closure runs.
//!
//! Inside [`PoolScope::scope`], the pool is moved into a thread-local stack
//! for the duration (`mem::take`, so no borrow outlives the call) and moved
//! back afterwards, also when the closure panics. The hot path of
//! `T::alloc` and the generated constructors reads only the state of `T`'s
//! per-thread pool, which counts the open scopes of `T` (so a scope marks
//! the per-thread pool of its element type while it is open); the other
//! per-thread allocations (slices, serde's `Deserialize` for handles) first
//! check one thread-local counter of all open scopes.

#[cfg(feature = "std")]
use alloc::boxed::Box;
#[cfg(feature = "std")]
use alloc::vec::Vec;
#[cfg(feature = "std")]
use core::any::{Any, TypeId};
#[cfg(feature = "std")]
use core::cell::{Cell, RefCell};

#[cfg(feature = "std")]
use crate::allocator::Allocator;
#[cfg(feature = "std")]
use crate::builder::SliceBuilder;
#[cfg(feature = "std")]
use crate::handles::{ArcSingle, ArcSlice};
#[cfg(feature = "std")]
use crate::index::IndexType;

/// Pools that can stand in for the per-thread pools of their element types
/// while a closure runs: everything the closure allocates through per-thread
/// pools (`T::alloc`, generated constructors, deserializing handles with the
/// `serde` feature) on this thread goes into these pools instead.
///
/// Implemented for [`Allocator<T, L, N>`](crate::Allocator) when `T` has a
/// per-thread pool ([`ArenaAlloc`](crate::ArenaAlloc)) with index type `L`, and by `#[arena]`
/// for non-generic structs of pools: there, each field whose element type
/// has a per-thread pool with the struct's index type stands in for it (the
/// others are left alone). Without `std` there are no per-thread pools, and
/// `scope` just runs the closure.
///
/// Scopes nest; the innermost pool of a type wins. Other threads are not
/// affected.
///
/// # Examples
///
/// ```
/// use arena_arc::{Allocator, ArenaAlloc, PoolScope};
///
/// let mut pool: Allocator<u64, u32, 64> = Allocator::new();
/// let (a, b) = pool.scope(|| (u64::alloc(1), u64::alloc_from_iter([2, 3])));
/// assert_eq!((*a, &*b), (1, &[2, 3][..]));
/// // Both went into `pool`, not into this thread's pool of `u64`.
/// assert_eq!(pool.stats().elements, 3);
/// ```
pub trait PoolScope {
    /// Runs `f` with these pools standing in for the per-thread pools of
    /// their element types, on this thread.
    fn scope<R>(&mut self, f: impl FnOnce() -> R) -> R;
}

#[cfg(feature = "std")]
std::thread_local! {
    /// How many scopes are open on this thread: the per-thread fast path
    /// only reads this (a `const`-initialised `Cell`: no destructor, no lazy
    /// state).
    static OPEN: Cell<usize> = const { Cell::new(0) };
    /// The open scopes' pools, innermost last.
    static SCOPES: RefCell<Vec<Scoped>> = const { RefCell::new(Vec::new()) };
}

/// A pool moved into the stack: `pool` holds a `Box<dyn ScopedPool<T, L>>`.
#[cfg(feature = "std")]
struct Scoped {
    elem: TypeId,
    pool: Box<dyn Any>,
}

/// An [`Allocator`] of any chunk size, behind `dyn`.
#[cfg(feature = "std")]
trait ScopedPool<T, L: IndexType> {
    fn alloc_with(&mut self, build: &mut dyn FnMut() -> T) -> ArcSingle<T, L>;
    fn alloc_vec(&mut self, items: Vec<T>) -> ArcSlice<T, L>;
    fn slice_builder(&mut self, capacity: usize) -> SliceBuilder<T, L>;
    fn reserve_cyclic(&mut self) -> crate::pools::CyclicCell<T, L>;
    fn grow_builder(&mut self, builder: &mut SliceBuilder<T, L>, additional: usize);
    fn trim_builder(&mut self, builder: &mut SliceBuilder<T, L>);
    fn alloc_str(&mut self, s: &str) -> Option<crate::ArcStr<L>>;
    fn into_any(self: Box<Self>) -> Box<dyn Any>;
}

#[cfg(feature = "std")]
impl<T: 'static, L: IndexType + 'static, const N: usize> ScopedPool<T, L> for Allocator<T, L, N> {
    fn alloc_with(&mut self, build: &mut dyn FnMut() -> T) -> ArcSingle<T, L> {
        self.break_cycles();
        self.alloc_single(build)
    }
    fn alloc_vec(&mut self, items: Vec<T>) -> ArcSlice<T, L> {
        self.break_cycles();
        Allocator::alloc_vec(self, items)
    }
    fn slice_builder(&mut self, capacity: usize) -> SliceBuilder<T, L> {
        self.break_cycles();
        Allocator::slice_builder(self, capacity)
    }
    fn reserve_cyclic(&mut self) -> crate::pools::CyclicCell<T, L> {
        self.break_cycles();
        Allocator::reserve_cyclic(self)
    }
    fn grow_builder(&mut self, builder: &mut SliceBuilder<T, L>, additional: usize) {
        self.break_cycles();
        Allocator::grow_builder(self, builder, additional);
    }
    fn trim_builder(&mut self, builder: &mut SliceBuilder<T, L>) {
        Allocator::trim_builder(self, builder);
    }
    fn alloc_str(&mut self, s: &str) -> Option<crate::ArcStr<L>> {
        // Only an `Allocator<u8, ..>` stores text.
        let pool: &mut dyn Any = self;
        pool.downcast_mut::<Allocator<u8, L, N>>()
            .map(|bytes| bytes.alloc_str(s))
    }
    fn into_any(self: Box<Self>) -> Box<dyn Any> {
        self
    }
}

/// Whether any scope is open on this thread (the fast-path check).
#[cfg(feature = "std")]
#[inline(always)]
pub(crate) fn any_open() -> bool {
    OPEN.try_with(|open| open.get() != 0).unwrap_or(false)
}

/// Runs `f` with `value` on the innermost scoped pool of `T` on this
/// thread; gives `value` back when there is none (or the stack is busy: an
/// allocation from an element's `Drop` while a scoped pool frees a chunk).
#[cfg(feature = "std")]
#[cold]
#[inline(never)]
fn with_scoped<T: 'static, L: IndexType + 'static, V, R>(
    value: V,
    f: impl FnOnce(&mut dyn ScopedPool<T, L>, V) -> R,
) -> Result<R, V> {
    let mut value = Some(value);
    let done = SCOPES.try_with(|scopes| {
        let mut scopes = scopes.try_borrow_mut().ok()?;
        let scoped = scopes
            .iter_mut()
            .rev()
            .find(|s| s.elem == TypeId::of::<T>())?;
        let pool = scoped.pool.downcast_mut::<Box<dyn ScopedPool<T, L>>>()?;
        Some(f(&mut **pool, value.take()?))
    });
    match done {
        Ok(Some(result)) => Ok(result),
        _ => Err(value
            .take()
            .expect("`f` did not run, so `value` is still here")),
    }
}

/// Allocates `build()` in the innermost scoped pool of `T` (whose handles
/// use `L`); gives `build` back if there is none. Callers check
/// [`any_open`] first (the fast path).
#[cfg(feature = "std")]
pub(crate) fn try_alloc_with<T: 'static, L: IndexType + 'static, F: FnOnce() -> T>(
    build: F,
) -> Result<ArcSingle<T, L>, F> {
    with_scoped(build, |pool, build| {
        let mut once = Some(build);
        pool.alloc_with(&mut || (once.take().expect("`alloc_with` builds once"))())
    })
}

/// Allocates `items` in the innermost scoped pool of `T`; gives them back
/// if there is none. Callers check [`any_open`] first (the fast path).
#[cfg(feature = "std")]
pub(crate) fn try_alloc_vec<T: 'static, L: IndexType + 'static>(
    items: Vec<T>,
) -> Result<ArcSlice<T, L>, Vec<T>> {
    with_scoped(items, |pool, items| pool.alloc_vec(items))
}

/// Reserves a slice of `capacity` in the innermost scoped pool of `T`, if
/// there is one. Callers check [`any_open`] first (the fast path).
#[cfg(feature = "std")]
#[track_caller]
pub(crate) fn try_slice_builder<T: 'static, L: IndexType + 'static>(
    capacity: usize,
) -> Option<SliceBuilder<T, L>> {
    with_scoped(capacity, |pool, capacity| pool.slice_builder(capacity)).ok()
}

/// Makes room in `builder` through the innermost scoped pool of `T`; whether
/// there is one. Callers check [`any_open`] first (the fast path).
#[cfg(feature = "std")]
#[track_caller]
pub(crate) fn try_grow_builder<T: 'static, L: IndexType + 'static>(
    builder: &mut SliceBuilder<T, L>,
    additional: usize,
) -> bool {
    with_scoped(builder, |pool, builder| {
        pool.grow_builder(builder, additional)
    })
    .is_ok()
}

/// Gives `builder`'s unused room back to the innermost scoped pool of `T`
/// if it ends at its cursor; whether there is one.
#[cfg(feature = "std")]
pub(crate) fn try_trim_builder<T: 'static, L: IndexType + 'static>(
    builder: &mut SliceBuilder<T, L>,
) -> bool {
    with_scoped(builder, |pool, builder| pool.trim_builder(builder)).is_ok()
}

/// Reserves an `alloc_cyclic` cell in the innermost scoped pool of `T`, if
/// there is one. Callers check [`any_open`] first (the fast path).
#[cfg(feature = "std")]
pub(crate) fn try_reserve_cyclic<T: 'static, L: IndexType + 'static>()
-> Option<crate::pools::CyclicCell<T, L>> {
    with_scoped((), |pool, ()| pool.reserve_cyclic()).ok()
}

/// Allocates `s` in the scoped pool of `u8`, if one is open. (Used by the
/// serde support and `From<&str> for ArcStr`.)
#[cfg(feature = "std")]
#[inline]
pub(crate) fn try_alloc_str(s: &str) -> Option<crate::ArcStr> {
    if !any_open() {
        return None;
    }
    with_scoped::<u8, u32, _, _>(s, |pool, s| pool.alloc_str(s))
        .ok()
        .flatten()
}

/// An open scope: gives the pool back on drop (also when unwinding).
#[cfg(feature = "std")]
#[doc(hidden)]
#[must_use]
#[allow(missing_debug_implementations)]
pub struct ScopeGuard<'a, T: 'static, L: IndexType, const N: usize> {
    home: &'a mut Allocator<T, L, N>,
    /// Position of our entry in `SCOPES`; `None` if none was pushed.
    depth: Option<usize>,
    /// Tells `T`'s per-thread pool that the scope closed, if it was told
    /// that it opened.
    closed: Option<fn()>,
}

/// Tells `T`'s per-thread pool that a scope of `T` opened (its hot path
/// then leaves it alone); whether it could (not after thread teardown).
#[cfg(feature = "std")]
fn scope_opened<T: crate::ArenaAlloc>() -> bool {
    T::__per_thread()
        .with_cell(|pool| pool.scope_opened())
        .is_some()
}

/// Undoes [`scope_opened`].
#[cfg(feature = "std")]
fn scope_closed<T: crate::ArenaAlloc>() {
    // After thread teardown there is no pool to tell.
    let _ = T::__per_thread().with_cell(|pool| pool.scope_closed());
}

#[cfg(feature = "std")]
impl<'a, T: crate::ArenaAlloc<Index = L>, L: IndexType + 'static, const N: usize>
    ScopeGuard<'a, T, L, N>
{
    /// Moves `home` into this thread's scope stack, as the pool of `T`.
    pub(crate) fn enter(home: &'a mut Allocator<T, L, N>) -> Self {
        let pool: Box<dyn ScopedPool<T, L>> = Box::new(core::mem::take(home));
        let mut pool = Some(pool);
        let depth = SCOPES
            .try_with(|scopes| {
                let mut scopes = scopes.try_borrow_mut().ok()?;
                scopes.push(Scoped {
                    elem: TypeId::of::<T>(),
                    pool: Box::new(pool.take()?),
                });
                Some(scopes.len() - 1)
            })
            .ok()
            .flatten();
        let mut closed = None;
        match depth {
            Some(_) => {
                OPEN.with(|open| open.set(open.get() + 1));
                if scope_opened::<T>() {
                    closed = Some(scope_closed::<T> as fn());
                }
            }
            // Thread teardown, or the stack is busy: nothing stands in;
            // put the pool back.
            None => {
                if let Some(pool) = pool {
                    *home = restore(pool);
                }
            }
        }
        ScopeGuard {
            home,
            depth,
            closed,
        }
    }
}

#[cfg(feature = "std")]
fn restore<T: 'static, L: IndexType + 'static, const N: usize>(
    pool: Box<dyn ScopedPool<T, L>>,
) -> Allocator<T, L, N> {
    match pool.into_any().downcast::<Allocator<T, L, N>>() {
        Ok(pool) => *pool,
        Err(_) => unreachable!("a scope entry holds the pool it was made from"),
    }
}

#[cfg(feature = "std")]
impl<T: 'static, L: IndexType + 'static, const N: usize> Drop for ScopeGuard<'_, T, L, N> {
    fn drop(&mut self) {
        let Some(depth) = self.depth else { return };
        let entry = SCOPES.with(|scopes| {
            let mut scopes = scopes.borrow_mut();
            // Guards are dropped in the reverse order of `enter` (they live
            // in `scope`'s frame), so ours is on top.
            debug_assert_eq!(scopes.len(), depth + 1, "scopes closed out of order");
            scopes.remove(depth)
        });
        OPEN.with(|open| open.set(open.get() - 1));
        if let Some(closed) = self.closed {
            closed();
        }
        match entry.pool.downcast::<Box<dyn ScopedPool<T, L>>>() {
            Ok(pool) => *self.home = restore(*pool),
            Err(_) => unreachable!("a scope entry holds the pool it was made from"),
        }
    }
}
