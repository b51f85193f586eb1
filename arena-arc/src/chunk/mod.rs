//! Chunks, owners and their counts, the raw handles, and the bump
//! allocator's raw state.
//!
//! **All of the crate's `unsafe` code lives in this folder.** Everything
//! outside it is safe code built on [`RawSlice`], [`RawSingle`], [`RawStr`],
//! [`RawWeakSingle`], [`RawWeakSlice`], [`RawWeakStr`], [`Bump`], [`SlotWriter`],
//! the reservations ([`ReservedSingle`], [`ReservedSlice`],
//! [`ReservedCyclic`]) and `PerThreadPool`; the handles' public `unsafe fn
//! from_raw` are defined here too (`pointers.rs`). The
//! ownership protocol is stated once, here; each file names the part of it
//! that it implements:
//!
//! | file | what |
//! | --- | --- |
//! | `layout.rs` | the headers, where they sit, chunk allocation and deallocation |
//! | `record.rs` | a pool's record (live statistics, allocation limit), kept in one of its chunks |
//! | `cache.rs` | the per-thread cache of freed chunk memory that allocation draws on |
//! | `counts.rs` | the atomic counts: retain, release, upgrade, weak references |
//! | `teardown.rs` | what happens when a count reaches zero, iteratively |
//! | `raw.rs` | the raw handles |
//! | `pointers.rs` | the handles' `into_raw` and `from_raw` |
//! | `bump.rs` | the allocator: writing elements, placement, pre-counted references, reserved cells and slices |
//! | `local.rs` | the cell of a per-thread pool: who is using it, and the hot path |
//!
//! # Chunks, allocations and owners
//!
//! A *chunk* is one heap allocation holding elements of one type `T`. Each
//! allocation request (`alloc_value`, `alloc_slice_copy`, ...) writes a run
//! of elements into a chunk: an *allocation*. Every handle points at
//! elements of one *owner* and owns one counted reference to it. An owner
//! is either
//!
//! * a **chunk**, in *plain* mode (an [`Allocator`](crate::Allocator) that
//!   was not asked to break cycles: arena-arc 0.1.2's model). All handles
//!   into the chunk share its count, and its elements are dropped together
//!   when the count reaches zero; or
//! * an **allocation**, in *per-value* mode (cycle-aware pools: the
//!   derive's per-thread and `_in` pools, `#[arena]` structs,
//!   [`Allocator::break_cycles`](crate::Allocator::break_cycles), for
//!   element types with drop glue). Each allocation has its own count; its
//!   elements are dropped as soon as it reaches zero, and the allocation
//!   then gives back the one counted reference to its chunk that it held.
//!
//! Every owner starts with an [`OwnerHeader`] `{ meta, refs }` that ends
//! exactly where the owner's first element starts. A slice handle stores a
//! pointer to its first element and that element's index in the owner, so
//! it finds the count at `ptr - index * size_of::<T>() - 8` whatever the
//! owner is; a single handle stores its element and the owner header's
//! address itself. Cloning is one increment and dropping one decrement of
//! that word, as for `Arc`, and the handle never needs to know the mode. `meta`
//! says what the owner is (and, for an allocation, where its chunk header
//! is and how many elements it has, or that a length word precedes the
//! header), and carries the `WEAK_SEEN` flag (below).
//!
//! ```text
//! plain chunk:     [ChunkHeader .. {meta = CHUNK, refs}][T][T][T][T] ... (N slots)
//! per-value chunk: [ChunkHeader .. {meta = CHUNK, refs}][{meta, refs}][T][{meta, refs}][T][T] ...
//!                                                        \ one value   / \ a short slice  /
//!                  ...[len][{meta | LONG, refs}][T][T][T] ...  (more than 511 elements)
//! ```
//!
//! # The counts
//!
//! * `refs` of an **allocation**: one per strong handle to it. At zero its
//!   elements are dropped and it releases its chunk reference.
//! * `refs` of a **chunk**: counted references to the chunk. Holders: the
//!   allocator, for its current chunk (pre-counted: the chunk is created
//!   with one reference per allocation it may still hand out plus one of
//!   its own, and handing one out moves it with no atomic operation; the
//!   allocator derives how many it still holds from its cursor and gives
//!   them all back with one `fetch_sub` when it lets go); every handle, in
//!   plain mode; every live allocation, in per-value mode. At zero the chunk
//!   drops its first `init_len` elements (plain mode; 0 in per-value mode,
//!   where every allocation dropped its own) and releases the implicit weak
//!   reference below.
//! * `weak` of a **chunk**: one per weak handle into the chunk, plus one
//!   held by the strong side as a whole (as in `Arc`). At zero the memory
//!   is deallocated. Weak handles thus keep memory, never values, alive.
//!
//! Increments are `Relaxed` and decrements `Release`, followed by an
//! `Acquire` load by whoever reaches zero, exactly as in `std::sync::Arc`:
//! every access through a reference happens-before the value is dropped and
//! the memory freed, on whatever thread. A count aborts the process past
//! `i32::MAX` ([`counts::MAX_REFCOUNT`]), like `Arc` past `isize::MAX`.
//!
//! A handle that finds `refs == 1` with an `Acquire` load is the only one
//! left, and needs no read-modify-write to know it: nobody can make a new
//! reference without holding one, unless a weak handle upgrades. So the
//! first downgrade of an owner sets the `WEAK_SEEN` bit in its `meta`, and
//! `refs == 1` with the bit clear proves that no weak handle exists (see
//! `counts.rs` for why the bit is visible then). `get_mut` relies on the
//! same proof: the handle it borrows mutably is the only way to the owner.
//!
//! Two more ways a count moves, for std's `Arc` API:
//!
//! * `try_unwrap` and `into_inner` take an owner's count from one to zero
//!   themselves (a compare-exchange, or the last decrement) and then move
//!   the element out instead of dropping it. Only an owner that will not
//!   drop it later qualifies: an allocation of exactly that element (it
//!   gives back its chunk reference, and its cell is never read again), or
//!   a plain chunk of a type without drop glue (freed, dropping nothing).
//!   An element of a larger allocation, or of a plain chunk of a type with
//!   drop glue, stays where it is.
//! * `alloc_cyclic`'s owner ([`ReservedCyclic`]) is written with a count
//!   of zero and `WEAK_SEEN`, before its value: weak handles to it exist and
//!   fail to upgrade, like those of a dead owner, until the value is written
//!   and the count set to one with a `Release` store. In a plain pool it gets
//!   a chunk of its own laid out per value, since a weak handle into a plain
//!   chunk would find the chunk's count, never zero.
//!
//! # Why per-value counting frees every acyclic graph
//!
//! In per-value mode a chunk reference is held only by its allocator and by
//! live allocations *of that chunk*; handles stored in elements count on
//! the allocations they point to, never on a chunk. So when the last
//! outside handle to a graph goes, its root allocation reaches zero and
//! drops its elements, which drop their handles, and so on: an acyclic
//! graph is freed whatever pools, chunks and threads its nodes are in, and
//! a chunk is freed once its allocations are all dead and its allocator
//! has moved on. Only a cycle of strong handles leaks, exactly as with
//! `Arc`. An element's `Drop` runs while the handles in its fields are
//! still alive (they are dropped after it), so it can read its children.
//!
//! In plain mode a handle in an element counts on the whole chunk it points
//! into; a node pointing into its own chunk keeps it alive (0.1.2's
//! behaviour, which its tests pin down).
//!
//! # Freeing iteratively
//!
//! Dropping an owner's elements can take other counts to zero. With `std`,
//! nested disposals run directly while they use little stack below the
//! outermost one; deeper ones are queued on a thread-local list and disposed
//! of by the outermost one, in a loop. A chain of a million nodes is freed in
//! constant stack. Meanwhile the chunk references that dead allocations give
//! back are taken over by the disposing thread and given back per chunk in
//! one `fetch_sub` (see `teardown.rs`); until then they keep the chunk
//! alive, which is always allowed.
//!
//! # The pool's record and its limits
//!
//! Each pool has a record of its live chunks and bytes and its allocation
//! limit, shared with every chunk it made, which reports there when it is
//! deallocated (chunks outlive their pool). The record is no heap allocation
//! of its own: every chunk keeps room for one before its header, and the
//! pool's first current chunk hosts it, from when the pool first needs it
//! (a pool that never leaves that chunk has none). Every chunk of the pool holds a
//! counted reference to the record (the host too, given back when the host
//! is deallocated), and the last reference frees the host's memory, which
//! thus outlives the record (see `record.rs`). Limits are checked where a
//! chunk is made ([`Bump`]'s `new_chunk`, a lone builder's growth), never on
//! the bump path; a refused chunk is an `AllocError`, returned before any
//! state changes, which the methods that do not return errors raise.
//!
//! # Aliasing
//!
//! * No reference to a header as a whole is ever formed: atomics are
//!   reached through field projections, plain fields through raw reads and
//!   writes.
//! * A handle only forms references to its own elements, which are
//!   initialised before the handle exists and never written again while it
//!   lives.
//! * The allocator only writes free memory, at or after its cursor, which
//!   no handle covers; it rewinds a per-value chunk only when no allocation
//!   in it is alive and no weak handle points into it.

mod bump;
mod cache;
mod counts;
mod layout;
#[cfg(feature = "std")]
mod local;
#[cfg(feature = "std")]
mod pointers;
mod raw;
mod record;
mod teardown;

pub(crate) use bump::{Bump, ReservedCyclic, ReservedSingle, ReservedSlice};
pub use cache::CHUNK_CACHE_LIMIT;
#[cfg(feature = "std")]
pub use cache::trim_chunk_cache;
pub(crate) use layout::chunk_size_fits_index;
#[cfg(feature = "std")]
pub use local::{PerThreadPool, PoolKey};
#[cfg(feature = "std")]
pub(crate) use local::{run as run_per_thread, try_reserve as try_reserve_per_thread};
pub(crate) use raw::{RawSingle, RawSlice, RawStr, RawWeakSingle, RawWeakSlice, RawWeakStr};
pub(crate) use record::ArenaLimit;

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
