//! Interning workloads: `intern_hit`, `intern_miss`, `intern_str`.
//!
//! Run with `cargo bench -p arena-arc-benches --bench intern` (or one group:
//! `cargo bench -p arena-arc-benches --bench intern -- intern_hit`), then
//! `cargo run -p arena-arc-benches --bin bench_table` for markdown tables.
//!
//! Every iteration interns a batch of [`BATCH`] (1,000) values;
//! throughput: values interned.
//!
//! * `intern_hit`: `Ty::intern` (`#[arena(intern)]`, [`Interned`]) against
//!   `internment::ArcIntern::new` (0.8, feature `arc`: a `DashMap` of boxed
//!   refcounted values, hashed with ahash) on the same type shape, a small
//!   compiler-type `enum` ([`Ty`], [`PeerTy`]). 1,000 distinct values are
//!   interned once, untimed, and held for the whole group; each iteration
//!   interns 1,000 values equal to them and drops each result at once.
//!   Parameter `adt`: `Ty::Adt { def, arity, name }` (two `u64` and a
//!   short `String`); building the key clones the name (a `malloc`), and
//!   the duplicate key is dropped after the hit (a `free`), for both.
//!   Parameter `ptr`: `Ty::Ptr(child)`, whose child is an interned `Adt`
//!   (hashed and compared by address, in both crates); building the key
//!   clones the child handle (an atomic increment), dropping the duplicate
//!   decrements it again, for both. The `key only` rows build and drop
//!   the same keys without interning them: the part of each row that is
//!   the same work in both crates.
//! * `intern_miss`: interns 1,000 `Adt` values never interned before (`def`
//!   counts up across the whole run), keeps them until the batch is done,
//!   then drops them; the interning and the drops are timed, building the
//!   keys (cloning the name) too. internment removes a value from its
//!   `DashMap` when its last `ArcIntern` goes (a second lookup under the
//!   shard's write lock); arena-arc's last `Interned` only drops the value
//!   and leaves a dead entry in the table, which a later insert with the
//!   same hash reuses or a sweep removes (when a shard's table has doubled
//!   since its previous sweep), so its share of sweeping is in the interning
//!   of later batches. Both tables stay bounded.
//! * `intern_str`, parameter `hit`: 1,000 identifier-shaped tokens (the
//!   first distinct `[A-Za-z_][A-Za-z0-9_]*` tokens of `twitter.json`, then
//!   `citm_catalog.json`, from `../shared/data/json/` or
//!   `ARENA_ARC_JSON_DIR`; JSON keys, user names, words, ids; 9.7 bytes on
//!   average) interned once and held, then interned again from `&str`:
//!   `ArcStr::intern` (returns a counted `ArcStr`, dropped at once),
//!   `internment::ArcIntern<str>::from` (the same, with internment's
//!   global `str` table), `lasso::ThreadedRodeo::get_or_intern` (0.7,
//!   feature `multi-threaded`: `DashMap`s hashed with std's `RandomState`,
//!   SipHash, as lasso does without its `ahasher` feature; returns a
//!   `Spur` key, no count) and `string_interner::StringInterner::
//!   get_or_intern` (0.20, its default `StringBackend` and hashbrown's
//!   default hasher, foldhash; returns a `u32` symbol). string-interner is
//!   single-threaded: it interns through `&mut`, with no lock and no atomic
//!   operation, so it is a floor more than a peer of the shared tables.
//! * `intern_str`, parameter `miss`: the same 1,000 tokens with a suffix
//!   that is new in every iteration (`_` and 8 hex digits, made untimed),
//!   interned and then let go, all timed. arena-arc and internment intern
//!   into their process-wide tables, which were not emptied since the
//!   previous batch: internment removed the strings of the previous batch
//!   on their last drop; arena-arc's entries and bytes of dropped strings
//!   stay until their chunk is unreferenced and the shard's pool has moved
//!   on (strings have no drop glue). lasso and string-interner never free a
//!   string before the interner itself is dropped, so for them a miss is
//!   "intern 1,000 new strings into a fresh, empty interner and drop it":
//!   the interner is made untimed, its growth from empty and its drop are
//!   timed.

use std::collections::HashSet;
use std::hint::black_box;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use arena_arc::{ArcStr, ArenaAlloc, Interned};
use arena_arc_benches::{custom, init};
use arena_arc_examples::json::{default_dir, generated_document};
use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};
use internment::ArcIntern;
use lasso::ThreadedRodeo;
use string_interner::StringInterner;
use string_interner::backend::StringBackend;

/// Values interned per iteration.
const BATCH: usize = 1_000;

type Group<'a> = BenchmarkGroup<'a, WallTime>;

/// A compiler's type, interned with arena-arc: a nominal type (definition
/// id, number of generic arguments, name) or a pointer to another type.
#[derive(ArenaAlloc, PartialEq, Eq, Hash, Debug)]
#[arena(intern)]
enum Ty {
    /// A named type.
    Adt { def: u64, arity: u64, name: String },
    /// A pointer to an interned type.
    Ptr(Interned<Ty>),
}

/// [`Ty`] interned with internment: the same shape, `ArcIntern` children.
#[derive(PartialEq, Eq, Hash, Debug)]
enum PeerTy {
    /// A named type.
    Adt { def: u64, arity: u64, name: String },
    /// A pointer to an interned type.
    Ptr(ArcIntern<PeerTy>),
}

/// The `i`-th `Adt` of the hit set, for either crate.
macro_rules! adt {
    ($ty:ident, $def:expr, $names:expr, $i:expr) => {
        $ty::Adt {
            def: $def,
            arity: ($i % 4) as u64,
            name: $names[$i].clone(),
        }
    };
}

/// The first `n` distinct identifier-shaped tokens of `twitter.json` and
/// `citm_catalog.json` (see the module docs), padded with generated
/// `ident_<k>` if the inputs are missing or short.
fn read_identifiers(n: usize) -> Vec<String> {
    let dir = std::env::var_os("ARENA_ARC_JSON_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(default_dir);
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(n);
    for file in ["twitter.json", "citm_catalog.json"] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
            eprintln!(
                "note: cannot read {} ({err}); using a generated document",
                path.display()
            );
            generated_document(1 << 20)
        });
        for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if out.len() == n {
                return out;
            }
            // `\u00e9` escapes leave `u00e9` behind: not an identifier.
            let escape = token.len() == 5
                && token.starts_with('u')
                && token[1..].bytes().all(|b| b.is_ascii_hexdigit());
            let ident = token.len() >= 2 && !token.as_bytes()[0].is_ascii_digit() && !escape;
            if ident && seen.insert(token.to_owned()) {
                out.push(token.to_owned());
            }
        }
    }
    let mut k = 0;
    while out.len() < n {
        let s = format!("ident_{k}");
        if seen.insert(s.clone()) {
            out.push(s);
        }
        k += 1;
    }
    out
}

/// The [`BATCH`] identifiers of [`read_identifiers`], read once for all
/// groups.
fn identifiers() -> &'static [String] {
    static IDENTIFIERS: OnceLock<Vec<String>> = OnceLock::new();
    IDENTIFIERS.get_or_init(|| read_identifiers(BATCH))
}

/// A group of batches of [`BATCH`] values, with the settings every group of
/// this file uses.
fn batch_group<'a>(c: &'a mut Criterion, name: &str) -> Group<'a> {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(BATCH as u64))
        .sample_size(50)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    g
}

/// Interning values that are already interned (see the module docs).
fn intern_hit(c: &mut Criterion) {
    init();
    let names = identifiers();
    let mut g = batch_group(c, "intern_hit");

    // Held for the whole group, so every lookup below is a hit.
    let adts: Vec<Interned<Ty>> = (0..BATCH)
        .map(|i| Ty::intern(adt!(Ty, i as u64, names, i)))
        .collect();
    let ptrs: Vec<Interned<Ty>> = adts
        .iter()
        .map(|a| Ty::intern(Ty::Ptr(a.clone())))
        .collect();
    let peer_adts: Vec<ArcIntern<PeerTy>> = (0..BATCH)
        .map(|i| ArcIntern::new(adt!(PeerTy, i as u64, names, i)))
        .collect();
    let peer_ptrs: Vec<ArcIntern<PeerTy>> = peer_adts
        .iter()
        .map(|a| ArcIntern::new(PeerTy::Ptr(a.clone())))
        .collect();
    // Every lookup is a hit: same allocation as the held handle.
    for i in 0..BATCH {
        let a = Ty::intern(adt!(Ty, i as u64, names, i));
        assert!(Interned::ptr_eq(&a, &adts[i]));
        let p = Ty::intern(Ty::Ptr(adts[i].clone()));
        assert!(Interned::ptr_eq(&p, &ptrs[i]));
        let a = ArcIntern::new(adt!(PeerTy, i as u64, names, i));
        assert!(std::ptr::eq(&*a, &*peer_adts[i]));
        let p = ArcIntern::new(PeerTy::Ptr(peer_adts[i].clone()));
        assert!(std::ptr::eq(&*p, &*peer_ptrs[i]));
    }

    g.bench_function(BenchmarkId::new("arena-arc/intern", "adt"), |b| {
        b.iter(|| {
            for i in 0..BATCH {
                black_box(Ty::intern(adt!(Ty, i as u64, black_box(names), i)));
            }
        })
    });
    g.bench_function(BenchmarkId::new("internment/ArcIntern", "adt"), |b| {
        b.iter(|| {
            for i in 0..BATCH {
                black_box(ArcIntern::new(adt!(PeerTy, i as u64, black_box(names), i)));
            }
        })
    });
    g.bench_function(BenchmarkId::new("arena-arc/intern", "ptr"), |b| {
        b.iter(|| {
            for child in black_box(&adts) {
                black_box(Ty::intern(Ty::Ptr(child.clone())));
            }
        })
    });
    g.bench_function(BenchmarkId::new("internment/ArcIntern", "ptr"), |b| {
        b.iter(|| {
            for child in black_box(&peer_adts) {
                black_box(ArcIntern::new(PeerTy::Ptr(child.clone())));
            }
        })
    });
    // What building and dropping the keys alone costs (no table): the part
    // of the rows above that is the same for both crates.
    g.bench_function(BenchmarkId::new("arena-arc/key only", "adt"), |b| {
        b.iter(|| {
            for i in 0..BATCH {
                drop(black_box(adt!(Ty, i as u64, black_box(names), i)));
            }
        })
    });
    g.bench_function(BenchmarkId::new("internment/key only", "adt"), |b| {
        b.iter(|| {
            for i in 0..BATCH {
                drop(black_box(adt!(PeerTy, i as u64, black_box(names), i)));
            }
        })
    });
    g.bench_function(BenchmarkId::new("arena-arc/key only", "ptr"), |b| {
        b.iter(|| {
            for child in black_box(&adts) {
                drop(black_box(Ty::Ptr(child.clone())));
            }
        })
    });
    g.bench_function(BenchmarkId::new("internment/key only", "ptr"), |b| {
        b.iter(|| {
            for child in black_box(&peer_adts) {
                drop(black_box(PeerTy::Ptr(child.clone())));
            }
        })
    });
    g.finish();
    drop((ptrs, adts, peer_ptrs, peer_adts));
}

/// Interning new values, kept for the batch and then dropped (see the
/// module docs).
fn intern_miss(c: &mut Criterion) {
    init();
    let names = identifiers();
    let mut g = batch_group(c, "intern_miss");
    g.sampling_mode(SamplingMode::Flat);

    /// Per iteration: time `intern(def, i)` for `BATCH` new `def`s, each
    /// result kept in `out`, and then clearing `out`.
    fn bench<H>(g: &mut Group<'_>, name: &str, mut intern: impl FnMut(u64, usize) -> H) {
        // `def` is new in every call of every iteration of the run.
        let mut next_def = 1u64 << 40;
        let mut out: Vec<H> = Vec::with_capacity(BATCH);
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                custom(iters, |sw| {
                    let base = next_def;
                    next_def += BATCH as u64;
                    sw.time(|| {
                        for i in 0..BATCH {
                            out.push(intern(base + i as u64, i));
                        }
                        out.clear();
                    });
                })
            })
        });
    }

    bench(&mut g, "arena-arc/intern", |def, i| {
        Ty::intern(adt!(Ty, def, black_box(names), i))
    });
    bench(&mut g, "internment/ArcIntern", |def, i| {
        ArcIntern::new(adt!(PeerTy, def, black_box(names), i))
    });
    g.finish();
    eprintln!(
        "intern_miss: arena-arc's table after the run: {}",
        Ty::intern_stats()
    );
}

/// String interning, hits and misses (see the module docs).
fn intern_str(c: &mut Criterion) {
    init();
    let idents = identifiers();
    let mut g = batch_group(c, "intern_str");

    // Hits: every string is interned once, untimed, and held.
    let held: Vec<ArcStr> = idents.iter().map(|s| ArcStr::intern(s)).collect();
    let peer_held: Vec<ArcIntern<str>> = idents.iter().map(|s| ArcIntern::from(&s[..])).collect();
    let rodeo: ThreadedRodeo = ThreadedRodeo::new();
    let mut interner: StringInterner<StringBackend> = StringInterner::new();
    for (i, s) in idents.iter().enumerate() {
        assert!(ArcStr::ptr_eq(&ArcStr::intern(s), &held[i]));
        assert!(std::ptr::eq(
            &*ArcIntern::<str>::from(&s[..]),
            &*peer_held[i]
        ));
        assert_eq!(rodeo.get_or_intern(s), rodeo.get_or_intern(s));
        assert_eq!(interner.get_or_intern(s), interner.get_or_intern(s));
    }
    assert_eq!(rodeo.len(), BATCH);
    assert_eq!(interner.len(), BATCH);

    g.bench_function(BenchmarkId::new("arena-arc/ArcStr::intern", "hit"), |b| {
        b.iter(|| {
            for s in black_box(idents) {
                black_box(ArcStr::intern(s));
            }
        })
    });
    g.bench_function(BenchmarkId::new("internment/ArcIntern<str>", "hit"), |b| {
        b.iter(|| {
            for s in black_box(idents) {
                black_box(ArcIntern::<str>::from(&s[..]));
            }
        })
    });
    g.bench_function(
        BenchmarkId::new("lasso/ThreadedRodeo::get_or_intern", "hit"),
        |b| {
            b.iter(|| {
                for s in black_box(idents) {
                    black_box(rodeo.get_or_intern(s));
                }
            })
        },
    );
    g.bench_function(
        BenchmarkId::new("string-interner/StringInterner::get_or_intern", "hit"),
        |b| {
            b.iter(|| {
                for s in black_box(idents) {
                    black_box(interner.get_or_intern(s));
                }
            })
        },
    );
    drop((held, peer_held, rodeo, interner));

    // Misses: strings new in every iteration of every benchmark.
    g.sampling_mode(SamplingMode::Flat);
    let mut generation = 0u32;
    let mut fresh = move || -> Vec<String> {
        generation += 1;
        idents
            .iter()
            .map(|s| format!("{s}_{generation:08x}"))
            .collect()
    };
    g.bench_function(BenchmarkId::new("arena-arc/ArcStr::intern", "miss"), |b| {
        let mut out: Vec<ArcStr> = Vec::with_capacity(BATCH);
        b.iter_custom(|iters| {
            custom(iters, |sw| {
                let strings = fresh();
                sw.time(|| {
                    out.extend(strings.iter().map(|s| ArcStr::intern(s)));
                    out.clear();
                });
            })
        })
    });
    g.bench_function(BenchmarkId::new("internment/ArcIntern<str>", "miss"), |b| {
        let mut out: Vec<ArcIntern<str>> = Vec::with_capacity(BATCH);
        b.iter_custom(|iters| {
            custom(iters, |sw| {
                let strings = fresh();
                sw.time(|| {
                    out.extend(strings.iter().map(|s| ArcIntern::<str>::from(&s[..])));
                    out.clear();
                });
            })
        })
    });
    g.bench_function(
        BenchmarkId::new("lasso/ThreadedRodeo::get_or_intern", "miss"),
        |b| {
            let mut out = Vec::with_capacity(BATCH);
            b.iter_custom(|iters| {
                custom(iters, |sw| {
                    let strings = fresh();
                    let rodeo: ThreadedRodeo = ThreadedRodeo::new();
                    sw.time(|| {
                        out.extend(strings.iter().map(|s| rodeo.get_or_intern(s)));
                        out.clear();
                        drop(rodeo);
                    });
                })
            })
        },
    );
    g.bench_function(
        BenchmarkId::new("string-interner/StringInterner::get_or_intern", "miss"),
        |b| {
            let mut out = Vec::with_capacity(BATCH);
            b.iter_custom(|iters| {
                custom(iters, |sw| {
                    let strings = fresh();
                    let mut interner: StringInterner<StringBackend> = StringInterner::new();
                    sw.time(|| {
                        out.extend(strings.iter().map(|s| interner.get_or_intern(s)));
                        out.clear();
                        drop(interner);
                    });
                })
            })
        },
    );
    g.finish();
    eprintln!(
        "intern_str: ArcStr::intern's table after the run: {}",
        ArcStr::intern_stats()
    );
}

criterion_group!(benches, intern_hit, intern_miss, intern_str);
criterion_main!(benches);
