//! Values larger than the stack are built straight into their slots:
//! bumpalo's `alloc_with` tests (an array of 10 MB, a struct of 60 MB, a
//! tuple and an enum holding them), ported onto each way this crate builds a
//! single value, with chunks of 0, 1 and 2 slots (the general placement
//! path, and a chunk too small for two values), in plain and cycle-aware
//! allocators, in the per-thread pools and in a scoped pool.
//!
//! As with bumpalo, only an optimised build writes a closure's result where
//! it goes (without optimisation the value is built on the stack first), so
//! this binary, built by `cargo test` without optimisation, builds itself
//! with `--release` in a target directory of its own and runs that. The
//! optimised binary runs each case in a child process on its main thread
//! (8 MiB of stack on most Linux systems, far less than a value): a stack
//! overflow kills the child, and the case fails.

use std::process::Command;

use arena_arc::{Allocator, ArenaAlloc, ArenaType, PoolScope};
use arena_arc_tests::{child_case, run_cases_in_children};

const MB: usize = 1_000_000;

#[derive(ArenaAlloc)]
#[arena(chunk = 2)]
struct LargeArray([u8; 10 * MB]);

/// bumpalo's `LargeStruct`, and a name, so that it has drop glue (the
/// cycle-aware pools count only such values on their own).
#[derive(ArenaAlloc)]
#[arena(chunk = 1)]
struct LargeStruct {
    small: usize,
    big1: [u8; 20 * MB],
    big2: [u8; 20 * MB],
    big3: [u8; 20 * MB],
    name: String,
}

fn large_struct() -> LargeStruct {
    LargeStruct {
        small: 1,
        big1: [2; 20 * MB],
        big2: [3; 20 * MB],
        big3: [4; 20 * MB],
        name: "large".to_string(),
    }
}

fn check_struct(s: &LargeStruct) {
    assert_eq!((s.small, s.name.as_str()), (1, "large"));
    for (big, byte) in [(&s.big1, 2), (&s.big2, 3), (&s.big3, 4)] {
        assert!(big.iter().all(|&b| b == byte));
    }
}

#[allow(clippy::large_enum_variant)]
enum LargeEnum {
    Small,
    Large([u8; 10 * MB]),
}

/// The cases: a name and what it runs.
const CASES: &[(&str, fn())] = &[
    ("Allocator::alloc_single, array, N = 2", || {
        let mut a: Allocator<[u8; 10 * MB], u32, 2> = Allocator::new();
        let v = a.alloc_single(|| [4; 10 * MB]);
        assert!(v.iter().all(|&b| b == 4));
    }),
    ("Allocator::alloc_single, array, N = 1", || {
        let mut a: Allocator<[u8; 10 * MB], u32, 1> = Allocator::new();
        let (v, w) = (
            a.alloc_single(|| [4; 10 * MB]),
            a.alloc_single(|| [5; 10 * MB]),
        );
        assert!(v.iter().all(|&b| b == 4) && w.iter().all(|&b| b == 5));
    }),
    ("Allocator::alloc_single, array, N = 0", || {
        let mut a: Allocator<[u8; 10 * MB], u32, 0> = Allocator::new();
        let v = a.alloc_single(|| [4; 10 * MB]);
        assert!(v.iter().all(|&b| b == 4));
        assert_eq!(a.stats().dedicated_chunks, 1);
    }),
    ("Allocator::alloc_single, struct, N = 2", || {
        let mut a: Allocator<LargeStruct, u32, 2> = Allocator::new();
        let (v, w) = (a.alloc_single(large_struct), a.alloc_single(large_struct));
        check_struct(&v);
        check_struct(&w);
    }),
    ("Allocator::alloc_single, struct, N = 1", || {
        let mut a: Allocator<LargeStruct, u32, 1> = Allocator::new();
        check_struct(&a.alloc_single(large_struct));
    }),
    (
        "Allocator::alloc_single, struct, cycle-aware, N = 2",
        || {
            let mut a: Allocator<LargeStruct, u32, 2> = Allocator::new();
            a.break_cycles();
            let (v, w) = (a.alloc_single(large_struct), a.alloc_single(large_struct));
            check_struct(&v);
            check_struct(&w);
        },
    ),
    (
        "Allocator::alloc_single, struct, cycle-aware, N = 1",
        || {
            let mut a: Allocator<LargeStruct, u32, 1> = Allocator::new();
            a.break_cycles();
            check_struct(&a.alloc_single(large_struct));
        },
    ),
    ("Allocator::alloc_single, tuple, N = 2", || {
        let mut a: Allocator<(u32, LargeStruct), u32, 2> = Allocator::new();
        let v = a.alloc_single(|| (7, large_struct()));
        assert_eq!(v.0, 7);
        check_struct(&v.1);
    }),
    ("Allocator::alloc_single, enum, N = 2", || {
        let mut a: Allocator<LargeEnum, u32, 2> = Allocator::new();
        let v = a.alloc_single(|| LargeEnum::Large([4; 10 * MB]));
        assert!(matches!(&*v, LargeEnum::Large(big) if big.iter().all(|&b| b == 4)));
        assert!(matches!(
            *a.alloc_single(|| LargeEnum::Small),
            LargeEnum::Small
        ));
    }),
    (
        "Allocator::try_alloc_single, array, Ok and Err, N = 2",
        || {
            let mut a: Allocator<[u8; 10 * MB], u32, 2> = Allocator::new();
            let v = a.try_alloc_single(|| Ok::<_, ()>([4; 10 * MB])).unwrap();
            assert!(v.iter().all(|&b| b == 4));
            assert!(a.try_alloc_single(|| Err::<[u8; 10 * MB], _>(())).is_err());
            assert_eq!(a.stats().allocations, 1);
        },
    ),
    (
        "Allocator::try_alloc_single, struct, cycle-aware, N = 1",
        || {
            let mut a: Allocator<LargeStruct, u32, 1> = Allocator::new();
            a.break_cycles();
            let v = a
                .try_alloc_single(|| Ok::<_, String>(large_struct()))
                .unwrap();
            check_struct(&v);
            let err = a.try_alloc_single(|| Err::<LargeStruct, _>("no".to_string()));
            assert_eq!(err.err().as_deref(), Some("no"));
        },
    ),
    ("ArenaAlloc::alloc_with, array, per-thread pool", || {
        let (v, w) = (
            LargeArray::alloc_with(|| LargeArray([4; 10 * MB])),
            LargeArray::alloc_with(|| LargeArray([5; 10 * MB])),
        );
        // A third: the first chunk is full.
        let x = LargeArray::alloc_with(|| LargeArray([6; 10 * MB]));
        for (v, byte) in [(&v, 4), (&w, 5), (&x, 6)] {
            assert!(v.0.iter().all(|&b| b == byte));
        }
    }),
    ("ArenaAlloc::alloc_with, struct, per-thread pool", || {
        let (v, w) = (
            LargeStruct::alloc_with(large_struct),
            LargeStruct::alloc_with(large_struct),
        );
        check_struct(&v);
        check_struct(&w);
    }),
    ("ArenaAlloc::alloc_with, struct, scoped pool", || {
        let mut pool: Allocator<LargeStruct, u32, 2> = Allocator::new();
        let v = pool.scope(|| LargeStruct::alloc_with(large_struct));
        check_struct(&v);
        assert_eq!(pool.stats().allocations, 1);
    }),
    ("ArenaType::alloc_with_in, struct", || {
        let mut pool: Allocator<LargeStruct, u32, 1> = Allocator::new();
        check_struct(&LargeStruct::alloc_with_in(&mut pool, large_struct));
    }),
];

/// Set in a child process to the index of the case it runs.
const CHILD: &str = "ARENA_ARC_LARGE_VALUE_CASE";

fn main() {
    if cfg!(miri) || !cfg!(unix) {
        // Miri runs no child processes (nor values this large).
        println!("large_values: needs child processes; nothing to run here");
        return;
    }
    if let Some(case) = child_case(CHILD) {
        (CASES[case].1)();
        println!("case passed");
        return;
    }
    if cfg!(debug_assertions) {
        run_optimised();
        return;
    }
    let names: Vec<&str> = CASES.iter().map(|(name, _)| *name).collect();
    run_cases_in_children(CHILD, &names, "case passed");
}

/// Builds this test with `--release`, in `target/large-values` (a target
/// directory of its own: the one running this binary is locked by its
/// cargo), without the flags of this build (a sanitizer's, for one), and
/// runs it.
fn run_optimised() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!("\nlarge_values: running the optimised build (cargo test --release)");
    let status = Command::new(cargo)
        .current_dir(root)
        .args([
            "test",
            "--release",
            "-p",
            "arena-arc-tests",
            "--test",
            "large_values",
        ])
        .arg("--target-dir")
        .arg(root.join("target/large-values"))
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTDOCFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .status()
        .expect("cargo runs");
    assert!(status.success(), "the optimised build failed: {status:?}");
}
