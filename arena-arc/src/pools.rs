//! Typed pools: the traits behind `#[derive(ArenaAlloc)]` and `#[arena]`.
//!
//! * [`ArenaType`]: a type's pool configuration (index type, chunk size) and
//!   allocation into an explicit pool (`_in` methods).
//! * [`ArenaAlloc`] (with `std`): a per-thread pool, so `T::alloc(value)`
//!   needs no pool argument.
//! * [`Pool`]: what every [`Allocator`] offers, as a trait, so code generic
//!   over the chunk size can allocate.
//! * [`ArenaHas`]: an `#[arena]` struct holds a pool of `T`; its `alloc*`
//!   methods dispatch on the element type through it.
//! * [`IntoArcSingle`] / [`IntoArcSlice`]: what a generated constructor
//!   accepts for a handle field: a handle, or values to allocate.

use alloc::vec::Vec;

use crate::allocator::Allocator;
#[cfg(feature = "std")]
use crate::allocator::collect_untrusted;
use crate::builder::SliceBuilder;
#[cfg(feature = "std")]
use crate::chunk::{PerThreadPool, PoolKey, run_per_thread, try_reserve_per_thread};
use crate::error::AllocError;
use crate::handles::{ArcSingle, ArcSlice, ArcStr, WeakSingle, WeakSlice, WeakStr};
use crate::index::IndexType;
#[cfg(feature = "std")]
use crate::intern::{Intern, InternStats, Interned};
#[cfg(feature = "std")]
use crate::scope::{self, PoolScope};
use crate::stats::AllocatorStats;

/// A type with a pool configuration: the index type its handles use and the
/// chunk size of its pools, plus allocation into an explicit pool.
///
/// `#[derive(ArenaAlloc)]` implements it (with `#[arena(index = .., chunk =
/// ..)]`, default `u32` and 256), also for generic types. The `_in` methods
/// turn on [`Allocator::break_cycles`], so graphs of nodes that hold handles
/// to each other are freed when the last outside handle goes.
///
/// # Examples
///
/// ```
/// use arena_arc::{Allocator, ArenaType};
///
/// let mut pool: Allocator<u64, u32, 64> = Allocator::new();
/// let one = u64::alloc_in(&mut pool, 1);
/// let more = u64::alloc_from_iter_in(&mut pool, [2, 3, 4]);
/// assert_eq!((*one, &*more), (1, &[2, 3, 4][..]));
/// ```
pub trait ArenaType: Sized {
    /// The index type of this type's handles (`ArcSingle<Self, Self::Index>`).
    type Index: IndexType;
    /// The chunk size of this type's per-thread pool, in elements.
    const CHUNK: usize;

    /// Allocates `value` in `pool`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArenaType};
    ///
    /// let mut pool: Allocator<i64, u32, 16> = Allocator::new();
    /// assert_eq!(*i64::alloc_in(&mut pool, -3), -3);
    /// ```
    #[track_caller]
    fn alloc_in<const N: usize>(
        pool: &mut Allocator<Self, Self::Index, N>,
        value: Self,
    ) -> ArcSingle<Self, Self::Index> {
        build_in(pool, || value)
    }

    /// Allocates the value `build` makes in `pool`, building it straight
    /// into its slot: [`ArenaAlloc::alloc_with`] in an explicit pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArenaAlloc, ArenaType};
    ///
    /// #[derive(ArenaAlloc)]
    /// struct Table([u64; 512]);
    ///
    /// let mut pool: Allocator<Table, u32, 4> = Allocator::new();
    /// let table = Table::alloc_with_in(&mut pool, || Table([9; 512]));
    /// assert_eq!(table.0[511], 9);
    /// ```
    #[track_caller]
    fn alloc_with_in<const N: usize>(
        pool: &mut Allocator<Self, Self::Index, N>,
        build: impl FnOnce() -> Self,
    ) -> ArcSingle<Self, Self::Index> {
        build_in(pool, build)
    }

    /// Allocates the value `build` makes from a weak handle to itself, in
    /// `pool`: [`Allocator::alloc_cyclic`], cycle-aware.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArenaAlloc, ArenaType, WeakSingle};
    ///
    /// #[derive(ArenaAlloc)]
    /// struct Node {
    ///     me: WeakSingle<Node>,
    /// }
    ///
    /// let mut pool: Allocator<Node> = Allocator::new();
    /// let node = Node::alloc_cyclic_in(&mut pool, |me| Node { me: me.clone() });
    /// assert!(node.me.upgrade().is_some());
    /// ```
    fn alloc_cyclic_in<const N: usize>(
        pool: &mut Allocator<Self, Self::Index, N>,
        build: impl FnOnce(&WeakSingle<Self, Self::Index>) -> Self,
    ) -> ArcSingle<Self, Self::Index> {
        pool.break_cycles();
        pool.alloc_cyclic(build)
    }

    /// Allocates `len` values in `pool`, value `i` being `init(i)`.
    ///
    /// # Panics
    ///
    /// Panics if `len` does not fit `Self::Index`. If `init` panics, the
    /// values already made are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArenaType};
    ///
    /// let mut pool: Allocator<u32, u32, 16> = Allocator::new();
    /// assert_eq!(u32::alloc_slice_in(&mut pool, 3, |i| i as u32 * 10), [0, 10, 20]);
    /// ```
    #[track_caller]
    fn alloc_slice_in<const N: usize>(
        pool: &mut Allocator<Self, Self::Index, N>,
        len: usize,
        init: impl FnMut(usize) -> Self,
    ) -> ArcSlice<Self, Self::Index> {
        pool.break_cycles();
        pool.alloc_from_iter((0..len).map(init))
    }

    /// Allocates the items of `iter` in `pool`, as one slice.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArenaType};
    ///
    /// let mut pool: Allocator<char, u32, 16> = Allocator::new();
    /// assert_eq!(char::alloc_from_iter_in(&mut pool, "abc".chars()), ['a', 'b', 'c']);
    /// ```
    #[track_caller]
    fn alloc_from_iter_in<const N: usize>(
        pool: &mut Allocator<Self, Self::Index, N>,
        iter: impl IntoIterator<Item = Self>,
    ) -> ArcSlice<Self, Self::Index> {
        pool.break_cycles();
        pool.alloc_from_iter(iter)
    }

    /// Reserves room for a slice of up to `capacity` values in `pool` and
    /// returns a [`SliceBuilder`] that writes them in place, while `pool`
    /// stays free for other allocations (the values' own children).
    ///
    /// # Panics
    ///
    /// Panics if `capacity` does not fit `Self::Index`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArenaAlloc, ArenaType};
    ///
    /// #[derive(ArenaAlloc, Debug, PartialEq)]
    /// struct Word(String);
    ///
    /// let mut pool: Allocator<Word, u32, 16> = Allocator::new();
    /// let mut words = Word::slice_builder_in(&mut pool, 2);
    /// let other = Word::alloc_in(&mut pool, Word("meanwhile".into()));
    /// words.push(Word("a".into()));
    /// words.push(Word("b".into()));
    /// assert_eq!(words.finish(), [Word("a".into()), Word("b".into())]);
    /// assert_eq!(other.0, "meanwhile");
    /// ```
    #[track_caller]
    fn slice_builder_in<const N: usize>(
        pool: &mut Allocator<Self, Self::Index, N>,
        capacity: usize,
    ) -> SliceBuilder<Self, Self::Index> {
        pool.break_cycles();
        pool.slice_builder(capacity)
    }
}

/// Any [`Allocator<T, L, N>`](Allocator), whatever its chunk size: lets
/// generic code (per-thread pools, `#[arena]` structs) allocate. Sealed.
///
/// The methods are the [`Allocator`] methods of the same names.
///
/// # Examples
///
/// ```
/// use arena_arc::{Allocator, ArcSlice, Pool};
///
/// // Works for pools of any chunk size.
/// fn squares<P: Pool<u64>>(pool: &mut P, n: u64) -> ArcSlice<u64, P::Index> {
///     pool.alloc_from_iter((0..n).map(|i| i * i))
/// }
///
/// let mut small: Allocator<u64, u32, 8> = Allocator::new();
/// let mut large: Allocator<u64, u32, 4096> = Allocator::new();
/// assert_eq!(squares(&mut small, 4), [0, 1, 4, 9]);
/// assert_eq!(squares(&mut large, 3), [0, 1, 4]);
/// assert_eq!(<Allocator<u64, u32, 8> as Pool<u64>>::CHUNK, 8);
/// let fresh: Allocator<u64, u32, 8> = Pool::new_pool();
/// assert_eq!(fresh.stats().chunks, 0);
/// ```
pub trait Pool<T>: private::Sealed {
    /// The index type of the handles this pool hands out.
    type Index: IndexType;
    /// The chunk size.
    const CHUNK: usize;

    /// An empty pool ([`Allocator::new`]).
    fn new_pool() -> Self;
    /// See [`Allocator::alloc_value`].
    fn alloc_value(&mut self, value: T) -> ArcSingle<T, Self::Index>;
    /// See [`Allocator::alloc_single`].
    fn alloc_single(&mut self, init: impl FnOnce() -> T) -> ArcSingle<T, Self::Index>;
    /// See [`Allocator::alloc_from_iter`].
    fn alloc_from_iter<I: IntoIterator<Item = T>>(&mut self, iter: I) -> ArcSlice<T, Self::Index>;
    /// See [`Allocator::alloc_vec`].
    fn alloc_vec(&mut self, items: Vec<T>) -> ArcSlice<T, Self::Index>;
    /// See [`Allocator::alloc_slice_copy`].
    fn alloc_slice_copy(&mut self, src: &[T]) -> ArcSlice<T, Self::Index>
    where
        T: Copy;
    /// See [`Allocator::alloc_slice_clone`].
    fn alloc_slice_clone(&mut self, src: &[T]) -> ArcSlice<T, Self::Index>
    where
        T: Clone;
    /// See [`Allocator::slice_builder`].
    fn slice_builder(&mut self, capacity: usize) -> SliceBuilder<T, Self::Index>;
    /// See [`Allocator::stats`].
    fn stats(&self) -> AllocatorStats;
    /// See [`Allocator::break_cycles`].
    fn break_cycles(&mut self);
    /// See [`Allocator::alloc_value_checked`].
    fn alloc_value_checked(&mut self, value: T) -> Result<ArcSingle<T, Self::Index>, AllocError>;
    /// See [`Allocator::alloc_slice_copy_checked`].
    fn alloc_slice_copy_checked(
        &mut self,
        src: &[T],
    ) -> Result<ArcSlice<T, Self::Index>, AllocError>
    where
        T: Copy;
    /// See [`Allocator::alloc_slice_clone_checked`].
    fn alloc_slice_clone_checked(
        &mut self,
        src: &[T],
    ) -> Result<ArcSlice<T, Self::Index>, AllocError>
    where
        T: Clone;
    /// See [`Allocator::set_allocation_limit`].
    fn set_allocation_limit(&mut self, limit: Option<usize>);
    /// See [`Allocator::allocation_limit`].
    fn allocation_limit(&self) -> Option<usize>;
    /// See [`Allocator::allocated_bytes`].
    fn allocated_bytes(&self) -> usize;
    /// Reserves the cell of one value if the current chunk has room for it,
    /// running no code outside this crate and never panicking: the
    /// per-thread hot path relies on it (the trait is sealed: [`Allocator`]
    /// is its only implementation).
    #[doc(hidden)]
    fn __try_reserve(&mut self) -> Option<Reserved<T, Self::Index>>;
    /// Reserves the cell of one value, with a weak handle to it, for
    /// `alloc_cyclic` (the per-thread pool is free while the value is
    /// built).
    #[doc(hidden)]
    fn __reserve_cyclic(&mut self) -> CyclicCell<T, Self::Index>;
    /// Makes room in a builder (the per-thread pools' [`SliceBuilder`]s
    /// grow through their pool).
    #[doc(hidden)]
    fn __grow_builder(&mut self, builder: &mut SliceBuilder<T, Self::Index>, additional: usize);
    /// Gives a builder's unused room back if it ends at this pool's cursor.
    #[doc(hidden)]
    fn __trim_builder(&mut self, builder: &mut SliceBuilder<T, Self::Index>);
    /// A builder that will grow through this pool (a per-thread one's).
    #[doc(hidden)]
    #[cfg(feature = "std")]
    fn __slice_builder_with_home(&mut self, capacity: usize) -> SliceBuilder<T, Self::Index>;
    /// Reserves the cell of one value, making room if need be (`None` only
    /// for types aligned to more than 2 MiB).
    #[doc(hidden)]
    #[cfg(feature = "std")]
    fn __reserve_making_room(&mut self) -> Option<Reserved<T, Self::Index>>;
}

/// The cell of one value reserved for `alloc_cyclic`, with a weak handle to
/// it that upgrades once [`CyclicCell::write`] has made the allocation;
/// dropped unwritten, the weak handles made from it never upgrade. Not for
/// direct use.
#[doc(hidden)]
#[must_use = "the allocation is made by `write`"]
pub struct CyclicCell<T, L: IndexType> {
    cell: crate::chunk::ReservedCyclic<T, L>,
    weak: WeakSingle<T, L>,
}

impl<T, L: IndexType> CyclicCell<T, L> {
    pub(crate) fn new(
        (cell, weak): (
            crate::chunk::ReservedCyclic<T, L>,
            crate::chunk::RawWeakSingle<T, L>,
        ),
    ) -> Self {
        CyclicCell {
            cell,
            weak: WeakSingle::from_inner(weak),
        }
    }

    /// The weak handle to the value to come.
    pub fn weak(&self) -> &WeakSingle<T, L> {
        &self.weak
    }

    /// Builds the value from the weak handle, writes it and returns its
    /// handle. If `build` panics, nothing is allocated.
    #[inline]
    pub fn build(self, build: impl FnOnce(&WeakSingle<T, L>) -> T) -> ArcSingle<T, L> {
        let value = build(&self.weak);
        let CyclicCell { cell, weak } = self;
        let handle = ArcSingle::from_inner(cell.write(value));
        drop(weak);
        handle
    }
}

impl<T, L: IndexType> core::fmt::Debug for CyclicCell<T, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CyclicCell").finish_non_exhaustive()
    }
}

/// The cell of one value reserved in a pool, not written yet: the hot path
/// of per-thread allocation. [`Reserved::write`] makes the allocation;
/// dropped unwritten, the cell stays unused (its chunk reference is given
/// back). Not for direct use.
#[doc(hidden)]
#[must_use = "the allocation is made by `write`"]
pub struct Reserved<T, L: IndexType>(crate::chunk::ReservedSingle<T, L>);

impl<T, L: IndexType> Reserved<T, L> {
    /// The reservation `cell`.
    #[cfg(feature = "std")]
    pub(crate) fn from_inner(cell: crate::chunk::ReservedSingle<T, L>) -> Self {
        Reserved(cell)
    }

    /// Writes `value` into the cell and returns its handle.
    #[inline(always)]
    pub fn write(self, value: T) -> ArcSingle<T, L> {
        ArcSingle::from_inner(self.0.write(value))
    }

    /// Writes `build()` straight into the cell and returns its handle; if
    /// `build` panics, the cell stays unused.
    #[inline(always)]
    pub fn write_with(self, build: impl FnOnce() -> T) -> ArcSingle<T, L> {
        ArcSingle::from_inner(self.0.write_with(build))
    }
}

impl<T, L: IndexType> core::fmt::Debug for Reserved<T, L> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reserved").finish_non_exhaustive()
    }
}

mod private {
    pub trait Sealed {}
    impl<T, L: crate::IndexType, const N: usize> Sealed for crate::Allocator<T, L, N> {}
}

impl<T, L: IndexType, const N: usize> Pool<T> for Allocator<T, L, N> {
    type Index = L;
    const CHUNK: usize = N;

    fn new_pool() -> Self {
        Allocator::new()
    }
    #[inline]
    fn alloc_value(&mut self, value: T) -> ArcSingle<T, L> {
        Allocator::alloc_value(self, value)
    }
    #[inline]
    fn alloc_single(&mut self, init: impl FnOnce() -> T) -> ArcSingle<T, L> {
        Allocator::alloc_single(self, init)
    }
    #[inline]
    fn alloc_from_iter<I: IntoIterator<Item = T>>(&mut self, iter: I) -> ArcSlice<T, L> {
        Allocator::alloc_from_iter(self, iter)
    }
    #[inline]
    fn alloc_vec(&mut self, items: Vec<T>) -> ArcSlice<T, L> {
        Allocator::alloc_vec(self, items)
    }
    #[inline]
    fn alloc_slice_copy(&mut self, src: &[T]) -> ArcSlice<T, L>
    where
        T: Copy,
    {
        Allocator::alloc_slice_copy(self, src)
    }
    #[inline]
    fn alloc_slice_clone(&mut self, src: &[T]) -> ArcSlice<T, L>
    where
        T: Clone,
    {
        Allocator::alloc_slice_clone(self, src)
    }
    #[inline]
    fn slice_builder(&mut self, capacity: usize) -> SliceBuilder<T, L> {
        Allocator::slice_builder(self, capacity)
    }
    fn stats(&self) -> AllocatorStats {
        Allocator::stats(self)
    }
    #[inline]
    fn break_cycles(&mut self) {
        Allocator::break_cycles(self)
    }
    #[inline]
    fn alloc_value_checked(&mut self, value: T) -> Result<ArcSingle<T, L>, AllocError> {
        Allocator::alloc_value_checked(self, value)
    }
    fn alloc_slice_copy_checked(&mut self, src: &[T]) -> Result<ArcSlice<T, L>, AllocError>
    where
        T: Copy,
    {
        Allocator::alloc_slice_copy_checked(self, src)
    }
    fn alloc_slice_clone_checked(&mut self, src: &[T]) -> Result<ArcSlice<T, L>, AllocError>
    where
        T: Clone,
    {
        Allocator::alloc_slice_clone_checked(self, src)
    }
    fn set_allocation_limit(&mut self, limit: Option<usize>) {
        Allocator::set_allocation_limit(self, limit)
    }
    fn allocation_limit(&self) -> Option<usize> {
        Allocator::allocation_limit(self)
    }
    fn allocated_bytes(&self) -> usize {
        Allocator::allocated_bytes(self)
    }
    #[inline(always)]
    fn __try_reserve(&mut self) -> Option<Reserved<T, L>> {
        Allocator::try_reserve_single(self).map(Reserved)
    }
    fn __reserve_cyclic(&mut self) -> CyclicCell<T, L> {
        Allocator::reserve_cyclic(self)
    }
    fn __grow_builder(&mut self, builder: &mut SliceBuilder<T, L>, additional: usize) {
        Allocator::grow_builder(self, builder, additional)
    }
    #[cfg(feature = "std")]
    fn __slice_builder_with_home(&mut self, capacity: usize) -> SliceBuilder<T, L> {
        Allocator::slice_builder_with_home(self, capacity)
    }
    #[cfg(feature = "std")]
    fn __reserve_making_room(&mut self) -> Option<Reserved<T, L>> {
        Allocator::reserve_single(self).map(Reserved)
    }
    fn __trim_builder(&mut self, builder: &mut SliceBuilder<T, L>) {
        Allocator::trim_builder(self, builder)
    }
}

/// A struct of pools (made by `#[arena]`) that holds a pool of `T`.
///
/// The struct's `alloc`, `alloc_from_iter`, ... methods pick the pool by the
/// element type through this trait.
///
/// # Examples
///
/// ```
/// use arena_arc::{arena, ArcSlice, ArenaHas, Pool};
///
/// #[arena(chunk = 64)]
/// struct Tables {
///     ids: u32,
///     names: u8,
/// }
///
/// // Any struct of pools that has a pool of `u32`.
/// fn ids<A: ArenaHas<u32>>(arena: &mut A) -> ArcSlice<u32, A::Index> {
///     arena.pool_mut().alloc_slice_copy(&[7, 8, 9])
/// }
///
/// let mut tables = Tables::new();
/// assert_eq!(ids(&mut tables), [7, 8, 9]);
/// assert_eq!(tables.ids.stats().elements, 3);
/// ```
pub trait ArenaHas<T> {
    /// The index type of the struct's handles.
    type Index: IndexType;
    /// The pool of `T`.
    type Pool: Pool<T, Index = Self::Index>;
    /// The pool of `T`, ready to allocate (cycle-aware: see
    /// [`Allocator::break_cycles`]).
    fn pool_mut(&mut self) -> &mut Self::Pool;
}

/// A type with a per-thread pool: `T::alloc(value)` needs no pool argument.
///
/// `#[derive(ArenaAlloc)]` implements it for non-generic types; the
/// primitive numbers, `bool` and `char` have one too (chunks of 4096 for
/// `u8`, 1024 otherwise), so `ArcSlice<u8>` fields take byte strings, and
/// so do the handle types (`ArcSingle<T>`, `ArcSlice<T>`, `WeakSingle<T>`,
/// `WeakSlice<T>`, `ArcStr`, `WeakStr`, `Interned<T>`, `Symbol`; chunks of
/// 1024, with the handle's own index type), so `ArcSlice<ArcSingle<Node>>`
/// and `ArcSlice<WeakSingle<Node>>` fields need no newtype.
///
/// Each thread has its own pool per type, created on first use; handles
/// outlive it. When the pool is busy (an allocation made while the same
/// pool is allocating on this thread, e.g. from a `Drop`) or already gone
/// (during thread teardown), a temporary pool is used instead.
///
/// # Examples
///
/// ```
/// use arena_arc::{ArcSlice, ArenaAlloc};
///
/// let bytes: ArcSlice<u8> = u8::alloc_from_iter(*b"hello");
/// assert_eq!(&*bytes, b"hello");
/// let squares = u32::alloc_slice(4, |i| (i * i) as u32);
/// assert_eq!(squares, [0, 1, 4, 9]);
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no per-thread pool",
    label = "no per-thread pool",
    note = "add `#[derive(ArenaAlloc)]` to the type (it must be concrete and `'static`), or allocate in an explicit pool: `Allocator::alloc_value`"
)]
pub trait ArenaAlloc: ArenaType + 'static {
    /// The per-thread pool's type: `Allocator<Self, Self::Index, Self::CHUNK>`.
    type Pool: Pool<Self, Index = Self::Index>;

    /// Where this thread's pool is. Generated by the derive macro; call the
    /// methods below instead.
    #[doc(hidden)]
    fn __per_thread() -> PoolKey<Self::Pool>;

    /// Runs `f` on this thread's pool (or a temporary one, see the trait
    /// docs); call the methods below instead.
    #[doc(hidden)]
    #[inline]
    fn __with_pool<R>(f: impl FnOnce(&mut Self::Pool) -> R) -> R {
        with_pool(Self::__per_thread(), f)
    }

    /// Reserves the cell of one value in this thread's pool when it is free
    /// and has room (the hot path of [`ArenaAlloc::alloc`] and the generated
    /// constructors, which otherwise call `__private::alloc_with_cold`).
    #[doc(hidden)]
    #[inline(always)]
    fn __reserve() -> Option<Reserved<Self, Self::Index>> {
        try_reserve_per_thread(Self::__per_thread())
    }

    /// Allocates `value` in this thread's pool (or the pool standing in for
    /// it, see [`PoolScope`](crate::PoolScope)).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// let answer = u64::alloc(42);
    /// assert_eq!(*answer, 42);
    /// ```
    #[inline]
    fn alloc(value: Self) -> ArcSingle<Self, Self::Index> {
        alloc_value(value)
    }

    /// Allocates the value `build` makes, building it straight into its
    /// slot in this thread's pool (or the pool standing in for it), like
    /// bumpalo's `Bump::alloc_with`: a value larger than the stack can be
    /// allocated so, in optimised builds, when `build` is a closure that
    /// makes it (the compiler writes the result where it goes). The pool is
    /// free meanwhile: `build` may allocate in it. If `build` panics,
    /// nothing is allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// #[derive(ArenaAlloc)]
    /// struct Page([u8; 4096]);
    ///
    /// let page = Page::alloc_with(|| Page([7; 4096]));
    /// assert!(page.0.iter().all(|&b| b == 7));
    /// ```
    #[inline]
    fn alloc_with(build: impl FnOnce() -> Self) -> ArcSingle<Self, Self::Index> {
        match Self::__reserve() {
            Some(cell) => cell.write_with(build),
            None => alloc_with_cold(build),
        }
    }

    /// Allocates the value `build` makes from a weak handle to itself, like
    /// `Arc::new_cyclic`: a node that points back at itself, or whose
    /// children point back at it, without a strong cycle. The weak handle
    /// does not upgrade until `build` has returned; clones of it kept in
    /// the value upgrade from then on. The pool is free meanwhile: `build`
    /// may allocate (the node's children) in it.
    ///
    /// If `build` panics, nothing is allocated and the weak handles made
    /// never upgrade.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArcSlice, ArenaAlloc, WeakSingle};
    ///
    /// #[derive(ArenaAlloc)]
    /// struct Block {
    ///     name: &'static str,
    ///     parent: WeakSingle<Block>,
    ///     children: ArcSlice<Block>,
    /// }
    ///
    /// let root = Block::alloc_cyclic(|me| {
    ///     assert!(me.upgrade().is_none()); // not built yet
    ///     let child = Block { name: "child", parent: me.clone(), children: ArcSlice::empty() };
    ///     Block { name: "root", parent: WeakSingle::new(), children: Block::alloc_from_iter([child]) }
    /// });
    /// let parent = root.children[0].parent.upgrade().unwrap();
    /// assert!(ArcSingle::ptr_eq(&parent, &root));
    /// ```
    fn alloc_cyclic(
        build: impl FnOnce(&WeakSingle<Self, Self::Index>) -> Self,
    ) -> ArcSingle<Self, Self::Index> {
        if scope::any_open()
            && let Some(cell) = scope::try_reserve_cyclic::<Self, Self::Index>()
        {
            return cell.build(build);
        }
        Self::__with_pool(|pool| pool.__reserve_cyclic()).build(build)
    }

    /// Allocates a copy of `src` as one slice in this thread's pool (or the
    /// pool standing in for it): one `memcpy`.
    ///
    /// # Panics
    ///
    /// Panics if `src.len()` does not fit `Self::Index`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// let pixels = u32::alloc_slice_copy(&[0xff0000, 0x00ff00]);
    /// assert_eq!(pixels, [0xff0000, 0x00ff00]);
    /// ```
    #[track_caller]
    fn alloc_slice_copy(src: &[Self]) -> ArcSlice<Self, Self::Index>
    where
        Self: Copy,
    {
        // A scoped pool of this type takes a copy; without one (`Err`),
        // this thread's pool copies straight from `src`.
        if scope::any_open()
            && let Ok(handle) = scope::try_alloc_vec::<Self, Self::Index>(src.to_vec())
        {
            return handle;
        }
        Self::__with_pool(|pool| pool.alloc_slice_copy(src))
    }

    /// Allocates clones of the elements of `src` as one slice in this
    /// thread's pool (or the pool standing in for it). The clones are
    /// written in place, and the pool is free meanwhile (a `clone` may
    /// allocate in it).
    ///
    /// # Panics
    ///
    /// Panics if `src.len()` does not fit `Self::Index`. If a `clone`
    /// panics, the clones already made are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// let a = ArcSingle::new(1u64);
    /// let both = ArcSingle::<u64>::alloc_slice_clone(&[a.clone(), a.clone()]);
    /// assert!(ArcSingle::ptr_eq(&both[0], &a));
    /// ```
    #[track_caller]
    fn alloc_slice_clone(src: &[Self]) -> ArcSlice<Self, Self::Index>
    where
        Self: Clone,
    {
        let mut slice = Self::slice_builder(src.len());
        for item in src {
            slice.push(item.clone());
        }
        slice.finish()
    }

    /// Moves the items of `items` into one slice in this thread's pool (no
    /// intermediate copy).
    ///
    /// # Panics
    ///
    /// Panics if `items.len()` does not fit `Self::Index`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// let digits = u8::alloc_vec(b"0123".to_vec());
    /// assert_eq!(digits, *b"0123");
    /// ```
    #[track_caller]
    fn alloc_vec(mut items: Vec<Self>) -> ArcSlice<Self, Self::Index> {
        if scope::any_open() {
            match scope::try_alloc_vec::<Self, Self::Index>(items) {
                Ok(handle) => return handle,
                // No scope for this type: this thread's pool after all.
                Err(unused) => items = unused,
            }
        }
        Self::__with_pool(|pool| pool.alloc_vec(items))
    }

    /// Allocates `len` values, value `i` being `init(i)`. `init` may itself
    /// allocate from this pool (the values are made before the pool is
    /// used).
    ///
    /// # Panics
    ///
    /// Panics if `len` does not fit `Self::Index`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// assert_eq!(i32::alloc_slice(3, |i| -(i as i32)), [0, -1, -2]);
    /// ```
    #[track_caller]
    fn alloc_slice(len: usize, mut init: impl FnMut(usize) -> Self) -> ArcSlice<Self, Self::Index> {
        let mut slice = Self::slice_builder(len);
        for i in 0..len {
            slice.push(init(i));
        }
        slice.finish()
    }

    /// Reserves room for a slice of up to `capacity` values in this
    /// thread's pool (or the pool standing in for it) and returns a
    /// [`SliceBuilder`] that writes them in place. The pool stays free
    /// meanwhile: the values pushed may allocate their own children in it.
    ///
    /// # Panics
    ///
    /// Panics if `capacity` does not fit `Self::Index`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSlice, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc)]
    /// struct Dir {
    ///     name: &'static str,
    ///     entries: ArcSlice<Dir>,
    /// }
    ///
    /// let mut entries = Dir::slice_builder(2);
    /// for name in ["src", "tests"] {
    ///     // Each entry's own (empty) slice comes from the same pool.
    ///     entries.push(Dir { name, entries: Dir::alloc_from_iter([]) });
    /// }
    /// let root = Dir::alloc(Dir { name: "/", entries: entries.finish() });
    /// assert_eq!(root.entries[1].name, "tests");
    /// ```
    #[track_caller]
    fn slice_builder(capacity: usize) -> SliceBuilder<Self, Self::Index> {
        let builder = if scope::any_open()
            && let Some(builder) = scope::try_slice_builder::<Self, Self::Index>(capacity)
        {
            builder
        } else {
            Self::__with_pool(|pool| pool.__slice_builder_with_home(capacity))
        };
        builder.with_home(per_thread_home::<Self>)
    }

    /// Allocates the items of `iter` as one slice. The iterator may itself
    /// allocate from this pool (it runs before the pool is used).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// let odd = u16::alloc_from_iter((0..10).filter(|x| x % 2 == 1));
    /// assert_eq!(odd, [1, 3, 5, 7, 9]);
    /// ```
    #[track_caller]
    fn alloc_from_iter(iter: impl IntoIterator<Item = Self>) -> ArcSlice<Self, Self::Index> {
        let mut iter = iter.into_iter();
        match iter.size_hint() {
            // An exact length: the items go straight into their slots.
            (lower, Some(upper))
                if lower == upper
                    && lower <= <Self::Index as crate::index::private::Sealed>::MAX_USIZE =>
            {
                let mut slice = Self::slice_builder(lower);
                if let Some(extra) = slice.push_until_full(&mut iter) {
                    // More than promised: start over in a `Vec`.
                    let items = slice.spill(extra);
                    return Self::alloc_vec(collect_untrusted(items, iter));
                }
                slice.finish()
            }
            (lower, _) => {
                let items = collect_untrusted(Vec::with_capacity(lower.min(4096)), iter);
                Self::alloc_vec(items)
            }
        }
    }

    /// The value equal to `value` in this type's process-wide interning
    /// table, interned now if there is none (then `value` is moved into the
    /// table's pool; otherwise it is dropped). For types with
    /// `#[arena(intern)]` (see [`Intern`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArenaAlloc, Interned};
    ///
    /// #[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
    /// #[arena(intern)]
    /// struct Path(Vec<String>);
    ///
    /// let a = Path::intern(Path(vec!["std".into(), "mem".into()]));
    /// let b = std::thread::spawn(|| Path::intern(Path(vec!["std".into(), "mem".into()])))
    ///     .join()
    ///     .unwrap();
    /// assert!(Interned::ptr_eq(&a, &b)); // the same value, whichever thread interns
    /// ```
    #[inline]
    fn intern(value: Self) -> Interned<Self, Self::Index>
    where
        Self: Intern,
    {
        Self::__intern_table().intern(value)
    }

    /// What this type's interning table holds: its entries and its pools'
    /// statistics. For types with `#[arena(intern)]` (see [`Intern`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// #[derive(ArenaAlloc, PartialEq, Eq, Hash)]
    /// #[arena(intern)]
    /// struct Word(String);
    ///
    /// for i in 0..1_000 {
    ///     drop(Word::intern(Word(i.to_string()))); // interned, then dropped
    /// }
    /// // Dropped values leave the table: it stays small (at most 16 entries
    /// // in each of its 16 shards, see `InternStats::entries`).
    /// assert!(Word::intern_stats().entries <= 256);
    /// ```
    fn intern_stats() -> InternStats
    where
        Self: Intern,
    {
        Self::__intern_table().stats()
    }

    /// Drops the dead entries of this type's interning table now (those of
    /// values nobody holds any more), with the memory of the values' chunks
    /// that only they kept: the table shrinks to its live values. Returns
    /// how many entries were dropped. The table also sweeps itself as it
    /// grows (see [`InternStats::entries`]); this is for after a burst.
    /// For types with `#[arena(intern)]` (see [`Intern`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// #[derive(ArenaAlloc, PartialEq, Eq, Hash)]
    /// #[arena(intern)]
    /// struct Word(String);
    ///
    /// let kept = Word::intern(Word("kept".into()));
    /// let burst: Vec<_> = (0..100).map(|i| Word::intern(Word(i.to_string()))).collect();
    /// drop(burst);
    /// assert_eq!(Word::intern_stats().live_entries, 1);
    /// Word::intern_sweep();
    /// assert_eq!(Word::intern_stats().entries, 1); // `kept`'s
    /// # drop(kept);
    /// ```
    fn intern_sweep() -> usize
    where
        Self: Intern,
    {
        Self::__intern_table().sweep()
    }

    /// Statistics of this thread's pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// std::thread::spawn(|| {
    ///     let _kept = u128::alloc_from_iter([1, 2, 3]);
    ///     assert_eq!(u128::pool_stats().elements, 3);
    /// })
    /// .join()
    /// .unwrap();
    /// ```
    fn pool_stats() -> AllocatorStats {
        Self::__with_pool(|pool| pool.stats())
    }

    /// Sets (or with `None` removes) the allocation limit of this thread's
    /// pool of `Self`: see [`Allocator::set_allocation_limit`]. Other
    /// threads' pools, and pools standing in for this one (a
    /// [`PoolScope`](crate::PoolScope), a temporary pool while this one is
    /// busy), keep their own limits.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// #[derive(ArenaAlloc)]
    /// #[arena(chunk = 64)]
    /// struct Row(u64, String);
    ///
    /// std::thread::spawn(|| {
    ///     Row::set_allocation_limit(Some(16 * 1024));
    ///     assert_eq!(Row::allocation_limit(), Some(16 * 1024));
    ///     let mut rows = Vec::new();
    ///     let err = loop {
    ///         match Row::alloc_checked(Row(7, "seven".into())) {
    ///             Ok(row) => rows.push(row),
    ///             Err(err) => break err,
    ///         }
    ///     };
    ///     assert!(err.is_limit());
    ///     assert!(Row::allocated_bytes() <= 16 * 1024);
    ///     drop(rows); // their memory is freed: room again
    ///     assert!(Row::alloc_checked(Row(8, "eight".into())).is_ok());
    /// })
    /// .join()
    /// .unwrap();
    /// ```
    fn set_allocation_limit(limit: Option<usize>) {
        Self::__with_pool(|pool| pool.set_allocation_limit(limit))
    }

    /// The allocation limit of this thread's pool of `Self`.
    fn allocation_limit() -> Option<usize> {
        Self::__with_pool(|pool| pool.allocation_limit())
    }

    /// The bytes of chunk memory this thread's pool of `Self` holds, which
    /// its limit bounds: see [`Allocator::allocated_bytes`].
    fn allocated_bytes() -> usize {
        Self::__with_pool(|pool| pool.allocated_bytes())
    }

    /// [`ArenaAlloc::alloc`], or an error if the chunk it needs cannot be
    /// made: a limit ([`ArenaAlloc::set_allocation_limit`], or the
    /// standing-in pool's) or the global allocator refuses it. `value` is
    /// dropped then; the pool is as it was.
    ///
    /// # Errors
    ///
    /// [`AllocError`], when the chunk cannot be made.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// let answer = u64::alloc_checked(42).expect("no limit was set");
    /// assert_eq!(*answer, 42);
    /// ```
    fn alloc_checked(value: Self) -> Result<ArcSingle<Self, Self::Index>, AllocError> {
        let value = if scope::any_open() {
            match scope::try_alloc_checked::<Self, Self::Index>(value) {
                Ok(result) => return result,
                Err(value) => value,
            }
        } else {
            value
        };
        Self::__with_pool(|pool| pool.alloc_value_checked(value))
    }

    /// [`ArenaAlloc::alloc_slice_copy`], or an error if the chunk it needs
    /// cannot be made. Always in this thread's pool of `Self` (or a
    /// temporary one while it is busy), also inside a
    /// [`PoolScope`](crate::PoolScope): a scoped pool takes its slices
    /// through [`Pool::alloc_slice_copy_checked`].
    ///
    /// # Errors
    ///
    /// [`AllocError`], when the chunk cannot be made.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// std::thread::spawn(|| {
    ///     u16::set_allocation_limit(Some(64 * 1024));
    ///     assert_eq!(u16::alloc_slice_copy_checked(&[1, 2]).unwrap(), [1, 2]);
    ///     assert!(u16::alloc_slice_copy_checked(&[0; 1 << 16]).is_err());
    /// })
    /// .join()
    /// .unwrap();
    /// ```
    fn alloc_slice_copy_checked(src: &[Self]) -> Result<ArcSlice<Self, Self::Index>, AllocError>
    where
        Self: Copy,
    {
        Self::__with_pool(|pool| pool.alloc_slice_copy_checked(src))
    }
}

/// How a builder of `T`'s per-thread pool reaches it (or the pool standing
/// in for it now): makes room for `additional` more elements, or with
/// `None` gives the room not used back. Through the scoped pool of `T` if one
/// is open, else through this thread's pool.
#[cfg(feature = "std")]
#[track_caller]
fn per_thread_home<T: ArenaAlloc>(builder: &mut SliceBuilder<T, T::Index>, op: Option<usize>) {
    match op {
        Some(additional) => {
            if scope::any_open() && scope::try_grow_builder(builder, additional) {
                return;
            }
            T::__with_pool(|pool| pool.__grow_builder(builder, additional));
        }
        None => {
            if scope::any_open() && scope::try_trim_builder(builder) {
                return;
            }
            T::__with_pool(|pool| pool.__trim_builder(builder));
        }
    }
}

/// Allocates `items` as one slice in `T`'s per-thread pool (or the pool
/// standing in for it), moving them straight in. (Used by the serde support
/// and `From<[T; N]>`.)
#[cfg(feature = "std")]
pub(crate) fn alloc_array<T: ArenaAlloc, const K: usize>(items: [T; K]) -> ArcSlice<T, T::Index> {
    if scope::any_open() {
        return T::alloc_vec(Vec::from(items));
    }
    T::__with_pool(|pool| pool.alloc_from_iter(items))
}

/// What a constructor parameter for an `ArcSingle<U, L>` field accepts: the
/// handle itself, or a `U` to allocate in `U`'s per-thread pool.
///
/// # Examples
///
/// ```
/// use arena_arc::{ArcSingle, IntoArcSingle};
///
/// fn boxed(x: impl IntoArcSingle<u64, u32>) -> ArcSingle<u64> {
///     x.into_arc_single()
/// }
/// let a = boxed(7);
/// let b = boxed(a.clone());
/// assert!(ArcSingle::ptr_eq(&a, &b));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as an `ArcSingle<{U}, {L}>`",
    label = "expected an `ArcSingle<{U}, {L}>`, or a `{U}` whose pool uses index type `{L}`",
    note = "a `{U}` value is accepted only when `{U}` has a per-thread pool (`#[derive(ArenaAlloc)]`)"
)]
pub trait IntoArcSingle<U, L: IndexType> {
    /// The handle, allocating if needed.
    fn into_arc_single(self) -> ArcSingle<U, L>;
}

impl<U, L: IndexType> IntoArcSingle<U, L> for ArcSingle<U, L> {
    #[inline]
    fn into_arc_single(self) -> ArcSingle<U, L> {
        self
    }
}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<U: ArenaAlloc<Index = L>, L: IndexType> IntoArcSingle<U, L> for U {
    #[inline]
    fn into_arc_single(self) -> ArcSingle<U, L> {
        U::alloc(self)
    }
}

/// What a constructor parameter for an `ArcSlice<U, L>` field accepts: a
/// slice or single handle, or anything iterable over `U` (an array, a `Vec`,
/// an iterator), allocated in `U`'s per-thread pool.
///
/// # Examples
///
/// ```
/// use arena_arc::{ArcSlice, IntoArcSlice};
///
/// fn args(x: impl IntoArcSlice<u8, u32>) -> ArcSlice<u8> {
///     x.into_arc_slice()
/// }
/// assert_eq!(args(*b"abc"), *b"abc");
/// assert_eq!(args(vec![1, 2]), [1, 2]);
/// assert_eq!(args((0..3).map(|i| i * 2)), [0, 2, 4]);
/// let existing = args([9]);
/// assert!(ArcSlice::ptr_eq(&args(existing.clone()), &existing));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as an `ArcSlice<{U}, {L}>`",
    label = "expected an `ArcSlice<{U}, {L}>`, or an array, `Vec` or iterator of `{U}` whose pool uses index type `{L}`",
    note = "plain values are accepted only when `{U}` has a per-thread pool (`#[derive(ArenaAlloc)]`)"
)]
pub trait IntoArcSlice<U, L: IndexType> {
    /// The handle, allocating if needed.
    fn into_arc_slice(self) -> ArcSlice<U, L>;
}

impl<U, L: IndexType> IntoArcSlice<U, L> for ArcSlice<U, L> {
    #[inline]
    fn into_arc_slice(self) -> ArcSlice<U, L> {
        self
    }
}

impl<U, L: IndexType> IntoArcSlice<U, L> for ArcSingle<U, L> {
    #[inline]
    fn into_arc_slice(self) -> ArcSlice<U, L> {
        self.into()
    }
}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<U: ArenaAlloc<Index = L>, L: IndexType, I: IntoIterator<Item = U>> IntoArcSlice<U, L> for I {
    #[inline]
    fn into_arc_slice(self) -> ArcSlice<U, L> {
        U::alloc_from_iter(self)
    }
}

/// Allocates `value` in `T`'s per-thread pool (or the pool standing in for
/// it): `T::alloc` and the generated constructors.
///
/// The hot path writes the value when the pool is free (not in use further
/// up the stack, no scope of `T` open) and its chunk has room, marking
/// nothing (see `PerThreadPool`); everything else goes the general way.
#[cfg(feature = "std")]
#[inline(always)]
fn alloc_value<T: ArenaAlloc>(value: T) -> ArcSingle<T, T::Index> {
    match T::__reserve() {
        Some(cell) => cell.write(value),
        None => alloc_with_cold(move || value),
    }
}

/// [`ArenaAlloc::alloc_with`] (and `T::alloc`) when the pool is not free,
/// has no room, or is gone: `build()` is built in its slot there, a cell
/// reserved before `build` runs, so that `build` finds the pool free. (The
/// generated constructors call it too; not for direct use.)
#[cfg(feature = "std")]
#[cold]
#[inline(never)]
pub fn alloc_with_cold<T: ArenaAlloc>(build: impl FnOnce() -> T) -> ArcSingle<T, T::Index> {
    let build = if scope::any_open() {
        match scope::try_alloc_with::<T, T::Index, _>(build) {
            Ok(handle) => return handle,
            // No scope for this type: this thread's pool after all.
            Err(unused) => unused,
        }
    } else {
        build
    };
    match T::__with_pool(|pool| pool.__reserve_making_room()) {
        Some(cell) => cell.write_with(build),
        None => alloc_single_cold::<T>(build),
    }
}

/// [`alloc_with_cold`] for types no cell can be reserved for (aligned to
/// more than 2 MiB). A function of its own: inlined, its call of `build`
/// could share a stack temporary with the other one, in place of the slot.
#[cfg(feature = "std")]
#[cold]
#[inline(never)]
fn alloc_single_cold<T: ArenaAlloc>(build: impl FnOnce() -> T) -> ArcSingle<T, T::Index> {
    T::__with_pool(|pool| pool.alloc_single(build))
}

/// Runs `f` on the pool in `key`, or on a temporary pool (cycle-aware) when
/// that one is busy (re-entrant use on this thread) or destroyed (thread
/// teardown). Per-thread pools are made by [`PerThreadPool::new`], so they
/// break cycles from the start.
#[cfg(feature = "std")]
#[inline(always)]
pub(crate) fn with_pool<T, P: Pool<T> + 'static, R, F: FnOnce(&mut P) -> R>(
    key: PoolKey<P>,
    f: F,
) -> R {
    match run_per_thread(key, f) {
        Ok(result) => result,
        Err(f) => with_temporary_pool(f),
    }
}

/// [`with_pool`] when this thread's pool is busy or gone.
#[cfg(feature = "std")]
#[cold]
#[inline(never)]
fn with_temporary_pool<T, P: Pool<T>, R>(f: impl FnOnce(&mut P) -> R) -> R {
    let mut pool = P::new_pool();
    pool.break_cycles();
    f(&mut pool)
}

/// Allocates `build()` in `pool`, cycle-aware, building the value straight
/// into its slot: the `_in` constructors call this with a closure that
/// assembles the variant from their arguments, and
/// [`ArenaType::alloc_in`] with a plain value. (If `build` panics after the
/// slot was reserved, the slot stays unused.)
#[inline]
#[track_caller]
pub fn build_in<T, P: Pool<T>>(pool: &mut P, build: impl FnOnce() -> T) -> ArcSingle<T, P::Index> {
    // A pool that can reserve a cell breaks cycles already (or its type has
    // no drop glue, when it need not).
    if let Some(cell) = pool.__try_reserve() {
        return cell.write_with(build);
    }
    pool.break_cycles();
    pool.alloc_single(build)
}

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<T: ArenaAlloc<Index = L>, L: IndexType, const N: usize> PoolScope for Allocator<T, L, N> {
    fn scope<R>(&mut self, f: impl FnOnce() -> R) -> R {
        scope::run_scoped(self, f)
    }
}

macro_rules! primitive_pools {
    ($($t:ty => $chunk:expr),* $(,)?) => {$(
        impl ArenaType for $t {
            type Index = u32;
            const CHUNK: usize = $chunk;
        }
        #[cfg(feature = "std")]
        impl ArenaAlloc for $t {
            type Pool = Allocator<$t, u32, $chunk>;
            #[inline(always)]
            fn __per_thread() -> PoolKey<Self::Pool> {
                std::thread_local! {
                    static POOL: PerThreadPool<Allocator<$t, u32, $chunk>> =
                        const { PerThreadPool::new() };
                }
                PoolKey::local(&POOL)
            }
        }
    )*};
}

primitive_pools!(
    u8 => 4096, u16 => 1024, u32 => 1024, u64 => 1024, u128 => 1024, usize => 1024,
    i8 => 4096, i16 => 1024, i32 => 1024, i64 => 1024, i128 => 1024, isize => 1024,
    f32 => 1024, f64 => 1024, bool => 4096, char => 1024,
);

/// The chunk size of the per-thread pools of handle types.
const HANDLE_CHUNK: usize = 1024;

/// Handles are element types like any other: `ArcSlice<ArcSingle<Node>>`,
/// `ArcSlice<WeakSingle<Block>>` or `ArcSlice<ArcStr>` fields need no
/// newtype. Their per-thread pools live in this thread's registry of
/// generic pools (a `static` cannot be generic), one per handle type, with
/// the handle's own index type.
macro_rules! handle_pools {
    ($([$($generics:tt)*] $t:ty => $index:ty),* $(,)?) => {$(
        impl<$($generics)*> ArenaType for $t {
            type Index = $index;
            const CHUNK: usize = HANDLE_CHUNK;
        }
        #[cfg(feature = "std")]
        impl<$($generics)*> ArenaAlloc for $t
        where
            Self: 'static,
        {
            type Pool = Allocator<$t, $index, HANDLE_CHUNK>;
            #[inline(always)]
            fn __per_thread() -> PoolKey<Self::Pool> {
                PoolKey::registry()
            }
        }
    )*};
}

handle_pools!(
    [T, L: IndexType] ArcSingle<T, L> => L,
    [T, L: IndexType] ArcSlice<T, L> => L,
    [T, L: IndexType] WeakSingle<T, L> => L,
    [T, L: IndexType] WeakSlice<T, L> => L,
    [L: IndexType] ArcStr<L> => L,
    [L: IndexType] WeakStr<L> => L,
);

#[cfg(feature = "std")]
handle_pools!(
    [T, L: IndexType] Interned<T, L> => L,
    [] crate::intern::Symbol => u32,
);
