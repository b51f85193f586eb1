//! A small arithmetic language parsed into an arena-allocated AST.
//!
//! ```text
//! program   = body
//! body      = { "let" IDENT "=" expr ";" } expr [";"]
//! expr      = term { ("+" | "-") term }
//! term      = unary { ("*" | "/") unary }
//! unary     = "-" unary | atom
//! atom      = NUMBER | IDENT | IDENT "(" [expr { "," expr }] ")" | "(" expr ")"
//!           | "{" body "}"
//! ```
//!
//! `#` starts a comment. Calls go to the built-ins `min`, `max`, `abs`,
//! `sqrt` and `pow`. A block `{ let x = ..; x * x }` has its own scope.
//! Parentheses, blocks, call arguments and unary minus nest at most
//! [`MAX_NESTING`] deep (a longer program is a syntax error, not a stack
//! overflow); chains like `1 + 2 + .. + n` may be any length.
//!
//! Expressions and statements are two node types in two pools that point
//! at each other: a block expression holds statements, a statement holds
//! expressions. The pools count each node, so a parsed program is freed
//! as soon as its last handle goes, whether or not the arena is still
//! there (a language server that re-parses on every keystroke keeps only
//! the current tree).
//!
//! Identifiers are not in the arena: they are [`Ident`]s, interned with
//! [`ArcStr::intern`], so every occurrence of a name shares one string
//! with every other, in this program and in any other the process parses,
//! and the evaluator's scopes compare and hash names by address.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

use arena_arc::{ArcSingle, ArcSlice, ArcStr, ArenaAlloc, arena};

/// An identifier (a variable or function name), interned with
/// [`ArcStr::intern`]: all occurrences of a name share one allocation.
///
/// Since equal names are the same string, `Eq` and `Hash` are by address
/// (one comparison, whatever the name's length), where an [`ArcStr`]
/// compares and hashes its contents. It dereferences to the name.
#[derive(Clone)]
pub struct Ident(ArcStr);

impl Ident {
    /// The identifier `name`, interned.
    pub fn new(name: &str) -> Self {
        Ident(ArcStr::intern(name))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The interned string: [`ArcStr::ptr_eq`] for every occurrence of the
    /// same name.
    pub fn as_arc_str(&self) -> &ArcStr {
        &self.0
    }
}

impl Deref for Ident {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Ident {
    fn eq(&self, other: &Self) -> bool {
        ArcStr::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Ident {}

impl Hash for Ident {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The address, which `eq` compares (`ptr_eq` also compares the
        // lengths, which are equal at the same address).
        std::ptr::hash(self.0.as_ptr(), state);
    }
}

impl fmt::Debug for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

/// A position in the source, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    /// Line, from 1.
    pub line: u32,
    /// Column in characters, from 1.
    pub column: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// An expression node. Children are handles into the expression pool, and
/// a block's statements into the statement pool, whose nodes point back
/// here.
#[derive(ArenaAlloc, Debug)]
#[arena(index = u32, chunk = 1024)]
pub enum Expr {
    /// A number literal.
    Num(f64),
    /// A variable, with where it is used (for errors).
    Var(Ident, Pos),
    /// `-e`
    Neg(ArcSingle<Expr>),
    /// `lhs op rhs`
    Binary {
        /// The operator.
        op: BinOp,
        /// Left operand.
        lhs: ArcSingle<Expr>,
        /// Right operand.
        rhs: ArcSingle<Expr>,
    },
    /// `name(args..)`
    Call {
        /// The function.
        name: Ident,
        /// The arguments, contiguous in the pool.
        args: ArcSlice<Expr>,
        /// Where the call is (for errors).
        pos: Pos,
    },
    /// `{ stmts.. result }`: a scope.
    Block {
        /// The statements, in order, in the statement pool.
        stmts: ArcSlice<Stmt>,
        /// The block's value.
        result: ArcSingle<Expr>,
    },
}

/// A statement node: its expressions are handles into the expression pool.
#[derive(ArenaAlloc, Debug)]
#[arena(chunk = 256)]
pub enum Stmt {
    /// `let name = value;`
    Let {
        /// The variable.
        name: Ident,
        /// Its value.
        value: ArcSingle<Expr>,
        /// Where the `let` is.
        pos: Pos,
    },
}

/// The arena the parser allocates into: one pool per node type
/// (identifiers are interned instead, see [`Ident`]).
#[arena(index = u32, chunk = 1024)]
#[derive(Debug)]
pub struct AstArena {
    /// Expression nodes.
    pub exprs: Expr,
    /// Statement nodes.
    #[arena(chunk = 256)]
    pub stmts: Stmt,
}

/// A parsed program: the top-level block. Owns its nodes through handles,
/// so it outlives the arena, and frees them when it goes.
#[derive(Debug, Clone)]
pub struct Program {
    /// The top-level statements, in order.
    pub stmts: ArcSlice<Stmt>,
    /// The final expression.
    pub result: ArcSingle<Expr>,
}

/// A parse or evaluation error, with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// Where it happened.
    pub pos: Pos,
    /// What happened.
    pub message: String,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pos, self.message)
    }
}

impl std::error::Error for Error {}

impl Error {
    /// The error with the offending source line and a caret under the column.
    pub fn render(&self, source: &str, file: &str) -> String {
        let line = source
            .lines()
            .nth(self.pos.line.saturating_sub(1) as usize)
            .unwrap_or("");
        let caret = " ".repeat(self.pos.column.saturating_sub(1) as usize);
        format!(
            "error: {}\n --> {file}:{}\n  |\n  | {line}\n  | {caret}^",
            self.message, self.pos
        )
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok<'s> {
    Num(f64),
    Ident(&'s str),
    Let,
    Punct(char),
    Eof,
}

impl fmt::Display for Tok<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Num(n) => write!(f, "number `{n}`"),
            Tok::Ident(s) => write!(f, "`{s}`"),
            Tok::Let => write!(f, "`let`"),
            Tok::Punct(c) => write!(f, "`{c}`"),
            Tok::Eof => write!(f, "end of input"),
        }
    }
}

/// Splits `source` into tokens with their positions.
fn lex(source: &str) -> Result<Vec<(Tok<'_>, Pos)>, Error> {
    let mut tokens = Vec::new();
    let mut chars = source.char_indices().peekable();
    let (mut line, mut column) = (1u32, 1u32);
    while let Some(&(start, c)) = chars.peek() {
        let pos = Pos { line, column };
        if c == '\n' {
            chars.next();
            line += 1;
            column = 1;
            continue;
        }
        if c.is_whitespace() {
            chars.next();
            column += 1;
            continue;
        }
        if c == '#' {
            while chars.peek().is_some_and(|&(_, c)| c != '\n') {
                chars.next();
            }
            continue;
        }
        let mut end = start;
        let mut take = |pred: &dyn Fn(char) -> bool| {
            while let Some(&(i, c)) = chars.peek() {
                if !pred(c) {
                    break;
                }
                end = i + c.len_utf8();
                column += 1;
                chars.next();
            }
        };
        if c.is_ascii_digit() || c == '.' {
            take(&|c| c.is_ascii_digit() || c == '.');
            let text = &source[start..end];
            let value = text.parse::<f64>().map_err(|_| Error {
                pos,
                message: format!("invalid number `{text}`"),
            })?;
            tokens.push((Tok::Num(value), pos));
        } else if c.is_alphabetic() || c == '_' {
            take(&|c| c.is_alphanumeric() || c == '_');
            let text = &source[start..end];
            tokens.push((
                if text == "let" {
                    Tok::Let
                } else {
                    Tok::Ident(text)
                },
                pos,
            ));
        } else if "+-*/(),;={}".contains(c) {
            chars.next();
            column += 1;
            tokens.push((Tok::Punct(c), pos));
        } else {
            return Err(Error {
                pos,
                message: format!("unexpected character `{c}`"),
            });
        }
    }
    tokens.push((Tok::Eof, Pos { line, column }));
    Ok(tokens)
}

/// How deep parentheses, blocks, call arguments and unary minus may nest
/// (serde_json stops at the same depth). The parser and the evaluator
/// recurse once per level, so this bounds their stack use; a chain of
/// operators is a loop in both, whatever its length.
pub const MAX_NESTING: u32 = 128;

/// Parses `source` into `ast`.
///
/// # Errors
///
/// A syntax error, with its line and column; nesting deeper than
/// [`MAX_NESTING`] is one, at the token that opens the level too many.
pub fn parse(source: &str, ast: &mut AstArena) -> Result<Program, Error> {
    let tokens = lex(source)?;
    let mut parser = Parser {
        tokens,
        at: 0,
        depth: 0,
        ast,
    };
    parser.program()
}

struct Parser<'s, 'a> {
    tokens: Vec<(Tok<'s>, Pos)>,
    at: usize,
    /// Open levels of nesting, at most [`MAX_NESTING`].
    depth: u32,
    ast: &'a mut AstArena,
}

impl<'s> Parser<'s, '_> {
    fn peek(&self) -> &Tok<'s> {
        &self.tokens[self.at].0
    }

    fn pos(&self) -> Pos {
        self.tokens[self.at].1
    }

    fn bump(&mut self) -> (Tok<'s>, Pos) {
        let token = self.tokens[self.at].clone();
        if self.at + 1 < self.tokens.len() {
            self.at += 1;
        }
        token
    }

    fn eat(&mut self, c: char) -> bool {
        if *self.peek() == Tok::Punct(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, context: &str) -> Result<(), Error> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.unexpected(&format!("`{c}` {context}")))
        }
    }

    fn unexpected(&self, wanted: &str) -> Error {
        Error {
            pos: self.pos(),
            message: format!("expected {wanted}, found {}", self.peek()),
        }
    }

    /// Consumes the token that opens a level of nesting (`-`, `(` or `{`)
    /// and runs `inner` one level deeper; an error at that token if it is
    /// one level too many.
    fn nested<R>(&mut self, inner: impl FnOnce(&mut Self) -> Result<R, Error>) -> Result<R, Error> {
        if self.depth == MAX_NESTING {
            return Err(Error {
                pos: self.pos(),
                message: format!(
                    "nesting deeper than {MAX_NESTING} levels (parentheses, blocks, call \
                     arguments and unary `-` each count)"
                ),
            });
        }
        self.bump();
        self.depth += 1;
        let result = inner(self);
        self.depth -= 1;
        result
    }

    fn program(&mut self) -> Result<Program, Error> {
        let (stmts, result) = self.body()?;
        if *self.peek() != Tok::Eof {
            return Err(self.unexpected("an operator or end of input"));
        }
        Ok(Program { stmts, result })
    }

    /// `{ let .. ; } expr [;]`, up to (not including) what follows.
    fn body(&mut self) -> Result<(ArcSlice<Stmt>, ArcSingle<Expr>), Error> {
        let mut stmts = Vec::new();
        while *self.peek() == Tok::Let {
            let (_, pos) = self.bump();
            let name = match self.bump() {
                (Tok::Ident(name), _) => Ident::new(name),
                _ => {
                    self.at -= 1;
                    return Err(self.unexpected("a variable name after `let`"));
                }
            };
            self.expect('=', "after the variable name")?;
            let value = self.expr()?;
            self.expect(';', "after a `let` statement")?;
            let value = self.ast.alloc(value);
            stmts.push(Stmt::Let { name, value, pos });
        }
        let result = self.expr()?;
        self.eat(';');
        let result = self.ast.alloc(result);
        let stmts = self.ast.alloc_from_iter(stmts);
        Ok((stmts, result))
    }

    // The parsing functions return nodes by value; a node is allocated when
    // its parent is built, so children are always allocated before their
    // parent (in the same chunk, mostly) and call arguments are moved into
    // one contiguous slice.
    fn expr(&mut self) -> Result<Expr, Error> {
        let mut lhs = self.term()?;
        loop {
            let op = match self.peek() {
                Tok::Punct('+') => BinOp::Add,
                Tok::Punct('-') => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.term()?;
            lhs = self.binary(op, lhs, rhs);
        }
    }

    fn term(&mut self) -> Result<Expr, Error> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Punct('*') => BinOp::Mul,
                Tok::Punct('/') => BinOp::Div,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.unary()?;
            lhs = self.binary(op, lhs, rhs);
        }
    }

    fn binary(&mut self, op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
        Expr::Binary {
            op,
            lhs: self.ast.alloc(lhs),
            rhs: self.ast.alloc(rhs),
        }
    }

    fn unary(&mut self) -> Result<Expr, Error> {
        if *self.peek() == Tok::Punct('-') {
            let inner = self.nested(Self::unary)?;
            return Ok(Expr::Neg(self.ast.alloc(inner)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, Error> {
        let pos = self.pos();
        match self.peek().clone() {
            Tok::Num(value) => {
                self.bump();
                Ok(Expr::Num(value))
            }
            Tok::Ident(name) => {
                self.bump();
                let name = Ident::new(name);
                if *self.peek() != Tok::Punct('(') {
                    return Ok(Expr::Var(name, pos));
                }
                let args = self.nested(|p| {
                    let mut args = Vec::new();
                    if !p.eat(')') {
                        loop {
                            args.push(p.expr()?);
                            if p.eat(')') {
                                break;
                            }
                            p.expect(',', "or `)` in the argument list")?;
                        }
                    }
                    Ok(args)
                })?;
                let args = self.ast.alloc_from_iter(args);
                Ok(Expr::Call { name, args, pos })
            }
            Tok::Punct('(') => self.nested(|p| {
                let inner = p.expr()?;
                p.expect(')', "to close `(`")?;
                Ok(inner)
            }),
            Tok::Punct('{') => self.nested(|p| {
                let (stmts, result) = p.body()?;
                p.expect('}', "to close the block")?;
                Ok(Expr::Block { stmts, result })
            }),
            _ => Err(self.unexpected("a number, a variable, a call, `(` or `{`")),
        }
    }
}

impl Expr {
    /// Number of nodes (expressions and statements) in this subtree.
    pub fn size(&self) -> usize {
        // A loop down left operands and negations: a chain `1 + 2 + .. + n`
        // is a tree as deep as it is long, which recursion would not survive.
        let mut count = 0;
        let mut expr = self;
        loop {
            count += 1;
            match expr {
                Expr::Num(_) | Expr::Var(..) => return count,
                Expr::Neg(inner) => expr = inner,
                Expr::Binary { lhs, rhs, .. } => {
                    count += rhs.size();
                    expr = lhs;
                }
                Expr::Call { args, .. } => {
                    return count + args.iter().map(Expr::size).sum::<usize>();
                }
                Expr::Block { stmts, result } => {
                    return count + stmts.iter().map(Stmt::size).sum::<usize>() + result.size();
                }
            }
        }
    }
}

impl Stmt {
    /// Number of nodes (statements and expressions) in this subtree.
    pub fn size(&self) -> usize {
        match self {
            Stmt::Let { value, .. } => 1 + value.size(),
        }
    }
}

impl Program {
    /// Number of nodes in the program.
    pub fn size(&self) -> usize {
        self.stmts.iter().map(Stmt::size).sum::<usize>() + self.result.size()
    }
}

/// Evaluates `program`.
///
/// # Errors
///
/// An undefined variable, an unknown function, or a call with the wrong
/// number of arguments, with its position.
pub fn eval(program: &Program) -> Result<f64, Error> {
    eval_block(&program.stmts, &program.result, &HashMap::new())
}

/// Runs `stmts` in a scope nested in `outer`, then evaluates `result`.
fn eval_block(stmts: &[Stmt], result: &Expr, outer: &HashMap<Ident, f64>) -> Result<f64, Error> {
    let mut env = outer.clone();
    for stmt in stmts {
        match stmt {
            Stmt::Let { name, value, .. } => {
                let value = eval_expr(value, &env)?;
                env.insert(name.clone(), value);
            }
        }
    }
    eval_expr(result, &env)
}

fn eval_expr(expr: &Expr, env: &HashMap<Ident, f64>) -> Result<f64, Error> {
    Ok(match expr {
        Expr::Num(n) => *n,
        Expr::Var(name, pos) => match env.get(name) {
            Some(value) => *value,
            None => {
                return Err(Error {
                    pos: *pos,
                    message: format!("undefined variable `{name}`"),
                });
            }
        },
        Expr::Neg(e) => -eval_expr(e, env)?,
        Expr::Binary { .. } => {
            // A chain `1 + 2 + .. + n` is a tree as deep as it is long:
            // collect its right operands down the left spine, then fold.
            let mut rights = Vec::new();
            let mut leftmost = expr;
            while let Expr::Binary { op, lhs, rhs } = leftmost {
                rights.push((*op, &**rhs));
                leftmost = lhs;
            }
            let mut acc = eval_expr(leftmost, env)?;
            for (op, rhs) in rights.into_iter().rev() {
                let b = eval_expr(rhs, env)?;
                acc = match op {
                    BinOp::Add => acc + b,
                    BinOp::Sub => acc - b,
                    BinOp::Mul => acc * b,
                    BinOp::Div => acc / b,
                };
            }
            acc
        }
        Expr::Call { name, args, pos } => {
            let values = args
                .iter()
                .map(|a| eval_expr(a, env))
                .collect::<Result<Vec<_>, _>>()?;
            call(name, &values, *pos)?
        }
        Expr::Block { stmts, result } => eval_block(stmts, result, env)?,
    })
}

fn call(name: &str, args: &[f64], pos: Pos) -> Result<f64, Error> {
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(Error {
                pos,
                message: format!("`{name}` takes {n} argument(s), got {}", args.len()),
            })
        }
    };
    Ok(match name {
        "abs" => {
            arity(1)?;
            args[0].abs()
        }
        "sqrt" => {
            arity(1)?;
            args[0].sqrt()
        }
        "pow" => {
            arity(2)?;
            args[0].powf(args[1])
        }
        "min" | "max" if !args.is_empty() => {
            let init = if name == "min" {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            };
            args.iter().fold(init, |acc, &x| {
                if name == "min" {
                    acc.min(x)
                } else {
                    acc.max(x)
                }
            })
        }
        "min" | "max" => {
            return Err(Error {
                pos,
                message: format!("`{name}` needs at least one argument"),
            });
        }
        _ => {
            return Err(Error {
                pos,
                message: format!("unknown function `{name}` (try min, max, abs, sqrt, pow)"),
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(source: &str) -> Result<f64, Error> {
        let mut ast = AstArena::new();
        let program = parse(source, &mut ast)?;
        drop(ast); // the program's handles keep the nodes alive
        eval(&program)
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(run("1 + 2 * 3"), Ok(7.0));
        assert_eq!(run("(1 + 2) * 3"), Ok(9.0));
        assert_eq!(run("8 - 3 - 2"), Ok(3.0));
        assert_eq!(run("8 / 4 / 2"), Ok(1.0));
        assert_eq!(run("--2 * -3"), Ok(-6.0));
    }

    #[test]
    fn lets_and_calls() {
        let source = "let x = 3;\nlet y = max(x, 10, 4) / 2; # five\npow(y, 2) - abs(-x) + min(1)";
        // `pow` and `sqrt` may be off by an ulp (Miri randomises them).
        let value = run(source).unwrap();
        assert!((value - (25.0 - 3.0 + 1.0)).abs() < 1e-9, "{value}");
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err = run("let x = 1;\nlet y = (x + ;\ny").unwrap_err();
        assert_eq!(
            err.pos,
            Pos {
                line: 2,
                column: 14
            }
        );
        assert_eq!(
            err.message,
            "expected a number, a variable, a call, `(` or `{`, found `;`"
        );
        let err = run("1 +\n  2 $").unwrap_err();
        assert_eq!(
            (err.pos, err.message.as_str()),
            (Pos { line: 2, column: 5 }, "unexpected character `$`")
        );
        let err = run("let = 4; x").unwrap_err();
        assert_eq!(err.pos, Pos { line: 1, column: 5 });
        let err = run("f(1 2)").unwrap_err();
        assert_eq!(
            err.message,
            "expected `,` or `)` in the argument list, found number `2`"
        );
        assert!(run("1 2").unwrap_err().message.contains("end of input"));
        assert!(run("").unwrap_err().message.contains("found end of input"));
    }

    #[test]
    fn evaluation_errors_have_positions() {
        let err = run("let a = 1;\n a + b").unwrap_err();
        assert_eq!(
            (err.pos, err.message.as_str()),
            (Pos { line: 2, column: 6 }, "undefined variable `b`")
        );
        let err = run("sqrt(1, 2)").unwrap_err();
        assert_eq!(err.message, "`sqrt` takes 1 argument(s), got 2");
        assert!(
            run("nope(1)")
                .unwrap_err()
                .message
                .contains("unknown function `nope`")
        );
    }

    /// Under Miri, shorter inputs (the limit is the same).
    const LONG: usize = if cfg!(miri) { 300 } else { 100_000 };
    const DEEP: usize = if cfg!(miri) { 300 } else { 20_000 };

    #[test]
    fn nesting_deeper_than_the_limit_is_a_syntax_error() {
        let limit = MAX_NESTING as usize;
        let message = "nesting deeper than 128 levels (parentheses, blocks, call arguments \
                       and unary `-` each count)";
        // Exactly the limit parses and runs.
        let parens = format!("{}1{}", "(".repeat(limit), ")".repeat(limit));
        assert_eq!(run(&parens), Ok(1.0));
        assert_eq!(run(&format!("{}7", "-".repeat(limit))), Ok(7.0));
        // One more, or very many, is an error at the level too many.
        for depth in [limit + 1, DEEP] {
            let source = format!("{}1{}", "(".repeat(depth), ")".repeat(depth));
            let err = run(&source).unwrap_err();
            assert_eq!(
                (err.pos, err.message.as_str()),
                (
                    Pos {
                        line: 1,
                        column: 129
                    },
                    message
                )
            );
        }
        let err = run(&format!("let a = 1;\n{}a", "-".repeat(LONG))).unwrap_err();
        assert_eq!(
            (err.pos, err.message.as_str()),
            (
                Pos {
                    line: 2,
                    column: 129
                },
                message
            )
        );
        // Blocks and call arguments count too, mixed with the others.
        let mixed = "{ -abs((".repeat(40);
        let err = run(&format!("{mixed}1")).unwrap_err();
        assert_eq!(err.message, message);
        assert_eq!(err.pos.column, 1 + 8 * 32); // the 129th opener: `{` of the 33rd group
    }

    #[test]
    fn operator_chains_may_be_any_length() {
        let mut ast = AstArena::new();
        let sum = vec!["1"; LONG].join(" + ");
        let program = parse(&sum, &mut ast).unwrap();
        assert_eq!(eval(&program), Ok(LONG as f64));
        assert_eq!(program.size(), 2 * LONG - 1);
        drop(program);
        let product = format!("2 * {}", vec!["1 / 1"; LONG].join(" * "));
        assert_eq!(run(&product), Ok(2.0));
        assert_eq!(run("10 - 2 - 3 * 2 / 4 - -1"), Ok(7.5));
        assert_eq!(ast.exprs.stats().live_chunks, 1, "the chain was freed");
    }

    #[test]
    fn render_points_at_the_column() {
        let err = Error {
            pos: Pos { line: 2, column: 3 },
            message: "boom".into(),
        };
        let text = err.render("a\nbcd\n", "in.calc");
        assert!(text.contains(" --> in.calc:2:3"), "{text}");
        assert!(text.ends_with("  | bcd\n  |   ^"), "{text}");
    }

    #[test]
    fn blocks_have_their_own_scope() {
        assert_eq!(run("let x = 2; { let x = 10; x * x } + x"), Ok(102.0));
        assert_eq!(run("{ let a = 1; { let b = a + 1; b * 3 } }"), Ok(6.0));
        let err = run("{ let y = 1; y } + y").unwrap_err();
        assert_eq!(err.message, "undefined variable `y`");
        let err = run("{ 1 ").unwrap_err();
        assert_eq!(
            err.message,
            "expected `}` to close the block, found end of input"
        );
    }

    #[test]
    fn every_node_is_allocated_once() {
        let mut ast = AstArena::new();
        let program = parse("let x = 1 + 2 * 3; f(x, { let y = x; y }, (x))", &mut ast).unwrap();
        let Stmt::Let { value, .. } = &program.stmts[0];
        assert_eq!(value.size(), 5);
        assert_eq!(program.result.size(), 7);
        assert_eq!(program.size(), 13);
        assert_eq!(ast.exprs.stats().elements, 11);
        assert_eq!(ast.stmts.stats().elements, 2);
    }

    /// The identifiers of `expr` and its subtrees, in order (call names
    /// and `let` names included).
    fn idents(expr: &Expr, out: &mut Vec<Ident>) {
        match expr {
            Expr::Num(_) => {}
            Expr::Var(name, _) => out.push(name.clone()),
            Expr::Neg(inner) => idents(inner, out),
            Expr::Binary { lhs, rhs, .. } => {
                idents(lhs, out);
                idents(rhs, out);
            }
            Expr::Call { name, args, .. } => {
                out.push(name.clone());
                args.iter().for_each(|arg| idents(arg, out));
            }
            Expr::Block { stmts, result } => {
                for Stmt::Let { name, value, .. } in stmts.iter() {
                    out.push(name.clone());
                    idents(value, out);
                }
                idents(result, out);
            }
        }
    }

    fn program_idents(program: &Program) -> Vec<Ident> {
        let mut out = Vec::new();
        idents(
            &Expr::Block {
                stmts: program.stmts.clone(),
                result: program.result.clone(),
            },
            &mut out,
        );
        out
    }

    #[test]
    fn identifiers_are_interned() {
        let source = "let x = 2; let y = x; f(x, { let y = x; y }, y, x_)";
        let mut ast = AstArena::new();
        let program = parse(source, &mut ast).unwrap();
        let names = program_idents(&program);
        let text: Vec<&str> = names.iter().map(|n| n.as_str()).collect();
        assert_eq!(text, ["x", "y", "x", "f", "x", "y", "x", "y", "y", "x_"]);
        // Two occurrences of a name are one string; different names are not.
        for (a, ta) in names.iter().zip(&text) {
            for (b, tb) in names.iter().zip(&text) {
                let same = ArcStr::ptr_eq(a.as_arc_str(), b.as_arc_str());
                assert_eq!(same, ta == tb, "`{ta}` and `{tb}`");
                assert_eq!(a == b, ta == tb);
            }
        }
        // A program parsed later, in another arena, shares them too, and
        // so does a name interned outside any program.
        let other = parse("y * x", &mut AstArena::new()).unwrap();
        let later = program_idents(&other);
        assert!(ArcStr::ptr_eq(later[0].as_arc_str(), names[1].as_arc_str()));
        assert!(ArcStr::ptr_eq(later[1].as_arc_str(), names[0].as_arc_str()));
        assert!(ArcStr::ptr_eq(&ArcStr::intern("x"), names[0].as_arc_str()));
    }

    #[test]
    fn a_program_is_freed_when_its_last_handle_goes() {
        // Statements and expressions point at each other across two pools;
        // the pools count each node, so nothing keeps the tree but the
        // program.
        let mut ast = AstArena::new();
        for _ in 0..20 {
            let program = parse(
                "let a = { let b = 2; { let c = b; c * a0() } }; a",
                &mut ast,
            );
            let err = program.and_then(|p| eval(&p)).unwrap_err();
            assert!(err.message.contains("a0"));
            assert_eq!(ast.exprs.stats().live_chunks, 1);
            assert_eq!(ast.stmts.stats().live_chunks, 1);
        }
        let program = parse("let n = 3; { let m = n; m * m }", &mut ast).unwrap();
        let weak = arena_arc::ArcSingle::downgrade(&program.result);
        assert_eq!(eval(&program), Ok(9.0));
        drop(program);
        assert!(weak.upgrade().is_none(), "freed while the arena lives");
    }
}
