//! [`Allocator`]: the bump allocator that hands out handles.

use alloc::vec::Vec;
use core::fmt;

use crate::builder::SliceBuilder;
use crate::chunk::{ArenaLimit, Bump, RawStr, ReservedSingle};
use crate::error::{AllocError, Raise, RaiseOr, never_fails};
use crate::handles::{ArcSingle, ArcSlice, ArcStr, WeakSingle};
use crate::index::IndexType;
use crate::pools::CyclicCell;
use crate::stats::AllocatorStats;

/// A bump allocator for values of type `T` that hands out reference-counted
/// handles ([`ArcSlice`], [`ArcSingle`]).
///
/// - `T`: the element type.
/// - `L`: the [`IndexType`] handles store offsets and lengths in (default
///   `u32`; `ArcSlice<T, u32>` is 16 bytes, like `Arc<[T]>`).
/// - `N`: the chunk size in elements (default 256).
///
/// Elements are written into chunks of `N` slots. A chunk is freed, and its
/// elements dropped, when the allocator and every handle into it are gone:
/// handles outlive the allocator, and need no lifetime parameter. After
/// [`Allocator::break_cycles`] (what the derive's pools and `#[arena]`
/// structs do) each allocation is counted on its own instead, and its
/// elements are dropped when its last handle goes: see the crate docs on
/// ownership.
///
/// Placement, exactly as in arena-arc 0.1.2:
///
/// - the first request of at most `N` elements starts the first chunk;
/// - a request that fits the current chunk goes there;
/// - a request longer than `N` gets a dedicated chunk of exactly its length,
///   and the current chunk stays current;
/// - otherwise a new chunk of `N` is started, and it becomes current only if
///   it leaves more room than the old one;
/// - zero-length requests allocate nothing.
///
/// `N` must not exceed what `L` can address: `Allocator<T, u16, 100_000>` is
/// rejected at compile time.
///
/// ```compile_fail,E0080
/// // error[E0080]: the chunk size N of Allocator<T, L, N> is larger than the index type L can address
/// let alloc = arena_arc::Allocator::<u8, u16, 100_000>::new();
/// ```
///
/// The allocator is `Send` and `Sync` when `T: Send + Sync`, so it can move
/// to a worker thread; allocating needs `&mut self`.
///
/// # Examples
///
/// ```
/// use arena_arc::{Allocator, ArcSlice};
///
/// let mut alloc: Allocator<u32> = Allocator::new();
/// let squares = alloc.alloc(5, |i| (i * i) as u32);
/// let copied = alloc.alloc_slice_copy(&[7, 8, 9]);
/// drop(alloc); // the handles keep their chunk alive
///
/// assert_eq!(&*squares, &[0, 1, 4, 9, 16]);
/// let tail: ArcSlice<u32> = copied.slice(1..);
/// assert_eq!(tail, [8, 9]);
/// ```
pub struct Allocator<T, L: IndexType = u32, const N: usize = 256> {
    bump: Bump<T, L, N>,
}

impl<T, L: IndexType, const N: usize> fmt::Debug for Allocator<T, L, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Allocator")
            .field("T", &core::any::type_name::<T>())
            .field("L", &core::any::type_name::<L>())
            .field("N", &N)
            .field("stats", &self.stats())
            .finish()
    }
}

impl<T, L: IndexType, const N: usize> Default for Allocator<T, L, N> {
    /// Same as [`Allocator::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl<T, L: IndexType, const N: usize> Allocator<T, L, N> {
    /// The chunk size `N`, in elements.
    pub const CHUNK_SIZE: usize = N;

    /// Creates an allocator. No memory is allocated until the first
    /// non-empty allocation.
    ///
    /// # Examples
    ///
    /// ```
    /// let alloc: arena_arc::Allocator<String, u32, 64> = arena_arc::Allocator::new();
    /// assert_eq!(alloc.stats().chunks, 0);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        // Referenced here (as well as in `Bump::new`) so that a bad `N` is
        // reported at the caller's `Allocator::new` / `default`.
        #[allow(clippy::let_unit_value)]
        let () = Bump::<T, L, N>::FITS_INDEX;
        #[allow(clippy::let_unit_value)]
        let () = Bump::<T, L, N>::FITS_MEMORY;
        Allocator { bump: Bump::new() }
    }

    /// Reserves the cell of one value if the current chunk has room for it;
    /// runs no code outside this crate and cannot panic (the per-thread
    /// pools' hot path, see `chunk/local.rs`).
    #[inline(always)]
    pub(crate) fn try_reserve_single(&mut self) -> Option<ReservedSingle<T, L>> {
        self.bump.try_reserve_single()
    }

    /// [`Allocator::try_reserve_single`], making room if need be: a new
    /// current chunk, or a chunk of its own where the current one cannot
    /// hold the cell (see `Bump::reserve_single`). `None` only for types
    /// aligned to more than 2 MiB.
    #[cfg(feature = "std")]
    pub(crate) fn reserve_single(&mut self) -> Option<ReservedSingle<T, L>> {
        self.bump.reserve_single()
    }

    #[cfg(feature = "std")]
    /// An allocator that breaks cycles from the start (see
    /// [`Allocator::break_cycles`]), in a `const` context: the per-thread
    /// pools are made with it.
    pub(crate) const fn new_breaking_cycles() -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Bump::<T, L, N>::FITS_INDEX;
        #[allow(clippy::let_unit_value)]
        let () = Bump::<T, L, N>::FITS_MEMORY;
        Allocator {
            bump: Bump::new_breaking_cycles(),
        }
    }

    /// What the allocator has reserved and used so far.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u8, u32, 1024> = arena_arc::Allocator::new();
    /// let _hello = alloc.alloc_str("hello");
    /// assert_eq!(alloc.stats().bytes_used, 5);
    /// assert_eq!(alloc.stats().current_chunk_free, 1019);
    /// ```
    pub fn stats(&self) -> AllocatorStats {
        self.bump.stats()
    }

    /// Allocates a slice of `len` elements, element `i` initialised to
    /// `init(i)`.
    ///
    /// # Panics
    ///
    /// If `init` panics, the elements it already produced are dropped, the
    /// panic propagates, and the allocator stays usable. Panics if the chunk
    /// would exceed `isize::MAX` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// let evens = alloc.alloc(4, |i| (i * 2) as u32);
    /// assert_eq!(evens.get(), &[0, 2, 4, 6]);
    /// ```
    ///
    /// `init` may clone and drop handles, even into the chunk being written,
    /// but cannot allocate from the same allocator, which is borrowed:
    ///
    /// ```compile_fail,E0499
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// // error[E0499]: cannot borrow `alloc` as mutable more than once at a time
    /// let nested = alloc.alloc(2, |i| *alloc.alloc_value(i as u32));
    /// ```
    #[track_caller]
    pub fn alloc<F>(&mut self, len: L, init: F) -> ArcSlice<T, L>
    where
        F: FnMut(usize) -> T,
    {
        never_fails(self.fill_in::<Raise, F>(len.to_usize(), init))
    }

    /// [`Allocator::alloc`] of `len` elements (which fits `L`), an
    /// `AllocError` from making room becoming an `E` (for [`Raise`],
    /// raised): the panicking and the `_checked` forms.
    #[inline]
    #[track_caller]
    fn fill_in<E: From<AllocError>, F>(&mut self, len: usize, init: F) -> Result<ArcSlice<T, L>, E>
    where
        F: FnMut(usize) -> T,
    {
        // `init` moves into the closure: the slow path takes it in a
        // register, and the hot path keeps its captures in registers.
        let raw = self.bump.alloc_with(len, move |w| {
            w.fill_with(init);
            Ok::<(), E>(())
        })?;
        Ok(ArcSlice::from_inner(raw))
    }

    /// Allocates a slice of `len` elements initialised by a fallible `init`.
    ///
    /// # Errors
    ///
    /// Returns the first error `init` returns; the elements produced before
    /// it are dropped and nothing stays allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// let digits = alloc.try_alloc(3, |i| u8::try_from(i + 1));
    /// assert_eq!(digits.unwrap(), [1, 2, 3]);
    ///
    /// let err = alloc.try_alloc(300, |i| u8::try_from(i));
    /// assert!(err.is_err());
    /// ```
    #[track_caller]
    pub fn try_alloc<F, E>(&mut self, len: L, mut init: F) -> Result<ArcSlice<T, L>, E>
    where
        F: FnMut(usize) -> Result<T, E>,
    {
        let len = len.to_usize();
        let raw = self
            .bump
            .alloc_with(len, |w| {
                for i in 0..len {
                    w.push(init(i).map_err(RaiseOr)?);
                }
                Ok(())
            })
            .map_err(|RaiseOr(error)| error)?;
        Ok(ArcSlice::from_inner(raw))
    }

    /// Allocates one element initialised by `init`, built straight into its
    /// slot, like bumpalo's `Bump::alloc_with`: in optimised builds a value
    /// larger than the stack can be allocated so, when `init` is a closure
    /// that makes it. If `init` panics, nothing is allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<String> = arena_arc::Allocator::new();
    /// let s = alloc.alloc_single(|| "hi".repeat(2));
    /// assert_eq!(*s, "hihi");
    /// ```
    #[inline]
    pub fn alloc_single<F>(&mut self, init: F) -> ArcSingle<T, L>
    where
        F: FnOnce() -> T,
    {
        ArcSingle::from_inner(self.bump.alloc_one_with(init))
    }

    /// Allocates the value `build` makes from a weak handle to itself, like
    /// `Arc::new_cyclic`: for values that point back at themselves, or
    /// whose children point back at them, without a strong cycle. The weak
    /// handle does not upgrade until `build` has returned; clones of it
    /// kept in the value (or anywhere) upgrade from then on, while a strong
    /// handle lives.
    ///
    /// In a cycle-aware pool (see [`Allocator::break_cycles`]) the value
    /// goes where any value would. In a plain pool it gets a chunk of its
    /// own (counted in [`AllocatorStats::dedicated_chunks`](crate::AllocatorStats::dedicated_chunks)),
    /// laid out as in a cycle-aware pool: there is no value-level count in
    /// a plain chunk for the weak handle to find at zero while the value is
    /// being built.
    ///
    /// If `build` panics, nothing is allocated, and the weak handles made
    /// from it never upgrade.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle, WeakSingle};
    ///
    /// struct Gadget {
    ///     me: WeakSingle<Gadget>,
    /// }
    ///
    /// let mut pool: Allocator<Gadget> = Allocator::new();
    /// pool.break_cycles();
    /// let gadget = pool.alloc_cyclic(|me| {
    ///     assert!(me.upgrade().is_none()); // still being built
    ///     Gadget { me: me.clone() }
    /// });
    /// let again = gadget.me.upgrade().unwrap();
    /// assert!(ArcSingle::ptr_eq(&gadget, &again));
    /// ```
    pub fn alloc_cyclic<F>(&mut self, build: F) -> ArcSingle<T, L>
    where
        F: FnOnce(&WeakSingle<T, L>) -> T,
    {
        self.reserve_cyclic().build(build)
    }

    /// The cell behind [`Allocator::alloc_cyclic`].
    pub(crate) fn reserve_cyclic(&mut self) -> CyclicCell<T, L> {
        CyclicCell::new(self.bump.reserve_cyclic())
    }

    /// Allocates one element initialised by a fallible `init`. A slot holds
    /// a `T`, not a `Result`, so a `Result` larger than a page (4 KiB) is
    /// built in a heap buffer rather than on the stack (in optimised builds)
    /// and the value moved into its slot from there: values larger than the
    /// stack can be allocated so, like bumpalo's `Bump::alloc_try_with`.
    ///
    /// # Errors
    ///
    /// Returns `init`'s error; nothing is allocated then.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// let n = alloc.try_alloc_single(|| "42".parse::<u32>()).unwrap();
    /// assert_eq!(*n, 42);
    /// assert!(alloc.try_alloc_single(|| "x".parse::<u32>()).is_err());
    /// ```
    #[inline]
    pub fn try_alloc_single<F, E>(&mut self, init: F) -> Result<ArcSingle<T, L>, E>
    where
        F: FnOnce() -> Result<T, E>,
    {
        self.bump
            .try_alloc_one_with(init)
            .map(ArcSingle::from_inner)
    }

    /// From now on, count references per value: each allocation gets its
    /// own count, its elements are dropped as soon as the last handle to it
    /// goes, and handles stored inside elements keep only what they point
    /// to alive, never a whole chunk. Graphs of handles then free like
    /// `Arc` graphs: a tree whose nodes hold handles to their children, or
    /// nodes of several types in several pools pointing at each other, are
    /// freed when the last handle from outside goes; only cycles of strong
    /// handles leak (use [`WeakSingle`](crate::WeakSingle) for back-edges).
    ///
    /// Without it (0.1.2's model) all handles into a chunk share one count
    /// and its elements are dropped together when the chunk is freed, so a
    /// value holding a handle into its own chunk keeps the chunk alive.
    ///
    /// The current chunk, if any, is let go of; later allocations carry an
    /// 8-byte header each. In a chunk in which nothing is alive any more
    /// the allocator starts over instead of allocating a new one.
    ///
    /// Does nothing when `T` has no drop glue: such values hold no handle
    /// and run no code when dropped, so they are kept with their chunk as
    /// before (a [`WeakSingle`](crate::WeakSingle) to one upgrades as long
    /// as its chunk is alive).
    ///
    /// Pools made by `#[derive(ArenaAlloc)]` and `#[arena]` call this for
    /// you.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle};
    ///
    /// struct Node(String, Option<ArcSingle<Node>>);
    ///
    /// let mut pool: Allocator<Node> = Allocator::new();
    /// pool.break_cycles();
    /// let leaf = pool.alloc_value(Node("leaf".into(), None));
    /// let root = pool.alloc_value(Node("root".into(), Some(leaf)));
    /// assert_eq!(root.1.as_ref().map(|n| n.0.as_str()), Some("leaf"));
    /// drop(root); // drops the root, then the leaf: nothing keeps them
    /// assert_eq!(pool.stats().live_chunks, 1); // the pool's current chunk
    /// ```
    #[inline]
    pub fn break_cycles(&mut self) {
        self.bump.break_cycles();
    }

    /// Whether this allocator counts per value: [`Allocator::break_cycles`]
    /// was called, and `T` has drop glue.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle, ArenaType};
    ///
    /// #[derive(arena_arc::ArenaAlloc)]
    /// struct Node(Option<ArcSingle<Node>>);
    ///
    /// let mut pool: Allocator<Node> = Allocator::new();
    /// assert!(!pool.breaks_cycles());
    /// pool.break_cycles();
    /// assert!(pool.breaks_cycles());
    /// // Plain numbers have no drop glue: nothing changes.
    /// let mut numbers: Allocator<u32> = Allocator::new();
    /// numbers.break_cycles();
    /// assert!(!numbers.breaks_cycles());
    /// ```
    pub fn breaks_cycles(&self) -> bool {
        self.bump.breaks_cycles()
    }

    /// Allocates `value` and returns a handle to it.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<(u32, char)> = arena_arc::Allocator::new();
    /// let pair = alloc.alloc_value((1, 'a'));
    /// assert_eq!(pair.1, 'a');
    /// ```
    #[inline]
    pub fn alloc_value(&mut self, value: T) -> ArcSingle<T, L> {
        ArcSingle::from_inner(self.bump.alloc_one(value))
    }

    /// The empty slice handle; allocates nothing (same as
    /// [`ArcSlice::empty`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let empty = arena_arc::Allocator::<u32>::alloc_empty();
    /// assert!(empty.is_empty());
    /// ```
    #[must_use]
    pub const fn alloc_empty() -> ArcSlice<T, L> {
        ArcSlice::empty()
    }

    /// Allocates a copy of `src` (a single `memcpy`).
    ///
    /// # Panics
    ///
    /// Panics if `src.len()` does not fit `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u16> = arena_arc::Allocator::new();
    /// let s = alloc.alloc_slice_copy(&[1, 2, 3]);
    /// assert_eq!(s, [1, 2, 3]);
    /// ```
    #[track_caller]
    pub fn alloc_slice_copy(&mut self, src: &[T]) -> ArcSlice<T, L>
    where
        T: Copy,
    {
        never_fails(self.copy_in::<Raise>(src))
    }

    /// [`Allocator::alloc_slice_copy`], for both forms (see
    /// [`Allocator::fill_in`]).
    #[inline]
    #[track_caller]
    fn copy_in<E: From<AllocError>>(&mut self, src: &[T]) -> Result<ArcSlice<T, L>, E>
    where
        T: Copy,
    {
        let raw = self.bump.alloc_with(src.len(), |w| {
            w.extend_copy(src);
            Ok::<(), E>(())
        })?;
        Ok(ArcSlice::from_inner(raw))
    }

    /// Allocates a clone of every element of `src`.
    ///
    /// # Panics
    ///
    /// Panics if `src.len()` does not fit `L`. If a `clone` panics, the
    /// clones already made are dropped and the allocator stays usable.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<String> = arena_arc::Allocator::new();
    /// let names = alloc.alloc_slice_clone(&["ada".to_string(), "grace".to_string()]);
    /// assert_eq!(names[1], "grace");
    /// ```
    #[track_caller]
    pub fn alloc_slice_clone(&mut self, src: &[T]) -> ArcSlice<T, L>
    where
        T: Clone,
    {
        never_fails(self.clone_in::<Raise>(src))
    }

    /// [`Allocator::alloc_slice_clone`], for both forms (see
    /// [`Allocator::fill_in`]).
    #[inline]
    #[track_caller]
    fn clone_in<E: From<AllocError>>(&mut self, src: &[T]) -> Result<ArcSlice<T, L>, E>
    where
        T: Clone,
    {
        let raw = self.bump.alloc_with(src.len(), |w| {
            for item in src {
                w.push(item.clone());
            }
            Ok::<(), E>(())
        })?;
        Ok(ArcSlice::from_inner(raw))
    }

    /// Allocates the items of an iterator as one slice.
    ///
    /// Iterators that report an exact size (`size_hint` with equal bounds:
    /// ranges, slices, `Vec`, `map` over them, ...) are written straight into
    /// the chunk. Others are collected into a temporary `Vec` first. An
    /// iterator that lies about its length is handled safely: the handle
    /// holds exactly the items it yielded.
    ///
    /// # Panics
    ///
    /// Panics if the number of items does not fit `L`. If the iterator
    /// panics, the items already taken are dropped and the allocator stays
    /// usable.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u64> = arena_arc::Allocator::new();
    /// let exact = alloc.alloc_from_iter((1..=4).map(|x| x * 10));
    /// assert_eq!(exact, [10, 20, 30, 40]);
    ///
    /// let filtered = alloc.alloc_from_iter((1..=10).filter(|x| x % 3 == 0));
    /// assert_eq!(filtered, [3, 6, 9]);
    /// ```
    #[track_caller]
    pub fn alloc_from_iter<I>(&mut self, iter: I) -> ArcSlice<T, L>
    where
        I: IntoIterator<Item = T>,
    {
        let iter = iter.into_iter();
        match iter.size_hint() {
            (lower, Some(upper)) if lower == upper && lower <= L::MAX_USIZE => {
                self.alloc_exact_iter(lower, iter)
            }
            (lower, _) => {
                let items =
                    collect_untrusted(Vec::with_capacity(lower.min(L::MAX_USIZE).min(4096)), iter);
                self.alloc_vec(items)
            }
        }
    }

    /// The exact-size path of [`Allocator::alloc_from_iter`].
    #[track_caller]
    fn alloc_exact_iter<I>(&mut self, len: usize, mut iter: I) -> ArcSlice<T, L>
    where
        I: Iterator<Item = T>,
    {
        // Items beyond the promised length (a lying iterator), with the ones
        // already written moved in front of them.
        let mut spill: Option<Vec<T>> = None;
        let raw = self.bump.alloc_with(len, |w| {
            while w.remaining() > 0 {
                match iter.next() {
                    Some(item) => w.push(item),
                    // Fewer than promised: the handle covers what came.
                    None => return Ok(()),
                }
            }
            if let Some(extra) = iter.next() {
                spill = Some(collect_untrusted(w.spill(extra), &mut iter));
            }
            Ok::<(), Raise>(())
        });
        let raw = never_fails(raw);
        match spill {
            Some(items) => self.alloc_vec(items),
            None => ArcSlice::from_inner(raw),
        }
    }

    /// Reserves room for a slice of up to `capacity` elements in this
    /// allocator and returns a [`SliceBuilder`] that writes them in place.
    /// The builder does not borrow the allocator, which can go on allocating
    /// (the elements' own children, say) while the slice is built; see
    /// [`SliceBuilder`].
    ///
    /// The room is placed like an allocation of `capacity` elements. In an
    /// allocator that does not [break cycles](Allocator::break_cycles), a
    /// slice of a type with drop glue gets a chunk of its own (a plain chunk
    /// drops every slot it handed out, and room a builder leaves unused was
    /// never written).
    ///
    /// # Panics
    ///
    /// Panics if `capacity` does not fit `L` or the chunk would exceed
    /// `isize::MAX` bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u64> = arena_arc::Allocator::new();
    /// let mut row = alloc.slice_builder(3);
    /// let total = alloc.alloc_value(0); // the allocator is free meanwhile
    /// row.extend([1, 2, 3]);
    /// assert_eq!(row.finish(), [1, 2, 3]);
    /// assert_eq!(*total, 0);
    /// ```
    #[track_caller]
    pub fn slice_builder(&mut self, capacity: usize) -> SliceBuilder<T, L> {
        SliceBuilder::from_inner(self.bump.reserve_slice_alone(capacity))
    }

    /// [`Allocator::slice_builder`] for a builder that grows through its
    /// pool (a per-thread or scoped pool's: see `SliceBuilder::with_home`),
    /// which counts what it makes.
    #[cfg(feature = "std")]
    #[track_caller]
    pub(crate) fn slice_builder_with_home(&mut self, capacity: usize) -> SliceBuilder<T, L> {
        SliceBuilder::from_inner(self.bump.reserve_slice(capacity))
    }

    /// Makes room in `builder` (of this allocator or another) for
    /// `additional` more elements: see [`SliceBuilder::reserve`].
    #[track_caller]
    pub(crate) fn grow_builder(&mut self, builder: &mut SliceBuilder<T, L>, additional: usize) {
        self.bump.grow_slice(&mut builder.raw, additional);
    }

    /// Gives the room `builder` has not used back if it ends at this
    /// allocator's cursor: see [`SliceBuilder::finish`].
    pub(crate) fn trim_builder(&mut self, builder: &mut SliceBuilder<T, L>) {
        self.bump.trim_slice(&mut builder.raw);
    }

    /// Moves the elements of `items` into one slice (one `memcpy`; the
    /// vector's buffer is freed).
    ///
    /// # Panics
    ///
    /// Panics if `items.len()` does not fit `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<String> = arena_arc::Allocator::new();
    /// let words = alloc.alloc_vec(vec!["a".to_string(), "b".to_string()]);
    /// assert_eq!(words, ["a", "b"]);
    /// ```
    #[track_caller]
    pub fn alloc_vec(&mut self, mut items: Vec<T>) -> ArcSlice<T, L> {
        let raw = self.bump.alloc_with(items.len(), |w| {
            w.extend_move(&mut items);
            Ok::<(), Raise>(())
        });
        ArcSlice::from_inner(never_fails(raw))
    }
}

/// bumpalo's names for filling a slice, for code moving from `Bump`: each
/// is one of this crate's methods under another name, and returns a handle
/// where bumpalo returns `&mut [T]`. `len` is a `usize`, as in bumpalo; a
/// length that does not fit `L` panics.
impl<T, L: IndexType, const N: usize> Allocator<T, L, N> {
    /// `len` copies of `value`: bumpalo's `alloc_slice_fill_copy`, this
    /// crate's [`Allocator::alloc`] with `|_| value`.
    ///
    /// # Panics
    ///
    /// Panics if `len` does not fit `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// assert_eq!(alloc.alloc_slice_fill_copy(3, 7), [7, 7, 7]);
    /// ```
    #[track_caller]
    pub fn alloc_slice_fill_copy(&mut self, len: usize, value: T) -> ArcSlice<T, L>
    where
        T: Copy,
    {
        self.alloc(crate::index::to_index(len, "length"), |_| value)
    }

    /// `len` clones of `value`: bumpalo's `alloc_slice_fill_clone`, this
    /// crate's [`Allocator::alloc`] with `|_| value.clone()`.
    ///
    /// # Panics
    ///
    /// Panics if `len` does not fit `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<String> = arena_arc::Allocator::new();
    /// assert_eq!(alloc.alloc_slice_fill_clone(2, &"ab".to_string()), ["ab", "ab"]);
    /// ```
    #[track_caller]
    pub fn alloc_slice_fill_clone(&mut self, len: usize, value: &T) -> ArcSlice<T, L>
    where
        T: Clone,
    {
        self.alloc(crate::index::to_index(len, "length"), |_| value.clone())
    }

    /// `len` default values: bumpalo's `alloc_slice_fill_default`, this
    /// crate's [`Allocator::alloc`] with `|_| T::default()`.
    ///
    /// # Panics
    ///
    /// Panics if `len` does not fit `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// assert_eq!(alloc.alloc_slice_fill_default(2), [0, 0]);
    /// ```
    #[track_caller]
    pub fn alloc_slice_fill_default(&mut self, len: usize) -> ArcSlice<T, L>
    where
        T: Default,
    {
        self.alloc(crate::index::to_index(len, "length"), |_| T::default())
    }

    /// Element `i` is `f(i)`: bumpalo's `alloc_slice_fill_with`, this
    /// crate's [`Allocator::alloc`].
    ///
    /// # Panics
    ///
    /// Panics if `len` does not fit `L`. If `f` panics, the elements made
    /// so far are dropped and nothing is allocated.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<usize> = arena_arc::Allocator::new();
    /// assert_eq!(alloc.alloc_slice_fill_with(3, |i| i * 10), [0, 10, 20]);
    /// ```
    #[track_caller]
    pub fn alloc_slice_fill_with<F>(&mut self, len: usize, f: F) -> ArcSlice<T, L>
    where
        F: FnMut(usize) -> T,
    {
        self.alloc(crate::index::to_index(len, "length"), f)
    }

    /// The items of `iter`: bumpalo's `alloc_slice_fill_iter`, this crate's
    /// [`Allocator::alloc_from_iter`] (which takes any iterator; bumpalo's
    /// needs an `ExactSizeIterator`, as this does, for the same code to
    /// compile).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<char> = arena_arc::Allocator::new();
    /// let letters: Vec<char> = "abc".chars().rev().collect();
    /// assert_eq!(alloc.alloc_slice_fill_iter(letters), ['c', 'b', 'a']);
    /// ```
    #[track_caller]
    pub fn alloc_slice_fill_iter<I>(&mut self, iter: I) -> ArcSlice<T, L>
    where
        I: IntoIterator<Item = T>,
        I::IntoIter: ExactSizeIterator,
    {
        self.alloc_from_iter(iter)
    }
}

/// Limits and allocation that can fail, for untrusted input: see the
/// README's "Untrusted input" section.
///
/// A limit bounds the *live* bytes of the allocator's chunks (whole heap
/// allocations, headers included, as [`AllocatorStats::live_bytes`] counts
/// them): chunks still kept by handles or builders count, freed ones do not,
/// so a long-running pool stays under its limit as long as what it keeps
/// alive does. It is checked only where a new chunk is made; allocating into
/// room the pool already has costs nothing more.
impl<T, L: IndexType, const N: usize> Allocator<T, L, N> {
    /// Sets (or with `None` removes) the allocation limit in bytes, like
    /// bumpalo's `Bump::set_allocation_limit`. A chunk that would take the
    /// live bytes past it is not made: the `_checked` methods return an
    /// [`AllocError`], the others panic with its message. A limit below what
    /// is live already only stops new chunks.
    ///
    /// The chunk that first holds the pool's record (see
    /// [`AllocatorStats::live_bytes`]) counts while the pool lives.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::Allocator;
    ///
    /// let mut pool: Allocator<u64, u32, 128> = Allocator::new();
    /// pool.set_allocation_limit(Some(4096));
    /// let mut kept = Vec::new();
    /// let err = loop {
    ///     match pool.alloc_value_checked(1) {
    ///         Ok(handle) => kept.push(handle),
    ///         Err(err) => break err,
    ///     }
    /// };
    /// assert!(err.is_limit());
    /// assert!(pool.allocated_bytes() <= 4096);
    /// drop(kept); // the chunks are freed: room again
    /// assert!(pool.alloc_value_checked(2).is_ok());
    /// ```
    pub fn set_allocation_limit(&mut self, limit: Option<usize>) {
        self.bump.set_allocation_limit(limit);
    }

    /// The allocation limit set by [`Allocator::set_allocation_limit`].
    ///
    /// # Examples
    ///
    /// ```
    /// let mut pool: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// assert_eq!(pool.allocation_limit(), None);
    /// pool.set_allocation_limit(Some(1 << 20));
    /// assert_eq!(pool.allocation_limit(), Some(1 << 20));
    /// ```
    pub fn allocation_limit(&self) -> Option<usize> {
        self.bump.allocation_limit()
    }

    /// The bytes of chunk memory the allocator holds, which the limit
    /// bounds: [`AllocatorStats::live_bytes`], and the memory of its first
    /// chunk once nothing but the pool's record (kept there: it is not a heap
    /// allocation of its own) keeps it. (bumpalo's `allocated_bytes` counts
    /// the chunks of a `Bump`, which are all live until it is reset.)
    ///
    /// # Examples
    ///
    /// ```
    /// let mut pool: arena_arc::Allocator<u64, u32, 64> = arena_arc::Allocator::new();
    /// assert_eq!(pool.allocated_bytes(), 0);
    /// let one = pool.alloc_value(1);
    /// assert!(pool.allocated_bytes() >= 64 * 8);
    /// # drop(one);
    /// ```
    pub fn allocated_bytes(&self) -> usize {
        self.bump.held_bytes()
    }

    /// Makes this allocator field `slot` of an `#[arena]` struct's limit
    /// (generated code).
    pub(crate) fn join_arena(&mut self, arena: alloc::sync::Arc<ArenaLimit>, slot: usize) {
        self.bump.join_arena(arena, slot);
    }

    /// The `#[arena]` limit this allocator is a field of.
    pub(crate) fn arena_limit(&self) -> Option<&alloc::sync::Arc<ArenaLimit>> {
        self.bump.arena_limit()
    }

    /// [`Allocator::alloc_value`], or an error if the chunk it needs cannot
    /// be made: a limit ([`Allocator::set_allocation_limit`], or the
    /// `#[arena]` struct's) or the global allocator refuses it. `value` is
    /// then dropped; the allocator and its handles are as they were.
    /// bumpalo's `try_alloc`.
    ///
    /// # Errors
    ///
    /// [`AllocError`], when the chunk cannot be made.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut pool: arena_arc::Allocator<String, u32, 16> = arena_arc::Allocator::new();
    /// pool.set_allocation_limit(Some(0));
    /// assert!(pool.alloc_value_checked("no room".to_string()).is_err());
    /// pool.set_allocation_limit(None);
    /// assert_eq!(*pool.alloc_value_checked("room".to_string()).unwrap(), "room");
    /// ```
    #[inline]
    pub fn alloc_value_checked(&mut self, value: T) -> Result<ArcSingle<T, L>, AllocError> {
        self.alloc_with_checked(|| value)
    }

    /// [`Allocator::alloc_single`], or an error if the chunk it needs cannot
    /// be made: `build` is called only once there is room for its value
    /// (not at all on error), and builds it in its slot. bumpalo's
    /// `try_alloc_with`.
    ///
    /// # Errors
    ///
    /// [`AllocError`], when the chunk cannot be made.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut pool: arena_arc::Allocator<[u8; 4096], u32, 1> = arena_arc::Allocator::new();
    /// pool.set_allocation_limit(Some(1024));
    /// let mut called = false;
    /// assert!(pool.alloc_with_checked(|| { called = true; [0; 4096] }).is_err());
    /// assert!(!called);
    /// ```
    #[inline]
    pub fn alloc_with_checked<F>(&mut self, build: F) -> Result<ArcSingle<T, L>, AllocError>
    where
        F: FnOnce() -> T,
    {
        Ok(ArcSingle::from_inner(self.bump.alloc_one_checked(build)?))
    }

    /// [`Allocator::alloc_slice_copy`], or an error if the chunk it needs
    /// cannot be made. bumpalo's `try_alloc_slice_copy`.
    ///
    /// # Errors
    ///
    /// [`AllocError`], when the chunk cannot be made.
    ///
    /// # Panics
    ///
    /// Panics if `src.len()` does not fit `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut pool: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// pool.set_allocation_limit(Some(64 * 1024));
    /// assert_eq!(pool.alloc_slice_copy_checked(&[1, 2, 3]).unwrap(), [1, 2, 3]);
    /// assert!(pool.alloc_slice_copy_checked(&vec![0; 1 << 20]).is_err());
    /// ```
    #[track_caller]
    pub fn alloc_slice_copy_checked(&mut self, src: &[T]) -> Result<ArcSlice<T, L>, AllocError>
    where
        T: Copy,
    {
        self.copy_in(src)
    }

    /// [`Allocator::alloc_slice_clone`], or an error if the chunk it needs
    /// cannot be made (no element is cloned then). bumpalo's
    /// `try_alloc_slice_clone`.
    ///
    /// # Errors
    ///
    /// [`AllocError`], when the chunk cannot be made.
    ///
    /// # Panics
    ///
    /// Panics if `src.len()` does not fit `L`. If a `clone` panics, the
    /// clones already made are dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut pool: arena_arc::Allocator<String> = arena_arc::Allocator::new();
    /// let words = ["a".to_string(), "b".to_string()];
    /// assert_eq!(pool.alloc_slice_clone_checked(&words).unwrap(), words);
    /// ```
    #[track_caller]
    pub fn alloc_slice_clone_checked(&mut self, src: &[T]) -> Result<ArcSlice<T, L>, AllocError>
    where
        T: Clone,
    {
        self.clone_in(src)
    }

    /// [`Allocator::alloc_slice_fill_with`], or an error if the chunk it
    /// needs cannot be made (`f` is not called then). bumpalo's
    /// `try_alloc_slice_fill_with`.
    ///
    /// # Errors
    ///
    /// [`AllocError`], when the chunk cannot be made.
    ///
    /// # Panics
    ///
    /// Panics if `len` does not fit `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut pool: arena_arc::Allocator<u64> = arena_arc::Allocator::new();
    /// let squares = pool.alloc_slice_fill_with_checked(4, |i| (i * i) as u64).unwrap();
    /// assert_eq!(squares, [0, 1, 4, 9]);
    /// ```
    #[track_caller]
    pub fn alloc_slice_fill_with_checked<F>(
        &mut self,
        len: usize,
        f: F,
    ) -> Result<ArcSlice<T, L>, AllocError>
    where
        F: FnMut(usize) -> T,
    {
        let _: L = crate::index::to_index(len, "length");
        self.fill_in(len, f)
    }
}

impl<L: IndexType, const N: usize> Allocator<u8, L, N> {
    /// Allocates a copy of `s` and returns a string handle.
    ///
    /// # Panics
    ///
    /// Panics if `s.len()` does not fit `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcStr};
    ///
    /// let mut text: Allocator<u8> = Allocator::new();
    /// let greeting: ArcStr = text.alloc_str("hello, world");
    /// assert_eq!(greeting, "hello, world");
    /// assert_eq!(greeting.slice(7..), "world");
    /// ```
    #[track_caller]
    pub fn alloc_str(&mut self, s: &str) -> ArcStr<L> {
        ArcStr::from_inner(RawStr::copy_from(&mut self.bump, s))
    }

    /// [`Allocator::alloc_str`], or an error if the chunk it needs cannot be
    /// made. bumpalo's `try_alloc_str`.
    ///
    /// # Errors
    ///
    /// [`AllocError`], when the chunk cannot be made.
    ///
    /// # Panics
    ///
    /// Panics if `s.len()` does not fit `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut text: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// text.set_allocation_limit(Some(16));
    /// assert!(text.alloc_str_checked("more than sixteen bytes").is_err());
    /// ```
    #[track_caller]
    pub fn alloc_str_checked(&mut self, s: &str) -> Result<ArcStr<L>, AllocError> {
        Ok(ArcStr::from_inner(RawStr::try_copy_from(
            &mut self.bump,
            s,
        )?))
    }
}

/// Appends the rest of `iter` to `items` without trusting its `size_hint`
/// (`collect` and `extend` reserve its lower bound up front, which a lying
/// iterator can make absurd).
pub(crate) fn collect_untrusted<T>(mut items: Vec<T>, iter: impl Iterator<Item = T>) -> Vec<T> {
    for item in iter {
        items.push(item);
    }
    items
}
