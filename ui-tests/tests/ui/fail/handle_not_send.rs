// Handles to elements that are not `Send + Sync` stay on their thread.
use std::cell::Cell;

use arena_arc::{Allocator, ArcSlice};

fn main() {
    let mut pool: Allocator<Cell<u8>> = Allocator::new();
    let cells: ArcSlice<Cell<u8>> = pool.alloc(4, |_| Cell::new(0));
    std::thread::spawn(move || cells[0].set(1));
}
