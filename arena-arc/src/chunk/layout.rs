//! The headers and where they sit; allocating and deallocating chunks.
//!
//! ```text
//! base                  chunk (header)                 data / region
//! |  padding  | record  | ChunkHeader ... {meta, refs} | T T T ...              (plain)
//! |  padding  | record  | ChunkHeader ... {meta, refs} | cell cell cell ...     (per-value)
//! ```
//!
//! `base` is what the global allocator returned; `record` is room for a
//! pool's record, used in one chunk per pool (see `record.rs`); the
//! [`ChunkHeader`] ends
//! exactly at `base + DATA_OFFSET`, which is aligned for `T`, so that its
//! [`OwnerHeader`] (the last field) sits right before element 0. A
//! per-value *cell* is `[padding][len, slices only][OwnerHeader][T; len]`,
//! with the owner header again right before the first element.

use alloc::alloc::Layout;
use core::marker::PhantomData;
use core::mem::{align_of, offset_of, size_of};
use core::ptr::{self, NonNull};
#[cfg(not(loom))]
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
#[cfg(loom)]
use loom::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use super::cache::{chunk_alloc, chunk_free};
use super::capacity_overflow;
use super::counts::MAX_REFCOUNT;
use super::record::{PoolRecord, RECORD_SIZE, RecordRef};
use crate::error::AllocError;
use crate::index::IndexType;

/// The count of an owner, right before its first element (see the module
/// docs of `chunk`).
#[repr(C)]
pub(super) struct OwnerHeader {
    /// What the owner is. Bit 31 is [`WEAK_SEEN`], set by the first
    /// downgrade and never cleared (see `counts.rs`). The other bits are
    /// written before any handle exists and never change: [`CHUNK_META`]
    /// for a chunk; for an allocation, its distance from its chunk's header
    /// in units of `align_of::<OwnerHeader>()` (bits 10..31), and either
    /// its length (bits 1..10, up to [`SHORT_LEN_MAX`]) or [`LONG`] (a
    /// `usize` length precedes the header). See [`value_meta`].
    ///
    /// (The flag is not kept in `refs`, which would make `refs == 1` one
    /// comparison: every other count operation would then need the old
    /// value back (`lock xadd` and a mask on x86), where a bare count can
    /// use the flags of `lock inc` / `lock dec`: 12% more per clone and
    /// drop of a handle, measured.)
    pub(super) meta: AtomicU32,
    /// Counted references.
    pub(super) refs: AtomicU32,
}

/// `meta` bit: a weak handle to the owner may exist.
pub(super) const WEAK_SEEN: u32 = 1 << 31;
/// `meta` of a chunk's own owner header (besides `WEAK_SEEN`).
pub(super) const CHUNK_META: u32 = !WEAK_SEEN;
/// `meta` bit of an allocation whose length precedes its header.
pub(super) const LONG: u32 = 1;
/// The longest allocation whose length fits in `meta`.
pub(super) const SHORT_LEN_MAX: usize = (1 << 9) - 1;
const LEN_SHIFT: u32 = 1;
const DISTANCE_SHIFT: u32 = 10;

pub(super) const OWNER_SIZE: usize = size_of::<OwnerHeader>();
pub(super) const OWNER_ALIGN: usize = align_of::<OwnerHeader>();

/// The header of every chunk.
///
/// `#[repr(C)]` with the owner header last, so the header ends exactly with
/// it (checked below), right before the data.
#[repr(C)]
pub(super) struct ChunkHeader {
    /// Weak references (see the module docs of `chunk`): one per weak
    /// handle into the chunk, plus one for all strong references together.
    /// The memory is deallocated when it reaches zero.
    pub(super) weak: AtomicUsize,
    /// Bytes of the whole heap allocation. Written at creation.
    pub(super) size: usize,
    /// Plain mode: how many elements at the start of the data are
    /// initialised (and dropped when the chunk's count reaches zero).
    /// Written only by the chunk's unique writer before it gives up its
    /// references with a `Release` decrement; read only by the thread that
    /// frees the chunk, after its `Acquire`. 0 in per-value mode.
    pub(super) init_len: usize,
    /// What to do when a count of this chunk's owners reaches zero, for its
    /// element type.
    pub(super) vtable: &'static ChunkVtable,
    /// The record of the pool that made the chunk (a counted reference,
    /// see `record.rs`), or null (for a record's host, and chunks made with
    /// no pool). Written at creation or by the unique writer when the chunk
    /// becomes current ([`chunk_attach`]); read when it is deallocated.
    pub(super) pool: *const PoolRecord,
    /// The chunk as an owner: `meta == CHUNK_META`, `refs` its count.
    pub(super) owner: OwnerHeader,
}

const _: () = assert!(
    offset_of!(ChunkHeader, owner) + OWNER_SIZE == size_of::<ChunkHeader>(),
    "the owner header must end the chunk header"
);
const _: () = assert!(OWNER_ALIGN >= 4 && align_of::<ChunkHeader>() >= OWNER_ALIGN);

pub(super) const HEADER_SIZE: usize = size_of::<ChunkHeader>();

/// The element-type-specific operations of a chunk, reachable from
/// type-erased code (the deferred-disposal queue, deallocation).
pub(super) struct ChunkVtable {
    /// The chunk's count reached zero: drop its `init_len` elements, then
    /// give up the implicit weak reference. (Without `std`, disposals
    /// recurse in typed code and need no vtable.)
    #[cfg(feature = "std")]
    pub(super) free_chunk: unsafe fn(NonNull<ChunkHeader>),
    /// An allocation's count reached zero: drop its elements (its chunk
    /// reference is the caller's to give back).
    #[cfg(feature = "std")]
    pub(super) drop_value: unsafe fn(NonNull<OwnerHeader>),
    /// Alignment of the heap allocation.
    pub(super) align: usize,
    /// Bytes from the start of the heap allocation to the header.
    pub(super) header_offset: usize,
}

/// Layout arithmetic for chunks of `T` (a namespace, never instantiated).
pub(super) struct ChunkLayout<T>(PhantomData<T>);

impl<T> ChunkLayout<T> {
    /// Alignment of the whole heap allocation.
    pub(super) const ALIGN: usize = max(align_of::<T>(), align_of::<ChunkHeader>());

    /// Bytes from the start of the allocation to element 0 (plain) or to the
    /// region of cells (per-value): the room for a record and the header,
    /// rounded up to the allocation's alignment.
    pub(super) const DATA_OFFSET: usize = round_up(RECORD_SIZE + HEADER_SIZE, Self::ALIGN);

    /// Where the header starts, so that it ends at `DATA_OFFSET` (with the
    /// room for a record before it: `HEADER_OFFSET >= RECORD_SIZE`).
    pub(super) const HEADER_OFFSET: usize = Self::DATA_OFFSET - HEADER_SIZE;

    /// The layout of a chunk with `bytes` of data, or `None` past
    /// `isize::MAX`.
    pub(super) const fn layout(bytes: usize) -> Option<Layout> {
        let Some(size) = bytes.checked_add(Self::DATA_OFFSET) else {
            return None;
        };
        match Layout::from_size_align(size, Self::ALIGN) {
            Ok(layout) => Some(layout),
            Err(_) => None,
        }
    }

    /// Bytes of data of a plain chunk of `capacity` slots.
    pub(super) const fn plain_bytes(capacity: usize) -> Option<usize> {
        capacity.checked_mul(size_of::<T>())
    }
}

/// Layout of per-value cells of `T` (a namespace, never instantiated).
pub(super) struct ValueLayout<T>(PhantomData<T>);

impl<T> ValueLayout<T> {
    /// Alignment of every cell (and so of every owner header).
    pub(super) const ALIGN: usize = max(align_of::<T>(), OWNER_ALIGN);
    /// Bytes before the elements of a cell of at most `SHORT_LEN_MAX`
    /// elements (the owner header).
    pub(super) const HEAD_SHORT: usize = round_up(OWNER_SIZE, Self::ALIGN);
    /// Bytes before the elements of a longer cell (length and owner header).
    pub(super) const HEAD_LONG: usize = round_up(OWNER_SIZE + size_of::<usize>(), Self::ALIGN);
    /// Bytes of a one-element cell: the smallest cell there is.
    pub(super) const STRIDE: usize = round_up(Self::HEAD_SHORT + size_of::<T>(), Self::ALIGN);
    /// The largest region of a regular per-value chunk, so that every
    /// distance from a chunk header to an owner header fits `meta`.
    pub(super) const REGION_MAX: usize = 1 << 22;
    /// Whether values of `T` can be counted one by one: the heads of their
    /// cells are small enough for every distance to fit `meta` (only types
    /// aligned to more than 2 MiB are not).
    pub(super) const PER_VALUE: bool = Self::ALIGN <= 1 << 21;

    /// Bytes of the region of a regular per-value chunk of an allocator
    /// with chunk size `n`: room for `n` single values, at most
    /// [`Self::REGION_MAX`].
    pub(super) const fn region(n: usize) -> usize {
        let bytes = n.saturating_mul(Self::STRIDE);
        if bytes < Self::REGION_MAX {
            bytes
        } else {
            Self::REGION_MAX - Self::REGION_MAX % Self::STRIDE
        }
    }

    /// Bytes before the first element of a cell reserved for `len` elements.
    #[inline(always)]
    pub(super) const fn head(len: usize) -> usize {
        if len <= SHORT_LEN_MAX {
            Self::HEAD_SHORT
        } else {
            Self::HEAD_LONG
        }
    }

    /// Bytes of a cell reserved for `len` elements of which `written` were
    /// written (`written <= len`), or `None` past `isize::MAX`.
    #[inline(always)]
    pub(super) const fn cell(len: usize, written: usize) -> Option<usize> {
        if written == 1 && len == 1 {
            return Some(Self::STRIDE);
        }
        let Some(bytes) = written.checked_mul(size_of::<T>()) else {
            return None;
        };
        let Some(bytes) = bytes.checked_add(Self::head(len) + Self::ALIGN - 1) else {
            return None;
        };
        let bytes = bytes & !(Self::ALIGN - 1);
        if bytes > isize::MAX as usize / 2 {
            return None;
        }
        Some(bytes)
    }
}

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// `n` rounded up to a multiple of `align` (a power of two).
const fn round_up(n: usize, align: usize) -> usize {
    (n + align - 1) & !(align - 1)
}

/// Whether `n` is a valid chunk size for `Allocator<T, L, n>`: offsets and
/// lengths up to `n` fit `L`.
pub(crate) const fn chunk_size_fits_index<L: IndexType>(n: usize) -> bool {
    n <= L::MAX_USIZE
}

/// Whether a plain chunk of `n` elements fits in memory. (Per-value chunks
/// are capped at [`ValueLayout::REGION_MAX`] bytes.)
pub(crate) const fn chunk_size_fits_memory<T>(n: usize) -> bool {
    match ChunkLayout::<T>::plain_bytes(n) {
        Some(bytes) => ChunkLayout::<T>::layout(bytes).is_some(),
        None => false,
    }
}

/// Allocates a chunk of `T` with `bytes` of data, starting with `refs`
/// counted references, one weak reference and no initialised element; also
/// says whether its memory came from this thread's cache of freed chunks.
/// Attached to `record`, if given (see `record.rs`). An error if the global
/// allocator refuses the memory.
///
/// Safe: it only allocates; leaking the result is harmless.
///
/// # Panics
///
/// Panics if the chunk would exceed `isize::MAX` bytes.
pub(super) fn chunk_new<T>(
    layout: Layout,
    refs: usize,
    record: Option<&RecordRef>,
) -> Result<(NonNull<ChunkHeader>, bool), AllocError> {
    debug_assert!(refs <= MAX_REFCOUNT as usize);
    debug_assert!(
        layout.align() == ChunkLayout::<T>::ALIGN && layout.size() >= ChunkLayout::<T>::DATA_OFFSET
    );
    // The layout's size is non-zero: it includes the header.
    let (base, recycled) = chunk_alloc(layout);
    if base.is_null() {
        return Err(AllocError::out_of_memory(layout));
    }
    let pool = match record {
        Some(record) => record.attach(layout.size()),
        None => ptr::null(),
    };
    // SAFETY: `HEADER_OFFSET + HEADER_SIZE = DATA_OFFSET <= size`; the
    // header's address is aligned for it (`DATA_OFFSET` and `HEADER_SIZE` are
    // multiples of its alignment, and so is the allocation's address).
    let chunk = unsafe { NonNull::new_unchecked(base.add(ChunkLayout::<T>::HEADER_OFFSET)) }
        .cast::<ChunkHeader>();
    // SAFETY: as above; freshly allocated, nobody else can see it yet.
    unsafe {
        chunk.as_ptr().write(ChunkHeader {
            weak: AtomicUsize::new(1),
            size: layout.size(),
            init_len: 0,
            vtable: super::teardown::vtable::<T>(),
            pool,
            owner: OwnerHeader {
                meta: AtomicU32::new(CHUNK_META),
                // `refs <= MAX_REFCOUNT < u32::MAX` (checked by callers:
                // chunk sizes are bounded at compile time).
                refs: AtomicU32::new(refs as u32),
            },
        });
    }
    Ok((chunk, recycled))
}

/// The layout of a chunk of `T` with `bytes` of data.
///
/// # Panics
///
/// Panics if the chunk would exceed `isize::MAX` bytes.
#[track_caller]
pub(super) fn chunk_layout<T>(bytes: usize) -> Layout {
    match ChunkLayout::<T>::layout(bytes) {
        Some(layout) => layout,
        None => capacity_overflow(),
    }
}

/// Makes `chunk` report to `record` when it is deallocated.
///
/// # Safety
///
/// The caller is `chunk`'s unique writer, holds a counted reference to it,
/// and it reports to no record and hosts none.
pub(super) unsafe fn chunk_attach(chunk: NonNull<ChunkHeader>, record: &RecordRef) {
    // SAFETY: `size` is immutable; `pool` is written only by the unique
    // writer while it holds a reference (and read at deallocation, after the
    // writer's `Release` decrement).
    unsafe {
        let header = chunk.as_ptr();
        debug_assert!((&raw const (*header).pool).read().is_null());
        let size = (&raw const (*header).size).read();
        (&raw mut (*header).pool).write(record.attach(size));
    }
}

/// The bytes of `chunk`'s heap allocation (what limits and the live
/// statistics count).
///
/// # Safety
///
/// `chunk` is live.
pub(super) unsafe fn chunk_size(chunk: NonNull<ChunkHeader>) -> usize {
    // SAFETY: the header is live; `size` is immutable.
    unsafe { (&raw const (*chunk.as_ptr()).size).read() }
}

/// Deallocates `chunk` (and tells its pool): frees its memory, unless it
/// hosts its pool's record, whose last reference frees it (see
/// `record.rs`).
///
/// # Safety
///
/// `chunk` was made by [`chunk_new`], its weak count reached zero (or it
/// was never shared), its elements are dropped, and nobody can reach it.
pub(super) unsafe fn chunk_dealloc(chunk: NonNull<ChunkHeader>) {
    // SAFETY: the header is live; written at creation or by the unique
    // writer before it let go; we own it.
    let (size, pool) = unsafe {
        let header = chunk.as_ptr();
        (
            (&raw const (*header).size).read(),
            (&raw const (*header).pool).read(),
        )
    };
    if !pool.is_null() && RecordRef::is_room_of(pool, chunk) {
        // SAFETY: the host's reference to its record, given back once.
        unsafe { RecordRef::release_host(pool, size) };
        return;
    }
    // SAFETY: by the precondition; no record lives in it.
    unsafe { chunk_free_memory(chunk) };
    if !pool.is_null() {
        // After the memory is freed: giving the reference back may free the
        // record's host, the next chunk in this thread's cache.
        // SAFETY: `pool` came from `RecordRef::attach`, and this chunk owned
        // that reference, given back once.
        unsafe { RecordRef::detach(pool, size) };
    }
}

/// Frees the memory of `chunk` (into this thread's cache if it has room).
///
/// # Safety
///
/// `chunk` was made by [`chunk_new`], and nobody reaches it any more: it
/// was deallocated, and if it hosts a record, that record is gone too.
pub(super) unsafe fn chunk_free_memory(chunk: NonNull<ChunkHeader>) {
    // SAFETY: the header is live until the `drop_in_place` below; written at
    // creation; we own it.
    let (vtable, size) = unsafe {
        let header = chunk.as_ptr();
        (
            (&raw const (*header).vtable).read(),
            (&raw const (*header).size).read(),
        )
    };
    // SAFETY: `header_offset`, `size` and `align` are those `chunk_new`
    // allocated with; the header was written there (dropping it is a no-op
    // except for loom's atomics); nobody else can reach the memory.
    unsafe {
        ptr::drop_in_place(chunk.as_ptr());
        let base = chunk.cast::<u8>().as_ptr().sub(vtable.header_offset);
        let base = NonNull::new_unchecked(base);
        chunk_free(base, Layout::from_size_align_unchecked(size, vtable.align));
    }
}

/// The first byte of `chunk`'s data (plain) or region (per-value), right
/// after the header.
///
/// # Safety
///
/// `chunk` is live.
#[inline(always)]
pub(super) unsafe fn chunk_data(chunk: NonNull<ChunkHeader>) -> NonNull<u8> {
    // SAFETY: the header is followed by the data in the same allocation;
    // the result keeps its provenance.
    unsafe { chunk.cast::<u8>().add(HEADER_SIZE) }
}

/// The chunk's own owner header.
#[inline(always)]
pub(super) fn chunk_owner(chunk: NonNull<ChunkHeader>) -> NonNull<OwnerHeader> {
    // SAFETY: a field projection of a header pointer (no access).
    unsafe { NonNull::new_unchecked(&raw mut (*chunk.as_ptr()).owner) }
}

/// The owner header of the element at `elem`, which is element `index` of
/// its owner.
///
/// # Safety
///
/// `elem` points to element `index` of a live owner, with the provenance of
/// its chunk's allocation.
#[inline(always)]
pub(super) unsafe fn owner_of<T>(elem: NonNull<T>, index: usize) -> NonNull<OwnerHeader> {
    // SAFETY: by the precondition, stepping back `index` elements and the
    // owner header lands on the owner header, in the same allocation.
    unsafe {
        elem.cast::<u8>()
            .sub(index * size_of::<T>() + OWNER_SIZE)
            .cast::<OwnerHeader>()
    }
}

/// The index in its owner of the element at `elem`, whose owner header is
/// `owner` (0 for zero-sized elements, which all sit at the same address).
#[inline]
pub(super) fn element_index<T>(owner: NonNull<OwnerHeader>, elem: NonNull<T>) -> usize {
    // The elements start right after the owner header (see `owner_of`).
    match size_of::<T>() {
        0 => 0,
        size => (elem.addr().get() - owner.addr().get() - OWNER_SIZE) / size,
    }
}

/// The first element of `owner`.
///
/// # Safety
///
/// `owner` is a live owner header of a chunk of `T`.
#[inline(always)]
pub(super) unsafe fn owner_elements<T>(owner: NonNull<OwnerHeader>) -> NonNull<T> {
    // SAFETY: the elements start right after the owner header.
    unsafe { owner.cast::<u8>().add(OWNER_SIZE).cast::<T>() }
}

/// The immutable part of `meta` of `owner` (without `WEAK_SEEN`).
///
/// # Safety
///
/// `owner` is an owner header whose memory is live (written before any
/// handle to it existed).
#[inline(always)]
pub(super) unsafe fn owner_meta(owner: NonNull<OwnerHeader>) -> u32 {
    // SAFETY: forwarded; the reference covers only the atomic field.
    // Relaxed: the bits read were written before any handle existed, and
    // handles reach other threads with synchronisation of their own.
    unsafe { (*owner.as_ptr()).meta.load(Ordering::Relaxed) & !WEAK_SEEN }
}

/// The whole `meta` word of `owner`, atomically.
///
/// # Safety
///
/// `owner`'s memory is live for `'a`.
#[inline(always)]
pub(super) unsafe fn owner_meta_word<'a>(owner: NonNull<OwnerHeader>) -> &'a AtomicU32 {
    // SAFETY: forwarded; the reference covers only the field.
    unsafe { &(*owner.as_ptr()).meta }
}

/// The chunk that `owner` (with `meta`) belongs to.
///
/// # Safety
///
/// `owner` is an owner header whose memory is live and `meta` its `meta`.
#[inline(always)]
pub(super) unsafe fn chunk_of_owner(
    owner: NonNull<OwnerHeader>,
    meta: u32,
) -> NonNull<ChunkHeader> {
    // SAFETY: a chunk's owner header ends its header; an allocation's is
    // found by `chunk_of_value`.
    unsafe {
        if meta == CHUNK_META {
            owner
                .cast::<u8>()
                .add(OWNER_SIZE)
                .sub(HEADER_SIZE)
                .cast::<ChunkHeader>()
        } else {
            chunk_of_value(owner, meta)
        }
    }
}

/// The `meta` of an allocation of `len` elements in a cell reserved for
/// `reserved` (`len <= reserved`), whose owner header is `distance` bytes
/// after its chunk's header: a multiple of `OWNER_ALIGN`, at most the
/// chunk header, [`ValueLayout::REGION_MAX`] and a head of at most 2 MiB
/// ([`ValueLayout::PER_VALUE`]), so below `2^21 * OWNER_ALIGN` and never
/// [`CHUNK_META`]. A cell reserved for more than `SHORT_LEN_MAX` elements
/// has its length before the header ([`LONG`]).
#[inline(always)]
pub(super) const fn value_meta(distance: usize, reserved: usize, len: usize) -> u32 {
    // `distance / OWNER_ALIGN << DISTANCE_SHIFT`, written as one shift: the
    // division is exact (cells and heads are multiples of `OWNER_ALIGN`), so
    // no masking on the allocation path (which must not panic either: see
    // `local.rs`).
    let distance = (distance as u32) << (DISTANCE_SHIFT - OWNER_ALIGN.trailing_zeros());
    if reserved <= SHORT_LEN_MAX {
        distance | (len as u32) << LEN_SHIFT
    } else {
        distance | LONG
    }
}

/// Whether `meta` (without `WEAK_SEEN`) is that of an allocation of exactly
/// one element with its length in `meta`: the common case, told apart from
/// chunks (all low bits set), long allocations ([`LONG`]) and other
/// lengths with one mask and one comparison.
#[inline(always)]
pub(super) const fn is_single_value(meta: u32) -> bool {
    meta & ((1 << DISTANCE_SHIFT) - 1) == 1 << LEN_SHIFT
}

/// The chunk of the allocation `owner` with `meta` (not a chunk's own
/// owner header: see [`chunk_of_owner`]).
///
/// # Safety
///
/// `owner` is an allocation's owner header whose memory is live and `meta`
/// its `meta`.
#[inline(always)]
pub(super) unsafe fn chunk_of_value(
    owner: NonNull<OwnerHeader>,
    meta: u32,
) -> NonNull<ChunkHeader> {
    debug_assert!(meta != CHUNK_META);
    // SAFETY: an allocation's header is `(meta >> DISTANCE_SHIFT) *
    // OWNER_ALIGN` bytes after its chunk's header, in the same allocation
    // (see `value_meta`).
    unsafe {
        owner
            .cast::<u8>()
            .sub((meta >> DISTANCE_SHIFT) as usize * OWNER_ALIGN)
            .cast::<ChunkHeader>()
    }
}

/// The element count of the allocation `owner` with `meta`.
///
/// # Safety
///
/// `owner` is a live allocation's header and `meta` its `meta`.
#[inline(always)]
pub(super) unsafe fn value_len(owner: NonNull<OwnerHeader>, meta: u32) -> usize {
    if meta & LONG == 0 {
        return (meta >> LEN_SHIFT) as usize & SHORT_LEN_MAX;
    }
    // SAFETY: a slice allocation's length is the `usize` right before its
    // owner header (maybe unaligned), written with it.
    unsafe {
        owner
            .cast::<u8>()
            .sub(size_of::<usize>())
            .cast::<usize>()
            .as_ptr()
            .read_unaligned()
    }
}

/// The atomic count of `owner`.
///
/// # Safety
///
/// `owner`'s memory is live for `'a` (the caller holds a reference to it,
/// counted or weak).
#[inline(always)]
pub(super) unsafe fn owner_refs<'a>(owner: NonNull<OwnerHeader>) -> &'a AtomicU32 {
    // SAFETY: initialised when the owner was written; `AtomicU32` permits
    // shared mutation; the reference covers only the field.
    unsafe { &(*owner.as_ptr()).refs }
}

/// The weak count of `chunk`.
///
/// # Safety
///
/// `chunk`'s memory is live for `'a`.
#[inline(always)]
pub(super) unsafe fn chunk_weak<'a>(chunk: NonNull<ChunkHeader>) -> &'a AtomicUsize {
    // SAFETY: as for `owner_refs`.
    unsafe { &(*chunk.as_ptr()).weak }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_offset_respects_alignment() {
        #[repr(align(64))]
        struct A64(#[allow(dead_code)] u8);
        assert_eq!(ChunkLayout::<u8>::DATA_OFFSET, RECORD_SIZE + HEADER_SIZE);
        assert_eq!(ChunkLayout::<A64>::DATA_OFFSET, 128);
        assert_eq!(ChunkLayout::<A64>::HEADER_OFFSET, 128 - HEADER_SIZE);
        const { assert!(ChunkLayout::<A64>::HEADER_OFFSET >= RECORD_SIZE) };
        assert_eq!(ChunkLayout::<A64>::ALIGN, 64);
        assert_eq!(ChunkLayout::<()>::DATA_OFFSET, RECORD_SIZE + HEADER_SIZE);
    }

    #[test]
    fn layout_overflow_is_none() {
        assert!(ChunkLayout::<u64>::layout(isize::MAX as usize).is_none());
        assert!(ChunkLayout::<u64>::layout(1 << 20).is_some());
        assert!(!chunk_size_fits_memory::<u64>(usize::MAX / 8));
        assert!(chunk_size_fits_memory::<u64>(1 << 20));
        assert!(chunk_size_fits_memory::<()>(usize::MAX));
    }

    #[test]
    fn value_cells() {
        #[cfg(not(loom))]
        assert_eq!(OWNER_SIZE, 8);
        // A 32-byte node: 8 bytes of header.
        assert_eq!(ValueLayout::<[u64; 4]>::STRIDE, 32 + OWNER_SIZE);
        assert_eq!(ValueLayout::<u8>::STRIDE, round_up(OWNER_SIZE + 1, 4));
        assert_eq!(ValueLayout::<()>::STRIDE, OWNER_SIZE);
        assert_eq!(
            ValueLayout::<u64>::cell(1, 1),
            Some(ValueLayout::<u64>::STRIDE)
        );
        // Short lengths live in `meta`: an 8-byte head; long ones have
        // their own word before it.
        assert_eq!(ValueLayout::<u64>::cell(3, 2), Some(OWNER_SIZE + 16));
        assert_eq!(
            ValueLayout::<u64>::cell(600, 2),
            Some(ValueLayout::<u64>::HEAD_LONG + 16)
        );
        assert_eq!(ValueLayout::<u64>::cell(usize::MAX, usize::MAX), None);
        assert_eq!(
            ValueLayout::<u64>::region(256),
            256 * ValueLayout::<u64>::STRIDE
        );
        assert!(ValueLayout::<()>::region(usize::MAX) <= ValueLayout::<()>::REGION_MAX);
        // The largest distance still fits `meta` below `CHUNK_META`.
        let far = value_meta(
            HEADER_SIZE + ValueLayout::<u8>::REGION_MAX + (1 << 21),
            600,
            600,
        );
        assert!(far < CHUNK_META && far & LONG != 0);
        let near = value_meta(64, 3, 2);
        assert_eq!(
            (
                (near >> LEN_SHIFT) as usize & SHORT_LEN_MAX,
                near >> DISTANCE_SHIFT
            ),
            (2, 16)
        );
        // Only one-element allocations with their length in `meta` are
        // single values; chunks, long cells and other lengths are not.
        assert!(is_single_value(value_meta(64, 1, 1)));
        assert!(is_single_value(value_meta(64, 3, 1)));
        assert!(!is_single_value(near));
        assert!(!is_single_value(value_meta(64, 0, 0)));
        assert!(!is_single_value(value_meta(64, 600, 1)));
        assert!(!is_single_value(CHUNK_META));
    }
}
