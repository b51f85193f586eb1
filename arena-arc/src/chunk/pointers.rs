//! `into_raw` and `from_raw` of the handles, like `Arc::into_raw` and
//! `Weak::into_raw`: a handle given up as a thin pointer to its element,
//! and taken back.
//!
//! A handle finds its owner's count from its element's pointer and the
//! element's index in the owner (see the module docs of `chunk`). A raw
//! pointer carries only the address, so the index must come from
//! somewhere else:
//!
//! * it is 0 for a value allocated on its own (the common case in
//!   cycle-aware pools) and for the first element of any owner, and
//!   irrelevant for zero-sized elements (they all sit at one address);
//!   `from_raw` assumes 0;
//! * any other index is remembered in a process-wide table, keyed by the
//!   element's address, from `into_raw` until `from_raw` takes it back.
//!   An address means one element of one owner for as long as a raw
//!   pointer to it holds a reference (strong, or weak: a per-value chunk
//!   with a weak reference into it is never rewound), so every entry of
//!   an address has the same index; the table counts them.
//!
//! The table is only read by `from_raw`, and only when it is not empty, so
//! handles whose index is 0 cost no lock either way.

use core::mem::size_of;
use core::ptr::{self, NonNull};
use core::sync::atomic::{AtomicUsize, Ordering};
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::raw::{RawSingle, RawSlice, RawStr, RawWeakSingle, RawWeakSlice};
use crate::handles::{ArcSingle, ArcSlice, ArcStr, WeakSingle, WeakSlice};
use crate::index::IndexType;

/// Address of an element -> (its index in its owner, how many raw pointers
/// to it are out).
static INDICES: Mutex<Option<HashMap<usize, (usize, usize)>>> = Mutex::new(None);
/// How many raw pointers the table counts, so that `from_raw` skips the
/// lock when it is empty.
static REMEMBERED: AtomicUsize = AtomicUsize::new(0);

/// The address a handle that never upgrades gives as its raw pointer, as
/// `Weak::new` does: no element is there.
const NEVER: usize = usize::MAX;

/// Remembers the index of the element at `ptr` if it is not 0 (see the
/// module docs).
fn remember<T>(ptr: NonNull<T>, index: usize) {
    if index == 0 || size_of::<T>() == 0 {
        return;
    }
    let mut table = INDICES.lock().unwrap_or_else(PoisonError::into_inner);
    let entry = table
        .get_or_insert_with(HashMap::new)
        .entry(ptr.addr().get())
        .or_insert((index, 0));
    debug_assert_eq!(entry.0, index, "one address, one element");
    entry.1 += 1;
    // Relaxed: read by `recall` after `from_raw` is called with the pointer,
    // which the caller received after this `into_raw` returned (see
    // `ArcSingle::from_raw`'s safety section).
    REMEMBERED.fetch_add(1, Ordering::Relaxed);
}

/// The index of the element at `ptr` that `into_raw` remembered (0 when
/// it remembered none), forgetting one entry.
fn recall<T>(ptr: NonNull<T>) -> usize {
    // Relaxed: see `remember`. A 0 means no entry is out, ours included.
    if size_of::<T>() == 0 || REMEMBERED.load(Ordering::Relaxed) == 0 {
        return 0;
    }
    let mut table = INDICES.lock().unwrap_or_else(PoisonError::into_inner);
    let Some(table) = table.as_mut() else {
        return 0;
    };
    let addr = ptr.addr().get();
    let Some(entry) = table.get_mut(&addr) else {
        return 0;
    };
    let index = entry.0;
    entry.1 -= 1;
    if entry.1 == 0 {
        table.remove(&addr);
    }
    REMEMBERED.fetch_sub(1, Ordering::Relaxed);
    index
}

impl<T, L: IndexType> ArcSingle<T, L> {
    /// Gives up the handle as a pointer to the value, like `Arc::into_raw`:
    /// the strong reference it owned stays counted until
    /// [`ArcSingle::from_raw`] takes it back (or the value leaks, like a
    /// forgotten handle). The pointer may be read as long as that reference
    /// is out.
    ///
    /// A value that is not the first element of what owns it (a value of a
    /// plain pool, an element of a slice) has its position remembered
    /// until `from_raw`, in a process-wide table; a value allocated on its
    /// own (cycle-aware pools) needs none.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, ArenaAlloc};
    ///
    /// #[derive(ArenaAlloc, Debug, PartialEq)]
    /// struct Job(u32);
    ///
    /// let job = ArcSingle::new(Job(7));
    /// let ptr: *const Job = ArcSingle::into_raw(job);
    /// // ... through a callback's `void *`, say ...
    /// // SAFETY: `ptr` came from `into_raw` and is taken back once.
    /// let job = unsafe { ArcSingle::<Job>::from_raw(ptr) };
    /// assert_eq!(*job, Job(7));
    /// ```
    #[must_use = "losing the pointer leaks the value"]
    pub fn into_raw(this: Self) -> *const T {
        let (ptr, index) = this.raw.into_raw();
        remember(ptr, index);
        ptr.as_ptr()
    }

    /// Takes back a handle given up by [`ArcSingle::into_raw`], like
    /// `Arc::from_raw`.
    ///
    /// # Safety
    ///
    /// `ptr` was returned by `ArcSingle::<T, L>::into_raw` (the same `T` and
    /// `L`), and each such pointer is taken back once (by this or
    /// [`ArcSingle::decrement_strong_count`]). As for any pointer a thread
    /// reads through, the `into_raw` call happened before this one (the
    /// pointer came through a channel, a lock, a join or a
    /// `Release`/`Acquire` pair).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSingle};
    ///
    /// let mut pool: Allocator<String> = Allocator::new();
    /// let names = pool.alloc_from_iter(["ada", "grace"].map(String::from));
    /// let grace = names.element(1).unwrap(); // not first in its owner
    /// let ptr = ArcSingle::into_raw(grace);
    /// // SAFETY: `ptr` came from `into_raw` and is taken back once.
    /// let grace = unsafe { ArcSingle::<String>::from_raw(ptr) };
    /// assert_eq!(*grace, "grace");
    /// ```
    pub unsafe fn from_raw(ptr: *const T) -> Self {
        // SAFETY: `into_raw` returned a non-null pointer (the caller's
        // contract).
        let ptr = unsafe { NonNull::new_unchecked(ptr.cast_mut()) };
        let index = recall(ptr);
        // SAFETY: `ptr` and `index` are those `RawSingle::into_raw` gave
        // (remembered, or 0 when it was 0 or `T` is zero-sized, where any
        // index finds the same owner), taken back once.
        ArcSingle::from_inner(unsafe { RawSingle::from_raw(ptr, index) })
    }

    /// Adds a strong reference to the value behind a pointer from
    /// [`ArcSingle::into_raw`], like `Arc::increment_strong_count`: the
    /// pointer can then be taken back one more time.
    ///
    /// # Safety
    ///
    /// As for [`ArcSingle::from_raw`], and the reference of `ptr` is still
    /// out.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArcSingle;
    ///
    /// let ptr = ArcSingle::into_raw(ArcSingle::new(5u64));
    /// // SAFETY: `ptr` came from `into_raw`; each reference is taken back once.
    /// unsafe {
    ///     ArcSingle::<u64>::increment_strong_count(ptr);
    ///     let a = ArcSingle::<u64>::from_raw(ptr);
    ///     let b = ArcSingle::<u64>::from_raw(ptr);
    ///     assert!(ArcSingle::ptr_eq(&a, &b));
    /// }
    /// ```
    pub unsafe fn increment_strong_count(ptr: *const T) {
        // SAFETY: forwarded; both references are given up again at once.
        let handle = unsafe { ArcSingle::<T, L>::from_raw(ptr) };
        let extra = handle.clone();
        let _ = ArcSingle::into_raw(handle);
        let _ = ArcSingle::into_raw(extra);
    }

    /// Gives back a strong reference to the value behind a pointer from
    /// [`ArcSingle::into_raw`], like `Arc::decrement_strong_count` (dropping
    /// the value if it was the last).
    ///
    /// # Safety
    ///
    /// As for [`ArcSingle::from_raw`]: this takes the pointer back.
    pub unsafe fn decrement_strong_count(ptr: *const T) {
        // SAFETY: forwarded.
        drop(unsafe { ArcSingle::<T, L>::from_raw(ptr) });
    }
}

impl<T, L: IndexType> WeakSingle<T, L> {
    /// Gives up the weak handle as a pointer to the value, like
    /// `Weak::into_raw`: the weak reference stays counted until
    /// [`WeakSingle::from_raw`] takes it back. The pointer may be read only
    /// while a strong handle keeps the value; [`WeakSingle::new`] gives a
    /// dangling one.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{ArcSingle, WeakSingle};
    ///
    /// let strong = ArcSingle::new(3u8);
    /// let ptr = ArcSingle::downgrade(&strong).into_raw();
    /// assert_eq!(ptr, ArcSingle::as_ptr(&strong));
    /// // SAFETY: `ptr` came from `into_raw` and is taken back once.
    /// let weak = unsafe { WeakSingle::<u8>::from_raw(ptr) };
    /// assert_eq!(weak.upgrade().as_deref(), Some(&3));
    /// ```
    #[must_use = "losing the pointer leaks the weak reference"]
    pub fn into_raw(self) -> *const T {
        let (ptr, offset) = self.raw.into_raw();
        if offset == usize::MAX {
            return ptr::without_provenance(NEVER);
        }
        remember(ptr, offset);
        ptr.as_ptr()
    }

    /// Takes back a weak handle given up by [`WeakSingle::into_raw`], like
    /// `Weak::from_raw`.
    ///
    /// # Safety
    ///
    /// `ptr` was returned by `WeakSingle::<T, L>::into_raw` (the same `T`
    /// and `L`), the call happened before this one, and each such pointer is
    /// taken back once.
    pub unsafe fn from_raw(ptr: *const T) -> Self {
        if ptr.addr() == NEVER {
            return WeakSingle::new();
        }
        // SAFETY: `into_raw` returned a non-null pointer (the caller's
        // contract; `NEVER` was handled above).
        let ptr = unsafe { NonNull::new_unchecked(ptr.cast_mut()) };
        let offset = recall(ptr);
        // SAFETY: `ptr` and `offset` are those `RawWeakSingle::into_raw`
        // gave (see `ArcSingle::from_raw`), taken back once.
        WeakSingle::from_inner(unsafe { RawWeakSingle::from_raw(ptr, offset) })
    }
}

impl<T, L: IndexType> WeakSlice<T, L> {
    /// Gives up the weak handle as a pointer to its elements, like
    /// `Weak::<[T]>::into_raw`: the weak reference stays counted until
    /// [`WeakSlice::from_raw`] takes it back. The elements may be read only
    /// while a strong handle keeps them; [`WeakSlice::new`] gives a
    /// dangling pointer.
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::{Allocator, ArcSlice, WeakSlice};
    ///
    /// let mut pool: Allocator<u16> = Allocator::new();
    /// let all = pool.alloc_slice_copy(&[1, 2, 3]);
    /// let ptr = ArcSlice::downgrade(&all.slice(1..)).into_raw();
    /// assert_eq!(ptr.len(), 2);
    /// // SAFETY: `ptr` came from `into_raw` and is taken back once.
    /// let weak = unsafe { WeakSlice::<u16>::from_raw(ptr) };
    /// assert_eq!(weak.upgrade().unwrap(), [2, 3]);
    /// ```
    #[must_use = "losing the pointer leaks the weak reference"]
    pub fn into_raw(self) -> *const [T] {
        let (offset, len) = (self.raw.offset(), self.raw.len());
        let ptr = self.raw.into_raw();
        if len == 0 {
            // Owns nothing: the empty slice upgrades (offset 0), `new` never
            // does (offset 1, given away by a pointer nothing is at).
            let at = if offset == 0 {
                ptr.as_ptr().cast_const()
            } else {
                ptr::without_provenance(NEVER)
            };
            return ptr::slice_from_raw_parts(at, 0);
        }
        remember(ptr, offset);
        ptr::slice_from_raw_parts(ptr.as_ptr(), len)
    }

    /// Takes back a weak handle given up by [`WeakSlice::into_raw`].
    ///
    /// # Safety
    ///
    /// `ptr` was returned by `WeakSlice::<T, L>::into_raw` (the same `T` and
    /// `L`), the call happened before this one, and each such pointer is
    /// taken back once.
    pub unsafe fn from_raw(ptr: *const [T]) -> Self {
        let (first, len) = (ptr.cast::<T>(), ptr.len());
        if len == 0 {
            return if first.addr() == NEVER {
                WeakSlice::new()
            } else {
                // SAFETY: an empty handle owns nothing; offset 0 upgrades to
                // the empty slice, as the handle given up did.
                WeakSlice {
                    raw: unsafe { RawWeakSlice::from_raw(NonNull::dangling(), 0, 0) },
                }
            };
        }
        // SAFETY: a non-empty handle's pointer is non-null.
        let first = unsafe { NonNull::new_unchecked(first.cast_mut()) };
        let offset = recall(first);
        // SAFETY: `first`, `offset` and `len` are those of the handle given
        // up (see `ArcSingle::from_raw`), taken back once.
        WeakSlice {
            raw: unsafe { RawWeakSlice::from_raw(first, offset, len) },
        }
    }
}

impl<T, L: IndexType> ArcSlice<T, L> {
    /// Gives up the handle as a pointer to its elements, like
    /// `Arc::<[T]>::into_raw`: the reference it owned stays counted until
    /// [`ArcSlice::from_raw`] takes it back. The elements may be read as long
    /// as that reference is out. (See [`ArcSingle::into_raw`] for where the
    /// first element's position is kept.)
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArcSlice;
    ///
    /// let row: ArcSlice<u32> = (0..4).collect();
    /// let ptr: *const [u32] = ArcSlice::into_raw(row.slice(1..));
    /// // SAFETY: `ptr` came from `into_raw` and is taken back once.
    /// let tail = unsafe { ArcSlice::<u32>::from_raw(ptr) };
    /// assert_eq!(tail, [1, 2, 3]);
    /// ```
    #[must_use = "losing the pointer leaks the elements"]
    pub fn into_raw(this: Self) -> *const [T] {
        let (ptr, offset, len) = this.raw.into_raw();
        if len != 0 {
            remember(ptr, offset);
        }
        ptr::slice_from_raw_parts(ptr.as_ptr(), len)
    }

    /// Takes back a handle given up by [`ArcSlice::into_raw`], like
    /// `Arc::<[T]>::from_raw`.
    ///
    /// # Safety
    ///
    /// As for [`ArcSingle::from_raw`]: `ptr` was returned by
    /// `ArcSlice::<T, L>::into_raw`, the call happened before this one, and
    /// each such pointer is taken back once.
    pub unsafe fn from_raw(ptr: *const [T]) -> Self {
        let (first, len) = (ptr.cast::<T>(), ptr.len());
        if len == 0 {
            return ArcSlice::empty();
        }
        // SAFETY: a non-empty handle's pointer is non-null.
        let first = unsafe { NonNull::new_unchecked(first.cast_mut()) };
        let offset = recall(first);
        // SAFETY: `first`, `offset` and `len` are those the handle gave up
        // (see `ArcSingle::from_raw`), taken back once.
        ArcSlice::from_inner(unsafe { RawSlice::from_raw(first, offset, len) })
    }
}

impl<L: IndexType> ArcStr<L> {
    /// Gives up the handle as a pointer to its text, like
    /// `Arc::<str>::into_raw` (see [`ArcSlice::into_raw`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use arena_arc::ArcStr;
    ///
    /// let name: ArcStr = "arena".into();
    /// let ptr: *const str = ArcStr::into_raw(name);
    /// // SAFETY: `ptr` came from `into_raw` and is taken back once.
    /// let name = unsafe { ArcStr::<u32>::from_raw(ptr) };
    /// assert_eq!(name, "arena");
    /// ```
    #[must_use = "losing the pointer leaks the text"]
    pub fn into_raw(this: Self) -> *const str {
        let bytes = ArcSlice::into_raw(this.into_bytes());
        bytes as *const str
    }

    /// Takes back a handle given up by [`ArcStr::into_raw`].
    ///
    /// # Safety
    ///
    /// As for [`ArcSlice::from_raw`], with `ArcStr::<L>::into_raw`.
    pub unsafe fn from_raw(ptr: *const str) -> Self {
        // SAFETY: forwarded; the bytes were an `ArcStr`'s, so UTF-8.
        unsafe {
            let bytes = ArcSlice::<u8, L>::from_raw(ptr as *const [u8]);
            ArcStr::from_inner(RawStr::from_utf8_unchecked(bytes.raw))
        }
    }
}
