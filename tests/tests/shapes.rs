//! Unusual element types, chunk sizes and index types.

use std::sync::atomic::{AtomicUsize, Ordering};

use arena_arc::Allocator;
use arena_arc_tests::{DropLog, expect_panic, scaled};

#[test]
fn zero_sized_without_drop() {
    let mut alloc: Allocator<(), u32, 16> = Allocator::new();
    let a = alloc.alloc(8, |_| ());
    let b = alloc.alloc(100, |_| ()); // dedicated
    let c = alloc.alloc_from_iter(std::iter::repeat_n((), 5));
    assert_eq!((a.len(), b.len(), c.len()), (8, 100, 5));
    assert_eq!(b.slice(10..20).len(), 10);
    assert_eq!(alloc.stats().bytes_used, 0);
}

#[test]
fn zero_sized_with_drop_counts_exactly() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Zst;
    impl Drop for Zst {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::Relaxed);
        }
    }
    let mut alloc: Allocator<Zst, u32, 16> = Allocator::new();
    let a = alloc.alloc(10, |_| Zst);
    let b = alloc.alloc(40, |_| Zst);
    let one = alloc.alloc_value(Zst);
    let part = b.slice(5..7);
    drop(b);
    assert_eq!(DROPS.load(Ordering::Relaxed), 0);
    drop(part);
    assert_eq!(DROPS.load(Ordering::Relaxed), 40);
    drop((a, one, alloc));
    assert_eq!(DROPS.load(Ordering::Relaxed), 51);
}

#[test]
fn zero_sized_huge_lengths() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Zst;
    impl Drop for Zst {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::Relaxed);
        }
    }
    let n = scaled(3_000_000, 2_000);
    let mut alloc: Allocator<Zst, u64, 1024> = Allocator::new();
    let big = alloc.alloc(n as u64, |_| Zst);
    assert_eq!(big.len(), n);
    assert_eq!(big.slice(n - 1..).len(), 1);
    drop((big, alloc));
    assert_eq!(DROPS.load(Ordering::Relaxed), n);
}

#[test]
fn odd_sizes_and_chunk_sizes() {
    let mut bytes: Allocator<u8, u32, 300> = Allocator::new();
    let all = bytes.alloc(300, |i| i as u8);
    let more = bytes.alloc(299, |i| (i * 7) as u8);
    assert_eq!(all.len(), 300);
    assert!(all.iter().enumerate().all(|(i, &b)| b == i as u8));
    assert!(more.iter().enumerate().all(|(i, &b)| b == (i * 7) as u8));

    let mut triples: Allocator<[u8; 3], u32, 17> = Allocator::new();
    let mut handles = Vec::new();
    for n in 0..40usize {
        let len = n % 20;
        handles.push(triples.alloc(len as u32, |i| [n as u8, i as u8, (n + i) as u8]));
    }
    for (n, h) in handles.iter().enumerate() {
        assert_eq!(h.len(), n % 20);
        for (i, t) in h.iter().enumerate() {
            assert_eq!(*t, [n as u8, i as u8, (n + i) as u8]);
        }
    }
    assert!(triples.stats().dedicated_chunks > 0);
}

#[test]
fn over_aligned_elements() {
    #[repr(align(64))]
    #[derive(Clone, Copy, Debug, PartialEq)]
    struct Line(u64);
    #[repr(align(4096))]
    #[derive(Debug)]
    struct Page(#[allow(dead_code)] u8);

    let mut lines: Allocator<Line, u32, 5> = Allocator::new();
    let mut handles = Vec::new();
    for n in 0..12u64 {
        handles.push(lines.alloc(((n % 7) + 1) as u32, |i| Line(n * 100 + i as u64)));
    }
    for (n, h) in handles.iter().enumerate() {
        for (i, line) in h.iter().enumerate() {
            assert_eq!(line as *const Line as usize % 64, 0);
            assert_eq!(line.0, n as u64 * 100 + i as u64);
        }
    }
    let mut pages: Allocator<Page, u32, 2> = Allocator::new();
    let p = pages.alloc(3, |i| Page(i as u8));
    let q = pages.alloc_value(Page(9));
    assert_eq!(p.as_ptr() as usize % 4096, 0);
    assert_eq!(arena_arc::ArcSingle::as_ptr(&q) as usize % 4096, 0);
}

#[test]
fn chunk_size_one() {
    let log = DropLog::new();
    let mut alloc: Allocator<_, u32, 1> = Allocator::new();
    let singles: Vec<_> = (0..10).map(|i| alloc.alloc_value(log.make(i))).collect();
    let pair = alloc.alloc(2, |i| log.make(100 + i));
    assert_eq!(alloc.stats().chunks, 11);
    assert_eq!(alloc.stats().dedicated_chunks, 1);
    assert!(singles.iter().enumerate().all(|(i, s)| s.id == i));
    assert_eq!(pair[1].id, 101);
    drop((singles, pair, alloc));
    log.assert_all_dropped_once();
}

#[test]
fn u16_index_at_its_limit() {
    let mut alloc: Allocator<u8, u16, 65535> = Allocator::new();
    let max = alloc.alloc(u16::MAX, |i| (i % 251) as u8);
    assert_eq!(max.len(), 65_535);
    assert_eq!(max[65_534], (65_534 % 251) as u8);
    assert_eq!(max.slice(65_530..).len(), 5);
    let last = max.element(65_534).unwrap();
    assert_eq!(*last, (65_534 % 251) as u8);
    // A slice longer than u16 can address is refused with a clear message.
    let too_long = vec![0u8; 65_536];
    let msg = expect_panic(|| alloc.alloc_slice_copy(&too_long));
    assert!(
        msg.contains("length 65536 does not fit the index type `u16`"),
        "{msg}"
    );
    let msg = expect_panic(|| alloc.alloc_from_iter(too_long.iter().copied()));
    assert!(msg.contains("does not fit the index type `u16`"), "{msg}");
    // Still usable.
    assert_eq!(alloc.alloc_slice_copy(b"ok"), *b"ok");
}

#[test]
fn wide_index_types() {
    let mut a: Allocator<u32, u128, 16> = Allocator::new();
    let h = a.alloc(20, |i| i as u32);
    assert_eq!(h.slice(18..), [18, 19]);
    let mut b: Allocator<u32, usize, 16> = Allocator::new();
    assert_eq!(b.alloc_from_iter(0..3), [0, 1, 2]);
    let mut c: Allocator<u32, u64, 16> = Allocator::new();
    assert_eq!(*c.alloc_value(7), 7);
}
