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
//! length is freed in constant stack.
//!
//! That holds during thread exit too, whatever order the thread-locals are
//! destroyed in: a chain kept in a user's thread-local may be dropped by its
//! destructor after the crate's own thread-locals were destroyed. So the
//! disposal state and the queue are thread-locals *without* destructors
//! (`const`-initialised, no drop glue: the queue's `Vec` is in a
//! `ManuallyDrop`), which every disposal can reach until the thread is gone.
//! The queue's buffer is freed by a third thread-local, the `Janitor`,
//! whose destructor runs at thread exit (the queue is empty then: no
//! disposal runs while thread-locals are destroyed one after the other,
//! except inside one of those destructors, which ends before the next one
//! starts); a disposal that finds the janitor already destroyed frees the
//! buffer itself when it ends. Nothing is leaked either way. The chunk references that dead
//! allocations give back once their elements are dropped are counted in a
//! thread-local too, per chunk, and given back by the outermost disposal
//! (or when the next one is for another chunk) with one `fetch_sub` for a
//! whole run of allocations of the same chunk: a tree is mostly in a few
//! chunks. Until then they keep the chunk alive. A reference is taken over
//! only after its allocation's elements are dropped, never before: a batch
//! given back early must not free a chunk whose elements are still being
//! dropped further up the stack. Without `std` (no thread-locals)
//! disposals recurse, and each allocation gives its reference back right
//! after dropping its elements. The stack then bounds how deep a chain of
//! owners may be: each nested disposal is a few frames (`owner_release`,
//! `dispose`, the element's drop glue). Measured on x86-64 with a node of
//! one handle and a `u64`: 48 bytes per link in release (174,636 links fill
//! an 8 MiB stack) and 723 in debug (11,596 links); a bigger element's drop
//! glue adds its own frame. `no_std` users with longer chains break them up
//! in their own `Drop` (taking each `next` out in a loop).

use core::marker::PhantomData;
use core::mem;
use core::ptr::{self, NonNull};

use super::counts::chunk_weak_release;
use super::layout::{
    CHUNK_META, ChunkHeader, ChunkLayout, ChunkVtable, OwnerHeader, chunk_data, chunk_of_owner,
    is_single_value, owner_elements, value_len,
};

/// The vtable of chunks of `T`.
pub(super) fn vtable<T>() -> &'static ChunkVtable {
    struct Of<T>(PhantomData<T>);
    impl<T> Of<T> {
        const VTABLE: ChunkVtable = ChunkVtable {
            #[cfg(feature = "std")]
            free_chunk: free_chunk::<T>,
            #[cfg(feature = "std")]
            drop_value: drop_value_erased::<T>,
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
/// `owner` is a live owner of `T`s whose count reached zero, and `meta` the
/// immutable part of its `meta` ([`owner_meta`]); the caller gave up the
/// last reference and nobody else can reach it (weak handles can still read
/// its count, which stays zero).
#[inline(never)]
pub(super) unsafe fn owner_died<T>(owner: NonNull<OwnerHeader>, meta: u32) {
    #[cfg(feature = "std")]
    // SAFETY: forwarded precondition.
    unsafe {
        nesting::run::<T>(owner, meta)
    }
    #[cfg(not(feature = "std"))]
    // SAFETY: forwarded precondition.
    unsafe {
        recurse::dispose::<T>(owner, meta)
    }
}

/// Drops the elements of a dead allocation of `T`s. Its chunk reference is
/// the caller's to give back, after this returns or unwinds (an element's
/// `Drop` that panics still lets the others be dropped: slice drop glue
/// goes on past a panic).
///
/// # Safety
///
/// `owner` is a dead allocation of `T`s (see [`owner_died`]) with `meta`,
/// whose chunk reference is still held (by the caller, on its behalf).
#[inline(always)]
unsafe fn drop_value<T>(owner: NonNull<OwnerHeader>, meta: u32) {
    // SAFETY: the owner's memory is live (its chunk reference is held), its
    // `meta` and length are immutable, its `len` elements are initialised
    // and, its count being zero, nobody else can reach them; they are
    // dropped exactly once (the count never rises from zero again).
    unsafe {
        let elements = owner_elements::<T>(owner);
        if is_single_value(meta) {
            // The common case, without the slice loop.
            ptr::drop_in_place(elements.as_ptr());
        } else {
            let len = value_len(owner, meta);
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(elements.as_ptr(), len));
        }
    }
}

/// [`drop_value`], reading `meta` itself (for the vtable).
///
/// # Safety
///
/// As for [`drop_value`].
#[cfg(feature = "std")]
unsafe fn drop_value_erased<T>(owner: NonNull<OwnerHeader>) {
    // SAFETY: forwarded.
    unsafe { drop_value::<T>(owner, super::layout::owner_meta(owner)) }
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
    use crate::chunk::layout::chunk_owner;

    /// Disposes of a dead owner of `T`s.
    ///
    /// # Safety
    ///
    /// As for [`super::owner_died`].
    pub(super) unsafe fn dispose<T>(owner: NonNull<OwnerHeader>, meta: u32) {
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
        // SAFETY: forwarded precondition.
        unsafe {
            let chunk = chunk_of_owner(owner, meta);
            if meta == CHUNK_META {
                free_chunk::<T>(chunk);
            } else {
                let _chunk_ref = ChunkRef::<T>(chunk, PhantomData);
                drop_value::<T>(owner, meta);
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
    use core::mem::{self, ManuallyDrop};
    use core::ptr::{self, NonNull};
    #[cfg(not(loom))]
    use core::sync::atomic::Ordering;
    #[cfg(loom)]
    use loom::sync::atomic::Ordering;

    use super::{
        CHUNK_META, ChunkHeader, OwnerHeader, chunk_of_owner, drop_value, free_chunk,
        is_single_value, owner_elements,
    };
    use crate::chunk::layout::{chunk_of_value, chunk_owner, owner_meta, owner_refs};

    /// `State::base` when no disposal is running: half the address space
    /// away from address 0, so no stack address comes within
    /// `STACK_BUDGET` of it (on 64-bit targets it is not even a user-space
    /// address; 32-bit ones reserve the top of the lower half).
    const NONE: usize = usize::MAX / 2 + 1;

    /// How much stack nested disposals may use below the outermost one
    /// before further ones are queued: deep enough that trees are freed
    /// without touching the queue, small enough for any thread's stack.
    const STACK_BUDGET: usize = 16 * 1024;

    /// The state of this thread's disposals: `const`-initialised `Cell`s
    /// without destructor, so always accessible and with no lazy state.
    struct State {
        /// The stack address of the outermost disposal running on this
        /// thread, [`NONE`] if none.
        base: Cell<usize>,
        /// A chunk to which dead allocations owe `owed` counted references
        /// that this thread will give back (null if none).
        chunk: Cell<*mut ChunkHeader>,
        owed: Cell<u32>,
        /// How many owners are in `QUEUE` (so that the queue, a
        /// thread-local with a destructor, is touched only when used).
        queued: Cell<usize>,
    }

    /// Dead owners waiting for the outermost disposal. No drop glue, so the
    /// thread-local has no destructor and stays reachable until the thread
    /// is gone (see the module docs); [`Janitor`] frees its buffer.
    type Queue = Cell<ManuallyDrop<Vec<NonNull<OwnerHeader>>>>;

    #[cfg(not(loom))]
    std::thread_local! {
        static STATE: State = const {
            State {
                base: Cell::new(NONE),
                chunk: Cell::new(ptr::null_mut()),
                owed: Cell::new(0),
                queued: Cell::new(0),
            }
        };
        static QUEUE: Queue = const { Cell::new(ManuallyDrop::new(Vec::new())) };
        static JANITOR: Janitor = const { Janitor };
    }

    // loom's `thread_local!` takes no `const` initialisers.
    #[cfg(loom)]
    loom::thread_local! {
        static STATE: State = State {
            base: Cell::new(NONE),
            chunk: Cell::new(ptr::null_mut()),
            owed: Cell::new(0),
            queued: Cell::new(0),
        };
        static QUEUE: Queue = Cell::new(ManuallyDrop::new(Vec::new()));
        static JANITOR: Janitor = Janitor;
    }

    /// Frees the queue's buffer when this thread's thread-locals are
    /// destroyed. Registered (its destructor) when the queue first takes a
    /// buffer; a disposal that ends after the janitor was destroyed frees
    /// the buffer itself ([`free_queue_if_orphaned`]).
    struct Janitor;

    impl Drop for Janitor {
        fn drop(&mut self) {
            // Thread-locals are destroyed one at a time, never inside a
            // disposal (one may run inside another thread-local's
            // destructor, and ends with it): the queue is empty.
            free_queue();
        }
    }

    /// Frees the queue's buffer, if it is empty (it always is between
    /// disposals).
    fn free_queue() {
        // Always `Ok`: the queue has no destructor (loom's thread-locals
        // may be torn down in any order, hence `try_with`).
        let _ = QUEUE.try_with(|queue| {
            let owners = ManuallyDrop::into_inner(queue.take());
            if owners.is_empty() {
                drop(owners);
            } else {
                queue.set(ManuallyDrop::new(owners));
            }
        });
    }

    /// At the end of an outermost disposal that used the queue: frees the
    /// queue's buffer if the janitor, which would have, is already gone
    /// (thread exit, in a later thread-local's destructor).
    #[cold]
    fn free_queue_if_orphaned() {
        if JANITOR.try_with(|_| ()).is_err() {
            free_queue();
        }
    }

    /// Where the caller is on the stack, roughly: the stack pointer where
    /// it can be read directly (measured: the address of a local costs the
    /// disposal a stack frame and a store, 7% of dropping a tree), or the
    /// address of a local.
    #[inline(always)]
    fn stack_address() -> usize {
        #[cfg(all(any(target_arch = "x86_64", target_arch = "aarch64"), not(miri)))]
        {
            let sp: usize;
            // SAFETY: copies the stack pointer into a register; reads and
            // writes no memory, does not touch the stack or the flags.
            unsafe {
                #[cfg(target_arch = "x86_64")]
                core::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags));
                #[cfg(target_arch = "aarch64")]
                core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags));
            }
            sp
        }
        #[cfg(not(all(any(target_arch = "x86_64", target_arch = "aarch64"), not(miri))))]
        {
            let marker = 0u8;
            (&raw const marker).addr()
        }
    }

    /// Disposes of `owner` (whose elements are `T`s) now, or queues it.
    ///
    /// # Safety
    ///
    /// As for [`super::owner_died`].
    #[inline]
    pub(super) unsafe fn run<T>(owner: NonNull<OwnerHeader>, meta: u32) {
        let here = stack_address();
        let base = STATE.with(|s| s.base.get());
        // The common case: a disposal is running and this one is less than
        // `STACK_BUDGET` away from it, in whichever direction the stack grows
        // (`|here - base| <= STACK_BUDGET` as one unsigned comparison). With
        // none running, `base` is `NONE`, which no stack address is near.
        if here.wrapping_sub(base).wrapping_add(STACK_BUDGET) > 2 * STACK_BUDGET {
            // SAFETY: forwarded.
            return unsafe { run_outside_budget::<T>(owner, meta, base, here) };
        }
        // SAFETY: forwarded; a disposal is running (`base != NONE`).
        unsafe { dispose_now::<T>(owner, meta) }
    }

    /// [`run`] for the first disposal on this thread, or one too deep below
    /// it.
    ///
    /// # Safety
    ///
    /// As for [`super::owner_died`].
    #[cold]
    #[inline(never)]
    unsafe fn run_outside_budget<T>(
        owner: NonNull<OwnerHeader>,
        meta: u32,
        base: usize,
        here: usize,
    ) {
        if base == NONE {
            // SAFETY: forwarded.
            return unsafe { outermost::<T>(owner, meta, here) };
        }
        // The queue has no destructor: reachable also while this thread's
        // thread-locals are destroyed (a handle dropped by one's destructor).
        QUEUE.with(|queue| push(queue, owner));
        STATE.with(|s| s.queued.set(s.queued.get() + 1));
    }

    /// Disposes of `owner`.
    ///
    /// # Safety
    ///
    /// As for [`super::owner_died`], and a disposal is running on this
    /// thread (so owed references are given back at its end).
    #[inline(always)]
    unsafe fn dispose_now<T>(owner: NonNull<OwnerHeader>, meta: u32) {
        // SAFETY: forwarded.
        unsafe {
            if is_single_value(meta) {
                // The common case, with the fewest tests.
                let _owe = OweAfterDrop(chunk_of_value(owner, meta));
                ptr::drop_in_place(owner_elements::<T>(owner).as_ptr());
                return;
            }
            let chunk = chunk_of_owner(owner, meta);
            if meta == CHUNK_META {
                free_chunk::<T>(chunk);
            } else {
                let _owe = OweAfterDrop(chunk);
                drop_value::<T>(owner, meta);
            }
        }
    }

    /// Takes over a dead allocation's chunk reference once its elements
    /// are dropped (or their drop panicked): only then may a batch that
    /// holds it be given back, which could free the chunk.
    struct OweAfterDrop(NonNull<ChunkHeader>);

    impl Drop for OweAfterDrop {
        #[inline(always)]
        fn drop(&mut self) {
            if let Some((previous, owed)) = STATE.with(|s| owe(s, self.0)) {
                // SAFETY: dead allocations of `previous`, all dropped
                // already, owed it `owed` references, which this thread took
                // over.
                unsafe { release_owed(previous, owed) }
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
    unsafe fn outermost<T>(owner: NonNull<OwnerHeader>, meta: u32, here: usize) {
        /// Finishes the disposal, also when a `Drop` panics (a second panic
        /// then aborts, as any panic while unwinding does).
        struct Outermost;
        impl Drop for Outermost {
            fn drop(&mut self) {
                /// No disposal is running any more, also if `finish` panics.
                struct Done;
                impl Drop for Done {
                    fn drop(&mut self) {
                        STATE.with(|s| s.base.set(NONE));
                    }
                }
                let _done = Done;
                finish();
            }
        }
        STATE.with(|s| s.base.set(here));
        // Finishes when it goes out of scope, panic or not.
        let _outermost = Outermost;
        // SAFETY: forwarded; a disposal is running now.
        unsafe { dispose_now::<T>(owner, meta) };
    }

    /// Disposes of queued owners and gives back owed chunk references until
    /// neither is left. If a `Drop` panics, the rest is still disposed of
    /// and given back before the panic goes on (a second panic then aborts,
    /// as any panic while unwinding does).
    fn finish() {
        /// Finishes what is left when a disposal below unwinds.
        struct OnUnwind;
        impl Drop for OnUnwind {
            fn drop(&mut self) {
                finish();
            }
        }
        let on_unwind = OnUnwind;
        // Whether the queue was used (the common case, a shallow tree, only
        // checks this).
        let mut drained = false;
        loop {
            while let Some(owner) = take_queued() {
                drained = true;
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
                        let _owe = OweAfterDrop(chunk);
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
                None => break,
            }
        }
        // Nothing left: no unwinding to finish for.
        mem::forget(on_unwind);
        if drained {
            free_queue_if_orphaned();
        }
    }

    /// Takes over the chunk reference of a dead allocation of `chunk`, whose
    /// elements are dropped; returns what was owed to another chunk, for the
    /// caller to give back.
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
        if old == owed {
            refs.load(Ordering::Acquire);
            // SAFETY: the chunk's count reached zero: nobody else holds it;
            // its vtable was written at creation.
            unsafe {
                let vtable = (&raw const (*chunk.as_ptr()).vtable).read();
                (vtable.free_chunk)(chunk);
            }
        }
    }

    /// The next queued owner, if any.
    fn take_queued() -> Option<NonNull<OwnerHeader>> {
        let queued = STATE.with(|s| s.queued.get());
        if queued == 0 {
            return None;
        }
        STATE.with(|s| s.queued.set(queued - 1));
        QUEUE.with(pop)
    }

    fn push(queue: &Queue, owner: NonNull<OwnerHeader>) {
        let mut owners = queue.take();
        if owners.capacity() == 0 {
            // The first buffer: have the janitor free it at thread exit
            // (touching it registers its destructor; `Err` once it was
            // destroyed, and then `finish` frees the buffer).
            let _ = JANITOR.try_with(|_| ());
        }
        owners.push(owner);
        queue.set(owners);
    }

    fn pop(queue: &Queue) -> Option<NonNull<OwnerHeader>> {
        let mut owners = queue.take();
        let owner = owners.pop();
        queue.set(owners);
        owner
    }
}
