//! What happens when a count reaches zero (see "The counts" and "Freeing
//! iteratively" in the module docs of `chunk`).
//!
//! * An allocation drops its elements, then gives back its chunk
//!   reference ([`free_value`]).
//! * A chunk drops its `init_len` elements (plain mode), then gives back the
//!   implicit weak reference, which deallocates it unless a weak handle
//!   still points into it ([`free_chunk`]).
//!
//! Either can take further counts to zero. With `std`, such nested
//! disposals run directly up to [`MAX_DEPTH`] deep; deeper ones are queued
//! on a thread-local list that the outermost disposal empties in a loop, so
//! a chain of any length is freed in constant stack. Without `std` (no
//! thread-locals) they recurse.

use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};

use super::counts::{chunk_weak_release, owner_release};
use super::layout::{
    CHUNK_META, ChunkHeader, ChunkLayout, ChunkVtable, OwnerHeader, chunk_data, chunk_of_owner,
    chunk_owner, owner_elements, owner_meta, value_len,
};

/// The vtable of chunks of `T`.
pub(super) fn vtable<T>() -> &'static ChunkVtable {
    struct Of<T>(PhantomData<T>);
    impl<T> Of<T> {
        const VTABLE: ChunkVtable = ChunkVtable {
            free_chunk: free_chunk::<T>,
            free_value: free_value::<T>,
            align: ChunkLayout::<T>::ALIGN,
            header_offset: ChunkLayout::<T>::HEADER_OFFSET,
        };
    }
    &Of::<T>::VTABLE
}

/// `owner`'s count reached zero: dispose of it now, or queue it when this
/// thread is already [`MAX_DEPTH`] disposals deep.
///
/// # Safety
///
/// `owner` is a live owner of `T`s whose count reached zero; the caller
/// gave up the last reference and nobody else can reach it (weak handles
/// can still read its count, which stays zero).
#[inline(never)]
pub(super) unsafe fn owner_died<T>(owner: NonNull<OwnerHeader>) {
    #[cfg(feature = "std")]
    // SAFETY: forwarded precondition.
    unsafe {
        nesting::run::<T>(owner)
    }
    #[cfg(not(feature = "std"))]
    // SAFETY: forwarded precondition.
    unsafe {
        dispose::<T>(owner)
    }
}

/// How many disposals may nest on one thread before further ones are
/// queued: deep enough that trees are freed without touching the queue,
/// shallow enough for any stack.
pub(super) const MAX_DEPTH: usize = 32;

/// Disposes of a dead owner of `T`s.
///
/// # Safety
///
/// As for [`owner_died`].
unsafe fn dispose<T>(owner: NonNull<OwnerHeader>) {
    // SAFETY: forwarded precondition; `meta` is immutable.
    unsafe {
        let meta = owner_meta(owner);
        if meta == CHUNK_META {
            free_chunk::<T>(chunk_of_owner(owner, meta));
        } else {
            free_value::<T>(owner);
        }
    }
}

/// Disposes of a dead owner of any type (from the queue).
///
/// # Safety
///
/// As for [`owner_died`].
#[cfg(feature = "std")]
unsafe fn dispose_erased(owner: NonNull<OwnerHeader>) {
    // SAFETY: forwarded precondition; the vtable was written at creation
    // for the chunk's own element type.
    unsafe {
        let meta = owner_meta(owner);
        let chunk = chunk_of_owner(owner, meta);
        let vtable = (&raw const (*chunk.as_ptr()).vtable).read();
        if meta == CHUNK_META {
            (vtable.free_chunk)(chunk);
        } else {
            (vtable.free_value)(owner);
        }
    }
}

/// An allocation's count reached zero: drops its elements, then gives back
/// the chunk reference it held, also when an element's `Drop` panics (the
/// other elements are still dropped: slice drop glue goes on past a panic).
///
/// # Safety
///
/// `owner` is a dead allocation of `T`s (see [`owner_died`]).
unsafe fn free_value<T>(owner: NonNull<OwnerHeader>) {
    /// Gives back the allocation's chunk reference.
    struct ChunkRef<T> {
        chunk: NonNull<ChunkHeader>,
        _elements: PhantomData<T>,
    }
    impl<T> Drop for ChunkRef<T> {
        fn drop(&mut self) {
            // SAFETY: a live allocation owns one counted reference to its
            // chunk, which is its owner for the chunk's `T`s; given up once.
            unsafe { owner_release::<T>(chunk_owner(self.chunk)) }
        }
    }
    // SAFETY: the owner's memory is live (its chunk reference is still held)
    // and its `meta` and length are immutable.
    let (chunk, elements, len) = unsafe {
        let meta = owner_meta(owner);
        (
            chunk_of_owner(owner, meta),
            owner_elements::<T>(owner),
            value_len(owner, meta),
        )
    };
    let _chunk_ref = ChunkRef::<T> {
        chunk,
        _elements: PhantomData,
    };
    // SAFETY: the allocation's `len` elements are initialised and, its count
    // being zero, nobody else can reach them; they are dropped exactly once
    // (the count never rises from zero again).
    unsafe { ptr::drop_in_place(ptr::slice_from_raw_parts_mut(elements.as_ptr(), len)) }
}

/// A chunk's count reached zero: drops its first `init_len` elements, last
/// first, then gives back the implicit weak reference.
///
/// If an element's `Drop` panics, the remaining elements are still dropped
/// and the weak reference still given back, then the panic continues; a
/// second panic aborts, as for any panic while unwinding.
///
/// # Safety
///
/// `chunk` is a chunk of `T`s whose count reached zero; nobody else can
/// reach its elements.
unsafe fn free_chunk<T>(chunk: NonNull<ChunkHeader>) {
    /// Gives back the implicit weak reference, whether or not an element's
    /// `Drop` panicked.
    struct Weak(NonNull<ChunkHeader>);
    impl Drop for Weak {
        fn drop(&mut self) {
            // SAFETY: the strong side's weak reference, given up once, after
            // every element is dropped.
            unsafe { chunk_weak_release(self.0) }
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
    let _weak = Weak(chunk);
    if !mem::needs_drop::<T>() {
        return;
    }
    // SAFETY: written by the chunk's last writer before it let go (see the
    // field's docs); we are the only party left.
    let init_len = unsafe { (&raw const (*chunk.as_ptr()).init_len).read() };
    let mut rest = DropRest {
        // SAFETY: the chunk is live.
        data: unsafe { chunk_data(chunk).cast::<T>().as_ptr() },
        remaining: init_len,
    };
    rest.run();
}

/// This thread's nesting depth and queue of disposals (see the module
/// docs).
#[cfg(feature = "std")]
mod nesting {
    use alloc::vec::Vec;
    use core::cell::Cell;
    use core::ptr::NonNull;

    use super::{MAX_DEPTH, OwnerHeader, dispose, dispose_erased};

    #[cfg(not(loom))]
    std::thread_local! {
        /// How many disposals are running on this thread (a `const`
        /// `Cell` without destructor: always accessible, no lazy state).
        static DEPTH: Cell<usize> = const { Cell::new(0) };
        /// Dead owners waiting for the outermost disposal.
        static QUEUE: Cell<Vec<NonNull<OwnerHeader>>> = const { Cell::new(Vec::new()) };
    }

    // loom's `thread_local!` takes no `const` initialisers.
    #[cfg(loom)]
    loom::thread_local! {
        static DEPTH: Cell<usize> = Cell::new(0);
        static QUEUE: Cell<Vec<NonNull<OwnerHeader>>> = Cell::new(Vec::new());
    }

    /// Disposes of `owner` (whose elements are `T`s) now, or queues it.
    ///
    /// # Safety
    ///
    /// As for [`super::owner_died`].
    #[inline]
    pub(super) unsafe fn run<T>(owner: NonNull<OwnerHeader>) {
        let depth = DEPTH.with(Cell::get);
        if depth >= MAX_DEPTH {
            // `Err` once this thread's thread-locals are being destroyed
            // (a handle dropped by another thread-local's destructor): then
            // dispose right here.
            if QUEUE.try_with(|queue| push(queue, owner)).is_ok() {
                return;
            }
        }
        if depth == 0 {
            // SAFETY: forwarded.
            unsafe { outermost::<T>(owner) }
        } else {
            /// Restores the depth, also when a `Drop` panics.
            struct Restore(usize);
            impl Drop for Restore {
                fn drop(&mut self) {
                    DEPTH.with(|d| d.set(self.0));
                }
            }
            let _restore = Restore(depth);
            DEPTH.with(|d| d.set(depth + 1));
            // SAFETY: forwarded.
            unsafe { dispose::<T>(owner) }
        }
    }

    /// The first disposal on this thread: disposes of `owner`, then of
    /// everything queued meanwhile.
    ///
    /// # Safety
    ///
    /// As for [`run`].
    #[cold]
    #[inline(never)]
    unsafe fn outermost<T>(owner: NonNull<OwnerHeader>) {
        /// Empties the queue and resets the depth, also when a `Drop`
        /// panics (a second panic then aborts, as any panic while
        /// unwinding does).
        struct Outermost;
        impl Drop for Outermost {
            fn drop(&mut self) {
                drain();
                DEPTH.with(|d| d.set(0));
            }
        }
        DEPTH.with(|d| d.set(1));
        let outermost = Outermost;
        // SAFETY: forwarded.
        unsafe { dispose::<T>(owner) };
        drain();
        drop(outermost);
    }

    /// Disposes of queued owners until none is left, at depth 1.
    fn drain() {
        while let Some(owner) = QUEUE.try_with(pop).ok().flatten() {
            // SAFETY: every queued owner is dead and reachable only from
            // the queue, from which it was just removed.
            unsafe { dispose_erased(owner) }
        }
    }

    fn push(queue: &Cell<Vec<NonNull<OwnerHeader>>>, owner: NonNull<OwnerHeader>) {
        let mut owners = queue.take();
        owners.push(owner);
        queue.set(owners);
    }

    fn pop(queue: &Cell<Vec<NonNull<OwnerHeader>>>) -> Option<NonNull<OwnerHeader>> {
        let mut owners = queue.take();
        let owner = owners.pop();
        queue.set(owners);
        owner
    }
}
