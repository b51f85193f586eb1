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
    fn reserve(&mut self) -> Option<crate::pools::Reserved<T, L>>;
    fn alloc_checked(&mut self, value: T) -> Result<ArcSingle<T, L>, crate::AllocError>;
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
    fn reserve(&mut self) -> Option<crate::pools::Reserved<T, L>> {
        self.break_cycles();
        Allocator::reserve_single(self).map(crate::pools::Reserved::from_inner)
    }
    fn alloc_checked(&mut self, value: T) -> Result<ArcSingle<T, L>, crate::AllocError> {
        self.break_cycles();
        Allocator::alloc_value_checked(self, value)
    }
    fn alloc_vec(&mut self, items: Vec<T>) -> ArcSlice<T, L> {
        self.break_cycles();
        Allocator::alloc_vec(self, items)
    }
    fn slice_builder(&mut self, capacity: usize) -> SliceBuilder<T, L> {
        self.break_cycles();
        Allocator::slice_builder_with_home(self, capacity)
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
    // A cell reserved in the scoped pool, and the value built straight into
    // it (through no `dyn` call, which would return it on the stack) once
    // the pool is released; through the pool where no cell can be reserved.
    match with_scoped((), |pool, ()| pool.reserve()) {
        Ok(Some(cell)) => Ok(cell.write_with(build)),
        Ok(None) => with_scoped(build, |pool, build| {
            let mut once = Some(build);
            pool.alloc_with(&mut || (once.take().expect("`alloc_with` builds once"))())
        }),
        Err(()) => Err(build),
    }
}

/// [`ArenaAlloc::alloc_checked`](crate::ArenaAlloc::alloc_checked) in the
/// innermost scoped pool of `T`; gives `value` back if there is none.
/// Callers check [`any_open`] first (the fast path).
#[cfg(feature = "std")]
pub(crate) fn try_alloc_checked<T: 'static, L: IndexType + 'static>(
    value: T,
) -> Result<Result<ArcSingle<T, L>, crate::AllocError>, T> {
    with_scoped(value, |pool, value| pool.alloc_checked(value))
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
///
/// Guards never leave the crate: [`run_scoped`] keeps each in a frame of
/// its own around the closure, so they close in the reverse order of
/// opening. A guard still checks it: dropped while a scope it enclosed is
/// open, it takes its own entry out of the stack (wherever it is), gives its
/// pool back, and panics, leaving the inner scopes open and working.
#[cfg(feature = "std")]
#[must_use]
pub(crate) struct ScopeGuard<'a, T: 'static, L: IndexType, const N: usize> {
    home: &'a mut Allocator<T, L, N>,
    /// Our entry in `SCOPES` (the address of its boxed pool, unique while
    /// it is there); `None` if none was pushed.
    entry: Option<*const ()>,
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
        let entry = SCOPES
            .try_with(|scopes| {
                let mut scopes = scopes.try_borrow_mut().ok()?;
                let pool: Box<dyn Any> = Box::new(pool.take()?);
                let entry = entry_id(&pool);
                scopes.push(Scoped {
                    elem: TypeId::of::<T>(),
                    pool,
                });
                Some(entry)
            })
            .ok()
            .flatten();
        let mut closed = None;
        match entry {
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
            entry,
            closed,
        }
    }
}

/// Runs `f` with `home` standing in for the per-thread pool of `T`.
#[cfg(feature = "std")]
pub(crate) fn run_scoped<
    T: crate::ArenaAlloc<Index = L>,
    L: IndexType + 'static,
    const N: usize,
    R,
>(
    home: &mut Allocator<T, L, N>,
    f: impl FnOnce() -> R,
) -> R {
    let _guard = ScopeGuard::enter(home);
    f()
}

/// What identifies a scope entry: the address of its boxed pool.
#[cfg(feature = "std")]
fn entry_id(pool: &Box<dyn Any>) -> *const () {
    let pool: &dyn Any = &**pool;
    (pool as *const dyn Any).cast()
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
        let Some(id) = self.entry else { return };
        let (entry, on_top) = SCOPES.with(|scopes| {
            let mut scopes = scopes.borrow_mut();
            // Ours is on top unless a guard opened after it is still alive
            // (guards in `run_scoped`'s frames cannot be): look it up.
            let at = scopes
                .iter()
                .rposition(|s| entry_id(&s.pool) == id)
                .expect("a scope's entry stays in the stack until its guard drops");
            (scopes.remove(at), at == scopes.len())
        });
        OPEN.with(|open| open.set(open.get() - 1));
        if let Some(closed) = self.closed {
            closed();
        }
        match entry.pool.downcast::<Box<dyn ScopedPool<T, L>>>() {
            Ok(pool) => *self.home = restore(*pool),
            Err(_) => unreachable!("a scope entry holds the pool it was made from"),
        }
        // Everything is back in order: our pool is home, the scopes opened
        // inside ours are still open (and close normally). A second panic
        // while unwinding would abort: only report it when not unwinding.
        if !on_top && !std::thread::panicking() {
            panic!(
                "a `PoolScope` scope closed while a scope opened inside it was still open; \
                 scopes must close in the reverse order of opening"
            );
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::string::String;

    use super::{ScopeGuard, any_open};
    use crate::{Allocator, ArenaAlloc};

    /// How many scopes of `u64` its per-thread pool counts (its hot path is
    /// on when none).
    fn scopes_of_u64() -> String {
        use core::fmt::Write;
        let mut out = String::new();
        u64::__per_thread()
            .with_cell(|pool| write!(out, "{pool:?}").unwrap())
            .unwrap();
        out
    }

    #[test]
    fn a_guard_dropped_before_the_one_opened_inside_it_panics_and_leaves_both_working() {
        let mut outer: Allocator<u64, u32, 64> = Allocator::new();
        let mut inner: Allocator<u64, u32, 64> = Allocator::new();
        let a = ScopeGuard::enter(&mut outer);
        assert_eq!(*u64::alloc(1), 1);
        let b = ScopeGuard::enter(&mut inner);
        assert!(scopes_of_u64().contains("scopes: 2"), "{}", scopes_of_u64());
        let panic = catch_unwind(AssertUnwindSafe(|| drop(a))).expect_err("out of order");
        let message = panic.downcast_ref::<&str>().copied().unwrap_or_default();
        assert!(message.contains("reverse order of opening"), "{message}");
        // The outer pool is home again, with its value; the inner scope is
        // still open and still takes allocations.
        assert_eq!(outer.stats().elements, 1);
        assert!(any_open());
        assert!(scopes_of_u64().contains("scopes: 1"), "{}", scopes_of_u64());
        assert_eq!(*u64::alloc(2), 2);
        drop(b);
        assert_eq!(inner.stats().elements, 1);
        // Nothing open: the hot path is back, allocations go to the
        // per-thread pool, and both pools still work.
        assert!(!any_open());
        assert!(scopes_of_u64().contains("scopes: 0"), "{}", scopes_of_u64());
        let before = u64::pool_stats().elements;
        assert_eq!(*u64::alloc(3), 3);
        assert_eq!(u64::pool_stats().elements, before + 1);
        assert_eq!(*outer.alloc_value(4), 4);
        assert_eq!(*inner.alloc_value(5), 5);
        // Scopes nest normally afterwards.
        let (x, y) = crate::PoolScope::scope(&mut outer, || {
            let y = crate::PoolScope::scope(&mut inner, || u64::alloc(7));
            (u64::alloc(6), y)
        });
        assert_eq!((*x, *y), (6, 7));
        assert_eq!((outer.stats().elements, inner.stats().elements), (3, 3));
    }

    #[test]
    fn guards_dropped_in_order_do_not_panic() {
        let mut outer: Allocator<u64, u32, 64> = Allocator::new();
        let mut inner: Allocator<u64, u32, 64> = Allocator::new();
        let a = ScopeGuard::enter(&mut outer);
        let b = ScopeGuard::enter(&mut inner);
        let _ = u64::alloc(1);
        drop(b);
        let _ = u64::alloc(2);
        drop(a);
        assert_eq!((outer.stats().elements, inner.stats().elements), (1, 1));
        assert!(!any_open());
    }
}
