//! `#[derive(ArenaAlloc)]` and `#[arena]`: constructors, per-thread pools,
//! explicit pools, and trees that are freed (no reference cycles).

use arena_arc::{Allocator, ArcSingle, ArcSlice, ArenaAlloc, ArenaType, arena};

#[derive(ArenaAlloc, Debug, PartialEq)]
#[arena(index = u32, chunk = 64)]
enum Expr {
    Num(f64),
    Neg(ArcSingle<Expr>),
    Add(ArcSingle<Expr>, ArcSingle<Expr>),
    Call {
        name: ArcSlice<u8>,
        args: ArcSlice<Expr>,
    },
}

fn eval(e: &Expr) -> f64 {
    match e {
        Expr::Num(x) => *x,
        Expr::Neg(a) => -eval(a),
        Expr::Add(a, b) => eval(a) + eval(b),
        Expr::Call { args, .. } => args.iter().map(eval).sum(),
    }
}

#[test]
fn constructors_accept_values_and_handles() {
    let one = Expr::num(1.0);
    let e = Expr::add(Expr::Num(2.0), one.clone());
    assert_eq!(eval(&e), 3.0);
    let c = Expr::call(*b"sum", [Expr::Num(1.0), Expr::Num(2.0)]);
    assert_eq!(eval(&c), 3.0);
    let n = Expr::neg(e);
    assert_eq!(eval(&n), -3.0);
}

#[arena(index = u32, chunk = 128)]
struct Ast {
    exprs: Expr,
    #[arena(chunk = 4096)]
    text: u8,
}

#[test]
fn arena_struct_dispatches_on_type() {
    let mut ast = Ast::new();
    let one = ast.alloc(Expr::Num(1.0));
    let name = ast.alloc_slice_copy(b"print");
    let args = ast.alloc_from_iter([Expr::Num(2.0)]);
    let call = ast.alloc(Expr::Call { name, args });
    assert_eq!(eval(&one) + eval(&call), 3.0);
    assert_eq!(ast.exprs.stats().elements, 3);
    let mut pool: Allocator<Expr, u32, 16> = Allocator::new();
    let x = Expr::alloc_in(&mut pool, Expr::Num(4.0));
    assert_eq!(*x, Expr::Num(4.0));
}

// ---------------------------------------------------------------------------
// Trees are freed: handles into the node's own chunk do not keep it alive.
// ---------------------------------------------------------------------------

use arena_arc_tests::{DropLog, Tracked, expect_panic, scaled};

/// A tree node whose payload counts its drops, and whose `Drop` reads its
/// children (which must still be alive).
#[derive(ArenaAlloc)]
#[arena(chunk = 8)]
struct Node {
    payload: Tracked,
    left: Option<ArcSingle<Node>>,
    right: Option<ArcSingle<Node>>,
    kids: ArcSlice<Node>,
}

impl Drop for Node {
    fn drop(&mut self) {
        // Reads through the (possibly uncounted) child handles: the children
        // were allocated before this node, so they are dropped after it.
        for child in self.left.iter().chain(self.right.iter()) {
            assert!(
                !child.payload.is_dropped(),
                "child dropped before its parent"
            );
        }
        for kid in self.kids.iter() {
            assert!(!kid.payload.is_dropped(), "child dropped before its parent");
        }
    }
}

/// Builds a complete binary tree of `depth` with `alloc`, ids from `next`.
fn build(
    log: &std::sync::Arc<DropLog>,
    depth: usize,
    next: &mut usize,
    alloc: &mut dyn FnMut(Node) -> ArcSingle<Node>,
) -> ArcSingle<Node> {
    let (left, right) = if depth == 0 {
        (None, None)
    } else {
        (
            Some(build(log, depth - 1, next, alloc)),
            Some(build(log, depth - 1, next, alloc)),
        )
    };
    *next += 1;
    alloc(Node {
        payload: log.make(*next),
        left,
        right,
        kids: ArcSlice::empty(),
    })
}

#[test]
fn a_tree_in_an_explicit_pool_is_freed() {
    let log = DropLog::new();
    let mut pool: Allocator<Node, u32, 8> = Allocator::new();
    let mut next = 0;
    let root = build(&log, scaled(8, 4), &mut next, &mut |n| {
        Node::alloc_in(&mut pool, n)
    });
    assert!(pool.breaks_cycles());
    assert_eq!(log.alive(), next);
    drop(pool);
    assert_eq!(log.alive(), next, "the root keeps the whole tree alive");
    drop(root);
    log.assert_all_dropped_once();
}

#[test]
fn dropping_the_root_first_then_the_pool_frees_everything() {
    let log = DropLog::new();
    let mut pool: Allocator<Node, u32, 8> = Allocator::new();
    let mut next = 0;
    let root = build(&log, scaled(7, 3), &mut next, &mut |n| {
        Node::alloc_in(&mut pool, n)
    });
    let subtree = root.left.clone().expect("depth > 0");
    drop(root);
    drop(pool);
    // The subtree (and what it points to) is still alive, nothing else.
    assert!(log.alive() > 0);
    assert_eq!(subtree.payload.id, subtree.payload.id);
    drop(subtree);
    log.assert_all_dropped_once();
}

#[test]
fn slices_of_children_and_dedicated_chunks_are_freed() {
    let log = DropLog::new();
    let mut pool: Allocator<Node, u32, 8> = Allocator::new();
    let leaf = |id: usize| Node {
        payload: log.make(id),
        left: None,
        right: None,
        kids: ArcSlice::empty(),
    };
    let mut roots = Vec::new();
    let mut id = 0;
    for round in 0..scaled(20, 4) {
        // Alternate short slices (same chunk), long ones (dedicated chunks)
        // and parents pointing at both.
        let len = if round % 3 == 0 { 11 } else { 3 };
        let kids = Node::alloc_from_iter_in(
            &mut pool,
            (0..len).map(|_| {
                id += 1;
                leaf(id)
            }),
        );
        id += 1;
        let parent = Node::alloc_in(
            &mut pool,
            Node {
                payload: log.make(id),
                left: roots.last().cloned(),
                right: kids.first().map(|_| kids.element(0).expect("non-empty")),
                kids,
            },
        );
        roots.push(parent);
    }
    drop(pool);
    let last = roots.pop().expect("rounds > 0");
    drop(roots);
    assert!(log.alive() > 0);
    drop(last);
    log.assert_all_dropped_once();
}

#[test]
fn the_per_thread_pool_frees_trees_when_the_thread_ends() {
    let log = DropLog::new();
    let log2 = log.clone();
    let (root, count) = std::thread::spawn(move || {
        let mut next = 0;
        let root = build(&log2, scaled(8, 3), &mut next, &mut |n| Node::alloc(n));
        (root, next)
    })
    .join()
    .expect("no panic");
    assert_eq!(log.alive(), count);
    drop(root);
    log.assert_all_dropped_once();
}

/// A pool that keeps building and dropping trees does not keep the dropped
/// ones: the chunk shared by the end of one tree and the start of the next
/// would otherwise chain every tree to the next, and none would be freed
/// while the pool lives.
#[test]
fn a_dropped_tree_is_freed_when_the_pool_allocates_again() {
    let log = DropLog::new();
    let mut next = 0;
    let mut freed = 0;
    for _ in 0..scaled(20, 4) {
        let root = build(&log, scaled(6, 3), &mut next, &mut |n| Node::alloc(n));
        assert_eq!(log.alive(), next - freed, "the previous trees are gone");
        drop(root);
        // The next allocation notices that nothing refers into the current
        // chunk any more and lets it go, which frees the whole tree.
        let probe = Node::alloc(leaf(&log, usize::MAX, None));
        assert_eq!(log.alive(), 1, "only the probe is left");
        drop(probe);
        freed = next;
    }
    // The last probe sits in the pool's current chunk until the next
    // allocation; it is dropped with the pool when the thread ends.
}

#[test]
fn an_arena_struct_frees_trees() {
    #[arena(chunk = 8)]
    struct Trees {
        nodes: Node,
        numbers: u64,
    }
    let log = DropLog::new();
    let mut trees = Trees::new();
    let mut next = 0;
    let root = build(&log, scaled(6, 3), &mut next, &mut |n| trees.alloc(n));
    let numbers = trees.alloc_slice_copy(&[1u64, 2, 3]);
    assert!(trees.nodes.breaks_cycles());
    drop(trees);
    assert_eq!(*numbers, [1, 2, 3]);
    drop(root);
    log.assert_all_dropped_once();
}

#[test]
fn the_allocator_s_own_methods_do_not_break_cycles_unless_asked() {
    let log = DropLog::new();
    let mut pool: Allocator<Node, u32, 8> = Allocator::new();
    assert!(!pool.breaks_cycles());
    pool.break_cycles();
    let leaf = pool.alloc_value(Node {
        payload: log.make(1),
        left: None,
        right: None,
        kids: ArcSlice::empty(),
    });
    let root = pool.alloc_value(Node {
        payload: log.make(2),
        left: Some(leaf),
        right: None,
        kids: ArcSlice::empty(),
    });
    drop(pool);
    drop(root);
    log.assert_all_dropped_once();
}

fn leaf(log: &std::sync::Arc<DropLog>, id: usize, left: Option<ArcSingle<Node>>) -> Node {
    Node {
        payload: log.make(id),
        left,
        right: None,
        kids: ArcSlice::empty(),
    }
}

#[test]
fn chunks_pointing_at_each_other_are_freed() {
    // chunk C: `a`; dedicated chunk D: 11 nodes pointing at `a` (D -> C);
    // then a parent of D's nodes, written to C (C -> D). The chunks point
    // at each other, but the values form no cycle: each value counts for
    // itself, so everything is freed.
    let log = DropLog::new();
    let mut pool: Allocator<Node, u32, 8> = Allocator::new();
    let a = Node::alloc_in(&mut pool, leaf(&log, 0, None));
    let big = Node::alloc_from_iter_in(&mut pool, (1..=11).map(|i| leaf(&log, i, Some(a.clone()))));
    assert_eq!(pool.stats().dedicated_chunks, 1);
    let parent = Node::alloc_in(
        &mut pool,
        Node {
            payload: log.make(12),
            left: Some(a),
            right: None,
            kids: big,
        },
    );
    assert_eq!(pool.stats().chunks, 2, "the parent went to chunk C");
    drop(parent);
    log.assert_all_dropped_once();
    // Only C, the pool's current chunk, is left; D was freed with its nodes.
    assert_eq!(pool.stats().live_chunks, 1);
    drop(pool);
}

#[test]
fn a_new_chunk_is_made_current_by_the_0_1_2_rule() {
    // Per-value pools place allocations by 0.1.2's rules too: chunk C, with
    // room for 5 more single nodes, gets a request of 6, which goes to a
    // new chunk C2; C2 is left with room for 2 singles, less than C, so C
    // stays current. Handles then point from C into C2 and from C2 into C.
    let log = DropLog::new();
    let mut pool: Allocator<Node, u32, 8> = Allocator::new();
    let a = Node::alloc_in(&mut pool, leaf(&log, 0, None));
    let _b = Node::alloc_in(&mut pool, leaf(&log, 1, None));
    let _c = Node::alloc_in(&mut pool, leaf(&log, 2, None));
    assert_eq!(pool.stats().current_chunk_free, 5);
    let six = Node::alloc_from_iter_in(&mut pool, (3..9).map(|i| leaf(&log, i, Some(a.clone()))));
    assert_eq!(pool.stats().chunks, 2);
    let parent = Node::alloc_in(
        &mut pool,
        Node {
            payload: log.make(9),
            left: None,
            right: None,
            kids: six,
        },
    );
    assert_eq!(pool.stats().current_chunk_free, 4, "the parent is in C");
    drop((a, _b, _c));
    assert_eq!(log.alive(), 8, "the parent keeps the six, which keep `a`");
    drop(parent);
    log.assert_all_dropped_once();
    drop(pool);
}

// ---------------------------------------------------------------------------
// Re-entrancy and teardown edge cases
// ---------------------------------------------------------------------------

/// Allocates from its own per-thread pool when dropped.
#[derive(ArenaAlloc)]
#[arena(chunk = 2)]
struct Reentrant {
    payload: Tracked,
}

impl Drop for Reentrant {
    fn drop(&mut self) {
        // Runs while the pool is retiring a chunk (it is busy): served by a
        // temporary pool instead of panicking on a double borrow. The
        // siblings themselves allocate nothing when dropped.
        if self.payload.id < 1000 {
            let sibling = Reentrant::alloc(Reentrant {
                payload: self.payload.sibling(self.payload.id + 1000),
            });
            assert_eq!(sibling.payload.id, self.payload.id + 1000);
        }
    }
}

#[test]
fn a_drop_that_allocates_from_the_busy_per_thread_pool_gets_a_temporary_one() {
    let log = DropLog::new();
    let log2 = log.clone();
    std::thread::spawn(move || {
        for i in 0..6 {
            // Chunks of 2: the pool retires a chunk every other allocation,
            // dropping elements whose `Drop` allocates from the same pool.
            drop(Reentrant::reentrant(log2.make(i)));
        }
    })
    .join()
    .expect("no panic");
    // The originals, and the siblings their `Drop` allocated, are all
    // dropped once the thread (and its pool) is gone.
    log.assert_dropped_once((0..6).chain(1000..1006));
    log.assert_all_dropped_once();
}

#[test]
fn a_scope_takes_over_from_a_per_thread_pool_that_has_room() {
    use arena_arc::PoolScope;
    std::thread::spawn(|| {
        // The per-thread pool has a chunk with room before the scope opens:
        // the constructors' hot path must still leave it alone inside.
        let warm = Expr::num(1.0);
        let before = Expr::pool_stats().elements;
        let mut scoped: Allocator<Expr, u32, 16> = Allocator::new();
        let (a, b) = scoped.scope(|| {
            let a = Expr::add(Expr::Num(2.0), Expr::Num(3.0));
            let b = Expr::alloc(Expr::Num(4.0));
            // A scope of another type leaves this type's pool alone.
            let mut words: Allocator<u8, u32, 16> = Allocator::new();
            let c = words.scope(|| Expr::num(5.0));
            assert_eq!(words.stats().elements, 0);
            drop(c);
            (a, b)
        });
        assert_eq!(scoped.stats().elements, 5);
        assert_eq!(Expr::pool_stats().elements, before);
        // Closed: the per-thread pool is used again.
        let after = Expr::num(6.0);
        assert_eq!(Expr::pool_stats().elements, before + 1);
        assert_eq!(eval(&a) + eval(&b) + eval(&warm) + eval(&after), 16.0);
    })
    .join()
    .expect("no panic");
}

#[test]
fn init_closures_and_iterators_may_use_the_same_per_thread_pool() {
    let nested = Expr::alloc_from_iter((0..4).map(|i| Expr::Neg(Expr::alloc(Expr::Num(i as f64)))));
    assert_eq!(nested.iter().map(eval).sum::<f64>(), -6.0);
    let made = Expr::alloc_slice(3, |i| Expr::Add(Expr::num(i as f64), Expr::num(1.0)));
    assert_eq!(made.iter().map(eval).sum::<f64>(), 6.0);
}

/// Clones a child handle while being dropped and keeps the clone: as with
/// `Arc`, the child simply stays alive (it used to be a resurrection of a
/// dying chunk, which had to abort).
#[derive(ArenaAlloc)]
struct Resurrect {
    payload: Tracked,
    child: Option<ArcSingle<Resurrect>>,
}

static RESURRECTED: std::sync::Mutex<Vec<ArcSingle<Resurrect>>> = std::sync::Mutex::new(Vec::new());

impl Drop for Resurrect {
    fn drop(&mut self) {
        if let Some(child) = &self.child {
            RESURRECTED.lock().unwrap().push(child.clone());
        }
    }
}

#[test]
fn a_drop_that_clones_a_child_keeps_the_child_alive() {
    let log = DropLog::new();
    let mut pool: Allocator<Resurrect, u32, 8> = Allocator::new();
    let leaf = Resurrect::alloc_in(
        &mut pool,
        Resurrect {
            payload: log.make(0),
            child: None,
        },
    );
    let root = Resurrect::alloc_in(
        &mut pool,
        Resurrect {
            payload: log.make(1),
            child: Some(leaf),
        },
    );
    drop(pool);
    drop(root); // the root's `Drop` clones `leaf` into `RESURRECTED`
    log.assert_dropped_once([1]);
    log.assert_not_dropped([0]);
    let kept = RESURRECTED
        .lock()
        .unwrap()
        .pop()
        .expect("the clone was kept");
    assert_eq!(kept.payload.id, 0);
    assert!(!kept.payload.is_dropped());
    drop(kept);
    log.assert_all_dropped_once();
}

/// Moves a child handle out of itself while being dropped and keeps it:
/// the child stays alive, as with `Arc` (it used to dangle once the chunk
/// was freed, which had to abort).
#[derive(ArenaAlloc)]
struct Escape {
    payload: Tracked,
    child: Option<ArcSingle<Escape>>,
}

static ESCAPED: std::sync::Mutex<Vec<ArcSingle<Escape>>> = std::sync::Mutex::new(Vec::new());

impl Drop for Escape {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            ESCAPED.lock().unwrap().push(child);
        }
    }
}

#[test]
fn a_handle_taken_out_in_drop_stays_valid() {
    let log = DropLog::new();
    let mut pool: Allocator<Escape, u32, 8> = Allocator::new();
    let leaf = Escape::alloc_in(
        &mut pool,
        Escape {
            payload: log.make(0),
            child: None,
        },
    );
    let root = Escape::alloc_in(
        &mut pool,
        Escape {
            payload: log.make(1),
            child: Some(leaf),
        },
    );
    drop(pool);
    drop(root); // the root's `Drop` moves `leaf` to `ESCAPED`
    log.assert_dropped_once([1]);
    let escaped = ESCAPED.lock().unwrap().pop().expect("the child was kept");
    assert_eq!(escaped.payload.id, 0);
    assert!(!escaped.payload.is_dropped());
    drop(escaped);
    log.assert_all_dropped_once();
}

/// Takes a child handle out in `Drop` and drops it right away: fine.
#[derive(ArenaAlloc)]
struct TakeAndDrop {
    /// Only its `Drop` matters: the log checks it ran once.
    _payload: Tracked,
    child: Option<ArcSingle<TakeAndDrop>>,
}

impl Drop for TakeAndDrop {
    fn drop(&mut self) {
        drop(self.child.take());
    }
}

#[test]
fn taking_a_handle_out_in_drop_and_dropping_it_is_fine() {
    let log = DropLog::new();
    let mut pool: Allocator<TakeAndDrop, u32, 8> = Allocator::new();
    let mut node = TakeAndDrop::alloc_in(
        &mut pool,
        TakeAndDrop {
            _payload: log.make(0),
            child: None,
        },
    );
    for i in 1..20 {
        node = TakeAndDrop::alloc_in(
            &mut pool,
            TakeAndDrop {
                _payload: log.make(i),
                child: Some(node),
            },
        );
    }
    drop(pool);
    drop(node);
    log.assert_all_dropped_once();
}

/// Variant names that are keywords: raw identifiers, or a trailing
/// underscore for those that cannot be raw (as the README says).
#[test]
fn keyword_variants_get_usable_constructor_names() {
    #[derive(ArenaAlloc, Debug, PartialEq)]
    enum Keyword {
        Fn,
        Crate,
        Super,
        Let(u8),
    }
    assert_eq!(*Keyword::r#fn(), Keyword::Fn);
    assert_eq!(*Keyword::crate_(), Keyword::Crate);
    assert_eq!(*Keyword::super_(), Keyword::Super);
    assert_eq!(*Keyword::r#let(1), Keyword::Let(1));
}

// ---------------------------------------------------------------------------
// `alloc_with` builds into the slot; a panic allocates nothing.
// ---------------------------------------------------------------------------

/// A value with drop glue that may hold another of its kind.
#[derive(ArenaAlloc)]
#[arena(chunk = 4)]
struct Built {
    payload: Tracked,
    inner: Option<ArcSingle<Built>>,
}

/// A `build` that allocates a child in the same pool, then panics or not.
fn build_with_child(log: &std::sync::Arc<DropLog>, id: usize, panics: bool) -> Built {
    let child = Built::alloc_with(|| Built {
        payload: log.make(id + 1),
        inner: None,
    });
    assert!(!panics, "build panics");
    Built {
        payload: log.make(id),
        inner: Some(child),
    }
}

#[test]
fn alloc_with_builds_in_every_kind_of_pool_and_a_panic_allocates_nothing() {
    use arena_arc::PoolScope;
    let log = DropLog::new();
    let before = Built::pool_stats().allocations;
    // This thread's pool, more values than a chunk holds.
    let kept: Vec<_> = (0..6)
        .map(|i| Built::alloc_with(|| build_with_child(&log, 10 * i, false)))
        .collect();
    let msg = expect_panic(|| Built::alloc_with(|| build_with_child(&log, 100, true)));
    assert_eq!(msg, "build panics");
    // The child made inside was dropped with the panic; the parent never was.
    log.assert_dropped_once([101]);
    assert_eq!(Built::pool_stats().allocations - before, 6 * 2 + 2);
    for (i, b) in kept.iter().enumerate() {
        assert_eq!(b.payload.id, 10 * i);
        assert_eq!(b.inner.as_ref().map(|c| c.payload.id), Some(10 * i + 1));
    }
    // Scoped pools: one of chunks too small for two values (each value gets
    // a chunk of its own), one of four.
    let mut tiny: Allocator<Built, u32, 1> = Allocator::new();
    let mut four: Allocator<Built, u32, 4> = Allocator::new();
    let scoped = tiny.scope(|| {
        let ok = Built::alloc_with(|| build_with_child(&log, 200, false));
        expect_panic(|| Built::alloc_with(|| build_with_child(&log, 300, true)));
        ok
    });
    let scoped_four = four.scope(|| {
        let ok: Vec<_> = (0..5)
            .map(|i| Built::alloc_with(|| build_with_child(&log, 400 + 10 * i, false)))
            .collect();
        expect_panic(|| Built::alloc_with(|| build_with_child(&log, 500, true)));
        ok
    });
    log.assert_dropped_once([301, 501]);
    // Each pool counts the cell it reserved for the value whose `build`
    // panicked (it stays unused) and that value's child.
    assert_eq!(tiny.stats().allocations, 2 + 2);
    // The first reservation made the pool's first chunk (which holds its
    // record and room for one value, taken by the first child) and then a
    // chunk of its own; every other value got a chunk of its own.
    assert_eq!(tiny.stats().dedicated_chunks, 3);
    // The kept value's chunk, and the first, holding its child.
    assert_eq!(tiny.stats().live_chunks, 2, "{}", tiny.stats());
    assert_eq!(four.stats().allocations, 5 * 2 + 2);
    assert_eq!(scoped.inner.as_ref().map(|c| c.payload.id), Some(201));
    assert_eq!(scoped_four[4].payload.id, 440);
    // An explicit pool.
    let explicit = Built::alloc_with_in(&mut four, || Built {
        payload: log.make(600),
        inner: Some(scoped),
    });
    drop((kept, scoped_four, explicit, tiny, four));
    log.assert_all_dropped_once();
}
