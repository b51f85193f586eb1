//! Fuzzes sequences of allocator and handle operations against a model.
//!
//! ```sh
//! cargo install cargo-fuzz
//! cd fuzz && cargo +nightly fuzz run ops -- -max_total_time=60
//! ```
//!
//! Each element records its drops in a shared table; after every operation
//! every live handle must show exactly the values the model expects, and at
//! the end every element must have been dropped exactly once. Elements may
//! point into a second, cycle-aware pool of nodes that point back at
//! elements (once the elements' allocator breaks cycles too), and weak
//! handles upgrade exactly while their values are not dropped. libFuzzer's
//! AddressSanitizer catches any memory error on the way. (libFuzzer turns
//! every panic into a crash, so panicking `init`s are left to the test
//! suite's `panics.rs`.)

#![no_main]

use std::cell::RefCell;
use std::rc::Rc;

use arbitrary::Arbitrary;
use arena_arc::{Allocator, ArcSingle, ArcSlice, WeakSingle, WeakSlice};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Op {
    Alloc(u8),
    TryAlloc { len: u8, fail_at: u8 },
    Value,
    SliceClone(u8),
    ExactIter(u8),
    UnknownIter(u8),
    LyingIter { claimed: u8, actual: u8 },
    Clone(u8),
    Slice(u8, u8, u8),
    Element(u8, u8),
    SplitAt(u8, u8),
    Drop(u8),
    DropAllocator,
    /// The elements' allocator counts per value from now on.
    BreakCycles,
    /// A node (second pool) pointing at live element handle `i`.
    NodeTo(u8),
    /// An element pointing at live node `n` (only in per-value mode: a
    /// plain chunk pointing into the node pool, which points back, would be
    /// a cycle between chunks).
    ElemTo(u8),
    DropNode(u8),
    Downgrade(u8),
    Upgrade(u8),
    DropWeak(u8),
    DropNodePool,
}

/// Drop counts by id, shared by all elements of one run.
type Drops = Rc<RefCell<Vec<u32>>>;

struct Elem {
    id: usize,
    drops: Drops,
    link: Option<ArcSingle<Node, u16>>,
}

/// A node of the second pool: points at elements.
struct Node {
    elem: Elem,
    to: ArcSlice<Elem, u16>,
}

impl Clone for Elem {
    fn clone(&self) -> Self {
        make(&self.drops)
    }
}

impl Drop for Elem {
    fn drop(&mut self) {
        self.drops.borrow_mut()[self.id] += 1;
    }
}

fn make(drops: &Drops) -> Elem {
    let mut d = drops.borrow_mut();
    d.push(0);
    Elem {
        id: d.len() - 1,
        drops: drops.clone(),
        link: None,
    }
}

enum Weak {
    Slice(WeakSlice<Elem, u16>),
    Single(WeakSingle<Elem, u16>),
}

enum Handle {
    Slice(ArcSlice<Elem, u16>),
    Single(ArcSingle<Elem, u16>),
}

impl Handle {
    fn ids(&self) -> Vec<usize> {
        match self {
            Handle::Slice(s) => s.iter().map(|e| e.id).collect(),
            Handle::Single(s) => vec![s.id],
        }
    }
}

struct Liar<I> {
    inner: I,
    claimed: usize,
}

impl<I: Iterator> Iterator for Liar<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.claimed = self.claimed.saturating_sub(1);
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.claimed, Some(self.claimed))
    }
}

fuzz_target!(|ops: Vec<Op>| {
    let drops: Drops = Rc::default();
    let mut alloc: Allocator<Elem, u16, 7> = Allocator::new();
    let mut live: Vec<(Handle, Vec<usize>)> = Vec::new();
    let mut nodes_pool: Allocator<Node, u16, 5> = Allocator::new();
    nodes_pool.break_cycles();
    // Nodes with their own id and the ids they point at.
    let mut nodes: Vec<(ArcSingle<Node, u16>, usize, Vec<usize>)> = Vec::new();
    let mut weaks: Vec<(Weak, Vec<usize>)> = Vec::new();
    for op in ops.into_iter().take(200) {
        let pick = |i: u8, n: usize| (n > 0).then(|| i as usize % n);
        match op {
            Op::Alloc(len) => {
                let s = alloc.alloc(u16::from(len), |_| make(&drops));
                let ids = s.iter().map(|e| e.id).collect();
                live.push((Handle::Slice(s), ids));
            }
            Op::TryAlloc { len, fail_at } => {
                let r = alloc.try_alloc(u16::from(len), |i| {
                    if i == fail_at as usize { Err(()) } else { Ok(make(&drops)) }
                });
                assert_eq!(r.is_err(), fail_at < len);
                if let Ok(s) = r {
                    let ids = s.iter().map(|e| e.id).collect();
                    live.push((Handle::Slice(s), ids));
                }
            }
            Op::Value => {
                let s = alloc.alloc_value(make(&drops));
                let id = s.id;
                live.push((Handle::Single(s), vec![id]));
            }
            Op::SliceClone(len) => {
                let src: Vec<Elem> = (0..len).map(|_| make(&drops)).collect();
                let s = alloc.alloc_slice_clone(&src);
                let ids = s.iter().map(|e| e.id).collect();
                live.push((Handle::Slice(s), ids));
            }
            Op::ExactIter(len) => {
                let s = alloc.alloc_from_iter((0..len).map(|_| make(&drops)));
                let ids = s.iter().map(|e| e.id).collect();
                live.push((Handle::Slice(s), ids));
            }
            Op::UnknownIter(len) => {
                let s = alloc.alloc_from_iter((0..len).filter(|_| true).map(|_| make(&drops)));
                let ids = s.iter().map(|e| e.id).collect();
                live.push((Handle::Slice(s), ids));
            }
            Op::LyingIter { claimed, actual } => {
                let s = alloc.alloc_from_iter(Liar {
                    inner: (0..actual).map(|_| make(&drops)),
                    claimed: claimed as usize,
                });
                assert_eq!(s.len(), actual as usize);
                let ids = s.iter().map(|e| e.id).collect();
                live.push((Handle::Slice(s), ids));
            }
            Op::Clone(i) => {
                if let Some(i) = pick(i, live.len()) {
                    let (h, ids) = &live[i];
                    let c = match h {
                        Handle::Slice(s) => Handle::Slice(s.clone()),
                        Handle::Single(s) => Handle::Single(s.clone()),
                    };
                    let ids = ids.clone();
                    live.push((c, ids));
                }
            }
            Op::Slice(i, a, b) => {
                if let Some(i) = pick(i, live.len())
                    && let (Handle::Slice(s), ids) = &live[i]
                {
                    let n = ids.len() + 1;
                    let (a, b) = (a as usize % n, b as usize % n);
                    let (a, b) = (a.min(b), a.max(b));
                    let sub = s.slice(a..b);
                    let sub_ids = ids[a..b].to_vec();
                    live.push((Handle::Slice(sub), sub_ids));
                }
            }
            Op::Element(i, k) => {
                if let Some(i) = pick(i, live.len())
                    && let (Handle::Slice(s), ids) = &live[i]
                    && let Some(k) = pick(k, ids.len())
                {
                    let e = s.element(k).expect("in bounds");
                    let id = ids[k];
                    live.push((Handle::Single(e), vec![id]));
                }
            }
            Op::SplitAt(i, m) => {
                if let Some(i) = pick(i, live.len())
                    && let (Handle::Slice(s), ids) = &live[i]
                {
                    let m = m as usize % (ids.len() + 1);
                    let (l, r) = ArcSlice::split_at(&s, m);
                    let (li, ri) = (ids[..m].to_vec(), ids[m..].to_vec());
                    live.push((Handle::Slice(l), li));
                    live.push((Handle::Slice(r), ri));
                }
            }
            Op::Drop(i) => {
                if let Some(i) = pick(i, live.len()) {
                    live.swap_remove(i);
                }
            }
            Op::DropAllocator => alloc = Allocator::new(),
            Op::BreakCycles => alloc.break_cycles(),
            Op::NodeTo(i) => {
                if let Some(i) = pick(i, live.len()) {
                    let (h, ids) = &live[i];
                    let to = match h {
                        Handle::Slice(s) => s.clone(),
                        Handle::Single(s) => ArcSlice::from(s.clone()),
                    };
                    let ids = ids.clone();
                    let node = nodes_pool.alloc_value(Node {
                        elem: make(&drops),
                        to,
                    });
                    let id = node.elem.id;
                    nodes.push((node, id, ids));
                }
            }
            Op::ElemTo(n) => {
                if alloc.breaks_cycles()
                    && let Some(n) = pick(n, nodes.len())
                {
                    let mut e = make(&drops);
                    e.link = Some(nodes[n].0.clone());
                    let s = alloc.alloc_value(e);
                    let id = s.id;
                    live.push((Handle::Single(s), vec![id]));
                }
            }
            Op::DropNode(n) => {
                if let Some(n) = pick(n, nodes.len()) {
                    nodes.swap_remove(n);
                }
            }
            Op::Downgrade(i) => {
                if let Some(i) = pick(i, live.len()) {
                    let (h, ids) = &live[i];
                    let w = match h {
                        Handle::Slice(s) => Weak::Slice(ArcSlice::downgrade(s)),
                        Handle::Single(s) => Weak::Single(ArcSingle::downgrade(s)),
                    };
                    weaks.push((w, ids.clone()));
                }
            }
            Op::Upgrade(w) => {
                if let Some(w) = pick(w, weaks.len()) {
                    let (weak, ids) = &weaks[w];
                    let up = match weak {
                        Weak::Slice(w) => w.upgrade().map(Handle::Slice),
                        Weak::Single(w) => w.upgrade().map(Handle::Single),
                    };
                    let d = drops.borrow();
                    match up {
                        Some(h) => {
                            assert_eq!(&h.ids(), ids);
                            assert!(ids.iter().all(|&id| d[id] == 0), "upgraded a dropped value");
                            drop(d);
                            let ids = ids.clone();
                            live.push((h, ids));
                        }
                        None => assert!(ids.iter().all(|&id| d[id] == 1), "no upgrade, yet alive"),
                    }
                }
            }
            Op::DropWeak(w) => {
                if let Some(w) = pick(w, weaks.len()) {
                    weaks.swap_remove(w);
                }
            }
            Op::DropNodePool => {
                nodes_pool = Allocator::new();
                nodes_pool.break_cycles();
            }
        }
        for (h, ids) in &live {
            assert_eq!(&h.ids(), ids);
            let d = drops.borrow();
            assert!(ids.iter().all(|&id| d[id] == 0), "element dropped while shown");
        }
        for (node, id, ids) in &nodes {
            assert_eq!(node.elem.id, *id);
            assert_eq!(&node.to.iter().map(|e| e.id).collect::<Vec<_>>(), ids);
            let d = drops.borrow();
            assert!(ids.iter().chain([id]).all(|&id| d[id] == 0), "node or target dropped");
        }
    }
    drop(live);
    drop(nodes);
    drop(nodes_pool);
    drop(weaks);
    drop(alloc);
    assert!(drops.borrow().iter().all(|&n| n == 1), "every element dropped exactly once");
});
