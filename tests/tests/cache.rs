//! The per-thread cache of freed chunks: reused by the next chunk of the
//! same layout on the thread, bounded, emptied by `trim_chunk_cache` and
//! when the thread ends (Miri and LeakSanitizer check that nothing leaks).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicIsize, Ordering::SeqCst};

use arena_arc::{Allocator, CHUNK_CACHE_LIMIT, trim_chunk_cache};

/// The system allocator, counting the bytes that threads marked with
/// `TRACKED` allocate and free.
struct Counting;

/// Bytes allocated minus bytes freed by tracked threads.
static LIVE: AtomicIsize = AtomicIsize::new(0);

std::thread_local! {
    /// Whether this thread's allocations are counted (no destructor: still
    /// readable while the thread's other thread-locals are destroyed).
    static TRACKED: Cell<bool> = const { Cell::new(false) };
}

fn count(bytes: isize) {
    if TRACKED.with(Cell::get) {
        LIVE.fetch_add(bytes, SeqCst);
    }
}

// SAFETY: forwards to `System`, only counting.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: forwarded.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` on a fresh thread, whose cache starts empty.
fn on_fresh_thread(f: impl FnOnce() + Send + 'static) {
    std::thread::spawn(f).join().unwrap();
}

#[test]
fn a_freed_chunk_is_reused_by_the_next_pool_of_its_shape() {
    on_fresh_thread(|| {
        let mut first: Allocator<u64, u32, 64> = Allocator::new();
        let kept = first.alloc_slice_copy(&[1, 2, 3]);
        assert_eq!(first.stats().recycled_chunks, 0);
        drop(first);
        drop(kept); // the chunk is freed: into the cache

        let mut other_shape: Allocator<u64, u32, 32> = Allocator::new();
        let _a = other_shape.alloc_value(1);
        assert_eq!(other_shape.stats().recycled_chunks, 0, "another layout");

        let mut second: Allocator<u64, u32, 64> = Allocator::new();
        let b = second.alloc_slice_copy(&[4, 5]);
        assert_eq!(second.stats().recycled_chunks, 1);
        assert_eq!(second.stats().chunks, 1);
        assert_eq!(b, [4, 5]);
        // Taken: nothing is left to trim.
        assert_eq!(trim_chunk_cache(), 0);
    });
}

#[test]
fn trimming_frees_what_the_thread_keeps() {
    on_fresh_thread(|| {
        let mut pool: Allocator<u8, u32, 4096> = Allocator::new();
        let stats = {
            let _x = pool.alloc_slice_copy(b"abc");
            pool.stats()
        };
        drop(pool);
        assert_eq!(trim_chunk_cache(), stats.bytes_reserved);
        assert_eq!(trim_chunk_cache(), 0);
        // Trimmed: the next pool allocates afresh.
        let mut pool: Allocator<u8, u32, 4096> = Allocator::new();
        let _y = pool.alloc_value(1);
        assert_eq!(pool.stats().recycled_chunks, 0);
    });
}

#[test]
fn the_cache_stays_within_its_limit() {
    // Chunks are made with builders of a large capacity and one element:
    // as large as a copy, without writing (and, under Miri, checking) every
    // byte.
    // Also returns the bytes of the pool's first chunk, which holds its
    // record (a pool makes it before a chunk of its own for a request).
    fn chunk_of(bytes: usize) -> (arena_arc::ArcSlice<u8>, usize) {
        let mut pool: Allocator<u8, u32, 16> = Allocator::new();
        drop(pool.alloc_value(0));
        let first = pool.stats().bytes_reserved;
        assert!(first < 1024, "{first}");
        let mut b = pool.slice_builder(bytes);
        b.push(1);
        let slice = b.finish();
        assert_eq!(pool.stats().dedicated_chunks, 1);
        (slice, first)
    }
    on_fresh_thread(|| {
        // A chunk larger than the limit is never kept (the pool's first,
        // small one is).
        let (large, first) = chunk_of(CHUNK_CACHE_LIMIT + 1);
        drop(large);
        assert_eq!(trim_chunk_cache(), first);
        // Many chunks of 1 MiB: at most the limit is kept.
        let held: Vec<_> = (0..12).map(|_| chunk_of(1 << 20).0).collect();
        drop(held);
        let kept = trim_chunk_cache();
        assert!(kept <= CHUNK_CACHE_LIMIT, "{kept}");
        assert!(kept >= CHUNK_CACHE_LIMIT - (2 << 20), "{kept}");
    });
}

#[test]
fn a_full_cache_makes_room_for_the_layout_in_use() {
    on_fresh_thread(|| {
        // Fill the cache all but 4 KiB with one chunk.
        let mut pool: Allocator<u8, u32, 16> = Allocator::new();
        let mut b = pool.slice_builder(CHUNK_CACHE_LIMIT - 4096);
        b.push(0);
        drop((pool, b.finish()));
        // A pool of another layout (8 KiB chunks), built and dropped in a
        // loop: its chunk displaces the old one and is reused from the
        // second round on.
        for round in 0..3 {
            let mut pool: Allocator<u64, u32, 1024> = Allocator::new();
            let _x = pool.alloc_value(round);
            assert_eq!(
                pool.stats().recycled_chunks,
                usize::from(round > 0),
                "{round}"
            );
        }
        // Only the 8 KiB chunk is left.
        assert!(trim_chunk_cache() < 16 * 1024);
    });
}

/// Bytes a thread running `f` leaves allocated (counted from its start).
fn left_allocated_by(f: impl FnOnce() + Send + 'static) -> isize {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let before = LIVE.load(SeqCst);
    std::thread::spawn(|| {
        TRACKED.with(|t| t.set(true));
        f();
    })
    .join()
    .unwrap();
    LIVE.load(SeqCst) - before
}

#[test]
fn chunks_cached_by_a_thread_are_freed_when_it_ends() {
    // What std itself frees at the end of a thread that it allocated before
    // the thread started counting (its spawn data).
    let baseline = left_allocated_by(|| {});
    let left = left_allocated_by(|| {
        let mut pools: Vec<Allocator<u64, u32, 128>> = (0..4).map(|_| Allocator::new()).collect();
        let handles: Vec<_> = pools
            .iter_mut()
            .map(|p| p.alloc_slice_copy(&[1; 100]))
            .collect();
        drop((pools, handles)); // four chunks into the cache
        assert!(LIVE.load(SeqCst) >= 4 * 128 * 8, "the cache holds them");
    });
    // The thread's cache went with it: every byte it allocated is back.
    assert_eq!(left, baseline);
}
