//! A per-thread cache of freed chunk memory.
//!
//! Programs that build a structure in a pool, drop it and build the next
//! one (a compiler pass per function, a request per loop) free and
//! allocate chunks of the same few sizes again and again. Given back to the
//! system allocator, a big chunk is often returned to the kernel (glibc
//! trims the top of its heap and unmaps large blocks), and the next one
//! costs a page fault per 4 KiB touched: on glibc's default settings that
//! made building and dropping a 131,071-node tree in a fresh pool 4x
//! slower than on a heap tuned not to trim.
//!
//! So a chunk freed on a thread is kept in that thread's cache, up to
//! [`CHUNK_CACHE_LIMIT`] bytes, and the next chunk of the same layout made
//! on that thread reuses it (the most recently freed first, whose memory is
//! the likeliest to be in cache). When the cache is full, the blocks of the
//! layout used the longest ago are given back to make room, so the cache
//! follows what the thread does now. The memory is uninitialised again when
//! it enters the cache: only its size and alignment are kept. A thread's
//! cache is freed when the thread ends, or by [`trim_chunk_cache`].
//!
//! Without `std` (no thread-locals), and under loom, there is no cache.

use alloc::alloc::{Layout, alloc, dealloc};
use core::ptr::NonNull;

/// The most bytes of freed chunks a thread keeps for reuse (see
/// [`trim_chunk_cache`]). Chunks larger than this are never kept.
pub const CHUNK_CACHE_LIMIT: usize = 8 << 20;

/// The most chunks a thread keeps.
#[cfg(all(feature = "std", not(loom)))]
const SLOTS: usize = 1024;

/// Allocates memory for a chunk with `layout` (whose size is not zero),
/// from this thread's cache if it holds a block of exactly that layout;
/// null if the system allocator fails. Also says whether the memory was
/// recycled.
pub(super) fn chunk_alloc(layout: Layout) -> (*mut u8, bool) {
    #[cfg(all(feature = "std", not(loom)))]
    if let Some(block) = imp::take(layout) {
        return (block.as_ptr(), true);
    }
    // SAFETY: the caller's layout has a non-zero size.
    (unsafe { alloc(layout) }, false)
}

/// Frees the memory of a chunk, into this thread's cache if it has room.
///
/// # Safety
///
/// `base` was returned by [`chunk_alloc`] with `layout`, is not used
/// afterwards, and nothing in it needs dropping.
pub(super) unsafe fn chunk_free(base: NonNull<u8>, layout: Layout) {
    #[cfg(all(feature = "std", not(loom)))]
    if imp::put(base, layout) {
        return;
    }
    // SAFETY: by the precondition.
    unsafe { dealloc(base.as_ptr(), layout) }
}

/// Frees the chunk memory this thread keeps for reuse and returns how many
/// bytes that was. Chunks freed later are kept again.
///
/// Threads keep at most [`CHUNK_CACHE_LIMIT`] bytes of freed chunks, and
/// free them when they end: call this on a long-lived thread that is done
/// with arenas for a while (like `malloc_trim`).
///
/// # Examples
///
/// ```
/// use arena_arc::{Allocator, trim_chunk_cache};
///
/// std::thread::spawn(|| {
///     let mut pool: Allocator<u64, u32, 1024> = Allocator::new();
///     let slice = pool.alloc_slice_copy(&[1, 2, 3]);
///     drop((pool, slice)); // the chunk goes to this thread's cache
///     assert!(trim_chunk_cache() >= 1024 * 8);
///     assert_eq!(trim_chunk_cache(), 0);
///
///     // The next pool of the same shape reuses cached memory.
///     let mut pool: Allocator<u64, u32, 1024> = Allocator::new();
///     drop(pool.alloc_slice_copy(&[4]));
///     drop(pool);
///     let mut again: Allocator<u64, u32, 1024> = Allocator::new();
///     let _x = again.alloc_value(5);
///     assert_eq!(again.stats().recycled_chunks, 1);
/// })
/// .join()
/// .unwrap();
/// ```
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn trim_chunk_cache() -> usize {
    #[cfg(not(loom))]
    {
        imp::trim()
    }
    #[cfg(loom)]
    {
        0
    }
}

#[cfg(all(feature = "std", not(loom)))]
mod imp {
    use alloc::alloc::{Layout, dealloc};
    use alloc::collections::VecDeque;
    use alloc::vec::Vec;
    use core::cell::RefCell;
    use core::ptr::NonNull;

    use super::{CHUNK_CACHE_LIMIT, SLOTS};

    /// The most layouts the cache keeps blocks of at once.
    const LAYOUTS: usize = 32;

    /// Freed blocks of one layout, most recently freed last.
    struct Bucket {
        layout: Layout,
        blocks: VecDeque<NonNull<u8>>,
    }

    /// Freed chunk memory, uninitialised, owned by the cache.
    ///
    /// Invariant: every block was allocated by the global allocator with
    /// its bucket's layout and is used by nobody else; `bytes` and `count`
    /// are the sum of their sizes (at most `CHUNK_CACHE_LIMIT`) and their
    /// number (at most `SLOTS`). Buckets are in the order they were last
    /// used, the most recent last, so that a lookup usually ends at once and
    /// the blocks given back to make room are those of the layout unused the
    /// longest.
    struct Cache {
        buckets: Vec<Bucket>,
        bytes: usize,
        count: usize,
    }

    impl Cache {
        /// The bucket of `layout`, moved to the end (most recently used).
        fn bucket(&mut self, layout: Layout) -> Option<&mut Bucket> {
            let at = self.buckets.iter().rposition(|b| b.layout == layout)?;
            let last = self.buckets.len() - 1;
            if at != last {
                let bucket = self.buckets.remove(at);
                self.buckets.push(bucket);
            }
            self.buckets.last_mut()
        }

        /// Frees the least recently used block (of the bucket used the
        /// longest ago that has one); whether there was one.
        fn evict_one(&mut self) -> bool {
            let Some(bucket) = self.buckets.iter_mut().find(|b| !b.blocks.is_empty()) else {
                return false;
            };
            let layout = bucket.layout;
            let Some(base) = bucket.blocks.pop_front() else {
                return false;
            };
            self.bytes -= layout.size();
            self.count -= 1;
            // SAFETY: the cache owned the block (invariant) and just let go.
            unsafe { dealloc(base.as_ptr(), layout) }
            true
        }

        fn free_all(&mut self) -> usize {
            let freed = self.bytes;
            for bucket in self.buckets.drain(..) {
                for base in bucket.blocks {
                    // SAFETY: the cache owns the block (invariant).
                    unsafe { dealloc(base.as_ptr(), bucket.layout) }
                }
            }
            self.bytes = 0;
            self.count = 0;
            freed
        }
    }

    impl Drop for Cache {
        fn drop(&mut self) {
            self.free_all();
        }
    }

    std::thread_local! {
        static CACHE: RefCell<Cache> = const {
            RefCell::new(Cache { buckets: Vec::new(), bytes: 0, count: 0 })
        };
    }

    /// Takes a cached block of exactly `layout`, if there is one.
    pub(super) fn take(layout: Layout) -> Option<NonNull<u8>> {
        CACHE
            .try_with(|cache| {
                let mut cache = cache.try_borrow_mut().ok()?;
                let base = cache.bucket(layout)?.blocks.pop_back()?;
                cache.bytes -= layout.size();
                cache.count -= 1;
                Some(base)
            })
            .ok()
            .flatten()
    }

    /// Keeps `base` (allocated with `layout`, owned by the caller), giving
    /// back the blocks unused the longest to make room; whether it did (the
    /// cache owns it then).
    pub(super) fn put(base: NonNull<u8>, layout: Layout) -> bool {
        if layout.size() > CHUNK_CACHE_LIMIT {
            return false;
        }
        CACHE
            .try_with(|cache| {
                let Ok(mut cache) = cache.try_borrow_mut() else {
                    return false;
                };
                let cache = &mut *cache;
                if cache.bucket(layout).is_none() {
                    if cache.buckets.len() >= LAYOUTS {
                        // Drop the bucket used the longest ago, if empty.
                        match cache.buckets.iter().position(|b| b.blocks.is_empty()) {
                            Some(at) => drop(cache.buckets.remove(at)),
                            None => return false,
                        }
                    }
                    if cache.buckets.try_reserve(1).is_err() {
                        return false;
                    }
                    cache.buckets.push(Bucket {
                        layout,
                        blocks: VecDeque::new(),
                    });
                }
                while cache.bytes + layout.size() > CHUNK_CACHE_LIMIT || cache.count >= SLOTS {
                    if !cache.evict_one() {
                        return false;
                    }
                }
                let Some(bucket) = cache.buckets.last_mut() else {
                    return false;
                };
                if bucket.blocks.try_reserve(1).is_err() {
                    return false;
                }
                bucket.blocks.push_back(base);
                cache.bytes += layout.size();
                cache.count += 1;
                true
            })
            // After the cache's destructor ran (thread teardown): no cache.
            .unwrap_or(false)
    }

    /// Frees every cached block.
    pub(super) fn trim() -> usize {
        CACHE
            .try_with(|cache| cache.try_borrow_mut().map_or(0, |mut c| c.free_all()))
            .unwrap_or(0)
    }
}
