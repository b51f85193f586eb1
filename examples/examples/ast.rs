//! The main example: parse a small arithmetic language into an
//! arena-allocated AST (expressions and statements in two pools that point
//! at each other, identifiers interned), evaluate it, and print pool
//! statistics.
//!
//! ```sh
//! cargo run --release --example ast              # the embedded program
//! cargo run --release --example ast -- prog.calc # a file
//! ```

use std::process::ExitCode;

use arena_arc::ArcStr;
use arena_arc_examples::calc::{self, AstArena};

const DEFAULT_PROGRAM: &str = "\
# The embedded program; pass a file to run another one.
let width = 1920;
let height = 1080;
let pixels = width * height;
let diagonal = {
    let w2 = pow(width, 2);
    let h2 = pow(height, 2);
    sqrt(w2 + h2)
};
let ratio = width / height;
max(pixels / 1000000, diagonal / 1000, ratio) * -(-2) + min(3, 1, 2)
";

fn main() -> ExitCode {
    let path = std::env::args().nth(1);
    let (name, source) = match &path {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(source) => (path.as_str(), source),
            Err(err) => {
                eprintln!("error: cannot read `{path}`: {err}");
                return ExitCode::FAILURE;
            }
        },
        None => ("<embedded>", DEFAULT_PROGRAM.to_owned()),
    };

    let mut ast = AstArena::new();
    let program = match calc::parse(&source, &mut ast) {
        Ok(program) => program,
        Err(err) => {
            eprintln!("{}", err.render(&source, name));
            return ExitCode::FAILURE;
        }
    };

    println!("pools after parsing {name} ({} nodes):", program.size());
    println!("  exprs: {}", ast.exprs.stats());
    println!("  stmts: {}", ast.stmts.stats());
    // Identifiers are not in the arena but in the process-wide table of
    // `ArcStr::intern`: one string per distinct name, however often it
    // occurs. (How many chunks its 16 shards use depends on the names'
    // hashes, which are seeded randomly, so only its contents are printed.)
    let idents = ArcStr::intern_stats();
    println!(
        "  identifiers: {} interned ({} B)",
        idents.entries, idents.pools.bytes_used
    );

    let result = calc::eval(&program);
    // The tree is freed when its last handle goes, arena or not: what is
    // left is each pool's current chunk.
    drop(program);
    println!(
        "after dropping the program: {} + {} chunks live",
        ast.exprs.stats().live_chunks,
        ast.stmts.stats().live_chunks,
    );
    match result {
        Ok(value) => {
            println!("result: {value}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("{}", err.render(&source, name));
            ExitCode::FAILURE
        }
    }
}
