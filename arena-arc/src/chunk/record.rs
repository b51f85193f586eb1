//! A pool's record: the live statistics and the allocation limit, shared by
//! the pool and the chunks it made, and kept in the memory of one of them.
//!
//! Chunks outlive their pool, and each tells the record when it is
//! deallocated, so the record must outlive them all. It is not a heap
//! allocation of its own (a pool that makes a few chunks allocates nothing
//! else): every chunk has room for a record right before its header, and a
//! pool's record lives in the room of its first current chunk, the *host*,
//! made there when the pool first needs it: when it leaves that chunk or
//! makes one that is not current, lends room to a builder that grows
//! alone, or joins an `#[arena]` limit. Until then its only chunk reports
//! to nobody and the pool's figures are that chunk's: a pool that never
//! leaves its first chunk costs no more than the chunk.
//!
//! ```text
//! base                              chunk (header)
//! |  padding  | PoolRecord (host)  | ChunkHeader ... | data
//! ```
//!
//! # Counts
//!
//! * `refs`: one for the pool, one per chunk *attached* to the record (every
//!   chunk the pool made, from its creation or, for a chunk made to become
//!   current, from when it did; the host too), one per builder growing
//!   without its pool, one per `#[arena]` limit the pool is a member of.
//!   Increments `Relaxed`, decrements `Release`, and whoever takes it to
//!   zero loads with `Acquire` before freeing the host's memory, as in `Arc`.
//!   A host deallocated while it holds the last reference (an `Acquire`
//!   load reads 1) frees the memory at once, without updating the figures
//!   or the count: nobody else can reach the record or take a reference to
//!   it. The pool gives its reference back before its current chunk for
//!   that, so that a fresh pool dropped after its handles costs one
//!   decrement, not three.
//! * The host is deallocated like any chunk (its values dropped when its
//!   count reaches zero, its weak count as usual), except that its memory
//!   is not freed then: it gives its reference back, and the memory is
//!   freed by whoever gives back the last one (`RecordRef::drop`), which is
//!   the host itself if it goes last. The host's memory thus outlives the
//!   record, and nothing else about the host changes.
//! * `holders`: the references that are not chunks' (the pool, lone
//!   builders, arena limits), so that `refs - holders` is the number of
//!   chunks attached and not deallocated yet (the host too, until it is):
//!   a chunk costs the record one increment and one decrement of `refs`
//!   and of `live_bytes`, their bytes. What handles, builders and the pool
//!   keep alive. `retained_bytes`: the host's, once it
//!   is deallocated and its memory kept for the record. Limits bound the
//!   sum, the memory held. (`Relaxed`: statistics, and a limit that a racing
//!   deallocation can only make more permissive.)
//!
//! The cost: the memory (not the values) of one chunk per pool, the host's,
//! stays allocated while the pool or any of its chunks is alive. The host
//! is never a chunk dedicated to one large request (those are never
//! current), so the memory kept is a regular chunk's.

use alloc::sync::Arc;
use core::alloc::Layout;
use core::ptr::{self, NonNull};
use core::sync::atomic::AtomicPtr;
use core::sync::atomic::AtomicUsize as PlainAtomicUsize;
#[cfg(not(loom))]
use core::sync::atomic::{AtomicUsize, Ordering, fence};
#[cfg(loom)]
use loom::sync::atomic::{AtomicUsize, Ordering, fence};

use super::layout::{ChunkHeader, chunk_free_memory};
use crate::error::AllocError;

/// The shared part of a pool: see the module docs.
#[repr(C)]
pub(crate) struct PoolRecord {
    /// The pool, attached chunks, lone builders and arena limits. (A loom
    /// atomic under loom, which then checks the protocol of the last
    /// reference; the figures below are plain: statistics.)
    refs: AtomicUsize,
    /// The references held by the pool, lone builders and arena limits.
    holders: PlainAtomicUsize,
    /// Bytes of those chunks (whole heap allocations).
    live_bytes: PlainAtomicUsize,
    /// Bytes of the host once it is deallocated, its memory kept for the
    /// record; 0 before.
    retained_bytes: PlainAtomicUsize,
    /// The pool's allocation limit in bytes; `usize::MAX` for none.
    limit: PlainAtomicUsize,
    /// Under loom, the record's memory as loom sees it: every use reads it,
    /// and freeing the host writes it, so loom checks that every use
    /// happens-before the memory is freed.
    #[cfg(loom)]
    memory: loom::cell::UnsafeCell<()>,
}

/// Bytes of the room for a record before every chunk header.
pub(super) const RECORD_SIZE: usize = size_of::<PoolRecord>();
const _: () = assert!(align_of::<PoolRecord>() <= align_of::<ChunkHeader>());
const _: () = assert!(RECORD_SIZE.is_multiple_of(align_of::<ChunkHeader>()));

/// `usize::MAX` for no limit.
const NO_LIMIT: usize = usize::MAX;

/// One counted reference to a [`PoolRecord`].
pub(crate) struct RecordRef(NonNull<PoolRecord>);

// SAFETY: the record is only reached through atomics, and the last
// reference gives up the host's memory with the ordering of `Arc`.
unsafe impl Send for RecordRef {}
// SAFETY: as above; `&RecordRef` only loads and stores atomics.
unsafe impl Sync for RecordRef {}

/// The room for a record before `chunk`'s header.
fn record_room(chunk: NonNull<ChunkHeader>) -> NonNull<PoolRecord> {
    // SAFETY: every chunk has `RECORD_SIZE` bytes before its header
    // (`ChunkLayout::HEADER_OFFSET >= RECORD_SIZE`), in the same allocation;
    // no access.
    unsafe { chunk.cast::<u8>().sub(RECORD_SIZE).cast::<PoolRecord>() }
}

impl RecordRef {
    /// Makes `chunk` the host of a new record, which counts it live, holds
    /// its reference (in its header's `pool`, as for an attached chunk) and
    /// whose other reference is returned (the pool's).
    ///
    /// # Safety
    ///
    /// The caller is `chunk`'s unique writer and holds a counted reference
    /// to it; `chunk` reports to no record and hosts none.
    pub(super) unsafe fn host(chunk: NonNull<ChunkHeader>, limit: Option<usize>) -> RecordRef {
        let record = record_room(chunk);
        // SAFETY: the room is `chunk`'s, unused (it hosts no record) and
        // aligned (checked above); nobody else reads it before we hand the
        // reference out. `size` is immutable; `pool` is written by the
        // unique writer, read at deallocation (see `chunk_attach`).
        unsafe {
            let header = chunk.as_ptr();
            debug_assert!((&raw const (*header).pool).read().is_null());
            let size = (&raw const (*header).size).read();
            record.as_ptr().write(PoolRecord {
                refs: AtomicUsize::new(2),
                holders: PlainAtomicUsize::new(1),
                live_bytes: PlainAtomicUsize::new(size),
                retained_bytes: PlainAtomicUsize::new(0),
                limit: PlainAtomicUsize::new(limit.unwrap_or(NO_LIMIT)),
                #[cfg(loom)]
                memory: loom::cell::UnsafeCell::new(()),
            });
            (&raw mut (*header).pool).write(record.as_ptr().cast_const());
        }
        RecordRef(record)
    }

    /// Whether `record`, the `pool` of `chunk`, is hosted by `chunk`.
    pub(super) fn is_room_of(record: *const PoolRecord, chunk: NonNull<ChunkHeader>) -> bool {
        ptr::eq(record, record_room(chunk).as_ptr())
    }

    /// The host, of `size` bytes, is deallocated: it is no longer live, its
    /// memory is retained, and its reference given back (the memory is
    /// freed by the last reference, at once if that is the host's).
    ///
    /// # Safety
    ///
    /// `record` is hosted by a chunk being deallocated, which held it.
    pub(super) unsafe fn release_host(record: *const PoolRecord, size: usize) {
        // SAFETY: by the precondition, a counted reference.
        let record = unsafe { RecordRef::from_raw(record) };
        let counts = record.record();
        // The last reference (the pool and every other chunk gone): nobody
        // else can reach the record, or make a reference to it (that takes
        // one), so no statistic needs updating. `Acquire` pairs with the
        // `Release` decrements of the references given back, as the last
        // `fetch_sub` in `drop` would: their uses of the record
        // happen-before the memory is freed.
        if counts.refs.load(Ordering::Acquire) == 1 {
            let last = core::mem::ManuallyDrop::new(record).0;
            // SAFETY: the record's last reference, given up here; see above
            // for the ordering.
            unsafe { free_host(last) };
            return;
        }
        counts.retained_bytes.store(size, Ordering::Relaxed);
        counts.live_bytes.fetch_sub(size, Ordering::Relaxed);
    }

    fn record(&self) -> &PoolRecord {
        // SAFETY: our counted reference keeps the record, and its host's
        // memory, alive; the record is only reached through atomics.
        let record = unsafe { self.0.as_ref() };
        #[cfg(loom)]
        record.memory.with(|_| ());
        record
    }

    /// Attaches `chunk` (`size` bytes): it counts as live and holds a
    /// reference, given back by [`RecordRef::detach`] when it is
    /// deallocated. Returns the pointer to store in the chunk's header.
    pub(super) fn attach(&self, size: usize) -> *const PoolRecord {
        self.record().live_bytes.fetch_add(size, Ordering::Relaxed);
        self.clone().into_raw()
    }

    /// A deallocated chunk of `size` bytes, attached to `record`, gives its
    /// reference back.
    ///
    /// # Safety
    ///
    /// `record` came from [`RecordRef::attach`], and the chunk that held it
    /// gives it back once.
    pub(super) unsafe fn detach(record: *const PoolRecord, size: usize) {
        // SAFETY: by the precondition, a counted reference.
        let record = unsafe { RecordRef::from_raw(record) };
        record
            .record()
            .live_bytes
            .fetch_sub(size, Ordering::Relaxed);
    }

    fn into_raw(self) -> *const PoolRecord {
        let raw = self.0.as_ptr().cast_const();
        core::mem::forget(self);
        raw
    }

    /// # Safety
    ///
    /// `raw` came from [`RecordRef::into_raw`] and is taken back once.
    unsafe fn from_raw(raw: *const PoolRecord) -> RecordRef {
        // SAFETY: non-null, by the precondition.
        RecordRef(unsafe { NonNull::new_unchecked(raw.cast_mut()) })
    }

    /// `(chunks, bytes)` live.
    pub(crate) fn live(&self) -> (usize, usize) {
        let record = self.record();
        let refs = record.refs.load(Ordering::Relaxed);
        let holders = record.holders.load(Ordering::Relaxed);
        (
            refs.saturating_sub(holders),
            record.live_bytes.load(Ordering::Relaxed),
        )
    }

    /// Another reference for a holder that is not a chunk (a lone builder,
    /// an arena limit).
    pub(crate) fn holder(&self) -> Holder {
        self.record().holders.fetch_add(1, Ordering::Relaxed);
        Holder(self.clone())
    }

    /// The bytes of memory held: live, and retained for the record. What
    /// limits bound.
    pub(crate) fn held_bytes(&self) -> usize {
        self.record().held_bytes()
    }

    /// Sets the pool's limit.
    pub(crate) fn set_limit(&self, limit: Option<usize>) {
        self.record()
            .limit
            .store(limit.unwrap_or(NO_LIMIT), Ordering::Relaxed);
    }

    /// Whether a new chunk of `layout` fits the pool's limit.
    pub(crate) fn check(&self, layout: Layout) -> Result<(), AllocError> {
        let record = self.record();
        check_limit(
            record.limit.load(Ordering::Relaxed),
            record.held_bytes(),
            layout,
        )
    }
}

/// Whether a chunk of `layout` fits `limit` with `live` bytes live.
pub(crate) fn check_limit(limit: usize, live: usize, layout: Layout) -> Result<(), AllocError> {
    if limit != NO_LIMIT && live.saturating_add(layout.size()) > limit {
        return Err(AllocError::limit_reached(limit, live, layout));
    }
    Ok(())
}

impl PoolRecord {
    fn held_bytes(&self) -> usize {
        let live = self.live_bytes.load(Ordering::Relaxed);
        live.saturating_add(self.retained_bytes.load(Ordering::Relaxed))
    }
}

/// A record reached without a count of its own, through something that
/// holds a chunk attached to it or hosting it: that chunk's reference keeps
/// the record, for as long as the chunk is held.
#[derive(Clone, Copy)]
pub(crate) struct RecordView(NonNull<PoolRecord>);

impl RecordRef {
    /// The record, for a holder of one of its chunks.
    pub(crate) fn view(&self) -> RecordView {
        RecordView(self.0)
    }
}

impl RecordView {
    /// The record, as a reference that gives no count back when dropped.
    ///
    /// # Safety
    ///
    /// The record is alive for as long as the result is used: the caller
    /// holds a counted reference to a chunk attached to it or hosting it.
    pub(crate) unsafe fn get(self) -> core::mem::ManuallyDrop<RecordRef> {
        core::mem::ManuallyDrop::new(RecordRef(self.0))
    }
}

/// A reference to a record held by something that is not a chunk (counted
/// in `holders` too).
pub(crate) struct Holder(RecordRef);

impl Holder {
    /// The record.
    pub(crate) fn record(&self) -> &RecordRef {
        &self.0
    }

    fn into_raw(self) -> *const PoolRecord {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: read once; `this` is not dropped.
        unsafe { ptr::read(&this.0) }.into_raw()
    }

    /// # Safety
    ///
    /// `raw` came from [`Holder::into_raw`] and is taken back once.
    unsafe fn from_raw(raw: *const PoolRecord) -> Holder {
        // SAFETY: by the precondition.
        Holder(unsafe { RecordRef::from_raw(raw) })
    }
}

impl Drop for Holder {
    fn drop(&mut self) {
        self.0.record().holders.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Clone for RecordRef {
    fn clone(&self) -> Self {
        // Relaxed, as `Arc::clone`: a reference is made from a reference. A
        // count past `isize::MAX` would need more chunks and builders than
        // memory holds.
        self.record().refs.fetch_add(1, Ordering::Relaxed);
        RecordRef(self.0)
    }
}

impl Drop for RecordRef {
    fn drop(&mut self) {
        // Release, then Acquire by the last: every use of the record
        // happens-before its host's memory is given up, as in `Arc`.
        if self.record().refs.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        fence(Ordering::Acquire);
        // SAFETY: that was the last reference, given up here.
        unsafe { free_host(self.0) };
    }
}

/// Drops `record` in place and frees its host's memory.
///
/// # Safety
///
/// The caller gives up the record's last reference, and whoever gave back
/// the others happens-before this call (a `Release` decrement each, read
/// with `Acquire` by the caller).
unsafe fn free_host(record: NonNull<PoolRecord>) {
    // SAFETY: the record sits right before its host's header, in the same
    // allocation.
    let host = unsafe { record.cast::<u8>().add(RECORD_SIZE).cast::<ChunkHeader>() };
    // SAFETY: the host held a reference until it was deallocated (its values
    // dropped, no handle left), so it was; no reference to the record is
    // left, so nobody reaches the memory any more. The record is dropped in
    // place first (a no-op but for loom's atomic).
    unsafe {
        #[cfg(loom)]
        (*record.as_ptr()).memory.with_mut(|_| ());
        ptr::drop_in_place(record.as_ptr());
        chunk_free_memory(host);
    }
}

/// The limit of an `#[arena]` struct: its pools together may keep at most
/// `limit` bytes of chunks live. Each pool holds an `Arc` of it; each slot
/// holds a counted reference to a member pool's record, once it has one.
pub(crate) struct ArenaLimit {
    limit: PlainAtomicUsize,
    members: alloc::boxed::Box<[AtomicPtr<PoolRecord>]>,
}

impl ArenaLimit {
    /// A limit for `members` pools.
    pub(crate) fn new(limit: usize, members: usize) -> Arc<ArenaLimit> {
        Arc::new(ArenaLimit {
            limit: PlainAtomicUsize::new(limit),
            members: (0..members)
                .map(|_| AtomicPtr::new(ptr::null_mut()))
                .collect(),
        })
    }

    /// The limit in bytes.
    pub(crate) fn limit(&self) -> usize {
        self.limit.load(Ordering::Relaxed)
    }

    /// Sets the limit.
    pub(crate) fn set_limit(&self, limit: usize) {
        self.limit.store(limit, Ordering::Relaxed);
    }

    /// Records that member `slot`'s record is `record`, if the slot has
    /// none yet.
    pub(crate) fn join(&self, slot: usize, record: &RecordRef) {
        let Some(member) = self.members.get(slot) else {
            return;
        };
        if !member.load(Ordering::Acquire).is_null() {
            return;
        }
        let raw = Holder::into_raw(record.holder()).cast_mut();
        if member
            .compare_exchange(ptr::null_mut(), raw, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // SAFETY: `raw` was made just above and was not stored.
            drop(unsafe { Holder::from_raw(raw) });
        }
    }

    /// The bytes held by every member.
    pub(crate) fn held_bytes(&self) -> usize {
        let mut sum = 0usize;
        for member in &*self.members {
            let raw = member.load(Ordering::Acquire);
            if !raw.is_null() {
                // SAFETY: a stored pointer is a counted reference owned by
                // the slot until `self` is dropped, and `&self` is live.
                sum = sum.saturating_add(unsafe { (*raw).held_bytes() });
            }
        }
        sum
    }

    /// Whether a new chunk of `layout` fits the limit.
    pub(crate) fn check(&self, layout: Layout) -> Result<(), AllocError> {
        check_limit(self.limit(), self.held_bytes(), layout)
    }
}

impl Drop for ArenaLimit {
    fn drop(&mut self) {
        for member in &*self.members {
            let raw = member.load(Ordering::Acquire);
            if !raw.is_null() {
                // SAFETY: the slot's counted reference, given back once.
                drop(unsafe { Holder::from_raw(raw) });
            }
        }
    }
}

impl core::fmt::Debug for ArenaLimit {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ArenaLimit")
            .field("limit", &self.limit())
            .field("held_bytes", &self.held_bytes())
            .finish()
    }
}
