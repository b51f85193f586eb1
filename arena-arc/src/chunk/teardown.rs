//! What happens when a count reaches zero (see "The counts" and "Freeing
//! iteratively" in the module docs of `chunk`).
//!
//! * An allocation drops its elements and gives back its chunk reference
//!   ([`drop_value`]).
//! * A chunk drops its `init_len` elements (plain mode), then gives back the
//!   implicit weak reference, which deallocates it unless a weak handle
//!   still points into it ([`free_chunk`]).
//!
//! Either can take further counts to zero. With `std`, such nested
//! disposals run directly while they use less than `STACK_BUDGET` bytes of
//! stack below the outermost one; deeper ones are queued on a thread-local
//! list that the outermost disposal empties in a loop, so a chain of any
//! length is freed in constant stack. The chunk references that dying
//! allocations give back are counted in a thread-local too, per chunk, and
//! given back by the outermost disposal (or when the next death is in
//! another chunk) with one `fetch_sub` for a whole run of deaths in the
//! same chunk: a tree is mostly in a few chunks. Until then they keep the
//! chunk (and the elements being dropped) alive. Without `std` (no
//! thread-locals) disposals recurse, and each allocation gives its reference
//! back right after dropping its elements.

use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};

use super::counts::chunk_weak_release;
use super::layout::{
    CHUNK_META, ChunkHeader, ChunkLayout, ChunkVtable, OwnerHeader, chunk_data, chunk_of_owner,
    owner_elements, owner_meta, value_len,
};

/// The vtable of chunks of `T`.
pub(super) fn vtable<T>() -> &'static ChunkVtable {
    struct Of<T>(PhantomData<T>);
    impl<T> Of<T> {
        const VTABLE: ChunkVtable = ChunkVtable {
            #[cfg(feature = "std")]
            free_chunk: free_chunk::<T>,
            #[cfg(feature = "std")]
            drop_value: drop_value::<T>,
            align: ChunkLayout::<T>::ALIGN,
            header_offset: ChunkLayout::<T>::HEADER_OFFSET,
        };
    }
    &Of::<T>::VTABLE
}

/// `owner`'s count reached zero: dispose of it now, or queue it when this
/// thread's disposals already use too much stack.
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
        recurse::dispose::<T>(owner)
    }
}

/// Drops the elements of a dead allocation of `T`s. Its chunk reference is
/// the caller's to give back, after this returns or unwinds (an element's
/// `Drop` that panics still lets the others be dropped: slice drop glue
/// goes on past a panic).
///
/// # Safety
///
/// `owner` is a dead allocation of `T`s (see [`owner_died`]) whose chunk
/// reference is still held (by the caller, on its behalf).
unsafe fn drop_value<T>(owner: NonNull<OwnerHeader>) {
    // SAFETY: the owner's memory is live (its chunk reference is held), its
    // `meta` and length are immutable, its `len` elements are initialised
    // and, its count being zero, nobody else can reach them; they are
    // dropped exactly once (the count never rises from zero again).
    unsafe {
        let len = value_len(owner, owner_meta(owner));
        let elements = owner_elements::<T>(owner);
        ptr::drop_in_place(ptr::slice_from_raw_parts_mut(elements.as_ptr(), len));
    }
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

/// Without thread-locals: disposals recurse.
#[cfg(not(feature = "std"))]
mod recurse {
    use core::marker::PhantomData;
    use core::ptr::NonNull;

    use super::{CHUNK_META, ChunkHeader, OwnerHeader, chunk_of_owner, drop_value, free_chunk};
    use crate::chunk::counts::owner_release;
    use crate::chunk::layout::{chunk_owner, owner_meta};

    /// Disposes of a dead owner of `T`s.
    ///
    /// # Safety
    ///
    /// As for [`super::owner_died`].
    pub(super) unsafe fn dispose<T>(owner: NonNull<OwnerHeader>) {
        /// Gives back the allocation's chunk reference after its elements
        /// are dropped (or their drop panicked).
        struct ChunkRef<T>(NonNull<ChunkHeader>, PhantomData<T>);
        impl<T> Drop for ChunkRef<T> {
            fn drop(&mut self) {
                // SAFETY: the dead allocation's one reference to its chunk,
                // whose elements are `T`s; given up once.
                unsafe { owner_release::<T>(chunk_owner(self.0)) }
            }
        }
        // SAFETY: forwarded precondition; `meta` is immutable.
        unsafe {
            let meta = owner_meta(owner);
            let chunk = chunk_of_owner(owner, meta);
            if meta == CHUNK_META {
                free_chunk::<T>(chunk);
            } else {
                let _chunk_ref = ChunkRef::<T>(chunk, PhantomData);
                drop_value::<T>(owner);
            }
        }
    }
}

/// This thread's disposals: where the outermost one is on the stack, the
/// queue of deeper ones, and the chunk references owed meanwhile (see the
/// module docs).
#[cfg(feature = "std")]
mod nesting {
    use alloc::vec::Vec;
    use core::cell::Cell;
    use core::ptr::{self, NonNull};
    #[cfg(not(loom))]
    use core::sync::atomic::Ordering;
    #[cfg(loom)]
    use loom::sync::atomic::Ordering;

    use super::{CHUNK_META, ChunkHeader, OwnerHeader, chunk_of_owner, drop_value, free_chunk};
    use crate::chunk::counts::COUNT;
    use crate::chunk::layout::{chunk_owner, owner_meta, owner_refs};

    /// How much stack nested disposals may use below the outermost one
    /// before further ones are queued: deep enough that trees are freed
    /// without touching the queue, small enough for any thread's stack.
    const STACK_BUDGET: usize = 16 * 1024;

    /// The state of this thread's disposals: `const`-initialised `Cell`s
    /// without destructor, so always accessible and with no lazy state.
    struct State {
        /// The stack address of the outermost disposal running on this
        /// thread, 0 if none.
        base: Cell<usize>,
        /// A chunk to which dead allocations owe `owed` counted references
        /// that this thread will give back (null if none).
        chunk: Cell<*mut ChunkHeader>,
        owed: Cell<u32>,
    }

    #[cfg(not(loom))]
    std::thread_local! {
        static STATE: State = const {
            State { base: Cell::new(0), chunk: Cell::new(ptr::null_mut()), owed: Cell::new(0) }
        };
        /// Dead owners waiting for the outermost disposal.
        static QUEUE: Cell<Vec<NonNull<OwnerHeader>>> = const { Cell::new(Vec::new()) };
    }

    // loom's `thread_local!` takes no `const` initialisers.
    #[cfg(loom)]
    loom::thread_local! {
        static STATE: State =
            State { base: Cell::new(0), chunk: Cell::new(ptr::null_mut()), owed: Cell::new(0) };
        static QUEUE: Cell<Vec<NonNull<OwnerHeader>>> = Cell::new(Vec::new());
    }

    /// What [`run`] does with a dead owner.
    enum Step {
        /// No disposal is running on this thread: this one is the outermost.
        Outermost,
        /// Too deep: queue it for the outermost disposal.
        Queue,
        /// Dispose of it now (its chunk reference, for an allocation, is
        /// owed already), after giving back what was owed to another chunk.
        Now(Option<(NonNull<ChunkHeader>, u32)>),
    }

    /// Disposes of `owner` (whose elements are `T`s) now, or queues it.
    ///
    /// # Safety
    ///
    /// As for [`super::owner_died`].
    #[inline]
    pub(super) unsafe fn run<T>(owner: NonNull<OwnerHeader>) {
        // Where this call is on the stack (any local would do).
        let marker = 0u8;
        let here = (&raw const marker).addr();
        // SAFETY: forwarded; `meta` is immutable.
        let value_chunk = unsafe { chunk_of_value(owner) };
        let step = STATE.with(|s| {
            let base = s.base.get();
            if base == 0 {
                return Step::Outermost;
            }
            if base.abs_diff(here) > STACK_BUDGET {
                return Step::Queue;
            }
            Step::Now(value_chunk.and_then(|chunk| owe(s, chunk)))
        });
        match step {
            // SAFETY: forwarded.
            Step::Outermost => unsafe { outermost::<T>(owner, here, value_chunk) },
            Step::Queue => {
                // `Err` once this thread's thread-locals are being destroyed
                // (a handle dropped by another thread-local's destructor):
                // then dispose right here.
                if QUEUE.try_with(|queue| push(queue, owner)).is_err() {
                    let previous = value_chunk.and_then(|chunk| STATE.with(|s| owe(s, chunk)));
                    // SAFETY: forwarded; the chunk reference is owed.
                    unsafe { dispose_now::<T>(owner, previous) }
                }
            }
            // SAFETY: forwarded; the chunk reference is owed.
            Step::Now(previous) => unsafe { dispose_now::<T>(owner, previous) },
        }
    }

    /// The chunk of `owner` if it is an allocation, `None` for a chunk.
    ///
    /// # Safety
    ///
    /// `owner`'s memory is live.
    #[inline(always)]
    unsafe fn chunk_of_value(owner: NonNull<OwnerHeader>) -> Option<NonNull<ChunkHeader>> {
        // SAFETY: forwarded; `meta` is immutable.
        unsafe {
            let meta = owner_meta(owner);
            (meta != CHUNK_META).then(|| chunk_of_owner(owner, meta))
        }
    }

    /// Gives back `previous`, then disposes of `owner`.
    ///
    /// # Safety
    ///
    /// As for [`super::owner_died`]; if `owner` is an allocation, its chunk
    /// reference is owed on this thread; `previous` is what was owed to
    /// another chunk.
    #[inline(always)]
    unsafe fn dispose_now<T>(
        owner: NonNull<OwnerHeader>,
        previous: Option<(NonNull<ChunkHeader>, u32)>,
    ) {
        // SAFETY: forwarded.
        unsafe {
            if let Some((chunk, owed)) = previous {
                release_owed(chunk, owed);
            }
            let meta = owner_meta(owner);
            if meta == CHUNK_META {
                free_chunk::<T>(chunk_of_owner(owner, meta));
            } else {
                drop_value::<T>(owner);
            }
        }
    }

    /// The first disposal on this thread: disposes of `owner`, then of
    /// everything queued meanwhile, then gives back the chunk references
    /// owed.
    ///
    /// # Safety
    ///
    /// As for [`run`].
    #[cold]
    #[inline(never)]
    unsafe fn outermost<T>(
        owner: NonNull<OwnerHeader>,
        here: usize,
        value_chunk: Option<NonNull<ChunkHeader>>,
    ) {
        /// Finishes the disposal, also when a `Drop` panics (a second panic
        /// then aborts, as any panic while unwinding does).
        struct Outermost;
        impl Drop for Outermost {
            fn drop(&mut self) {
                finish();
                STATE.with(|s| s.base.set(0));
            }
        }
        let previous = STATE.with(|s| {
            s.base.set(here);
            // Nothing is owed outside a disposal (the last one settled it),
            // so there is no previous chunk.
            value_chunk.and_then(|chunk| owe(s, chunk))
        });
        let outermost = Outermost;
        // SAFETY: forwarded; the chunk reference is owed.
        unsafe { dispose_now::<T>(owner, previous) };
        finish();
        drop(outermost);
    }

    /// Disposes of queued owners and gives back owed chunk references until
    /// neither is left.
    fn finish() {
        loop {
            while let Some(owner) = QUEUE.try_with(pop).ok().flatten() {
                // SAFETY: every queued owner is dead and reachable only from
                // the queue, from which it was just removed; its chunk's
                // vtable was written at creation for its own element type.
                unsafe {
                    let meta = owner_meta(owner);
                    let chunk = chunk_of_owner(owner, meta);
                    let vtable = (&raw const (*chunk.as_ptr()).vtable).read();
                    if meta == CHUNK_META {
                        (vtable.free_chunk)(chunk);
                    } else {
                        if let Some((previous, owed)) = STATE.with(|s| owe(s, chunk)) {
                            release_owed(previous, owed);
                        }
                        (vtable.drop_value)(owner);
                    }
                }
            }
            let pending = STATE.with(|s| {
                let chunk = NonNull::new(s.chunk.replace(ptr::null_mut()))?;
                Some((chunk, s.owed.replace(0)))
            });
            match pending {
                // SAFETY: dead allocations of `chunk` owed it `owed`
                // references, which this thread took over.
                Some((chunk, owed)) => unsafe { release_owed(chunk, owed) },
                None => return,
            }
        }
    }

    /// Takes over the chunk reference of a dead allocation of `chunk`;
    /// returns what was owed to another chunk, for the caller to give back.
    #[inline(always)]
    fn owe(s: &State, chunk: NonNull<ChunkHeader>) -> Option<(NonNull<ChunkHeader>, u32)> {
        if s.chunk.get() == chunk.as_ptr() {
            // At most one per allocation of the chunk (fewer than
            // `PRECOUNT_LIMIT`): no overflow.
            s.owed.set(s.owed.get() + 1);
            return None;
        }
        let previous = NonNull::new(s.chunk.replace(chunk.as_ptr()));
        let owed = s.owed.replace(1);
        previous.map(|previous| (previous, owed))
    }

    /// Gives back `owed` counted references to `chunk`, disposing of it if
    /// they were the last (it then holds no live allocation).
    ///
    /// # Safety
    ///
    /// Dead allocations of `chunk` held those references, and this thread
    /// took them over.
    unsafe fn release_owed(chunk: NonNull<ChunkHeader>, owed: u32) {
        let owner = chunk_owner(chunk);
        // SAFETY: the references keep the chunk live until this decrement.
        let refs = unsafe { owner_refs(owner) };
        // Release and Acquire: as in `counts::owner_release`. Every access
        // through the dead allocations happened on this thread before their
        // deaths, or happened-before them through their counts.
        let old = refs.fetch_sub(owed, Ordering::Release);
        if old & COUNT == owed {
            refs.load(Ordering::Acquire);
            // SAFETY: the chunk's count reached zero: nobody else holds it;
            // its vtable was written at creation.
            unsafe {
                let vtable = (&raw const (*chunk.as_ptr()).vtable).read();
                (vtable.free_chunk)(chunk);
            }
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
