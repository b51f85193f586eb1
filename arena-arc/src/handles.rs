//! The handles: [`ArcSlice`], [`ArcSingle`] and [`ArcStr`], and the weak
//! handles [`WeakSingle`] and [`WeakSlice`].

use alloc::vec::Vec;
use core::borrow::Borrow;
use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};
use core::ops::{Bound, Deref, RangeBounds};

#[cfg(feature = "std")]
use crate::chunk::RawWeakStr;
use crate::chunk::{RawSingle, RawSlice, RawStr, RawWeakSingle, RawWeakSlice};
use crate::index::IndexType;

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
/// let (head, tail) = word.split_at(2);
/// assert_eq!(head, ['a', 'r']);
/// assert_eq!(tail.len(), 3);
/// assert_eq!(word.iter().filter(|&&c| c == 'a').count(), 2);
///
/// let shared = word.clone();
/// std::thread::spawn(move || assert_eq!(shared[4], 'a')).join().unwrap();
/// ```
pub struct ArcSlice<T, L: IndexType = u32> {
    raw: RawSlice<T, L>,
}

impl<T, L: IndexType> ArcSlice<T, L> {
    #[inline(always)]
    pub(crate) fn from_raw(raw: RawSlice<T, L>) -> Self {
        ArcSlice { raw }
    }

    /// The elements (same as dereferencing).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
    /// let h = alloc.alloc_slice_copy(b"abc");
    /// assert_eq!(h.get(), b"abc");
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
    /// # Panics
    ///
    /// Panics if `mid > len`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// let (a, b) = alloc.alloc_slice_copy(&[1, 2, 3]).split_at(1);
    /// assert_eq!((a.get(), b.get()), (&[1][..], &[2, 3][..]));
    /// ```
    #[track_caller]
    pub fn split_at(&self, mid: usize) -> (Self, Self) {
        let len = self.len();
        assert!(mid <= len, "mid > len: {mid} > {len}");
        (self.slice(..mid), self.slice(mid..))
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
        self.raw.element(index).map(ArcSingle::from_raw)
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

    /// A raw pointer to the first element (dangling if empty).
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
    raw: RawSingle<T, L>,
}

impl<T, L: IndexType> ArcSingle<T, L> {
    #[inline(always)]
    pub(crate) fn from_raw(raw: RawSingle<T, L>) -> Self {
        ArcSingle { raw }
    }

    /// The value (same as dereferencing).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// assert_eq!(*alloc.alloc_value(5).get(), 5);
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

    /// A raw pointer to the value.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut alloc: arena_arc::Allocator<u32> = arena_arc::Allocator::new();
    /// let a = alloc.alloc_value(1);
    /// assert_eq!(a.as_ptr(), &*a as *const u32);
    /// ```
    #[inline]
    pub fn as_ptr(&self) -> *const T {
        self.raw.as_ptr()
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
        fmt::Pointer::fmt(&self.as_ptr(), f)
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
    raw: RawWeakSingle<T, L>,
}

impl<T, L: IndexType> WeakSingle<T, L> {
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
        self.raw.upgrade().map(ArcSingle::from_raw)
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
    /// assert!(WeakSingle::ptr_eq(&w, &w.clone()));
    /// assert!(!WeakSingle::ptr_eq(&w, &WeakSingle::new()));
    /// ```
    #[must_use]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.raw.ptr_eq(&other.raw)
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(WeakSingle)")
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
    raw: RawWeakSlice<T, L>,
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
        self.raw.upgrade().map(ArcSlice::from_raw)
    }

    /// Whether both point to the same elements (or both come from
    /// [`WeakSlice::new`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice, WeakSlice};
    ///
    /// let mut pool: Allocator<u8> = Allocator::new();
    /// let s = pool.alloc_slice_copy(b"ab");
    /// let w = ArcSlice::downgrade(&s);
    /// assert!(WeakSlice::ptr_eq(&w, &w.clone()));
    /// assert!(!WeakSlice::ptr_eq(&w, &ArcSlice::downgrade(&s.slice(1..))));
    /// ```
    #[must_use]
    pub fn ptr_eq(this: &Self, other: &Self) -> bool {
        this.raw.ptr_eq(&other.raw)
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(WeakSlice)")
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
    raw: RawStr<L>,
}

impl<L: IndexType> ArcStr<L> {
    #[inline(always)]
    pub(crate) fn from_raw(raw: RawStr<L>) -> Self {
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
        ArcSlice::from_raw(self.raw.into_bytes())
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

    /// A weak reference to the text (an interning table's entry).
    #[cfg(feature = "std")]
    pub(crate) fn downgrade_raw(&self) -> RawWeakStr<L> {
        self.raw.downgrade()
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
