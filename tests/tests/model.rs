//! Model-based property tests.
//!
//! 1. Random sequences of every allocation method, clone, sub-slice, element
//!    handles, split, drop, moving a handle to another thread, switching to
//!    per-value counting and dropping the allocator, checked against a plain
//!    model (the element ids each handle should show). After every step each
//!    live handle shows exactly its elements, none of which has been
//!    dropped; at the end, every element ever made has been dropped exactly
//!    once.
//! 2. Random graphs across two cycle-aware pools whose elements hold
//!    handles into each other, with weak handles, checked against a model
//!    of which allocations are reachable: after every step exactly the
//!    reachable ones are alive, and a weak handle upgrades exactly when its
//!    allocation is.

use std::collections::HashMap;
use std::sync::Arc;

use arena_arc::{Allocator, ArcSingle, ArcSlice, ArcStr};
use arena_arc_tests::{DropLog, Liar, Tracked};
use proptest::prelude::*;

/// Small chunks and a narrow index: rotation, dedicated chunks and offsets
/// near the limits all happen often.
type Alloc = Allocator<Tracked, u16, 5>;

#[derive(Clone, Debug)]
enum Op {
    Alloc(u16),
    TryAlloc { len: u16, fail_at: Option<u16> },
    AllocValue,
    AllocSingle,
    TryAllocSingle(bool),
    AllocSliceClone(u16),
    FromExactIter(u16),
    FromUnknownIter(u16),
    FromLyingIter { claimed: u8, actual: u8 },
    Clone(usize),
    Slice(usize, usize, usize),
    Element(usize, usize),
    SplitAt(usize, usize),
    IntoSlice(usize),
    Drop(usize),
    SendToThread { handle: usize, keep: bool },
    DropAllocator,
    BreakCycles,
    CopyIn(Vec<u8>),
    Str(String),
    Empty,
}

fn op() -> impl Strategy<Value = Op> {
    let len = 0u16..13;
    prop_oneof![
        1 => len.clone().prop_map(Op::Alloc),
        1 => (len.clone(), proptest::option::of(0u16..13))
            .prop_map(|(len, fail_at)| Op::TryAlloc { len, fail_at }),
        1 => Just(Op::AllocValue),
        1 => Just(Op::AllocSingle),
        1 => any::<bool>().prop_map(Op::TryAllocSingle),
        1 => len.clone().prop_map(Op::AllocSliceClone),
        1 => len.clone().prop_map(Op::FromExactIter),
        1 => len.prop_map(Op::FromUnknownIter),
        1 => (0u8..9, 0u8..9).prop_map(|(claimed, actual)| Op::FromLyingIter { claimed, actual }),
        3 => any::<usize>().prop_map(Op::Clone),
        3 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(h, a, b)| Op::Slice(h, a, b)),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(h, i)| Op::Element(h, i)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(h, m)| Op::SplitAt(h, m)),
        1 => any::<usize>().prop_map(Op::IntoSlice),
        4 => any::<usize>().prop_map(Op::Drop),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(handle, keep)| Op::SendToThread { handle, keep }),
        1 => Just(Op::DropAllocator),
        1 => Just(Op::BreakCycles),
        1 => proptest::collection::vec(any::<u8>(), 0..12).prop_map(Op::CopyIn),
        1 => "\\PC{0,6}".prop_map(Op::Str),
        1 => Just(Op::Empty),
    ]
}

enum Handle {
    Slice(ArcSlice<Tracked, u16>),
    Single(ArcSingle<Tracked, u16>),
}

impl Handle {
    fn ids(&self) -> Vec<usize> {
        match self {
            Handle::Slice(s) => s.iter().map(|t| t.id).collect(),
            Handle::Single(s) => vec![s.id],
        }
    }
}

struct World {
    log: Arc<DropLog>,
    alloc: Alloc,
    bytes: Allocator<u8, u16, 7>,
    next_id: usize,
    /// Live handles with the ids the model says they show.
    handles: Vec<(Handle, Vec<usize>)>,
    /// Byte handles with their expected contents.
    byte_handles: Vec<(ArcSlice<u8, u16>, Vec<u8>)>,
    /// Text handles with their expected contents.
    str_handles: Vec<(ArcStr<u16>, String)>,
    /// Drops of ids that are not arena elements: the originals that
    /// `alloc_slice_clone` copied (a `Tracked` clone keeps its id).
    outside_drops: HashMap<usize, usize>,
}

impl World {
    fn fresh_ids(&mut self, n: usize) -> Vec<usize> {
        let ids = (self.next_id..self.next_id + n).collect();
        self.next_id += n;
        ids
    }

    fn push_slice(&mut self, s: ArcSlice<Tracked, u16>, ids: Vec<usize>) {
        self.handles.push((Handle::Slice(s), ids));
    }

    fn pick(&self, i: usize) -> Option<usize> {
        (!self.handles.is_empty()).then(|| i % self.handles.len())
    }

    fn apply(&mut self, op: Op) {
        let log = self.log.clone();
        match op {
            Op::Alloc(len) => {
                let ids = self.fresh_ids(len as usize);
                let s = self.alloc.alloc(len, |i| log.make(ids[i]));
                self.push_slice(s, ids);
            }
            Op::TryAlloc { len, fail_at } => {
                let ids = self.fresh_ids(len as usize);
                let r = self.alloc.try_alloc(len, |i| match fail_at {
                    Some(f) if f as usize == i => Err(i),
                    _ => Ok(log.make(ids[i])),
                });
                match (r, fail_at) {
                    (Err(i), Some(f)) => assert_eq!(i, f as usize),
                    (Ok(s), f) => {
                        assert!(f.is_none_or(|f| f >= len));
                        self.push_slice(s, ids);
                    }
                    (Err(_), None) => panic!("spurious error"),
                }
            }
            Op::AllocValue => {
                let id = self.fresh_ids(1)[0];
                let s = self.alloc.alloc_value(log.make(id));
                self.handles.push((Handle::Single(s), vec![id]));
            }
            Op::AllocSingle => {
                let id = self.fresh_ids(1)[0];
                let s = self.alloc.alloc_single(|| log.make(id));
                self.handles.push((Handle::Single(s), vec![id]));
            }
            Op::TryAllocSingle(ok) => {
                let id = self.fresh_ids(1)[0];
                let r = self
                    .alloc
                    .try_alloc_single(|| if ok { Ok(log.make(id)) } else { Err(()) });
                assert_eq!(r.is_ok(), ok);
                if let Ok(s) = r {
                    self.handles.push((Handle::Single(s), vec![id]));
                }
            }
            Op::AllocSliceClone(len) => {
                let ids = self.fresh_ids(len as usize);
                let src: Vec<Tracked> = ids.iter().map(|&id| log.make(id)).collect();
                let s = self.alloc.alloc_slice_clone(&src);
                drop(src);
                for &id in &ids {
                    *self.outside_drops.entry(id).or_insert(0) += 1;
                }
                self.push_slice(s, ids);
            }
            Op::FromExactIter(len) => {
                let ids = self.fresh_ids(len as usize);
                let s = self
                    .alloc
                    .alloc_from_iter(ids.iter().map(|&id| log.make(id)));
                self.push_slice(s, ids);
            }
            Op::FromUnknownIter(len) => {
                let ids = self.fresh_ids(len as usize);
                let s = self
                    .alloc
                    .alloc_from_iter(ids.iter().filter(|_| true).map(|&id| log.make(id)));
                self.push_slice(s, ids);
            }
            Op::FromLyingIter { claimed, actual } => {
                let ids = self.fresh_ids(actual as usize);
                let s = self.alloc.alloc_from_iter(Liar::new(
                    ids.iter().map(|&id| log.make(id)),
                    claimed as usize,
                ));
                self.push_slice(s, ids);
            }
            Op::Clone(i) => {
                if let Some(i) = self.pick(i) {
                    let (h, ids) = &self.handles[i];
                    let c = match h {
                        Handle::Slice(s) => Handle::Slice(s.clone()),
                        Handle::Single(s) => Handle::Single(s.clone()),
                    };
                    let ids = ids.clone();
                    self.handles.push((c, ids));
                }
            }
            Op::Slice(i, a, b) => {
                if let Some(i) = self.pick(i)
                    && let (Handle::Slice(s), ids) = &self.handles[i]
                {
                    let n = ids.len() + 1;
                    let (a, b) = (a % n, b % n);
                    let (a, b) = (a.min(b), a.max(b));
                    let sub = s.slice(a..b);
                    let sub_ids = ids[a..b].to_vec();
                    self.push_slice(sub, sub_ids);
                }
            }
            Op::Element(i, k) => {
                if let Some(i) = self.pick(i)
                    && let (Handle::Slice(s), ids) = &self.handles[i]
                {
                    match s.element(k % (ids.len() + 1)) {
                        Some(e) => {
                            let id = ids[k % (ids.len() + 1)];
                            self.handles.push((Handle::Single(e), vec![id]));
                        }
                        None => assert_eq!(k % (ids.len() + 1), ids.len()),
                    }
                }
            }
            Op::SplitAt(i, m) => {
                if let Some(i) = self.pick(i)
                    && let (Handle::Slice(s), ids) = &self.handles[i]
                {
                    let m = m % (ids.len() + 1);
                    let (l, r) = ArcSlice::split_at(s, m);
                    let (li, ri) = (ids[..m].to_vec(), ids[m..].to_vec());
                    self.push_slice(l, li);
                    self.push_slice(r, ri);
                }
            }
            Op::IntoSlice(i) => {
                if let Some(i) = self.pick(i) {
                    let (h, ids) = self.handles.swap_remove(i);
                    let back = match h {
                        Handle::Single(s) => Handle::Slice(ArcSlice::from(s)),
                        Handle::Slice(s) => match ArcSingle::try_from(s.clone()) {
                            Ok(single) => Handle::Single(single),
                            Err(_) => Handle::Slice(s),
                        },
                    };
                    self.handles.push((back, ids));
                }
            }
            Op::Drop(i) => {
                if let Some(i) = self.pick(i) {
                    let (h, ids) = self.handles.swap_remove(i);
                    drop(h);
                    // Still alive if another handle shows them; otherwise
                    // they may or may not be dropped yet (chunk-granular).
                    let _ = ids;
                }
            }
            Op::SendToThread { handle, keep } => {
                if let Some(i) = self.pick(handle) {
                    let (h, ids) = self.handles.swap_remove(i);
                    let expected = ids.clone();
                    let back = std::thread::spawn(move || {
                        assert_eq!(h.ids(), expected);
                        keep.then_some(h)
                    })
                    .join()
                    .unwrap();
                    if let Some(h) = back {
                        self.handles.push((h, ids));
                    }
                }
            }
            Op::DropAllocator => {
                self.alloc = Alloc::new();
                self.bytes = Allocator::new();
            }
            Op::BreakCycles => {
                // From now on each allocation counts for itself: its
                // elements go as soon as no handle shows any of them.
                self.alloc.break_cycles();
                assert!(self.alloc.breaks_cycles());
                self.bytes.break_cycles();
                assert!(!self.bytes.breaks_cycles(), "bytes have no drop glue");
            }
            Op::CopyIn(data) => {
                let s = self.bytes.alloc_slice_copy(&data);
                self.byte_handles.push((s, data));
            }
            Op::Str(text) => {
                let s = self.bytes.alloc_str(&text);
                // Sub-slice on a char boundary, too.
                let cut = text.char_indices().nth(1).map_or(text.len(), |(i, _)| i);
                self.str_handles
                    .push((s.slice(cut..), text[cut..].to_string()));
                self.str_handles.push((s, text));
            }
            Op::Empty => {
                let e = Alloc::alloc_empty();
                assert!(e.is_empty());
                self.push_slice(e, Vec::new());
            }
        }
    }

    fn check(&self) {
        for (h, ids) in &self.handles {
            assert_eq!(&h.ids(), ids);
            for &id in ids {
                let outside = self.outside_drops.get(&id).copied().unwrap_or(0);
                assert_eq!(
                    self.log.drops_of(id),
                    outside,
                    "element {id} dropped while shown by a handle"
                );
            }
        }
        for (s, data) in &self.byte_handles {
            assert_eq!(s.get(), &data[..]);
        }
        for (s, text) in &self.str_handles {
            assert_eq!(s, text);
        }
    }
}

fn cases() -> u32 {
    if cfg!(miri) { 4 } else { 1_000 }
}

// ---------------------------------------------------------------------------
// Graphs across two cycle-aware pools, with weak handles
// ---------------------------------------------------------------------------

/// A node of the first pool: points at a node of the second.
struct NodeA {
    t: Tracked,
    to_b: Option<ArcSingle<NodeB, u16>>,
}

/// A node of the second pool: points at a run of nodes of the first.
struct NodeB {
    t: Tracked,
    to_a: ArcSlice<NodeA, u16>,
}

#[derive(Clone, Debug)]
enum GraphOp {
    /// `n` A nodes in one allocation, all pointing at B handle `b` (if any).
    NewA {
        n: u8,
        b: Option<usize>,
    },
    /// A B node pointing at A handle `a` (if any; a single becomes a slice).
    NewB {
        a: Option<usize>,
    },
    Clone(usize),
    Slice(usize, usize, usize),
    Element(usize, usize),
    Drop(usize),
    Downgrade(usize),
    Upgrade(usize),
    DropWeak(usize),
    SendToThread {
        handle: usize,
        keep: bool,
    },
    UpgradeOnThread(usize),
    DropPools,
}

fn graph_op() -> impl Strategy<Value = GraphOp> {
    let opt = proptest::option::of(any::<usize>());
    prop_oneof![
        3 => (1u8..4, opt.clone()).prop_map(|(n, b)| GraphOp::NewA { n, b }),
        3 => opt.prop_map(|a| GraphOp::NewB { a }),
        2 => any::<usize>().prop_map(GraphOp::Clone),
        1 => (any::<usize>(), any::<usize>(), any::<usize>()).prop_map(|(h, a, b)| GraphOp::Slice(h, a, b)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(h, k)| GraphOp::Element(h, k)),
        4 => any::<usize>().prop_map(GraphOp::Drop),
        2 => any::<usize>().prop_map(GraphOp::Downgrade),
        2 => any::<usize>().prop_map(GraphOp::Upgrade),
        1 => any::<usize>().prop_map(GraphOp::DropWeak),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(handle, keep)| GraphOp::SendToThread { handle, keep }),
        1 => any::<usize>().prop_map(GraphOp::UpgradeOnThread),
        1 => Just(GraphOp::DropPools),
    ]
}

enum GraphHandle {
    A(ArcSlice<NodeA, u16>),
    OneA(ArcSingle<NodeA, u16>),
    B(ArcSingle<NodeB, u16>),
}

enum GraphWeak {
    A(arena_arc::WeakSlice<NodeA, u16>),
    OneA(arena_arc::WeakSingle<NodeA, u16>),
    B(arena_arc::WeakSingle<NodeB, u16>),
}

impl GraphWeak {
    fn upgrade(&self) -> Option<GraphHandle> {
        match self {
            GraphWeak::A(w) => w.upgrade().map(GraphHandle::A),
            GraphWeak::OneA(w) => w.upgrade().map(GraphHandle::OneA),
            GraphWeak::B(w) => w.upgrade().map(GraphHandle::B),
        }
    }
}

impl GraphHandle {
    fn ids(&self) -> Vec<usize> {
        match self {
            GraphHandle::A(s) => s.iter().map(|n| n.t.id).collect(),
            GraphHandle::OneA(s) => vec![s.t.id],
            GraphHandle::B(s) => vec![s.t.id],
        }
    }
}

/// One allocation of the model: its element ids, the allocations its
/// elements hold handles to, and the ids each element shows through its
/// handle.
struct Allocation {
    ids: Vec<usize>,
    children: Vec<usize>,
    child_ids: Vec<usize>,
}

struct Graph {
    log: Arc<DropLog>,
    pool_a: Allocator<NodeA, u16, 5>,
    pool_b: Allocator<NodeB, u16, 3>,
    next_id: usize,
    allocations: Vec<Allocation>,
    /// Live handles, with their allocation and the ids they show.
    handles: Vec<(GraphHandle, usize, Vec<usize>)>,
    /// Weak handles, with their allocation and the ids they show.
    weaks: Vec<(GraphWeak, usize, Vec<usize>)>,
}

impl Graph {
    fn new(log: Arc<DropLog>) -> Self {
        let mut graph = Graph {
            log,
            pool_a: Allocator::new(),
            pool_b: Allocator::new(),
            next_id: 0,
            allocations: Vec::new(),
            handles: Vec::new(),
            weaks: Vec::new(),
        };
        graph.pools();
        graph
    }

    fn pools(&mut self) {
        self.pool_a = Allocator::new();
        self.pool_b = Allocator::new();
        self.pool_a.break_cycles();
        self.pool_b.break_cycles();
    }

    fn pick(&self, i: usize) -> Option<usize> {
        (!self.handles.is_empty()).then(|| i % self.handles.len())
    }

    fn new_allocation(
        &mut self,
        n: usize,
        children: Vec<usize>,
        child_ids: Vec<usize>,
    ) -> (usize, Vec<usize>) {
        let ids: Vec<usize> = (self.next_id..self.next_id + n).collect();
        self.next_id += n;
        self.allocations.push(Allocation {
            ids: ids.clone(),
            children,
            child_ids,
        });
        (self.allocations.len() - 1, ids)
    }

    fn apply(&mut self, op: GraphOp) {
        let log = self.log.clone();
        match op {
            GraphOp::NewA { n, b } => {
                let target = b.and_then(|b| {
                    let (i, b_alloc) = self
                        .handles
                        .iter()
                        .enumerate()
                        .filter(|(_, (h, _, _))| matches!(h, GraphHandle::B(_)))
                        .map(|(i, (_, a, _))| (i, *a))
                        .nth(b % self.handles.len().max(1))?;
                    match &self.handles[i] {
                        (GraphHandle::B(h), _, ids) => Some((h.clone(), b_alloc, ids.clone())),
                        _ => None,
                    }
                });
                let children = target.iter().map(|(_, a, _)| *a).collect();
                let child_ids = target.iter().flat_map(|(_, _, ids)| ids.clone()).collect();
                let (alloc, ids) = self.new_allocation(n as usize, children, child_ids);
                let to_b = target.map(|(h, _, _)| h);
                let s = self.pool_a.alloc_from_iter(ids.iter().map(|&id| NodeA {
                    t: log.make(id),
                    to_b: to_b.clone(),
                }));
                drop(to_b);
                self.handles.push((GraphHandle::A(s), alloc, ids));
            }
            GraphOp::NewB { a } => {
                let target = a.and_then(|a| {
                    let (i, a_alloc) = self
                        .handles
                        .iter()
                        .enumerate()
                        .filter(|(_, (h, _, _))| !matches!(h, GraphHandle::B(_)))
                        .map(|(i, (_, a, _))| (i, *a))
                        .nth(a % self.handles.len().max(1))?;
                    let ids = self.handles[i].2.clone();
                    match &self.handles[i].0 {
                        GraphHandle::A(h) => Some((h.clone(), a_alloc, ids)),
                        GraphHandle::OneA(h) => Some((ArcSlice::from(h.clone()), a_alloc, ids)),
                        GraphHandle::B(_) => None,
                    }
                });
                let children = target.iter().map(|(_, a, _)| *a).collect();
                let child_ids = target.iter().flat_map(|(_, _, ids)| ids.clone()).collect();
                let (alloc, ids) = self.new_allocation(1, children, child_ids);
                let to_a = target.map_or_else(ArcSlice::empty, |(h, _, _)| h);
                let b = self.pool_b.alloc_value(NodeB {
                    t: log.make(ids[0]),
                    to_a,
                });
                self.handles.push((GraphHandle::B(b), alloc, ids));
            }
            GraphOp::Clone(i) => {
                if let Some(i) = self.pick(i) {
                    let (h, a, ids) = &self.handles[i];
                    let c = match h {
                        GraphHandle::A(s) => GraphHandle::A(s.clone()),
                        GraphHandle::OneA(s) => GraphHandle::OneA(s.clone()),
                        GraphHandle::B(s) => GraphHandle::B(s.clone()),
                    };
                    let (a, ids) = (*a, ids.clone());
                    self.handles.push((c, a, ids));
                }
            }
            GraphOp::Slice(i, x, y) => {
                if let Some(i) = self.pick(i)
                    && let (GraphHandle::A(s), a, ids) = &self.handles[i]
                {
                    let n = ids.len() + 1;
                    let (x, y) = ((x % n).min(y % n), (x % n).max(y % n));
                    if x < y {
                        let sub = s.slice(x..y);
                        let (a, ids) = (*a, ids[x..y].to_vec());
                        self.handles.push((GraphHandle::A(sub), a, ids));
                    }
                }
            }
            GraphOp::Element(i, k) => {
                if let Some(i) = self.pick(i)
                    && let (GraphHandle::A(s), a, ids) = &self.handles[i]
                    && !ids.is_empty()
                {
                    let k = k % ids.len();
                    let e = s.element(k).expect("in bounds");
                    let (a, ids) = (*a, vec![ids[k]]);
                    self.handles.push((GraphHandle::OneA(e), a, ids));
                }
            }
            GraphOp::Drop(i) => {
                if let Some(i) = self.pick(i) {
                    drop(self.handles.swap_remove(i));
                }
            }
            GraphOp::Downgrade(i) => {
                if let Some(i) = self.pick(i) {
                    let (h, a, ids) = &self.handles[i];
                    let w = match h {
                        GraphHandle::A(s) => GraphWeak::A(ArcSlice::downgrade(s)),
                        GraphHandle::OneA(s) => GraphWeak::OneA(ArcSingle::downgrade(s)),
                        GraphHandle::B(s) => GraphWeak::B(ArcSingle::downgrade(s)),
                    };
                    let (a, ids) = (*a, ids.clone());
                    self.weaks.push((w, a, ids));
                }
            }
            GraphOp::Upgrade(i) => {
                if !self.weaks.is_empty() {
                    let i = i % self.weaks.len();
                    let (w, a, ids) = &self.weaks[i];
                    let alive = self.alive()[*a];
                    match w.upgrade() {
                        Some(h) => {
                            assert!(alive, "upgraded a dead allocation");
                            assert_eq!(&h.ids(), ids);
                            let (a, ids) = (*a, ids.clone());
                            self.handles.push((h, a, ids));
                        }
                        None => assert!(!alive, "failed to upgrade a live allocation"),
                    }
                }
            }
            GraphOp::DropWeak(i) => {
                if !self.weaks.is_empty() {
                    let i = i % self.weaks.len();
                    drop(self.weaks.swap_remove(i));
                }
            }
            GraphOp::SendToThread { handle, keep } => {
                if let Some(i) = self.pick(handle) {
                    let (h, a, ids) = self.handles.swap_remove(i);
                    let expected = ids.clone();
                    let back = std::thread::spawn(move || {
                        assert_eq!(h.ids(), expected);
                        keep.then_some(h)
                    })
                    .join()
                    .unwrap();
                    if let Some(h) = back {
                        self.handles.push((h, a, ids));
                    }
                }
            }
            GraphOp::UpgradeOnThread(i) => {
                if !self.weaks.is_empty() {
                    let i = i % self.weaks.len();
                    let (w, a, ids) = self.weaks.swap_remove(i);
                    let alive = self.alive()[a];
                    let expected = ids.clone();
                    let upgraded = std::thread::spawn(move || {
                        let h = w.upgrade();
                        if let Some(h) = &h {
                            assert_eq!(h.ids(), expected);
                        }
                        h.is_some()
                    })
                    .join()
                    .unwrap();
                    assert_eq!(upgraded, alive);
                }
            }
            GraphOp::DropPools => self.pools(),
        }
    }

    /// Which allocations are reachable from the live handles.
    fn alive(&self) -> Vec<bool> {
        let mut alive = vec![false; self.allocations.len()];
        let mut stack: Vec<usize> = self.handles.iter().map(|(_, a, _)| *a).collect();
        while let Some(a) = stack.pop() {
            if !std::mem::replace(&mut alive[a], true) {
                stack.extend(&self.allocations[a].children);
            }
        }
        alive
    }

    fn check(&self) {
        for (h, a, ids) in &self.handles {
            assert_eq!(&h.ids(), ids);
            // What the elements point at is what they were made with.
            let expected = &self.allocations[*a].child_ids;
            match h {
                GraphHandle::A(s) => {
                    for node in s.iter() {
                        let shown: Vec<usize> = node.to_b.iter().map(|b| b.t.id).collect();
                        assert_eq!(&shown, expected);
                    }
                }
                GraphHandle::OneA(node) => {
                    let shown: Vec<usize> = node.to_b.iter().map(|b| b.t.id).collect();
                    assert_eq!(&shown, expected);
                }
                GraphHandle::B(node) => {
                    let shown: Vec<usize> = node.to_a.iter().map(|a| a.t.id).collect();
                    assert_eq!(&shown, expected);
                }
            }
        }
        for (allocation, alive) in self.allocations.iter().zip(self.alive()) {
            for &id in &allocation.ids {
                let drops = self.log.drops_of(id);
                if alive {
                    assert_eq!(drops, 0, "element {id} of a reachable allocation dropped");
                } else {
                    assert_eq!(drops, 1, "element {id} of an unreachable allocation kept");
                }
            }
        }
    }
}

fn max_ops() -> usize {
    if cfg!(miri) { 24 } else { 60 }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_operation_sequences_match_the_model(ops in proptest::collection::vec(op(), 0..max_ops())) {
        let log = DropLog::new();
        let mut world = World {
            log: log.clone(),
            alloc: Alloc::new(),
            bytes: Allocator::new(),
            next_id: 0,
            handles: Vec::new(),
            byte_handles: Vec::new(),
            str_handles: Vec::new(),
            outside_drops: HashMap::new(),
        };
        for op in ops {
            world.apply(op);
            world.check();
        }
        let outside = std::mem::take(&mut world.outside_drops);
        let next_id = world.next_id;
        drop(world);
        // Nothing leaked, and nothing was dropped twice.
        prop_assert_eq!(log.dropped(), log.created());
        for id in 0..next_id {
            prop_assert!(log.drops_of(id) <= 1 + outside.get(&id).copied().unwrap_or(0), "id {} dropped twice", id);
        }
    }

    #[test]
    fn random_graphs_across_two_pools_match_the_model(ops in proptest::collection::vec(graph_op(), 0..max_ops())) {
        let log = DropLog::new();
        let mut graph = Graph::new(log.clone());
        for op in ops {
            graph.apply(op);
            graph.check();
        }
        drop(graph);
        prop_assert_eq!(log.dropped(), log.created());
        prop_assert!((0..log.created()).all(|id| log.drops_of(id) == 1));
    }
}
