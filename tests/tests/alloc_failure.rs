//! Allocation failure. Where the global allocator refuses a chunk, the
//! `_checked` methods return an `AllocError` and leave the pool and its
//! handles intact; the others surface it through `handle_alloc_error`
//! (which aborts with a message), never as UB or a call into `init` with
//! bad memory. Each case runs in a child process of this test binary (under
//! Miri, which runs no child, in-process: the allocator refuses per thread).
//!
//! Also: a pool allocates nothing but its chunks (its statistics record
//! lives in one of them), counted by the same global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use arena_arc::{Allocator, ArcSlice, ArenaAlloc, arena};

/// Refuses allocations larger than `LIMIT` bytes, or than this thread's
/// `REFUSE_ABOVE`; counts this thread's allocations while `COUNTING`;
/// forwards the rest.
struct Refusing;

static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

std::thread_local! {
    // `const`, no destructor: readable from inside the allocator, always.
    static REFUSE_ABOVE: Cell<usize> = const { Cell::new(usize::MAX) };
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNTED: Cell<usize> = const { Cell::new(0) };
}

fn refused(size: usize) -> bool {
    size > LIMIT.load(Ordering::Relaxed)
        || REFUSE_ABOVE.try_with(|c| size > c.get()).unwrap_or(false)
}

// SAFETY: forwards to `System`, or returns null, which `GlobalAlloc`
// allows to signal failure.
unsafe impl GlobalAlloc for Refusing {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if refused(layout.size()) {
            return std::ptr::null_mut();
        }
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            let _ = COUNTED.try_with(|c| c.set(c.get() + 1));
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

/// Runs `case` in a child process that must exit successfully having
/// printed "case passed" (in-process under Miri).
fn in_child(test: &str, case: fn()) {
    if cfg!(miri) || cfg!(not(unix)) {
        case();
        return;
    }
    #[cfg(unix)]
    {
        let out = arena_arc_tests::run_in_child(test, || {
            case();
            println!("case passed");
        });
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("case passed"),
            "{:?}\nstdout: {stdout}\nstderr: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Refuses this thread's allocations above `bytes` while `f` runs.
fn refusing_above<R>(bytes: usize, f: impl FnOnce() -> R) -> R {
    REFUSE_ABOVE.with(|c| c.set(bytes));
    let result = f();
    REFUSE_ABOVE.with(|c| c.set(usize::MAX));
    result
}

#[test]
fn checked_methods_return_the_global_allocators_refusal() {
    in_child(
        "checked_methods_return_the_global_allocators_refusal",
        || {
            let mut alloc: Allocator<u64, u32, 64> = Allocator::new();
            let kept: Vec<_> = (0..100).map(|i| alloc.alloc_value(i)).collect();
            let big = vec![7u64; 1 << 17]; // 1 MiB
            let before = alloc.stats();
            let err =
                refusing_above(64 * 1024, || alloc.alloc_slice_copy_checked(&big)).unwrap_err();
            assert!(!err.is_limit() && err.limit().is_none(), "{err}");
            assert!(err.layout().size() > 1 << 20);
            assert!(err.to_string().contains("global allocator"), "{err}");
            // Nothing changed: the statistics, the handles, and the pool works.
            let after = alloc.stats();
            assert_eq!(
                (after.chunks, after.live_bytes),
                (before.chunks, before.live_bytes)
            );
            assert!(kept.iter().enumerate().all(|(i, h)| **h == i as u64));
            assert_eq!(
                alloc.alloc_slice_copy_checked(&big).unwrap().len(),
                big.len()
            );
            // A single value whose chunk is refused: `build` is not called.
            let mut values: Allocator<[u8; 4096], u32, 4> = Allocator::new();
            let mut called = false;
            let err = refusing_above(1024, || {
                values.alloc_with_checked(|| {
                    called = true;
                    [1; 4096]
                })
            })
            .unwrap_err();
            assert!(!called && !err.is_limit());
            assert_eq!(values.alloc_with_checked(|| [2; 4096]).unwrap()[0], 2);
            // A string, and a clone of a slice of values with drop glue.
            let mut text: Allocator<u8, u32, 16> = Allocator::new();
            let hello = text.alloc_str("hello");
            let long_text = "x".repeat(4096);
            assert!(refusing_above(1024, || text.alloc_str_checked(&long_text)).is_err());
            assert_eq!(hello, "hello");
            let mut names: Allocator<String, u32, 4> = Allocator::new();
            names.break_cycles();
            let long: Vec<String> = (0..100).map(|i| i.to_string()).collect();
            assert!(refusing_above(1024, || names.alloc_slice_clone_checked(&long)).is_err());
            assert_eq!(names.alloc_slice_clone_checked(&long).unwrap(), long);
        },
    );
}

#[derive(ArenaAlloc, Debug, PartialEq)]
#[arena(chunk = 1024)]
struct Sample(u64, u64);

#[arena(chunk = 256)]
struct Tables {
    samples: Sample,
    bytes: u8,
}

#[test]
fn per_thread_and_arena_struct_checked_allocation_return_it_too() {
    in_child(
        "per_thread_and_arena_struct_checked_allocation_return_it_too",
        || {
            // A fresh thread: its pool of `Sample` has no chunk yet.
            std::thread::spawn(|| {
                let err = refusing_above(1024, || Sample::alloc_checked(Sample(1, 2))).unwrap_err();
                assert!(!err.is_limit());
                assert!(
                    refusing_above(1024, || u32::alloc_slice_copy_checked(&[0; 100_000])).is_err()
                );
                let one = Sample::alloc_checked(Sample(1, 2)).unwrap();
                assert_eq!(*one, Sample(1, 2));
            })
            .join()
            .unwrap();
            let mut tables = Tables::new();
            let first = tables.alloc(Sample(3, 4));
            let err = refusing_above(1024, || tables.alloc_slice_copy_checked(&[9u8; 10_000]))
                .unwrap_err();
            assert!(!err.is_limit());
            assert_eq!(*first, Sample(3, 4));
            assert_eq!(tables.alloc_checked(Sample(5, 6)).unwrap().0, 5);
        },
    );
}

#[test]
fn a_pool_allocates_nothing_but_its_chunks() {
    in_child("a_pool_allocates_nothing_but_its_chunks", || {
        // Counted on a fresh thread (an empty chunk cache) after its
        // thread-locals are set up.
        std::thread::spawn(|| {
            let mut kept_single = Vec::with_capacity(2000);
            let mut kept_slices: Vec<ArcSlice<u64>> = Vec::with_capacity(10);
            struct Node(#[allow(dead_code)] u64);
            impl Drop for Node {
                fn drop(&mut self) {}
            }
            let mut kept_nodes = Vec::with_capacity(2000);
            COUNTING.with(|c| c.set(true));
            // A plain pool, past several chunks, with a chunk of its own for
            // a long slice and a builder growing without it.
            let mut plain: Allocator<u64, u32, 64> = Allocator::new();
            for i in 0..1000 {
                kept_single.push(plain.alloc_value(i));
            }
            kept_slices.push(plain.alloc_slice_copy(&[1; 500]));
            let mut row = plain.slice_builder(2);
            row.extend(0..300);
            kept_slices.push(row.finish());
            // A cycle-aware pool.
            let mut nodes: Allocator<Node, u32, 64> = Allocator::new();
            nodes.break_cycles();
            for i in 0..1000 {
                kept_nodes.push(nodes.alloc_value(Node(i)));
            }
            // The builder grew once, into a chunk it made itself (which
            // the pool's live statistics count, but not its `chunks`).
            let made = [plain.stats(), nodes.stats()]
                .iter()
                .map(|s| s.chunks - s.recycled_chunks)
                .sum::<usize>()
                + 1;
            drop((plain, nodes));
            COUNTING.with(|c| c.set(false));
            let counted = COUNTED.with(Cell::get);
            assert!(made > 30, "{made}");
            assert_eq!(counted, made, "allocations besides the chunks");
            drop((kept_single, kept_slices, kept_nodes));
        })
        .join()
        .unwrap();
    });
}
