//! A panic (or an `Err`) in user code midway through an allocation drops
//! what was already produced, double-drops nothing, and leaves the allocator
//! usable; a panicking element `Drop` during teardown still drops the other
//! elements and frees the chunk (Miri and LeakSanitizer check the freeing).

use std::sync::{Arc, Once};

use arena_arc::{Allocator, ArcSlice};
use arena_arc_tests::{DropLog, Tracked, expect_panic, scaled};

const MSG: &str = "intentional test panic";

/// Keeps the intentional panics out of the test output, but still prints
/// every other panic (so real failures keep their message).
fn quiet_intentional_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| info.payload().downcast_ref::<String>().map(|s| s.as_str()));
            if msg != Some(MSG) {
                default(info);
            }
        }));
    });
}

/// The three allocation paths, each as an allocator prepared so that a
/// request of 1..=40 elements takes that path.
#[derive(Clone, Copy, Debug)]
enum Path {
    /// Fits the current chunk (N = 64, 1 slot used).
    Fits,
    /// Needs a new chunk (N = 64, current chunk full).
    NewChunk,
    /// Longer than N: a dedicated chunk (N = 0).
    Dedicated,
}

const PATHS: [Path; 3] = [Path::Fits, Path::NewChunk, Path::Dedicated];

/// Runs `body` against an allocator prepared for `path`, whichever chunk size
/// that needs. Elements made while preparing get ids from 1_000_000.
fn with_path(path: Path, log: &Arc<DropLog>, body: &mut dyn FnMut(&mut dyn AllocOps)) {
    match path {
        Path::Fits => {
            let mut a: Allocator<Tracked, u32, 64> = Allocator::new();
            let _pre = a.alloc(1, |i| log.make(1_000_000 + i));
            body(&mut a);
        }
        Path::NewChunk => {
            let mut a: Allocator<Tracked, u32, 64> = Allocator::new();
            let _pre = a.alloc(64, |i| log.make(1_000_000 + i));
            assert_eq!(a.stats().current_chunk_free, 0);
            body(&mut a);
        }
        Path::Dedicated => {
            let mut a: Allocator<Tracked, u32, 0> = Allocator::new();
            body(&mut a);
        }
    }
}

/// The allocation methods under test, object-safe over the chunk size.
trait AllocOps {
    fn alloc(&mut self, len: u32, init: &mut dyn FnMut(usize) -> Tracked) -> ArcSlice<Tracked>;
    fn try_alloc(
        &mut self,
        len: u32,
        init: &mut dyn FnMut(usize) -> Result<Tracked, usize>,
    ) -> Result<ArcSlice<Tracked>, usize>;
    fn alloc_iter(&mut self, iter: &mut dyn Iterator<Item = Tracked>) -> ArcSlice<Tracked>;
    fn free(&self) -> usize;
    fn elements(&self) -> usize;
}

impl<const N: usize> AllocOps for Allocator<Tracked, u32, N> {
    fn alloc(&mut self, len: u32, init: &mut dyn FnMut(usize) -> Tracked) -> ArcSlice<Tracked> {
        Allocator::alloc(self, len, init)
    }
    fn try_alloc(
        &mut self,
        len: u32,
        init: &mut dyn FnMut(usize) -> Result<Tracked, usize>,
    ) -> Result<ArcSlice<Tracked>, usize> {
        Allocator::try_alloc(self, len, init)
    }
    fn alloc_iter(&mut self, iter: &mut dyn Iterator<Item = Tracked>) -> ArcSlice<Tracked> {
        self.alloc_from_iter(iter)
    }
    fn free(&self) -> usize {
        self.stats().current_chunk_free
    }
    fn elements(&self) -> usize {
        self.stats().elements
    }
}

/// An element whose `clone` panics when its `explode` flag is set.
#[derive(Debug)]
struct PanicClone {
    tracked: Tracked,
    explode: bool,
}

impl Clone for PanicClone {
    /// Clones get the id `CLONE_ID + id`, so drops of originals and clones
    /// are counted apart.
    fn clone(&self) -> Self {
        if self.explode {
            panic!("{}", MSG);
        }
        PanicClone {
            tracked: self.tracked.sibling(CLONE_ID + self.tracked.id),
            explode: false,
        }
    }
}

const CLONE_ID: usize = 100_000;

/// Requests of 1..=40 elements (1..=5 under Miri: each path still fails at
/// the first, a middle and the last position of several lengths).
fn max_len() -> usize {
    scaled(40, 5)
}

/// Checks, after a failed request, that nothing it produced is alive and
/// that the allocator still works and still places as before.
fn check_recovered(
    a: &mut dyn AllocOps,
    log: &Arc<DropLog>,
    free: usize,
    elements: usize,
    len: usize,
) {
    assert_eq!(a.free(), free, "free slots changed by a failed request");
    assert_eq!(
        a.elements(),
        elements,
        "elements counted for a failed request"
    );
    let alive_before = log.alive();
    let ok = a.alloc(len as u32, &mut |i| log.make(5_000 + i));
    assert_eq!(ok.len(), len);
    for (i, t) in ok.iter().enumerate() {
        assert_eq!(t.id, 5_000 + i);
    }
    assert_eq!(log.alive(), alive_before + len);
}

#[test]
fn init_panics_at_every_position() {
    quiet_intentional_panics();
    for path in PATHS {
        for len in 1..=max_len() {
            for at in 0..len {
                let log = DropLog::new();
                with_path(path, &log, &mut |a| {
                    let (free, elements) = (a.free(), a.elements());
                    let alive = log.alive();
                    let msg = expect_panic(|| {
                        a.alloc(len as u32, &mut |i| {
                            if i == at {
                                panic!("{}", MSG);
                            }
                            log.make(i)
                        })
                    });
                    assert_eq!(msg, MSG);
                    assert_eq!(log.alive(), alive, "{path:?} len {len} at {at}: leaked");
                    log.assert_dropped_once(0..at);
                    check_recovered(a, &log, free, elements, len);
                });
                log.assert_all_dropped_once();
            }
        }
    }
}

#[test]
fn try_alloc_err_at_every_position() {
    for path in PATHS {
        for len in 1..=max_len() {
            for at in 0..len {
                let log = DropLog::new();
                with_path(path, &log, &mut |a| {
                    let (free, elements) = (a.free(), a.elements());
                    let alive = log.alive();
                    let res = a.try_alloc(len as u32, &mut |i| {
                        if i == at { Err(i) } else { Ok(log.make(i)) }
                    });
                    assert_eq!(res.err(), Some(at));
                    assert_eq!(log.alive(), alive, "{path:?} len {len} at {at}: leaked");
                    log.assert_dropped_once(0..at);
                    check_recovered(a, &log, free, elements, len);
                });
                log.assert_all_dropped_once();
            }
        }
    }
}

#[test]
fn iterator_panics_at_every_position() {
    quiet_intentional_panics();
    for path in PATHS {
        for len in 1..=max_len() {
            for at in 0..len {
                for exact in [true, false] {
                    let log = DropLog::new();
                    with_path(path, &log, &mut |a| {
                        let (free, elements) = (a.free(), a.elements());
                        let alive = log.alive();
                        let make = |i: usize| {
                            if i == at {
                                panic!("{}", MSG);
                            }
                            log.make(i)
                        };
                        let msg = if exact {
                            // Exact size: written straight into the chunk.
                            expect_panic(|| a.alloc_iter(&mut (0..len).map(make)))
                        } else {
                            // Unknown size: collected first.
                            expect_panic(|| a.alloc_iter(&mut (0..len).filter(|_| true).map(make)))
                        };
                        assert_eq!(msg, MSG);
                        assert_eq!(log.alive(), alive, "{path:?} len {len} at {at}: leaked");
                        check_recovered(a, &log, free, elements, len);
                    });
                    log.assert_all_dropped_once();
                }
            }
        }
    }
}

/// One `alloc_slice_clone` whose `clone` panics at `at`, in an allocator of
/// chunk size `N` that already holds `prefill` elements.
fn clone_case<const N: usize>(prefill: usize, len: usize, at: usize) {
    let log = DropLog::new();
    let mut a: Allocator<PanicClone, u32, N> = Allocator::new();
    let pre = a.alloc(prefill as u32, |i| PanicClone {
        tracked: log.make(1_000_000 + i),
        explode: false,
    });
    let src: Vec<PanicClone> = (0..len)
        .map(|i| PanicClone {
            tracked: log.make(i),
            explode: i == at,
        })
        .collect();
    let (free, alive) = (a.stats().current_chunk_free, log.alive());
    let msg = expect_panic(|| a.alloc_slice_clone(&src));
    assert_eq!(msg, MSG);
    assert_eq!(log.alive(), alive, "N {N} len {len} at {at}: leaked clones");
    assert_eq!(a.stats().current_chunk_free, free);
    // The clones made before the panic were dropped once each.
    log.assert_dropped_once(CLONE_ID..CLONE_ID + at);
    // Still usable: clone everything but the exploding element.
    let ok = a.alloc_slice_clone(&src[..at]);
    assert_eq!(ok.len(), at);
    assert!(
        ok.iter()
            .enumerate()
            .all(|(i, c)| c.tracked.id == CLONE_ID + i)
    );
    drop((ok, pre, src, a));
    // (Clone ids repeat across the two calls, so count in total.)
    assert_eq!(log.alive(), 0);
    assert_eq!(log.dropped(), log.created());
}

#[test]
fn clone_panics_at_every_position() {
    quiet_intentional_panics();
    for len in 1..=max_len() {
        for at in 0..len {
            clone_case::<64>(1, len, at); // fits
            clone_case::<64>(64, len, at); // new chunk
            clone_case::<0>(0, len, at); // dedicated
        }
    }
}

/// An element whose `Drop` panics for one id.
struct PanicDrop {
    tracked: Tracked,
    explode: bool,
}

impl Drop for PanicDrop {
    fn drop(&mut self) {
        if self.explode {
            self.explode = false;
            panic!("{}", MSG);
        }
    }
}

#[test]
fn element_drop_panic_during_teardown_drops_the_rest() {
    quiet_intentional_panics();
    for explode_at in [0, 4, 9] {
        let log = DropLog::new();
        let mut alloc: Allocator<PanicDrop, u32, 16> = Allocator::new();
        let all = alloc.alloc(10, |i| PanicDrop {
            tracked: log.make(i),
            explode: i == explode_at,
        });
        drop(alloc);
        assert_eq!(all[3].tracked.id, 3);
        let msg = expect_panic(move || drop(all));
        assert_eq!(msg, MSG);
        // Every element was dropped exactly once, the panicking one included
        // (its fields are dropped after its `Drop::drop` panics).
        log.assert_dropped_once(0..10);
        log.assert_all_dropped_once();
    }
}

#[test]
fn panicking_drop_of_old_chunk_during_rotation_leaves_allocator_consistent() {
    quiet_intentional_panics();
    let log = DropLog::new();
    let mut alloc: Allocator<PanicDrop, u32, 4> = Allocator::new();
    // Fill the first chunk; no handle kept, so the allocator owns it alone.
    drop(alloc.alloc(3, |i| PanicDrop {
        tracked: log.make(i),
        explode: i == 1,
    }));
    // 1 left; 2 more needs a new chunk that leaves 2 > 1: adopted, and the
    // old chunk is freed right here, panicking in element 1's drop.
    let msg = expect_panic(|| {
        alloc.alloc(2, |i| PanicDrop {
            tracked: log.make(10 + i),
            explode: false,
        })
    });
    assert_eq!(msg, MSG);
    log.assert_dropped_once(0..3);
    // The new handle was dropped by the unwinding; its elements live in the
    // new current chunk until the allocator goes.
    log.assert_not_dropped(10..12);
    assert_eq!(alloc.stats().current_chunk_free, 2);
    let more = alloc.alloc(2, |i| PanicDrop {
        tracked: log.make(20 + i),
        explode: false,
    });
    assert_eq!(more[1].tracked.id, 21);
    drop((more, alloc));
    log.assert_all_dropped_once();
}
