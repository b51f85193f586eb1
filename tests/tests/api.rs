//! The public API: 0.1.2's calls as 0.1.2 users wrote them, placement rules,
//! the handle API, iterators (including lying ones), text and statistics.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap};
use std::hash::{Hash, Hasher};

use arena_arc::{Allocator, AllocatorStats, ArcSingle, ArcSlice, ArcStr, IndexType};
use arena_arc_tests::{DropLog, Liar, Tracked, expect_panic};

fn hash_of<T: Hash + ?Sized>(t: &T) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

#[test]
fn written_for_0_1_2() {
    let mut allocator: Allocator<u32, u32, 16> = Allocator::new();
    let handle = allocator.alloc(4, |i| (i * 2) as u32);
    assert_eq!(handle.get(), &[0, 2, 4, 6]);
    let single = allocator.alloc_single(|| 5);
    assert_eq!(*single.get(), 5);
    let value = allocator.alloc_value(6);
    let tried: Result<ArcSlice<u32, u32>, ()> = allocator.try_alloc(2, |i| Ok(i as u32));
    assert_eq!(tried.unwrap().get(), &[0, 1]);
    let tried_single: Result<ArcSingle<u32, u32>, &str> = allocator.try_alloc_single(|| Err("no"));
    assert_eq!(tried_single.err(), Some("no"));

    let one: ArcSlice<u32> = allocator.alloc(1, |_| 9);
    let s: ArcSingle<u32> = ArcSingle::from_slice(one.clone());
    let t: Result<ArcSingle<u32>, &'static str> = ArcSingle::try_from(one);
    assert_eq!(*s, *t.unwrap());
    let err: Result<ArcSingle<u32>, &'static str> = ArcSingle::try_from(handle.clone());
    assert_eq!(
        err.err(),
        Some("ArcSingle can only be created from a slice of length 1")
    );
    let back: ArcSlice<u32> = ArcSlice::from(value);
    assert_eq!(back.get(), &[6]);

    let empty = Allocator::<u32, u32, 16>::alloc_empty();
    assert!(empty.get().is_empty());
    assert!(ArcSlice::<u32>::empty().get().is_empty());
    let _default: Allocator<u8> = Allocator::default();
    println!("{allocator:?}");

    // Generic code over the index type, as 0.1.2 allowed.
    fn make<L: IndexType>(a: &mut Allocator<u8, L>) -> ArcSlice<u8, L> {
        let len = L::try_from(3).unwrap();
        a.alloc(len, |i| i as u8)
    }
    assert_eq!(make::<u16>(&mut Allocator::new()).get(), &[0, 1, 2]);
    assert_eq!(make::<usize>(&mut Allocator::new()).get(), &[0, 1, 2]);
}

#[test]
#[should_panic(expected = "ArcSingle can only be created from a slice of length 1")]
fn from_slice_panics_unless_len_one() {
    let mut a: Allocator<u32> = Allocator::new();
    let _ = ArcSingle::from_slice(a.alloc_slice_copy(&[1, 2]));
}

#[test]
fn placement_rules() {
    let mut a: Allocator<u32, u32, 10> = Allocator::new();
    assert_eq!(a.stats(), AllocatorStats::default());
    // The first request starts the first chunk, which becomes current.
    let x = a.alloc_slice_copy(&[1; 6]);
    assert_eq!((a.stats().chunks, a.stats().current_chunk_free), (1, 4));
    // Longer than N: dedicated; the current chunk stays.
    let _big = a.alloc_slice_copy(&[2; 11]);
    assert_eq!(
        (
            a.stats().chunks,
            a.stats().dedicated_chunks,
            a.stats().current_chunk_free
        ),
        (2, 1, 4)
    );
    // Fits: same chunk, right after `x`.
    let y = a.alloc_slice_copy(&[3; 2]);
    assert_eq!(y.as_ptr(), x.as_ptr().wrapping_add(6));
    assert_eq!(a.stats().current_chunk_free, 2);
    // Does not fit; a new chunk would leave 10 - 9 = 1 < 2: not adopted.
    let _z = a.alloc_slice_copy(&[4; 9]);
    assert_eq!((a.stats().chunks, a.stats().current_chunk_free), (3, 2));
    // Does not fit; a new chunk leaves 10 - 3 = 7 > 2: adopted.
    let _w = a.alloc_slice_copy(&[5; 3]);
    assert_eq!((a.stats().chunks, a.stats().current_chunk_free), (4, 7));
    // Empty requests allocate nothing.
    let _e = a.alloc_slice_copy(&[]);
    assert_eq!(a.stats().chunks, 4);
    assert_eq!(a.stats().allocations, 5);
    assert_eq!(a.stats().elements, 6 + 11 + 2 + 9 + 3);
    assert_eq!(a.stats().bytes_used, 4 * 31);
    assert!(a.stats().bytes_reserved >= 4 * (10 + 11 + 10 + 10));
    assert!(a.stats().to_string().starts_with("4 chunks (1 dedicated)"));
}

#[test]
fn slicing_and_element_handles() {
    let mut a: Allocator<u32> = Allocator::new();
    let h = a.alloc_from_iter(0..10);
    assert_eq!(h.slice(..), h);
    assert_eq!(h.slice(2..5), [2, 3, 4]);
    assert_eq!(h.slice(..=2), [0, 1, 2]);
    assert_eq!(h.slice(8..), [8, 9]);
    assert!(h.slice(4..4).is_empty());
    assert!(ArcSlice::ptr_eq(&h.slice(4..4), &ArcSlice::empty()));
    let nested = h.slice(2..8).slice(1..3);
    assert_eq!(nested, [3, 4]);
    let (l, r) = ArcSlice::split_at(&h, 3);
    assert_eq!((l.len(), r.len()), (3, 7));
    let (all, none) = ArcSlice::split_at(&h, 10);
    assert_eq!((all.len(), none.len()), (10, 0));
    assert_eq!(*h.element(9).unwrap(), 9);
    assert!(h.element(10).is_none());
    let singles: Vec<ArcSingle<u32>> = h.elements().collect();
    assert_eq!(singles.len(), 10);
    assert!(singles.iter().enumerate().all(|(i, s)| **s == i as u32));
    assert_eq!(h.elements().len(), 10);

    assert!(expect_panic(|| h.slice(3..11)).contains("range end out of bounds: 11 <= 10"));
    let (start, end) = (5, 3);
    assert!(
        expect_panic(|| h.slice(start..end)).contains("range start must not be greater than end")
    );
    assert!(expect_panic(|| ArcSlice::split_at(&h, 11)).contains("mid > len"));
}

#[test]
fn identity_and_content_comparisons() {
    let mut a: Allocator<u32> = Allocator::new();
    let x = a.alloc_slice_copy(&[1, 2, 3]);
    let y = a.alloc_slice_copy(&[1, 2, 3]);
    let z = a.alloc_slice_copy(&[1, 2, 4]);
    assert!(ArcSlice::ptr_eq(&x, &x.clone()));
    assert!(!ArcSlice::ptr_eq(&x, &y));
    assert!(!ArcSlice::ptr_eq(&x, &x.slice(..2)));
    assert_eq!(x, y);
    assert_ne!(x, z);
    assert!(x < z);
    assert_eq!(x.cmp(&y), std::cmp::Ordering::Equal);
    assert_eq!(hash_of(&x), hash_of(&[1u32, 2, 3][..]));
    assert_eq!(x, vec![1, 2, 3]);
    assert_eq!(x, &[1, 2, 3][..]);
    assert_eq!(x, &[1, 2, 3]);
    assert_eq!(format!("{x:?}"), "[1, 2, 3]");
    assert_eq!(format!("{:p}", x), format!("{:p}", x.as_ptr()));

    let p = a.alloc_value(5);
    let q = a.alloc_value(5);
    assert_eq!(p, q);
    assert!(!ArcSingle::ptr_eq(&p, &q));
    assert!(ArcSingle::ptr_eq(&p, &p.clone()));
    assert_eq!(format!("{p} {p:?}"), "5 5");
    assert_eq!(hash_of(&p), hash_of(&5u32));
    let r = a.alloc_value(6);
    assert!(p < r);

    let sorted: BTreeSet<ArcSlice<u32>> = [z.clone(), x.clone(), y.clone()].into_iter().collect();
    assert_eq!(sorted.len(), 2);
    assert_eq!(sorted.first().unwrap(), &x);
}

#[test]
fn borrow_lookups_and_traits() {
    let mut a: Allocator<u8> = Allocator::new();
    let mut map: HashMap<ArcSlice<u8>, u32> = HashMap::new();
    map.insert(a.alloc_slice_copy(b"key"), 1);
    assert_eq!(map.get(&b"key"[..]), Some(&1));

    let mut names: HashMap<ArcStr, u32> = HashMap::new();
    names.insert(a.alloc_str("ada"), 36);
    assert_eq!(names.get("ada"), Some(&36));

    let h = a.alloc_slice_copy(b"xyz");
    let as_ref: &[u8] = h.as_ref();
    assert_eq!(as_ref, b"xyz");
    let mut seen = Vec::new();
    for b in &h {
        seen.push(*b);
    }
    assert_eq!(seen, b"xyz");
    assert!(ArcSlice::<u8>::default().is_empty());

    let mut strings: Allocator<String> = Allocator::new();
    let s = strings.alloc_value("owned".to_string());
    let r: &String = s.as_ref();
    assert_eq!(r, "owned");
    let b: &String = std::borrow::Borrow::borrow(&s);
    assert_eq!(b.len(), 5);
}

#[test]
fn text_handles() {
    let mut text: Allocator<u8> = Allocator::new();
    let s = text.alloc_str("héllo wörld");
    assert_eq!(s, "héllo wörld");
    assert_eq!(s.len(), 13);
    assert_eq!(s.slice(..6), "héllo");
    assert_eq!(s.slice(7..), "wörld");
    assert_eq!(format!("{s} {s:?}"), "héllo wörld \"héllo wörld\"");
    assert_eq!(s.clone().into_bytes(), *"héllo wörld".as_bytes());
    assert_eq!(hash_of(&s), hash_of("héllo wörld"));
    assert!(ArcStr::ptr_eq(&s, &s.clone()));
    let msg = expect_panic(|| s.slice(2..4));
    assert!(msg.contains("char boundaries"), "{msg}");
    let msg = expect_panic(|| s.slice(..20));
    assert!(msg.contains("out of bounds"), "{msg}");
    assert_eq!(ArcStr::<u32>::default(), "");
    assert_eq!(text.alloc_str(""), "");
    let bytes = text.alloc_slice_copy(&[0xff, 0xfe]);
    assert!(ArcStr::from_utf8(bytes).is_err());
    let ok = ArcStr::from_utf8(text.alloc_slice_copy("ok".as_bytes())).unwrap();
    assert_eq!(ok, "ok".to_string());
    let a = text.alloc_str("a");
    let b = text.alloc_str("b");
    assert!(a < b);
}

#[test]
fn copy_clone_and_iter_constructors() {
    let log = DropLog::new();
    let mut a: Allocator<Tracked, u32, 8> = Allocator::new();
    let src: Vec<Tracked> = (0..5).map(|i| log.make(i)).collect();
    let cloned = a.alloc_slice_clone(&src);
    assert!(cloned.iter().enumerate().all(|(i, t)| t.id == i));
    // Exact-size (Vec's IntoIter), and unknown-size (filter).
    let moved = a.alloc_from_iter(src);
    assert_eq!(moved.len(), 5);
    let filtered = a.alloc_from_iter((10..30).filter(|i| i % 2 == 0).map(|i| log.make(i)));
    assert_eq!(filtered.len(), 10);
    assert!(filtered.iter().enumerate().all(|(k, t)| t.id == 10 + 2 * k));
    // Longer than a chunk, exact and unknown size.
    let long = a.alloc_from_iter((100..120).map(|i| log.make(i)));
    assert_eq!(long.len(), 20);
    let long2 = a.alloc_from_iter((200..220).filter(|_| true).map(|i| log.make(i)));
    assert_eq!(long2[19].id, 219);
    drop((cloned, moved, filtered, long, long2, a));
    // `clone` makes a new element with the same id, so count in total.
    assert_eq!(log.alive(), 0);

    let mut copies: Allocator<u64> = Allocator::new();
    let data: Vec<u64> = (0..1000).collect();
    let c = copies.alloc_slice_copy(&data);
    assert_eq!(c, data);
    assert_eq!(copies.stats().dedicated_chunks, 1);
}

#[test]
fn lying_iterators_get_exactly_what_they_yield() {
    for (claimed, actual) in [(5, 3), (5, 0), (3, 7), (0, 4), (20, 2), (2, 30), (4, 4)] {
        let log = DropLog::new();
        let mut a: Allocator<Tracked, u32, 8> = Allocator::new();
        let before = a.alloc_value(log.make(1_000));
        let h = a.alloc_from_iter(Liar::new((0..actual).map(|i| log.make(i)), claimed));
        assert_eq!(h.len(), actual, "claimed {claimed}, yielded {actual}");
        assert!(h.iter().enumerate().all(|(i, t)| t.id == i));
        assert_eq!(log.alive(), actual + 1);
        // The allocator is still consistent.
        let after = a.alloc(3, |i| log.make(2_000 + i));
        assert_eq!(after[2].id, 2_002);
        assert_eq!(before.id, 1_000);
        drop((h, before, after, a));
        log.assert_all_dropped_once();
    }
}

#[test]
fn claims_beyond_the_index_type_fall_back_safely() {
    let mut a: Allocator<u8, u16, 64> = Allocator::new();
    let h = a.alloc_from_iter(Liar::new(0..3u8, usize::MAX));
    assert_eq!(h, [0, 1, 2]);
}

/// bumpalo's fill names make what this crate's own methods make, drop what
/// they made if a closure panics, and reject a length `L` cannot count.
#[test]
fn bumpalo_fill_names_are_the_crates_methods() {
    let mut a: Allocator<u32, u16, 8> = Allocator::new();
    assert_eq!(a.alloc_slice_fill_copy(5, 9), *a.alloc(5, |_| 9));
    assert_eq!(a.alloc_slice_fill_default(3), [0; 3]);
    assert_eq!(a.alloc_slice_fill_with(4, |i| i as u32 * 3), [0, 3, 6, 9]);
    assert_eq!(a.alloc_slice_fill_iter([5, 6, 7]), [5, 6, 7]);
    assert_eq!(a.alloc_slice_fill_copy(0, 1).len(), 0);
    // Longer than a chunk: a chunk of its own, as for `alloc`.
    let before = a.stats().dedicated_chunks;
    assert_eq!(a.alloc_slice_fill_copy(20, 1).len(), 20);
    assert_eq!(a.stats().dedicated_chunks, before + 1);
    let msg = expect_panic(|| a.alloc_slice_fill_copy(70_000, 0));
    assert!(msg.contains("70000"), "{msg}");

    let log = DropLog::new();
    let mut t: Allocator<Tracked> = Allocator::new();
    let original = log.make(1);
    let clones = t.alloc_slice_fill_clone(3, &original);
    assert!(clones.iter().all(|c| c.id == 1));
    assert_eq!(log.alive(), 4);
    let msg = expect_panic(|| {
        t.alloc_slice_fill_with(4, |i| {
            assert!(i < 2, "fill panics");
            log.make(10 + i)
        })
    });
    assert_eq!(msg, "fill panics");
    log.assert_dropped_once([10, 11]);
    drop((clones, original, t));
    assert_eq!(log.alive(), 0);
}
