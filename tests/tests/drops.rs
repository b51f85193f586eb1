//! Every element is dropped exactly once, and never while a handle into its
//! chunk (or the allocator, for its current chunk) is alive.

use arena_arc::{Allocator, ArcSingle, ArcSlice};
use arena_arc_tests::{DropLog, scaled};

#[test]
fn chunk_rotation_drops_every_element_once() {
    let log = DropLog::new();
    let mut alloc: Allocator<_, u32, 4> = Allocator::new();
    let mut handles = Vec::new();
    let mut next = 0;
    for len in [1usize, 3, 2, 4, 1, 1, 3, 2, 2, 4, 3] {
        let start = next;
        handles.push(alloc.alloc(len as u32, |i| log.make(start + i)));
        next += len;
    }
    assert!(alloc.stats().chunks > 3, "{:?}", alloc.stats());
    for (i, h) in handles.iter().enumerate() {
        assert!(!h.is_empty(), "handle {i}");
    }
    log.assert_not_dropped(0..next);
    drop(handles);
    // The allocator still holds its current chunk: those elements live on.
    assert!(log.alive() > 0);
    drop(alloc);
    log.assert_dropped_once(0..next);
    log.assert_all_dropped_once();
}

#[test]
fn dedicated_chunk_is_freed_with_its_last_handle() {
    let log = DropLog::new();
    let mut alloc: Allocator<_, u32, 4> = Allocator::new();
    let small = alloc.alloc(2, |i| log.make(i));
    let big = alloc.alloc(10, |i| log.make(100 + i));
    assert_eq!(alloc.stats().dedicated_chunks, 1);
    // The dedicated chunk did not replace the current one.
    let next = alloc.alloc(2, |i| log.make(200 + i));
    assert_eq!(alloc.stats().chunks, 2);
    assert_eq!(next.as_ptr(), unsafe_free_ptr_after(&small));

    let tail = big.slice(8..);
    drop(big);
    log.assert_not_dropped(100..110);
    drop(tail);
    // Nobody else holds the dedicated chunk.
    log.assert_dropped_once(100..110);
    log.assert_not_dropped(0..2);
    drop((small, next, alloc));
    log.assert_all_dropped_once();
}

/// The address right after the last element of `h` (no dereference).
fn unsafe_free_ptr_after<T>(h: &ArcSlice<T>) -> *const T {
    h.as_ptr().wrapping_add(h.len())
}

#[test]
fn fresh_chunk_not_adopted_is_owned_by_its_handle() {
    let log = DropLog::new();
    let mut alloc: Allocator<_, u32, 8> = Allocator::new();
    // 5 of 8 used: 3 left in the current chunk.
    let a = alloc.alloc(5, |i| log.make(i));
    // 7 does not fit; a new chunk of 8 would leave 1 < 3: not adopted.
    let b = alloc.alloc(7, |i| log.make(10 + i));
    assert_eq!(alloc.stats().current_chunk_free, 3);
    drop(b);
    log.assert_dropped_once(10..17);
    // 2 still fits the first chunk.
    let c = alloc.alloc(2, |i| log.make(20 + i));
    assert_eq!(c.as_ptr(), unsafe_free_ptr_after(&a));
    assert_eq!(alloc.stats().chunks, 2);
    drop((a, c));
    log.assert_not_dropped(0..5);
    drop(alloc);
    log.assert_all_dropped_once();
}

#[test]
fn adopted_chunk_releases_the_old_one() {
    let log = DropLog::new();
    let mut alloc: Allocator<_, u32, 8> = Allocator::new();
    let a = alloc.alloc(7, |i| log.make(i));
    // 1 left; a new chunk after 3 leaves 5 > 1: adopted, old chunk released.
    let b = alloc.alloc(3, |i| log.make(10 + i));
    assert_eq!(alloc.stats().current_chunk_free, 5);
    drop(a);
    // Only `a` held the old chunk.
    log.assert_dropped_once(0..7);
    drop(b);
    log.assert_not_dropped(10..13);
    drop(alloc);
    log.assert_all_dropped_once();
}

#[test]
fn clones_outlive_the_allocator() {
    let log = DropLog::new();
    let mut alloc: Allocator<_, u32, 16> = Allocator::new();
    let slice = alloc.alloc(4, |i| log.make(i));
    let single = alloc.alloc_value(log.make(4));
    let clones: Vec<ArcSlice<_>> = (0..5).map(|_| slice.clone()).collect();
    let single2 = single.clone();
    drop(alloc);
    drop(slice);
    drop(single);
    log.assert_not_dropped(0..5);
    assert_eq!(clones[4][3].id, 3);
    assert_eq!(single2.id, 4);
    drop(clones);
    log.assert_not_dropped(0..5);
    drop(single2);
    log.assert_dropped_once(0..5);
    log.assert_all_dropped_once();
}

#[test]
fn sub_slices_and_element_handles_keep_the_chunk() {
    let log = DropLog::new();
    let mut alloc: Allocator<_, u32, 16> = Allocator::new();
    let all = alloc.alloc(6, |i| log.make(i));
    drop(alloc);
    let (left, right) = ArcSlice::split_at(&all, 2);
    let third: ArcSingle<_> = all.element(3).unwrap();
    let mid = all.slice(1..=4);
    let singles: Vec<_> = all.elements().collect();
    drop(all);
    drop(left);
    drop(right);
    drop(singles);
    drop(mid);
    log.assert_not_dropped(0..6);
    assert_eq!(third.id, 3);
    let back: ArcSlice<_> = third.into();
    assert_eq!(back.len(), 1);
    drop(back);
    log.assert_dropped_once(0..6);
}

#[test]
fn handles_dropped_on_other_threads() {
    let log = DropLog::new();
    let rounds = scaled(50, 5);
    let mut alloc: Allocator<_, u32, 8> = Allocator::new();
    let mut handles = Vec::new();
    for r in 0..rounds {
        handles.push(alloc.alloc(3, |i| log.make(r * 3 + i)));
    }
    drop(alloc);
    let (even, odd): (Vec<_>, Vec<_>) = handles
        .into_iter()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    std::thread::scope(|s| {
        s.spawn(move || drop(even));
        s.spawn(move || drop(odd));
    });
    log.assert_dropped_once(0..rounds * 3);
    log.assert_all_dropped_once();
}

#[test]
fn empty_allocations_allocate_nothing() {
    let log = DropLog::new();
    let mut alloc: Allocator<_, u32, 4> = Allocator::new();
    let e = alloc.alloc(0, |i| log.make(i));
    let e2 = alloc.alloc_from_iter(std::iter::empty());
    let e3 = alloc.alloc_slice_clone(&[]);
    assert!(e.is_empty() && e2.is_empty() && e3.is_empty());
    assert_eq!(alloc.stats().chunks, 0);
    assert_eq!(alloc.stats().allocations, 0);
    assert_eq!(log.created(), 0);
}

#[test]
fn many_allocations_all_dropped() {
    let log = DropLog::new();
    let n = scaled(5_000, 300);
    let mut alloc: Allocator<_, u32, 64> = Allocator::new();
    let mut keep = Vec::new();
    for i in 0..n {
        let h = alloc.alloc_value(log.make(i));
        if i < 10 {
            keep.push(h);
        }
    }
    // Chunks the allocator moved past, with no handle left, are gone.
    assert!(log.dropped() >= n - 128, "dropped {}", log.dropped());
    drop(alloc);
    // Only the first chunk (64 elements) is kept by `keep`.
    assert_eq!(log.alive(), 64);
    for (i, h) in keep.iter().enumerate() {
        assert_eq!(h.id, i);
    }
    drop(keep);
    log.assert_dropped_once(0..n);
}
