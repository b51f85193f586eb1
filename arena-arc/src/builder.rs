//! [`SliceBuilder`]: a slice written in place, while the pool it lives in
//! goes on allocating.

use core::fmt;
use core::mem;
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
/// It grows like a `Vec`: [`push`](SliceBuilder::push) past the capacity
/// grows the room in place when the builder is the last allocation in its
/// chunk, and otherwise moves the elements to room twice as large (the old
/// room stays unused until its chunk is freed, as with bumpalo's `Vec`);
/// see [`reserve`](SliceBuilder::reserve). [`try_push`](SliceBuilder::try_push)
/// never grows. [`finish`](SliceBuilder::finish) gives the room not used
/// back to a per-thread pool when the builder is the last allocation in its
/// chunk, so `T::slice_builder(0)` plus pushes costs no more memory than the
/// slice when nothing else is allocated in between. A builder dropped
/// without `finish` drops what was pushed; nothing is allocated. The pool's
/// [statistics](crate::AllocatorStats) count the capacity reserved (less
/// what was given back) as the allocation's elements.
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
/// assert_eq!(b.try_push(3), Err(3)); // `try_push` never grows
/// b.push(3); // `push` does
/// assert_eq!(b.finish(), [1, 2, 3]);
///
/// let mut short = pool.slice_builder(10);
/// short.extend([7, 8]);
/// assert_eq!((short.len(), short.capacity()), (2, 10));
/// assert_eq!(short.finish(), [7, 8]);
/// ```
pub struct SliceBuilder<T, L: IndexType = u32> {
    pub(crate) raw: ReservedSlice<T, L>,
    /// How to reach the pool that made it, to grow in place and give room
    /// back: a per-thread pool (and the scoped pools standing in for it)
    /// can be reached from anywhere on its thread; an explicit `Allocator`
    /// cannot (it may have moved), so its builders have none.
    home: Option<Home<T, L>>,
}

/// The pool a builder came from, as a function that finds it and asks it
/// to make room (`Some(additional)`) or to take the room not used back
/// (`None`): see [`SliceBuilder`]'s `home`. One pointer, so that a builder
/// stays small.
pub(crate) type Home<T, L> = fn(&mut SliceBuilder<T, L>, Option<usize>);

impl<T, L: IndexType> SliceBuilder<T, L> {
    pub(crate) fn from_inner(raw: ReservedSlice<T, L>) -> Self {
        SliceBuilder { raw, home: None }
    }

    /// The builder, reaching its pool through `home`.
    #[cfg(feature = "std")]
    pub(crate) fn with_home(mut self, home: Home<T, L>) -> Self {
        self.home = Some(home);
        self
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

    /// Appends `value`, growing the builder first if it is full (see
    /// [`SliceBuilder::reserve`]), like `Vec::push`.
    ///
    /// # Panics
    ///
    /// Panics if the number of elements would not fit `L` (`value` is
    /// dropped), or if growing would pass the pool's
    /// [allocation limit](crate::Allocator::set_allocation_limit): `value`
    /// and the elements pushed so far are dropped then, and the builder is
    /// left empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// let mut b = u64::slice_builder(1);
    /// b.push(5);
    /// b.push(6); // past the capacity: grows
    /// assert_eq!(b.finish(), [5, 6]);
    /// ```
    #[inline(always)]
    #[track_caller]
    pub fn push(&mut self, value: T) {
        if self.raw.slots().remaining() == 0 {
            // By value, not through `&mut self`: the builder's address does
            // not escape, so its fields can stay in registers on the hot
            // path.
            let raw = mem::replace(&mut self.raw, ReservedSlice::empty(false));
            // The empty stand-in owns nothing: forgotten, not dropped (no
            // call on the builder's address either).
            mem::forget(mem::replace(&mut self.raw, grown_by_one(raw, self.home)));
        }
        self.raw.slots_mut().push(value);
    }

    /// Makes room for at least `additional` more elements, like
    /// `Vec::reserve`.
    ///
    /// A builder of a per-thread pool (`T::slice_builder`, and the pool
    /// standing in for it in a [`PoolScope`](crate::PoolScope)) grows in
    /// place when it is the last allocation in its chunk and the chunk has
    /// room, and otherwise moves its elements to new room in that pool, at
    /// least twice as large (the old room stays unused, as with bumpalo's
    /// `Vec`). A builder of an explicit [`Allocator`](crate::Allocator),
    /// which it cannot reach, moves to a chunk of its own.
    ///
    /// # Panics
    ///
    /// Panics if the number of elements would not fit `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArenaAlloc;
    ///
    /// let mut b = u32::slice_builder(0);
    /// b.reserve(100);
    /// assert!(b.capacity() >= 100);
    /// b.extend(0..100);
    /// assert_eq!(b.finish().len(), 100);
    /// ```
    #[track_caller]
    pub fn reserve(&mut self, additional: usize) {
        if additional <= self.remaining_capacity() {
            return;
        }
        match self.home {
            Some(home) => home(self, Some(additional)),
            None => self.raw.grow_alone(additional),
        }
    }

    /// Appends `value` if there is room, without growing; gives it back if
    /// the builder is full.
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

    /// Pushes the items of `iter` without growing until it ends (`None`) or
    /// an item finds the builder full (`Some(item)`, given back).
    #[cfg(feature = "std")]
    #[inline]
    pub(crate) fn push_until_full(&mut self, iter: &mut impl Iterator<Item = T>) -> Option<T> {
        self.raw.slots_mut().push_from(iter)
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
    /// none pushed, the empty slice.
    ///
    /// Room not used is given back to a per-thread pool when the builder
    /// is the last allocation in its chunk (nothing was allocated after it
    /// in that chunk), so `T::slice_builder(0)` and pushes take no more
    /// memory than the slice; otherwise it stays unused until its chunk is
    /// freed.
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
    pub fn finish(mut self) -> ArcSlice<T, L> {
        if let Some(home) = self.home
            && !self.is_full()
        {
            home(&mut self, None);
        }
        ArcSlice::from_inner(self.raw.finish())
    }

    /// Moves the elements pushed so far, then `extra`, into a new `Vec`,
    /// leaving the builder empty (for input longer than it said).
    #[cfg(feature = "std")]
    pub(crate) fn spill(&mut self, extra: T) -> alloc::vec::Vec<T> {
        self.raw.slots_mut().spill(extra)
    }
}

/// `raw`, grown to room for one more element (through `home`, if any).
#[cold]
#[inline(never)]
#[track_caller]
fn grown_by_one<T, L: IndexType>(
    raw: ReservedSlice<T, L>,
    home: Option<Home<T, L>>,
) -> ReservedSlice<T, L> {
    let mut builder = SliceBuilder { raw, home };
    builder.reserve(1);
    builder.raw
}

impl<T, L: IndexType> Extend<T> for SliceBuilder<T, L> {
    /// Pushes every item of `iter`, growing as needed (reserving its lower
    /// size bound first, up to what `L` counts).
    ///
    /// # Panics
    ///
    /// Panics if the number of elements would not fit `L`; those pushed
    /// before stay.
    #[track_caller]
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        let mut iter = iter.into_iter();
        let (lower, _) = iter.size_hint();
        // Not trusted beyond what the index type counts.
        if lower <= L::MAX_USIZE.saturating_sub(self.len()) {
            self.reserve(lower);
        }
        loop {
            // Within the room: no call that grows inside this loop, so its
            // state can stay in registers.
            while !self.is_full() {
                match iter.next() {
                    Some(item) => self.raw.slots_mut().push(item),
                    None => return,
                }
            }
            match iter.next() {
                Some(item) => self.push(item),
                None => return,
            }
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
