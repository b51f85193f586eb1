//! Allocator statistics.

use core::fmt;

/// What an [`Allocator`](crate::Allocator) has reserved and used, returned by
/// [`Allocator::stats`](crate::Allocator::stats).
///
/// All counts except `current_chunk_free` are cumulative over the
/// allocator's lifetime: a chunk stays counted after the last handle into it
/// is dropped and it is freed.
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
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AllocatorStats {
    /// Chunks allocated, dedicated ones included.
    pub chunks: usize,
    /// Of those, chunks made for a single request longer than the chunk size.
    pub dedicated_chunks: usize,
    /// Heap bytes of all chunks allocated (headers and padding included).
    pub bytes_reserved: usize,
    /// Bytes occupied by the elements allocated (`elements * size_of::<T>()`).
    pub bytes_used: usize,
    /// Non-empty allocations made.
    pub allocations: usize,
    /// Elements allocated.
    pub elements: usize,
    /// Free slots left in the current chunk.
    pub current_chunk_free: usize,
}

impl AllocatorStats {
    pub(crate) const fn new() -> Self {
        AllocatorStats {
            chunks: 0,
            dedicated_chunks: 0,
            bytes_reserved: 0,
            bytes_used: 0,
            allocations: 0,
            elements: 0,
            current_chunk_free: 0,
        }
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
    /// used in 1500 allocations of 1500 elements`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} chunks ({} dedicated), {} B reserved, {} B used in {} allocations of {} elements",
            self.chunks,
            self.dedicated_chunks,
            self.bytes_reserved,
            self.bytes_used,
            self.allocations,
            self.elements
        )
    }
}
