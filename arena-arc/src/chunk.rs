//! Chunks and their reference counts, the raw handles, and the bump
//! allocator's raw state.
//!
//! **All of the crate's `unsafe` code lives in this module.** Everything
//! outside it is safe code built on the types defined here: [`RawSlice`],
//! [`RawSingle`], [`Bump`] and [`SlotWriter`].
//!
//! # Memory layout
//!
//! A chunk is one heap allocation:
//!
//! ```text
//! +-------------+---------+------------------------------------------+
//! | ChunkHeader | padding | T; capacity                              |
//! +-------------+---------+------------------------------------------+
//! ^ chunk                 ^ chunk + DATA_OFFSET  (aligned for T)
//! ```
//!
//! A handle stores a pointer to its first element and that element's index
//! (`offset`) in the chunk, so dereferencing is a plain pointer and length,
//! exactly like `Arc<[T]>`, and the header is recovered on clone and drop as
//! `ptr - offset * size_of::<T>() - DATA_OFFSET`. For zero-sized `T` every
//! element sits at `DATA_OFFSET`, and the same formula still holds.
//!
//! # Ownership protocol
//!
//! `ChunkHeader::refs` counts *counted references*. Every non-empty handle
//! owns exactly one. The allocator owns `Bump::held_refs` references to its
//! current chunk: one for itself and one *pre-counted* for every handle it may
//! still hand out from that chunk. Each allocation needs at least one slot, so
//! a chunk of capacity `N` is created with `N + 1` references and handing out
//! a handle moves one of them from the allocator to the handle with no atomic
//! operation at all, and no counter either: the allocator derives how many it
//! still holds from its cursor (`Bump::merged` accounts for handles that
//! cover several slots). When the allocator lets go of the chunk it gives
//! back all the references it still holds with a single `fetch_sub`.
//!
//! Whoever takes `refs` to zero frees the chunk: it drops the first
//! `init_len` elements and deallocates. Dropping elements can drop the last
//! handle into another chunk; with `std`, that chunk is queued on a
//! thread-local list and freed by the outermost free in a loop (see
//! [`chunk_dispose`]), so long chains of chunks never recurse deeply.
//!
//! # Handles inside elements of their own chunk
//!
//! An element that holds a handle into its *own* chunk (a tree node whose
//! children were allocated just before it, in the same pool) would keep that
//! chunk alive forever: a reference cycle. Types that implement
//! [`OwnedHandles`] (the derive macro implements it) break it. When such an
//! element is allocated through the cycle-aware entry points, every handle it
//! owns that points into the chunk it landed in gives its counted reference
//! to the allocator ([`Bump::adopt_inner_handles`]); the handle is then
//! *uncounted*. That is sound because:
//!
//! * an uncounted handle is stored by value in an element of that very chunk
//!   (the [`OwnedHandles`] contract), so nobody can move it out or drop it
//!   before the chunk's elements are dropped;
//! * handles only ever point to elements that existed before the value that
//!   holds them, so they point to *lower* slots, and the chunk drops its
//!   elements from the last slot to the first: whatever an element's `Drop`
//!   reads through an uncounted handle is still alive;
//! * before dropping elements, the freeing thread sets `refs` to [`DYING`],
//!   so the decrements of uncounted handles never reach zero again, and a
//!   `Drop` that tries to resurrect the chunk by cloning such a handle
//!   aborts on the overflow check instead of touching freed memory;
//! * the chunk records how many uncounted handles its elements hold, and
//!   after dropping them all the count must be exactly `DYING` minus that
//!   number. A `Drop` that moved an uncounted handle out of its element
//!   (`Option::take`) and kept it leaves the count higher: the process
//!   aborts before the memory is freed;
//! * while a thread drops a chunk's elements, handles into that chunk
//!   dropped on the same thread are counted in a thread-local
//!   (`pending::TEARDOWN`) instead of decrementing `refs`, which saves an
//!   atomic operation per uncounted handle; the final check adds that
//!   count back. Only the freeing thread writes it, and handles dropped on
//!   other threads still decrement `refs`.
//!
//! The cycle-aware entry points also keep a pool's chunks in allocation
//! order (a new chunk always becomes current; a dedicated chunk retires the
//! current one), so elements only hold handles into their own chunk or into
//! older ones, and the chunks of one pool never form a cycle.
//!
//! # Aliasing
//!
//! * No reference to a `ChunkHeader` as a whole is ever formed: `refs` is
//!   reached through a raw field projection, and the plain fields through raw
//!   reads and writes.
//! * A handle only forms references to its own elements, which are
//!   initialised before the handle exists and never written again while the
//!   chunk is live.
//! * The allocator only writes slots at or after its cursor, which no handle
//!   covers. So handles may be read on other threads while the allocator keeps
//!   writing into the same chunk.

use alloc::alloc::{Layout, alloc, dealloc, handle_alloc_error};
use alloc::vec::Vec;
use core::marker::PhantomData;
use core::mem::{self, align_of, size_of};
use core::ptr::{self, NonNull};
#[cfg(not(loom))]
use core::sync::atomic::{AtomicUsize, Ordering};
#[cfg(loom)]
use loom::sync::atomic::{AtomicUsize, Ordering};

use crate::index::IndexType;
use crate::stats::AllocatorStats;

/// Largest reference count before we abort, as `std::sync::Arc` does: far
/// below `usize::MAX`, so that even many threads racing past the check cannot
/// wrap the counter around before one of them aborts.
const MAX_REFCOUNT: usize = isize::MAX as usize;

/// The count of a chunk whose elements are being dropped. Above
/// [`MAX_REFCOUNT`], so a clone made during teardown aborts, and so far from
/// zero that the decrements of the chunk's uncounted handles (at most one
/// per slot, fewer than `isize::MAX`) never bring it back to zero.
const DYING: usize = usize::MAX;

/// The header at the start of every chunk.
///
/// `#[repr(C)]` so its size and the offset of the data that follows are the
/// same for every `T` and fixed at compile time.
#[repr(C)]
struct ChunkHeader {
    /// Counted references to this chunk (see the module docs).
    ///
    /// Invariant: at least 1 while the chunk is live; the chunk is freed by
    /// whoever decrements it to 0, and nobody touches it afterwards.
    refs: AtomicUsize,
    /// Number of `T` slots. Written once at creation, read-only afterwards;
    /// determines the allocation's layout.
    capacity: usize,
    /// Number of initialised elements at the front of the data.
    ///
    /// Written only by the chunk's unique writer (the allocator, or the code
    /// that filled a dedicated chunk) *before* it gives up its references with
    /// a `Release` decrement; read only by the thread that frees the chunk,
    /// after its `Acquire` load. Never accessed concurrently.
    init_len: usize,
    /// Number of uncounted handles in the chunk's own elements (see the
    /// module docs). Written and read like `init_len`.
    uncounted: usize,
    /// `chunk_free::<T>` for the chunk's element type, so that a chunk can be
    /// freed from the type-erased list of chunks waiting to be freed.
    free: unsafe fn(NonNull<ChunkHeader>),
    /// The next chunk in this thread's list of chunks waiting to be freed
    /// (see [`chunk_dispose`]). Only used once the count reached zero, by
    /// the thread that took it there.
    next_pending: *mut ChunkHeader,
}

/// Layout arithmetic for chunks of `T` (a namespace, never instantiated).
struct ChunkLayout<T>(PhantomData<T>);

impl<T> ChunkLayout<T> {
    /// Alignment of the whole allocation.
    const ALIGN: usize = if align_of::<T>() > align_of::<ChunkHeader>() {
        align_of::<T>()
    } else {
        align_of::<ChunkHeader>()
    };

    /// Byte offset of element 0: the header size rounded up to `T`'s
    /// alignment (alignments are powers of two).
    const DATA_OFFSET: usize =
        (size_of::<ChunkHeader>() + align_of::<T>() - 1) & !(align_of::<T>() - 1);

    /// The layout of a chunk with `capacity` slots, or `None` if it would
    /// exceed `isize::MAX` bytes.
    const fn layout(capacity: usize) -> Option<Layout> {
        let Some(bytes) = capacity.checked_mul(size_of::<T>()) else {
            return None;
        };
        let Some(size) = bytes.checked_add(Self::DATA_OFFSET) else {
            return None;
        };
        match Layout::from_size_align(size, Self::ALIGN) {
            Ok(layout) => Some(layout),
            Err(_) => None,
        }
    }
}

/// Whether `n` is a valid chunk size for `Allocator<T, L, n>`: offsets and
/// lengths up to `n` fit `L`, the chunk fits in memory, and pre-counting
/// `n + 1` references leaves the refcount far from overflow.
pub(crate) const fn chunk_size_fits_index<L: IndexType>(n: usize) -> bool {
    n <= L::MAX_USIZE
}

/// See [`chunk_size_fits_index`].
pub(crate) const fn chunk_size_fits_memory<T>(n: usize) -> bool {
    ChunkLayout::<T>::layout(n).is_some() && n < MAX_REFCOUNT / 2
}

/// Bytes a chunk of `capacity` slots occupies (for statistics).
fn chunk_bytes<T>(capacity: usize) -> usize {
    match ChunkLayout::<T>::layout(capacity) {
        Some(layout) => layout.size(),
        None => 0,
    }
}

#[cold]
#[inline(never)]
#[track_caller]
fn capacity_overflow() -> ! {
    panic!("arena-arc: capacity overflow (a chunk may not exceed isize::MAX bytes)")
}

/// Aborts the process, like `std::sync::Arc` does on refcount overflow.
#[cold]
#[inline(never)]
fn abort() -> ! {
    #[cfg(feature = "std")]
    {
        std::process::abort()
    }
    #[cfg(not(feature = "std"))]
    {
        // Without `std` there is no stable `abort`; a panic while panicking
        // aborts (and with `panic = "abort"` the first panic already does).
        struct PanicOnDrop;
        impl Drop for PanicOnDrop {
            fn drop(&mut self) {
                panic!("arena-arc: aborting");
            }
        }
        let _guard = PanicOnDrop;
        panic!("arena-arc: reference count overflow");
    }
}

/// Allocates a chunk with room for `capacity` elements that starts with
/// `refs` counted references and no initialised elements.
///
/// Safe: it only allocates; leaking the result is harmless.
fn chunk_new<T>(capacity: usize, refs: usize) -> NonNull<ChunkHeader> {
    let Some(layout) = ChunkLayout::<T>::layout(capacity) else {
        capacity_overflow()
    };
    // SAFETY: the layout's size is non-zero: it includes the header.
    let raw = unsafe { alloc(layout) };
    let Some(chunk) = NonNull::new(raw.cast::<ChunkHeader>()) else {
        handle_alloc_error(layout)
    };
    // SAFETY: `chunk` is freshly allocated, aligned to `ALIGN >=
    // align_of::<ChunkHeader>()` and at least `DATA_OFFSET >=
    // size_of::<ChunkHeader>()` bytes long; nobody else can see it yet.
    unsafe {
        chunk.as_ptr().write(ChunkHeader {
            refs: AtomicUsize::new(refs),
            capacity,
            init_len: 0,
            uncounted: 0,
            free: chunk_free::<T>,
            next_pending: ptr::null_mut(),
        });
    }
    chunk
}

/// Pointer to slot 0 of `chunk`.
///
/// # Safety
///
/// `chunk` was returned by [`chunk_new::<T>`] and is not yet freed.
#[inline(always)]
unsafe fn chunk_data<T>(chunk: NonNull<ChunkHeader>) -> NonNull<T> {
    // SAFETY: `DATA_OFFSET` is within the allocation (it is at most its size)
    // and the result keeps the provenance of the whole allocation.
    unsafe {
        chunk
            .cast::<u8>()
            .add(ChunkLayout::<T>::DATA_OFFSET)
            .cast::<T>()
    }
}

/// Recovers the chunk from a pointer to its slot `offset`.
///
/// # Safety
///
/// `elem` is `chunk_data::<T>(chunk) + offset` for a live `chunk`, derived
/// from the chunk's allocation pointer (so it carries its provenance).
#[inline(always)]
unsafe fn chunk_of<T>(elem: NonNull<T>, offset: usize) -> NonNull<ChunkHeader> {
    // SAFETY: by the precondition, stepping back `offset` slots and the data
    // offset lands on the start of the same allocation.
    unsafe {
        elem.cast::<u8>()
            .sub(ChunkLayout::<T>::DATA_OFFSET + offset * size_of::<T>())
            .cast::<ChunkHeader>()
    }
}

/// The reference counter of `chunk`, without forming a reference to the
/// header as a whole.
///
/// # Safety
///
/// `chunk` is live for the returned lifetime (the caller holds a counted
/// reference to it).
#[inline(always)]
unsafe fn chunk_refs<'a>(chunk: NonNull<ChunkHeader>) -> &'a AtomicUsize {
    // SAFETY: the header was initialised by `chunk_new`; the caller keeps the
    // chunk alive; `AtomicUsize` permits shared mutation. The place
    // expression borrows only the field, never the whole header.
    unsafe { &(*chunk.as_ptr()).refs }
}

/// Adds one counted reference to `chunk`, aborting on overflow.
///
/// # Safety
///
/// The caller owns a counted reference to `chunk` (so it is live).
#[inline]
unsafe fn chunk_retain(chunk: NonNull<ChunkHeader>) {
    // SAFETY: the caller's reference keeps the chunk live.
    let refs = unsafe { chunk_refs(chunk) };
    // Relaxed, as in `Arc::clone`: a new reference is only ever made from an
    // existing one, which already keeps the chunk alive, and passing a handle
    // to another thread synchronises by itself.
    let old = refs.fetch_add(1, Ordering::Relaxed);
    if old > MAX_REFCOUNT {
        abort();
    }
}

/// Gives up `n` counted references to `chunk`, freeing it if they were the
/// last.
///
/// # Safety
///
/// The caller owns `n >= 1` counted references to `chunk` and does not use
/// them (or the chunk, through them) afterwards.
#[inline]
unsafe fn chunk_release(chunk: NonNull<ChunkHeader>, n: usize) {
    // SAFETY: the caller's references keep the chunk live until this
    // decrement.
    let refs = unsafe { chunk_refs(chunk) };
    // Release: every use of the chunk through the references given up here
    // (reads of elements, the writer's element and `init_len` writes)
    // happens-before the free, whichever thread performs it.
    let old = refs.fetch_sub(n, Ordering::Release);
    debug_assert!(old >= n, "arena-arc: chunk refcount underflow");
    if old != n {
        return;
    }
    // Acquire: reads the zero we just wrote, which ends the release sequence
    // of every other owner's Release decrement, so all their accesses are
    // complete before we drop and free. (`Arc` uses an Acquire fence; a load
    // is equivalent here and ThreadSanitizer understands it.)
    refs.load(Ordering::Acquire);
    // SAFETY: the count reached zero, so we are the only party left.
    unsafe { chunk_dispose(chunk) }
}

/// Gives up a handle's reference to `chunk`.
///
/// While this thread drops the elements of `chunk` (see [`chunk_free`]),
/// the drop is counted in a thread-local instead: the uncounted handles in
/// those elements then cost no atomic operation each.
///
/// # Safety
///
/// The caller owns a reference to `chunk` (counted, or uncounted inside one
/// of its elements) and is done with it.
#[inline]
unsafe fn handle_release(chunk: NonNull<ChunkHeader>) {
    #[cfg(feature = "std")]
    if pending::count_drop_in_teardown(chunk) {
        return;
    }
    // SAFETY: forwarded precondition.
    unsafe { chunk_release(chunk, 1) }
}

/// Frees a chunk whose count reached zero.
///
/// With `std`, freeing is iterative: a chunk whose count reaches zero while
/// this thread is already freeing another one (its elements held the last
/// handle into it) is queued and freed by the outermost call, in a loop. A
/// chain of a million chunks, each element holding a handle into the next,
/// is freed in constant stack. Without `std` (no thread-locals) it recurses.
///
/// # Safety
///
/// `chunk` is live, its count reached zero, and nobody else can reach it.
#[cold]
#[inline(never)]
unsafe fn chunk_dispose(chunk: NonNull<ChunkHeader>) {
    #[cfg(feature = "std")]
    // SAFETY: forwarded precondition.
    unsafe {
        pending::dispose(chunk)
    }
    #[cfg(not(feature = "std"))]
    // SAFETY: `free` is `chunk_free::<T>` for the chunk's own `T`
    // (written at creation); forwarded precondition.
    unsafe {
        ((*chunk.as_ptr()).free)(chunk)
    }
}

/// This thread's chunks waiting to be freed (see [`chunk_dispose`]).
#[cfg(feature = "std")]
mod pending {
    use core::cell::Cell;
    use core::ptr::{self, NonNull};

    use super::ChunkHeader;

    #[cfg(not(loom))]
    std::thread_local! {
        /// Whether this thread is inside [`dispose`] already.
        static FREEING: Cell<bool> = const { Cell::new(false) };
        /// Head of the intrusive list (through `next_pending`) of chunks
        /// queued while `FREEING`. Every chunk on it has a zero count and is
        /// reachable only from here.
        static PENDING: Cell<*mut ChunkHeader> = const { Cell::new(ptr::null_mut()) };
        /// The chunk whose elements this thread is dropping (null if none),
        /// and how many handles into it were dropped on this thread since,
        /// counted here instead of in its (dying) count. See
        /// [`super::chunk_free`].
        static TEARDOWN: Cell<Teardown> = const { Cell::new((ptr::null(), 0)) };
    }

    // loom's `thread_local!` takes no `const` initialisers.
    #[cfg(loom)]
    loom::thread_local! {
        static FREEING: Cell<bool> = Cell::new(false);
        static PENDING: Cell<*mut ChunkHeader> = Cell::new(ptr::null_mut());
        static TEARDOWN: Cell<Teardown> = Cell::new((ptr::null(), 0));
    }

    /// A chunk being torn down and the handle drops counted for it.
    pub(super) type Teardown = (*const ChunkHeader, usize);

    /// Counts the drop of a handle into `chunk` if this thread is dropping
    /// that chunk's elements; returns whether it did (and the count of
    /// `chunk` must then not be touched).
    #[inline]
    pub(super) fn count_drop_in_teardown(chunk: NonNull<ChunkHeader>) -> bool {
        TEARDOWN
            .try_with(|t| {
                let (dying, drops) = t.get();
                let hit = ptr::eq(dying, chunk.as_ptr());
                if hit {
                    t.set((dying, drops + 1));
                }
                hit
            })
            .unwrap_or(false)
    }

    /// Starts counting the handle drops of `chunk` on this thread; returns
    /// what was counted before, for [`end_teardown`].
    pub(super) fn begin_teardown(chunk: NonNull<ChunkHeader>) -> Option<Teardown> {
        TEARDOWN.try_with(|t| t.replace((chunk.as_ptr(), 0))).ok()
    }

    /// Stops counting (restoring `saved`) and returns the number of handle
    /// drops counted since [`begin_teardown`].
    pub(super) fn end_teardown(saved: Option<Teardown>) -> usize {
        match saved {
            Some(saved) => TEARDOWN.try_with(|t| t.replace(saved).1).unwrap_or(0),
            None => 0,
        }
    }

    /// See [`super::chunk_dispose`].
    ///
    /// # Safety
    ///
    /// `chunk` is live, its count reached zero, and nobody else can reach it.
    pub(super) unsafe fn dispose(chunk: NonNull<ChunkHeader>) {
        let queued = FREEING.try_with(|freeing| {
            if freeing.get() {
                // SAFETY: we own `chunk` (precondition); `next_pending` is
                // ours to write once the count is zero.
                unsafe { (&raw mut (*chunk.as_ptr()).next_pending).write(PENDING.with(Cell::get)) };
                PENDING.with(|head| head.set(chunk.as_ptr()));
                true
            } else {
                freeing.set(true);
                false
            }
        });
        match queued {
            // The outermost `dispose` on this thread frees it.
            Ok(true) => {}
            Ok(false) => {
                /// Frees what is queued and clears `FREEING`, also when an
                /// element's `Drop` panics (a second panic then aborts, as
                /// any panic while unwinding does).
                struct Outermost;
                impl Drop for Outermost {
                    fn drop(&mut self) {
                        drain();
                        FREEING.with(|freeing| freeing.set(false));
                    }
                }
                let outermost = Outermost;
                // SAFETY: forwarded precondition.
                unsafe { free(chunk) };
                drain();
                drop(outermost);
            }
            // Thread-locals are gone (a handle dropped by another
            // thread-local's destructor): free it right here.
            // SAFETY: forwarded precondition.
            Err(_) => unsafe { free(chunk) },
        }
    }

    /// Frees queued chunks until none is left.
    fn drain() {
        loop {
            let head = PENDING.with(Cell::get);
            let Some(chunk) = NonNull::new(head) else {
                return;
            };
            // SAFETY: every chunk on the list has a zero count and is
            // reachable only from the list; we unlink it before freeing.
            unsafe {
                PENDING.with(|h| h.set((*head).next_pending));
                free(chunk);
            }
        }
    }

    /// # Safety
    ///
    /// `chunk` is live, its count is zero, and nobody else can reach it.
    unsafe fn free(chunk: NonNull<ChunkHeader>) {
        // SAFETY: `free` is `chunk_free::<T>` for the chunk's own `T`
        // (written at creation); forwarded precondition.
        unsafe { ((*chunk.as_ptr()).free)(chunk) }
    }
}

/// Drops the chunk's initialised elements, last slot first, and deallocates
/// it.
///
/// If an element's `Drop` panics, the remaining elements are still dropped
/// (by the `DropRest` guard) and the memory is still freed (by the
/// `Dealloc` guard), then the panic continues; a second panic aborts, as
/// for any panic while unwinding.
///
/// # Safety
///
/// `chunk` is live, its count reached zero, and nobody else can reach it
/// (except through the uncounted handles in its own elements).
#[cold]
#[inline(never)]
unsafe fn chunk_free<T>(chunk: NonNull<ChunkHeader>) {
    /// Checks that every uncounted handle was dropped, then deallocates;
    /// runs whether or not an element's `Drop` panicked.
    struct Dealloc {
        chunk: NonNull<ChunkHeader>,
        layout: Layout,
        uncounted: usize,
        /// What this thread counted before this teardown began.
        #[cfg(feature = "std")]
        saved: Option<pending::Teardown>,
    }
    impl Drop for Dealloc {
        fn drop(&mut self) {
            // Handles into the chunk dropped on this thread meanwhile
            // (normally exactly its uncounted handles) were counted in
            // `TEARDOWN` rather than in `refs`.
            #[cfg(feature = "std")]
            let dropped_here = pending::end_teardown(self.saved);
            #[cfg(not(feature = "std"))]
            let dropped_here = 0;
            // Acquire: pairs with the Release decrement of an uncounted
            // handle that escaped to another thread and was dropped there,
            // so its accesses happen-before the free.
            // SAFETY: the chunk is live until the `dealloc` below.
            let left = unsafe { chunk_refs(self.chunk) }.load(Ordering::Acquire);
            // Every uncounted handle gone, and no other: no handle left.
            if Some(left) != (DYING - self.uncounted).checked_add(dropped_here) {
                // An element's `Drop` kept (or cloned) a handle into this
                // chunk: freeing would leave it dangling.
                abort();
            }
            // SAFETY: the chunk was allocated with `layout` by `chunk_new`
            // and nobody else can reach it (precondition of `chunk_free`,
            // and every handle into it is gone, checked above).
            unsafe { dealloc(self.chunk.as_ptr().cast::<u8>(), self.layout) }
        }
    }
    /// Drops slots `0..remaining`, last first.
    struct DropRest<T> {
        data: *mut T,
        remaining: usize,
    }
    impl<T> DropRest<T> {
        fn run(&mut self) {
            while self.remaining > 0 {
                self.remaining -= 1;
                // SAFETY: slots `0..init_len` are initialised and each is
                // dropped once: `remaining` is decremented before the drop.
                unsafe { ptr::drop_in_place(self.data.add(self.remaining)) }
            }
        }
    }
    impl<T> Drop for DropRest<T> {
        fn drop(&mut self) {
            // Only reached with `remaining > 0` when an element's `Drop`
            // panicked: keep dropping the others.
            self.run();
        }
    }
    // SAFETY: the header was initialised at creation and we own the chunk.
    let (capacity, init_len, uncounted) = unsafe {
        let header = chunk.as_ptr();
        (
            (&raw const (*header).capacity).read(),
            (&raw const (*header).init_len).read(),
            (&raw const (*header).uncounted).read(),
        )
    };
    let Some(layout) = ChunkLayout::<T>::layout(capacity) else {
        unreachable!("a live chunk has a valid layout")
    };
    if !mem::needs_drop::<T>() {
        // Nothing to drop, and no element can hold a handle (handles have
        // drop glue), so `uncounted` is 0 and nobody else can reach it.
        debug_assert_eq!(uncounted, 0);
        // SAFETY: allocated with `layout` by `chunk_new`; we own it.
        unsafe { dealloc(chunk.as_ptr().cast::<u8>(), layout) };
        return;
    }
    let _dealloc = Dealloc {
        chunk,
        layout,
        uncounted,
        // From here on, handles into the chunk dropped on this thread (its
        // uncounted handles, as its elements go) are counted in a
        // thread-local instead of with an atomic operation each.
        #[cfg(feature = "std")]
        saved: pending::begin_teardown(chunk),
    };
    // Relaxed: only this thread can reach the chunk now (through the
    // uncounted handles in its elements, while we drop them).
    // SAFETY: the header is live until `_dealloc` runs.
    unsafe { chunk_refs(chunk) }.store(DYING, Ordering::Relaxed);
    // Last slot first: an uncounted handle always points to a lower slot
    // than the element holding it (see the module docs).
    let mut rest = DropRest {
        // SAFETY: the chunk is live.
        data: unsafe { chunk_data::<T>(chunk).as_ptr() },
        remaining: init_len,
    };
    rest.run();
}

/// Records that the first `len` slots of `chunk` are initialised and that
/// they hold `uncounted` uncounted handles into it.
///
/// # Safety
///
/// The caller is the chunk's unique writer and still owns a counted
/// reference to it; slots `0..len` are initialised.
#[inline]
unsafe fn chunk_finish_writing(chunk: NonNull<ChunkHeader>, len: usize, uncounted: usize) {
    // SAFETY: only the unique writer touches these fields while the chunk is
    // live (see their docs), and the caller keeps it live.
    unsafe {
        (&raw mut (*chunk.as_ptr()).init_len).write(len);
        (&raw mut (*chunk.as_ptr()).uncounted).write(uncounted);
    }
}

// ---------------------------------------------------------------------------
// Raw handles
// ---------------------------------------------------------------------------

/// The raw form of [`ArcSlice`](crate::ArcSlice): a counted reference to a
/// run of elements of one chunk.
///
/// Invariant:
/// * if `len == 0`: owns nothing; `ptr` is `NonNull::dangling()` and
///   `offset == 0`;
/// * otherwise: `ptr == chunk_data(chunk) + offset` for a live `chunk` (with
///   the allocation's provenance), slots `offset..offset + len` are
///   initialised and never written or dropped while the chunk is live, and
///   `self` owns one counted reference to `chunk`.
pub(crate) struct RawSlice<T, L: IndexType> {
    ptr: NonNull<T>,
    /// `offset` and `len`, packed (see `IndexType`'s `Span`).
    span: L::Span,
    /// Owns `T`s (for drop check) and is covariant in `T`, like `Arc<[T]>`.
    _owns: PhantomData<T>,
}

// SAFETY: a `RawSlice` gives shared access to `T`s (needs `T: Sync`) and the
// last reference may drop them on whatever thread it is dropped (needs
// `T: Send`), exactly like `Arc<[T]>`. The refcount is atomic.
unsafe impl<T: Send + Sync, L: IndexType> Send for RawSlice<T, L> {}
// SAFETY: as above; `&RawSlice` can be cloned into an owned one.
unsafe impl<T: Send + Sync, L: IndexType> Sync for RawSlice<T, L> {}

impl<T, L: IndexType> RawSlice<T, L> {
    /// The slot of the first element in its chunk.
    #[inline(always)]
    fn offset(&self) -> L {
        L::span_offset(self.span)
    }

    /// The number of elements, as an `L`.
    #[inline(always)]
    fn len_l(&self) -> L {
        L::span_len(self.span)
    }

    /// The empty slice, owning no chunk.
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
        // and stay unchanged while `self` keeps the chunk alive; for `len ==
        // 0`, `ptr` is dangling but aligned, which an empty slice allows.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len_l().to_usize()) }
    }

    /// The chunk this slice points into. Only meaningful when `len != 0`.
    #[inline(always)]
    fn chunk(&self) -> NonNull<ChunkHeader> {
        debug_assert!(self.len_l() != L::ZERO);
        // SAFETY: non-empty, so `ptr` is slot `offset` of a live chunk.
        unsafe { chunk_of(self.ptr, self.offset().to_usize()) }
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
        // SAFETY: non-empty, so we own a counted reference to the chunk.
        unsafe { chunk_retain(self.chunk()) };
        RawSlice {
            // SAFETY: `start < len`, so the result stays inside our elements.
            ptr: unsafe { self.ptr.add(start) },
            // `offset + start < offset + len <= capacity`, and capacities fit
            // `L` (chunk sizes are checked at compile time, dedicated chunks
            // by `Bump::alloc_with`).
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
        // SAFETY: non-empty, so we own a counted reference to the chunk.
        unsafe { chunk_retain(self.chunk()) };
        Some(RawSingle {
            // SAFETY: `index < len`.
            ptr: unsafe { self.ptr.add(index) },
            offset: self.offset().to_usize() + index,
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
            offset: this.offset().to_usize(),
            _owns: PhantomData,
        })
    }

    /// Whether both point to the same elements of the same chunk (two empty
    /// slices are equal).
    #[inline]
    pub(crate) fn ptr_eq(&self, other: &Self) -> bool {
        self.ptr == other.ptr && self.len_l() == other.len_l()
    }

    /// Pointer to the first element (dangling when empty).
    #[inline]
    pub(crate) fn as_ptr(&self) -> *const T {
        self.ptr.as_ptr()
    }

    /// The chunk this slice points into, `None` when empty.
    #[inline]
    fn chunk_if_any(&self) -> Option<NonNull<ChunkHeader>> {
        (self.len_l() != L::ZERO).then(|| self.chunk())
    }
}

impl<T, L: IndexType> Clone for RawSlice<T, L> {
    #[inline]
    fn clone(&self) -> Self {
        if self.len_l() != L::ZERO {
            // SAFETY: non-empty, so we own a counted reference to the chunk.
            unsafe { chunk_retain(self.chunk()) };
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
            unsafe { handle_release(self.chunk()) }
        }
    }
}

/// The raw form of [`ArcSingle`](crate::ArcSingle): a counted reference to one
/// element.
///
/// Invariant: `ptr == chunk_data(chunk) + offset` for a live `chunk` (with
/// the allocation's provenance), slot `offset` is initialised and never
/// written or dropped while the chunk is live, and `self` owns one counted
/// reference to `chunk`.
pub(crate) struct RawSingle<T, L: IndexType> {
    ptr: NonNull<T>,
    /// The slot, as a full word whatever `L` (the handle is 16 bytes either
    /// way): a pointer plus one integer travels in two registers.
    offset: usize,
    /// Owns a `T`; `L` is only a marker.
    _owns: PhantomData<(T, fn() -> L)>,
}

// SAFETY: same reasoning as for `RawSlice`, like `Arc<T>`.
unsafe impl<T: Send + Sync, L: IndexType> Send for RawSingle<T, L> {}
// SAFETY: same reasoning as for `RawSlice`, like `Arc<T>`.
unsafe impl<T: Send + Sync, L: IndexType> Sync for RawSingle<T, L> {}

impl<T, L: IndexType> RawSingle<T, L> {
    /// The element.
    #[inline(always)]
    pub(crate) fn get(&self) -> &T {
        // SAFETY: by the invariant the slot is initialised and unchanged
        // while `self` keeps the chunk alive.
        unsafe { self.ptr.as_ref() }
    }

    /// Converts into a one-element slice handle, keeping the reference.
    pub(crate) fn into_slice(self) -> RawSlice<T, L> {
        let this = mem::ManuallyDrop::new(self);
        // Moves the counted reference from `this` (never dropped) to the
        // result; a one-element run satisfies the `RawSlice` invariant.
        RawSlice {
            ptr: this.ptr,
            // `offset < capacity`, which fits `L`.
            span: L::span(L::from_usize_lossy(this.offset), L::ONE),
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
    fn chunk(&self) -> NonNull<ChunkHeader> {
        // SAFETY: `ptr` is slot `offset` of a live chunk (invariant).
        unsafe { chunk_of(self.ptr, self.offset) }
    }
}

impl<T, L: IndexType> Clone for RawSingle<T, L> {
    #[inline]
    fn clone(&self) -> Self {
        // SAFETY: we own a counted reference to the chunk.
        unsafe { chunk_retain(self.chunk()) };
        RawSingle {
            ptr: self.ptr,
            offset: self.offset,
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> Drop for RawSingle<T, L> {
    #[inline]
    fn drop(&mut self) {
        // SAFETY: we own one counted reference and are done with it.
        unsafe { handle_release(self.chunk()) }
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
        let bytes = bump.alloc_with(s.len(), |w| {
            w.extend_copy(s.as_bytes());
            Ok::<(), core::convert::Infallible>(())
        });
        match bytes {
            // The bytes were copied from a `str`.
            Ok(bytes) => RawStr { bytes },
            Err(never) => match never {},
        }
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

// ---------------------------------------------------------------------------
// Handles owned by elements (breaking cycles within a chunk)
// ---------------------------------------------------------------------------

/// A type that can list the handles it owns directly, so that allocating it
/// in a pool does not create reference cycles between an element and its own
/// chunk (see [`HandleSink`]).
///
/// `#[derive(ArenaAlloc)]` implements it, reporting every field whose type
/// is `ArcSingle`, `ArcSlice`, an `Option` of one, or an array of those. Types without handles
/// implement it with an empty body.
///
/// Only the cycle-aware allocation paths use it: the methods the derive
/// macro generates, [`ArenaType`](crate::ArenaType) and `#[arena]` structs.
/// The plain [`Allocator`](crate::Allocator) methods work for any `T` and do
/// not look inside values.
///
/// # Safety
///
/// `visit_handles` may pass to the sink only handles that are stored **by
/// value** inside `self`: in its fields, or in `Option`s or arrays in its
/// fields, and not behind a pointer (`Box`, `Vec`, another handle) or interior
/// mutability (`Cell`, `Mutex`, ...), and each of them at most once per
/// call. Such a handle cannot be moved out or dropped while `self` is
/// shared, and is dropped exactly when `self` is.
/// The allocator relies on this: it takes over the counted reference of each
/// reported handle that points into the chunk `self` was written to.
///
/// # Examples
///
/// ```
/// use arena_arc::{ArcSingle, HandleSink, OwnedHandles};
///
/// struct Node {
///     value: u32,
///     next: Option<ArcSingle<Node>>,
/// }
///
/// // SAFETY: `next` is a field of `Node`, stored by value.
/// unsafe impl OwnedHandles for Node {
///     fn visit_handles(&self, sink: &mut HandleSink) {
///         sink.option_single(&self.next);
///     }
/// }
/// ```
pub unsafe trait OwnedHandles {
    /// Whether a value of this type can hold a handle at all. When `false`
    /// (the primitives, and derived types without handle fields), breaking
    /// cycles has nothing to do and [`Allocator::break_cycles`](crate::Allocator::break_cycles)
    /// leaves the allocator on its plain, fastest path.
    const HOLDS_HANDLES: bool = true;

    /// Passes each handle stored by value in `self` to `sink`.
    fn visit_handles(&self, sink: &mut HandleSink);
}

/// Receives the handles an element owns ([`OwnedHandles::visit_handles`])
/// and counts those that point into the chunk the element was written to.
#[derive(Debug)]
pub struct HandleSink {
    /// The chunk the visited elements live in.
    chunk: NonNull<ChunkHeader>,
    /// Handles found so far that point into `chunk`.
    found: usize,
}

impl HandleSink {
    /// Reports a handle to one element.
    #[inline]
    pub fn single<U, L: IndexType>(&mut self, handle: &crate::ArcSingle<U, L>) {
        if handle.raw().chunk() == self.chunk {
            self.found += 1;
        }
    }

    /// Reports a handle to a run of elements (empty ones point nowhere).
    #[inline]
    pub fn slice<U, L: IndexType>(&mut self, handle: &crate::ArcSlice<U, L>) {
        if handle.raw().chunk_if_any() == Some(self.chunk) {
            self.found += 1;
        }
    }

    /// Reports an optional handle to one element.
    #[inline]
    pub fn option_single<U, L: IndexType>(&mut self, handle: &Option<crate::ArcSingle<U, L>>) {
        if let Some(handle) = handle {
            self.single(handle);
        }
    }

    /// Reports an optional handle to a run of elements.
    #[inline]
    pub fn option_slice<U, L: IndexType>(&mut self, handle: &Option<crate::ArcSlice<U, L>>) {
        if let Some(handle) = handle {
            self.slice(handle);
        }
    }
}

/// Proof that `T: OwnedHandles`, as a value: lets code that is generic over
/// `T` (and cannot name the bound) ask for the cycle-aware paths.
pub(crate) struct HandleVisitor<T> {
    visit: fn(&T, &mut HandleSink),
}

impl<T> Clone for HandleVisitor<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for HandleVisitor<T> {}

impl<T: OwnedHandles> HandleVisitor<T> {
    /// The visitor of `T`. The only constructor: `visit` is always a sound
    /// `OwnedHandles` implementation.
    pub(crate) fn new() -> Self {
        HandleVisitor {
            visit: T::visit_handles,
        }
    }
}

// SAFETY: none of these own handles.
macro_rules! no_handles {
    ($($t:ty),* $(,)?) => {$(
        // SAFETY: a primitive holds no handle.
        unsafe impl OwnedHandles for $t {
            const HOLDS_HANDLES: bool = false;
            #[inline(always)]
            fn visit_handles(&self, _: &mut HandleSink) {}
        }
    )*};
}
no_handles!(
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    f32,
    f64,
    bool,
    char,
    (),
    alloc::string::String
);

// ---------------------------------------------------------------------------
// Writing elements
// ---------------------------------------------------------------------------

/// Writes elements into reserved, uninitialised slots, and drops what it has
/// written if it is dropped before being committed (a panicking `init`, an
/// `Err` from a fallible one).
///
/// Invariant: `dst..dst + cap` are slots reserved for this writer alone (no
/// handle covers them, nobody else writes them); the first `len <= cap` are
/// initialised and owned by the writer.
pub(crate) struct SlotWriter<'a, T> {
    dst: NonNull<T>,
    cap: usize,
    len: usize,
    _slots: PhantomData<&'a mut [mem::MaybeUninit<T>]>,
}

impl<T> SlotWriter<'_, T> {
    /// Slots still free.
    #[inline(always)]
    pub(crate) fn remaining(&self) -> usize {
        self.cap - self.len
    }

    /// Elements written so far.
    #[inline(always)]
    pub(crate) fn written(&self) -> usize {
        self.len
    }

    /// Writes `value` into the next slot.
    ///
    /// # Panics
    ///
    /// Panics if no slot is left (an internal bug, never user input).
    #[inline(always)]
    pub(crate) fn push(&mut self, value: T) {
        assert!(self.len < self.cap, "arena-arc: SlotWriter overflow");
        // SAFETY: slot `len < cap` is reserved for us and uninitialised.
        unsafe { self.dst.add(self.len).write(value) };
        self.len += 1;
    }

    /// Copies `src` into the next slots (a `memcpy`).
    ///
    /// # Panics
    ///
    /// Panics if `src` does not fit (an internal bug, never user input).
    #[inline]
    pub(crate) fn extend_copy(&mut self, src: &[T])
    where
        T: Copy,
    {
        assert!(
            src.len() <= self.remaining(),
            "arena-arc: SlotWriter overflow"
        );
        // SAFETY: the destination slots are reserved for us and cannot
        // overlap `src`, which is borrowed from initialised memory.
        unsafe {
            ptr::copy_nonoverlapping(src.as_ptr(), self.dst.add(self.len).as_ptr(), src.len());
        }
        self.len += src.len();
    }

    /// Moves every element of `src` into the next slots, leaving `src` empty
    /// (its buffer stays allocated).
    ///
    /// # Panics
    ///
    /// Panics if `src` does not fit (an internal bug, never user input).
    pub(crate) fn extend_move(&mut self, src: &mut Vec<T>) {
        let n = src.len();
        assert!(n <= self.remaining(), "arena-arc: SlotWriter overflow");
        // SAFETY: the first `n` elements of `src` are initialised; the slots
        // are reserved for us; the two cannot overlap. `set_len(0)` hands
        // ownership of the moved elements to the writer.
        unsafe {
            ptr::copy_nonoverlapping(src.as_ptr(), self.dst.add(self.len).as_ptr(), n);
            src.set_len(0);
        }
        self.len += n;
    }

    /// Moves the elements written so far out to the end of `dst`, leaving the
    /// writer empty (used when an iterator turns out longer than it said).
    pub(crate) fn drain_into(&mut self, dst: &mut Vec<T>) {
        let n = self.len;
        dst.reserve(n);
        // SAFETY: our first `n` slots are initialised and owned by us;
        // `reserve` made room for `n` more in `dst`; the regions cannot
        // overlap. Setting `self.len = 0` first hands ownership over.
        unsafe {
            self.len = 0;
            ptr::copy_nonoverlapping(self.dst.as_ptr(), dst.as_mut_ptr().add(dst.len()), n);
            dst.set_len(dst.len() + n);
        }
    }

    /// Commits: the written elements now belong to the chunk. Returns how
    /// many there are.
    fn commit(self) -> usize {
        let len = self.len;
        mem::forget(self);
        len
    }
}

impl<T> Drop for SlotWriter<'_, T> {
    fn drop(&mut self) {
        // SAFETY: the first `len` slots are initialised and owned by us; they
        // are never committed, so nobody else will drop them.
        unsafe {
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(self.dst.as_ptr(), self.len));
        }
    }
}

/// Frees a chunk that was created for a write but never handed out (the
/// write failed, panicked or produced nothing). Owns all of its references.
struct UnsharedChunk<T> {
    chunk: NonNull<ChunkHeader>,
    _owns: PhantomData<T>,
}

impl<T> Drop for UnsharedChunk<T> {
    fn drop(&mut self) {
        // SAFETY: nobody else has seen the chunk and `init_len` is still 0,
        // so freeing drops no element; the writer already dropped its own.
        unsafe { chunk_free::<T>(self.chunk) }
    }
}

// ---------------------------------------------------------------------------
// The bump allocator's raw state
// ---------------------------------------------------------------------------

/// The raw state of an [`Allocator<T, L, N>`](crate::Allocator).
pub(crate) struct Bump<T, L: IndexType, const N: usize> {
    /// The chunk new small allocations go to, if any.
    ///
    /// Invariant: when `Some`, the chunk is live, has capacity `N`, this
    /// allocator is its unique writer, and owns [`Bump::held_refs`] counted
    /// references to it.
    current: Option<NonNull<ChunkHeader>>,
    /// Slots `0..cursor` of `current` are initialised; slots `cursor..N` are
    /// uninitialised and covered by no handle. Invariant: `cursor <= N`, and
    /// `cursor == N` when there is no chunk, so that `cursor < N` alone
    /// tells the hot path that `current` has a free slot.
    cursor: usize,
    /// The sum of `len - 1` over the handles into `current`, so that
    /// `cursor - merged` is the number of handles it handed out: a single
    /// element moves only the cursor. 0 when there is no chunk.
    merged: usize,
    /// Uncounted handles in the elements of `current` (their references
    /// went back to the allocator). 0 when there is no chunk.
    uncounted: usize,
    /// Set once the allocator breaks cycles (see the module docs): values
    /// written to `current` give the references of the handles they hold
    /// into `current` back to the allocator, and chunks are used in
    /// allocation order.
    visitor: Option<HandleVisitor<T>>,
    /// Statistics of every chunk but `current` (whose allocations and
    /// elements [`Bump::stats`] derives from `cursor` and `merged`, so the
    /// hot path counts nothing).
    stats: AllocatorStats,
    /// Owns `T`s; `L` is only a marker.
    _owns: PhantomData<(T, fn() -> L)>,
}

// SAFETY: the allocator may drop the last reference to a chunk on whatever
// thread it lives on (needs `T: Send`), and handles it handed out share `T`s
// with other threads (needs `T: Sync`); the refcount is atomic and the
// allocator is the unique writer of its current chunk.
unsafe impl<T: Send + Sync, L: IndexType, const N: usize> Send for Bump<T, L, N> {}
// SAFETY: `&Bump` only reads the allocator's own plain fields.
unsafe impl<T: Send + Sync, L: IndexType, const N: usize> Sync for Bump<T, L, N> {}

/// Where the slots for an allocation come from.
enum Target {
    /// The current chunk, at the cursor.
    Current,
    /// A new chunk of `capacity` slots; `adopt` says whether it becomes the
    /// current chunk afterwards.
    Fresh { capacity: usize, adopt: bool },
}

impl<T, L: IndexType, const N: usize> Bump<T, L, N> {
    /// Compile-time check that `N` is a chunk size `L` can address.
    pub(crate) const FITS_INDEX: () = assert!(
        chunk_size_fits_index::<L>(N),
        "the chunk size N of Allocator<T, L, N> is larger than the index type L can address; \
         use a wider index type (u32, u64 or usize) or a smaller N"
    );
    /// Compile-time check that a chunk of `N` elements fits in memory.
    pub(crate) const FITS_MEMORY: () = assert!(
        chunk_size_fits_memory::<T>(N),
        "the chunk size N of Allocator<T, L, N> makes a chunk larger than isize::MAX bytes"
    );

    /// An allocator with no chunk yet.
    pub(crate) const fn new() -> Self {
        // Evaluated at compile time for each instantiation: rejects chunk
        // sizes whose offsets `L` cannot hold, which the unsafe code relies on
        // (`from_usize_lossy` of offsets below `N`).
        #[allow(clippy::let_unit_value)]
        let () = Self::FITS_INDEX;
        #[allow(clippy::let_unit_value)]
        let () = Self::FITS_MEMORY;
        Bump {
            current: None,
            cursor: N,
            merged: 0,
            uncounted: 0,
            visitor: None,
            stats: AllocatorStats::new(),
            _owns: PhantomData,
        }
    }

    /// Statistics, with the current chunk's share added.
    pub(crate) fn stats(&self) -> AllocatorStats {
        let mut stats = self.stats;
        if self.current.is_some() {
            stats.allocations += self.cursor - self.merged;
            stats.elements += self.cursor;
        }
        stats.bytes_used = stats.elements * size_of::<T>();
        // `cursor == N` when there is no chunk.
        stats.current_chunk_free = N - self.cursor;
        stats
    }

    /// The counted references the allocator holds on `current`, given its
    /// `cursor`, `merged` and `uncounted`: the chunk started with `N + 1`
    /// (one per slot plus the allocator's), each of the `cursor - merged`
    /// handles took one, and each uncounted handle gave one back. At least
    /// `1 + (N - cursor)`: one for every handle still to come, and the
    /// allocator's own.
    #[inline]
    const fn held_refs(cursor: usize, merged: usize, uncounted: usize) -> usize {
        N + 1 - (cursor - merged) + uncounted
    }

    /// From now on, break cycles between elements and their own chunk (see
    /// the module docs).
    #[inline]
    pub(crate) fn break_cycles(&mut self, visitor: HandleVisitor<T>) {
        self.visitor = Some(visitor);
    }

    /// Whether [`Bump::break_cycles`] was called.
    pub(crate) fn breaks_cycles(&self) -> bool {
        self.visitor.is_some()
    }

    /// Takes over the counted references that the `len` elements at `ptr`,
    /// just written to `current`, hold into `current`.
    ///
    /// # Safety
    ///
    /// `ptr..ptr + len` are initialised slots of `current`, committed to the
    /// chunk (dropped only when it is freed).
    #[inline]
    unsafe fn adopt_inner_handles(
        &mut self,
        visitor: HandleVisitor<T>,
        ptr: NonNull<T>,
        len: usize,
    ) {
        let Some(chunk) = self.current else { return };
        let mut sink = HandleSink { chunk, found: 0 };
        for i in 0..len {
            // SAFETY: initialised (precondition), never written again while
            // the chunk is live, so a shared reference is fine.
            let element = unsafe { ptr.add(i).as_ref() };
            (visitor.visit)(element, &mut sink);
        }
        // Each handle found is stored by value in an element of `current`
        // (the `OwnedHandles` contract) and owns one counted reference to
        // it; that reference now belongs to the allocator (`held_refs`),
        // and the handle is uncounted until the chunk drops its elements
        // (module docs). `found` is at most the number of references, so
        // no overflow.
        self.uncounted += sink.found;
    }

    /// Allocates one element: the hot path.
    ///
    /// It moves the cursor and writes the value, nothing else: the handle's
    /// reference was counted when the chunk was made, and statistics are
    /// derived from the cursor. The slow path only makes room (it never
    /// takes `value`), so the value can be built straight into its slot.
    #[inline]
    pub(crate) fn alloc_one(&mut self, value: T) -> RawSingle<T, L> {
        self.alloc_one_with(|| value)
    }

    /// Allocates the element `build()`, building it straight into its slot
    /// (no copy through the stack). If `build` panics, nothing is
    /// allocated.
    #[inline]
    pub(crate) fn alloc_one_with(&mut self, build: impl FnOnce() -> T) -> RawSingle<T, L> {
        let visitor = self.visitor;
        if visitor.is_some() {
            self.retire_current_if_unreachable();
        }
        if self.cursor >= N {
            if N <= 1 {
                // A new chunk of one slot leaves no more room than a full
                // one, so whether it becomes current follows the general
                // rule.
                return self.alloc_one_general(build());
            }
            self.start_chunk();
        }
        let Some(chunk) = self.current else {
            unreachable!("`cursor < N` implies a current chunk")
        };
        let offset = self.cursor;
        // SAFETY: `current` is live with capacity `N` and slot `offset < N`
        // is free and covered by no handle (invariants of `current` and
        // `cursor`).
        let ptr = unsafe { chunk_data::<T>(chunk).add(offset) };
        // A panic in `build` leaves the slot free and the cursor unmoved.
        let value = build();
        // SAFETY: as above; `build` could not reach this allocator (it is
        // borrowed mutably), so the slot is still free.
        unsafe { ptr.write(value) };
        // The handle takes one of the references counted at the chunk's
        // creation (`held_refs` goes down by one).
        self.cursor = offset + 1;
        if let Some(visitor) = visitor {
            // SAFETY: the slot was just written and committed.
            unsafe { self.adopt_inner_handles(visitor, ptr, 1) };
        }
        RawSingle {
            ptr,
            // `offset < N <= L::MAX` (checked at compile time).
            offset,
            _owns: PhantomData,
        }
    }

    /// Replaces a full (or missing) current chunk with a new one of `N`
    /// slots; for `N > 1` that is what the general rule does for a request
    /// of one element.
    #[cold]
    #[inline(never)]
    fn start_chunk(&mut self) {
        let chunk = chunk_new::<T>(N, N + 1);
        self.stats.chunks += 1;
        self.stats.bytes_reserved += chunk_bytes::<T>(N);
        self.install_current(chunk, 0, 0);
    }

    #[cold]
    #[inline(never)]
    fn alloc_one_general(&mut self, value: T) -> RawSingle<T, L> {
        let slice = self.alloc_with(1, |w| {
            w.push(value);
            Ok::<(), core::convert::Infallible>(())
        });
        match slice {
            Ok(slice) => match slice.into_single() {
                Ok(single) => single,
                Err(_) => unreachable!("one element was written"),
            },
            Err(never) => match never {},
        }
    }

    /// Reserves `len` slots, lets `fill` write up to `len` elements into
    /// them, and returns a handle to the elements written.
    ///
    /// Slots come from the current chunk when they fit, from a dedicated
    /// chunk of exactly `len` when `len > N`, and otherwise from a new chunk
    /// of `N` that becomes current if it leaves more room than the old one.
    ///
    /// If `fill` returns `Err` or panics, every element it wrote is dropped
    /// and the allocator is unchanged. If it writes fewer than `len`
    /// elements, the handle covers just those (and the rest of the slots stay
    /// free).
    ///
    /// # Panics
    ///
    /// Panics if `len` does not fit `L` or the chunk would exceed
    /// `isize::MAX` bytes.
    #[inline]
    #[track_caller]
    pub(crate) fn alloc_with<E>(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
    ) -> Result<RawSlice<T, L>, E> {
        if self.visitor.is_some() {
            self.retire_current_if_unreachable();
        }
        // The hot path: the slots fit in the current chunk (`cursor == N`
        // when there is none, so this also checks there is one).
        if len != 0 && len <= N - self.cursor {
            return self.fill_current(len, fill);
        }
        self.alloc_with_slow(len, fill)
    }

    /// [`Bump::alloc_with`] when the request is empty or needs a new chunk.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn alloc_with_slow<E>(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
    ) -> Result<RawSlice<T, L>, E> {
        if len == 0 {
            // Nothing is reserved; `fill` still runs (and can write nothing),
            // so an iterator that claimed to be empty is still drained.
            let mut writer = SlotWriter {
                dst: NonNull::dangling(),
                cap: 0,
                len: 0,
                _slots: PhantomData,
            };
            fill(&mut writer)?;
            return Ok(RawSlice::empty());
        }
        let _: L = crate::index::to_index(len, "length");
        // `cursor == N` when there is no chunk.
        let remaining = N - self.cursor;
        let target = if self.current.is_none() && len <= N {
            // The first chunk: 0.1.2 allocated it in `new()`, so it is
            // current whatever the request leaves free.
            Target::Fresh {
                capacity: N,
                adopt: true,
            }
        } else if len <= remaining {
            Target::Current
        } else if len > N {
            Target::Fresh {
                capacity: len,
                adopt: false,
            }
        } else {
            Target::Fresh {
                capacity: N,
                // Breaking cycles keeps chunks in allocation order.
                adopt: self.visitor.is_some() || N - len > remaining,
            }
        };
        match target {
            Target::Current => self.fill_current(len, fill),
            Target::Fresh { capacity, adopt } => self.fill_fresh(capacity, len, adopt, fill),
        }
    }

    #[inline]
    fn fill_current<E>(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
    ) -> Result<RawSlice<T, L>, E> {
        let Some(chunk) = self.current else {
            unreachable!("Target::Current needs a current chunk")
        };
        let offset = self.cursor;
        let mut writer = SlotWriter {
            // SAFETY: `current` is live with capacity `N` and `offset + len
            // <= N`: slots `offset..offset + len` are free, covered by no
            // handle, and stay reserved because `&mut self` is borrowed
            // until we return.
            dst: unsafe { chunk_data::<T>(chunk).add(offset) },
            cap: len,
            len: 0,
            _slots: PhantomData,
        };
        fill(&mut writer)?;
        let written = writer.commit();
        if written == 0 {
            return Ok(RawSlice::empty());
        }
        // The handle takes one reference for `written` slots.
        self.cursor = offset + written;
        self.merged += written - 1;
        let handle = RawSlice {
            // SAFETY: as above; the elements are now initialised.
            ptr: unsafe { chunk_data::<T>(chunk).add(offset) },
            // `offset + written <= N <= L::MAX`.
            span: L::span(L::from_usize_lossy(offset), L::from_usize_lossy(written)),
            _owns: PhantomData,
        };
        if let Some(visitor) = self.visitor {
            // SAFETY: the `written` slots at the handle were just committed
            // to `current`.
            unsafe { self.adopt_inner_handles(visitor, handle.ptr, written) };
        }
        Ok(handle)
    }

    fn fill_fresh<E>(
        &mut self,
        capacity: usize,
        len: usize,
        adopt: bool,
        fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
    ) -> Result<RawSlice<T, L>, E> {
        // A chunk that becomes current pre-counts a reference per slot plus
        // the allocator's own; any other starts with the handle's one.
        let refs = if adopt { N + 1 } else { 1 };
        let fresh = UnsharedChunk::<T> {
            chunk: chunk_new::<T>(capacity, refs),
            _owns: PhantomData,
        };
        self.stats.chunks += 1;
        self.stats.bytes_reserved += chunk_bytes::<T>(capacity);
        if capacity > N {
            self.stats.dedicated_chunks += 1;
        }
        let chunk = fresh.chunk;
        // Declared after `fresh`, so on error or panic the writer drops its
        // elements before `fresh` frees the memory.
        let mut writer = SlotWriter {
            // SAFETY: the chunk is new and unshared; `len <= capacity`.
            dst: unsafe { chunk_data::<T>(chunk) },
            cap: len,
            len: 0,
            _slots: PhantomData,
        };
        fill(&mut writer)?;
        let written = writer.commit();
        if written == 0 {
            // `fresh` frees the chunk; nothing was handed out.
            return Ok(RawSlice::empty());
        }
        mem::forget(fresh);
        let handle = RawSlice {
            // SAFETY: the chunk is live; slots `0..written` are initialised.
            ptr: unsafe { chunk_data::<T>(chunk) },
            // `written <= len`, which `alloc_with` checked fits `L`.
            span: L::span(L::ZERO, L::from_usize_lossy(written)),
            _owns: PhantomData,
        };
        if adopt {
            // N + 1 pre-counted, one now owned by `handle`, which covers
            // `written` slots.
            self.install_current(chunk, written, written - 1);
        } else {
            self.stats.record(written);
            // The handle holds the only reference; nobody writes the chunk
            // again.
            // SAFETY: we are the unique writer and `handle` keeps it live.
            unsafe { chunk_finish_writing(chunk, written, 0) };
            if self.visitor.is_some() {
                // Keep chunks in allocation order: elements written after
                // this dedicated chunk may hold handles into it, so they go
                // to a new chunk rather than to the current one, whose older
                // elements the dedicated chunk's may point to.
                self.retire_current();
            }
        }
        Ok(handle)
    }
}

impl<T, L: IndexType, const N: usize> Bump<T, L, N> {
    /// Makes `chunk` current and lets go of the old current chunk, if any.
    ///
    /// `chunk` is live, has capacity `N`, was created with `N + 1`
    /// references, and has `cursor` initialised slots covered by handles
    /// that took `cursor - merged` of them.
    fn install_current(&mut self, chunk: NonNull<ChunkHeader>, cursor: usize, merged: usize) {
        self.replace_current(Some(chunk), cursor, merged);
    }

    /// For cycle-aware allocators: lets go of the current chunk when nothing
    /// outside it refers into it any more.
    ///
    /// Its elements are then unreachable, but they would stay alive, and
    /// keep alive everything they point to in older chunks, for as long as
    /// the chunk is current; and if new elements were written next to them
    /// and linked from later chunks, for as long as those live too. A
    /// per-thread pool that builds and drops one tree after another would
    /// chain every tree to the next that way and never free any. Letting
    /// the chunk go frees it (and with it the dropped structure) at once.
    #[inline]
    fn retire_current_if_unreachable(&mut self) {
        let Some(chunk) = self.current else { return };
        let held = Self::held_refs(self.cursor, self.merged, self.uncounted);
        // Acquire, as in `Arc::get_mut`: reading exactly the references we
        // hold means no handle into the chunk exists outside the allocator
        // (the uncounted ones live in its own elements), and none can
        // appear, because only a holder can clone one. Pairs with the
        // Release decrements of the handles dropped on other threads.
        // SAFETY: `current` is live while we hold references to it.
        if unsafe { chunk_refs(chunk) }.load(Ordering::Acquire) == held {
            self.retire_current();
        }
    }

    /// Lets go of the current chunk; the next allocation starts a new one.
    #[cold]
    #[inline(never)]
    fn retire_current(&mut self) {
        self.replace_current(None, N, 0);
    }

    /// Sets the current chunk state (`cursor == N` and `merged == 0` for no
    /// chunk), then counts the old current chunk, if any, in the
    /// statistics and gives up the allocator's references to it. That comes
    /// last because it may run element destructors that panic; the
    /// allocator is consistent by then.
    fn replace_current(
        &mut self,
        chunk: Option<NonNull<ChunkHeader>>,
        cursor: usize,
        merged: usize,
    ) {
        let old = mem::replace(&mut self.current, chunk);
        let old_cursor = mem::replace(&mut self.cursor, cursor);
        let old_merged = mem::replace(&mut self.merged, merged);
        let old_uncounted = mem::replace(&mut self.uncounted, 0);
        let Some(old) = old else { return };
        self.stats.allocations += old_cursor - old_merged;
        self.stats.elements += old_cursor;
        // SAFETY: `old` was current: we were its unique writer and owned
        // `held_refs` references to it; its first `old_cursor` slots are
        // initialised and hold `old_uncounted` uncounted handles.
        unsafe {
            chunk_finish_writing(old, old_cursor, old_uncounted);
            chunk_release(old, Self::held_refs(old_cursor, old_merged, old_uncounted));
        }
    }
}

impl<T, L: IndexType, const N: usize> Drop for Bump<T, L, N> {
    fn drop(&mut self) {
        self.retire_current();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_offset_respects_alignment() {
        #[repr(align(64))]
        struct A64(#[allow(dead_code)] u8);
        assert_eq!(ChunkLayout::<u8>::DATA_OFFSET, size_of::<ChunkHeader>());
        assert_eq!(ChunkLayout::<A64>::DATA_OFFSET, 64);
        assert_eq!(ChunkLayout::<A64>::ALIGN, 64);
        assert_eq!(ChunkLayout::<()>::DATA_OFFSET, size_of::<ChunkHeader>());
    }

    #[test]
    fn layout_overflow_is_none() {
        assert!(ChunkLayout::<u64>::layout(usize::MAX / 4).is_none());
        assert!(ChunkLayout::<()>::layout(usize::MAX).is_some());
        assert!(!chunk_size_fits_memory::<u64>(usize::MAX / 8));
        assert!(chunk_size_fits_memory::<u64>(1 << 20));
    }

    #[test]
    fn precounted_references_are_returned() {
        let mut bump: Bump<u32, u32, 4> = Bump::new();
        let a = bump.alloc_one(1);
        let chunk = a.chunk();
        // 4 + 1 pre-counted at creation, one moved to `a`.
        // SAFETY: `a` keeps the chunk alive.
        assert_eq!(unsafe { chunk_refs(chunk) }.load(Ordering::Relaxed), 5);
        assert_eq!(
            Bump::<u32, u32, 4>::held_refs(bump.cursor, bump.merged, bump.uncounted),
            4
        );
        let b = a.clone();
        // SAFETY: `a` keeps the chunk alive.
        assert_eq!(unsafe { chunk_refs(chunk) }.load(Ordering::Relaxed), 6);
        drop(bump);
        // SAFETY: `a` keeps the chunk alive.
        assert_eq!(unsafe { chunk_refs(chunk) }.load(Ordering::Relaxed), 2);
        drop(a);
        assert_eq!(*b.get(), 1);
    }

    /// Refcount overflow aborts the process: the test re-runs itself in a
    /// child process that pushes a count past the limit.
    #[test]
    #[cfg(all(feature = "std", not(miri)))]
    fn refcount_overflow_aborts() {
        const CHILD: &str = "ARENA_ARC_OVERFLOW_CHILD";
        if std::env::var_os(CHILD).is_some() {
            let mut bump: Bump<u8, u32, 4> = Bump::new();
            let a = bump.alloc_one(7);
            // SAFETY: `a` keeps the chunk alive; the count is only read
            // again by `clone`, which must abort.
            unsafe { chunk_refs(a.chunk()) }.store(MAX_REFCOUNT + 1, Ordering::Relaxed);
            let b = a.clone();
            // Unreachable when overflow aborts.
            mem::forget((a, b, bump));
            std::process::exit(0);
        }
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "chunk::tests::refcount_overflow_aborts",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            out.status.signal(),
            Some(6),
            "child should abort (SIGABRT), got {:?}",
            out.status
        );
    }
}
