//! The handles: [`ArcSlice`], [`ArcSingle`] and [`ArcStr`], and the weak
//! handles [`WeakSingle`] and [`WeakSlice`].

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Bound, Deref, RangeBounds};

use crate::allocator::Allocator;
use crate::chunk::{RawSingle, RawSlice, RawStr, RawWeakSingle, RawWeakSlice, RawWeakStr};
use crate::index::IndexType;
#[cfg(feature = "std")]
use crate::pools::ArenaAlloc;

/// A pool of chunks of one slot, counting per value: one allocation from it
/// gets a chunk of its own, which it alone counts on once the pool is
/// dropped (where `make_mut` and the array conversion put their copies).
fn own_chunk<T, L: IndexType>() -> Allocator<T, L, 1> {
    let mut pool = Allocator::new();
    pool.break_cycles();
    pool
}

/// Resolves a range against a length, panicking like slice indexing does.
#[track_caller]
fn resolve_range(range: impl RangeBounds<usize>, len: usize) -> (usize, usize) {
    let start = match range.start_bound() {
        Bound::Included(&s) => s,
        Bound::Excluded(&s) => s.checked_add(1).expect("range start overflows usize"),
        Bound::Unbounded => 0,
    };
    let end = match range.end_bound() {
        Bound::Included(&e) => e.checked_add(1).expect("range end overflows usize"),
        Bound::Excluded(&e) => e,
        Bound::Unbounded => len,
    };
    (start, end)
}

// ---------------------------------------------------------------------------
// ArcSlice
// ---------------------------------------------------------------------------

/// A shared, read-only handle to a slice allocated by an
/// [`Allocator`](crate::Allocator).
///
/// Like `Arc<[T]>`: cloning is one atomic increment, dereferencing is a
/// pointer and a length (no conversion, no bounds check), and it is `Send +
/// Sync` when `T: Send + Sync`. In a plain [`Allocator`](crate::Allocator)
/// the handle keeps its whole chunk alive, and the chunk's elements are
/// dropped when the last handle into it (and its allocator) are gone; in a
/// cycle-aware pool (see [`Allocator::break_cycles`](crate::Allocator::break_cycles))
/// the elements of one allocation are dropped when the last handle to them
/// goes.
///
/// `ArcSlice<T, u32>` and `Option<ArcSlice<T, u32>>` are 16 bytes.
///
/// Comparison, ordering, hashing and `Debug` go by content, like `[T]`.
///
/// # Examples
///
/// ```
/// use arena_arc::{Allocator, ArcSlice};
///
/// let mut alloc: Allocator<char> = Allocator::new();
/// let word: ArcSlice<char> = alloc.alloc_from_iter("arena".chars());
///
/// let (head, tail) = ArcSlice::split_at(&word, 2); // handles, sharing the chunk
/// assert_eq!(head, ['a', 'r']);
/// assert_eq!(tail.len(), 3);
/// let (left, _right) = word.split_at(2); // `<[T]>::split_at`: references
/// assert_eq!(left, ['a', 'r']);
/// assert_eq!(word.iter().filter(|&&c| c == 'a').count(), 2);
///
/// let shared = word.clone();
/// std::thread::spawn(move || assert_eq!(shared[4], 'a')).join().unwrap();
/// ```
pub struct ArcSlice<T, L: IndexType = u32> {
    pub(crate) raw: RawSlice<T, L>,
}

impl<T, L: IndexType> ArcSlice<T, L> {
    #[inline(always)]
    pub(crate) fn from_inner(raw: RawSlice<T, L>) -> Self {
        ArcSlice { raw }
    }

    /// The elements (same as dereferencing).
    ///
    /// This is arena-arc 0.1.2's method, kept for compatibility: it takes
    /// the place of `<[T]>::get(index)`, which is reached through the
    /// slice: `handle[..].get(1)` or `(*handle).get(1)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// let h = alloc.alloc_slice_copy(b"abc");
    /// assert_eq!(h.get(), b"abc");
    /// assert_eq!(h[..].get(1), Some(&b'b'));
    /// ```
    #[inline(always)]
    pub fn get(&self) -> &[T] {
        self.raw.as_slice()
    }

    /// The empty slice. Allocates nothing and keeps no chunk alive.
    ///
    /// # Examples
    ///
    /// ```
    /// let e: arena_arc::ArcSlice<String> = arena_arc::ArcSlice::empty();
    /// assert!(e.is_empty());
    /// ```
    #[inline]
    #[must_use]
    pub const fn empty() -> Self {
        ArcSlice {
            raw: RawSlice::empty(),
        }
    }

    /// Number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// assert_eq!(alloc.alloc_slice_copy(b"abc").len(), 3);
    /// ```
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether the slice has no elements.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// assert!(alloc.alloc_slice_copy(b"").is_empty());
    /// ```
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.raw.len() == 0
    }

    /// A handle to a sub-range, sharing the same chunk (no copy), like
    /// `bytes::Bytes::slice`. An empty range gives [`ArcSlice::empty`].
    ///
    /// # Panics
    ///
    /// Panics if the range is decreasing or out of bounds, like slice
    /// indexing.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// let all = alloc.alloc_slice_copy(&[1, 2, 3, 4, 5]);
    /// assert_eq!(all.slice(1..3), [2, 3]);
    /// assert_eq!(all.slice(..=1), [1, 2]);
    /// assert_eq!(all.slice(4..), [5]);
    /// ```
    #[track_caller]
    pub fn slice(&self, range: impl RangeBounds<usize>) -> Self {
        let (start, end) = resolve_range(range, self.len());
        ArcSlice {
            raw: self.raw.slice(start, end),
        }
    }

    /// Splits into handles to `[0, mid)` and `[mid, len)`, sharing the chunk.
    ///
    /// An associated function, so that `handle.split_at(mid)` stays
    /// `<[T]>::split_at`, which returns references.
    ///
    /// # Panics
    ///
    /// Panics if `mid > len`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArcSlice;
    ///
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// let all = alloc.alloc_slice_copy(&[1, 2, 3]);
    /// let (a, b) = ArcSlice::split_at(&all, 1);
    /// assert_eq!((a.get(), b.get()), (&[1][..], &[2, 3][..]));
    /// ```
    #[track_caller]
    pub fn split_at(this: &Self, mid: usize) -> (Self, Self) {
        let len = this.len();
        assert!(mid <= len, "mid > len: {mid} > {len}");
        (this.slice(..mid), this.slice(mid..))
    }

    /// A handle to element `index`, or `None` if out of bounds.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle};
    ///
    /// let mut alloc: Allocator<String> = Allocator::new();
    /// let names = alloc.alloc_from_iter(["ada", "grace"].map(String::from));
    /// let grace: ArcSingle<String> = names.element(1).unwrap();
    /// drop(names);
    /// assert_eq!(*grace, "grace");
    /// assert!(grace.len() == 5 && arena_arc::ArcSlice::<u8>::empty().element(0).is_none());
    /// ```
    pub fn element(&self, index: usize) -> Option<ArcSingle<T, L>> {
        self.raw.element(index).map(ArcSingle::from_inner)
    }

    /// An iterator over handles to each element.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// let nums = alloc.alloc_slice_copy(&[1, 2]);
    /// let singles: Vec<_> = nums.elements().collect();
    /// assert_eq!(*singles[1], 2);
    /// ```
    pub fn elements(&self) -> impl ExactSizeIterator<Item = ArcSingle<T, L>> + '_ {
        (0..self.len()).map(move |i| match self.element(i) {
            Some(single) => single,
            None => unreachable!("index below len"),
        })
    }

    /// Whether both handles point to the same elements (same start, same
    /// length), like `Arc::ptr_eq`. Two empty handles are equal.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice};
    ///
    /// let mut alloc: Allocator<u8> = Allocator::new();
    /// let a = alloc.alloc_slice_copy(b"xy");
    /// let b = alloc.alloc_slice_copy(b"xy");
    /// assert!(ArcSlice::ptr_eq(&a, &a.clone()));
    /// assert!(!ArcSlice::ptr_eq(&a, &b));
    /// assert_eq!(a, b);
    /// ```
    #[inline]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.raw.ptr_eq(&other.raw)
    }

    /// A weak handle to the same elements, like `Arc::downgrade`: it does
    /// not keep them alive, and [`WeakSlice::upgrade`] gives them back while
    /// some `ArcSlice` or `ArcSingle` still keeps them.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice};
    ///
    /// let mut pool: Allocator<String> = Allocator::new();
    /// pool.break_cycles();
    /// let names = pool.alloc_from_iter(["ada", "grace"].map(String::from));
    /// let weak = ArcSlice::downgrade(&names);
    /// assert_eq!(weak.upgrade().unwrap()[1], "grace");
    /// drop(names);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(this: &Self) -> WeakSlice<T, L> {
        WeakSlice {
            raw: this.raw.downgrade(),
        }
    }

    /// A raw pointer to the first element (dangling if empty), the same as
    /// `<[T]>::as_ptr`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// let h = alloc.alloc_slice_copy(b"xy");
    /// assert_eq!(h.as_ptr(), h.get().as_ptr());
    /// ```
    #[inline]
    pub fn as_ptr(&self) -> *const T {
        self.raw.as_ptr()
    }

    /// How many strong handles count on what owns these elements, like
    /// `Arc::strong_count` (0 for the empty slice, which owns nothing).
    ///
    /// In a cycle-aware pool the owner is the allocation: this counts the
    /// handles to it, whatever part of it they cover. In a plain pool it is
    /// the whole chunk: the handles into any of its elements, plus the
    /// references the allocator holds in advance while the chunk is its
    /// current one. See [`ArcSingle::strong_count`].
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice};
    ///
    /// let mut pool: Allocator<String> = Allocator::new();
    /// pool.break_cycles();
    /// let words = pool.alloc_from_iter(["a", "b"].map(String::from));
    /// let tail = words.slice(1..);
    /// assert_eq!(ArcSlice::strong_count(&words), 2);
    /// drop(tail);
    /// assert_eq!(ArcSlice::strong_count(&words), 1);
    /// ```
    #[must_use]
    pub fn strong_count(this: &Self) -> usize {
        this.raw.strong_count()
    }

    /// How many weak handles there are, at most: see
    /// [`ArcSingle::weak_count`] (0 for the empty slice).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice};
    ///
    /// let mut pool: Allocator<String> = Allocator::new();
    /// pool.break_cycles();
    /// let words = pool.alloc_from_iter(["a"].map(String::from));
    /// assert_eq!(ArcSlice::weak_count(&words), 0);
    /// let weak = ArcSlice::downgrade(&words);
    /// assert_eq!(ArcSlice::weak_count(&words), 1);
    /// # drop(weak);
    /// ```
    #[must_use]
    pub fn weak_count(this: &Self) -> usize {
        this.raw.weak_count()
    }

    /// The elements, mutably, if no other handle can reach them, like
    /// `Arc::get_mut`: `this` is the only strong handle to their owner and
    /// no weak handle to it was ever made. The empty slice always gives
    /// `Some(&mut [])`.
    ///
    /// See [`ArcSingle::get_mut`] for what "the only handle" means in each
    /// kind of pool.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice};
    ///
    /// let mut pool: Allocator<String> = Allocator::new();
    /// pool.break_cycles();
    /// let mut words = pool.alloc_from_iter(["a", "b"].map(String::from));
    /// ArcSlice::get_mut(&mut words).unwrap()[1].push('!');
    /// let shared = words.clone();
    /// assert!(ArcSlice::get_mut(&mut words).is_none());
    /// assert_eq!(shared, ["a", "b!"]);
    /// ```
    #[must_use]
    pub fn get_mut(this: &mut Self) -> Option<&mut [T]> {
        this.raw.get_mut()
    }

    /// The elements, mutably, cloned first if another handle can reach
    /// them, like `Arc::make_mut`.
    ///
    /// When [`ArcSlice::get_mut`] gives nothing, the elements are cloned
    /// into a chunk of their own (one allocation of the global allocator,
    /// or of this thread's cache of freed chunks, like `Arc::make_mut`'s),
    /// which `this` then points to; the other handles keep the old ones.
    /// The copy counts on itself, so later calls find it unique.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice};
    ///
    /// let mut pool: Allocator<u32> = Allocator::new();
    /// let mut row = pool.alloc_slice_copy(&[1, 2, 3]);
    /// let old = row.clone();
    /// ArcSlice::make_mut(&mut row)[0] = 10; // shared: cloned first
    /// ArcSlice::make_mut(&mut row)[1] = 20; // its own now: no clone
    /// assert_eq!(row, [10, 20, 3]);
    /// assert_eq!(old, [1, 2, 3]);
    /// ```
    pub fn make_mut(this: &mut Self) -> &mut [T]
    where
        T: Clone,
    {
        if this.raw.get_mut().is_none() {
            *this = own_chunk().alloc_slice_clone(this);
        }
        match this.raw.get_mut() {
            Some(elements) => elements,
            None => unreachable!("a copy in a chunk of its own has no other handle"),
        }
    }
}

impl<T, L: IndexType> Clone for ArcSlice<T, L> {
    #[inline]
    fn clone(&self) -> Self {
        ArcSlice {
            raw: self.raw.clone(),
        }
    }
}

impl<T, L: IndexType> Deref for ArcSlice<T, L> {
    type Target = [T];

    #[inline(always)]
    fn deref(&self) -> &[T] {
        self.raw.as_slice()
    }
}

impl<T, L: IndexType> AsRef<[T]> for ArcSlice<T, L> {
    #[inline]
    fn as_ref(&self) -> &[T] {
        self
    }
}

impl<T, L: IndexType> Borrow<[T]> for ArcSlice<T, L> {
    #[inline]
    fn borrow(&self) -> &[T] {
        self
    }
}

impl<T, L: IndexType> Default for ArcSlice<T, L> {
    /// The empty slice.
    #[inline]
    fn default() -> Self {
        Self::empty()
    }
}

impl<T: fmt::Debug, L: IndexType> fmt::Debug for ArcSlice<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T, L: IndexType> fmt::Pointer for ArcSlice<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.as_ptr(), f)
    }
}

impl<T: Hash, L: IndexType> Hash for ArcSlice<T, L> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl<T: Eq, L: IndexType> Eq for ArcSlice<T, L> {}

impl<T: PartialOrd, L: IndexType> PartialOrd for ArcSlice<T, L> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<T: Ord, L: IndexType> Ord for ArcSlice<T, L> {
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl<T: PartialEq<U>, U, L: IndexType> PartialEq<ArcSlice<U, L>> for ArcSlice<T, L> {
    fn eq(&self, other: &ArcSlice<U, L>) -> bool {
        **self == **other
    }
}

impl<T: PartialEq<U>, U, L: IndexType> PartialEq<[U]> for ArcSlice<T, L> {
    fn eq(&self, other: &[U]) -> bool {
        **self == *other
    }
}

impl<T: PartialEq<U>, U, L: IndexType> PartialEq<&[U]> for ArcSlice<T, L> {
    fn eq(&self, other: &&[U]) -> bool {
        **self == **other
    }
}

impl<T: PartialEq<U>, U, L: IndexType, const M: usize> PartialEq<[U; M]> for ArcSlice<T, L> {
    fn eq(&self, other: &[U; M]) -> bool {
        **self == other[..]
    }
}

impl<T: PartialEq<U>, U, L: IndexType, const M: usize> PartialEq<&[U; M]> for ArcSlice<T, L> {
    fn eq(&self, other: &&[U; M]) -> bool {
        **self == other[..]
    }
}

impl<T: PartialEq<U>, U, L: IndexType> PartialEq<Vec<U>> for ArcSlice<T, L> {
    fn eq(&self, other: &Vec<U>) -> bool {
        **self == other[..]
    }
}

impl<'a, T, L: IndexType> IntoIterator for &'a ArcSlice<T, L> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T, L: IndexType> From<ArcSingle<T, L>> for ArcSlice<T, L> {
    /// A one-element slice handle to the same element (no copy).
    fn from(single: ArcSingle<T, L>) -> Self {
        ArcSlice {
            raw: single.raw.into_slice(),
        }
    }
}

/// Collects the items into one slice in `T`'s per-thread pool (or the pool
/// standing in for it, see [`PoolScope`](crate::PoolScope)): what
/// [`ArenaAlloc::alloc_from_iter`] does.
///
/// # Examples
///
/// ```
/// use arena_arc::ArcSlice;
///
/// let squares: ArcSlice<u64> = (1..=4).map(|i| i * i).collect();
/// assert_eq!(squares, [1, 4, 9, 16]);
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<T: ArenaAlloc<Index = L>, L: IndexType> FromIterator<T> for ArcSlice<T, L> {
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        T::alloc_from_iter(iter)
    }
}

/// Moves the elements into one slice in `T`'s per-thread pool (or the pool
/// standing in for it): [`ArenaAlloc::alloc_vec`].
///
/// # Examples
///
/// ```
/// use arena_arc::ArcSlice;
///
/// let words: ArcSlice<char> = vec!['a', 'b'].into();
/// assert_eq!(words, ['a', 'b']);
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<T: ArenaAlloc<Index = L>, L: IndexType> From<Vec<T>> for ArcSlice<T, L> {
    #[track_caller]
    fn from(items: Vec<T>) -> Self {
        T::alloc_vec(items)
    }
}

/// Moves the elements into one slice in `T`'s per-thread pool (or the pool
/// standing in for it).
///
/// # Examples
///
/// ```
/// use arena_arc::ArcSlice;
///
/// let digits: ArcSlice<u8> = [1, 2, 3].into();
/// assert_eq!(digits, [1, 2, 3]);
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<T: ArenaAlloc<Index = L>, L: IndexType, const M: usize> From<[T; M]> for ArcSlice<T, L> {
    #[track_caller]
    fn from(items: [T; M]) -> Self {
        crate::pools::alloc_array(items)
    }
}

/// Moves the elements into one slice in `T`'s per-thread pool (or the pool
/// standing in for it); the box is freed.
///
/// # Examples
///
/// ```
/// use arena_arc::ArcSlice;
///
/// let boxed: Box<[i32]> = vec![-1, 1].into_boxed_slice();
/// let handle: ArcSlice<i32> = boxed.into();
/// assert_eq!(handle, [-1, 1]);
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<T: ArenaAlloc<Index = L>, L: IndexType> From<alloc::boxed::Box<[T]>> for ArcSlice<T, L> {
    #[track_caller]
    fn from(items: alloc::boxed::Box<[T]>) -> Self {
        T::alloc_vec(Vec::from(items))
    }
}

/// Clones the elements into one slice in `T`'s per-thread pool (or the pool
/// standing in for it): [`ArenaAlloc::alloc_slice_clone`].
///
/// # Examples
///
/// ```
/// use arena_arc::ArcSlice;
///
/// use arena_arc::ArcStr;
///
/// let words = [ArcStr::from("a"), ArcStr::from("b")];
/// let handle: ArcSlice<ArcStr> = ArcSlice::from(&words[..]);
/// assert!(ArcStr::ptr_eq(&handle[1], &words[1])); // cloned handles
/// assert_eq!(handle, words);
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<T: ArenaAlloc<Index = L> + Clone, L: IndexType> From<&[T]> for ArcSlice<T, L> {
    #[track_caller]
    fn from(items: &[T]) -> Self {
        T::alloc_slice_clone(items)
    }
}

// ---------------------------------------------------------------------------
// ArcSingle
// ---------------------------------------------------------------------------

/// A shared, read-only handle to one value allocated by an
/// [`Allocator`](crate::Allocator).
///
/// Like `Arc<T>`: cloning is one atomic increment, dereferencing is one
/// pointer read, and it is `Send + Sync` when `T: Send + Sync`.
/// `ArcSingle<T, u32>` is 16 bytes (a pointer and the element's index in
/// what it counts on), and so is `Option` of it. [`ArcSingle::downgrade`]
/// makes a [`WeakSingle`].
///
/// Comparison, ordering, hashing, `Debug` and `Display` go by the value,
/// like `Arc<T>`.
///
/// # Examples
///
/// ```
/// use arena_arc::{Allocator, ArcSingle};
///
/// #[derive(Debug)]
/// struct Config {
///     name: String,
///     workers: usize,
/// }
///
/// let mut configs: Allocator<Config> = Allocator::new();
/// let cfg: ArcSingle<Config> = configs.alloc_value(Config { name: "prod".into(), workers: 4 });
///
/// let handles: Vec<_> = (0..cfg.workers)
///     .map(|i| {
///         let cfg = cfg.clone();
///         std::thread::spawn(move || format!("{}-{i}", cfg.name))
///     })
///     .collect();
/// let names: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
/// assert_eq!(names[3], "prod-3");
/// ```
///
/// In a plain [`Allocator`](crate::Allocator), a value that holds a handle
/// into its *own* chunk (a tree node pointing at a child allocated just
/// before it by the same allocator) keeps that chunk alive, and it is never
/// freed. Cycle-aware pools (the derive's pools, `#[arena]` structs,
/// [`Allocator::break_cycles`](crate::Allocator::break_cycles)) count each
/// value instead, so any acyclic graph is freed, as with `Arc`. See the
/// crate docs on reference cycles.
pub struct ArcSingle<T, L: IndexType = u32> {
    pub(crate) raw: RawSingle<T, L>,
}

impl<T, L: IndexType> ArcSingle<T, L> {
    #[inline(always)]
    pub(crate) fn from_inner(raw: RawSingle<T, L>) -> Self {
        ArcSingle { raw }
    }

    /// Allocates `value` in `T`'s per-thread pool (or the pool standing in
    /// for it, see [`PoolScope`](crate::PoolScope)), like `Arc::new`: the
    /// same as [`T::alloc`](ArenaAlloc::alloc), and as `value.into()`.
    ///
    /// `T` needs a per-thread pool: `#[derive(ArenaAlloc)]` on it, or one of
    /// the primitive types and handle types that have one. Values of other
    /// types are allocated in an explicit [`Allocator`] with
    /// [`alloc_value`](Allocator::alloc_value).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc, Debug, PartialEq)]
    /// struct Point {
    ///     x: i32,
    ///     y: i32,
    /// }
    ///
    /// let p = ArcSingle::new(Point { x: 1, y: 2 });
    /// let q: ArcSingle<Point> = Point { x: 1, y: 2 }.into();
    /// assert_eq!(p, q); // by value
    /// assert!(!ArcSingle::ptr_eq(&p, &q));
    /// ```
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    #[inline]
    pub fn new(value: T) -> Self
    where
        T: ArenaAlloc<Index = L>,
    {
        T::alloc(value)
    }

    /// The value (same as dereferencing).
    ///
    /// This is arena-arc 0.1.2's method, kept for compatibility: a method
    /// of `T` named `get` is reached by dereferencing first,
    /// `(*handle).get(..)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// assert_eq!(*alloc.alloc_value(5).get(), 5);
    ///
    /// let mut lists: arena_arc::Allocator<Vec<u8>> = arena_arc::Allocator::new();
    /// let list = lists.alloc_value(vec![7, 8]);
    /// assert_eq!((*list).get(1), Some(&8)); // `Vec::get`
    /// ```
    #[inline(always)]
    pub fn get(&self) -> &T {
        self.raw.get()
    }

    /// Converts a one-element [`ArcSlice`] into a handle to that element.
    ///
    /// # Panics
    ///
    /// Panics if the slice does not have exactly one element; see the
    /// [`TryFrom`] impl for a non-panicking form.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle};
    ///
    /// let mut alloc: Allocator<u32> = Allocator::new();
    /// let one = ArcSingle::from_slice(alloc.alloc_slice_copy(&[9]));
    /// assert_eq!(*one, 9);
    /// ```
    #[track_caller]
    pub fn from_slice(handle: ArcSlice<T, L>) -> Self {
        match handle.raw.into_single() {
            Ok(raw) => ArcSingle { raw },
            Err(raw) => panic!(
                "ArcSingle can only be created from a slice of length 1 (got length {})",
                raw.len()
            ),
        }
    }

    /// Whether both handles point to the same value, like `Arc::ptr_eq`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle};
    ///
    /// let mut alloc: Allocator<u32> = Allocator::new();
    /// let a = alloc.alloc_value(1);
    /// let b = alloc.alloc_value(1);
    /// assert!(ArcSingle::ptr_eq(&a, &a.clone()));
    /// assert!(!ArcSingle::ptr_eq(&a, &b));
    /// ```
    #[inline]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.raw.ptr_eq(&other.raw)
    }

    /// A weak handle to the same value, like `Arc::downgrade`: it does not
    /// keep the value alive, and [`WeakSingle::upgrade`] gives it back while
    /// a strong handle still does. For back-edges: parent pointers, loops in
    /// a graph, the previous node of a doubly linked list.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle};
    ///
    /// let mut pool: Allocator<String> = Allocator::new();
    /// pool.break_cycles();
    /// let name = pool.alloc_value("ada".to_string());
    /// let weak = ArcSingle::downgrade(&name);
    /// assert_eq!(*weak.upgrade().unwrap(), "ada");
    /// drop(name);
    /// assert!(weak.upgrade().is_none());
    /// ```
    pub fn downgrade(this: &Self) -> WeakSingle<T, L> {
        WeakSingle {
            raw: this.raw.downgrade(),
        }
    }

    /// A raw pointer to the value, like `Arc::as_ptr`. An associated
    /// function, so that `handle.as_ptr()` stays `T`'s own method where it
    /// has one.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArcSingle;
    ///
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// let a = alloc.alloc_value(1);
    /// assert_eq!(ArcSingle::as_ptr(&a), &*a as *const u32);
    /// ```
    #[inline]
    #[must_use]
    pub fn as_ptr(this: &Self) -> *const T {
        this.raw.as_ptr()
    }

    /// How many strong handles count on what owns the value, like
    /// `Arc::strong_count` (a snapshot: other threads may change it).
    ///
    /// In a cycle-aware pool (the derive's pools, `#[arena]` structs,
    /// [`Allocator::break_cycles`]) the value is its own owner, and this is
    /// exactly what `Arc` says: the strong handles to it. In a plain pool
    /// the owner is the whole chunk: this counts the handles into any of
    /// its elements, plus the references the allocator holds in advance
    /// while the chunk is its current one, so it is at least the handles to
    /// this value.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc)]
    /// struct Name(String);
    ///
    /// let a = ArcSingle::new(Name("a".into()));
    /// let b = a.clone();
    /// assert_eq!(ArcSingle::strong_count(&a), 2);
    /// drop(b);
    /// assert_eq!(ArcSingle::strong_count(&a), 1);
    /// ```
    #[must_use]
    pub fn strong_count(this: &Self) -> usize {
        this.raw.strong_count()
    }

    /// How many weak handles there are, at most, like `Arc::weak_count`.
    ///
    /// 0 when no weak handle to the value was ever made. Weak handles are
    /// counted per chunk rather than per value (that keeps a value's header
    /// at 8 bytes), so otherwise this is the number of weak handles into
    /// the value's chunk: exact when only this value has weak handles, an
    /// upper bound when its neighbours have some too.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc)]
    /// struct Name(String);
    ///
    /// let a = ArcSingle::new(Name("a".into()));
    /// assert_eq!(ArcSingle::weak_count(&a), 0);
    /// let w = ArcSingle::downgrade(&a);
    /// assert_eq!(ArcSingle::weak_count(&a), 1);
    /// # drop(w);
    /// ```
    #[must_use]
    pub fn weak_count(this: &Self) -> usize {
        this.raw.weak_count()
    }

    /// A mutable reference to the value if no other handle can reach it,
    /// like `Arc::get_mut`.
    ///
    /// `Some` when `this` is the only strong handle to what owns the value
    /// and no weak handle to it was ever made. The second condition is
    /// stricter than `Arc`'s: weak handles are counted per chunk, not per
    /// value (see [`ArcSingle::weak_count`]), so once a value has been
    /// downgraded this gives `None` for good, even after the weak handles
    /// are gone. In a cycle-aware pool it needs the other handles to this
    /// value gone, as with `Arc`. In a plain pool (an [`Allocator`] that does
    /// not break cycles, and the per-thread pools of types without drop
    /// glue) the owner is the whole chunk, so `Some` needs every other
    /// handle into the chunk gone and its allocator gone or moved on to a
    /// new chunk; [`ArcSingle::make_mut`] moves such a value to a chunk of
    /// its own, after which it is unique.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc, Debug)]
    /// struct Counter(Vec<u32>);
    ///
    /// let mut c = ArcSingle::new(Counter(vec![]));
    /// ArcSingle::get_mut(&mut c).unwrap().0.push(1);
    /// let shared = c.clone();
    /// assert!(ArcSingle::get_mut(&mut c).is_none());
    /// drop(shared);
    /// ArcSingle::get_mut(&mut c).unwrap().0.push(2);
    /// assert_eq!(c.0, [1, 2]);
    ///
    /// // A type without drop glue lives in a plain pool, which keeps its
    /// // current chunk: not unique until the pool moves on. `make_mut` gives
    /// // it a chunk of its own on first use.
    /// let mut n = ArcSingle::new(5u64);
    /// assert!(ArcSingle::get_mut(&mut n).is_none());
    /// *ArcSingle::make_mut(&mut n) += 1;
    /// assert_eq!(ArcSingle::get_mut(&mut n), Some(&mut 6));
    /// ```
    #[must_use]
    pub fn get_mut(this: &mut Self) -> Option<&mut T> {
        this.raw.get_mut()
    }

    /// A mutable reference to the value, cloned first if another handle
    /// can reach it, like `Arc::make_mut`.
    ///
    /// When [`ArcSingle::get_mut`] gives nothing, the value is cloned into
    /// a chunk of its own (one allocation from the global allocator, or
    /// from this thread's cache of freed chunks, as `Arc::make_mut` makes
    /// one), which `this` then points to; the other handles keep the old
    /// value. The copy counts on itself, so later calls find it unique, and
    /// it keeps no pool's chunk alive.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc, Clone, Debug, PartialEq)]
    /// struct Config { level: u8 }
    ///
    /// let mut mine = ArcSingle::new(Config { level: 1 });
    /// let theirs = mine.clone();
    /// ArcSingle::make_mut(&mut mine).level = 2; // cloned: `theirs` is unchanged
    /// ArcSingle::make_mut(&mut mine).level = 3; // unique now: no clone
    /// assert_eq!((mine.level, theirs.level), (3, 1));
    /// ```
    pub fn make_mut(this: &mut Self) -> &mut T
    where
        T: Clone,
    {
        if this.raw.get_mut().is_none() {
            *this = own_chunk().alloc_value(T::clone(this));
        }
        match this.raw.get_mut() {
            Some(value) => value,
            None => unreachable!("a copy in a chunk of its own has no other handle"),
        }
    }

    /// The value, if `this` is the only strong handle to it, like
    /// `Arc::try_unwrap`; `this` back otherwise. Weak handles to the value
    /// no longer upgrade afterwards.
    ///
    /// The value must also be movable out of its pool without the pool
    /// dropping it later:
    ///
    /// * in a cycle-aware pool (the derive's pools, `#[arena]` structs,
    ///   [`Allocator::break_cycles`]) every value allocated on its own is;
    ///   an element of a slice allocation (from [`ArcSlice::element`]) is
    ///   not, and gives `Err`;
    /// * in a plain pool the chunk drops all its elements together, so only
    ///   a value of a type without drop glue can leave, once this is the
    ///   only handle into its chunk and its allocator is gone; a value with
    ///   drop glue gives `Err` there.
    ///
    /// So this never double-drops: what it moves out is dropped by nobody
    /// else.
    ///
    /// # Errors
    ///
    /// `this`, when another strong handle exists or the value cannot leave
    /// its pool (above).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc, Debug, PartialEq)]
    /// struct Token(String);
    ///
    /// let a = ArcSingle::new(Token("x".into()));
    /// let b = a.clone();
    /// let a = ArcSingle::try_unwrap(a).unwrap_err(); // `b` shares it
    /// drop(b);
    /// assert_eq!(ArcSingle::try_unwrap(a), Ok(Token("x".into())));
    /// ```
    pub fn try_unwrap(this: Self) -> Result<T, Self> {
        this.raw.try_unwrap().map_err(ArcSingle::from_inner)
    }

    /// The value, if `this` was the last strong handle to it, like
    /// `Arc::into_inner`: the handle is dropped either way.
    ///
    /// Where [`ArcSingle::try_unwrap`] can move the value out of its pool,
    /// this does too, and of several handles calling `into_inner` at the
    /// same time exactly one gets the value. Where it cannot (an element of
    /// a slice allocation; a value with drop glue in a plain pool), this
    /// returns `None` and the value is dropped with its owner, as when the
    /// handle is dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc, Debug, PartialEq)]
    /// struct Token(String);
    ///
    /// let a = ArcSingle::new(Token("x".into()));
    /// let b = a.clone();
    /// assert_eq!(ArcSingle::into_inner(a), None); // `b` still holds it
    /// assert_eq!(ArcSingle::into_inner(b), Some(Token("x".into())));
    /// ```
    pub fn into_inner(this: Self) -> Option<T> {
        this.raw.into_inner()
    }

    /// The value if `this` is the only strong handle to it (and it can leave
    /// its pool: see [`ArcSingle::try_unwrap`]), a clone of it otherwise,
    /// like `Arc::unwrap_or_clone`. Detaches a node from its pool's chunk,
    /// which it no longer keeps alive.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc, Clone, Debug, PartialEq)]
    /// struct Token(String);
    ///
    /// let a = ArcSingle::new(Token("x".into()));
    /// let b = a.clone();
    /// assert_eq!(ArcSingle::unwrap_or_clone(a), Token("x".into())); // a clone
    /// assert_eq!(ArcSingle::unwrap_or_clone(b), Token("x".into())); // moved out
    /// ```
    pub fn unwrap_or_clone(this: Self) -> T
    where
        T: Clone,
    {
        ArcSingle::try_unwrap(this).unwrap_or_else(|shared| T::clone(&shared))
    }
}

/// Allocates `value` in `T`'s per-thread pool (or the pool standing in for
/// it): [`ArcSingle::new`], like `From<T> for Arc<T>`.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<T: ArenaAlloc<Index = L>, L: IndexType> From<T> for ArcSingle<T, L> {
    #[inline]
    fn from(value: T) -> Self {
        T::alloc(value)
    }
}

/// Moves the boxed value into `T`'s per-thread pool (or the pool standing in
/// for it), like `From<Box<T>> for Arc<T>`; the box is freed.
///
/// # Examples
///
/// ```
/// use arena_arc::ArcSingle;
///
/// let a: ArcSingle<u64> = Box::new(5).into();
/// assert_eq!(*a, 5);
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<T: ArenaAlloc<Index = L>, L: IndexType> From<alloc::boxed::Box<T>> for ArcSingle<T, L> {
    #[inline]
    fn from(boxed: alloc::boxed::Box<T>) -> Self {
        T::alloc(*boxed)
    }
}

/// `T::default()`, allocated in `T`'s per-thread pool, like
/// `Default for Arc<T>`.
///
/// # Examples
///
/// ```
/// use arena_arc::ArcSingle;
///
/// let zero: ArcSingle<u64> = ArcSingle::default();
/// assert_eq!(*zero, 0);
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl<T: ArenaAlloc<Index = L> + Default, L: IndexType> Default for ArcSingle<T, L> {
    fn default() -> Self {
        T::alloc(T::default())
    }
}

/// The value's error, like `Error for Arc<T>`.
impl<T: core::error::Error, L: IndexType> core::error::Error for ArcSingle<T, L> {
    #[allow(deprecated)]
    fn description(&self) -> &str {
        (**self).description()
    }

    #[allow(deprecated)]
    fn cause(&self) -> Option<&dyn core::error::Error> {
        (**self).cause()
    }

    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        (**self).source()
    }
}

impl<T, L: IndexType> Clone for ArcSingle<T, L> {
    #[inline]
    fn clone(&self) -> Self {
        ArcSingle {
            raw: self.raw.clone(),
        }
    }
}

impl<T, L: IndexType> Deref for ArcSingle<T, L> {
    type Target = T;

    #[inline(always)]
    fn deref(&self) -> &T {
        self.raw.get()
    }
}

impl<T, L: IndexType> AsRef<T> for ArcSingle<T, L> {
    #[inline]
    fn as_ref(&self) -> &T {
        self
    }
}

impl<T, L: IndexType> Borrow<T> for ArcSingle<T, L> {
    #[inline]
    fn borrow(&self) -> &T {
        self
    }
}

impl<T: fmt::Debug, L: IndexType> fmt::Debug for ArcSingle<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Display, L: IndexType> fmt::Display for ArcSingle<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<T, L: IndexType> fmt::Pointer for ArcSingle<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&ArcSingle::as_ptr(self), f)
    }
}

impl<T: Hash, L: IndexType> Hash for ArcSingle<T, L> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl<T: PartialEq, L: IndexType> PartialEq for ArcSingle<T, L> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: Eq, L: IndexType> Eq for ArcSingle<T, L> {}

impl<T: PartialOrd, L: IndexType> PartialOrd for ArcSingle<T, L> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        (**self).partial_cmp(&**other)
    }
}

impl<T: Ord, L: IndexType> Ord for ArcSingle<T, L> {
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}

impl<T, L: IndexType> TryFrom<ArcSlice<T, L>> for ArcSingle<T, L> {
    /// The same error type as arena-arc 0.1.2.
    type Error = &'static str;

    /// Converts a one-element slice handle; fails for any other length.
    fn try_from(value: ArcSlice<T, L>) -> Result<Self, Self::Error> {
        match value.raw.into_single() {
            Ok(raw) => Ok(ArcSingle { raw }),
            Err(_) => Err("ArcSingle can only be created from a slice of length 1"),
        }
    }
}

/// An array of the slice's elements, if it has exactly `N`, like
/// `TryFrom<Arc<[T]>> for Arc<[T; N]>`, but as a copy.
///
/// A handle drops what it counts on as its own element type, so an
/// `ArcSingle<[T; N]>` cannot share the allocation of `N` `T`s that the
/// slice points into: the elements are cloned into a value of their own (in
/// a chunk of its own, as [`ArcSingle::make_mut`] makes one), and the slice
/// handle is dropped. To read the elements as an array without a copy:
/// `<&[T; N]>::try_from(&*slice)`.
///
/// # Errors
///
/// The slice back, if its length is not `N`.
///
/// # Examples
///
/// ```
/// use arena_arc::{ArcSingle, ArcSlice};
///
/// let rgb: ArcSlice<u8> = [255, 128, 0].into();
/// let as_array: &[u8; 3] = (&*rgb).try_into().unwrap(); // a view, no copy
/// let pixel: ArcSingle<[u8; 3]> = rgb.clone().try_into().unwrap();
/// assert_eq!(*pixel, *as_array);
/// assert!(ArcSingle::<[u8; 4]>::try_from(rgb).is_err());
/// ```
impl<T: Clone, L: IndexType, const N: usize> TryFrom<ArcSlice<T, L>> for ArcSingle<[T; N], L> {
    type Error = ArcSlice<T, L>;

    fn try_from(slice: ArcSlice<T, L>) -> Result<Self, Self::Error> {
        let Ok(array) = <&[T; N]>::try_from(&*slice) else {
            return Err(slice);
        };
        Ok(own_chunk().alloc_value(array.clone()))
    }
}

// ---------------------------------------------------------------------------
// Weak handles
// ---------------------------------------------------------------------------

/// A weak handle to one value, made by [`ArcSingle::downgrade`], like
/// `std::sync::Weak`: it does not keep the value alive, and
/// [`upgrade`](WeakSingle::upgrade) gives a strong handle back while
/// some strong handle still keeps the value, `None` afterwards (also when
/// the last strong handle is dropped on another thread at the same time).
/// It keeps the memory the value lived in allocated, not the value.
///
/// Weak handles express back-edges: a child's pointer to its parent, the
/// `prev` link of a doubly linked list, a loop in a control-flow graph.
/// Stored in a node (bare, or in an `Option`, `OnceLock` or `OnceCell` to
/// set it after the node is allocated), they do not form a reference cycle.
///
/// In a cycle-aware pool (the derive's pools, `#[arena]` structs,
/// [`Allocator::break_cycles`](crate::Allocator::break_cycles)) a value is
/// dropped when its last strong handle goes. In a plain `Allocator`, and for
/// types without drop glue, values live as long as their chunk, and a weak
/// handle upgrades as long as the value has not been dropped with it.
///
/// `WeakSingle<T, u32>` is 16 bytes, `Send + Sync` when `T: Send + Sync`.
///
/// # Examples
///
/// ```
/// use std::sync::OnceLock;
/// use arena_arc::{ArcSingle, ArcSlice, ArenaAlloc, WeakSingle};
///
/// #[derive(ArenaAlloc)]
/// struct Dir {
///     name: String,
///     parent: OnceLock<WeakSingle<Dir>>,
///     children: ArcSlice<Dir>,
/// }
///
/// let lib = Dir { name: "lib".into(), parent: OnceLock::new(), children: ArcSlice::empty() };
/// let root = Dir::dir("/".into(), OnceLock::new(), [lib]);
/// // Back-edges, set once the parent exists; they do not keep it alive.
/// for child in root.children.iter() {
///     child.parent.set(ArcSingle::downgrade(&root)).unwrap();
/// }
/// let lib = root.children.element(0).unwrap();
/// let parent = lib.parent.get().and_then(WeakSingle::upgrade).unwrap();
/// assert_eq!(parent.name, "/");
/// drop((root, parent)); // the last strong handles to "/": it is dropped
/// assert!(lib.parent.get().unwrap().upgrade().is_none());
/// ```
pub struct WeakSingle<T, L: IndexType = u32> {
    pub(crate) raw: RawWeakSingle<T, L>,
}

impl<T, L: IndexType> WeakSingle<T, L> {
    #[inline(always)]
    pub(crate) fn from_inner(raw: RawWeakSingle<T, L>) -> Self {
        WeakSingle { raw }
    }

    /// A weak handle that never upgrades, like `Weak::new`.
    ///
    /// # Examples
    ///
    /// ```
    /// let weak: arena_arc::WeakSingle<u32> = arena_arc::WeakSingle::new();
    /// assert!(weak.upgrade().is_none());
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        WeakSingle {
            raw: RawWeakSingle::new(),
        }
    }

    /// A strong handle to the value, or `None` if the last strong handle is
    /// gone (and the value dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle};
    ///
    /// let mut pool: Allocator<Vec<u8>> = Allocator::new();
    /// pool.break_cycles();
    /// let bytes = pool.alloc_value(vec![1, 2]);
    /// let weak = ArcSingle::downgrade(&bytes);
    /// let again = weak.upgrade().unwrap();
    /// assert!(ArcSingle::ptr_eq(&bytes, &again));
    /// drop((bytes, again));
    /// assert!(weak.upgrade().is_none());
    /// ```
    #[must_use]
    pub fn upgrade(&self) -> Option<ArcSingle<T, L>> {
        self.raw.upgrade().map(ArcSingle::from_inner)
    }

    /// Whether [`upgrade`](Self::upgrade) fails from now on (a `false` may
    /// be out of date by the time it is read).
    #[cfg(feature = "std")]
    #[inline]
    pub(crate) fn is_dead(&self) -> bool {
        self.raw.is_dead()
    }

    /// Whether both point to the same value (or both come from
    /// [`WeakSingle::new`]), like `Weak::ptr_eq`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle, WeakSingle};
    ///
    /// let mut pool: Allocator<u32> = Allocator::new();
    /// let a = pool.alloc_value(1);
    /// let w = ArcSingle::downgrade(&a);
    /// assert!(w.ptr_eq(&w.clone()));
    /// assert!(!WeakSingle::ptr_eq(&w, &WeakSingle::new()));
    /// ```
    #[must_use]
    pub fn ptr_eq(&self, other: &Self) -> bool {
        self.raw.ptr_eq(&other.raw)
    }

    /// How many strong handles count on what owns the value, like
    /// `Weak::strong_count`: 0 once the value is dropped, and for
    /// [`WeakSingle::new`]. See [`ArcSingle::strong_count`] for plain pools.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc)]
    /// struct Name(String);
    ///
    /// let a = ArcSingle::new(Name("a".into()));
    /// let w = ArcSingle::downgrade(&a);
    /// assert_eq!(w.strong_count(), 1);
    /// drop(a);
    /// assert_eq!(w.strong_count(), 0);
    /// ```
    #[must_use]
    pub fn strong_count(&self) -> usize {
        self.raw.strong_count()
    }

    /// How many weak handles there are, at most, like `Weak::weak_count`:
    /// 0 once the value is dropped (and for [`WeakSingle::new`]); otherwise
    /// the weak handles into the value's chunk, this one included (see
    /// [`ArcSingle::weak_count`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc)]
    /// struct Name(String);
    ///
    /// let a = ArcSingle::new(Name("a".into()));
    /// let w = ArcSingle::downgrade(&a);
    /// let w2 = w.clone();
    /// assert_eq!(w.weak_count(), 2);
    /// drop(a);
    /// assert_eq!(w2.weak_count(), 0);
    /// ```
    #[must_use]
    pub fn weak_count(&self) -> usize {
        self.raw.weak_count()
    }

    /// A raw pointer to the value, like `Weak::as_ptr`: valid to read only
    /// while a strong handle keeps the value (dangling for
    /// [`WeakSingle::new`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle};
    ///
    /// let mut pool: Allocator<u32> = Allocator::new();
    /// let a = pool.alloc_value(5);
    /// let w = ArcSingle::downgrade(&a);
    /// assert_eq!(w.as_ptr(), ArcSingle::as_ptr(&a));
    /// ```
    #[must_use]
    pub fn as_ptr(&self) -> *const T {
        self.raw.as_ptr()
    }
}

impl<T, L: IndexType> Clone for WeakSingle<T, L> {
    fn clone(&self) -> Self {
        WeakSingle {
            raw: self.raw.clone(),
        }
    }
}

impl<T, L: IndexType> Default for WeakSingle<T, L> {
    /// Same as [`WeakSingle::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl<T, L: IndexType> fmt::Debug for WeakSingle<T, L> {
    /// `(Weak)`, as `std::sync::Weak` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(Weak)")
    }
}

impl<T, L: IndexType> fmt::Pointer for WeakSingle<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.as_ptr(), f)
    }
}

/// A weak handle to a run of elements, made by [`ArcSlice::downgrade`]:
/// like [`WeakSingle`], for slices. A weak handle to an empty slice always
/// upgrades (to the empty slice); [`WeakSlice::new`] never does.
///
/// # Examples
///
/// ```
/// use arena_arc::{Allocator, ArcSlice, WeakSlice};
///
/// let mut pool: Allocator<String> = Allocator::new();
/// pool.break_cycles();
/// let words = pool.alloc_from_iter(["a", "b"].map(String::from));
/// let weak: WeakSlice<String> = ArcSlice::downgrade(&words);
/// assert_eq!(weak.upgrade().map(|w| w.len()), Some(2));
/// drop(words);
/// assert!(weak.upgrade().is_none());
/// ```
pub struct WeakSlice<T, L: IndexType = u32> {
    pub(crate) raw: RawWeakSlice<T, L>,
}

impl<T, L: IndexType> WeakSlice<T, L> {
    /// A weak handle that never upgrades.
    ///
    /// # Examples
    ///
    /// ```
    /// let weak: arena_arc::WeakSlice<u8> = arena_arc::WeakSlice::new();
    /// assert!(weak.upgrade().is_none());
    /// ```
    #[must_use]
    pub fn new() -> Self {
        WeakSlice {
            raw: RawWeakSlice::new(),
        }
    }

    /// A strong handle to the elements, or `None` if the last strong handle
    /// to them is gone (and they were dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSlice, WeakSlice};
    ///
    /// let empty: ArcSlice<String> = ArcSlice::empty();
    /// assert_eq!(ArcSlice::downgrade(&empty).upgrade(), Some(ArcSlice::empty()));
    /// ```
    #[must_use]
    pub fn upgrade(&self) -> Option<ArcSlice<T, L>> {
        self.raw.upgrade().map(ArcSlice::from_inner)
    }

    /// Whether both point to the same elements (or both come from
    /// [`WeakSlice::new`]), like `Weak::ptr_eq`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice, WeakSlice};
    ///
    /// let mut pool: Allocator<u8> = Allocator::new();
    /// let s = pool.alloc_slice_copy(b"ab");
    /// let w = ArcSlice::downgrade(&s);
    /// assert!(w.ptr_eq(&w.clone()));
    /// assert!(!WeakSlice::ptr_eq(&w, &ArcSlice::downgrade(&s.slice(1..))));
    /// ```
    #[must_use]
    pub fn ptr_eq(&self, other: &Self) -> bool {
        self.raw.ptr_eq(&other.raw)
    }

    /// How many strong handles count on what owns the elements, like
    /// `Weak::strong_count`: 0 once they are dropped, for the empty slice
    /// and for [`WeakSlice::new`] (see [`ArcSlice::strong_count`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice};
    ///
    /// let mut pool: Allocator<String> = Allocator::new();
    /// pool.break_cycles();
    /// let words = pool.alloc_from_iter(["a"].map(String::from));
    /// let w = ArcSlice::downgrade(&words);
    /// assert_eq!(w.strong_count(), 1);
    /// drop(words);
    /// assert_eq!(w.strong_count(), 0);
    /// ```
    #[must_use]
    pub fn strong_count(&self) -> usize {
        self.raw.strong_count()
    }

    /// How many weak handles there are, at most, like `Weak::weak_count`:
    /// 0 once the elements are dropped (and for handles that own nothing);
    /// otherwise the weak handles into their chunk, this one included (see
    /// [`ArcSingle::weak_count`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice};
    ///
    /// let mut pool: Allocator<String> = Allocator::new();
    /// pool.break_cycles();
    /// let words = pool.alloc_from_iter(["a"].map(String::from));
    /// let w = ArcSlice::downgrade(&words);
    /// assert_eq!(w.weak_count(), 1);
    /// drop(words);
    /// assert_eq!(w.weak_count(), 0);
    /// ```
    #[must_use]
    pub fn weak_count(&self) -> usize {
        self.raw.weak_count()
    }

    /// A raw pointer to the first element, like `Weak::as_ptr`: valid to
    /// read only while a strong handle keeps the elements (dangling when
    /// empty).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice};
    ///
    /// let mut pool: Allocator<u8> = Allocator::new();
    /// let s = pool.alloc_slice_copy(b"ab");
    /// assert_eq!(ArcSlice::downgrade(&s).as_ptr(), s.as_ptr());
    /// ```
    #[must_use]
    pub fn as_ptr(&self) -> *const T {
        self.raw.as_ptr()
    }
}

impl<T, L: IndexType> Clone for WeakSlice<T, L> {
    fn clone(&self) -> Self {
        WeakSlice {
            raw: self.raw.clone(),
        }
    }
}

impl<T, L: IndexType> Default for WeakSlice<T, L> {
    /// Same as [`WeakSlice::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl<T, L: IndexType> fmt::Debug for WeakSlice<T, L> {
    /// `(Weak)`, as `std::sync::Weak` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(Weak)")
    }
}

impl<T, L: IndexType> fmt::Pointer for WeakSlice<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.as_ptr(), f)
    }
}

// ---------------------------------------------------------------------------
// ArcStr
// ---------------------------------------------------------------------------

/// A shared handle to UTF-8 text in an `Allocator<u8, L, N>`, made by
/// [`Allocator::alloc_str`](crate::Allocator::alloc_str).
///
/// Dereferences to `str`; compares, orders, hashes and prints like `str`.
/// 16 bytes with the default `u32` index.
///
/// # Examples
///
/// ```
/// use std::collections::HashSet;
/// use arena_arc::{Allocator, ArcStr};
///
/// let mut text: Allocator<u8> = Allocator::new();
/// let mut names: HashSet<ArcStr> = HashSet::new();
/// names.insert(text.alloc_str("ada"));
/// assert!(names.contains("ada")); // Borrow<str>
/// assert_eq!(format!("{}!", text.alloc_str("hi")), "hi!");
/// ```
pub struct ArcStr<L: IndexType = u32> {
    pub(crate) raw: RawStr<L>,
}

impl<L: IndexType> ArcStr<L> {
    #[inline(always)]
    pub(crate) fn from_inner(raw: RawStr<L>) -> Self {
        ArcStr { raw }
    }

    /// The empty string; allocates nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(arena_arc::ArcStr::<u32>::empty(), "");
    /// ```
    #[inline]
    #[must_use]
    pub const fn empty() -> Self {
        ArcStr {
            raw: RawStr::empty(),
        }
    }

    /// Checks that a byte handle holds UTF-8 and converts it (no copy).
    ///
    /// # Errors
    ///
    /// Returns the UTF-8 error if the bytes are not UTF-8.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcStr};
    ///
    /// let mut bytes: Allocator<u8> = Allocator::new();
    /// let ok = ArcStr::from_utf8(bytes.alloc_slice_copy(b"caf\xc3\xa9")).unwrap();
    /// assert_eq!(ok, "café");
    /// assert!(ArcStr::from_utf8(bytes.alloc_slice_copy(b"\xff")).is_err());
    /// ```
    pub fn from_utf8(bytes: ArcSlice<u8, L>) -> Result<Self, core::str::Utf8Error> {
        RawStr::from_utf8(bytes.raw)
            .map(|raw| ArcStr { raw })
            .map_err(|(_, err)| err)
    }

    /// The text (same as dereferencing).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut text: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// assert_eq!(text.alloc_str("x").as_str(), "x");
    /// ```
    #[inline(always)]
    pub fn as_str(&self) -> &str {
        self.raw.as_str()
    }

    /// A byte handle to the same text (no copy).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut text: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// assert_eq!(text.alloc_str("hi").into_bytes(), *b"hi");
    /// ```
    pub fn into_bytes(self) -> ArcSlice<u8, L> {
        ArcSlice::from_inner(self.raw.into_bytes())
    }

    /// A handle to a byte sub-range (no copy).
    ///
    /// # Panics
    ///
    /// Panics if the range is decreasing, out of bounds, or not on `char`
    /// boundaries, like `str` indexing.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut text: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// let s = text.alloc_str("naïve");
    /// assert_eq!(s.slice(..2), "na");
    /// assert_eq!(s.slice(4..), "ve");
    /// ```
    #[track_caller]
    pub fn slice(&self, range: impl RangeBounds<usize>) -> Self {
        let (start, end) = resolve_range(range, self.len());
        ArcStr {
            raw: self.raw.slice(start, end),
        }
    }

    /// Whether both handles point to the same bytes, like `Arc::ptr_eq`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcStr};
    ///
    /// let mut text: Allocator<u8> = Allocator::new();
    /// let a = text.alloc_str("same");
    /// let b = text.alloc_str("same");
    /// assert!(ArcStr::ptr_eq(&a, &a.clone()) && !ArcStr::ptr_eq(&a, &b));
    /// ```
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.raw.bytes().ptr_eq(other.raw.bytes())
    }

    /// A raw pointer to the first byte, the same as `str::as_ptr`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut text: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// let s = text.alloc_str("hi");
    /// assert_eq!(s.as_ptr(), s.as_str().as_ptr());
    /// ```
    #[inline]
    pub fn as_ptr(&self) -> *const u8 {
        self.raw.bytes().as_ptr()
    }

    /// A weak handle to the text, like `Arc::downgrade`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcStr};
    ///
    /// let mut text: Allocator<u8> = Allocator::new();
    /// let s = text.alloc_str("hi");
    /// let weak = ArcStr::downgrade(&s);
    /// assert_eq!(weak.upgrade().as_deref(), Some("hi"));
    /// ```
    pub fn downgrade(this: &Self) -> WeakStr<L> {
        WeakStr {
            raw: this.raw.downgrade(),
        }
    }

    /// How many strong handles count on what owns the text: see
    /// [`ArcSlice::strong_count`] (text lives in plain pools: this counts
    /// the handles into its chunk).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArcStr;
    ///
    /// let s: ArcStr = "only this one".into();
    /// assert!(ArcStr::strong_count(&s) >= 1);
    /// assert_eq!(ArcStr::strong_count(&ArcStr::<u32>::empty()), 0);
    /// ```
    #[must_use]
    pub fn strong_count(this: &Self) -> usize {
        this.raw.bytes().strong_count()
    }

    /// How many weak handles there are, at most: see
    /// [`ArcSingle::weak_count`].
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcStr};
    ///
    /// let mut text: Allocator<u8> = Allocator::new();
    /// let s = text.alloc_str("hi");
    /// let w = ArcStr::downgrade(&s);
    /// assert_eq!(ArcStr::weak_count(&s), 1);
    /// # drop(w);
    /// ```
    #[must_use]
    pub fn weak_count(this: &Self) -> usize {
        this.raw.bytes().weak_count()
    }

    /// A weak reference to the text (an interning table's entry).
    #[cfg(feature = "std")]
    pub(crate) fn downgrade_raw(&self) -> RawWeakStr<L> {
        self.raw.downgrade()
    }
}

/// Copies the text into the per-thread pool of `u8` (or the pool standing in
/// for it, see [`PoolScope`](crate::PoolScope)), like `From<&str> for
/// Arc<str>`.
///
/// # Examples
///
/// ```
/// use arena_arc::ArcStr;
///
/// let name: ArcStr = "main".into();
/// assert_eq!(name, "main");
/// ```
///
/// # Panics
///
/// Panics if the text is longer than `u32::MAX` bytes.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<&str> for ArcStr {
    #[track_caller]
    fn from(s: &str) -> Self {
        alloc_str_per_thread(s)
    }
}

/// Copies the text into the per-thread pool of `u8` (see
/// `From<&str>`); the `String` is freed.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<alloc::string::String> for ArcStr {
    #[track_caller]
    fn from(s: alloc::string::String) -> Self {
        alloc_str_per_thread(&s)
    }
}

/// Copies the text into the per-thread pool of `u8` (see `From<&str>`).
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<&alloc::string::String> for ArcStr {
    #[track_caller]
    fn from(s: &alloc::string::String) -> Self {
        alloc_str_per_thread(s)
    }
}

/// Copies the text into the per-thread pool of `u8` (see `From<&str>`); the
/// box is freed.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<alloc::boxed::Box<str>> for ArcStr {
    #[track_caller]
    fn from(s: alloc::boxed::Box<str>) -> Self {
        alloc_str_per_thread(&s)
    }
}

/// Copies the text into the per-thread pool of `u8` (see `From<&str>`).
///
/// # Examples
///
/// ```
/// use std::borrow::Cow;
/// use arena_arc::ArcStr;
///
/// let borrowed: ArcStr = Cow::Borrowed("a").into();
/// let owned: ArcStr = Cow::<str>::Owned("b".to_string()).into();
/// assert_eq!((borrowed, owned), (ArcStr::from("a"), ArcStr::from("b")));
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl From<alloc::borrow::Cow<'_, str>> for ArcStr {
    #[track_caller]
    fn from(s: alloc::borrow::Cow<'_, str>) -> Self {
        alloc_str_per_thread(&s)
    }
}

/// Collects the characters into text in the per-thread pool of `u8`
/// (through a `String`).
///
/// # Examples
///
/// ```
/// use arena_arc::ArcStr;
///
/// let upper: ArcStr = "abc".chars().map(|c| c.to_ascii_uppercase()).collect();
/// assert_eq!(upper, "ABC");
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
impl FromIterator<char> for ArcStr {
    #[track_caller]
    fn from_iter<I: IntoIterator<Item = char>>(iter: I) -> Self {
        alloc_str_per_thread(&iter.into_iter().collect::<alloc::string::String>())
    }
}

/// `s` in the per-thread pool of `u8`, or the scoped pool of `u8` if one is
/// open.
#[cfg(feature = "std")]
#[track_caller]
pub(crate) fn alloc_str_per_thread(s: &str) -> ArcStr {
    match crate::scope::try_alloc_str(s) {
        Some(text) => text,
        None => <u8 as ArenaAlloc>::__with_pool(|pool| pool.alloc_str(s)),
    }
}

impl<L: IndexType> fmt::Pointer for ArcStr<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.as_ptr(), f)
    }
}

// ---------------------------------------------------------------------------
// WeakStr
// ---------------------------------------------------------------------------

/// A weak handle to text, made by [`ArcStr::downgrade`]: like
/// [`WeakSlice`], and it upgrades to an [`ArcStr`].
///
/// # Examples
///
/// ```
/// use arena_arc::{Allocator, ArcStr, WeakStr};
///
/// let mut text: Allocator<u8> = Allocator::new();
/// let hello = text.alloc_str("hello");
/// let weak: WeakStr = ArcStr::downgrade(&hello);
/// assert_eq!(weak.upgrade().unwrap(), "hello");
/// assert!(WeakStr::<u32>::new().upgrade().is_none());
/// ```
pub struct WeakStr<L: IndexType = u32> {
    pub(crate) raw: RawWeakStr<L>,
}

impl<L: IndexType> WeakStr<L> {
    /// A weak handle that never upgrades, like `Weak::new`.
    #[must_use]
    pub fn new() -> Self {
        WeakStr {
            raw: RawWeakStr::new(),
        }
    }

    /// A strong handle to the text, or `None` if the last strong handle to
    /// it is gone (and its chunk with it).
    #[must_use]
    pub fn upgrade(&self) -> Option<ArcStr<L>> {
        self.raw.upgrade().map(ArcStr::from_inner)
    }

    /// Whether both point to the same bytes (or both come from
    /// [`WeakStr::new`]).
    #[must_use]
    pub fn ptr_eq(&self, other: &Self) -> bool {
        self.raw.bytes().ptr_eq(other.raw.bytes())
    }

    /// See [`WeakSlice::strong_count`].
    #[must_use]
    pub fn strong_count(&self) -> usize {
        self.raw.bytes().strong_count()
    }

    /// See [`WeakSlice::weak_count`].
    #[must_use]
    pub fn weak_count(&self) -> usize {
        self.raw.bytes().weak_count()
    }

    /// A raw pointer to the first byte (see [`WeakSlice::as_ptr`]).
    #[must_use]
    pub fn as_ptr(&self) -> *const u8 {
        self.raw.bytes().as_ptr()
    }
}

impl<L: IndexType> Clone for WeakStr<L> {
    fn clone(&self) -> Self {
        WeakStr {
            raw: self.raw.clone(),
        }
    }
}

impl<L: IndexType> Default for WeakStr<L> {
    /// Same as [`WeakStr::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl<L: IndexType> fmt::Debug for WeakStr<L> {
    /// `(Weak)`, as `std::sync::Weak` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(Weak)")
    }
}

impl<L: IndexType> Clone for ArcStr<L> {
    #[inline]
    fn clone(&self) -> Self {
        ArcStr {
            raw: self.raw.clone(),
        }
    }
}

impl<L: IndexType> Deref for ArcStr<L> {
    type Target = str;

    #[inline(always)]
    fn deref(&self) -> &str {
        self.raw.as_str()
    }
}

impl<L: IndexType> AsRef<str> for ArcStr<L> {
    fn as_ref(&self) -> &str {
        self
    }
}

impl<L: IndexType> AsRef<[u8]> for ArcStr<L> {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl<L: IndexType> Borrow<str> for ArcStr<L> {
    fn borrow(&self) -> &str {
        self
    }
}

impl<L: IndexType> Default for ArcStr<L> {
    /// The empty string.
    fn default() -> Self {
        Self::empty()
    }
}

impl<L: IndexType> fmt::Debug for ArcStr<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<L: IndexType> fmt::Display for ArcStr<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

impl<L: IndexType> Hash for ArcStr<L> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (**self).hash(state);
    }
}

impl<L: IndexType> PartialEq for ArcStr<L> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<L: IndexType> Eq for ArcStr<L> {}

impl<L: IndexType> PartialEq<str> for ArcStr<L> {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl<L: IndexType> PartialEq<&str> for ArcStr<L> {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

impl<L: IndexType> PartialEq<alloc::string::String> for ArcStr<L> {
    fn eq(&self, other: &alloc::string::String) -> bool {
        **self == **other
    }
}

impl<L: IndexType> PartialOrd for ArcStr<L> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<L: IndexType> Ord for ArcStr<L> {
    fn cmp(&self, other: &Self) -> Ordering {
        (**self).cmp(&**other)
    }
}
