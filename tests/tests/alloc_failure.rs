//! Allocation failure surfaces through `handle_alloc_error` (which aborts
//! with a message), never as UB or a call into `init` with bad memory. The
//! test re-runs itself in a child process whose global allocator refuses
//! large requests.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use arena_arc::Allocator;

/// Refuses allocations larger than `LIMIT` bytes; forwards the rest.
struct Refusing;

static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

// SAFETY: forwards to `System`, or returns null, which `GlobalAlloc`
// allows to signal failure.
unsafe impl GlobalAlloc for Refusing {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() > LIMIT.load(Ordering::Relaxed) {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded from our caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: every non-null pointer we returned came from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Refusing = Refusing;

#[test]
#[cfg(all(unix, not(miri)))]
fn chunk_allocation_failure_aborts_through_handle_alloc_error() {
    let out = arena_arc_tests::run_in_child(
        "chunk_allocation_failure_aborts_through_handle_alloc_error",
        || {
            let big = vec![7u8; 4 << 20];
            let mut alloc: Allocator<u8, u32, 1024> = Allocator::new();
            let small = alloc.alloc_slice_copy(b"fine");
            LIMIT.store(1 << 20, Ordering::Relaxed);
            println!("small {}", small.len());
            // Needs a 4 MiB dedicated chunk: refused.
            let copied = alloc.alloc(big.len() as u32, |i| {
                println!("init called");
                big[i]
            });
            println!("unreachable: {}", copied.len());
        },
    );
    arena_arc_tests::assert_aborted(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("small 4"), "{stdout}");
    assert!(
        !stdout.contains("init called"),
        "init ran on a failed allocation"
    );
    assert!(!stdout.contains("unreachable"));
    assert!(
        stderr.contains("memory allocation of") && stderr.contains("failed"),
        "{stderr}"
    );
}
