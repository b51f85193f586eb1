//! The atomic counts (see "The counts" in the module docs of `chunk`): an
//! owner's `refs` and a chunk's `weak`. The memory-ordering argument is
//! written next to each atomic operation; it is `std::sync::Arc`'s.

use core::mem;
use core::ptr::NonNull;
#[cfg(not(loom))]
use core::sync::atomic::Ordering;
#[cfg(loom)]
use loom::sync::atomic::Ordering;

use super::abort;
use super::layout::{
    ChunkHeader, OwnerHeader, WEAK_SEEN, chunk_dealloc, chunk_weak, owner_meta, owner_meta_word,
    owner_refs,
};
use super::teardown::owner_died;

/// Largest count before we abort, as `Arc` does past `isize::MAX`: half the
/// range of the `u32` count, so that even many threads racing past the
/// check cannot wrap it around before one of them aborts.
pub(super) const MAX_REFCOUNT: u32 = i32::MAX as u32;
/// The same for a chunk's weak count.
const MAX_WEAK: usize = isize::MAX as usize;

/// Adds a counted reference to `owner`, aborting on overflow.
///
/// # Safety
///
/// The caller owns a counted reference to `owner` (so it is live).
#[inline]
pub(super) unsafe fn owner_retain(owner: NonNull<OwnerHeader>) {
    // SAFETY: the caller's reference keeps the owner live.
    let refs = unsafe { owner_refs(owner) };
    // Relaxed, as in `Arc::clone`: a new reference is only ever made from an
    // existing one, which keeps the owner alive, and passing a handle to
    // another thread synchronises by itself.
    if refs.fetch_add(1, Ordering::Relaxed) > MAX_REFCOUNT {
        abort();
    }
}

/// Adds a counted reference to `owner` unless its count is zero (the
/// weak-handle upgrade). Returns whether it did.
///
/// # Safety
///
/// `owner`'s memory is live: the caller holds a weak reference to its chunk.
#[inline]
pub(super) unsafe fn owner_try_retain(owner: NonNull<OwnerHeader>) -> bool {
    // SAFETY: the caller's weak reference keeps the memory live; a dead
    // owner's `refs` stays readable (and zero) until then.
    let refs = unsafe { owner_refs(owner) };
    let mut current = refs.load(Ordering::Relaxed);
    loop {
        if current == 0 {
            return false;
        }
        if current > MAX_REFCOUNT {
            abort();
        }
        // Acquire on success, as in `Arc::upgrade`: the new reference sees
        // everything done through the references it was derived from. The
        // compare-exchange fails if the last reference went meanwhile (the
        // count is then 0 and stays 0).
        match refs.compare_exchange_weak(current, current + 1, Ordering::Acquire, Ordering::Relaxed)
        {
            Ok(_) => return true,
            Err(seen) => current = seen,
        }
    }
}

/// A snapshot of `owner`'s count of counted references, as
/// `Arc::strong_count` reads it: it may change right after.
///
/// # Safety
///
/// `owner`'s memory is live: the caller holds a reference to it (counted,
/// or weak to its chunk).
#[inline]
pub(super) unsafe fn owner_count(owner: NonNull<OwnerHeader>) -> u32 {
    // SAFETY: the caller's reference keeps the memory live.
    let refs = unsafe { owner_refs(owner) };
    // Relaxed, as in `Arc::strong_count`: a figure, not a synchronisation.
    refs.load(Ordering::Relaxed)
}

/// Whether a weak handle to `owner` was ever made (its `WEAK_SEEN` bit):
/// a snapshot, as [`owner_count`].
///
/// # Safety
///
/// As for [`owner_count`].
#[inline]
pub(super) unsafe fn owner_weak_seen(owner: NonNull<OwnerHeader>) -> bool {
    // SAFETY: the caller's reference keeps the memory live.
    let meta = unsafe { owner_meta_word(owner) };
    // Relaxed: a figure (see `owner_is_unique` for the use that relies on
    // it).
    meta.load(Ordering::Relaxed) & WEAK_SEEN != 0
}

/// Whether the caller's counted reference to `owner` is the only one left
/// and no weak handle to it was ever made: then, for as long as the caller
/// keeps its reference to itself, nobody else can reach the owner's
/// elements (`get_mut`).
///
/// # Safety
///
/// The caller owns a counted reference to `owner`.
#[inline]
pub(super) unsafe fn owner_is_unique(owner: NonNull<OwnerHeader>) -> bool {
    // SAFETY: the caller's reference keeps the owner live.
    let (refs, meta) = unsafe { (owner_refs(owner), owner_meta_word(owner)) };
    // Acquire, as in `Arc::get_mut` and in `owner_release`'s shortcut:
    // reading 1 synchronises with the `Release` decrement of every other
    // reference given up, so their accesses happen-before ours, and the
    // `WEAK_SEEN` bit of any downgrade made through them is visible (see
    // `owner_mark_weak`). With the bit clear no weak handle exists, and
    // none can be made but from the caller's own reference.
    refs.load(Ordering::Acquire) == 1 && meta.load(Ordering::Relaxed) & WEAK_SEEN == 0
}

/// Takes `owner`'s count from one to zero if the caller's reference is the
/// only one (`try_unwrap`). When it does, the owner is dead (weak handles
/// no longer upgrade) and its elements are the caller's; disposing of the
/// owner is up to the caller.
///
/// # Safety
///
/// The caller owns a counted reference to `owner`; if this returns `true`
/// it no longer does.
#[inline]
pub(super) unsafe fn owner_take_unique(owner: NonNull<OwnerHeader>) -> bool {
    // SAFETY: the caller's reference keeps the owner live.
    let refs = unsafe { owner_refs(owner) };
    // Acquire on success, as `Arc::try_unwrap`'s fence: every access through
    // the references given up happens-before the caller takes the elements.
    // A weak upgrade racing us either made the count 2 first (we fail) or
    // finds 0 (it fails).
    refs.compare_exchange(1, 0, Ordering::Acquire, Ordering::Relaxed)
        .is_ok()
}

/// Gives up the caller's counted reference to `owner` and says whether it
/// was the last (`into_inner`), without disposing of the owner: if it was,
/// the owner is dead and disposing of it is up to the caller.
///
/// # Safety
///
/// The caller owns a counted reference to `owner` and does not use it
/// afterwards.
#[inline]
pub(super) unsafe fn owner_release_is_last(owner: NonNull<OwnerHeader>) -> bool {
    // SAFETY: the caller's reference keeps the owner live until it is given
    // up.
    let refs = unsafe { owner_refs(owner) };
    // Release and Acquire: as in `owner_release`.
    if refs.fetch_sub(1, Ordering::Release) != 1 {
        return false;
    }
    refs.load(Ordering::Acquire);
    true
}

/// A snapshot of the weak handles into `chunk`: its weak count without the
/// implicit weak reference of the strong side, as `Arc::weak_count` reads
/// it.
///
/// # Safety
///
/// The caller holds a reference to `chunk` (counted, or weak), and the
/// chunk's count has not reached zero (so the implicit reference is still
/// there).
#[inline]
pub(super) unsafe fn chunk_weak_handles(chunk: NonNull<ChunkHeader>) -> usize {
    // SAFETY: the caller's reference keeps the memory live.
    let weak = unsafe { chunk_weak(chunk) };
    // Relaxed: a figure, as in `Arc::weak_count`.
    weak.load(Ordering::Relaxed).saturating_sub(1)
}

/// Brings an owner made with a count of zero (`alloc_cyclic`'s cell,
/// whose value was just written) to life with its first counted reference,
/// which the caller then owns.
///
/// # Safety
///
/// `owner` is such an owner: live memory, count zero, its elements written
/// by the caller, no counted reference to it ever given out.
#[inline]
pub(super) unsafe fn owner_publish(owner: NonNull<OwnerHeader>) {
    // SAFETY: the caller keeps the memory live.
    let refs = unsafe { owner_refs(owner) };
    // Release: a weak handle's upgrade that reads the 1 (its `Acquire`
    // compare-exchange) sees the elements written before, as
    // `Arc::new_cyclic`'s store does. Before it, upgrades read 0 and fail.
    refs.store(1, Ordering::Release);
}

/// Whether `owner` is dead: its count reached zero, and stays zero (no
/// reference is made from a count of zero, see [`owner_try_retain`]). A
/// `false` answer may be out of date by the time the caller reads it; a
/// `true` one never is, but for an owner that `alloc_cyclic` is still
/// building (count zero until [`owner_publish`]), to which no interning
/// table, the one caller, holds a weak handle.
///
/// # Safety
///
/// `owner`'s memory is live: the caller holds a weak reference to its chunk.
#[cfg(feature = "std")]
#[inline]
pub(super) unsafe fn owner_is_dead(owner: NonNull<OwnerHeader>) -> bool {
    // SAFETY: the caller's weak reference keeps the memory live; a dead
    // owner's `refs` stays readable (and zero) until then.
    let refs = unsafe { owner_refs(owner) };
    // Relaxed: the answer only decides whether the caller gives up its weak
    // reference (an interning table forgetting a dead value); nothing is
    // read through the owner on the strength of it.
    refs.load(Ordering::Relaxed) == 0
}

/// Records that a weak handle to `owner` is about to exist: sets
/// `WEAK_SEEN` in its `meta`.
///
/// # Safety
///
/// The caller owns a counted reference to `owner`.
#[inline]
pub(super) unsafe fn owner_mark_weak(owner: NonNull<OwnerHeader>) {
    // SAFETY: the caller's reference keeps the owner live.
    let meta = unsafe { owner_meta_word(owner) };
    // Relaxed: the bit is never cleared, and it is set while the caller
    // still holds its counted reference. A thread that later reads
    // `refs == 1` with `Acquire` (see `owner_release`) holds the only
    // reference left, so the caller's was given up before, with a
    // `Release` decrement that comes after this `fetch_or` in the caller's
    // order; that thread's `Acquire` synchronises with the decrement, so its
    // later read of `meta` sees the bit. (If the caller's reference is that
    // thread's own, it sees its own write.)
    if meta.load(Ordering::Relaxed) & WEAK_SEEN == 0 {
        meta.fetch_or(WEAK_SEEN, Ordering::Relaxed);
    }
}

/// Gives up one counted reference to `owner`, whose elements are `T`s,
/// disposing of it if that was the last.
///
/// # Safety
///
/// The caller owns a counted reference to `owner` and does not use it (or
/// the owner, through it) afterwards.
#[inline]
pub(super) unsafe fn owner_release<T>(owner: NonNull<OwnerHeader>) {
    // SAFETY: the caller's reference keeps the owner live until it is given
    // up below.
    let (refs, meta) = unsafe { (owner_refs(owner), owner_meta_word(owner)) };
    // Acquire: reading exactly 1 means ours is the only reference; with no
    // `WEAK_SEEN` (see `owner_mark_weak` for why the bit is visible then),
    // no weak handle exists either, so nobody can make another reference:
    // we are the last, with no read-modify-write. Reading the latest value
    // of the count synchronises with every earlier `Release` decrement (they
    // form one release sequence), as the `Acquire` below does.
    //
    // Only for types with drop glue, whose values have owners of their own
    // (in cycle-aware pools) and whose last handles are dropped all the time,
    // in whole trees: for the others it would be one more load before every
    // decrement (measured: clone + drop of a `u64` handle 10% slower).
    if mem::needs_drop::<T>() && refs.load(Ordering::Acquire) == 1 {
        // Read after the count (see `owner_mark_weak`).
        let meta = meta.load(Ordering::Relaxed);
        if meta & WEAK_SEEN == 0 {
            // SAFETY: ours was the last reference; `meta` is the owner's.
            return unsafe { owner_died::<T>(owner, meta) };
        }
    }
    // Release: every use of the owner through this reference happens-before
    // its elements are dropped, whichever thread drops them.
    if refs.fetch_sub(1, Ordering::Release) != 1 {
        return;
    }
    // Acquire: we read the zero we wrote, which ends the release sequence of
    // every other owner's decrement, so all their accesses are complete
    // before we drop and free. (`Arc` uses a fence; a load is equivalent
    // here and ThreadSanitizer understands it.)
    refs.load(Ordering::Acquire);
    // SAFETY: the count reached zero; we were the last holder; the owner's
    // memory stays live until it is disposed of.
    unsafe { owner_died::<T>(owner, owner_meta(owner)) }
}

/// Gives up `n` counted references to `owner` at once (an allocator
/// letting go of its chunk), disposing of it if they were the last.
///
/// # Safety
///
/// The caller owns `n >= 1` counted references to `owner` and does not use
/// them afterwards.
#[inline]
pub(super) unsafe fn owner_release_many<T>(owner: NonNull<OwnerHeader>, n: u32) {
    // SAFETY: the caller's references keep the owner live until this
    // decrement.
    let refs = unsafe { owner_refs(owner) };
    // Release and Acquire: as in `owner_release`.
    let old = refs.fetch_sub(n, Ordering::Release);
    debug_assert!(old >= n, "arena-arc: refcount underflow");
    if old != n {
        return;
    }
    refs.load(Ordering::Acquire);
    // SAFETY: the count reached zero; we were the last holder.
    unsafe { owner_died::<T>(owner, owner_meta(owner)) }
}

/// Whether `owner`'s count is exactly `n` references, all held by the
/// caller, with an `Acquire` load: then nobody else holds one (and, with no
/// weak reference to its chunk either, nobody else can reach it), and every
/// access through the references given up is complete.
///
/// # Safety
///
/// The caller owns `n` counted references to `owner`.
#[inline]
pub(super) unsafe fn owner_count_is(owner: NonNull<OwnerHeader>, n: u32) -> bool {
    // SAFETY: the caller's references keep the owner live.
    let refs = unsafe { owner_refs(owner) };
    // Acquire, as in `Arc::get_mut`: pairs with the `Release` decrements of
    // the references given up on other threads.
    refs.load(Ordering::Acquire) == n
}

/// Sets `owner`'s count to `n`.
///
/// # Safety
///
/// The caller owns every counted reference to `owner` and nobody else can
/// reach it (see [`owner_count_is`]).
#[inline]
pub(super) unsafe fn owner_reset_count(owner: NonNull<OwnerHeader>, n: u32) {
    // SAFETY: the caller's references keep the owner live.
    let refs = unsafe { owner_refs(owner) };
    // Relaxed: nobody else can observe the count until a new reference is
    // handed out, which synchronises by itself.
    refs.store(n, Ordering::Relaxed);
}

/// Adds a weak reference to `chunk`, aborting on overflow.
///
/// # Safety
///
/// The caller holds a reference to `chunk` (counted, or weak).
#[inline]
pub(super) unsafe fn chunk_weak_retain(chunk: NonNull<ChunkHeader>) {
    // SAFETY: the caller's reference keeps the memory live.
    let weak = unsafe { chunk_weak(chunk) };
    // Relaxed, as in `Arc::downgrade` and `Weak::clone`.
    if weak.fetch_add(1, Ordering::Relaxed) > MAX_WEAK {
        abort();
    }
}

/// Whether `chunk` has no weak reference but the implicit one, with an
/// `Acquire` load (pairs with the `Release` decrements of dropped weak
/// handles).
///
/// # Safety
///
/// The caller holds a counted reference to `chunk`.
#[inline]
pub(super) unsafe fn chunk_has_no_weak(chunk: NonNull<ChunkHeader>) -> bool {
    // SAFETY: the caller's reference keeps the memory live.
    unsafe { chunk_weak(chunk) }.load(Ordering::Acquire) == 1
}

/// Gives up a weak reference to `chunk` (a weak handle's, or the implicit
/// one once the chunk's count reached zero), deallocating the memory if it
/// was the last.
///
/// # Safety
///
/// The caller owns a weak reference to `chunk` and does not use it
/// afterwards; when it is the implicit one, every element is dropped.
#[inline]
pub(super) unsafe fn chunk_weak_release(chunk: NonNull<ChunkHeader>) {
    // SAFETY: the caller's reference keeps the memory live until it is
    // given up.
    let weak = unsafe { chunk_weak(chunk) };
    // Acquire shortcut and Release/Acquire decrement: as in `owner_release`
    // (a weak reference is only made from a reference, so reading 1 proves
    // ours is the last).
    if weak.load(Ordering::Acquire) != 1 {
        if weak.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        weak.load(Ordering::Acquire);
    }
    // SAFETY: no reference of any kind is left.
    unsafe { chunk_dealloc(chunk) }
}
