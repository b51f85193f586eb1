//! Allocates words and records into arenas, shares the handles with worker
//! threads while the main thread keeps allocating into the same chunks, and
//! prints what each allocator reserved and used.
//!
//! ```sh
//! cargo run --release --example threads
//! ```

use std::sync::mpsc;
use std::thread;

use arena_arc::{Allocator, ArcSingle, ArcSlice, ArcStr};

/// A record that points at its name and its scores in other arenas.
#[derive(Debug)]
struct Record {
    name: ArcStr,
    scores: ArcSlice<u32>,
}

const TEXT: &str = "the quick brown fox jumps over the lazy dog while the arena keeps every \
                    word in one chunk and hands out cheap handles that outlive it";

fn main() {
    let mut text: Allocator<u8, u32, 4096> = Allocator::new();
    let mut scores: Allocator<u32, u32, 1024> = Allocator::new();
    let mut records: Allocator<Record, u32, 64> = Allocator::new();

    let workers: Vec<_> = (0..2)
        .map(|id| {
            let (wtx, wrx) = mpsc::channel::<ArcSingle<Record>>();
            let worker = thread::spawn(move || {
                // Handles are 'static + Send: no lifetimes, no arena argument.
                let mut total = 0u64;
                let mut longest: Option<ArcStr> = None;
                for record in wrx {
                    total += record.scores.iter().map(|&s| u64::from(s)).sum::<u64>();
                    if longest.as_ref().is_none_or(|l| record.name.len() > l.len()) {
                        longest = Some(record.name.clone());
                    }
                }
                (id, total, longest)
            });
            (wtx, worker)
        })
        .collect();

    for (i, word) in TEXT.split_whitespace().enumerate() {
        let name = text.alloc_str(word);
        let score = scores.alloc_from_iter(word.bytes().map(u32::from));
        let record = records.alloc_value(Record {
            name,
            scores: score,
        });
        // Worker threads read this record while we keep writing new ones
        // into the same chunks.
        workers[i % workers.len()]
            .0
            .send(record)
            .expect("worker alive");
    }

    let mut results = Vec::new();
    for (wtx, worker) in workers {
        drop(wtx);
        results.push(worker.join().expect("worker panicked"));
    }
    for (id, total, longest) in &results {
        let longest = longest.as_ref().map_or("-", |s| s.as_str());
        println!("worker {id}: byte sum {total}, longest word {longest:?}");
    }
    let expected: u64 = TEXT
        .split_whitespace()
        .flat_map(str::bytes)
        .map(u64::from)
        .sum();
    let sum: u64 = results.iter().map(|r| r.1).sum();
    assert_eq!(sum, expected, "every record reached a worker");

    println!();
    println!("text:    {}", text.stats());
    println!("scores:  {}", scores.stats());
    println!("records: {}", records.stats());

    // Handles outlive their allocator.
    let keep = text.alloc_str("survivor");
    drop(text);
    println!();
    println!("after dropping the text allocator: {keep:?} is still readable");
}
