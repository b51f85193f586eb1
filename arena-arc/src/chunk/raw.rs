//! The raw handles: counted ([`RawSlice`], [`RawSingle`], [`RawStr`]) and
//! weak ([`RawWeakSingle`], [`RawWeakSlice`], [`RawWeakStr`]). A handle stores a pointer to
//! its first element and that element's index in its owner, and finds the
//! owner's count from the two (see the module docs of `chunk`).

use core::marker::PhantomData;
use core::mem;
use core::ptr::NonNull;

use super::bump::Bump;
#[cfg(feature = "std")]
use super::counts::owner_is_dead;
use super::counts::{
    chunk_weak_handles, chunk_weak_release, chunk_weak_retain, owner_count, owner_is_unique,
    owner_mark_weak, owner_release, owner_release_is_last, owner_release_many, owner_retain,
    owner_take_unique, owner_try_retain, owner_weak_seen,
};
use super::layout::{
    CHUNK_META, ChunkHeader, OwnerHeader, chunk_of_owner, chunk_of_value, chunk_owner,
    element_index, owner_meta, owner_of, value_len,
};
use super::teardown::owner_died;
use crate::index::IndexType;

/// The raw form of [`ArcSlice`](crate::ArcSlice): a counted reference to a
/// run of elements of one owner.
///
/// Invariant:
/// * if `len == 0`: owns nothing; `ptr` is `NonNull::dangling()` and
///   `offset == 0`;
/// * otherwise: `ptr` is element `offset` of a live owner (with its chunk
///   allocation's provenance), elements `offset..offset + len` of the owner
///   are initialised and never written or dropped while it is live, and
///   `self` owns one counted reference to the owner.
pub(crate) struct RawSlice<T, L: IndexType> {
    pub(super) ptr: NonNull<T>,
    /// `offset` and `len`, packed (see `IndexType`'s `Span`).
    pub(super) span: L::Span,
    /// Owns `T`s (for drop check) and is covariant in `T`, like `Arc<[T]>`.
    pub(super) _owns: PhantomData<T>,
}

// SAFETY: a `RawSlice` gives shared access to `T`s (needs `T: Sync`) and the
// last reference may drop them on whatever thread it is dropped (needs
// `T: Send`), exactly like `Arc<[T]>`. The counts are atomic.
unsafe impl<T: Send + Sync, L: IndexType> Send for RawSlice<T, L> {}
// SAFETY: as above; `&RawSlice` can be cloned into an owned one.
unsafe impl<T: Send + Sync, L: IndexType> Sync for RawSlice<T, L> {}

impl<T, L: IndexType> RawSlice<T, L> {
    /// The index of the first element in its owner.
    #[inline(always)]
    fn offset(&self) -> L {
        L::span_offset(self.span)
    }

    /// The number of elements, as an `L`.
    #[inline(always)]
    fn len_l(&self) -> L {
        L::span_len(self.span)
    }

    /// The empty slice, owning nothing.
    #[inline]
    pub(crate) const fn empty() -> Self {
        RawSlice {
            ptr: NonNull::dangling(),
            span: L::ZERO_SPAN,
            _owns: PhantomData,
        }
    }

    /// Number of elements.
    #[inline(always)]
    pub(crate) fn len(&self) -> usize {
        self.len_l().to_usize()
    }

    /// The elements.
    #[inline(always)]
    pub(crate) fn as_slice(&self) -> &[T] {
        // SAFETY: by the invariant, `len` initialised elements start at `ptr`
        // and stay unchanged while `self` keeps the owner alive; for `len ==
        // 0`, `ptr` is dangling but aligned, which an empty slice allows.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len_l().to_usize()) }
    }

    /// The owner. Only meaningful when `len != 0`.
    #[inline(always)]
    fn owner(&self) -> NonNull<OwnerHeader> {
        debug_assert!(self.len_l() != L::ZERO);
        // SAFETY: non-empty, so `ptr` is element `offset` of a live owner.
        unsafe { owner_of(self.ptr, self.offset().to_usize()) }
    }

    /// A new counted reference to `start..end` of `self`.
    ///
    /// # Panics
    ///
    /// Panics unless `start <= end <= self.len()`.
    #[track_caller]
    pub(crate) fn slice(&self, start: usize, end: usize) -> Self {
        let len = self.len();
        assert!(
            start <= end,
            "range start must not be greater than end: {start} <= {end}"
        );
        assert!(end <= len, "range end out of bounds: {end} <= {len}");
        if start == end {
            return Self::empty();
        }
        // SAFETY: non-empty, so we own a counted reference to the owner.
        unsafe { owner_retain(self.owner()) };
        RawSlice {
            // SAFETY: `start < len`, so the result stays inside our elements.
            ptr: unsafe { self.ptr.add(start) },
            // `offset + start < offset + len`, which fits `L` (owners are at
            // most a chunk, whose size is checked against `L`, or one
            // allocation, whose length `Bump` checked).
            span: L::span(
                L::from_usize_lossy(self.offset().to_usize() + start),
                L::from_usize_lossy(end - start),
            ),
            _owns: PhantomData,
        }
    }

    /// A new counted reference to element `index`, or `None` if out of bounds.
    pub(crate) fn element(&self, index: usize) -> Option<RawSingle<T, L>> {
        if index >= self.len() {
            return None;
        }
        // SAFETY: non-empty, so we own a counted reference to the owner.
        unsafe { owner_retain(self.owner()) };
        Some(RawSingle {
            // SAFETY: `index < len`.
            ptr: unsafe { self.ptr.add(index) },
            owner: self.owner(),
            _owns: PhantomData,
        })
    }

    /// Converts a one-element slice into a single handle, keeping its
    /// reference; gives `self` back otherwise.
    pub(crate) fn into_single(self) -> Result<RawSingle<T, L>, Self> {
        if self.len_l() != L::ONE {
            return Err(self);
        }
        let this = mem::ManuallyDrop::new(self);
        // Moves the counted reference from `this` (never dropped) to the
        // result.
        Ok(RawSingle {
            ptr: this.ptr,
            owner: this.owner(),
            _owns: PhantomData,
        })
    }

    /// Whether both point to the same elements (two empty slices are equal).
    #[inline]
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr && self.len_l() == other.len_l()
    }

    /// Pointer to the first element (dangling when empty).
    #[inline]
    pub(crate) fn as_ptr(&self) -> *const T {
        self.ptr.as_ptr()
    }

    /// A weak handle to the same elements.
    pub(crate) fn downgrade(&self) -> RawWeakSlice<T, L> {
        if self.len_l() != L::ZERO {
            // SAFETY: non-empty, so we own a counted reference to the owner.
            unsafe { weak_of(self.owner()) };
        }
        RawWeakSlice {
            ptr: self.ptr,
            span: self.span,
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> RawSlice<T, L> {
    /// A snapshot of the owner's count (0 for the empty slice, which owns
    /// nothing).
    pub(crate) fn strong_count(&self) -> usize {
        if self.len_l() == L::ZERO {
            return 0;
        }
        // SAFETY: non-empty, so we own a counted reference to the owner.
        unsafe { owner_count(self.owner()) as usize }
    }

    /// See [`RawSingle::weak_count`] (0 for the empty slice).
    pub(crate) fn weak_count(&self) -> usize {
        if self.len_l() == L::ZERO {
            return 0;
        }
        // SAFETY: non-empty, so we own a counted reference to the owner.
        unsafe { weak_count_of(self.owner()) }
    }

    /// The elements, mutably, if nobody else can reach them: this is the
    /// only counted reference to the owner and no weak handle to it was
    /// ever made (always, for the empty slice).
    pub(crate) fn get_mut(&mut self) -> Option<&mut [T]> {
        let len = self.len_l().to_usize();
        // SAFETY: non-empty, so we own a counted reference to the owner.
        if len != 0 && !unsafe { owner_is_unique(self.owner()) } {
            return None;
        }
        // SAFETY: `len` initialised elements start at `ptr` (or none, at a
        // dangling but aligned `ptr`); nobody else holds a reference to the
        // owner or can make one (`owner_is_unique`) while `self` is borrowed
        // mutably, and the allocator, which holds one while it writes into a
        // chunk, is gone; so nothing else reads or writes them meanwhile.
        Some(unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), len) })
    }
}

impl<T, L: IndexType> RawSlice<T, L> {
    /// Gives up ownership of the reference without giving it back: the
    /// first element's pointer, its index in the owner, and the length, for
    /// [`RawSlice::from_raw`].
    #[cfg(feature = "std")]
    pub(crate) fn into_raw(self) -> (NonNull<T>, usize, usize) {
        let this = mem::ManuallyDrop::new(self);
        (this.ptr, this.offset().to_usize(), this.len())
    }

    /// Takes back a reference given up by [`RawSlice::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr`, `offset` and `len` came from `into_raw` of a `RawSlice<T, L>`
    /// whose reference was not taken back yet (it is, now); for `len == 0`,
    /// any `ptr` and `offset` (the empty slice owns nothing).
    #[cfg(feature = "std")]
    pub(crate) unsafe fn from_raw(ptr: NonNull<T>, offset: usize, len: usize) -> Self {
        if len == 0 {
            return Self::empty();
        }
        RawSlice {
            ptr,
            // The handle's own offset and length, which fit `L`.
            span: L::span(L::from_usize_lossy(offset), L::from_usize_lossy(len)),
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> Clone for RawSlice<T, L> {
    #[inline]
    fn clone(&self) -> Self {
        if self.len_l() != L::ZERO {
            // SAFETY: non-empty, so we own a counted reference to the owner.
            unsafe { owner_retain(self.owner()) };
        }
        RawSlice {
            ptr: self.ptr,
            span: self.span,
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> Drop for RawSlice<T, L> {
    #[inline]
    fn drop(&mut self) {
        if self.len_l() != L::ZERO {
            // SAFETY: we own one counted reference and are done with it.
            unsafe { owner_release::<T>(self.owner()) }
        }
    }
}

/// The raw form of [`ArcSingle`](crate::ArcSingle): a counted reference to
/// one element.
///
/// Invariant: `ptr` is an element of the live owner whose header is `owner`
/// (both with its chunk allocation's provenance), that element is
/// initialised and never written or dropped while the owner is live, and
/// `self` owns one counted reference to the owner.
pub(crate) struct RawSingle<T, L: IndexType> {
    pub(super) ptr: NonNull<T>,
    /// The owner header, so that clone and drop reach the count with no
    /// arithmetic (the element's index in its owner, which `ptr` and
    /// `owner` give, is needed far less often). Two pointers travel in two
    /// registers.
    pub(super) owner: NonNull<OwnerHeader>,
    /// Owns a `T`; `L` is only a marker.
    pub(super) _owns: PhantomData<(T, fn() -> L)>,
}

// SAFETY: same reasoning as for `RawSlice`, like `Arc<T>`.
unsafe impl<T: Send + Sync, L: IndexType> Send for RawSingle<T, L> {}
// SAFETY: same reasoning as for `RawSlice`, like `Arc<T>`.
unsafe impl<T: Send + Sync, L: IndexType> Sync for RawSingle<T, L> {}

impl<T, L: IndexType> RawSingle<T, L> {
    /// The element.
    #[inline(always)]
    pub(crate) fn get(&self) -> &T {
        // SAFETY: by the invariant the element is initialised and unchanged
        // while `self` keeps the owner alive.
        unsafe { self.ptr.as_ref() }
    }

    /// Converts into a one-element slice handle, keeping the reference.
    pub(crate) fn into_slice(self) -> RawSlice<T, L> {
        let this = mem::ManuallyDrop::new(self);
        // Moves the counted reference from `this` (never dropped) to the
        // result; a one-element run satisfies the `RawSlice` invariant.
        RawSlice {
            ptr: this.ptr,
            // The index is below the owner's length, which fits `L`.
            span: L::span(L::from_usize_lossy(this.index()), L::ONE),
            _owns: PhantomData,
        }
    }

    /// Whether both point to the same element.
    #[inline]
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr
    }

    /// Pointer to the element.
    #[inline]
    pub(crate) fn as_ptr(&self) -> *const T {
        self.ptr.as_ptr()
    }

    #[inline(always)]
    fn owner(&self) -> NonNull<OwnerHeader> {
        self.owner
    }

    /// The element's index in its owner.
    fn index(&self) -> usize {
        element_index(self.owner, self.ptr)
    }

    /// A weak handle to the same element.
    pub(crate) fn downgrade(&self) -> RawWeakSingle<T, L> {
        // SAFETY: we own a counted reference to the owner.
        unsafe { weak_of(self.owner()) };
        RawWeakSingle {
            ptr: self.ptr,
            offset: self.index(),
            _owns: PhantomData,
        }
    }
}

/// How [`RawSingle::try_unwrap`] and [`RawSingle::into_inner`] give up an
/// owner whose element they moved out.
#[derive(Clone, Copy)]
enum Detach {
    /// An allocation of this one element: it gives back its reference to
    /// `chunk`, and its cell is never dropped.
    Value(NonNull<ChunkHeader>),
    /// A plain chunk of a type without drop glue: it is freed, and freeing
    /// it drops nothing.
    Chunk,
}

impl<T, L: IndexType> RawSingle<T, L> {
    /// A snapshot of the owner's count: the strong handles to the value in
    /// a cycle-aware pool; in a plain one, the references to its chunk.
    pub(crate) fn strong_count(&self) -> usize {
        // SAFETY: we own a counted reference to the owner.
        unsafe { owner_count(self.owner) as usize }
    }

    /// 0 if no weak handle to the owner was ever made; otherwise a snapshot
    /// of the weak handles into its chunk (at least the owner's own).
    pub(crate) fn weak_count(&self) -> usize {
        // SAFETY: we own a counted reference to the owner.
        unsafe { weak_count_of(self.owner) }
    }

    /// The element, mutably, if nobody else can reach it: this is the only
    /// counted reference to its owner and no weak handle to the owner was
    /// ever made.
    pub(crate) fn get_mut(&mut self) -> Option<&mut T> {
        // SAFETY: we own a counted reference to the owner.
        if !unsafe { owner_is_unique(self.owner) } {
            return None;
        }
        // SAFETY: the element is initialised; nobody else holds a reference
        // to the owner or can make one (`owner_is_unique`) while `self` is
        // borrowed mutably, and the allocator, which holds one while it
        // writes into a chunk, is gone; the reference covers this element
        // only.
        Some(unsafe { self.ptr.as_mut() })
    }

    /// How the element can be moved out of its owner, if it can: an owner
    /// of this one element, or a plain chunk of a type without drop glue
    /// (which drops nothing when freed). Not an element of a larger
    /// allocation, nor of a plain chunk that will drop it.
    fn detach(&self) -> Option<Detach> {
        // SAFETY: we own a counted reference to the owner.
        let meta = unsafe { owner_meta(self.owner) };
        if meta == CHUNK_META {
            return (!mem::needs_drop::<T>()).then_some(Detach::Chunk);
        }
        // SAFETY: as above; `meta` is an allocation's.
        unsafe {
            (value_len(self.owner, meta) == 1)
                .then(|| Detach::Value(chunk_of_value(self.owner, meta)))
        }
    }

    /// Moves the element out of its dead owner and disposes of the owner
    /// without dropping it.
    ///
    /// # Safety
    ///
    /// The owner's count just went from one to zero by the caller's hand
    /// (so nobody else can reach the element, and it is dropped by nobody),
    /// and `detach` is what [`RawSingle::detach`] said for it.
    unsafe fn take_from_dead(&self, detach: Detach) -> T {
        // SAFETY: the element is initialised and now ours alone.
        let value = unsafe { self.ptr.as_ptr().read() };
        match detach {
            // SAFETY: the dead allocation's one reference to its chunk, of
            // `T`s, given up once; its cell is never read again.
            Detach::Value(chunk) => unsafe { owner_release_many::<T>(chunk_owner(chunk), 1) },
            // SAFETY: the chunk's count reached zero; freeing it drops its
            // elements, which have no drop glue.
            Detach::Chunk => unsafe { owner_died::<T>(self.owner, CHUNK_META) },
        }
        value
    }

    /// The element, moved out, if this is the only counted reference to an
    /// owner it can leave (see [`RawSingle::detach`]); `self` back
    /// otherwise.
    pub(crate) fn try_unwrap(self) -> Result<T, Self> {
        let Some(detach) = self.detach() else {
            return Err(self);
        };
        // SAFETY: we own a counted reference to the owner.
        if !unsafe { owner_take_unique(self.owner) } {
            return Err(self);
        }
        // The reference was given up with the count.
        let this = mem::ManuallyDrop::new(self);
        // SAFETY: the count went from one to zero just now.
        Ok(unsafe { this.take_from_dead(detach) })
    }

    /// Gives up this reference; if it was the last one to an owner the
    /// element can leave, moves the element out.
    pub(crate) fn into_inner(self) -> Option<T> {
        let detach = self.detach()?;
        let this = mem::ManuallyDrop::new(self);
        // SAFETY: we own a counted reference to the owner and give it up.
        if !unsafe { owner_release_is_last(this.owner) } {
            return None;
        }
        // SAFETY: the count went from one to zero just now.
        Some(unsafe { this.take_from_dead(detach) })
    }

    /// Gives up ownership of the reference without giving it back: the
    /// element's pointer and its index in the owner, for
    /// [`RawSingle::from_raw`].
    #[cfg(feature = "std")]
    pub(crate) fn into_raw(self) -> (NonNull<T>, usize) {
        let this = mem::ManuallyDrop::new(self);
        (this.ptr, this.index())
    }

    /// Takes back a reference given up by [`RawSingle::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr` and `index` came from `into_raw` of a `RawSingle<T, L>` whose
    /// reference was not taken back yet (it is, now).
    #[cfg(feature = "std")]
    pub(crate) unsafe fn from_raw(ptr: NonNull<T>, index: usize) -> Self {
        RawSingle {
            ptr,
            // SAFETY: `ptr` is element `index` of the owner whose reference
            // we take back, which keeps it live.
            owner: unsafe { owner_of(ptr, index) },
            _owns: PhantomData,
        }
    }
}

/// 0 if no weak handle to `owner` was ever made; otherwise a snapshot of
/// the weak handles into its chunk.
///
/// # Safety
///
/// The caller owns a counted reference to `owner`.
unsafe fn weak_count_of(owner: NonNull<OwnerHeader>) -> usize {
    // SAFETY: the caller's reference keeps the owner, and the strong side of
    // its chunk, alive.
    unsafe {
        if !owner_weak_seen(owner) {
            return 0;
        }
        chunk_weak_handles(chunk_of_owner(owner, owner_meta(owner)))
    }
}

impl<T, L: IndexType> Clone for RawSingle<T, L> {
    #[inline]
    fn clone(&self) -> Self {
        // SAFETY: we own a counted reference to the owner.
        unsafe { owner_retain(self.owner()) };
        RawSingle {
            ptr: self.ptr,
            owner: self.owner,
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> Drop for RawSingle<T, L> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: we own one counted reference and are done with it.
        unsafe { owner_release::<T>(self.owner()) }
    }
}

/// Takes a weak reference to the chunk of `owner` and marks the owner as
/// possibly weakly referenced.
///
/// # Safety
///
/// The caller owns a counted reference to `owner`.
unsafe fn weak_of(owner: NonNull<OwnerHeader>) {
    // SAFETY: the caller's reference keeps the owner (and its chunk) live.
    unsafe {
        let chunk = chunk_of_owner(owner, owner_meta(owner));
        chunk_weak_retain(chunk);
        owner_mark_weak(owner);
    }
}

/// The chunk of the owner of element `offset` at `ptr`.
///
/// # Safety
///
/// `ptr` is element `offset` of an owner whose chunk's memory is live.
#[inline]
unsafe fn chunk_of_element<T>(ptr: NonNull<T>, offset: usize) -> NonNull<ChunkHeader> {
    // SAFETY: forwarded.
    unsafe {
        let owner = owner_of(ptr, offset);
        chunk_of_owner(owner, owner_meta(owner))
    }
}

/// The raw form of [`WeakSingle`](crate::WeakSingle).
///
/// Invariant: either `offset == usize::MAX` ([`RawWeakSingle::new`], owns
/// nothing), or `ptr` is element `offset` of an owner (live or dead) whose
/// chunk's memory is live, and `self` owns one weak reference to that
/// chunk.
pub(crate) struct RawWeakSingle<T, L: IndexType> {
    pub(super) ptr: NonNull<T>,
    pub(super) offset: usize,
    pub(super) _owns: PhantomData<(T, fn() -> L)>,
}

// SAFETY: upgrading gives a `RawSingle`, which needs `T: Send + Sync` to
// cross threads; the counts are atomic.
unsafe impl<T: Send + Sync, L: IndexType> Send for RawWeakSingle<T, L> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync, L: IndexType> Sync for RawWeakSingle<T, L> {}

impl<T, L: IndexType> RawWeakSingle<T, L> {
    /// A weak handle that never upgrades.
    pub(crate) const fn new() -> Self {
        RawWeakSingle {
            ptr: NonNull::dangling(),
            offset: usize::MAX,
            _owns: PhantomData,
        }
    }

    /// A counted reference to the element, unless its owner's count is
    /// zero.
    pub(crate) fn upgrade(&self) -> Option<RawSingle<T, L>> {
        if self.offset == usize::MAX {
            return None;
        }
        // SAFETY: `ptr` is element `offset` of an owner whose memory our
        // weak reference keeps live (invariant).
        let owner = unsafe { owner_of(self.ptr, self.offset) };
        // SAFETY: as above.
        if unsafe { owner_try_retain(owner) } {
            Some(RawSingle {
                ptr: self.ptr,
                owner,
                _owns: PhantomData,
            })
        } else {
            None
        }
    }

    /// Whether both point to the same element (or both never upgrade).
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr && (self.offset == usize::MAX) == (other.offset == usize::MAX)
    }

    /// Whether [`upgrade`](Self::upgrade) fails from now on: the owner is
    /// dead (or this handle never upgrades). `false` may be out of date by
    /// the time the caller reads it.
    #[cfg(feature = "std")]
    pub(crate) fn is_dead(&self) -> bool {
        if self.offset == usize::MAX {
            return true;
        }
        // SAFETY: `ptr` is element `offset` of an owner whose memory our
        // weak reference keeps live (invariant).
        unsafe { owner_is_dead(owner_of(self.ptr, self.offset)) }
    }
}

impl<T, L: IndexType> RawWeakSingle<T, L> {
    /// A snapshot of the owner's count; 0 if it is dead (or this handle
    /// never upgrades).
    pub(crate) fn strong_count(&self) -> usize {
        if self.offset == usize::MAX {
            return 0;
        }
        // SAFETY: our weak reference keeps the owner's memory live.
        unsafe { owner_count(owner_of(self.ptr, self.offset)) as usize }
    }

    /// 0 if the owner is dead; otherwise a snapshot of the weak handles into
    /// its chunk (at least this one).
    pub(crate) fn weak_count(&self) -> usize {
        // Read through a counted reference, which keeps the chunk's strong
        // side (and its implicit weak reference) alive meanwhile. This
        // handle's existence set the owner's `WEAK_SEEN`.
        self.upgrade().map_or(0, |strong| strong.weak_count())
    }

    /// The element's address (dangling for a handle that never upgrades).
    pub(crate) fn as_ptr(&self) -> *const T {
        self.ptr.as_ptr()
    }

    /// Gives up ownership of the weak reference without giving it back: the
    /// element's pointer and its index in its owner (`usize::MAX` for a
    /// handle that never upgrades), for [`RawWeakSingle::from_raw`].
    #[cfg(feature = "std")]
    pub(crate) fn into_raw(self) -> (NonNull<T>, usize) {
        let this = mem::ManuallyDrop::new(self);
        (this.ptr, this.offset)
    }

    /// Takes back a weak reference given up by [`RawWeakSingle::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr` and `offset` came from `into_raw` of a `RawWeakSingle<T, L>`
    /// whose reference was not taken back yet (it is, now).
    #[cfg(feature = "std")]
    pub(crate) unsafe fn from_raw(ptr: NonNull<T>, offset: usize) -> Self {
        RawWeakSingle {
            ptr,
            offset,
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> Clone for RawWeakSingle<T, L> {
    fn clone(&self) -> Self {
        if self.offset != usize::MAX {
            // SAFETY: we own a weak reference to the chunk.
            unsafe { chunk_weak_retain(chunk_of_element(self.ptr, self.offset)) };
        }
        RawWeakSingle {
            ptr: self.ptr,
            offset: self.offset,
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> Drop for RawWeakSingle<T, L> {
    fn drop(&mut self) {
        if self.offset != usize::MAX {
            // SAFETY: we own a weak reference to the chunk and are done.
            unsafe { chunk_weak_release(chunk_of_element(self.ptr, self.offset)) }
        }
    }
}

/// The raw form of [`WeakSlice`](crate::WeakSlice).
///
/// Invariant: with `len == 0`, owns nothing, and upgrades to the empty
/// slice if `offset == 0` and never if `offset == 1`
/// ([`RawWeakSlice::new`]); otherwise `ptr` is element `offset` of an owner
/// (live or dead) whose chunk's memory is live, and `self` owns one weak
/// reference to that chunk.
pub(crate) struct RawWeakSlice<T, L: IndexType> {
    ptr: NonNull<T>,
    span: L::Span,
    _owns: PhantomData<T>,
}

// SAFETY: as for `RawWeakSingle`.
unsafe impl<T: Send + Sync, L: IndexType> Send for RawWeakSlice<T, L> {}
// SAFETY: as for `RawWeakSingle`.
unsafe impl<T: Send + Sync, L: IndexType> Sync for RawWeakSlice<T, L> {}

impl<T, L: IndexType> RawWeakSlice<T, L> {
    /// A weak handle that never upgrades.
    pub(crate) fn new() -> Self {
        RawWeakSlice {
            ptr: NonNull::dangling(),
            span: L::span(L::ONE, L::ZERO),
            _owns: PhantomData,
        }
    }

    fn owned(&self) -> bool {
        L::span_len(self.span) != L::ZERO
    }

    /// A counted reference to the elements, unless their owner's count is
    /// zero.
    pub(crate) fn upgrade(&self) -> Option<RawSlice<T, L>> {
        if !self.owned() {
            return (L::span_offset(self.span) == L::ZERO).then(RawSlice::empty);
        }
        let offset = L::span_offset(self.span).to_usize();
        // SAFETY: our weak reference keeps the chunk's memory (and so the
        // owner header) live.
        if unsafe { owner_try_retain(owner_of(self.ptr, offset)) } {
            Some(RawSlice {
                ptr: self.ptr,
                span: self.span,
                _owns: PhantomData,
            })
        } else {
            None
        }
    }

    /// Whether both point to the same elements (or both never upgrade).
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr && self.span == other.span
    }

    /// Whether [`upgrade`](Self::upgrade) fails from now on: the owner is
    /// dead (or this handle never upgrades). `false` may be out of date by
    /// the time the caller reads it.
    #[cfg(feature = "std")]
    pub(crate) fn is_dead(&self) -> bool {
        if !self.owned() {
            return L::span_offset(self.span) != L::ZERO;
        }
        let offset = L::span_offset(self.span).to_usize();
        // SAFETY: our weak reference keeps the chunk's memory (and so the
        // owner header) live.
        unsafe { owner_is_dead(owner_of(self.ptr, offset)) }
    }
}

impl<T, L: IndexType> RawWeakSlice<T, L> {
    /// A snapshot of the owner's count; 0 if it is dead, for the empty
    /// slice and for a handle that never upgrades.
    pub(crate) fn strong_count(&self) -> usize {
        if !self.owned() {
            return 0;
        }
        let offset = L::span_offset(self.span).to_usize();
        // SAFETY: our weak reference keeps the owner's memory live.
        unsafe { owner_count(owner_of(self.ptr, offset)) as usize }
    }

    /// 0 if the owner is dead (and for handles that own nothing); otherwise
    /// a snapshot of the weak handles into its chunk (at least this one).
    pub(crate) fn weak_count(&self) -> usize {
        // As for `RawWeakSingle::weak_count` (a handle owning nothing
        // upgrades to nothing or to the empty slice, which counts 0).
        self.upgrade().map_or(0, |strong| strong.weak_count())
    }

    /// The first element's address (dangling when empty).
    pub(crate) fn as_ptr(&self) -> *const T {
        self.ptr.as_ptr()
    }

    /// The number of elements.
    #[cfg(feature = "std")]
    pub(crate) fn len(&self) -> usize {
        L::span_len(self.span).to_usize()
    }

    /// The first element's index in its owner (1 for a handle that never
    /// upgrades, 0 for one that upgrades to the empty slice).
    #[cfg(feature = "std")]
    pub(crate) fn offset(&self) -> usize {
        L::span_offset(self.span).to_usize()
    }

    /// Gives up ownership of the weak reference without giving it back, for
    /// [`RawWeakSlice::from_raw`] (with [`RawWeakSlice::offset`] read
    /// first).
    #[cfg(feature = "std")]
    pub(crate) fn into_raw(self) -> NonNull<T> {
        let this = mem::ManuallyDrop::new(self);
        this.ptr
    }

    /// Takes back a weak reference given up by [`RawWeakSlice::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr`, `offset` and `len` are those of a `RawWeakSlice<T, L>` given
    /// up by `into_raw` and not taken back yet (it is, now).
    #[cfg(feature = "std")]
    pub(crate) unsafe fn from_raw(ptr: NonNull<T>, offset: usize, len: usize) -> Self {
        RawWeakSlice {
            ptr,
            // The handle's own offset and length, which fit `L`.
            span: L::span(L::from_usize_lossy(offset), L::from_usize_lossy(len)),
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> Clone for RawWeakSlice<T, L> {
    fn clone(&self) -> Self {
        if self.owned() {
            let offset = L::span_offset(self.span).to_usize();
            // SAFETY: we own a weak reference to the chunk.
            unsafe { chunk_weak_retain(chunk_of_element(self.ptr, offset)) };
        }
        RawWeakSlice {
            ptr: self.ptr,
            span: self.span,
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> Drop for RawWeakSlice<T, L> {
    fn drop(&mut self) {
        if self.owned() {
            let offset = L::span_offset(self.span).to_usize();
            // SAFETY: we own a weak reference to the chunk and are done.
            unsafe { chunk_weak_release(chunk_of_element(self.ptr, offset)) }
        }
    }
}

/// The raw form of [`ArcStr`](crate::ArcStr): a [`RawSlice<u8, L>`] whose
/// bytes are valid UTF-8 (its invariant).
pub(crate) struct RawStr<L: IndexType> {
    bytes: RawSlice<u8, L>,
}

impl<L: IndexType> Clone for RawStr<L> {
    #[inline]
    fn clone(&self) -> Self {
        RawStr {
            bytes: self.bytes.clone(),
        }
    }
}

impl<L: IndexType> RawStr<L> {
    /// The empty string.
    #[inline]
    pub(crate) const fn empty() -> Self {
        RawStr {
            bytes: RawSlice::empty(),
        }
    }

    /// Copies `s` into `bump`.
    #[track_caller]
    pub(crate) fn copy_from<const N: usize>(bump: &mut Bump<u8, L, N>, s: &str) -> Self {
        crate::error::never_fails(Self::try_copy_from(bump, s))
    }

    /// Copies `s` into `bump`, or returns the error of making room for it.
    #[track_caller]
    pub(crate) fn try_copy_from<E: From<crate::error::AllocError>, const N: usize>(
        bump: &mut Bump<u8, L, N>,
        s: &str,
    ) -> Result<Self, E> {
        let bytes = bump.alloc_with(s.len(), |w| {
            w.extend_copy(s.as_bytes());
            Ok::<(), E>(())
        })?;
        // The bytes were copied from a `str`.
        Ok(RawStr { bytes })
    }

    /// Checks that `bytes` are UTF-8.
    pub(crate) fn from_utf8(
        bytes: RawSlice<u8, L>,
    ) -> Result<Self, (RawSlice<u8, L>, core::str::Utf8Error)> {
        match core::str::from_utf8(bytes.as_slice()) {
            Ok(_) => Ok(RawStr { bytes }),
            Err(err) => Err((bytes, err)),
        }
    }

    /// The text.
    #[inline(always)]
    pub(crate) fn as_str(&self) -> &str {
        // SAFETY: the bytes are UTF-8 (invariant) and never change.
        unsafe { core::str::from_utf8_unchecked(self.bytes.as_slice()) }
    }

    /// The bytes.
    #[inline(always)]
    pub(crate) fn bytes(&self) -> &RawSlice<u8, L> {
        &self.bytes
    }

    /// Gives up the UTF-8 guarantee.
    #[inline]
    pub(crate) fn into_bytes(self) -> RawSlice<u8, L> {
        self.bytes
    }

    /// Takes the UTF-8 guarantee back.
    ///
    /// # Safety
    ///
    /// `bytes` came from [`RawStr::into_bytes`] (so they are UTF-8).
    #[cfg(feature = "std")]
    pub(crate) unsafe fn from_utf8_unchecked(bytes: RawSlice<u8, L>) -> Self {
        RawStr { bytes }
    }

    /// A weak handle to the same text.
    pub(crate) fn downgrade(&self) -> RawWeakStr<L> {
        RawWeakStr {
            bytes: self.bytes.downgrade(),
        }
    }

    /// A new reference to the byte range `start..end`.
    ///
    /// # Panics
    ///
    /// Panics unless `start <= end <= len` and both are on `char` boundaries.
    #[track_caller]
    pub(crate) fn slice(&self, start: usize, end: usize) -> Self {
        // Checks `start <= end <= len` first.
        let bytes = self.bytes.slice(start, end);
        let s = self.as_str();
        assert!(
            s.is_char_boundary(start) && s.is_char_boundary(end),
            "byte range {start}..{end} does not lie on char boundaries"
        );
        // A range between char boundaries of UTF-8 is UTF-8.
        RawStr { bytes }
    }
}

/// The raw form of [`WeakStr`](crate::WeakStr), and the interning table's
/// entries: a [`RawWeakSlice<u8, L>`] made from a [`RawStr`] (or
/// [`RawWeakSlice::new`]), so its bytes are valid UTF-8 (its invariant).
pub(crate) struct RawWeakStr<L: IndexType> {
    bytes: RawWeakSlice<u8, L>,
}

impl<L: IndexType> Clone for RawWeakStr<L> {
    fn clone(&self) -> Self {
        RawWeakStr {
            bytes: self.bytes.clone(),
        }
    }
}

impl<L: IndexType> RawWeakStr<L> {
    /// A weak handle that never upgrades.
    pub(crate) fn new() -> Self {
        RawWeakStr {
            bytes: RawWeakSlice::new(),
        }
    }

    /// The bytes, as a weak handle.
    pub(crate) fn bytes(&self) -> &RawWeakSlice<u8, L> {
        &self.bytes
    }

    /// A counted reference to the text, unless its owner's count is zero.
    pub(crate) fn upgrade(&self) -> Option<RawStr<L>> {
        // The bytes came from a `RawStr` (invariant).
        self.bytes.upgrade().map(|bytes| RawStr { bytes })
    }

    /// See [`RawWeakSlice::is_dead`].
    #[cfg(feature = "std")]
    pub(crate) fn is_dead(&self) -> bool {
        self.bytes.is_dead()
    }
}
