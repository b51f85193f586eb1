//! The main example: parse a small arithmetic language into an
//! arena-allocated AST, evaluate it, and print pool statistics.
//!
//! ```sh
//! cargo run --release --example ast              # the embedded program
//! cargo run --release --example ast -- prog.calc # a file
//! ```

use std::process::ExitCode;

use arena_arc_examples::calc::{self, AstArena};

const DEFAULT_PROGRAM: &str = "\
# The embedded program; pass a file to run another one.
let width = 1920;
let height = 1080;
let pixels = width * height;
let diagonal = sqrt(pow(width, 2) + pow(height, 2));
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

    println!("pools after parsing {name}:");
    println!("  exprs (nodes): {}", ast.exprs.stats());
    println!("  lets:          {}", ast.lets.stats());
    println!("  text (bytes):  {}", ast.text.stats());

    // The program's handles keep its nodes alive without the arena.
    drop(ast);
    match calc::eval(&program) {
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
