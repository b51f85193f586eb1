//! Model checks of the chunk refcount protocol with loom. Every interleaving
//! (up to loom's preemption bound) of the threads below is explored; loom
//! reports data races on its atomics, leaks of loom objects, and failed
//! assertions.
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test -p arena-arc --test loom --release
//! ```

#![cfg(loom)]

use loom::cell::UnsafeCell;
use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;

use arena_arc::{Allocator, ArcSingle, WeakSingle};

/// An element that counts its drops. Its value lives in a loom cell, so
/// loom reports any read that is not ordered before the element's drop
/// (which writes it): exactly what the refcount's orderings must ensure.
struct Elem {
    value: UnsafeCell<usize>,
    drops: Arc<AtomicUsize>,
}

impl Elem {
    fn new(value: usize, drops: &Arc<AtomicUsize>) -> Self {
        Elem {
            value: UnsafeCell::new(value),
            drops: drops.clone(),
        }
    }

    fn read(&self) -> usize {
        // SAFETY: the only write is in `drop`, which has `&mut self`; loom
        // checks that this read happens-before it.
        self.value.with(|p| unsafe { *p })
    }
}

impl Drop for Elem {
    fn drop(&mut self) {
        // SAFETY: `&mut self`: nobody else can access the value; loom checks
        // that every earlier read happens-before this write.
        self.value.with_mut(|p| unsafe { *p = usize::MAX });
        self.drops.fetch_add(1, Ordering::Relaxed);
    }
}

/// One value in a cycle-aware pool (counted on its own), the pool already
/// gone: the handle returned is the only reference to it.
fn lone_value(value: usize, drops: &Arc<AtomicUsize>) -> ArcSingle<Elem, u32> {
    let mut alloc: Allocator<Elem, u32, 2> = Allocator::new();
    alloc.break_cycles();
    alloc.alloc_value(Elem::new(value, drops))
}

/// A thread that upgrades `weak` and reads the value, or sees 0 if the
/// upgrade fails.
fn upgrade_and_read(weak: WeakSingle<Elem, u32>) -> thread::JoinHandle<usize> {
    thread::spawn(move || weak.upgrade().map_or(0, |again| again.read()))
}

#[test]
fn two_threads_clone_and_drop_handles_of_one_chunk() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut alloc: Allocator<Elem, u32, 4> = Allocator::new();
        let h = alloc.alloc(2, |i| Elem::new(i, &drops));
        drop(alloc);
        let h2 = h.clone();
        let t = thread::spawn(move || {
            let c = h2.clone();
            assert_eq!(c[1].read(), 1);
            drop(h2);
            drop(c);
        });
        let c = h.element(0).unwrap();
        drop(h);
        assert_eq!(c.read(), 0);
        drop(c);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn last_handle_dropped_while_the_allocator_moves_to_a_new_chunk() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut alloc: Allocator<Elem, u32, 2> = Allocator::new();
        // Fills the first chunk.
        let h = alloc.alloc(2, |i| Elem::new(i, &drops));
        let t = thread::spawn(move || {
            assert_eq!(h[0].read() + h[1].read(), 1);
            drop(h);
        });
        // Does not fit: a new chunk becomes current and the allocator gives
        // back its pre-counted references to the first one, racing with the
        // other thread's drop of the last handle.
        let x: ArcSingle<Elem, u32> = alloc.alloc_value(Elem::new(7, &drops));
        assert_eq!(x.read(), 7);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 2);
        drop((x, alloc));
        assert_eq!(drops.load(Ordering::Relaxed), 3);
    });
}

#[test]
fn allocator_dropped_while_handles_are_dropped_on_two_threads() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut alloc: Allocator<Elem, u32, 4> = Allocator::new();
        let a = alloc.alloc_value(Elem::new(1, &drops));
        let b = alloc.alloc_value(Elem::new(2, &drops));
        let ta = thread::spawn(move || {
            assert_eq!(a.read(), 1);
            drop(a);
        });
        let tb = thread::spawn(move || {
            assert_eq!(b.read(), 2);
            drop(b);
        });
        drop(alloc);
        ta.join().unwrap();
        tb.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn precounted_references_handed_out_while_another_thread_drops() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut alloc: Allocator<Elem, u32, 3> = Allocator::new();
        let first = alloc.alloc_value(Elem::new(0, &drops));
        let t = thread::spawn(move || {
            let c = first.clone();
            drop(first);
            assert_eq!(c.read(), 0);
            drop(c);
        });
        // Handed out from pre-counted references, without atomics, while
        // the other thread changes the same count.
        let second = alloc.alloc_value(Elem::new(1, &drops));
        let third = alloc.alloc_value(Elem::new(2, &drops));
        drop(alloc);
        assert_eq!(second.read() + third.read(), 3);
        drop(second);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 0);
        drop(third);
        assert_eq!(drops.load(Ordering::Relaxed), 3);
    });
}

#[test]
fn chain_of_chunks_freed_on_another_thread() {
    // The deferred (iterative) free path under loom's thread-locals.
    struct Link {
        _prev: Option<ArcSingle<Link>>,
        _elem: Elem,
    }
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut alloc: Allocator<Link, u32, 1> = Allocator::new();
        let a = alloc.alloc_value(Link {
            _prev: None,
            _elem: Elem::new(0, &drops),
        });
        let b = alloc.alloc_value(Link {
            _prev: Some(a.clone()),
            _elem: Elem::new(1, &drops),
        });
        drop(alloc);
        let t = thread::spawn(move || drop(b));
        drop(a);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn per_value_children_while_clones_are_dropped_on_another_thread() {
    // A cycle-aware pool counts each value: the parent's handle to its child
    // counts on the child alone. Another thread holds a clone of the child
    // and drops it while the allocator and the parent go.
    struct Node {
        child: Option<ArcSingle<Node>>,
        elem: Elem,
    }
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut alloc: Allocator<Node, u32, 4> = Allocator::new();
        alloc.break_cycles();
        let leaf = alloc.alloc_value(Node {
            child: None,
            elem: Elem::new(1, &drops),
        });
        let clone = leaf.clone();
        let t = thread::spawn(move || {
            assert_eq!(clone.elem.read(), 1);
            drop(clone);
        });
        let root = alloc.alloc_value(Node {
            child: Some(leaf),
            elem: Elem::new(2, &drops),
        });
        drop(alloc);
        let child = root.child.as_ref().unwrap();
        assert_eq!(child.elem.read() + root.elem.read(), 3);
        drop(root);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn upgrade_races_the_last_strong_drop() {
    // A weak handle upgrades on one thread while the last strong handle is
    // dropped on another: either the upgrade wins and the value stays alive
    // (readable) until the upgraded handle goes, or it sees the count at
    // zero. Exactly one drop either way.
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let strong = lone_value(5, &drops);
        let weak = ArcSingle::downgrade(&strong);
        let t = upgrade_and_read(weak);
        assert_eq!(strong.read(), 5);
        drop(strong);
        let seen = t.join().unwrap();
        assert!(seen == 5 || seen == 0);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn alloc_cyclic_publishes_the_value_to_a_racing_upgrade() {
    // `alloc_cyclic` hands a weak handle to another thread before the value
    // exists: its upgrade either fails (the count is still zero) or sees
    // the value written (the `Release` store of the first count).
    struct Cyc {
        elem: Elem,
        _me: WeakSingle<Cyc>,
    }
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut alloc: Allocator<Cyc, u32, 2> = Allocator::new();
        alloc.break_cycles();
        let mut t = None;
        let strong = alloc.alloc_cyclic(|me| {
            let weak = me.clone();
            t = Some(thread::spawn(move || match weak.upgrade() {
                Some(again) => again.elem.read(),
                None => 0,
            }));
            Cyc {
                elem: Elem::new(5, &drops),
                _me: me.clone(),
            }
        });
        drop(alloc);
        assert_eq!(strong.elem.read(), 5);
        drop(strong);
        let seen = t.unwrap().join().unwrap();
        assert!(seen == 5 || seen == 0);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn try_unwrap_races_an_upgrade() {
    // The last strong handle is unwrapped on one thread while a weak handle
    // upgrades on another: either the upgrade comes first (the unwrap
    // fails, or waits for the upgraded handle to go) or it fails; the value
    // is moved out at most once and dropped exactly once, after every read.
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let strong = lone_value(5, &drops);
        let weak = ArcSingle::downgrade(&strong);
        let t = upgrade_and_read(weak);
        match ArcSingle::try_unwrap(strong) {
            Ok(elem) => assert_eq!(elem.read(), 5),
            Err(strong) => drop(strong),
        }
        let seen = t.join().unwrap();
        assert!(seen == 5 || seen == 0);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn into_inner_on_two_threads_gives_the_value_to_one() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let a = lone_value(5, &drops);
        let b = a.clone();
        let t = thread::spawn(move || {
            b.read();
            ArcSingle::into_inner(b).map(|e| e.read())
        });
        let here = ArcSingle::into_inner(a).map(|e| e.read());
        let there = t.join().unwrap();
        assert_eq!(here.or(there), Some(5));
        assert!(here.is_none() || there.is_none());
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn downgrade_races_the_other_strong_drop() {
    // One thread downgrades its clone and drops it, then upgrades; the other
    // drops the other strong handle. The weak flag shares the count's word,
    // so whichever strong drop is last sees it (or the count above one) and
    // takes the read-modify-write path: exactly one drop, and an upgrade
    // only while a strong handle is left.
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let strong = lone_value(9, &drops);
        let clone = strong.clone();
        let t = thread::spawn(move || {
            let weak = ArcSingle::downgrade(&clone);
            drop(clone);
            weak.upgrade().map_or(0, |again| again.read())
        });
        drop(strong);
        let seen = t.join().unwrap();
        assert!(seen == 9 || seen == 0);
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn weak_handle_dropped_while_the_value_and_chunk_go() {
    // The chunk's memory is freed by whichever goes last: the weak handle
    // on one thread, or the value's last strong handle (with the allocator
    // gone) on the other.
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut alloc: Allocator<Elem, u32, 2> = Allocator::new();
        alloc.break_cycles();
        let strong = alloc.alloc_value(Elem::new(3, &drops));
        let weak = ArcSingle::downgrade(&strong);
        drop(alloc);
        let t = thread::spawn(move || drop(weak));
        assert_eq!(strong.read(), 3);
        drop(strong);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 1);
    });
}

#[test]
fn a_pool_reuses_a_chunk_whose_last_value_another_thread_dropped() {
    // A cycle-aware pool rewinds its current chunk instead of starting a new
    // one when nothing in it is alive, which another thread may have just
    // made so: that thread's accesses must happen-before the reuse.
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut alloc: Allocator<Elem, u32, 2> = Allocator::new();
        alloc.break_cycles();
        let first = alloc.alloc_value(Elem::new(1, &drops));
        let second = alloc.alloc_value(Elem::new(2, &drops));
        drop(second);
        let t = thread::spawn(move || {
            assert_eq!(first.read(), 1);
            drop(first);
        });
        // The chunk is full: rewound if `first` is gone, a new one otherwise.
        let third = alloc.alloc_value(Elem::new(3, &drops));
        assert_eq!(third.read(), 3);
        t.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 2);
        drop((third, alloc));
        assert_eq!(drops.load(Ordering::Relaxed), 3);
    });
}

/// A value to intern: an [`Elem`] (whose value loom watches, and whose drop
/// is counted) equal by that value and hashed by `key`, the same number.
struct Key {
    key: usize,
    elem: Elem,
}

impl Key {
    fn new(key: usize, drops: &Arc<AtomicUsize>) -> Self {
        Key {
            key,
            elem: Elem::new(key, drops),
        }
    }

    fn read(&self) -> usize {
        self.elem.read()
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        // Reads both values: the table must only compare live ones.
        self.read() == other.read()
    }
}

impl Eq for Key {}

impl std::hash::Hash for Key {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

type Table = arena_arc::__private::InternTable<Key, Allocator<Key, u32, 4>>;

/// `intern` on one thread while another drops the last handle to an equal
/// value: either the upgrade wins and both share the value, or it sees the
/// value dying and a new one is made; the value read is never a dropped one,
/// and each value is dropped once.
#[test]
fn intern_races_the_last_drop_of_an_equal_value() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let table = Arc::new(Table::new());
        let first = table.intern(Key::new(1, &drops));
        let t = thread::spawn(move || {
            assert_eq!(first.read(), 1);
            drop(first);
        });
        let second = table.intern(Key::new(1, &drops));
        assert_eq!(second.read(), 1);
        t.join().unwrap();
        // The duplicate (on a hit) or the first value (on a miss) is gone.
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        drop(second);
        assert_eq!(drops.load(Ordering::Relaxed), 2);
        drop(table);
    });
}

/// Two threads intern equal values at once: one value is kept, both get
/// it, and the other is dropped.
#[test]
fn two_threads_intern_equal_values() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let table = Arc::new(Table::new());
        let (table2, drops2) = (table.clone(), drops.clone());
        let t = thread::spawn(move || table2.intern(Key::new(5, &drops2)));
        let mine = table.intern(Key::new(5, &drops));
        let theirs = t.join().unwrap();
        assert!(arena_arc::Interned::ptr_eq(&mine, &theirs));
        assert_eq!(drops.load(Ordering::Relaxed), 1);
        drop((mine, theirs, table));
        assert_eq!(drops.load(Ordering::Relaxed), 2);
    });
}

#[test]
fn the_pools_record_outlives_its_chunks_whichever_thread_goes_last() {
    // The first chunk hosts the pool's record; the second is attached to
    // it. Its last handle, the second chunk's and the pool go on three
    // threads: whoever gives back the record's last reference frees the
    // first chunk's memory, after every use of the record (loom checks the
    // header's atomics are not touched after they are dropped).
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let mut alloc: Allocator<Elem, u32, 2> = Allocator::new();
        let first = alloc.alloc(2, |i| Elem::new(i, &drops));
        // A new current chunk, attached to the record.
        let second = alloc.alloc_value(Elem::new(7, &drops));
        let t1 = thread::spawn(move || {
            assert_eq!(first[0].read() + first[1].read(), 1);
            drop(first);
        });
        let t2 = thread::spawn(move || {
            assert_eq!(second.read(), 7);
            drop(second);
        });
        drop(alloc);
        t1.join().unwrap();
        t2.join().unwrap();
        assert_eq!(drops.load(Ordering::Relaxed), 3);
    });
}
