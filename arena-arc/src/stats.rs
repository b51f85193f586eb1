//! Allocator statistics.

use core::fmt;

/// What an [`Allocator`](crate::Allocator) has reserved and used, returned by
/// [`Allocator::stats`](crate::Allocator::stats).
///
/// All counts except `current_chunk_free`, `live_chunks` and `live_bytes`
/// are cumulative over the allocator's lifetime: a chunk stays counted after
/// the last handle into it is dropped and it is freed. `live_chunks` and
/// `live_bytes` count what is still allocated now: the current chunk, and
/// every older chunk that a handle (or, in a cycle-aware pool, a live
/// value) still keeps.
///
/// # Examples
///
/// ```
/// use arena_arc::Allocator;
///
/// let mut alloc: Allocator<u64, u32, 8> = Allocator::new();
/// let _a = alloc.alloc_slice_copy(&[1, 2, 3]);
/// let _b = alloc.alloc_slice_copy(&[0; 20]); // longer than a chunk: dedicated
///
/// let stats = alloc.stats();
/// assert_eq!(stats.chunks, 2);
/// assert_eq!(stats.dedicated_chunks, 1);
/// assert_eq!(stats.allocations, 2);
/// assert_eq!(stats.elements, 23);
/// assert_eq!(stats.bytes_used, 23 * 8);
/// assert_eq!(stats.current_chunk_free, 5);
/// assert!(stats.bytes_reserved >= (8 + 20) * 8);
/// assert_eq!((stats.live_chunks, stats.live_bytes), (2, stats.bytes_reserved));
///
/// drop(_b); // the dedicated chunk is freed
/// assert_eq!(alloc.stats().live_chunks, 1);
/// assert_eq!(alloc.stats().chunks, 2);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AllocatorStats {
    /// Chunks allocated, dedicated ones included.
    pub chunks: usize,
    /// Of those, chunks made for a single request longer than the chunk size.
    pub dedicated_chunks: usize,
    /// Of those, chunks whose memory came from this thread's cache of freed
    /// chunks rather than from the global allocator (see
    /// [`trim_chunk_cache`](crate::trim_chunk_cache)).
    pub recycled_chunks: usize,
    /// Heap bytes of all chunks allocated (headers and padding included).
    pub bytes_reserved: usize,
    /// Bytes occupied by the elements allocated (`elements * size_of::<T>()`).
    pub bytes_used: usize,
    /// Non-empty allocations made.
    pub allocations: usize,
    /// Elements allocated.
    pub elements: usize,
    /// Free slots left in the current chunk (in a pool that counts per
    /// value, how many more single values fit in it).
    pub current_chunk_free: usize,
    /// Chunks of this allocator not freed yet, the current one included.
    pub live_chunks: usize,
    /// Heap bytes of those chunks.
    pub live_bytes: usize,
}

impl AllocatorStats {
    pub(crate) const fn new() -> Self {
        AllocatorStats {
            chunks: 0,
            dedicated_chunks: 0,
            recycled_chunks: 0,
            bytes_reserved: 0,
            bytes_used: 0,
            allocations: 0,
            elements: 0,
            current_chunk_free: 0,
            live_chunks: 0,
            live_bytes: 0,
        }
    }

    /// Adds `other`'s counts to these (the statistics of several pools
    /// together).
    #[cfg(feature = "std")]
    pub(crate) fn add(&mut self, other: &AllocatorStats) {
        self.chunks += other.chunks;
        self.dedicated_chunks += other.dedicated_chunks;
        self.recycled_chunks += other.recycled_chunks;
        self.bytes_reserved += other.bytes_reserved;
        self.bytes_used += other.bytes_used;
        self.allocations += other.allocations;
        self.elements += other.elements;
        self.current_chunk_free += other.current_chunk_free;
        self.live_chunks += other.live_chunks;
        self.live_bytes += other.live_bytes;
    }

    /// Records an allocation of `written` elements (`bytes_used` is derived
    /// from `elements` when the statistics are read).
    #[inline]
    pub(crate) fn record(&mut self, written: usize) {
        self.allocations += usize::from(written != 0);
        self.elements += written;
    }
}

impl fmt::Display for AllocatorStats {
    /// One line, for logs: `3 chunks (1 dedicated), 12288 B reserved, 9000 B
    /// used in 1500 allocations of 1500 elements; 2 chunks (8192 B) live`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} chunks ({} dedicated), {} B reserved, {} B used in {} allocations of {} elements; \
             {} chunks ({} B) live",
            self.chunks,
            self.dedicated_chunks,
            self.bytes_reserved,
            self.bytes_used,
            self.allocations,
            self.elements,
            self.live_chunks,
            self.live_bytes
        )
    }
}
