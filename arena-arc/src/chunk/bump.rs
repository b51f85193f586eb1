//! The bump allocator's raw state: writing elements into chunks, the
//! placement rules, and the pre-counted references of the current chunk
//! (see "The counts" in the module docs of `chunk`).
//!
//! In plain mode the current chunk is `N` slots and the cursor counts
//! slots; in per-value mode it is a region of cells and the cursor counts
//! bytes. Either way `cursor == END` (`N`, or the region's size) when there
//! is no current chunk, so one comparison tells the hot path there is room.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::marker::PhantomData;
use core::mem::{self, MaybeUninit, size_of};
use core::ptr::{self, NonNull};
#[cfg(not(loom))]
use core::sync::atomic::AtomicU32;
#[cfg(loom)]
use loom::sync::atomic::AtomicU32;

use super::capacity_overflow;
use super::counts::{
    MAX_REFCOUNT, chunk_has_no_weak, chunk_weak_retain, owner_count_is, owner_publish,
    owner_release_many, owner_reset_count, owner_retain,
};
use super::layout::{
    ChunkHeader, ChunkLayout, HEADER_SIZE, OWNER_SIZE, OwnerHeader, SHORT_LEN_MAX, ValueLayout,
    WEAK_SEEN, chunk_attach, chunk_data, chunk_dealloc, chunk_layout, chunk_new, chunk_owner,
    chunk_size, chunk_size_fits_index, chunk_size_fits_memory, value_meta,
};
use super::raw::{RawSingle, RawSlice, RawWeakSingle};
use super::record::{ArenaLimit, Holder, RecordRef, RecordView, check_limit};
use crate::error::{AllocError, OrRaise, Raise, never_fails};
use crate::index::IndexType;
use crate::stats::AllocatorStats;

/// Plain chunks of fewer slots than this pre-count a reference per slot;
/// larger ones (which nobody makes) count each handle as it is handed out,
/// so that a count never comes near [`MAX_REFCOUNT`] by pre-counting.
const PRECOUNT_LIMIT: usize = 1 << 28;

// Per-value chunks hold at most `REGION_MAX / OWNER_SIZE` allocations, which
// are pre-counted: well below the limit.
const _: () = assert!(ValueLayout::<()>::REGION_MAX / OWNER_SIZE <= PRECOUNT_LIMIT);
const _: () = assert!(PRECOUNT_LIMIT < MAX_REFCOUNT as usize / 2);

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
    /// Holds the slots for `'a` (`'static` in a [`ReservedSlice`], whose
    /// chunk reference keeps them) and owns the `T`s written.
    _slots: PhantomData<(&'a mut (), T)>,
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

    /// Slots in all.
    #[inline(always)]
    pub(crate) fn capacity(&self) -> usize {
        self.cap
    }

    /// Writes `value` into the next slot, or gives it back if there is none.
    #[inline(always)]
    pub(crate) fn try_push(&mut self, value: T) -> Result<(), T> {
        if self.len == self.cap {
            return Err(value);
        }
        // SAFETY: slot `len < cap` is reserved for us and uninitialised.
        unsafe { self.dst.add(self.len).write(value) };
        self.len += 1;
        Ok(())
    }

    /// Writes the items of `iter` into the next slots until it ends (then
    /// `None`) or an item finds no slot left (then `Some(item)`). The loop
    /// keeps the slots' pointer, capacity and count in locals (writing the
    /// count back after each item, for a panicking `next`): through `self`,
    /// the optimiser may not prove that writing an item leaves them alone,
    /// and reloads them per item. (Measured on the per-thread wide tree,
    /// whose `T::alloc_from_iter` fills builders this way: a `try_push`
    /// loop reloaded the count and capacity per node and took 0.70 s for
    /// 4,000 trees, this one 0.61 s.)
    #[cfg(feature = "std")]
    #[inline(always)]
    pub(crate) fn push_from(&mut self, iter: &mut impl Iterator<Item = T>) -> Option<T> {
        let (dst, cap) = (self.dst, self.cap);
        let mut len = self.len;
        loop {
            let item = iter.next()?;
            if len == cap {
                return Some(item);
            }
            // SAFETY: slot `len < cap` is reserved for us and uninitialised
            // (`self.len == len`: nobody else writes the slots).
            unsafe { dst.add(len).write(item) };
            len += 1;
            self.len = len;
        }
    }

    /// Writes `build()` straight into the next slot (not through the
    /// stack, once optimised: large values are built in place). If `build`
    /// panics, nothing is written.
    ///
    /// # Panics
    ///
    /// Panics if no slot is left (an internal bug, never user input).
    #[inline(always)]
    pub(crate) fn push_with(&mut self, build: impl FnOnce() -> T) {
        assert!(self.len < self.cap, "arena-arc: SlotWriter overflow");
        // SAFETY: slot `len < cap` is reserved for us and uninitialised; a
        // panic in `build` leaves it so (whatever it wrote of its result
        // there is never read) and `len` unmoved.
        unsafe { self.dst.add(self.len).write(build()) };
        self.len += 1;
    }

    /// Moves the `T` at `src` into the next slot (a copy of its bytes).
    ///
    /// # Safety
    ///
    /// `src` is valid for reading a `T`, which the caller gives up: it is
    /// never used or dropped again.
    ///
    /// # Panics
    ///
    /// Panics if no slot is left (an internal bug, never user input).
    pub(crate) unsafe fn push_read(&mut self, src: *const T) {
        assert!(self.len < self.cap, "arena-arc: SlotWriter overflow");
        // SAFETY: slot `len < cap` is reserved for us and uninitialised, so
        // it does not overlap `src`, which the caller gives us.
        unsafe { ptr::copy_nonoverlapping(src, self.dst.add(self.len).as_ptr(), 1) };
        self.len += 1;
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

    /// The elements written so far.
    #[inline(always)]
    pub(crate) fn as_slice(&self) -> &[T] {
        // SAFETY: the first `len` slots are initialised and ours (`dst` is
        // aligned, and only dangling when `cap == 0`).
        unsafe { core::slice::from_raw_parts(self.dst.as_ptr(), self.len) }
    }

    /// The elements written so far, mutably.
    #[inline(always)]
    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        // SAFETY: as in `as_slice`, and `&mut self` makes the access unique.
        unsafe { core::slice::from_raw_parts_mut(self.dst.as_ptr(), self.len) }
    }

    /// Fills every free slot, slot `i` (counted from the first slot) with
    /// `init(i)`: one counter for the index and the length.
    #[inline(always)]
    pub(crate) fn fill_with(&mut self, mut init: impl FnMut(usize) -> T) {
        while self.len < self.cap {
            let value = init(self.len);
            // SAFETY: slot `len < cap` is reserved for us and uninitialised.
            unsafe { self.dst.add(self.len).write(value) };
            self.len += 1;
        }
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
        unsafe { copy_small_or_memcpy(src.as_ptr(), self.dst.add(self.len).as_ptr(), src.len()) };
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

    /// Moves the elements written so far, then `extra`, into a new `Vec`,
    /// leaving the writer empty: for an iterator (or sequence) that turns
    /// out longer than it said, whose rest the caller appends.
    #[cold]
    #[inline(never)]
    pub(crate) fn spill(&mut self, extra: T) -> Vec<T> {
        let n = self.len;
        // Allocated before the elements are given up: if this panics, the
        // writer still drops them.
        let mut items = Vec::with_capacity(n + 1);
        self.len = 0;
        // SAFETY: our first `n` slots are initialised and were ours; with
        // `len` at 0 we gave them up; `items` has room for them, and the
        // regions cannot overlap; `set_len` hands them to `items`.
        unsafe {
            ptr::copy_nonoverlapping(self.dst.as_ptr(), items.as_mut_ptr(), n);
            items.set_len(n);
        }
        items.push(extra);
        items
    }

    /// Commits: the written elements now belong to whoever wrote the slots'
    /// owner. Returns how many there are.
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

/// Copies `n` `T`s from `src` to `dst` (`T: Copy` at the call site): up to
/// 64 bytes inline, with two (or four) windows that may overlap, larger
/// copies with `memcpy`. Small slices are the common case, where the call
/// to `memcpy` costs more than the copy.
///
/// # Safety
///
/// As for [`ptr::copy_nonoverlapping`]: `src` is valid for reading and
/// `dst` for writing `n` `T`s, and the two do not overlap.
#[inline(always)]
unsafe fn copy_small_or_memcpy<T>(src: *const T, dst: *mut T, n: usize) {
    use mem::MaybeUninit;
    /// Copies bytes `at..at + K` (a window inside the `n * size_of::<T>()`
    /// bytes), keeping uninitialised bytes (padding) uninitialised.
    #[inline(always)]
    unsafe fn window<const K: usize>(src: *const u8, dst: *mut u8, at: usize) {
        // SAFETY: the caller keeps the window inside both ranges; unaligned
        // reads and writes of `MaybeUninit` bytes are allowed for any value.
        unsafe {
            let v = src.add(at).cast::<MaybeUninit<[u8; K]>>().read_unaligned();
            dst.add(at)
                .cast::<MaybeUninit<[u8; K]>>()
                .write_unaligned(v);
        }
    }
    let bytes = n * size_of::<T>();
    let (s, d) = (src.cast::<u8>(), dst.cast::<u8>());
    // SAFETY: each window lies within the first `bytes` bytes of both
    // ranges (`bytes >= K` in its branch); the windows cover all of them;
    // the ranges do not overlap, so the order of the writes does not matter.
    unsafe {
        match bytes {
            0 => {}
            1..4 => {
                for i in 0..bytes {
                    window::<1>(s, d, i);
                }
            }
            4..8 => {
                window::<4>(s, d, 0);
                window::<4>(s, d, bytes - 4);
            }
            8..16 => {
                window::<8>(s, d, 0);
                window::<8>(s, d, bytes - 8);
            }
            16..=32 => {
                window::<16>(s, d, 0);
                window::<16>(s, d, bytes - 16);
            }
            33..=64 => {
                window::<32>(s, d, 0);
                window::<32>(s, d, bytes - 32);
            }
            _ => ptr::copy_nonoverlapping(src, dst, n),
        }
    }
}

/// Lets `fill` write up to `len` elements into the slots at `dst` and
/// commits them; returns how many it wrote. If `fill` fails or panics, what
/// it wrote is dropped.
///
/// # Safety
///
/// `dst..dst + len` are free slots reserved for the caller (none for
/// `len == 0`, where `dst` may dangle).
#[inline(always)]
unsafe fn fill_slots<T, E>(
    dst: NonNull<T>,
    len: usize,
    fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
) -> Result<usize, E> {
    // The writer's invariant holds by the precondition.
    let mut writer = SlotWriter {
        dst,
        cap: len,
        len: 0,
        _slots: PhantomData,
    };
    fill(&mut writer)?;
    Ok(writer.commit())
}

/// Deallocates a chunk that was created for a write but never handed out
/// (the write failed, panicked or produced nothing). Owns all of its
/// references.
struct UnsharedChunk {
    chunk: NonNull<ChunkHeader>,
}

impl Drop for UnsharedChunk {
    fn drop(&mut self) {
        // SAFETY: nobody else has seen the chunk, its `init_len` is still 0
        // and it holds no allocation: the writer already dropped what it
        // wrote.
        unsafe { chunk_dealloc(self.chunk) }
    }
}

/// `ReservedSingle::meta` of a slot in a plain chunk (no owner header).
const PLAIN_SLOT: u32 = 0;

/// The cell of one value, reserved by [`Bump::try_reserve_single`] and not
/// written yet: the value is written without the allocator, so code may run
/// in between (building the value) that uses the allocator again.
///
/// Invariant: `ptr` is the element slot of a cell (per value: with its owner
/// header before it, to be written with `meta`; plain: a slot of its chunk)
/// of the live chunk `chunk`, reserved for this value alone, covered by no
/// handle; the reservation owns one counted reference to `chunk`.
/// Dropped unwritten, it gives that reference back and the cell stays
/// unused.
pub(crate) struct ReservedSingle<T, L: IndexType> {
    ptr: NonNull<T>,
    chunk: NonNull<ChunkHeader>,
    /// The owner header's `meta`, or [`PLAIN_SLOT`].
    meta: u32,
    /// The cell of a `T` (not a `T`: nothing to drop). Not `Send` (the
    /// pointers see to it; nothing needs it).
    _cell: PhantomData<fn() -> (T, L)>,
}

impl<T, L: IndexType> ReservedSingle<T, L> {
    /// Writes `value` into the cell: the allocation is made.
    #[inline(always)]
    pub(crate) fn write(self, value: T) -> RawSingle<T, L> {
        self.write_with(|| value)
    }

    /// Writes `build()` straight into the cell (not through the stack, once
    /// optimised): the allocation is made. If `build` panics, the
    /// reservation is dropped unwritten.
    #[inline(always)]
    pub(crate) fn write_with(self, build: impl FnOnce() -> T) -> RawSingle<T, L> {
        // SAFETY: the cell is reserved for this value alone and free
        // (invariant), and nobody reads it before it is written: a panic in
        // `build` drops `self`, which gives the chunk reference back and
        // leaves the cell unused.
        unsafe { self.ptr.write(build()) };
        let this = mem::ManuallyDrop::new(self);
        // SAFETY: as above: writing the owner header right before the
        // element (per value), which starts the allocation's count at one
        // reference (the handle's), races with nothing.
        let owner = unsafe {
            if this.meta == PLAIN_SLOT {
                chunk_owner(this.chunk)
            } else {
                write_owner_header(this.ptr, this.meta)
            }
        };
        // The handle takes over the reservation's chunk reference: per value
        // the allocation holds it, plain, the handle.
        RawSingle {
            ptr: this.ptr,
            owner,
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> Drop for ReservedSingle<T, L> {
    /// Never written: gives the chunk reference back (the cell stays
    /// unused, and no code ever reads it).
    fn drop(&mut self) {
        // SAFETY: the reservation owns one counted reference to `chunk`,
        // whose elements are `T`s, and gives it up here, once.
        unsafe { owner_release_many::<T>(chunk_owner(self.chunk), 1) }
    }
}

/// The cell of one value whose owner header is written but dead (count
/// zero) until the value is: `alloc_cyclic`'s reservation, to which a weak
/// handle exists before the value does (it upgrades to nothing meanwhile).
///
/// Invariant: `ptr` is the element slot of a per-value single-value cell
/// of the live chunk `chunk`, reserved for this value alone and covered by
/// no handle; the owner header before it, `owner`, is written with a count
/// of zero and `WEAK_SEEN`; the reservation owns one counted reference to
/// `chunk` (the allocation's, once it is written). Dropped unwritten, it
/// gives that reference back: the owner stays dead, like any owner whose
/// count reached zero, and its cell is never read.
pub(crate) struct ReservedCyclic<T, L: IndexType> {
    ptr: NonNull<T>,
    owner: NonNull<OwnerHeader>,
    chunk: NonNull<ChunkHeader>,
    /// The cell of a `T` (not a `T`: nothing to drop).
    _cell: PhantomData<fn() -> (T, L)>,
}

impl<T, L: IndexType> ReservedCyclic<T, L> {
    /// Writes `value` into the cell and brings its owner to life: the
    /// allocation is made, and weak handles to it upgrade from now on.
    pub(crate) fn write(self, value: T) -> RawSingle<T, L> {
        let this = mem::ManuallyDrop::new(self);
        // SAFETY: the cell is reserved for this value alone, free, and no
        // handle reads it while the count is zero (upgrades fail): the write
        // races with nothing; the count then goes to one, the handle's.
        unsafe {
            this.ptr.write(value);
            owner_publish(this.owner);
        }
        // The allocation keeps the reservation's chunk reference.
        RawSingle {
            ptr: this.ptr,
            owner: this.owner,
            _owns: PhantomData,
        }
    }
}

impl<T, L: IndexType> Drop for ReservedCyclic<T, L> {
    /// Never written: gives the chunk reference back.
    fn drop(&mut self) {
        // SAFETY: the reservation owns one counted reference to `chunk`,
        // whose elements are `T`s, and gives it up here, once; the owner
        // stays dead (no reference to it was ever counted).
        unsafe { owner_release_many::<T>(chunk_owner(self.chunk), 1) }
    }
}

/// Where the slots of a [`ReservedSlice`] are, which says how `finish`
/// turns them into an allocation.
#[derive(Clone, Copy, Debug)]
enum SliceCell {
    /// Slots `offset..offset + cap` of a plain chunk that stays the
    /// allocator's (it records them as initialised when it lets go of the
    /// chunk; only for types without drop glue, whose slots need no
    /// dropping, written or not).
    Plain { offset: usize },
    /// The first `cap` slots of a plain chunk made for this slice alone:
    /// `finish` records how many are initialised.
    PlainOwn,
    /// A per-value cell reserved for `cap` elements, whose owner header
    /// `finish` writes `distance` bytes after the chunk's header.
    Value { distance: usize },
}

/// One counted reference to a chunk whose elements are `T`s, given back
/// when dropped; `None` holds nothing.
struct ChunkRef<T>(Option<NonNull<ChunkHeader>>, PhantomData<fn() -> T>);

impl<T> Drop for ChunkRef<T> {
    fn drop(&mut self) {
        if let Some(chunk) = self.0 {
            // SAFETY: we own one counted reference to `chunk`, whose elements
            // are `T`s, and give it up here, once.
            unsafe { owner_release_many::<T>(chunk_owner(chunk), 1) }
        }
    }
}

/// How a reservation growing without its pool reaches the pool's record.
enum LoneRecord {
    /// Through the chunk the reservation holds, which is attached to the
    /// record or hosts it: the chunk's reference keeps the record, so a
    /// builder costs the record no count.
    InChunk(RecordView),
    /// A counted reference, for a reservation that holds no chunk.
    Counted(Holder),
}

/// Room for up to `cap` elements reserved in a pool and filled later,
/// without the pool (which may meanwhile allocate the elements' own
/// children): the slots behind [`crate::SliceBuilder`].
///
/// Invariant: `slots` are slots of the live chunk in `chunk` (laid out as
/// `cell` says), which `chunk`'s reference keeps live (so the writer's
/// lifetime is `'static`); none when `chunk` holds nothing (`cap == 0`).
/// `lone` is [`LoneRecord::InChunk`] only while `chunk` holds a chunk
/// attached to that record or hosting it.
/// The fields drop in order: the elements written first, while the chunk
/// is still held, then the reference (also if an element's `Drop` panics).
/// Dropped unfinished, the room stays unused, and no code reads it.
pub(crate) struct ReservedSlice<T, L: IndexType> {
    slots: SlotWriter<'static, T>,
    chunk: ChunkRef<T>,
    cell: SliceCell,
    /// The record of the pool it came from, for the chunks it makes when it
    /// grows without the pool (see [`Bump::reserve_slice_alone`]): they
    /// report there, within the pool's own limit (an `#[arena]` struct's
    /// limit is checked where its pools make chunks, not here). `None` when
    /// it grows through the pool, or the pool has no record yet (it made no
    /// chunk and has no limit: the chunks report nowhere).
    lone: Option<LoneRecord>,
    /// `L` is only a marker.
    _index: PhantomData<fn() -> L>,
}

// SAFETY: the reservation owns its elements (dropping them, or handing them
// to a handle, on whatever thread it is: needs `T: Send`) and a counted
// reference to a chunk whose other allocations other threads may read
// (needs `T: Sync`, as for a handle); the counts are atomic and the slots
// are its own. Its record, viewed or counted, is only reached through
// atomics, as a `RecordRef` (which is `Send + Sync`).
unsafe impl<T: Send + Sync, L: IndexType> Send for ReservedSlice<T, L> {}
// SAFETY: `&ReservedSlice` only reads the elements written so far.
unsafe impl<T: Sync, L: IndexType> Sync for ReservedSlice<T, L> {}

impl<T, L: IndexType> ReservedSlice<T, L> {
    /// Room for nothing (owns nothing), laid out plain (`cell`) or per
    /// value (`cell` is a `Value` with no chunk): what growing it without
    /// its pool makes.
    pub(crate) const fn empty(per_value: bool) -> Self {
        ReservedSlice {
            slots: SlotWriter {
                dst: NonNull::dangling(),
                cap: 0,
                len: 0,
                _slots: PhantomData,
            },
            chunk: ChunkRef(None, PhantomData),
            cell: if per_value {
                SliceCell::Value { distance: 0 }
            } else {
                SliceCell::PlainOwn
            },
            lone: None,
            _index: PhantomData,
        }
    }

    /// A reservation of slots `offset..offset + cap` of the plain chunk
    /// `chunk`, laid out as `cell` says (`Plain { offset }`, or `PlainOwn`
    /// with `offset == 0`).
    ///
    /// # Safety
    ///
    /// Those slots are inside the chunk, free, covered by no handle and now
    /// the reservation's, and the caller gives it one counted reference to
    /// `chunk`.
    unsafe fn plain_slots(
        chunk: NonNull<ChunkHeader>,
        offset: usize,
        cap: usize,
        cell: SliceCell,
    ) -> Self {
        ReservedSlice {
            slots: SlotWriter {
                // SAFETY: slot `offset` is inside the chunk (precondition).
                dst: unsafe { chunk_data(chunk).cast::<T>().add(offset) },
                cap,
                len: 0,
                _slots: PhantomData,
            },
            chunk: ChunkRef(Some(chunk), PhantomData),
            cell,
            lone: None,
            _index: PhantomData,
        }
    }

    /// A reservation of the per-value cell for `cap` elements at byte
    /// `start` of `chunk`'s region.
    ///
    /// # Safety
    ///
    /// The cell (`ValueLayout::<T>::cell(cap, cap)` bytes at `start`, a
    /// multiple of its alignment) is inside the region, free, covered by no
    /// handle and now the reservation's, and the caller gives it one counted
    /// reference to `chunk`.
    unsafe fn value_cell(chunk: NonNull<ChunkHeader>, start: usize, cap: usize) -> Self {
        let head = ValueLayout::<T>::head(cap);
        ReservedSlice {
            slots: SlotWriter {
                // SAFETY: the cell is inside the region (precondition); its
                // elements start `head` bytes in, aligned.
                dst: unsafe { chunk_data(chunk).add(start + head).cast::<T>() },
                cap,
                len: 0,
                _slots: PhantomData,
            },
            chunk: ChunkRef(Some(chunk), PhantomData),
            cell: SliceCell::Value {
                distance: HEADER_SIZE + start + head - OWNER_SIZE,
            },
            lone: None,
            _index: PhantomData,
        }
    }

    /// The first byte in its chunk's region of a per-value reservation's
    /// cell, whose owner header goes `distance` bytes after the chunk's
    /// header (the inverse of [`ReservedSlice::value_cell`]).
    fn value_start(&self, distance: usize) -> usize {
        distance + OWNER_SIZE - ValueLayout::<T>::head(self.slots.cap) - HEADER_SIZE
    }

    /// The capacity to grow to for `additional` more elements than are
    /// written: at least twice the current one (and 4), at most what `L`
    /// counts.
    ///
    /// # Panics
    ///
    /// Panics if the elements needed do not fit `L`.
    #[track_caller]
    fn grown_capacity(&self, additional: usize) -> (usize, usize) {
        let needed = match self.slots.len.checked_add(additional) {
            Some(needed) => needed,
            None => capacity_overflow(),
        };
        let _: L = crate::index::to_index(needed, "capacity");
        let grown = self.slots.cap.saturating_mul(2).max(needed).max(4);
        (needed, grown.min(L::MAX_USIZE))
    }

    /// Moves the elements written so far to the front of `new`'s empty
    /// slots, leaving `self` with none.
    fn move_into(&mut self, new: &mut ReservedSlice<T, L>) {
        let len = self.slots.len;
        assert!(
            new.slots.len == 0 && len <= new.slots.cap,
            "arena-arc: SlotWriter overflow"
        );
        // Given up before the copy: if anything below panicked, the
        // elements would leak rather than be dropped twice.
        self.slots.len = 0;
        // SAFETY: our first `len` slots are initialised and ours; `new`'s
        // first `len` slots are free and its own; they are different cells
        // (or chunks), so they do not overlap. `new` owns the elements now.
        unsafe { ptr::copy_nonoverlapping(self.slots.dst.as_ptr(), new.slots.dst.as_ptr(), len) };
        new.slots.len = len;
    }

    /// Makes room for `additional` more elements without the pool: moves
    /// the elements into a chunk of their own, laid out as the pool lays
    /// out slices (a builder of an explicit `Allocator`, which it cannot
    /// reach). Does nothing if there is room.
    ///
    /// # Panics
    ///
    /// Panics if the elements needed do not fit `L`, or the chunk would
    /// exceed `isize::MAX` bytes.
    #[track_caller]
    pub(crate) fn grow_alone(&mut self, additional: usize) {
        if additional <= self.slots.remaining() {
            return;
        }
        let (_, cap) = self.grown_capacity(additional);
        // Counted in the pool's live statistics, and within its limits.
        let viewed;
        let record = match &self.lone {
            Some(LoneRecord::Counted(holder)) => Some(holder.record()),
            Some(LoneRecord::InChunk(view)) => {
                // SAFETY: `InChunk`: the chunk this reservation holds keeps
                // the record, and it is held until `*self = new` below, by
                // when the new chunk is attached to the record.
                viewed = unsafe { view.get() };
                Some(&*viewed)
            }
            None => None,
        };
        let new_chunk = |bytes: usize| {
            let layout = chunk_layout::<T>(bytes);
            if let Some(record) = record {
                record.check(layout).or_raise();
            }
            chunk_new::<T>(layout, 1, record).or_raise().0
        };
        let mut new = match self.cell {
            SliceCell::Value { .. } => {
                let Some(bytes) = ValueLayout::<T>::cell(cap, cap) else {
                    capacity_overflow()
                };
                let chunk = new_chunk(bytes);
                // SAFETY: the new chunk's region is that one cell; its one
                // reference is the reservation's.
                unsafe { Self::value_cell(chunk, 0, cap) }
            }
            SliceCell::Plain { .. } | SliceCell::PlainOwn => {
                let Some(bytes) = ChunkLayout::<T>::plain_bytes(cap) else {
                    capacity_overflow()
                };
                let chunk = new_chunk(bytes);
                // SAFETY: the new chunk's data is those `cap` slots; its one
                // reference is the reservation's.
                unsafe { Self::plain_slots(chunk, 0, cap, SliceCell::PlainOwn) }
            }
        };
        self.move_into(&mut new);
        new.lone = self.lone.take();
        // The old room is given up: its reference goes back (a chunk of its
        // own is freed with it), and no code reads it again.
        *self = new;
    }

    /// The slots, to write elements into.
    #[inline(always)]
    pub(crate) fn slots(&self) -> &SlotWriter<'static, T> {
        &self.slots
    }

    /// The slots, to write elements into.
    #[inline(always)]
    pub(crate) fn slots_mut(&mut self) -> &mut SlotWriter<'static, T> {
        &mut self.slots
    }

    /// Makes the allocation of the elements written so far and returns its
    /// handle (the empty slice if there are none: the room stays unused).
    pub(crate) fn finish(self) -> RawSlice<T, L> {
        let ReservedSlice {
            slots, chunk, cell, ..
        } = self;
        let (ptr, cap) = (slots.dst, slots.cap);
        let len = slots.commit();
        if len == 0 {
            // `chunk` gives the reference back.
            return RawSlice::empty();
        }
        let Some(chunk) = mem::ManuallyDrop::new(chunk).0 else {
            unreachable!("a reservation with elements holds its chunk")
        };
        let offset = match cell {
            SliceCell::Plain { offset } => offset,
            SliceCell::PlainOwn => {
                // SAFETY: the chunk was made for us: we are its unique
                // writer, hold its one reference, and wrote slots `0..len`.
                unsafe { finish_writing(chunk, len) };
                0
            }
            SliceCell::Value { distance } => {
                // SAFETY: the cell's head before the elements is free memory
                // of our cell (invariant), written by nobody else.
                unsafe { write_owner(ptr, distance, cap, len) };
                0
            }
        };
        // The handle (plain) or the allocation (per value) takes over the
        // reservation's chunk reference.
        RawSlice {
            ptr,
            // `offset + len <= N`, or `len <= cap`, which fit `L` (checked by
            // `Bump::reserve_slice`).
            span: L::span(L::from_usize_lossy(offset), L::from_usize_lossy(len)),
            _owns: PhantomData,
        }
    }
}

/// The raw state of an [`Allocator<T, L, N>`](crate::Allocator).
///
/// `repr(C)`: the fields of the hot paths come first, together, whatever
/// fields are added after them (reordered, the limits' fields went first).
#[repr(C)]
pub(crate) struct Bump<T, L: IndexType, const N: usize> {
    /// The chunk new small allocations go to, if any.
    ///
    /// Invariant: when `Some`, the chunk is live, was made for this mode
    /// (`N` slots, or a region of `REGION` bytes), this allocator is its
    /// unique writer, and it owns [`Bump::held_refs`] counted references to
    /// it.
    current: Option<NonNull<ChunkHeader>>,
    /// Plain mode: slots `0..cursor` of `current` are initialised and
    /// `cursor..N` free, covered by no handle. `cursor == N` when there is
    /// no chunk, and always in per-value mode, so that `cursor < N` alone
    /// tells the plain hot path that `current` has a free slot.
    cursor: usize,
    /// Per-value mode: bytes `0..vcursor` of the region of `current` hold
    /// cells and the rest is free, covered by no handle. `vcursor ==
    /// REGION` when there is no chunk, and always in plain mode.
    vcursor: usize,
    /// The sum of `len - 1` over the allocations in `current`: in plain
    /// mode `cursor - merged` handles took a pre-counted reference each; per
    /// value, `values + merged` elements were written (for statistics).
    merged: usize,
    /// Per-value: the allocations written to `current`, each of which took
    /// one of its pre-counted references. 0 in plain mode.
    values: usize,
    /// Between [`Bump::take_current`] and [`Bump::release`]: the references
    /// the allocator still holds on the chunk it let go of. 0 otherwise.
    held: usize,
    /// Whether the allocator counts per value (see the module docs).
    per_value: bool,
    /// Statistics of every chunk but `current`, and of `current` before it
    /// was last rewound.
    stats: AllocatorStats,
    /// The pool's record (see `record.rs`), shared with every chunk the
    /// allocator made, which reports there when it is freed: the live
    /// statistics and the limit. Made when first needed, hosted by the
    /// chunk current then.
    ///
    /// Invariant: `Some` unless the allocator has made no chunk but
    /// `current` (which then reports to no record and hosts none) and is not
    /// a member of an `#[arena]` limit. A pool that never leaves its first
    /// chunk thus costs nothing for its record; its live statistics are its
    /// current chunk's.
    record: Option<RecordRef>,
    /// The allocation limit (also in the record, once there is one).
    limit: Option<usize>,
    /// The limit of the `#[arena]` struct the allocator is a field of, and
    /// its slot there.
    arena: Option<(Arc<ArenaLimit>, usize)>,
    /// Owns `T`s; `L` is only a marker.
    _owns: PhantomData<(T, fn() -> L)>,
}

// SAFETY: the allocator may drop the last reference to a chunk on whatever
// thread it lives on (needs `T: Send`), and handles it handed out share `T`s
// with other threads (needs `T: Sync`); the counts are atomic and the
// allocator is the unique writer of its current chunk.
unsafe impl<T: Send + Sync, L: IndexType, const N: usize> Send for Bump<T, L, N> {}
// SAFETY: `&Bump` only reads the allocator's own plain fields.
unsafe impl<T: Send + Sync, L: IndexType, const N: usize> Sync for Bump<T, L, N> {}

/// The size in bytes above which [`Bump::try_alloc_one_with`] builds a
/// `Result` in a heap buffer rather than on the stack: a page.
const STAGE_RESULTS_ABOVE: usize = 4096;

/// What a new chunk is for.
#[derive(Clone, Copy)]
enum ChunkUse {
    /// It becomes the allocator's current chunk.
    Current,
    /// It is let go of at once, kept by the one allocation (or reservation)
    /// made in it; `dedicated` if that is longer than a chunk (see
    /// [`AllocatorStats::dedicated_chunks`]).
    Own { dedicated: bool },
}

/// Where the memory for an allocation comes from.
enum Target {
    /// The current chunk, at the cursor.
    Current,
    /// A new chunk with `bytes` of data; `adopt` says whether it becomes
    /// the current chunk afterwards (otherwise it is dedicated to this
    /// allocation).
    Fresh { bytes: usize, adopt: bool },
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

    /// Whether this allocator can ever count per value (`T` has drop glue
    /// and a per-value layout).
    const MAY_COUNT_VALUES: bool = mem::needs_drop::<T>() && ValueLayout::<T>::PER_VALUE;
    /// Whether plain chunks pre-count a reference per slot.
    const PRECOUNT: bool = N < PRECOUNT_LIMIT;
    /// Bytes of the region of a regular per-value chunk.
    const REGION: usize = ValueLayout::<T>::region(N);
    /// The most allocations a regular per-value chunk can hold (every cell
    /// is at least `STRIDE` bytes).
    const VALUES_MAX: usize = Self::REGION / ValueLayout::<T>::STRIDE;

    /// An allocator with no chunk yet, in plain mode.
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
            vcursor: Self::REGION,
            merged: 0,
            values: 0,
            per_value: false,
            held: 0,
            stats: AllocatorStats::new(),
            record: None,
            limit: None,
            arena: None,
            _owns: PhantomData,
        }
    }

    /// An allocator with no chunk yet that counts per value if `T` has drop
    /// glue: [`Bump::new`] followed by [`Bump::break_cycles`], at compile
    /// time.
    #[cfg(feature = "std")]
    pub(crate) const fn new_breaking_cycles() -> Self {
        let mut bump = Self::new();
        bump.per_value = Self::MAY_COUNT_VALUES;
        bump
    }

    /// Statistics, with the current chunk's share and the live figures
    /// added.
    pub(crate) fn stats(&self) -> AllocatorStats {
        let mut stats = self.stats;
        if self.current.is_some() {
            if self.counts_values() {
                stats.allocations += self.values;
                stats.elements += self.values + self.merged;
            } else {
                stats.allocations += self.cursor - self.merged;
                stats.elements += self.cursor;
            }
        }
        stats.bytes_used = stats.elements * size_of::<T>();
        stats.current_chunk_free = if self.counts_values() {
            (Self::REGION - self.vcursor) / ValueLayout::<T>::STRIDE
        } else {
            N - self.cursor
        };
        (stats.live_chunks, stats.live_bytes) = match &self.record {
            Some(record) => record.live(),
            None => self.live_without_record(),
        };
        stats
    }

    /// `(chunks, bytes)` live while the pool has no record: its current
    /// chunk alone, if any (see the `record` field).
    fn live_without_record(&self) -> (usize, usize) {
        match self.current {
            // SAFETY: the allocator holds a reference to its current chunk.
            Some(current) => (1, unsafe { chunk_size(current) }),
            None => (0, 0),
        }
    }

    /// Sets the allocation limit: see `Allocator::set_allocation_limit`.
    pub(crate) fn set_allocation_limit(&mut self, limit: Option<usize>) {
        self.limit = limit;
        if let Some(record) = &self.record {
            record.set_limit(limit);
        }
    }

    /// The allocation limit.
    pub(crate) fn allocation_limit(&self) -> Option<usize> {
        self.limit
    }

    /// The bytes of chunk memory the allocator holds: its live chunks', and
    /// the first chunk's once only its record keeps it (see `record.rs`).
    /// What limits bound.
    pub(crate) fn held_bytes(&self) -> usize {
        match &self.record {
            Some(record) => record.held_bytes(),
            None => self.live_without_record().1,
        }
    }

    /// Makes this allocator slot `slot` of the `#[arena]` limit `arena`,
    /// which sums its members' records: the record is made now if the
    /// allocator has a chunk.
    pub(crate) fn join_arena(&mut self, arena: Arc<ArenaLimit>, slot: usize) {
        if let Some(record) = &self.record {
            arena.join(slot, record);
        }
        self.arena = Some((arena, slot));
        if let (None, Some(current)) = (&self.record, self.current) {
            // `host_record` joins the limit with the new record.
            self.host_record(current);
        }
    }

    /// The `#[arena]` limit this allocator is a member of.
    pub(crate) fn arena_limit(&self) -> Option<&Arc<ArenaLimit>> {
        self.arena.as_ref().map(|(arena, _)| arena)
    }

    /// Whether a new chunk of `layout` fits the limits.
    fn check_limits(&self, layout: core::alloc::Layout) -> Result<(), AllocError> {
        if let Some(limit) = self.limit {
            check_limit(limit, self.held_bytes(), layout)?;
        }
        match &self.arena {
            Some((arena, _)) => arena.check(layout),
            None => Ok(()),
        }
    }

    /// The counted references the allocator holds on `current`, given the
    /// counters: the chunk was made with one per allocation it may hand
    /// out plus its own, and each allocation took one.
    #[inline]
    const fn held_refs(per_value: bool, cursor: usize, merged: usize, values: usize) -> usize {
        if per_value {
            Self::VALUES_MAX + 1 - values
        } else if Self::PRECOUNT {
            N + 1 - (cursor - merged)
        } else {
            1
        }
    }

    /// What a new current chunk starts with: see [`Bump::held_refs`].
    const fn precounted(per_value: bool) -> usize {
        if per_value {
            Self::VALUES_MAX + 1
        } else if Self::PRECOUNT {
            N + 1
        } else {
            // The allocator's own; each handle adds its own.
            1
        }
    }

    /// From now on, count per value (see the module docs), if `T` has drop
    /// glue; values without it hold no handle and run no code when dropped,
    /// so plain mode serves them the same.
    #[inline]
    pub(crate) fn break_cycles(&mut self) {
        if Self::MAY_COUNT_VALUES && !self.per_value {
            self.switch_to_per_value();
        }
    }

    #[cold]
    #[inline(never)]
    fn switch_to_per_value(&mut self) {
        self.retire_current();
        self.per_value = true;
    }

    /// The current chunk, which the caller knows there is (the cursor
    /// showed room in it).
    #[inline(always)]
    fn current_chunk(&self) -> NonNull<ChunkHeader> {
        match self.current {
            Some(chunk) => chunk,
            None => unreachable!("room at the cursor implies a current chunk"),
        }
    }

    /// Whether the allocator counts per value.
    pub(crate) fn breaks_cycles(&self) -> bool {
        self.counts_values()
    }

    /// Whether the allocator counts per value. Only types with drop glue
    /// ever do: for the others this is `false` at compile time, and every
    /// per-value path compiles away.
    #[inline(always)]
    fn counts_values(&self) -> bool {
        mem::needs_drop::<T>() && self.per_value
    }

    /// Allocates one element: the hot path.
    #[inline]
    pub(crate) fn alloc_one(&mut self, value: T) -> RawSingle<T, L> {
        self.alloc_one_with(|| value)
    }

    /// Allocates the element `build()`, building it straight into its slot
    /// (no copy through the stack). If `build` panics, nothing is
    /// allocated.
    ///
    /// It moves the cursor and writes the value (and, per value, its header),
    /// nothing else: the handle's reference was counted when the chunk was
    /// made, and statistics are derived from the counters. The slow path
    /// only makes room (it never takes the value).
    #[inline]
    pub(crate) fn alloc_one_with(&mut self, build: impl FnOnce() -> T) -> RawSingle<T, L> {
        never_fails(self.place_one::<Raise>(build))
    }

    /// [`Bump::alloc_one_with`], returning an error if a chunk it needs
    /// cannot be made (a limit, or the global allocator); `build` is only
    /// called once there is room.
    #[inline]
    pub(crate) fn alloc_one_checked(
        &mut self,
        build: impl FnOnce() -> T,
    ) -> Result<RawSingle<T, L>, AllocError> {
        self.place_one::<AllocError>(build)
    }

    /// [`Bump::alloc_one_with`], for both: an `AllocError` from making room
    /// becomes an `E`, which for [`Raise`] raises it.
    #[inline(always)]
    fn place_one<E: From<AllocError>>(
        &mut self,
        build: impl FnOnce() -> T,
    ) -> Result<RawSingle<T, L>, E> {
        // Per-value mode only exists for types with drop glue: for the
        // others this block compiles away. For them the per-value hot path
        // comes first, one comparison (in plain mode `vcursor == REGION`, so
        // it fails there).
        if Self::MAY_COUNT_VALUES {
            // The cold path only makes room and does not take `build`, so
            // the value's parts stay in registers.
            if self.vcursor + ValueLayout::<T>::STRIDE <= Self::REGION {
                return Ok(self.write_single_value(build));
            }
            if self.per_value {
                if Self::REGION < 2 * ValueLayout::<T>::STRIDE {
                    // Chunks too small for two values: a dedicated chunk
                    // for each (decided at compile time).
                    return self.alloc_one_general(build);
                }
                self.value_room_for_single()?;
                return Ok(self.write_single_value(build));
            }
        }
        if self.cursor >= N {
            if N <= 1 {
                // A new chunk of one slot leaves no more room than a full
                // one, so whether it becomes current follows the general
                // rule.
                return self.alloc_one_general(build);
            }
            self.start_plain_chunk()?;
        }
        Ok(self.write_plain_single(build))
    }

    /// Reserves the cell of one value at the cursor if the current chunk
    /// has room for it (`None` otherwise, and for plain pools of types with
    /// drop glue). Runs no code outside this crate, allocates nothing, drops
    /// nothing and cannot panic: the per-thread pools' hot path relies on it
    /// (see `local.rs`). The value is written later, by
    /// [`ReservedSingle::write`], without the allocator.
    #[inline(always)]
    pub(crate) fn try_reserve_single(&mut self) -> Option<ReservedSingle<T, L>> {
        if Self::MAY_COUNT_VALUES && self.vcursor + ValueLayout::<T>::STRIDE <= Self::REGION {
            let (chunk, ptr, meta) = self.single_value_cell();
            // The cell is the reservation's from now on.
            self.take_value_cell(self.vcursor, ValueLayout::<T>::STRIDE, 1);
            return Some(ReservedSingle {
                ptr,
                chunk,
                meta,
                _cell: PhantomData,
            });
        }
        // Per value, `cursor == N`: this is plain mode with room. A plain
        // chunk drops its first `cursor` slots when freed, so a slot that is
        // never written must not need dropping.
        if !mem::needs_drop::<T>() && self.cursor < N {
            // SAFETY: `cursor < N` implies a current chunk (invariant of
            // `cursor`).
            let chunk = unsafe { self.current.unwrap_unchecked() };
            let offset = self.cursor;
            // SAFETY: slot `offset < N` of the live plain chunk `current` is
            // free and covered by no handle.
            let ptr = unsafe { chunk_data(chunk).cast::<T>().add(offset) };
            self.take_plain_slots(chunk, offset, 1);
            return Some(ReservedSingle {
                ptr,
                chunk,
                meta: PLAIN_SLOT,
                _cell: PhantomData,
            });
        }
        None
    }

    /// A new chunk whose data is one single-value cell, laid out per value,
    /// for one reservation (which holds its one reference): the cell's
    /// chunk, element slot and owner `meta`, as
    /// [`Bump::single_value_cell`]. Counted as a dedicated chunk.
    fn value_chunk_of_its_own(
        &mut self,
    ) -> Result<(NonNull<ChunkHeader>, NonNull<T>, u32), AllocError> {
        let chunk = self.new_chunk(
            ValueLayout::<T>::STRIDE,
            1,
            ChunkUse::Own { dedicated: true },
        )?;
        self.stats.record(1);
        let head = ValueLayout::<T>::HEAD_SHORT;
        // SAFETY: the chunk's data is one single-value cell, whose element
        // starts `head` bytes in, aligned.
        let ptr = unsafe { chunk_data(chunk).add(head).cast::<T>() };
        Ok((
            chunk,
            ptr,
            value_meta(HEADER_SIZE + head - OWNER_SIZE, 1, 1),
        ))
    }

    /// Reserves the cell of one value at the cursor, starting a new current
    /// chunk first if need be (as [`Bump::alloc_one_with`] would place the
    /// value), or in a chunk of its own laid out per value (as
    /// `alloc_cyclic` does) where the current chunk cannot hold it: chunks
    /// too small for two values, or a plain pool of a type with drop glue
    /// (see [`Bump::try_reserve_single`]). `None` only for types aligned to
    /// more than 2 MiB, which have no per-value layout.
    ///
    /// Never inlined: its callers build the value into the cell, which an
    /// optimised build does in place only when the cell's address comes
    /// from a call (inlined, the placement could make it build the value on
    /// the stack and copy it, which large values overflow).
    #[cfg(feature = "std")]
    #[inline(never)]
    pub(crate) fn reserve_single(&mut self) -> Option<ReservedSingle<T, L>> {
        if let Some(cell) = self.try_reserve_single() {
            return Some(cell);
        }
        let stride = ValueLayout::<T>::STRIDE;
        if Self::MAY_COUNT_VALUES && self.per_value && Self::REGION >= 2 * stride {
            self.value_room_for_single().or_raise();
            return self.try_reserve_single();
        }
        if !self.counts_values() && !mem::needs_drop::<T>() && N > 1 {
            self.start_plain_chunk().or_raise();
            return self.try_reserve_single();
        }
        if !ValueLayout::<T>::PER_VALUE {
            return None;
        }
        let (chunk, ptr, meta) = self.value_chunk_of_its_own().or_raise();
        // The cell and the chunk's one reference are the reservation's.
        Some(ReservedSingle {
            ptr,
            chunk,
            meta,
            _cell: PhantomData,
        })
    }

    /// Reserves the cell of one value, with a dead owner header and a weak
    /// handle to it, for `alloc_cyclic` (see [`ReservedCyclic`]).
    ///
    /// In a pool that counts per value the cell is one of the current
    /// chunk's, as for any value. Otherwise it gets a chunk of its own,
    /// laid out per value: a weak handle into a plain chunk would find the
    /// chunk's count, which is not zero while the value is being built.
    pub(crate) fn reserve_cyclic(&mut self) -> (ReservedCyclic<T, L>, RawWeakSingle<T, L>) {
        const {
            assert!(
                ValueLayout::<T>::PER_VALUE,
                "alloc_cyclic needs a type aligned to at most 2 MiB"
            )
        };
        let stride = ValueLayout::<T>::STRIDE;
        let (chunk, ptr, meta) = if self.counts_values() && Self::REGION >= 2 * stride {
            if self.vcursor + stride > Self::REGION {
                self.value_room_for_single().or_raise();
            }
            let cell = self.single_value_cell();
            // The cell is the reservation's, with one pre-counted reference.
            self.take_value_cell(self.vcursor, stride, 1);
            cell
        } else {
            self.value_chunk_of_its_own().or_raise()
        };
        // SAFETY: the cell's head before `ptr` is free memory of the cell,
        // reserved for us; the chunk is live (we hold a reference) and the
        // weak handle made takes one weak reference.
        let owner = unsafe {
            let owner = ptr.cast::<u8>().sub(OWNER_SIZE).cast::<OwnerHeader>();
            owner.as_ptr().write(OwnerHeader {
                meta: AtomicU32::new(meta | WEAK_SEEN),
                refs: AtomicU32::new(0),
            });
            chunk_weak_retain(chunk);
            owner
        };
        let weak = RawWeakSingle {
            ptr,
            offset: 0,
            _owns: PhantomData,
        };
        let cell = ReservedCyclic {
            ptr,
            owner,
            chunk,
            _cell: PhantomData,
        };
        (cell, weak)
    }

    /// Reserves room for a slice of up to `cap` elements, to be written
    /// later without the allocator (see [`ReservedSlice`]).
    ///
    /// The room comes from the current chunk when it fits, and otherwise by
    /// the rules of [`Bump::alloc_with`] for `cap` elements. In plain mode,
    /// a type with drop glue gets a chunk of its own (a plain chunk drops
    /// all the slots below its cursor, and reserved slots may stay unused).
    ///
    /// # Panics
    ///
    /// Panics if `cap` does not fit `L` or the chunk would exceed
    /// `isize::MAX` bytes.
    #[track_caller]
    pub(crate) fn reserve_slice(&mut self, cap: usize) -> ReservedSlice<T, L> {
        never_fails(self.place_slice::<Raise>(cap))
    }

    /// [`Bump::reserve_slice`]; an `AllocError` from making room becomes an
    /// `E` (for [`Raise`], raised: `Result<_, Raise>` is laid out as the
    /// bare value, so the panicking form checks nothing), as in
    /// [`Bump::alloc_with`].
    #[track_caller]
    fn place_slice<E: From<AllocError>>(&mut self, cap: usize) -> Result<ReservedSlice<T, L>, E> {
        if cap == 0 {
            return Ok(ReservedSlice::empty(self.counts_values()));
        }
        let _: L = crate::index::to_index(cap, "capacity");
        if self.counts_values() {
            return self.reserve_value_slice(cap);
        }
        let fits_plain = !mem::needs_drop::<T>() && cap <= N;
        let target = if fits_plain {
            self.plain_target(cap)
        } else {
            // A chunk of exactly `cap` slots, for this slice alone.
            let Some(bytes) = ChunkLayout::<T>::plain_bytes(cap) else {
                capacity_overflow()
            };
            Target::Fresh {
                bytes,
                adopt: false,
            }
        };
        let (chunk, offset, cell) = match target {
            Target::Current => (self.current_chunk(), self.cursor, None),
            Target::Fresh { bytes, adopt: true } => {
                let chunk = self.new_chunk(bytes, Self::precounted(false), ChunkUse::Current)?;
                self.replace_current(Some(chunk), 0, 0, 0);
                (chunk, 0, None)
            }
            Target::Fresh {
                bytes,
                adopt: false,
            } => {
                // Its one reference is the reservation's. Made for this
                // slice alone unless `plain_target` chose a chunk of `N`.
                let dedicated = !fits_plain;
                let chunk = self.new_chunk(bytes, 1, ChunkUse::Own { dedicated })?;
                self.stats.record(cap);
                (chunk, 0, Some(SliceCell::PlainOwn))
            }
        };
        let cell = match cell {
            Some(cell) => cell,
            None => {
                // Slots `offset..offset + cap` of the current chunk: the
                // reservation takes them as a handle to them would.
                self.take_plain_slots(chunk, offset, cap);
                SliceCell::Plain { offset }
            }
        };
        // SAFETY: slots `offset..offset + cap` are inside the chunk (`offset +
        // cap <= N`, or a chunk of `cap` slots), free and now the
        // reservation's, with the reference taken above.
        Ok(unsafe { ReservedSlice::plain_slots(chunk, offset, cap, cell) })
    }

    /// [`Bump::reserve_slice`] for a reservation that grows without the
    /// allocator (a builder of an explicit `Allocator`): the chunks it
    /// makes then are counted in this allocator's live statistics too.
    #[track_caller]
    pub(crate) fn reserve_slice_alone(&mut self, cap: usize) -> ReservedSlice<T, L> {
        let mut slice = self.reserve_slice(cap);
        if self.record.is_none() && (self.limit.is_some() || self.current.is_some()) {
            // The record holds the limit the builder checks, and counts the
            // chunks it makes.
            self.record_or_host().or_raise();
        }
        slice.lone = self.record.as_ref().map(|record| {
            if slice.chunk.0.is_some() {
                // In the current chunk, or a chunk of its own: attached to
                // the record, or hosting it (`record` is `Some`).
                LoneRecord::InChunk(record.view())
            } else {
                LoneRecord::Counted(record.holder())
            }
        });
        slice
    }

    /// [`Bump::reserve_slice`] in per-value mode: a cell for `cap > 0`
    /// elements, the current chunk's if it fits (after a rewind if need be).
    #[track_caller]
    fn reserve_value_slice<E: From<AllocError>>(
        &mut self,
        cap: usize,
    ) -> Result<ReservedSlice<T, L>, E> {
        let Some(size) = ValueLayout::<T>::cell(cap, cap) else {
            capacity_overflow()
        };
        let fits = self.current.is_some() && size <= Self::REGION - self.vcursor;
        let target = if fits {
            Target::Current
        } else {
            self.value_target(cap)
        };
        let (chunk, cell) = match target {
            Target::Current => {
                let cell = self.vcursor;
                // The cell is the reservation's.
                self.take_value_cell(cell, size, cap);
                (self.current_chunk(), cell)
            }
            Target::Fresh { bytes, adopt } => {
                let refs = if adopt { Self::precounted(true) } else { 1 };
                let chunk_use = if adopt {
                    ChunkUse::Current
                } else {
                    ChunkUse::Own {
                        dedicated: cap > N || bytes > Self::REGION,
                    }
                };
                let chunk = self.new_chunk(bytes, refs, chunk_use)?;
                if adopt {
                    // The reservation took one pre-counted reference.
                    self.replace_current(Some(chunk), size, cap - 1, 1);
                } else {
                    // Its one reference is the reservation's.
                    self.stats.record(cap);
                }
                (chunk, 0)
            }
        };
        // SAFETY: the cell of `size` bytes at `cell` is inside the chunk's
        // region, free and now the reservation's, with the reference taken
        // above.
        Ok(unsafe { ReservedSlice::value_cell(chunk, cell, cap) })
    }

    /// Makes room in `slice`, a reservation of this allocator's or
    /// another's, for `additional` more elements: in place when it ends at
    /// the cursor of this allocator's current chunk and the chunk has room
    /// (the cursor moves past the new room), otherwise by moving its
    /// elements into a new reservation of this allocator, at least twice
    /// as large, placed like any (the old room stays unused). Does nothing
    /// if there is room.
    ///
    /// # Panics
    ///
    /// Panics if the elements needed do not fit `L`, or a chunk would
    /// exceed `isize::MAX` bytes.
    #[track_caller]
    pub(crate) fn grow_slice(&mut self, slice: &mut ReservedSlice<T, L>, additional: usize) {
        if additional <= slice.slots.remaining() {
            return;
        }
        let (needed, grown) = slice.grown_capacity(additional);
        if self.extend_in_place(slice, needed, grown) {
            return;
        }
        let mut new = self.reserve_slice(grown);
        slice.move_into(&mut new);
        new.lone = slice.lone.take();
        // The old room is given up: its reference goes back (a chunk of its
        // own is freed with it), and no code reads it again.
        *slice = new;
    }

    /// Where `slice` ends, if it is a reservation at the cursor of this
    /// allocator's current chunk, in this allocator's mode: its cell's first
    /// byte (per value) or slot (plain), and its head (per value).
    fn at_cursor(&self, slice: &ReservedSlice<T, L>) -> Option<(usize, usize)> {
        let chunk = slice.chunk.0?;
        if self.current != Some(chunk) {
            return None;
        }
        let cap = slice.slots.cap;
        match slice.cell {
            SliceCell::Plain { offset } if !self.counts_values() && offset + cap == self.cursor => {
                Some((offset, 0))
            }
            SliceCell::Value { distance } if self.counts_values() => {
                let head = ValueLayout::<T>::head(cap);
                let start = slice.value_start(distance);
                let size = ValueLayout::<T>::cell(cap, cap)?;
                (start + size == self.vcursor).then_some((start, head))
            }
            _ => None,
        }
    }

    /// Extends `slice` in place to `grown` slots, or as many as fit, at
    /// least `needed`, if it ends at the cursor of the current chunk (see
    /// [`Bump::grow_slice`]). Returns whether it did.
    fn extend_in_place(
        &mut self,
        slice: &mut ReservedSlice<T, L>,
        needed: usize,
        grown: usize,
    ) -> bool {
        let Some((start, head)) = self.at_cursor(slice) else {
            return false;
        };
        let new_cap = if self.counts_values() {
            let room = (Self::REGION - start).saturating_sub(head) / size_of::<T>().max(1);
            let mut new_cap = grown.min(room);
            // The elements stay where they are, so the head must not grow
            // (a length word before the owner header, past `SHORT_LEN_MAX`).
            if ValueLayout::<T>::head(new_cap) != head {
                new_cap = new_cap.min(SHORT_LEN_MAX);
            }
            if new_cap < needed {
                return false;
            }
            match ValueLayout::<T>::cell(new_cap, new_cap) {
                Some(size) if start + size <= Self::REGION => self.vcursor = start + size,
                _ => return false,
            }
            new_cap
        } else {
            let new_cap = grown.min(N - start);
            if new_cap < needed {
                return false;
            }
            self.cursor = start + new_cap;
            new_cap
        };
        // The free room after the reservation is its own now (its one
        // reference covers it all).
        self.merged += new_cap - slice.slots.cap;
        slice.slots.cap = new_cap;
        true
    }

    /// Gives the room `slice` has not used back to this allocator if it
    /// ends at the cursor of the current chunk: the cursor moves back to
    /// the end of its elements (or to its start, with none, and its chunk
    /// reference goes back to the allocator's pre-counted ones). Otherwise
    /// the room stays unused.
    pub(crate) fn trim_slice(&mut self, slice: &mut ReservedSlice<T, L>) {
        let (len, cap) = (slice.slots.len, slice.slots.cap);
        if len == cap {
            return;
        }
        let Some((start, _)) = self.at_cursor(slice) else {
            return;
        };
        if self.counts_values() {
            if len == 0 {
                // The reservation's pre-counted reference is the
                // allocator's again (`held_refs` counts `values`): the
                // reservation no longer holds it.
                self.vcursor = start;
                self.values -= 1;
                self.merged -= cap - 1;
                slice.chunk.0 = None;
            } else {
                let Some(size) = ValueLayout::<T>::cell(cap, len) else {
                    unreachable!("`len <= cap`, whose cell fits")
                };
                self.vcursor = start + size;
                self.merged -= cap - len;
            }
        } else if len == 0 {
            self.cursor = start;
            self.merged -= cap - 1;
            if Self::PRECOUNT {
                // The reference was one of those counted in advance: the
                // allocator's again (`held_refs` counts `cursor - merged`).
                slice.chunk.0 = None;
            }
        } else {
            self.cursor = start + len;
            self.merged -= cap - len;
        }
        // The slots past `len` are the allocator's again (and with none
        // written, the reservation holds nothing).
        slice.slots.cap = len;
    }

    /// Writes `build()` at the plain cursor, which the caller checked is
    /// below `N`.
    #[inline(always)]
    fn write_plain_single(&mut self, build: impl FnOnce() -> T) -> RawSingle<T, L> {
        // SAFETY: `cursor < N` (the caller's check) implies a current chunk
        // (invariant of `cursor`).
        let chunk = unsafe { self.current.unwrap_unchecked() };
        let offset = self.cursor;
        // SAFETY: `current` is a live plain chunk of `N` slots and slot
        // `offset < N` is free and covered by no handle (invariants of
        // `current` and `cursor`).
        let ptr = unsafe { chunk_data(chunk).cast::<T>().add(offset) };
        // Built straight into the slot. A panic in `build` leaves the slot
        // free (what it wrote there is never read) and the cursor unmoved.
        // SAFETY: as above; `build` cannot reach this allocator (it is
        // borrowed mutably), so the slot stays free until written.
        unsafe { ptr.write(build()) };
        // The handle takes one of the references counted at the chunk's
        // creation (`held_refs` goes down by one).
        self.take_plain_slots(chunk, offset, 1);
        RawSingle {
            ptr,
            owner: chunk_owner(chunk),
            _owns: PhantomData,
        }
    }

    /// Writes `build()` and its owner header at the per-value cursor, which
    /// the caller checked has room for a single value (`vcursor + STRIDE <=
    /// REGION`).
    #[inline(always)]
    fn write_single_value(&mut self, build: impl FnOnce() -> T) -> RawSingle<T, L> {
        let (_, ptr, meta) = self.single_value_cell();
        // Built straight into the cell. A panic in `build` leaves the cell
        // free (what it wrote there is never read) and the cursor unmoved.
        // SAFETY: the cell at the cursor is free and covered by no handle
        // (`single_value_cell`); `build` cannot reach this allocator (it is
        // borrowed mutably), so it stays free until written. The owner
        // header goes right before the element.
        let owner = unsafe {
            ptr.write(build());
            write_owner_header(ptr, meta)
        };
        // The allocation takes one of the chunk's pre-counted references;
        // the handle owns the allocation's first.
        self.take_value_cell(self.vcursor, ValueLayout::<T>::STRIDE, 1);
        RawSingle {
            ptr,
            owner,
            _owns: PhantomData,
        }
    }

    /// Hands plain slots `offset..offset + n` (`n > 0`) of the current chunk,
    /// `chunk`, to one handle or reservation: the cursor moves past them and
    /// the holder takes one reference (one of those counted in advance, or,
    /// for chunks that count none, a new one).
    #[inline(always)]
    fn take_plain_slots(&mut self, chunk: NonNull<ChunkHeader>, offset: usize, n: usize) {
        self.cursor = offset + n;
        self.merged += n - 1;
        if !Self::PRECOUNT {
            // SAFETY: the allocator holds a reference to `current`.
            unsafe { owner_retain(chunk_owner(chunk)) };
        }
    }

    /// Hands the per-value cell of `bytes` at `cell` of the current chunk,
    /// holding `n > 0` elements, to one allocation or reservation: the
    /// cursor moves past it, and it takes one of the references counted in
    /// advance.
    #[inline(always)]
    fn take_value_cell(&mut self, cell: usize, bytes: usize, n: usize) {
        self.vcursor = cell + bytes;
        self.values += 1;
        self.merged += n - 1;
    }

    /// The single-value cell at the per-value cursor, which the caller
    /// checked has room for it (`vcursor + STRIDE <= REGION`): its chunk,
    /// its element's slot and its owner header's `meta`. The cell is free
    /// and covered by no handle; the element slot is aligned (cells are
    /// `ALIGN`-aligned) with the owner header's place right before it.
    #[inline(always)]
    fn single_value_cell(&self) -> (NonNull<ChunkHeader>, NonNull<T>, u32) {
        // SAFETY: `vcursor < REGION` (the caller's check, `STRIDE > 0`)
        // implies a current chunk (invariant of `vcursor`).
        let chunk = unsafe { self.current.unwrap_unchecked() };
        let cell = self.vcursor;
        let head = ValueLayout::<T>::HEAD_SHORT;
        // SAFETY: `current` is a live per-value chunk with a region of
        // `REGION` bytes and `cell + STRIDE <= REGION`, so the element slot
        // is inside it.
        let ptr = unsafe { chunk_data(chunk).add(cell + head).cast::<T>() };
        let meta = value_meta(HEADER_SIZE + cell + head - OWNER_SIZE, 1, 1);
        (chunk, ptr, meta)
    }

    /// Makes room for a single value in the current per-value chunk:
    /// rewinds it if nothing in it is alive any more, or starts a new one.
    /// Only for chunks that hold at least two values (with fewer, a new
    /// chunk would leave no more room than a full one: the general path
    /// makes a dedicated one).
    #[cold]
    #[inline(never)]
    fn value_room_for_single(&mut self) -> Result<(), AllocError> {
        debug_assert!(Self::REGION >= 2 * ValueLayout::<T>::STRIDE);
        if self.current.is_some() && self.rewind_if_unused() {
            return Ok(());
        }
        // A new chunk leaves more room than a full one: it becomes current.
        let chunk = self.new_chunk(Self::REGION, Self::precounted(true), ChunkUse::Current)?;
        self.replace_current(Some(chunk), 0, 0, 0);
        Ok(())
    }

    /// Per-value mode: if no allocation in the current chunk is alive and
    /// no weak handle points into it, starts it over from the beginning
    /// instead of starting a new chunk. Returns whether it did.
    fn rewind_if_unused(&mut self) -> bool {
        let Some(chunk) = self.current else {
            return false;
        };
        let held = Self::held_refs(true, 0, self.merged, self.values);
        let owner = chunk_owner(chunk);
        // SAFETY: the allocator holds `held` references to `current`.
        // `held` fits `u32` (it is at most `VALUES_MAX + 1`).
        let unused = unsafe { owner_count_is(owner, held as u32) && chunk_has_no_weak(chunk) };
        if !unused {
            return false;
        }
        // Every allocation in the chunk gave back its reference (so their
        // elements are dropped), and with no weak handle, nothing else
        // refers into it: its memory is the allocator's alone, and the
        // `Acquire` loads above order every access through those references
        // before the writes to come.
        self.stats.allocations += self.values;
        self.stats.elements += self.values + self.merged;
        // SAFETY: we hold every reference and nobody else can reach it.
        unsafe { owner_reset_count(owner, Self::precounted(true) as u32) };
        self.vcursor = 0;
        self.merged = 0;
        self.values = 0;
        true
    }

    /// Replaces a full (or missing) current plain chunk with a new one of
    /// `N` slots; for `N > 1` that is what the general rule does for a
    /// request of one element.
    #[cold]
    #[inline(never)]
    fn start_plain_chunk(&mut self) -> Result<(), AllocError> {
        let Some(bytes) = ChunkLayout::<T>::plain_bytes(N) else {
            capacity_overflow()
        };
        let chunk = self.new_chunk(bytes, Self::precounted(false), ChunkUse::Current)?;
        self.replace_current(Some(chunk), 0, 0, 0);
        Ok(())
    }

    /// The pool's record; if it has none yet, the current chunk hosts it,
    /// started for it if there is none.
    #[cold]
    #[inline(never)]
    fn record_or_host(&mut self) -> Result<&RecordRef, AllocError> {
        if self.record.is_none() {
            if self.current.is_none() {
                if self.counts_values() {
                    let chunk =
                        self.new_chunk(Self::REGION, Self::precounted(true), ChunkUse::Current)?;
                    self.replace_current(Some(chunk), 0, 0, 0);
                } else {
                    self.start_plain_chunk()?;
                }
            }
            if let (None, Some(current)) = (&self.record, self.current) {
                self.host_record(current);
            }
        }
        match &self.record {
            Some(record) => Ok(record),
            None => unreachable!("the current chunk hosts the record"),
        }
    }

    /// Makes `chunk`, the current chunk or the first one, about to become
    /// current, host the pool's new record (and joins the `#[arena]` limit
    /// with it).
    #[cold]
    #[inline(never)]
    fn host_record(&mut self, chunk: NonNull<ChunkHeader>) -> &RecordRef {
        debug_assert!(self.record.is_none());
        debug_assert!(self.current.is_none_or(|current| current == chunk));
        // SAFETY: the allocator is the unique writer of its current chunk,
        // and of a new one, and holds references to them; with no record
        // yet, the allocator made no other chunk, and this one, current
        // since it was made (or new), reports to no record and hosts none.
        let record = unsafe { RecordRef::host(chunk, self.limit) };
        if let Some((arena, slot)) = &self.arena {
            arena.join(*slot, &record);
        }
        self.record.insert(record)
    }

    /// Makes a chunk with `bytes` of data and `refs` counted references,
    /// and counts it in the statistics; an error if it would pass a limit
    /// or the global allocator refuses it (the allocator is then as it
    /// was, but for a current chunk started to host its record).
    fn new_chunk(
        &mut self,
        bytes: usize,
        refs: usize,
        chunk_use: ChunkUse,
    ) -> Result<NonNull<ChunkHeader>, AllocError> {
        let layout = chunk_layout::<T>(bytes);
        // A chunk the allocator does not keep reports to the record from
        // the start, whatever its size: the live statistics count it while
        // its handles (or its reservation) keep it. A chunk that becomes
        // current hosts the record or is attached to it then.
        let (record, dedicated) = match chunk_use {
            ChunkUse::Current => {
                self.check_limits(layout)?;
                (None, false)
            }
            ChunkUse::Own { dedicated } => {
                self.record_or_host()?;
                self.check_limits(layout)?;
                (self.record.as_ref(), dedicated)
            }
        };
        let (chunk, recycled) = chunk_new::<T>(layout, refs, record)?;
        self.stats.chunks += 1;
        self.stats.recycled_chunks += usize::from(recycled);
        self.stats.dedicated_chunks += usize::from(dedicated);
        self.stats.bytes_reserved += layout.size();
        Ok(chunk)
    }

    /// Allocates the element `build()` makes, if it makes one: a fallible
    /// [`Bump::alloc_one_with`]. A slot holds a `T`, not a `Result`, so a
    /// `Result` larger than [`STAGE_RESULTS_ABOVE`] bytes is built in a heap
    /// buffer instead of on the stack, and the value moved from there into
    /// its slot: values larger than the stack can be built so. If `build`
    /// returns `Err` or panics, nothing is allocated.
    #[inline]
    pub(crate) fn try_alloc_one_with<E>(
        &mut self,
        build: impl FnOnce() -> Result<T, E>,
    ) -> Result<RawSingle<T, L>, E> {
        if size_of::<Result<T, E>>() <= STAGE_RESULTS_ABOVE {
            let value = build()?;
            return Ok(self.alloc_one(value));
        }
        self.try_alloc_one_staged(build)
    }

    /// [`Bump::try_alloc_one_with`] for a large `Result`, built in a heap
    /// buffer.
    #[cold]
    #[inline(never)]
    fn try_alloc_one_staged<E>(
        &mut self,
        build: impl FnOnce() -> Result<T, E>,
    ) -> Result<RawSingle<T, L>, E> {
        // Only frees its memory when dropped (it is `MaybeUninit`): what
        // the `Result` holds is moved out below, once.
        let mut stage: Box<MaybeUninit<Result<T, E>>> = Box::new_uninit();
        let result = stage.as_mut_ptr();
        // SAFETY: `result` is the buffer's, valid for writing a `Result`.
        unsafe { result.write(build()) };
        // SAFETY: `*result` was just written, and is ours alone.
        match unsafe { &mut *result } {
            // SAFETY: the error is moved out once; the buffer drops nothing.
            Err(error) => Err(unsafe { ptr::read(error) }),
            Ok(value) => {
                let value: *mut T = value;
                let src = value.cast_const();
                // Drops the value if making room for it panics (a limit):
                // disarmed when it is moved into its slot.
                struct DropUnlessMoved<T>(*mut T);
                impl<T> Drop for DropUnlessMoved<T> {
                    fn drop(&mut self) {
                        // SAFETY: still armed, so the value was not moved
                        // out; the buffer drops nothing itself.
                        unsafe { ptr::drop_in_place(self.0) }
                    }
                }
                let guard = DropUnlessMoved(value);
                let slice = never_fails(self.alloc_with(1, |w| {
                    mem::forget(guard);
                    // SAFETY: the value is ours and moved out only here (the
                    // buffer drops nothing, the guard is disarmed). Placing
                    // one value cannot panic once there is room, so it is
                    // not leaked.
                    unsafe { w.push_read(src) };
                    Ok::<(), Raise>(())
                }));
                match slice.into_single() {
                    Ok(single) => Ok(single),
                    Err(_) => unreachable!("one element was written"),
                }
            }
        }
    }

    /// One value by the general placement rules, built in its slot.
    #[cold]
    #[inline(never)]
    fn alloc_one_general<E: From<AllocError>>(
        &mut self,
        build: impl FnOnce() -> T,
    ) -> Result<RawSingle<T, L>, E> {
        let slice = self.alloc_with(1, |w| {
            w.push_with(build);
            Ok::<(), E>(())
        })?;
        match slice.into_single() {
            Ok(single) => Ok(single),
            Err(_) => unreachable!("one element was written"),
        }
    }

    /// Reserves room for `len` elements, lets `fill` write up to `len` of
    /// them, and returns a handle to the elements written.
    ///
    /// Room comes from the current chunk when it fits, from a dedicated
    /// chunk when `len > N` (or, per value, the cell exceeds a chunk), and
    /// otherwise from a new chunk that becomes current if it leaves more
    /// room than the old one (a per-value chunk in which nothing is alive
    /// any more is rewound instead).
    ///
    /// If `fill` returns `Err` or panics, every element it wrote is dropped
    /// and the allocator is unchanged. If it writes fewer than `len`
    /// elements, the handle covers just those.
    ///
    /// # Panics
    ///
    /// Panics if `len` does not fit `L` or the chunk would exceed
    /// `isize::MAX` bytes.
    #[inline]
    #[track_caller]
    pub(crate) fn alloc_with<E: From<AllocError>>(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
    ) -> Result<RawSlice<T, L>, E> {
        // The hot path: the slots fit in the current chunk (`cursor == N`
        // when there is none, or in per-value mode, so this also checks).
        if len != 0 && len <= N - self.cursor {
            return self.fill_plain_current(len, fill);
        }
        if self.counts_values() {
            return self.value_alloc_with(len, fill);
        }
        self.alloc_with_slow(len, fill)
    }

    /// [`Bump::alloc_with`] in per-value mode.
    #[inline]
    #[track_caller]
    fn value_alloc_with<E: From<AllocError>>(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
    ) -> Result<RawSlice<T, L>, E> {
        if len != 0
            && let Some(cell) = ValueLayout::<T>::cell(len, len)
            && cell <= Self::REGION - self.vcursor
        {
            return self.fill_value_current(len, fill);
        }
        self.alloc_with_slow(len, fill)
    }

    /// [`Bump::alloc_with`] when the request is empty or needs a new chunk.
    #[cold]
    #[inline(never)]
    #[track_caller]
    fn alloc_with_slow<E: From<AllocError>>(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
    ) -> Result<RawSlice<T, L>, E> {
        if len == 0 {
            // Nothing is reserved; `fill` still runs (and can write nothing),
            // so an iterator that claimed to be empty is still drained.
            // SAFETY: no slot is reserved, and none is written.
            unsafe { fill_slots(NonNull::dangling(), 0, fill)? };
            return Ok(RawSlice::empty());
        }
        let _: L = crate::index::to_index(len, "length");
        let target = if self.counts_values() {
            self.value_target(len)
        } else {
            self.plain_target(len)
        };
        match (target, self.counts_values()) {
            (Target::Current, false) => self.fill_plain_current(len, fill),
            (Target::Current, true) => self.fill_value_current(len, fill),
            (Target::Fresh { bytes, adopt }, _) => self.fill_fresh(bytes, len, adopt, fill),
        }
    }

    /// Placement of a request of `len > 0` elements in plain mode.
    #[track_caller]
    fn plain_target(&self, len: usize) -> Target {
        // `cursor == N` when there is no chunk.
        let remaining = N - self.cursor;
        let chunk_bytes = |slots: usize| match ChunkLayout::<T>::plain_bytes(slots) {
            Some(bytes) => bytes,
            None => capacity_overflow(),
        };
        if self.current.is_none() && len <= N {
            // The first chunk: 0.1.2 allocated it in `new()`, so it is
            // current whatever the request leaves free.
            Target::Fresh {
                bytes: chunk_bytes(N),
                adopt: true,
            }
        } else if len <= remaining {
            Target::Current
        } else if len > N {
            Target::Fresh {
                bytes: chunk_bytes(len),
                adopt: false,
            }
        } else {
            Target::Fresh {
                bytes: chunk_bytes(N),
                adopt: N - len > remaining,
            }
        }
    }

    /// Placement of a request of `len > 0` elements in per-value mode: the
    /// same rules, in bytes of cells, and a chunk in which nothing is alive
    /// any more is rewound rather than replaced.
    #[track_caller]
    fn value_target(&mut self, len: usize) -> Target {
        let Some(cell) = ValueLayout::<T>::cell(len, len) else {
            capacity_overflow()
        };
        let remaining = Self::REGION - self.vcursor;
        if len > N || cell > Self::REGION {
            Target::Fresh {
                bytes: cell,
                adopt: false,
            }
        } else if self.current.is_none() {
            Target::Fresh {
                bytes: Self::REGION,
                adopt: true,
            }
        } else if cell <= remaining || self.rewind_if_unused() {
            Target::Current
        } else {
            Target::Fresh {
                bytes: Self::REGION,
                adopt: Self::REGION - cell > remaining,
            }
        }
    }

    /// Writes up to `len` elements at the plain cursor; the caller checked
    /// that `0 < len <= N - cursor`.
    #[inline]
    fn fill_plain_current<E>(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
    ) -> Result<RawSlice<T, L>, E> {
        // SAFETY: the caller checked that `len > 0` slots fit at the plain
        // cursor, so `cursor < N`, which implies a current chunk
        // (invariant of `cursor`).
        let chunk = unsafe { self.current.unwrap_unchecked() };
        let offset = self.cursor;
        // SAFETY: `current` is a live plain chunk of `N` slots and `offset +
        // len <= N`: slots `offset..offset + len` are free, covered by no
        // handle, and stay reserved because `&mut self` is borrowed until we
        // return.
        let dst = unsafe { chunk_data(chunk).cast::<T>().add(offset) };
        // SAFETY: as above.
        let written = unsafe { fill_slots(dst, len, fill)? };
        if written == 0 {
            return Ok(RawSlice::empty());
        }
        // The handle takes one reference for `written` slots.
        self.take_plain_slots(chunk, offset, written);
        Ok(RawSlice {
            ptr: dst,
            // `offset + written <= N <= L::MAX`.
            span: L::span(L::from_usize_lossy(offset), L::from_usize_lossy(written)),
            _owns: PhantomData,
        })
    }

    #[inline]
    fn fill_value_current<E>(
        &mut self,
        len: usize,
        fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
    ) -> Result<RawSlice<T, L>, E> {
        let chunk = self.current_chunk();
        let cell = self.vcursor;
        // SAFETY: `current` is a live per-value chunk; the caller checked
        // that a cell of `len` elements fits at the cursor, in free memory
        // covered by no handle, reserved while `&mut self` is borrowed.
        let (slice, used) = unsafe { write_cell(chunk, cell, len, fill)? };
        if used != 0 {
            self.take_value_cell(cell, used, slice.len());
        }
        Ok(slice)
    }

    /// Writes `len` elements into a new chunk with `bytes` of data, made
    /// current if `adopt` (otherwise dedicated to this allocation).
    fn fill_fresh<E: From<AllocError>>(
        &mut self,
        bytes: usize,
        len: usize,
        adopt: bool,
        fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
    ) -> Result<RawSlice<T, L>, E> {
        let per_value = self.counts_values();
        // A chunk that becomes current pre-counts its references; a
        // dedicated one starts with its one holder's (the handle's, or the
        // allocation's).
        let refs = if adopt {
            Self::precounted(per_value)
        } else {
            1
        };
        let chunk_use = if adopt {
            ChunkUse::Current
        } else {
            ChunkUse::Own {
                // Made for this request alone, longer than a chunk.
                dedicated: len > N || (per_value && bytes > Self::REGION),
            }
        };
        let fresh = UnsharedChunk {
            chunk: self.new_chunk(bytes, refs, chunk_use)?,
        };
        let chunk = fresh.chunk;
        let (slice, used) = if per_value {
            // SAFETY: the chunk is new and unshared, with room for a cell of
            // `len` elements at offset 0 (`bytes` is the region, which fits
            // it, or exactly that cell).
            unsafe { write_cell(chunk, 0, len, fill)? }
        } else {
            // SAFETY: the chunk is new and unshared with room for `len`
            // slots (`bytes` is `N` or `len` slots). On error or panic the
            // writer drops its elements before `fresh` frees the memory.
            let dst = unsafe { chunk_data(chunk).cast::<T>() };
            // SAFETY: as above.
            let written = unsafe { fill_slots(dst, len, fill)? };
            let slice = RawSlice {
                ptr: dst,
                // `written <= len`, which `alloc_with` checked fits `L`.
                span: L::span(L::ZERO, L::from_usize_lossy(written)),
                _owns: PhantomData,
            };
            (slice, written)
        };
        let written = slice.len();
        if written == 0 {
            // `fresh` deallocates the chunk; nothing was handed out.
            return Ok(RawSlice::empty());
        }
        mem::forget(fresh);
        if adopt {
            if per_value {
                // The allocation took one pre-counted reference.
                self.replace_current(Some(chunk), used, written - 1, 1);
            } else {
                if !Self::PRECOUNT {
                    // SAFETY: the allocator holds a reference to `chunk`.
                    unsafe { owner_retain(chunk_owner(chunk)) };
                }
                self.replace_current(Some(chunk), written, written - 1, 0);
            }
        } else {
            self.stats.record(written);
            if !per_value {
                // The handle holds the only reference; nobody writes the
                // chunk again.
                // SAFETY: we are the unique writer and `slice` keeps it live.
                unsafe { finish_writing(chunk, written) };
            }
        }
        Ok(slice)
    }

    /// Lets go of the current chunk; the next allocation starts a new one.
    #[cold]
    #[inline(never)]
    fn retire_current(&mut self) {
        self.replace_current(None, 0, 0, 0);
    }

    /// Sets the current chunk (`at` is the cursor of the mode, ignored for
    /// no chunk), which hosts the pool's record if there is none yet, or is
    /// attached to it (it reports there when it is freed); then counts the
    /// old current chunk, if any, in the statistics and gives up the
    /// allocator's references to it. That
    /// comes last because it may run element destructors that panic; the
    /// allocator is consistent by then.
    fn replace_current(
        &mut self,
        chunk: Option<NonNull<ChunkHeader>>,
        at: usize,
        merged: usize,
        values: usize,
    ) {
        if let (None, Some(old)) = (&self.record, self.current) {
            // The pool leaves its first chunk, which must report to a
            // record from now on: it hosts it.
            self.host_record(old);
        }
        if let Some(new) = chunk {
            match &self.record {
                // SAFETY: `new` was just made for this allocator, which is
                // its unique writer and holds its references; made to
                // become current, it reports to no record.
                Some(record) => unsafe { chunk_attach(new, record) },
                // The first chunk: it hosts the record if the pool is a
                // member of an `#[arena]` limit, which sums its members'
                // records; otherwise the record waits until it is needed.
                None if self.arena.is_some() => {
                    self.host_record(new);
                }
                None => {}
            }
        }
        if let Some(old) = self.take_current(chunk, at, merged, values) {
            self.release(old);
        }
    }

    /// Installs `chunk` and returns the old current chunk (whose references
    /// the caller must give up with [`Bump::release`]), counted in the
    /// statistics.
    fn take_current(
        &mut self,
        chunk: Option<NonNull<ChunkHeader>>,
        at: usize,
        merged: usize,
        values: usize,
    ) -> Option<NonNull<ChunkHeader>> {
        let (cursor, vcursor) = match (chunk.is_some(), self.counts_values()) {
            (true, false) => (at, Self::REGION),
            (true, true) => (N, at),
            (false, _) => (N, Self::REGION),
        };
        let old = mem::replace(&mut self.current, chunk);
        let old_cursor = mem::replace(&mut self.cursor, cursor);
        self.vcursor = vcursor;
        let old_merged = mem::replace(&mut self.merged, merged);
        let old_values = mem::replace(&mut self.values, values);
        let old = old?;
        // What the allocator still holds, for `release`.
        self.held = Self::held_refs(self.counts_values(), old_cursor, old_merged, old_values);
        if self.counts_values() {
            self.stats.allocations += old_values;
            self.stats.elements += old_values + old_merged;
        } else {
            self.stats.allocations += old_cursor - old_merged;
            self.stats.elements += old_cursor;
            // SAFETY: `old` was current: we are its unique writer and still
            // hold references; its first `old_cursor` slots are initialised.
            unsafe { finish_writing(old, old_cursor) };
        }
        Some(old)
    }

    /// Gives up the references the allocator held on `old`, its former
    /// current chunk.
    fn release(&mut self, old: NonNull<ChunkHeader>) {
        let held = mem::replace(&mut self.held, 0);
        // SAFETY: `old` was current and we owned `held` references to it
        // (`held` fits `u32`: at most the pre-count), given up here.
        unsafe { owner_release_many::<T>(chunk_owner(old), held as u32) };
    }
}

impl<T, L: IndexType, const N: usize> Drop for Bump<T, L, N> {
    fn drop(&mut self) {
        // The pool's reference to its record goes first: the current chunk
        // holds one of its own (it hosts the record or is attached to it),
        // so the record outlives this, and a host deallocated below by its
        // last holder then finds itself the record's last reference and
        // frees its memory at once (`RecordRef::release_host`).
        drop(self.record.take());
        // No statistics will be read any more: the chunk need not report.
        if let Some(old) = self.take_current(None, 0, 0, 0) {
            self.release(old);
        }
    }
}

/// Records that the first `len` slots of plain `chunk` are initialised.
///
/// # Safety
///
/// The caller is the chunk's unique writer and still owns a counted
/// reference to it; slots `0..len` are initialised.
#[inline]
unsafe fn finish_writing(chunk: NonNull<ChunkHeader>, len: usize) {
    // SAFETY: only the unique writer touches `init_len` while the chunk is
    // live (see its docs), and the caller keeps it live.
    unsafe { (&raw mut (*chunk.as_ptr()).init_len).write(len) }
}

/// Writes the owner header of a new allocation with `meta` right before its
/// first element, `element`, with one counted reference, and returns it.
///
/// # Safety
///
/// The owner header's memory before `element` is free memory of the
/// allocation's cell.
#[inline(always)]
unsafe fn write_owner_header<T>(element: NonNull<T>, meta: u32) -> NonNull<OwnerHeader> {
    // SAFETY: by the precondition; the header is aligned (cells and heads are
    // multiples of `OWNER_ALIGN`).
    unsafe {
        let owner = element.cast::<u8>().sub(OWNER_SIZE).cast::<OwnerHeader>();
        owner.as_ptr().write(OwnerHeader {
            meta: AtomicU32::new(meta),
            refs: AtomicU32::new(1),
        });
        owner
    }
}

/// Writes the owner header of a new allocation of `len` elements in a cell
/// reserved for `reserved`, whose first element is at `elements`,
/// `distance` bytes after its chunk's header (and its length before it, in
/// a long cell).
///
/// # Safety
///
/// The cell's head before `elements` (`ValueLayout::head(reserved)` bytes)
/// is free memory of the allocation's cell.
#[inline(always)]
unsafe fn write_owner<T>(elements: NonNull<T>, distance: usize, reserved: usize, len: usize) {
    // SAFETY: by the precondition; the owner header is aligned (cells and
    // heads are multiples of `OWNER_ALIGN`); the length may be unaligned.
    unsafe {
        if reserved > SHORT_LEN_MAX {
            elements
                .cast::<u8>()
                .sub(OWNER_SIZE + size_of::<usize>())
                .cast::<usize>()
                .as_ptr()
                .write_unaligned(len);
        }
        write_owner_header(elements, value_meta(distance, reserved, len));
    }
}

/// Writes a per-value cell for `len` elements at byte `cell` of `chunk`'s
/// region: lets `fill` write the elements, then the header. Returns the
/// handle and the bytes the cell takes (0 if nothing was written: nothing
/// is allocated then).
///
/// # Safety
///
/// `chunk` is a live per-value chunk whose region has a free cell of `len`
/// elements at `cell` (a multiple of `ValueLayout::<T>::ALIGN`), reserved
/// for the caller; the caller takes one of the chunk's counted references
/// for the allocation if one is written.
unsafe fn write_cell<T, L: IndexType, E>(
    chunk: NonNull<ChunkHeader>,
    cell: usize,
    len: usize,
    fill: impl FnOnce(&mut SlotWriter<'_, T>) -> Result<(), E>,
) -> Result<(RawSlice<T, L>, usize), E> {
    let head = ValueLayout::<T>::head(len);
    // SAFETY: the cell is inside the region (precondition); its elements
    // start `head` bytes in, aligned for `T`.
    let dst = unsafe { chunk_data(chunk).add(cell + head).cast::<T>() };
    // SAFETY: the cell's element slots are free and reserved (precondition).
    let written = unsafe { fill_slots(dst, len, fill)? };
    if written == 0 {
        return Ok((RawSlice::empty(), 0));
    }
    // SAFETY: the head of the cell is free (precondition).
    unsafe { write_owner(dst, HEADER_SIZE + cell + head - OWNER_SIZE, len, written) };
    let Some(used) = ValueLayout::<T>::cell(len, written) else {
        unreachable!("`written <= len`, whose cell fits")
    };
    let slice = RawSlice {
        ptr: dst,
        // The owner is the allocation: offset 0, `written <= len`, which
        // `alloc_with` checked fits `L`.
        span: L::span(L::ZERO, L::from_usize_lossy(written)),
        _owns: PhantomData,
    };
    Ok((slice, used))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::layout::{chunk_owner, owner_refs};
    use alloc::string::{String, ToString};
    #[cfg(not(loom))]
    use core::sync::atomic::Ordering;

    fn count<T, L: IndexType>(single: &RawSingle<T, L>) -> u32 {
        // SAFETY: `single` keeps its owner alive.
        unsafe { owner_refs(single.owner).load(Ordering::Relaxed) }
    }

    #[test]
    fn small_copies_copy_every_byte_of_every_length() {
        // Lengths around every window size, for bytes and for a type with
        // padding (whose padding must not be read as a value: Miri checks).
        let bytes: Vec<u8> = (0..80).collect();
        for n in 0..=bytes.len() {
            let mut dst = alloc::vec![0xffu8; n];
            // SAFETY: `dst` has room for `n` bytes and `bytes` holds them.
            unsafe { copy_small_or_memcpy(bytes.as_ptr(), dst.as_mut_ptr(), n) };
            assert_eq!(dst, bytes[..n], "{n} bytes");
        }
        let padded: Vec<(u8, u32)> = (0..20).map(|i| (i as u8, i * 1000)).collect();
        for n in 0..=padded.len() {
            let mut dst = alloc::vec![(0u8, 0u32); n];
            // SAFETY: as above.
            unsafe { copy_small_or_memcpy(padded.as_ptr(), dst.as_mut_ptr(), n) };
            assert_eq!(dst, padded[..n], "{n} pairs");
        }
    }

    #[test]
    fn precounted_references_are_returned() {
        let mut bump: Bump<u32, u32, 4> = Bump::new();
        let a = bump.alloc_one(1);
        // 4 + 1 pre-counted at creation, one moved to `a`.
        assert_eq!(count(&a), 5);
        assert_eq!(
            Bump::<u32, u32, 4>::held_refs(false, bump.cursor, bump.merged, 0),
            4
        );
        let b = a.clone();
        assert_eq!(count(&a), 6);
        drop(bump);
        assert_eq!(count(&a), 2);
        drop(a);
        assert_eq!(*b.get(), 1);
    }

    #[test]
    fn per_value_allocations_count_themselves() {
        let mut bump: Bump<String, u32, 4> = Bump::new();
        bump.break_cycles();
        let a = bump.alloc_one("a".into());
        assert_eq!(count(&a), 1);
        let b = a.clone();
        assert_eq!(count(&a), 2);
        drop(a);
        assert_eq!(count(&b), 1);
        assert_eq!(bump.stats().live_chunks, 1);
        drop(b);
        // The allocation is gone; the chunk is the allocator's alone, so it
        // is rewound rather than replaced when it fills up.
        for i in 0..10u32 {
            drop(bump.alloc_one(i.to_string()));
        }
        assert_eq!(bump.stats().chunks, 1);
        drop(bump);
    }

    #[test]
    fn reservations_are_written_later_or_give_their_reference_back() {
        let mut bump: Bump<String, u32, 4> = Bump::new();
        bump.break_cycles();
        let first = bump.alloc_one("first".into());
        let chunk = bump.current.unwrap();
        let chunk_refs = || {
            // SAFETY: `first` keeps the chunk alive.
            unsafe { owner_refs(chunk_owner(chunk)) }.load(Ordering::Relaxed)
        };
        let kept = bump.try_reserve_single().unwrap();
        let dropped = bump.try_reserve_single().unwrap();
        // The pool goes on allocating past both reservations meanwhile.
        let after = bump.alloc_one("after".into());
        let before_drop = chunk_refs();
        drop(dropped);
        assert_eq!(chunk_refs(), before_drop - 1);
        let written = kept.write("kept".into());
        assert_eq!(count(&written), 1);
        assert_eq!(
            (
                written.get().as_str(),
                first.get().as_str(),
                after.get().as_str()
            ),
            ("kept", "first", "after")
        );
        drop(bump);
        // Only the three live allocations hold the chunk now.
        assert_eq!(chunk_refs(), 3);
        drop((first, after, written));
    }

    #[test]
    fn plain_reservations_only_for_types_without_drop_glue() {
        let mut numbers: Bump<u64, u32, 4> = Bump::new();
        // No chunk yet: nothing to reserve in.
        assert!(numbers.try_reserve_single().is_none());
        let one = numbers.alloc_one(1);
        let unused = numbers.try_reserve_single().unwrap();
        let two = numbers.try_reserve_single().unwrap().write(2);
        drop(unused);
        assert_eq!((*one.get(), *two.get()), (1, 2));
        // A plain chunk drops its first `cursor` slots when freed: a slot
        // reserved and never written must not need dropping.
        let mut strings: Bump<String, u32, 4> = Bump::new();
        let _s = strings.alloc_one("s".into());
        assert!(strings.try_reserve_single().is_none());
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
            unsafe { owner_refs(a.owner) }.store(MAX_REFCOUNT + 1, Ordering::Relaxed);
            let b = a.clone();
            // Unreachable when overflow aborts.
            mem::forget((a, b, bump));
            std::process::exit(0);
        }
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "chunk::bump::tests::refcount_overflow_aborts",
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
