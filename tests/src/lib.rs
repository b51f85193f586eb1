//! Helpers shared by the integration tests: elements that record their own
//! drops, so a test can check that every element is dropped exactly once.

#![deny(missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Counts, per id, how many times a [`Tracked`] element was created and
/// dropped. One log per test: tests run in parallel.
#[derive(Debug, Default)]
pub struct DropLog {
    state: Mutex<LogState>,
}

#[derive(Debug, Default)]
struct LogState {
    created: usize,
    /// Drops per id (sparse: ids may be large).
    drops: HashMap<usize, usize>,
}

impl DropLog {
    /// A new, empty log.
    pub fn new() -> Arc<DropLog> {
        Arc::new(DropLog::default())
    }

    /// A new element with `id` that records its drop here.
    pub fn make(self: &Arc<Self>, id: usize) -> Tracked {
        self.state.lock().unwrap().created += 1;
        Tracked {
            id,
            log: Arc::clone(self),
        }
    }

    /// How many times the element `id` was dropped.
    pub fn drops_of(&self, id: usize) -> usize {
        self.state
            .lock()
            .unwrap()
            .drops
            .get(&id)
            .copied()
            .unwrap_or(0)
    }

    /// Elements created so far.
    pub fn created(&self) -> usize {
        self.state.lock().unwrap().created
    }

    /// Drops recorded so far, all ids together.
    pub fn dropped(&self) -> usize {
        self.state.lock().unwrap().drops.values().sum()
    }

    /// Elements created and not yet dropped.
    pub fn alive(&self) -> usize {
        self.created() - self.dropped()
    }

    /// Panics unless every element ever created was dropped exactly once.
    #[track_caller]
    pub fn assert_all_dropped_once(&self) {
        let state = self.state.lock().unwrap();
        let mut twice: Vec<usize> = state
            .drops
            .iter()
            .filter(|&(_, &n)| n > 1)
            .map(|(&id, _)| id)
            .collect();
        twice.sort_unstable();
        assert!(twice.is_empty(), "dropped more than once: {twice:?}");
        let dropped: usize = state.drops.values().sum();
        assert_eq!(
            dropped, state.created,
            "created {} elements but dropped {dropped}",
            state.created
        );
    }

    /// Panics unless each of `ids` was dropped exactly once.
    #[track_caller]
    pub fn assert_dropped_once(&self, ids: impl IntoIterator<Item = usize>) {
        for id in ids {
            assert_eq!(self.drops_of(id), 1, "element {id}");
        }
    }

    /// Panics unless none of `ids` was dropped.
    #[track_caller]
    pub fn assert_not_dropped(&self, ids: impl IntoIterator<Item = usize>) {
        for id in ids {
            assert_eq!(self.drops_of(id), 0, "element {id} dropped too early");
        }
    }

    fn record(&self, id: usize) {
        *self.state.lock().unwrap().drops.entry(id).or_insert(0) += 1;
    }
}

/// An element that records its drop in a [`DropLog`].
#[derive(Debug)]
pub struct Tracked {
    /// Identifies the element in its log.
    pub id: usize,
    log: Arc<DropLog>,
}

impl Tracked {
    /// Whether this element (or another with its id) was dropped already:
    /// reading a dropped element is a use after drop.
    pub fn is_dropped(&self) -> bool {
        self.log.drops_of(self.id) > 0
    }

    /// A new element with another id, in the same log.
    pub fn sibling(&self, id: usize) -> Tracked {
        self.log.make(id)
    }
}

impl Clone for Tracked {
    /// A clone is a new element with the same id; it is counted as created.
    fn clone(&self) -> Self {
        self.log.make(self.id)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.log.record(self.id);
    }
}

/// Runs `f`, expecting it to panic; returns the panic message.
#[track_caller]
pub fn expect_panic<R>(f: impl FnOnce() -> R) -> String {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => {
            if let Some(s) = payload.downcast_ref::<&str>() {
                (*s).to_string()
            } else if let Some(s) = payload.downcast_ref::<String>() {
                s.clone()
            } else {
                "<non-string panic>".to_string()
            }
        }
    }
}

/// Scales a loop count down under Miri, which is ~1000x slower.
pub const fn scaled(native: usize, miri: usize) -> usize {
    if cfg!(miri) { miri } else { native }
}

/// Runs `child` in a child process and returns how that process ended.
///
/// The child is this test binary run again with only `test` selected (its
/// exact name) and an environment variable set; in it, `run_in_child` runs
/// `child` and exits with status 0. The caller asserts on the returned
/// output (an abort shows as `SIGABRT`).
#[cfg(unix)]
pub fn run_in_child(test: &str, child: impl FnOnce()) -> std::process::Output {
    const CHILD: &str = "ARENA_ARC_TESTS_CHILD";
    if std::env::var_os(CHILD).is_some() {
        child();
        std::process::exit(0);
    }
    std::process::Command::new(std::env::current_exe().expect("test binary"))
        .args(["--exact", test, "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("child runs")
}

/// For a test binary without a harness (so that a case may run on a main
/// thread) whose cases each run in a child process: the index of the case
/// this process is to run, if it is such a child (`var` set by
/// [`run_cases_in_children`]).
pub fn child_case(var: &str) -> Option<usize> {
    let case = std::env::var_os(var)?;
    Some(
        case.to_str()
            .and_then(|c| c.parse().ok())
            .expect("a case index"),
    )
}

/// Runs each of `names`' cases in a child process of this binary, with
/// `var` set to its index (see [`child_case`]). A case passes when its child
/// exits successfully having printed the line `passed_line`; a child killed
/// by a stack overflow, or one that fails otherwise, fails it. Prints each
/// outcome, then panics naming the cases that failed.
#[cfg(unix)]
pub fn run_cases_in_children(var: &str, names: &[&str], passed_line: &str) {
    println!("\nrunning {} cases", names.len());
    let mut failed = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let out = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .env(var, i.to_string())
            .output()
            .expect("the child runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() && stdout.lines().any(|line| line == passed_line) {
            println!("case {name} ... ok");
        } else {
            let overflow = stderr.contains("overflowed its stack");
            println!(
                "case {name} ... FAILED{}: {:?}, expected the line `{passed_line}`\nstdout: {stdout}\nstderr: {stderr}",
                if overflow { " (stack overflow)" } else { "" },
                out.status
            );
            failed.push(*name);
        }
    }
    assert!(failed.is_empty(), "failed: {failed:?}");
    println!("all {} cases passed", names.len());
}

/// Asserts that a child process from [`run_in_child`] was killed by
/// `SIGABRT` (what `std::process::abort` and a double panic end in); its
/// status and output are in the message otherwise.
#[cfg(unix)]
#[track_caller]
pub fn assert_aborted(out: &std::process::Output) {
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        out.status.signal(),
        Some(6),
        "the child should abort, got {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// An iterator whose `size_hint` claims exactly `claimed` items (fewer as
/// items are taken) but which yields what `inner` yields: for checking that
/// nothing trusts a length it was told.
#[derive(Debug)]
pub struct Liar<I> {
    inner: I,
    claimed: usize,
    taken: usize,
}

impl<I> Liar<I> {
    /// `inner`, claiming `claimed` items.
    pub fn new(inner: I, claimed: usize) -> Self {
        Liar {
            inner,
            claimed,
            taken: 0,
        }
    }
}

impl<I: Iterator> Iterator for Liar<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        let item = self.inner.next();
        self.taken += usize::from(item.is_some());
        item
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.claimed.saturating_sub(self.taken);
        (left, Some(left))
    }
}
