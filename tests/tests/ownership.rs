//! Ownership in cycle-aware pools: graphs of handles across pools and pool
//! kinds are freed when their last outside handle goes, pools stay bounded
//! when trees are built and dropped again and again, weak handles express
//! back-edges, and dropping is sound (a `Drop` may read its children, long
//! chains free in constant stack, a panicking `Drop` loses nothing).

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, OnceLock};

use arena_arc::{
    Allocator, ArcSingle, ArcSlice, ArenaAlloc, ArenaType, PoolScope, WeakSingle, WeakSlice, arena,
};
use arena_arc_tests::{DropLog, Tracked, expect_panic, scaled};

// ---------------------------------------------------------------------------
// A cross-pool AST: expressions and statements in two pools, pointing at
// each other in both directions.
// ---------------------------------------------------------------------------

#[derive(ArenaAlloc)]
#[arena(chunk = 16)]
enum Expr {
    Num(Tracked),
    Neg(Tracked, ArcSingle<Expr>),
    Block(Tracked, ArcSlice<Stmt>),
}

#[derive(ArenaAlloc)]
#[arena(chunk = 16)]
enum Stmt {
    Eval(Tracked, ArcSingle<Expr>),
    Let(Tracked, ArcSlice<u8>, ArcSingle<Expr>),
}

impl Drop for Expr {
    /// Reads its children while being dropped: they must still be alive.
    fn drop(&mut self) {
        match self {
            Expr::Num(_) => {}
            Expr::Neg(_, e) => assert!(!e.payload().is_dropped(), "child dropped first"),
            Expr::Block(_, stmts) => {
                for s in stmts.iter() {
                    assert!(!s.payload().is_dropped(), "child dropped first");
                }
            }
        }
    }
}

impl Expr {
    fn payload(&self) -> &Tracked {
        match self {
            Expr::Num(t) | Expr::Neg(t, _) | Expr::Block(t, _) => t,
        }
    }
}

impl Stmt {
    fn payload(&self) -> &Tracked {
        match self {
            Stmt::Eval(t, _) | Stmt::Let(t, _, _) => t,
        }
    }
}

/// Where an AST is allocated.
trait Pools {
    fn expr(&mut self, e: Expr) -> ArcSingle<Expr>;
    fn stmts(&mut self, s: Vec<Stmt>) -> ArcSlice<Stmt>;
    fn text(&mut self, t: &[u8]) -> ArcSlice<u8>;
}

/// This thread's pools.
struct PerThread;

impl Pools for PerThread {
    fn expr(&mut self, e: Expr) -> ArcSingle<Expr> {
        Expr::alloc(e)
    }
    fn stmts(&mut self, s: Vec<Stmt>) -> ArcSlice<Stmt> {
        Stmt::alloc_vec(s)
    }
    fn text(&mut self, t: &[u8]) -> ArcSlice<u8> {
        u8::alloc_from_iter(t.iter().copied())
    }
}

#[arena(chunk = 16)]
struct Ast {
    exprs: Expr,
    stmts: Stmt,
    #[arena(chunk = 64)]
    text: u8,
}

impl Pools for Ast {
    fn expr(&mut self, e: Expr) -> ArcSingle<Expr> {
        self.alloc(e)
    }
    fn stmts(&mut self, s: Vec<Stmt>) -> ArcSlice<Stmt> {
        self.alloc_from_iter(s)
    }
    fn text(&mut self, t: &[u8]) -> ArcSlice<u8> {
        self.alloc_slice_copy(t)
    }
}

/// Expressions in this thread's pool, statements in an explicit one.
struct Mixed {
    stmts: Allocator<Stmt, u32, 8>,
}

impl Pools for Mixed {
    fn expr(&mut self, e: Expr) -> ArcSingle<Expr> {
        Expr::alloc(e)
    }
    fn stmts(&mut self, s: Vec<Stmt>) -> ArcSlice<Stmt> {
        Stmt::alloc_from_iter_in(&mut self.stmts, s)
    }
    fn text(&mut self, t: &[u8]) -> ArcSlice<u8> {
        u8::alloc_from_iter(t.iter().copied())
    }
}

/// A block of `width` statements, every other one a `let` of a nested
/// block, `depth` levels deep. Returns the root.
fn build(pools: &mut dyn Pools, log: &Arc<DropLog>, depth: usize, width: usize) -> ArcSingle<Expr> {
    let next_id = || log.make(log.created());
    if depth == 0 {
        let num = pools.expr(Expr::Num(next_id()));
        return pools.expr(Expr::Neg(next_id(), num));
    }
    let mut stmts = Vec::new();
    for i in 0..width {
        let e = build(pools, log, depth - 1, width);
        stmts.push(if i % 2 == 0 {
            Stmt::Let(log.make(log.created()), pools.text(b"x"), e)
        } else {
            Stmt::Eval(log.make(log.created()), e)
        });
    }
    let stmts = pools.stmts(stmts);
    pools.expr(Expr::Block(next_id(), stmts))
}

/// Counts the nodes of the tree under `e`.
fn count(e: &Expr) -> usize {
    match e {
        Expr::Num(_) => 1,
        Expr::Neg(_, e) => 1 + count(e),
        Expr::Block(_, stmts) => {
            1 + stmts
                .iter()
                .map(|s| match s {
                    Stmt::Eval(_, e) => 1 + count(e),
                    Stmt::Let(_, name, e) => {
                        assert_eq!(&**name, b"x");
                        1 + count(e)
                    }
                })
                .sum::<usize>()
        }
    }
}

/// Runs `f` on a new thread, so that the per-thread pools start empty and
/// are gone when it ends.
fn on_a_new_thread<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    std::thread::spawn(f).join().expect("no panic")
}

#[test]
fn a_cross_pool_ast_in_per_thread_pools_is_freed() {
    let log = DropLog::new();
    let log2 = log.clone();
    on_a_new_thread(move || {
        let root = build(&mut PerThread, &log2, scaled(3, 2), 4);
        assert_eq!(count(&root), log2.created());
        let inner = match &*root {
            Expr::Block(_, stmts) => match &stmts[0] {
                Stmt::Let(_, _, e) | Stmt::Eval(_, e) => e.clone(),
            },
            _ => unreachable!("a block"),
        };
        let alive = count(&inner);
        drop(root);
        // The pools are still there, the subtree `inner` too; nothing else.
        assert_eq!(log2.alive(), alive);
        drop(inner);
        assert_eq!(log2.alive(), 0, "freed while the pools live");
        assert!(Expr::pool_stats().live_chunks <= 1);
        assert!(Stmt::pool_stats().live_chunks <= 1);
    });
    log.assert_all_dropped_once();
}

#[test]
fn a_cross_pool_ast_in_an_arena_struct_is_freed() {
    let log = DropLog::new();
    let mut ast = Ast::new();
    let root = build(&mut ast, &log, scaled(3, 2), 4);
    assert_eq!(count(&root), log.created());
    assert!(ast.exprs.breaks_cycles() && ast.stmts.breaks_cycles());
    assert!(ast.exprs.stats().live_chunks > 1);
    drop(root);
    assert_eq!(log.alive(), 0, "freed while the arena lives");
    assert_eq!(ast.exprs.stats().live_chunks, 1);
    assert_eq!(ast.stmts.stats().live_chunks, 1);
    assert_eq!(ast.text.stats().live_chunks, 1);
    // And the other way round: the arena first, then the tree.
    let root = build(&mut ast, &log, scaled(2, 1), 4);
    drop(ast);
    assert!(log.alive() > 0, "the root keeps its tree");
    drop(root);
    log.assert_all_dropped_once();
}

#[test]
fn a_cross_pool_ast_in_mixed_pools_is_freed() {
    let log = DropLog::new();
    let log2 = log.clone();
    on_a_new_thread(move || {
        let mut mixed = Mixed {
            stmts: Allocator::new(),
        };
        let root = build(&mut mixed, &log2, scaled(3, 2), 4);
        // Through a scope, the explicit pool stands in for the per-thread
        // pool of statements: another tree, its statements in `mixed`.
        let scoped = mixed.stmts.scope(|| build(&mut PerThread, &log2, 1, 4));
        assert_eq!(count(&root) + count(&scoped), log2.created());
        drop(mixed);
        drop(scoped);
        assert_eq!(log2.alive(), count(&root));
        drop(root);
        assert_eq!(log2.alive(), 0);
    });
    log.assert_all_dropped_once();
}

#[test]
fn pools_stay_bounded_when_trees_are_built_and_dropped_again_and_again() {
    let log = DropLog::new();
    let log2 = log.clone();
    on_a_new_thread(move || {
        let mut peak = (0, 0, 0);
        for round in 0..scaled(500, 4) {
            let root = build(&mut PerThread, &log2, scaled(3, 2), 4);
            let nodes = count(&root);
            drop(root);
            assert_eq!(log2.alive(), 0, "round {round}");
            let (e, s, t) = (Expr::pool_stats(), Stmt::pool_stats(), u8::pool_stats());
            // Each pool keeps its current chunk and nothing else.
            assert_eq!((e.live_chunks, s.live_chunks, t.live_chunks), (1, 1, 1));
            peak = (
                peak.0.max(e.live_bytes),
                peak.1.max(s.live_bytes),
                peak.2.max(t.live_bytes),
            );
            if round == 0 {
                assert!(nodes > scaled(100, 50));
                assert!(e.chunks > 1, "a tree takes several chunks");
            }
        }
        let one_chunk = |stats: arena_arc::AllocatorStats| stats.bytes_reserved / stats.chunks;
        assert!(peak.0 <= one_chunk(Expr::pool_stats()));
        assert!(peak.1 <= one_chunk(Stmt::pool_stats()));
        assert!(peak.2 <= 2 * one_chunk(u8::pool_stats()));
    });
    log.assert_all_dropped_once();
}

#[test]
fn an_arena_struct_stays_bounded_too() {
    let log = DropLog::new();
    let mut ast = Ast::new();
    for _ in 0..scaled(200, 4) {
        let root = build(&mut ast, &log, scaled(2, 1), 4);
        drop(root);
        assert_eq!(log.alive(), 0);
        for stats in [ast.exprs.stats(), ast.stmts.stats(), ast.text.stats()] {
            assert_eq!(stats.live_chunks, 1);
        }
    }
    drop(ast);
    log.assert_all_dropped_once();
}

#[test]
fn a_chunk_with_nothing_alive_is_reused_instead_of_replaced() {
    let log = DropLog::new();
    let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
    pool.break_cycles();
    for i in 0..100 {
        drop(pool.alloc_value(log.make(i)));
    }
    let stats = pool.stats();
    assert_eq!(
        (stats.chunks, stats.live_chunks, stats.allocations),
        (1, 1, 100)
    );
    // Something alive in it: a new chunk after all.
    let kept = pool.alloc_value(log.make(100));
    for i in 101..120 {
        drop(pool.alloc_value(log.make(i)));
    }
    // The first chunk is kept by `kept`; the second is reused in turn.
    assert_eq!(pool.stats().chunks, 2);
    assert_eq!(pool.stats().live_chunks, 2);
    drop((kept, pool));
    log.assert_all_dropped_once();
}

/// Holds the last handle to a value of another pool.
struct Holder {
    _payload: Tracked,
    leaf: ArcSingle<Tracked>,
}

#[test]
fn a_chunk_stays_until_its_elements_are_dropped() {
    // A slice longer than the chunk size gets a chunk of its own, which only
    // that slice's allocation keeps. Its elements hold the last handles to
    // values of another pool, which die while the slice is being dropped:
    // the slice's chunk must outlive that (Miri and ASan would see a use
    // after free otherwise).
    for len in [5, 9, 64] {
        let log = DropLog::new();
        let mut leaves: Allocator<Tracked, u32, 4> = Allocator::new();
        leaves.break_cycles();
        let mut holders: Allocator<Holder, u32, 4> = Allocator::new();
        holders.break_cycles();
        let big = holders.alloc_from_iter((0..len).map(|i| Holder {
            _payload: log.make(1000 + i),
            leaf: leaves.alloc_value(log.make(i)),
        }));
        assert_eq!(holders.stats().dedicated_chunks, 1);
        drop((leaves, holders));
        assert_eq!(big[len - 1].leaf.id, len - 1);
        drop(big);
        log.assert_all_dropped_once();
    }
}

// ---------------------------------------------------------------------------
// Long chains and panics
// ---------------------------------------------------------------------------

static CHAIN_DROPS: AtomicUsize = AtomicUsize::new(0);

#[derive(ArenaAlloc)]
#[arena(chunk = 1024)]
struct Even {
    next: Option<ArcSingle<Odd>>,
}

#[derive(ArenaAlloc)]
#[arena(chunk = 1024)]
struct Odd {
    next: Option<ArcSingle<Even>>,
}

impl Drop for Even {
    fn drop(&mut self) {
        CHAIN_DROPS.fetch_add(1, SeqCst);
    }
}

impl Drop for Odd {
    fn drop(&mut self) {
        CHAIN_DROPS.fetch_add(1, SeqCst);
    }
}

#[test]
fn a_million_node_chain_across_two_pools_frees_in_constant_stack() {
    let n = scaled(1_000_000, 3_000);
    // A small stack: recursion per node would overflow it many times over.
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let mut head: Option<ArcSingle<Even>> = None;
            for _ in 0..n / 2 {
                let odd = Odd::odd(head.take());
                head = Some(Even::even(Some(odd)));
            }
            assert!(Even::pool_stats().live_chunks > 100 || cfg!(miri));
            // Walk it (iteratively) to check its length.
            let mut len = 0;
            let mut even = head.clone();
            while let Some(e) = even {
                let odd = e.next.clone().expect("every even node has a next");
                even = odd.next.clone();
                len += 2;
            }
            assert_eq!(len, n);
            drop(head);
            assert_eq!(CHAIN_DROPS.load(SeqCst), n);
            assert_eq!(Even::pool_stats().live_chunks, 1);
            assert_eq!(Odd::pool_stats().live_chunks, 1);
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
}

/// A link of a chain kept in a thread-local until its thread ends.
#[derive(ArenaAlloc)]
struct Kept {
    payload: Tracked,
    next: Option<ArcSingle<Kept>>,
}

/// A chain of `len` links whose ids start at `first`.
fn kept_chain(log: &Arc<DropLog>, first: usize, len: usize) -> ArcSingle<Kept> {
    let mut head = None;
    for i in 0..len {
        head = Some(Kept::alloc(Kept {
            payload: log.make(first + i),
            next: head,
        }));
    }
    head.expect("len > 0")
}

#[test]
fn a_chain_in_a_thread_local_destroyed_after_the_disposal_queue_frees_in_constant_stack() {
    std::thread_local! {
        static KEPT: std::cell::RefCell<Option<ArcSingle<Kept>>> =
            const { std::cell::RefCell::new(None) };
    }
    let log = DropLog::new();
    let n = scaled(1_000_000, 500);
    let thread_log = Arc::clone(&log);
    // A small stack, as above.
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            // Registered first, so destroyed after the crate's thread-locals
            // (the disposal queue first used just below).
            KEPT.with(|kept| assert!(kept.borrow().is_none()));
            let deep = scaled(10_000, 200);
            drop(kept_chain(&thread_log, n, deep));
            thread_log.assert_dropped_once(n..n + deep);
            let head = kept_chain(&thread_log, 0, n);
            // Walk it (iteratively): ids `n - 1` down to 0.
            let mut link = Some(&head);
            let mut expected = n;
            while let Some(l) = link {
                expected -= 1;
                assert_eq!(l.payload.id, expected);
                link = l.next.as_ref();
            }
            assert_eq!(expected, 0);
            KEPT.with(|kept| *kept.borrow_mut() = Some(head));
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
    // Miri and LeakSanitizer check that the queue's buffer was freed too.
    log.assert_all_dropped_once();
}

/// A link of a chain whose `Drop` panics for id 5.
#[derive(ArenaAlloc)]
#[arena(chunk = 64)]
struct Link {
    payload: Tracked,
    next: Option<ArcSingle<Link>>,
}

impl Drop for Link {
    fn drop(&mut self) {
        if self.payload.id == 5 {
            panic!("link 5");
        }
    }
}

#[test]
fn a_panicking_drop_deep_in_a_long_chain_still_frees_the_rest() {
    // Deep links are disposed of from the queue, after the outermost
    // disposal: a panic there must not leave the rest of the queue (or the
    // thread's disposal state) behind.
    let log = DropLog::new();
    let log2 = log.clone();
    std::thread::spawn(move || {
        let n = scaled(20_000, 300);
        let mut head = None;
        for _ in 0..n {
            head = Some(Link::alloc(Link {
                payload: log2.make(log2.created()),
                next: head,
            }));
        }
        let mut len = 0;
        let mut at = head.as_deref();
        while let Some(link) = at {
            len += 1;
            at = link.next.as_deref();
        }
        assert_eq!(len, n);
        let message = expect_panic(move || drop(head));
        assert_eq!(message, "link 5");
        log2.assert_all_dropped_once();
        assert_eq!(Link::pool_stats().live_chunks, 1);
        // Later disposals on this thread work as before.
        let first = log2.created();
        let pair = Link::alloc(Link {
            payload: log2.make(first),
            next: Some(Link::alloc(Link {
                payload: log2.make(first + 1),
                next: None,
            })),
        });
        drop(pair);
        log2.assert_all_dropped_once();
    })
    .join()
    .expect("no panic outside `expect_panic`");
    assert_eq!(log.created(), scaled(20_000, 300) + 2);
}

/// A node whose `Drop` panics for one id.
#[derive(ArenaAlloc)]
#[arena(chunk = 4)]
struct Fragile {
    payload: Tracked,
    kids: ArcSlice<Fragile>,
}

impl Drop for Fragile {
    fn drop(&mut self) {
        if self.payload.id == 3 {
            panic!("fragile 3");
        }
    }
}

/// A node of `depth` levels of three children each, its kids in `pool`.
fn fragile(pool: &mut Allocator<Fragile, u32, 4>, log: &Arc<DropLog>, depth: usize) -> Fragile {
    let kids = if depth == 0 {
        ArcSlice::empty()
    } else {
        let kids: Vec<Fragile> = (0..3).map(|_| fragile(pool, log, depth - 1)).collect();
        Fragile::alloc_from_iter_in(pool, kids)
    };
    Fragile {
        payload: log.make(log.created()),
        kids,
    }
}

#[test]
fn a_panicking_drop_still_drops_the_rest_and_frees_the_memory() {
    let log = DropLog::new();
    let mut pool: Allocator<Fragile, u32, 4> = Allocator::new();
    let root = fragile(&mut pool, &log, scaled(3, 2));
    let root = Fragile::alloc_in(&mut pool, root);
    fn nodes(f: &Fragile) -> usize {
        1 + f.kids.iter().map(nodes).sum::<usize>()
    }
    assert_eq!(nodes(&root), log.created());
    assert!(log.created() > 3);
    let message = expect_panic(move || drop(root));
    assert_eq!(message, "fragile 3");
    log.assert_all_dropped_once();
    assert_eq!(
        pool.stats().live_chunks,
        1,
        "only the current chunk is left"
    );
    drop(pool);
}

// ---------------------------------------------------------------------------
// Weak handles
// ---------------------------------------------------------------------------

/// A doubly linked list: `next` strong, `prev` weak, set after allocation.
#[derive(ArenaAlloc)]
struct ListNode {
    payload: Tracked,
    next: Option<ArcSingle<ListNode>>,
    prev: OnceLock<WeakSingle<ListNode>>,
}

fn list(log: &Arc<DropLog>, len: usize) -> ArcSingle<ListNode> {
    let mut head: Option<ArcSingle<ListNode>> = None;
    for id in (0..len).rev() {
        let node = ListNode::list_node(log.make(id), head.clone(), OnceLock::new());
        if let Some(next) = &head {
            next.prev
                .set(ArcSingle::downgrade(&node))
                .expect("set once");
        }
        head = Some(node);
    }
    head.expect("len > 0")
}

#[test]
fn a_doubly_linked_list_with_weak_back_links_is_freed() {
    let log = DropLog::new();
    let log2 = log.clone();
    on_a_new_thread(move || {
        let head = list(&log2, scaled(100, 10));
        // Walk to the end, then back through the weak links.
        let mut tail = head.clone();
        while let Some(next) = tail.next.clone() {
            tail = next;
        }
        let mut back = 0;
        let mut node = tail.clone();
        while let Some(prev) = node.prev.get().and_then(WeakSingle::upgrade) {
            back += 1;
            assert_eq!(prev.payload.id + 1, node.payload.id);
            node = prev;
        }
        assert_eq!(back, scaled(100, 10) - 1);
        assert!(ArcSingle::ptr_eq(&node, &head));
        drop(node);
        let weak_head = ArcSingle::downgrade(&head);
        drop(head);
        // Only the tail (kept by `tail`) is left; its `prev` is dead.
        assert_eq!(log2.alive(), 1);
        assert!(weak_head.upgrade().is_none());
        assert!(tail.prev.get().and_then(WeakSingle::upgrade).is_none());
        drop(tail);
        assert_eq!(log2.alive(), 0);
    });
    log.assert_all_dropped_once();
}

/// A control-flow graph: blocks with strong edges forward and a weak edge
/// back to a loop header, set after the blocks are allocated.
#[derive(ArenaAlloc)]
struct Block {
    payload: Tracked,
    succ: OnceLock<ArcSingle<Block>>,
    back: std::cell::OnceCell<WeakSingle<Block>>,
}

#[test]
fn a_graph_whose_back_edges_are_weak_is_freed() {
    let log = DropLog::new();
    let mut pool: Allocator<Block, u32, 4> = Allocator::new();
    let block = |pool: &mut Allocator<Block, u32, 4>, id| {
        Block::block_in(pool, log.make(id), OnceLock::new(), Default::default())
    };
    // entry -> header -> body -> exit, body --(weak)--> header.
    let entry = block(&mut pool, 0);
    let header = block(&mut pool, 1);
    let body = block(&mut pool, 2);
    let exit = block(&mut pool, 3);
    body.back.set(ArcSingle::downgrade(&header)).expect("once");
    assert!(body.succ.set(exit).is_ok());
    assert!(header.succ.set(body).is_ok());
    assert!(entry.succ.set(header.clone()).is_ok());
    let loop_back = header
        .succ
        .get()
        .and_then(|b| b.back.get())
        .and_then(WeakSingle::upgrade);
    assert!(loop_back.is_some_and(|h| ArcSingle::ptr_eq(&h, &header) && h.payload.id == 1));
    drop(header);
    assert_eq!(log.alive(), 4);
    drop(entry);
    log.assert_all_dropped_once();
    drop(pool);
}

#[test]
fn upgrade_is_none_once_the_last_strong_handle_is_gone() {
    let log = DropLog::new();
    let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
    pool.break_cycles();
    let a = pool.alloc_value(log.make(0));
    let weak = ArcSingle::downgrade(&a);
    let weak2 = weak.clone();
    assert_eq!(weak.upgrade().map(|t| t.id), Some(0));
    let b = a.clone();
    drop(a);
    assert!(weak2.upgrade().is_some(), "`b` still keeps it");
    drop(b);
    assert_eq!(log.alive(), 0, "weak handles do not keep the value");
    assert!(weak.upgrade().is_none());
    assert!(weak2.upgrade().is_none());
    // The memory stays while weak handles point into it; then it goes.
    drop(pool);
    assert!(weak.upgrade().is_none());
    drop((weak, weak2));
    log.assert_all_dropped_once();
    let never: WeakSingle<Tracked> = WeakSingle::new();
    assert!(never.upgrade().is_none());
    assert!(WeakSingle::ptr_eq(&never, &WeakSingle::default()));
}

#[test]
fn weak_slices_and_element_handles() {
    let log = DropLog::new();
    let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
    pool.break_cycles();
    let all = pool.alloc_from_iter((0..5).map(|i| log.make(i)));
    let middle = all.slice(1..4);
    let weak: WeakSlice<Tracked> = ArcSlice::downgrade(&middle);
    let weak_one = ArcSingle::downgrade(&all.element(4).expect("in bounds"));
    drop(all);
    assert_eq!(weak.upgrade().map(|s| s.len()), Some(3));
    // `middle` keeps the whole allocation: element 4 too.
    assert_eq!(weak_one.upgrade().map(|t| t.id), Some(4));
    drop(middle);
    assert_eq!(log.alive(), 0);
    assert!(weak.upgrade().is_none() && weak_one.upgrade().is_none());
    assert!(WeakSlice::<u8>::new().upgrade().is_none());
    assert_eq!(
        ArcSlice::downgrade(&ArcSlice::<u8>::empty()).upgrade(),
        Some(ArcSlice::empty())
    );
    drop(pool);
}

#[test]
fn upgrade_races_the_last_drop_on_another_thread() {
    let log = DropLog::new();
    for round in 0..scaled(200, 5) {
        let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
        pool.break_cycles();
        let strong = pool.alloc_value(log.make(round));
        let weak = ArcSingle::downgrade(&strong);
        let start = Arc::new(Barrier::new(2));
        let start2 = start.clone();
        let upgrader = std::thread::spawn(move || {
            start2.wait();
            // Either the value is still there, alive, or it is gone.
            match weak.upgrade() {
                Some(value) => {
                    assert!(!value.is_dropped());
                    true
                }
                None => false,
            }
        });
        start.wait();
        drop(strong);
        upgrader.join().expect("no panic");
        drop(pool);
        assert_eq!(log.alive(), 0);
    }
    log.assert_all_dropped_once();
}

#[test]
fn a_weak_handle_upgrades_on_another_thread_until_the_value_goes() {
    let log = DropLog::new();
    let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
    pool.break_cycles();
    let strong = pool.alloc_value(log.make(7));
    drop(pool);
    let weak = ArcSingle::downgrade(&strong);
    let (to_main, from_thread) = std::sync::mpsc::channel();
    let (to_thread, from_main) = std::sync::mpsc::channel::<()>();
    let t = std::thread::spawn(move || {
        let got = weak.upgrade().map(|v| v.id);
        to_main.send(got).expect("send");
        from_main.recv().expect("main dropped its handle");
        weak.upgrade().map(|v| v.id)
    });
    assert_eq!(from_thread.recv().expect("recv"), Some(7));
    drop(strong);
    to_thread.send(()).expect("send");
    assert_eq!(t.join().expect("no panic"), None);
    log.assert_all_dropped_once();
}

#[test]
fn in_a_plain_allocator_a_weak_handle_upgrades_while_the_chunk_lives() {
    // 0.1.2's model: values live as long as their chunk.
    let log = DropLog::new();
    let mut pool: Allocator<Tracked, u32, 8> = Allocator::new();
    let a = pool.alloc_value(log.make(0));
    let weak = ArcSingle::downgrade(&a);
    drop(a);
    assert_eq!(log.alive(), 1, "deferred until the chunk is freed");
    assert_eq!(weak.upgrade().map(|t| t.id), Some(0));
    drop(pool);
    assert_eq!(log.alive(), 0);
    assert!(weak.upgrade().is_none());
    log.assert_all_dropped_once();
}

static_assertions::assert_impl_all!(WeakSingle<u32>: Send, Sync, Clone, std::fmt::Debug, Default);
static_assertions::assert_impl_all!(WeakSlice<u32>: Send, Sync, Clone, std::fmt::Debug, Default);
static_assertions::assert_not_impl_any!(WeakSingle<std::cell::Cell<u8>>: Send, Sync);
static_assertions::assert_eq_size!(WeakSingle<u64>, [usize; 2]);
