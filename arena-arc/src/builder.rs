//! [`SliceBuilder`]: a slice written in place, while the pool it lives in
//! goes on allocating.

use core::fmt;
use core::ops::{Deref, DerefMut};

use crate::chunk::ReservedSlice;
use crate::handles::ArcSlice;
use crate::index::IndexType;

/// A slice under construction, written straight into its pool: room for
/// `capacity` elements is reserved up front, elements are pushed into it,
/// and [`finish`](SliceBuilder::finish) turns the ones pushed into an
/// [`ArcSlice`] without copying them.
///
/// The builder does not borrow its pool, so the pool can allocate other
/// things meanwhile, typically the pushed elements' own children: a node's
/// child slice is built while the children are. (Collecting them in a `Vec`
/// first and calling [`Allocator::alloc_vec`](crate::Allocator::alloc_vec)
/// costs a heap allocation and a copy per slice.)
///
/// Made by [`Allocator::slice_builder`](crate::Allocator::slice_builder),
/// [`ArenaType::slice_builder_in`](crate::ArenaType::slice_builder_in) and,
/// in the per-thread pool, [`ArenaAlloc::slice_builder`](crate::ArenaAlloc::slice_builder).
///
/// The capacity is fixed, as in an `arrayvec::ArrayVec`:
/// [`push`](SliceBuilder::push) panics when the builder is full and
/// [`try_push`](SliceBuilder::try_push) gives the value back. Room left
/// unused stays unused in its chunk until the chunk is freed. A builder
/// dropped without `finish` drops what was pushed; nothing is allocated.
/// The pool's [statistics](crate::AllocatorStats) count the reserved
/// capacity as the allocation's elements.
///
/// # Examples
///
/// A tree whose nodes hold their children in a slice, built in one pool
/// with no intermediate `Vec`:
///
/// ```
/// use arena_arc::{Allocator, ArcSlice};
///
/// struct Node {
///     value: u32,
///     children: ArcSlice<Node>,
/// }
///
/// fn build(pool: &mut Allocator<Node>, depth: u32, next: &mut u32) -> Node {
///     *next += 1;
///     let value = *next;
///     if depth == 0 {
///         return Node { value, children: ArcSlice::empty() };
///     }
///     let mut children = pool.slice_builder(3);
///     for _ in 0..3 {
///         // The pool is free: the child's own children go into it too.
///         children.push(build(pool, depth - 1, next));
///     }
///     Node { value, children: children.finish() }
/// }
///
/// fn count(node: &Node) -> usize {
///     1 + node.children.iter().map(count).sum::<usize>()
/// }
///
/// let mut pool = Allocator::new();
/// let root = build(&mut pool, 3, &mut 0);
/// assert_eq!(count(&root), 1 + 3 + 9 + 27);
/// assert_eq!(root.children[0].value, 2);
/// ```
///
/// Fewer elements than the capacity, and the full case:
///
/// ```
/// let mut pool: arena_arc::Allocator<u8> = arena_arc::Allocator::new();
/// let mut b = pool.slice_builder(2);
/// b.push(1);
/// b.push(2);
/// assert!(b.is_full());
/// assert_eq!(b.try_push(3), Err(3));
/// assert_eq!(b.finish(), [1, 2]);
///
/// let mut short = pool.slice_builder(10);
/// short.extend([7, 8]);
/// assert_eq!((short.len(), short.capacity()), (2, 10));
/// assert_eq!(short.finish(), [7, 8]);
/// ```
pub struct SliceBuilder<T, L: IndexType = u32> {
    raw: ReservedSlice<T, L>,
}

impl<T, L: IndexType> SliceBuilder<T, L> {
    pub(crate) fn from_raw(raw: ReservedSlice<T, L>) -> Self {
        SliceBuilder { raw }
    }

    /// The number of elements pushed so far.
    #[inline]
    pub fn len(&self) -> usize {
        self.raw.slots().written()
    }

    /// Whether nothing was pushed yet.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.raw.slots().written() == 0
    }

    /// The number of elements the builder has room for.
    #[inline]
    pub fn capacity(&self) -> usize {
        self.raw.slots().capacity()
    }

    /// The number of elements that can still be pushed.
    #[inline]
    pub fn remaining_capacity(&self) -> usize {
        self.raw.slots().remaining()
    }

    /// Whether the builder is full.
    #[inline]
    pub fn is_full(&self) -> bool {
        self.raw.slots().remaining() == 0
    }

    /// Appends `value`.
    ///
    /// # Panics
    ///
    /// Panics if the builder is full (`value` is dropped).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// let mut b = u64::slice_builder(1);
    /// b.push(5);
    /// assert_eq!(b.finish(), [5]);
    /// ```
    #[inline]
    #[track_caller]
    pub fn push(&mut self, value: T) {
        if self.raw.slots_mut().try_push(value).is_err() {
            full(self.capacity());
        }
    }

    /// Appends `value`, or gives it back if the builder is full.
    ///
    /// # Errors
    ///
    /// `Err(value)` when the builder is full.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// let mut b = u64::slice_builder(0);
    /// assert_eq!(b.try_push(5), Err(5));
    /// ```
    #[inline]
    pub fn try_push(&mut self, value: T) -> Result<(), T> {
        self.raw.slots_mut().try_push(value)
    }

    /// The elements pushed so far.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        self.raw.slots().as_slice()
    }

    /// The elements pushed so far, mutably.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.raw.slots_mut().as_mut_slice()
    }

    /// The slice of the elements pushed, in its pool: no copy is made. With
    /// none pushed, the empty slice (the room stays unused).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// let mut b = char::slice_builder(3);
    /// b.extend("ab".chars());
    /// let ab = b.finish();
    /// assert_eq!(ab, ['a', 'b']);
    /// assert!(char::slice_builder(3).finish().is_empty());
    /// ```
    #[inline]
    pub fn finish(self) -> ArcSlice<T, L> {
        ArcSlice::from_raw(self.raw.finish())
    }

    /// Moves the elements pushed so far, then `extra`, into a new `Vec`,
    /// leaving the builder empty (for input longer than it said).
    #[cfg(feature = "std")]
    pub(crate) fn spill(&mut self, extra: T) -> alloc::vec::Vec<T> {
        self.raw.slots_mut().spill(extra)
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn full(capacity: usize) -> ! {
    panic!("arena-arc: SliceBuilder is full (capacity {capacity})")
}

impl<T, L: IndexType> Extend<T> for SliceBuilder<T, L> {
    /// Pushes every item of `iter`.
    ///
    /// # Panics
    ///
    /// Panics if the items do not fit; those pushed before stay.
    #[track_caller]
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for item in iter {
            self.push(item);
        }
    }
}

impl<T, L: IndexType> Deref for SliceBuilder<T, L> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T, L: IndexType> DerefMut for SliceBuilder<T, L> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T: fmt::Debug, L: IndexType> fmt::Debug for SliceBuilder<T, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SliceBuilder")
            .field("elements", &self.as_slice())
            .field("capacity", &self.capacity())
            .finish()
    }
}
