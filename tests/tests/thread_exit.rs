//! A long chain kept in a thread-local is freed in constant stack when the
//! thread ends, whichever order the thread-locals are destroyed in: before or
//! after the crate's own disposal state was first used, on a spawned thread
//! with an 8 MiB stack and on the main thread (whose thread-locals are
//! destroyed by `exit`). Each case runs in a child process, so a stack
//! overflow shows as a signal instead of ending the test binary.

use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use arena_arc::{Allocator, ArcSingle, ArenaAlloc};
use arena_arc_tests::{child_case, run_cases_in_children};

/// How many nodes the chain has: a million, as the README promises (Miri
/// runs no child processes, so there is no smaller setting).
const LEN: usize = 1_000_000;

/// Nodes dropped so far in this process.
static DROPPED: AtomicUsize = AtomicUsize::new(0);

/// A link of a chain, with drop glue of its own (so that dropping one runs
/// code, as in real trees).
#[derive(ArenaAlloc)]
struct Node {
    next: Option<ArcSingle<Node>>,
}

impl Drop for Node {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::Relaxed);
    }
}

/// A chain of `len` nodes whose links alternate between this thread's pool
/// of `Node` and `other` (so freeing it crosses from one pool's chunks to
/// the other's at every step).
fn chain(len: usize, other: &mut Allocator<Node, u32, 256>) -> ArcSingle<Node> {
    let mut head = Node::alloc(Node { next: None });
    for i in 1..len {
        let node = Node { next: Some(head) };
        head = if i % 2 == 0 {
            Node::alloc(node)
        } else {
            other.alloc_value(node)
        };
    }
    head
}

/// How many nodes the chain from `head` has (walked, not recursed).
fn length(head: &Node) -> usize {
    let mut len = 1;
    let mut node = head;
    while let Some(next) = &node.next {
        node = next;
        len += 1;
    }
    len
}

std::thread_local! {
    /// The user's thread-local that keeps a chain until the thread ends.
    static KEPT: RefCell<Option<ArcSingle<Node>>> = const { RefCell::new(None) };
    /// Prints how many nodes were dropped when it is destroyed. Touched
    /// first, so destroyed last: after every other thread-local.
    static REPORT: Report = const { Report };
}

struct Report;

impl Drop for Report {
    fn drop(&mut self) {
        // `println!` could look for a captured output in a thread-local that
        // is gone by now: write to the stream directly.
        use std::io::Write;
        let dropped = DROPPED.load(Ordering::Relaxed);
        let _ = writeln!(std::io::stdout(), "dropped at exit: {dropped}");
        let _ = std::io::stdout().flush();
    }
}

/// When the crate's disposal state is first used, relative to the user's
/// thread-local.
#[derive(Clone, Copy)]
enum Order {
    /// The user's thread-local is registered first (destroyed last).
    KeptFirst,
    /// A deep chain is dropped first, then the thread-local is registered.
    DisposalFirst,
}

/// Fills this thread's `KEPT` with a chain of `LEN` nodes, after dropping a
/// deep chain (which uses the disposal queue) before or after registering
/// `KEPT`, as `order` says. Returns how many nodes it dropped itself.
fn keep_a_chain(order: Order) -> usize {
    REPORT.with(|_| {});
    // An explicit pool counts per value once asked to, as the derive's
    // per-thread pools of `Node` do.
    let mut other = Allocator::new();
    other.break_cycles();
    if let Order::KeptFirst = order {
        KEPT.with(|kept| assert!(kept.borrow().is_none()));
    }
    // Deep enough to need the queue (more than its stack budget).
    drop(chain(10_000, &mut other));
    assert_eq!(DROPPED.load(Ordering::Relaxed), 10_000);
    let long = chain(LEN, &mut other);
    assert_eq!(length(&long), LEN);
    KEPT.with(|kept| *kept.borrow_mut() = Some(long));
    10_000
}

/// The four cases: where the chain is kept, and in which order.
const CASES: [(&str, Where, Order); 4] = [
    (
        "spawned thread, thread-local registered first",
        Where::Thread,
        Order::KeptFirst,
    ),
    (
        "spawned thread, disposal queue used first",
        Where::Thread,
        Order::DisposalFirst,
    ),
    (
        "main thread, thread-local registered first",
        Where::Main,
        Order::KeptFirst,
    ),
    (
        "main thread, disposal queue used first",
        Where::Main,
        Order::DisposalFirst,
    ),
];

/// Which thread keeps the chain.
#[derive(Clone, Copy)]
enum Where {
    /// A spawned thread with an 8 MiB stack (what `ulimit -s` gives the main
    /// thread on most Linux systems; std's default for spawned threads is 2
    /// MiB). It ends before the process does.
    Thread,
    /// The main thread: its thread-locals are destroyed by `exit`, after
    /// `main` returns, on the main thread's own stack. (libtest runs tests on
    /// threads of their own, so this binary has no harness.)
    Main,
}

/// Set in a child process to the index of the case it runs.
const CHILD: &str = "ARENA_ARC_THREAD_EXIT_CASE";

fn main() {
    if cfg!(miri) || !cfg!(unix) {
        // Miri runs no child processes.
        println!("thread_exit: needs child processes; nothing to run here");
        return;
    }
    if let Some(case) = child_case(CHILD) {
        let (_, place, order) = CASES[case];
        match place {
            Where::Thread => {
                let kept = std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn(move || keep_a_chain(order))
                    .unwrap()
                    .join()
                    .expect("the thread ended normally");
                assert_eq!(kept, 10_000);
            }
            Where::Main => {
                keep_a_chain(order);
            }
        }
        // Returning from `main` destroys the main thread's thread-locals.
        return;
    }
    let names: Vec<&str> = CASES.iter().map(|(name, ..)| *name).collect();
    let expected = format!("dropped at exit: {}", 10_000 + LEN);
    run_cases_in_children(CHILD, &names, &expected);
}
