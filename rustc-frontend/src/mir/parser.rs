//! The parser of rustc's MIR text: items, bodies, statements, terminators, places and operands.
//! Types and paths are in `types.rs`, constants in `consts.rs`, allocation dumps in `alloc.rs`.
//!
//! The parser reads the file once, left to right, with one token of lookahead (two in a few
//! places), and never recurses on the nesting of the input: places count their parentheses,
//! types and constants keep explicit stacks.
use super::lexer::{self, Tok, Token};
use super::model::*;
use super::types::PathCtx;
use cranelift_entity::{EntityRef, PrimaryMap};
use std::fmt;

/// A syntax error: where, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub offset: u32,
    pub line: u32,
    pub col: u32,
    pub msg: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.msg)
    }
}

pub type PResult<T> = Result<T, ParseError>;

#[derive(Clone, Copy, Default, Debug)]
pub struct ParseOptions {
    /// Keep the `// MIR FOR CTFE` bodies (compile-time evaluation only) in the output.
    pub keep_ctfe: bool,
}

/// The result of parsing a file: the bodies read, and an error for each body that could not be
/// read (the parser skips to the next item and goes on).
pub struct ParseOutput {
    pub file: MirFile,
    pub errors: Vec<ParseError>,
    /// Where each item kept is in the text: the bodies' ranges (in `file.bodies`' order) and
    /// each allocation's first dump (`id`, range). What a library's index records.
    pub ranges: ItemRanges,
}

#[derive(Default)]
pub struct ItemRanges {
    pub bodies: Vec<(u32, u32)>,
    pub allocs: Vec<(u32, u32, u32)>,
}

/// One top-level item of the text.
pub enum Item {
    Body(Body),
    Alloc(Allocation),
}

/// The parts of the body being read.
#[derive(Default)]
pub(super) struct BodyParts {
    /// Locals by index: `let` lines come scope by scope, not in index order.
    pub locals: Vec<Option<LocalDecl>>,
    /// Set once the blocks start: locals used from then on must have been declared.
    pub in_blocks: bool,
    /// Scopes by index: they are printed as a tree, depth first.
    pub scopes: Vec<Option<ScopeData>>,
    pub debug: Vec<VarDebug>,
    pub blocks: PrimaryMap<Block, BlockData>,
    pub stmts: Vec<Statement>,
    pub projs: Vec<Proj>,
    pub consts: PrimaryMap<ConstId, ConstKind>,
    /// Block numbers used as targets, to check once all blocks are known.
    pub targets: Vec<(Block, u32)>,
}

pub(super) struct Parser<'a> {
    pub src: &'a str,
    pub pos: usize,
    pub peeked: Option<Token>,
    pub names: Interner,
    pub cur: BodyParts,
}

pub fn parse(src: &str, opts: ParseOptions) -> ParseOutput {
    let mut p = Parser {
        src,
        pos: 0,
        peeked: None,
        names: Interner::default(),
        cur: BodyParts::default(),
    };
    let mut file = MirFile::default();
    let mut errors = Vec::new();
    let mut ranges = ItemRanges::default();
    let mut ctfe = false;
    loop {
        p.unpeek();
        p.pos = lexer::skip_trivia_noting(src, p.pos, &mut ctfe);
        if p.pos >= src.len() {
            break;
        }
        let start = p.pos;
        match p.item(start as u32) {
            Ok(Item::Body(mut body)) => {
                body.ctfe = ctfe;
                if !ctfe || opts.keep_ctfe {
                    file.bodies.push(body);
                    ranges.bodies.push((start as u32, p.pos as u32));
                }
                ctfe = false;
            }
            Ok(Item::Alloc(alloc)) => {
                if let std::collections::hash_map::Entry::Vacant(v) = file.allocs.entry(alloc.id) {
                    ranges.allocs.push((alloc.id, start as u32, p.pos as u32));
                    v.insert(alloc);
                }
            }
            Err(e) => {
                errors.push(e);
                ctfe = false;
                p.unpeek();
                p.pos = next_item(src, p.pos.max(start + 1));
            }
        }
    }
    file.names = std::mem::take(&mut p.names);
    lexer::fill_line_cols(src, &mut errors);
    ParseOutput {
        file,
        errors,
        ranges,
    }
}

/// A parser at `offset` of `src` interning into `names` (taken for the parse and given back).
fn parse_at<T>(
    src: &str,
    offset: u32,
    names: &mut Interner,
    read: impl FnOnce(&mut Parser) -> PResult<T>,
) -> Result<(T, u32), ParseError> {
    let mut p = Parser {
        src,
        pos: offset as usize,
        peeked: None,
        names: std::mem::take(names),
        cur: BodyParts::default(),
    };
    let out = read(&mut p).map(|t| (t, p.pos as u32));
    *names = std::mem::take(&mut p.names);
    out.map_err(|mut e| {
        lexer::fill_line_cols(src, std::slice::from_mut(&mut e));
        e
    })
}

/// The signature of the body at `offset` (where a full parse found it): what name resolution
/// reads of a body, without the rest of it.
pub fn parse_signature_at(
    src: &str,
    offset: u32,
    names: &mut Interner,
) -> Result<Signature, ParseError> {
    let (sig, _) = parse_at(src, offset, names, |p| {
        let (kind, name, arg_count) = p.signature()?;
        let ty = |i: usize| p.cur.locals.get(i).and_then(|l| l.as_ref()).map(|l| l.ty);
        Ok(Signature {
            kind,
            name,
            arg_count,
            first_arg: if arg_count > 0 { ty(1) } else { None },
            ret: ty(0).expect("a signature declares the return place"),
        })
    })?;
    Ok(sig)
}

/// The one item (body or allocation dump) at `offset` of `src`, and where it ends.
pub fn parse_item_at(
    src: &str,
    offset: u32,
    names: &mut Interner,
) -> Result<(Item, u32), ParseError> {
    parse_at(src, offset, names, |p| p.item(offset))
}

/// The start of the next top-level item after `pos`: a line that begins in column 0 after a
/// blank line (blocks inside a body are indented; a lone `}` closes a body or an allocation).
fn next_item(src: &str, mut pos: usize) -> usize {
    loop {
        match src.get(pos..).and_then(|s| s.find("\n\n")) {
            Some(i) => {
                pos += i + 2;
                match src.as_bytes().get(pos) {
                    Some(b' ' | b'\n' | b'}') => continue,
                    _ => return pos,
                }
            }
            None => return src.len(),
        }
    }
}

fn describe(src: &str, t: Token) -> String {
    match t.kind {
        Tok::Eof => "end of input".into(),
        _ => {
            let text = &src[t.start as usize..t.end as usize];
            let text: String = text.chars().take(40).collect();
            format!("`{text}`")
        }
    }
}

impl<'a> Parser<'a> {
    // ---- tokens -------------------------------------------------------------------------------

    pub fn peek(&mut self) -> Token {
        match self.peeked {
            Some(t) => t,
            None => {
                let t = lexer::lex(self.src, self.pos);
                self.peeked = Some(t);
                t
            }
        }
    }

    /// The token after the next one.
    pub fn peek2(&mut self) -> Token {
        let t = self.peek();
        lexer::lex(self.src, t.end as usize)
    }

    pub fn bump(&mut self) -> Token {
        let t = self.peek();
        self.peeked = None;
        self.pos = t.end as usize;
        t
    }

    /// Forgets the lookahead, so that raw reading starts right after the last consumed token.
    pub fn unpeek(&mut self) {
        self.peeked = None;
    }

    pub fn text(&self, t: Token) -> &'a str {
        &self.src[t.start as usize..t.end as usize]
    }

    pub fn err<T>(&self, offset: u32, msg: impl Into<String>) -> PResult<T> {
        Err(ParseError {
            offset,
            line: 0,
            col: 0,
            msg: msg.into(),
        })
    }

    pub fn expected<T>(&mut self, what: &str) -> PResult<T> {
        let t = self.peek();
        let found = describe(self.src, t);
        self.err(t.start, format!("expected {what}, found {found}"))
    }

    pub fn eat(&mut self, c: char) -> bool {
        if self.peek().is(c) {
            self.bump();
            true
        } else {
            false
        }
    }

    pub fn eat_kind(&mut self, k: Tok) -> bool {
        if self.peek().kind == k {
            self.bump();
            true
        } else {
            false
        }
    }

    pub fn expect(&mut self, c: char) -> PResult<Token> {
        if self.peek().is(c) {
            Ok(self.bump())
        } else {
            self.expected(&format!("`{c}`"))
        }
    }

    pub fn expect_kind(&mut self, k: Tok, what: &str) -> PResult<Token> {
        if self.peek().kind == k {
            Ok(self.bump())
        } else {
            self.expected(what)
        }
    }

    pub fn is_kw(&mut self, kw: &str) -> bool {
        let t = self.peek();
        t.kind == Tok::Ident && self.text(t) == kw
    }

    pub fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.bump();
            true
        } else {
            false
        }
    }

    pub fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            self.expected(&format!("`{kw}`"))
        }
    }

    /// `const` or `mut` after `*` or `&raw`: whether the pointer is mutable.
    pub fn ptr_mutability(&mut self) -> PResult<bool> {
        if self.eat_kw("mut") {
            Ok(true)
        } else if self.eat_kw("const") {
            Ok(false)
        } else {
            self.expected("`const` or `mut`")
        }
    }

    pub fn ident(&mut self, what: &str) -> PResult<&'a str> {
        let t = self.expect_kind(Tok::Ident, what)?;
        Ok(self.text(t))
    }

    /// A decimal number without suffix.
    pub fn number(&mut self, what: &str) -> PResult<u64> {
        let t = self.peek();
        if t.kind == Tok::Num
            && let Ok(v) = self.text(t).parse::<u64>()
        {
            self.bump();
            return Ok(v);
        }
        self.expected(what)
    }

    pub fn number_u32(&mut self, what: &str) -> PResult<u32> {
        let t = self.peek();
        let v = self.number(what)?;
        u32::try_from(v).or_else(|_| self.err(t.start, format!("{what} {v} is out of range")))
    }

    /// An identifier `PREFIXnnn` (`_3`, `bb12`, `alloc7`): the number.
    pub fn numbered(&mut self, prefix: &str, what: &str) -> PResult<u32> {
        let t = self.peek();
        if t.kind == Tok::Ident
            && let Some(n) = self.text(t).strip_prefix(prefix)
            && let Ok(v) = n.parse::<u32>()
            && !n.starts_with('+')
        {
            self.bump();
            return Ok(v);
        }
        self.expected(what)
    }

    /// The rest of the current line (without the newline), consumed.
    pub fn rest_of_line(&mut self) -> &'a str {
        self.unpeek();
        let end = self.src[self.pos..]
            .find('\n')
            .map_or(self.src.len(), |i| self.pos + i);
        let s = &self.src[self.pos..end];
        self.pos = end;
        s
    }

    /// A trailing `// …` comment on the current line, consumed; its span if it names one
    /// (`// scope 0 at FILE:L:C: L:C`).
    pub fn trailing_span(&mut self) -> Option<SrcSpan> {
        self.trailing_scope_span().1
    }

    /// A trailing `// scope N at FILE:L:C: L:C` comment on the current line, consumed: the
    /// scope and the span, each if given.
    pub fn trailing_scope_span(&mut self) -> (Option<Scope>, Option<SrcSpan>) {
        self.unpeek();
        let b = self.src.as_bytes();
        let mut i = self.pos;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if !b[i..].starts_with(b"//") {
            return (None, None);
        }
        self.pos = i;
        let line = self.rest_of_line();
        let Some(at) = line.find(" at ") else {
            return (None, None);
        };
        let scope = line[..at]
            .trim_start_matches('/')
            .trim()
            .strip_prefix("scope ")
            .and_then(|n| n.parse::<u32>().ok())
            .map(|n| Scope::new(n as usize));
        (scope, self.span_text(line[at + 4..].trim_end()))
    }

    /// Parses `FILE:L:C: L:C` (rustc's `span_to_diagnostic_string`).
    pub fn span_text(&mut self, s: &str) -> Option<SrcSpan> {
        let (lo, hi) = s.rsplit_once(": ")?;
        let (hi_line, hi_col) = hi.split_once(':')?;
        let (rest, lo_col) = lo.rsplit_once(':')?;
        let (file, lo_line) = rest.rsplit_once(':')?;
        Some(SrcSpan {
            file: self.names.sym(file),
            lo_line: lo_line.parse().ok()?,
            lo_col: lo_col.parse().ok()?,
            hi_line: hi_line.parse().ok()?,
            hi_col: hi_col.trim_end().parse().ok()?,
        })
    }

    /// Reads raw text up to (not including) `end` on the current line, consumed with `end`.
    pub fn raw_until(&mut self, end: char, what: &str) -> PResult<&'a str> {
        self.unpeek();
        let line_end = self.src[self.pos..]
            .find('\n')
            .map_or(self.src.len(), |i| self.pos + i);
        match self.src[self.pos..line_end].find(end) {
            Some(i) => {
                let s = &self.src[self.pos..self.pos + i];
                self.pos += i + end.len_utf8();
                Ok(s)
            }
            None => self.err(
                self.pos as u32,
                format!("expected {what} ending in `{end}` on this line"),
            ),
        }
    }

    /// Reads raw text up to the `close` that balances an already consumed `open`.
    pub fn raw_balanced(&mut self, open: char, close: char) -> PResult<&'a str> {
        self.unpeek();
        let start = self.pos;
        let mut depth = 1;
        for (i, c) in self.src[start..].char_indices() {
            if c == '\n' {
                break;
            } else if c == open {
                depth += 1;
            } else if c == close {
                depth -= 1;
                if depth == 0 {
                    self.pos = start + i + 1;
                    return Ok(&self.src[start..start + i]);
                }
            }
        }
        self.err(
            start as u32,
            format!("expected `{close}` to close `{open}` on this line"),
        )
    }

    // ---- items --------------------------------------------------------------------------------

    /// One top-level item: a body, a trivial constant, or an allocation dump.
    fn item(&mut self, offset: u32) -> PResult<Item> {
        let t = self.peek();
        if t.kind == Tok::Ident
            && let Some(n) = self.text(t).strip_prefix("alloc")
            && n.bytes().all(|b| b.is_ascii_digit())
            && !n.is_empty()
            && self.peek2().is('(')
        {
            return Ok(Item::Alloc(self.allocation()?));
        }
        self.cur = BodyParts::default();
        let (kind, name, arg_count) = self.signature()?;
        if kind != BodyKind::Fn {
            self.expect('=')?;
            if self.is_kw("const") {
                // A trivial constant: `const PATH: T = const VALUE;`.
                self.bump();
                let value = self.const_value()?;
                self.expect(';')?;
                return Ok(Item::Body(self.trivial_body(kind, name, offset, value)));
            }
        }
        if self.is_kw("yields") {
            return self.expected("a function body (coroutines are not supported)");
        }
        self.expect('{')?;
        self.cur.scopes.push(Some(ScopeData {
            parent: None,
            inlined: None,
            span: None,
        }));
        self.scope_contents(Scope::new(0), arg_count)?;
        if let Some(i) = self.cur.scopes.iter().position(Option::is_none) {
            return self.err(self.pos as u32, format!("scope {i} is not declared"));
        }
        if let Some(i) = self.cur.locals.iter().position(Option::is_none) {
            return self.err(self.pos as u32, format!("local _{i} is not declared"));
        }
        self.cur.in_blocks = true;
        while !self.eat('}') {
            self.block()?;
        }
        let nblocks = self.cur.blocks.len();
        if let Some(&(b, off)) = self.cur.targets.iter().find(|(b, _)| b.index() >= nblocks) {
            return self.err(
                off,
                format!("{b} is not a block of this body (it has {nblocks})"),
            );
        }
        if nblocks == 0 {
            return self.err(self.pos as u32, "a body without blocks");
        }
        let parts = std::mem::take(&mut self.cur);
        Ok(Item::Body(Body {
            kind,
            name,
            offset,
            arg_count,
            locals: parts.locals.into_iter().flatten().collect(),
            scopes: parts.scopes.into_iter().flatten().collect(),
            debug: parts.debug,
            blocks: parts.blocks,
            stmts: parts.stmts,
            projs: parts.projs,
            consts: parts.consts,
            ctfe: false,
            trivial: false,
        }))
    }

    /// The signature that opens a body: its kind and path, and for a function its arguments and
    /// return type (for another body its type), which become the first locals of `self.cur`.
    fn signature(&mut self) -> PResult<(BodyKind, PathId, u32)> {
        let kind = if self.eat_kw("fn") {
            BodyKind::Fn
        } else if self.eat_kw("const") {
            BodyKind::Const
        } else if self.eat_kw("static") {
            BodyKind::Static {
                mutable: self.eat_kw("mut"),
            }
        } else {
            BodyKind::AnonConst
        };
        let name = self.path(PathCtx::Value)?;
        let promoted = match self.names.path_data(name).segments.last().map(|s| &s.name) {
            Some(SegName::Promoted(n)) => Some(*n),
            _ => None,
        };
        let kind = match (kind, promoted) {
            (BodyKind::Const, Some(n)) => BodyKind::Promoted(n),
            (k, _) => k,
        };
        let mut arg_count = 0;
        if kind == BodyKind::Fn {
            self.expect('(')?;
            if !self.eat(')') {
                loop {
                    let local = self.local()?;
                    if local.index() != arg_count as usize + 1 {
                        return self.err(
                            self.pos as u32,
                            format!("expected argument _{}, found {local}", arg_count + 1),
                        );
                    }
                    self.expect(':')?;
                    let ty = self.ty()?;
                    arg_count += 1;
                    self.cur.locals.push(Some(LocalDecl {
                        ty,
                        mutable: false,
                        scope: Scope::new(0),
                        span: None,
                    }));
                    if self.eat(')') {
                        break;
                    }
                    self.expect(',')?;
                }
            }
            self.expect_kind(Tok::Arrow, "`->`")?;
            let ret = self.ty()?;
            // `_0` comes first; the arguments were read first, so rotate.
            self.cur.locals.insert(
                0,
                Some(LocalDecl {
                    ty: ret,
                    mutable: true,
                    scope: Scope::new(0),
                    span: None,
                }),
            );
        } else {
            self.expect(':')?;
            let ret = self.ty()?;
            self.cur.locals.push(Some(LocalDecl {
                ty: ret,
                mutable: true,
                scope: Scope::new(0),
                span: None,
            }));
        }
        Ok((kind, name, arg_count))
    }

    fn trivial_body(&mut self, kind: BodyKind, name: PathId, offset: u32, value: ConstId) -> Body {
        let parts = std::mem::take(&mut self.cur);
        let mut blocks = PrimaryMap::new();
        let dest = Place {
            local: Local::new(0),
            proj_start: 0,
            proj_len: 0,
        };
        let stmts = vec![Statement {
            kind: StatementKind::Assign(dest, Rvalue::Use(Operand::Const(value))),
            span: None,
        }];
        blocks.push(BlockData {
            cleanup: false,
            stmts: 0..1,
            term: Terminator {
                kind: TerminatorKind::Return,
                span: None,
                scope: None,
            },
        });
        let mut scopes = PrimaryMap::new();
        scopes.push(ScopeData {
            parent: None,
            inlined: None,
            span: None,
        });
        Body {
            kind,
            name,
            offset,
            arg_count: 0,
            locals: parts.locals.into_iter().flatten().collect(),
            scopes,
            debug: Vec::new(),
            blocks,
            stmts,
            projs: Vec::new(),
            consts: parts.consts,
            ctfe: false,
            trivial: true,
        }
    }

    /// The `debug`, `let` and `scope` lines of one scope, up to its closing `}` (not consumed for
    /// the outermost scope, which ends at the first block). Nested scopes are kept on a stack.
    fn scope_contents(&mut self, outer: Scope, arg_count: u32) -> PResult<()> {
        let mut stack = vec![outer];
        loop {
            let scope = *stack.last().unwrap();
            if self.is_kw("debug") {
                self.bump();
                self.var_debug(scope)?;
            } else if self.is_kw("let") {
                self.bump();
                let mutable = self.eat_kw("mut");
                let local = self.local()?;
                let i = local.index();
                if i != 0 && i <= arg_count as usize
                    || self
                        .cur
                        .locals
                        .get(i)
                        .is_some_and(|l| l.is_some() && i != 0)
                {
                    return self.err(self.pos as u32, format!("local {local} is declared twice"));
                }
                self.expect(':')?;
                let ty = self.ty()?;
                self.expect(';')?;
                let span = self.trailing_span();
                if i >= self.cur.locals.len() {
                    self.cur.locals.resize(i + 1, None);
                }
                self.cur.locals[i] = Some(LocalDecl {
                    ty,
                    mutable,
                    scope,
                    span,
                });
            } else if self.is_kw("scope") {
                self.bump();
                let n = self.number_u32("a scope number")?;
                let mut inlined = None;
                if self.eat('(') {
                    self.expect_kw("inlined")?;
                    self.unpeek();
                    let rest = self.raw_balanced('(', ')')?;
                    let rest = rest.trim_start();
                    let (track, callee) = match rest.strip_prefix("#[track_caller] ") {
                        Some(c) => (true, c),
                        None => (false, rest),
                    };
                    inlined = Some((self.names.sym(callee), track));
                }
                self.expect('{')?;
                let span = self.trailing_span();
                let i = n as usize;
                if i > self.src.len() || self.cur.scopes.get(i).is_some_and(Option::is_some) {
                    return self.err(
                        self.pos as u32,
                        format!("scope {n} is declared twice or out of range"),
                    );
                }
                if i >= self.cur.scopes.len() {
                    self.cur.scopes.resize(i + 1, None);
                }
                self.cur.scopes[i] = Some(ScopeData {
                    parent: Some(scope),
                    inlined,
                    span,
                });
                stack.push(Scope::from_u32(n));
            } else if stack.len() > 1 && self.eat('}') {
                stack.pop();
            } else {
                return Ok(());
            }
        }
    }

    fn var_debug(&mut self, scope: Scope) -> PResult<()> {
        let (name, composite) = if self.peek().is('(') {
            self.unpeek();
            let lhs = self.src[self.pos..]
                .split(" => ")
                .next()
                .unwrap_or("")
                .trim();
            let name_start = lhs.trim_start_matches('(');
            let name = name_start.split(':').next().unwrap_or("");
            let (n, c) = (self.names.sym(name), self.names.sym(lhs));
            self.pos += self.src[self.pos..].find(" => ").map_or(0, |i| i);
            (n, Some(c))
        } else {
            let t = self.expect_kind(Tok::Ident, "a variable name")?;
            (self.names.sym(self.text(t)), None)
        };
        self.expect_kind(Tok::FatArrow, "`=>`")?;
        let t = self.peek();
        let is_place = t.is('(')
            || t.kind == Tok::Ident
                && self
                    .text(t)
                    .strip_prefix('_')
                    .is_some_and(|n| n.parse::<u32>().is_ok());
        let value = if self.eat_kw("const") {
            DebugValue::Const(self.const_value()?)
        } else if is_place {
            DebugValue::Place(self.place()?)
        } else {
            // A function item, printed without `const`.
            let path = self.path(PathCtx::Value)?;
            DebugValue::Const(self.cur.consts.push(ConstKind::FnItem(path)))
        };
        self.expect(';')?;
        self.trailing_span();
        self.cur.debug.push(VarDebug {
            name,
            composite,
            value,
            scope,
        });
        Ok(())
    }

    // ---- blocks -------------------------------------------------------------------------------

    fn block(&mut self) -> PResult<()> {
        let n = self.numbered("bb", "a basic block (`bbN: {`) or `}`")?;
        if n as usize != self.cur.blocks.len() {
            return self.err(
                self.pos as u32,
                format!("expected bb{}, found bb{n}", self.cur.blocks.len()),
            );
        }
        let cleanup = if self.eat('(') {
            self.expect_kw("cleanup")?;
            self.expect(')')?;
            true
        } else {
            false
        };
        self.expect(':')?;
        self.expect('{')?;
        let first = self.cur.stmts.len() as u32;
        loop {
            if let Some(term) = self.statement_or_terminator()? {
                self.expect(';')?;
                let (scope, span) = self.trailing_scope_span();
                let last = self.cur.stmts.len() as u32;
                self.cur.blocks.push(BlockData {
                    cleanup,
                    stmts: first..last,
                    term: Terminator {
                        kind: term,
                        span,
                        scope,
                    },
                });
                self.expect('}')?;
                return Ok(());
            }
            self.expect(';')?;
            let span = self.trailing_span();
            self.cur.stmts.last_mut().unwrap().span = span;
        }
    }

    /// A statement (pushed to the body; `None` returned) or a terminator (returned).
    fn statement_or_terminator(&mut self) -> PResult<Option<TerminatorKind>> {
        let t = self.peek();
        if t.kind == Tok::Ident {
            let word = self.text(t);
            let stmt = match word {
                "StorageLive"
                | "StorageDead"
                | "PlaceMention"
                | "BackwardIncompatibleDropHint"
                | "FakeRead"
                | "Retag"
                    if self.peek2().is('(') =>
                {
                    self.bump();
                    self.bump();
                    let k = match word {
                        "StorageLive" => StatementKind::StorageLive(self.local()?),
                        "StorageDead" => StatementKind::StorageDead(self.local()?),
                        "PlaceMention" => StatementKind::PlaceMention(self.place()?),
                        "BackwardIncompatibleDropHint" => {
                            StatementKind::BackwardIncompatibleDropHint(self.place()?)
                        }
                        "FakeRead" => {
                            let cause = self.raw_until(',', "a fake read cause")?;
                            let cause = self.names.sym(cause.trim());
                            StatementKind::FakeRead(cause, self.place()?)
                        }
                        _ => {
                            let kind = if self.eat('[') {
                                self.raw_until(']', "a retag kind")?
                            } else {
                                ""
                            };
                            let kind = self.names.sym(kind);
                            StatementKind::Retag(kind, self.place()?)
                        }
                    };
                    self.expect(')')?;
                    Some(k)
                }
                "ConstEvalCounter" => {
                    self.bump();
                    Some(StatementKind::ConstEvalCounter)
                }
                "nop" => {
                    self.bump();
                    Some(StatementKind::Nop)
                }
                "assume" if self.peek2().is('(') => {
                    self.bump();
                    self.bump();
                    let op = self.operand()?;
                    self.expect(')')?;
                    Some(StatementKind::Assume(op))
                }
                "copy_nonoverlapping" if self.peek2().is('(') => {
                    self.bump();
                    self.bump();
                    let mut ops = [None, None, None];
                    for (i, name) in ["dst", "src", "count"].into_iter().enumerate() {
                        if i > 0 {
                            self.expect(',')?;
                        }
                        self.expect_kw(name)?;
                        self.expect('=')?;
                        ops[i] = Some(self.operand()?);
                    }
                    self.expect(')')?;
                    let [dst, src, count] = ops.map(Option::unwrap);
                    Some(StatementKind::CopyNonOverlapping { src, dst, count })
                }
                "AscribeUserType" | "Coverage" => {
                    self.unpeek();
                    let line = self.raw_until(';', "a statement")?;
                    self.pos -= 1; // leave the `;`
                    Some(StatementKind::Other(self.names.sym(line)))
                }
                "discriminant" if self.peek2().is('(') => {
                    self.bump();
                    self.bump();
                    let place = self.place()?;
                    self.expect(')')?;
                    self.expect('=')?;
                    let v = self.number_u32("a variant index")?;
                    Some(StatementKind::SetDiscriminant(place, v))
                }
                _ => None,
            };
            if let Some(kind) = stmt {
                self.cur.stmts.push(Statement { kind, span: None });
                return Ok(None);
            }
            if let Some(term) = self.terminator_keyword(word)? {
                return Ok(Some(term));
            }
        }
        // `PLACE = RVALUE` or `PLACE = CALL -> …`.
        let place = self.place()?;
        self.expect('=')?;
        self.assign_or_call(place)
    }

    fn terminator_keyword(&mut self, word: &str) -> PResult<Option<TerminatorKind>> {
        let two = self.peek2();
        let term = match word {
            "goto" if two.kind == Tok::Arrow => {
                self.bump();
                self.bump();
                TerminatorKind::Goto(self.target()?)
            }
            "return" => {
                self.bump();
                TerminatorKind::Return
            }
            "unreachable" => {
                self.bump();
                TerminatorKind::Unreachable
            }
            "resume" => {
                self.bump();
                TerminatorKind::UnwindResume
            }
            "terminate" if two.is('(') => {
                self.bump();
                self.bump();
                let abi = self.terminate_reason()?;
                TerminatorKind::UnwindTerminate(abi)
            }
            "switchInt" if two.is('(') => {
                self.bump();
                self.bump();
                let discr = self.operand()?;
                self.expect(')')?;
                self.expect_kind(Tok::Arrow, "`->`")?;
                self.expect('[')?;
                let (mut values, mut targets) = (Vec::new(), Vec::new());
                let otherwise = loop {
                    if self.eat_kw("otherwise") {
                        self.expect(':')?;
                        let b = self.target()?;
                        self.expect(']')?;
                        break b;
                    }
                    let t = self.expect_kind(Tok::Num, "a switch value or `otherwise`")?;
                    let v = self
                        .text(t)
                        .parse::<u128>()
                        .or_else(|_| self.err(t.start, "expected a switch value"))?;
                    self.expect(':')?;
                    values.push(v);
                    targets.push(self.target()?);
                    self.expect(',')?;
                };
                TerminatorKind::SwitchInt {
                    discr,
                    values: values.into(),
                    targets: targets.into(),
                    otherwise,
                }
            }
            "drop" if two.is('(') => {
                self.bump();
                self.bump();
                let place = self.place()?;
                self.expect(')')?;
                let (target, unwind) = self.edges()?;
                let Some(target) = target else {
                    return self.expected("a return edge of `drop`");
                };
                TerminatorKind::Drop {
                    place,
                    target,
                    unwind,
                }
            }
            "assert" if two.is('(') => {
                self.bump();
                self.bump();
                let expected = !self.eat('!');
                let cond = self.operand()?;
                self.expect(',')?;
                let msg = self.assert_msg()?;
                self.expect(')')?;
                let (target, unwind) = self.edges_labelled("success")?;
                let Some(target) = target else {
                    return self.expected("a success edge of `assert`");
                };
                TerminatorKind::Assert {
                    cond,
                    expected,
                    msg,
                    target,
                    unwind,
                }
            }
            "tailcall" => {
                self.bump();
                let func = self.operand()?;
                let args = self.call_args()?;
                TerminatorKind::TailCall { func, args }
            }
            "falseEdge" => {
                self.bump();
                self.expect_kind(Tok::Arrow, "`->`")?;
                self.expect('[')?;
                self.expect_kw("real")?;
                self.expect(':')?;
                let real = self.target()?;
                self.expect(',')?;
                self.expect_kw("imaginary")?;
                self.expect(':')?;
                let imaginary = self.target()?;
                self.expect(']')?;
                TerminatorKind::FalseEdge { real, imaginary }
            }
            "falseUnwind" => {
                self.bump();
                let (real, unwind) = self.edges_labelled("real")?;
                let Some(real) = real else {
                    return self.expected("a `real` edge");
                };
                TerminatorKind::FalseUnwind { real, unwind }
            }
            "asm" if two.is('!') => {
                let t = self.peek();
                return self.err(t.start, "inline assembly (`asm!`) is not supported");
            }
            "coroutine_drop" | "async" | "yield" => {
                let t = self.peek();
                return self.err(t.start, format!("coroutines are not supported (`{word}`)"));
            }
            _ => return Ok(None),
        };
        Ok(Some(term))
    }

    fn terminate_reason(&mut self) -> PResult<bool> {
        let abi = if self.eat_kw("abi") {
            true
        } else if self.eat_kw("cleanup") {
            false
        } else {
            return self.expected("`abi` or `cleanup`");
        };
        self.expect(')')?;
        Ok(abi)
    }

    fn target(&mut self) -> PResult<Block> {
        let t = self.peek();
        let b = Block::from_u32(self.numbered("bb", "a basic block")?);
        self.cur.targets.push((b, t.start));
        Ok(b)
    }

    fn edges(&mut self) -> PResult<(Option<Block>, Unwind)> {
        self.edges_labelled("return")
    }

    /// `-> unwind ACTION` or `-> bbN` (no return edge: unwind to ACTION or to the cleanup block
    /// bbN), or `-> [LABEL: bbN, unwind ACTION]` (`unwind: bbN` for a cleanup block).
    fn edges_labelled(&mut self, label: &str) -> PResult<(Option<Block>, Unwind)> {
        self.expect_kind(Tok::Arrow, "`->`")?;
        if self.is_kw("unwind") {
            self.bump();
            return Ok((None, self.unwind_action()?));
        }
        if !self.eat('[') {
            // A lone edge is the cleanup of a call that does not return (`panic(…) -> bb3`):
            // a returning call always prints its unwind action in brackets.
            return Ok((None, Unwind::Cleanup(self.target()?)));
        }
        let mut target = None;
        let mut unwind = Unwind::Continue;
        loop {
            if self.eat_kw(label) {
                self.expect(':')?;
                target = Some(self.target()?);
            } else if self.eat_kw("unwind") {
                unwind = if self.eat(':') {
                    Unwind::Cleanup(self.target()?)
                } else {
                    self.unwind_action()?
                };
            } else if self.is_kw("drop") {
                return self.expected("no `drop` edge (async drop is not supported)");
            } else {
                return self.expected(&format!("`{label}:` or `unwind`"));
            }
            if self.eat(']') {
                return Ok((target, unwind));
            }
            self.expect(',')?;
        }
    }

    fn unwind_action(&mut self) -> PResult<Unwind> {
        if self.eat_kw("continue") {
            Ok(Unwind::Continue)
        } else if self.eat_kw("unreachable") {
            Ok(Unwind::Unreachable)
        } else if self.eat_kw("terminate") {
            self.expect('(')?;
            Ok(Unwind::Terminate(self.terminate_reason()?))
        } else {
            self.expected("`continue`, `unreachable` or `terminate(…)`")
        }
    }

    fn assert_msg(&mut self) -> PResult<AssertMsg> {
        let t = self.expect_kind(Tok::Str, "an assert message")?;
        let text = self.text(t);
        let text = &text[1..text.len() - 1];
        let mut ops = Vec::new();
        while self.eat(',') {
            ops.push(self.operand()?);
        }
        let arity = |n: usize| ops.len() == n;
        use AssertMsg as M;
        let msg = match text {
            "index out of bounds: the length is {} but the index is {}" if arity(2) => {
                M::BoundsCheck {
                    len: ops[0],
                    index: ops[1],
                }
            }
            "attempt to negate `{}`, which would overflow" if arity(1) => M::OverflowNeg(ops[0]),
            "attempt to divide `{}` by zero" if arity(1) => M::DivisionByZero(ops[0]),
            "attempt to calculate the remainder of `{}` with a divisor of zero" if arity(1) => {
                M::RemainderByZero(ops[0])
            }
            "attempt to compute `{} + {}`, which would overflow" if arity(2) => {
                M::Overflow(BinOp::Add, Some(ops[0]), ops[1])
            }
            "attempt to compute `{} - {}`, which would overflow" if arity(2) => {
                M::Overflow(BinOp::Sub, Some(ops[0]), ops[1])
            }
            "attempt to compute `{} * {}`, which would overflow" if arity(2) => {
                M::Overflow(BinOp::Mul, Some(ops[0]), ops[1])
            }
            "attempt to compute `{} / {}`, which would overflow" if arity(2) => {
                M::Overflow(BinOp::Div, Some(ops[0]), ops[1])
            }
            "attempt to compute the remainder of `{} % {}`, which would overflow" if arity(2) => {
                M::Overflow(BinOp::Rem, Some(ops[0]), ops[1])
            }
            "attempt to shift right by `{}`, which would overflow" if arity(1) => {
                M::Overflow(BinOp::Shr, None, ops[0])
            }
            "attempt to shift left by `{}`, which would overflow" if arity(1) => {
                M::Overflow(BinOp::Shl, None, ops[0])
            }
            "misaligned pointer dereference: address must be a multiple of {} but is {}"
                if arity(2) =>
            {
                M::MisalignedPointerDereference {
                    required: ops[0],
                    found: ops[1],
                }
            }
            "null pointer dereference occurred" if arity(0) => M::NullPointerDereference,
            "trying to construct an enum from an invalid value {}" if arity(1) => {
                M::InvalidEnumConstruction(ops[0])
            }
            _ => M::Other(self.names.sym(text), ops.into()),
        };
        Ok(msg)
    }

    fn call_args(&mut self) -> PResult<Box<[Operand]>> {
        self.expect('(')?;
        let mut args = Vec::new();
        if !self.eat(')') {
            loop {
                args.push(self.operand()?);
                if self.eat(')') {
                    break;
                }
                self.expect(',')?;
            }
        }
        Ok(args.into())
    }

    // ---- places, operands, rvalues ------------------------------------------------------------

    pub fn local(&mut self) -> PResult<Local> {
        let t = self.peek();
        let n = self.numbered("_", "a local (`_N`)")?;
        let limit = if self.cur.in_blocks {
            self.cur.locals.len()
        } else {
            self.src.len()
        };
        if n as usize >= limit {
            return self.err(t.start, format!("local _{n} is not declared"));
        }
        Ok(Local::from_u32(n))
    }

    /// A place: `(*_1)`, `((_1 as Some).0: T)`, `_3[_4]`, `(*_2)[1 of 3]`. Prefix parentheses are
    /// counted, each closed by one postfix projection.
    pub fn place(&mut self) -> PResult<Place> {
        // Each `(` opens a projection closed by `)`: `(*` a deref, `(` a field, downcast or cast.
        let mut opens: Vec<bool> = Vec::new(); // true: deref
        loop {
            if self.eat('(') {
                opens.push(self.eat('*'));
            } else if self.is_kw("unwrap_binder") && self.peek2().is('!') {
                let t = self.peek();
                return self.err(
                    t.start,
                    "unsafe binders (`unwrap_binder!`) are not supported",
                );
            } else {
                break;
            }
        }
        let local = self.local()?;
        let start = self.cur.projs.len() as u32;
        loop {
            // Index-like projections can follow at any level.
            while self.peek().is('[') {
                self.bump();
                let proj = self.index_proj()?;
                self.cur.projs.push(proj);
            }
            let Some(deref) = opens.pop() else { break };
            let proj = if deref {
                Proj::Deref
            } else if self.eat('.') {
                let t = self.expect_kind(Tok::Num, "a field number")?;
                let n = self
                    .text(t)
                    .parse::<u32>()
                    .or_else(|_| self.err(t.start, "expected a field number"))?;
                self.expect(':')?;
                Proj::Field(n, self.ty()?)
            } else if self.eat_kw("as") {
                if self.is_kw("variant") && self.peek2().is('#') {
                    self.bump();
                    self.bump();
                    Proj::Downcast(None, Some(self.number_u32("a variant index")?))
                } else if self.peek().kind == Tok::Ident && (self.peek2().is(')')) {
                    let t = self.bump();
                    Proj::Downcast(Some(self.names.sym(self.text(t))), None)
                } else {
                    Proj::OpaqueCast(self.ty()?)
                }
            } else {
                return self.expected("`.N: T)`, `as Variant)` or `)` in a place");
            };
            self.expect(')')?;
            self.cur.projs.push(proj);
        }
        let len = self.cur.projs.len() as u32 - start;
        Ok(Place {
            local,
            proj_start: start,
            proj_len: len,
        })
    }

    fn index_proj(&mut self) -> PResult<Proj> {
        let t = self.peek();
        let proj = if t.kind == Tok::Ident {
            Proj::Index(self.local()?)
        } else if self.eat(':') {
            self.expect('-')?;
            let to = self.number("a subslice end")?;
            Proj::Subslice {
                from: 0,
                to,
                from_end: true,
            }
        } else {
            let neg = self.eat('-');
            let a = self.number("an index")?;
            if self.eat_kw("of") {
                let min_length = self.number("a minimum length")?;
                Proj::ConstantIndex {
                    offset: a,
                    min_length,
                    from_end: neg,
                }
            } else if self.eat(':') {
                let to = if self.eat('-') {
                    self.number("a subslice end")?
                } else {
                    0
                };
                Proj::Subslice {
                    from: a,
                    to,
                    from_end: true,
                }
            } else if self.eat_kind(Tok::DotDot) {
                let to = self.number("a subslice end")?;
                Proj::Subslice {
                    from: a,
                    to,
                    from_end: false,
                }
            } else {
                return self.expected("`of`, `:` or `..` in an index projection");
            }
        };
        self.expect(']')?;
        Ok(proj)
    }

    pub fn operand(&mut self) -> PResult<Operand> {
        if self.eat_kw("copy") {
            return Ok(Operand::Copy(self.place()?));
        }
        if self.eat_kw("move") {
            return Ok(Operand::Move(self.place()?));
        }
        if self.eat_kw("const") {
            return Ok(Operand::Const(self.const_value()?));
        }
        let t = self.peek();
        if t.kind == Tok::Ident {
            let word = self.text(t);
            if matches!(word, "UbChecks" | "ContractChecks" | "OverflowChecks")
                && !self.peek2().is('(')
                && self.peek2().kind != Tok::ColonColon
            {
                self.bump();
                return Ok(Operand::RuntimeChecks(self.names.sym(word)));
            }
        }
        if t.kind == Tok::Ident || t.is('<') {
            // A function item: printed without `const`.
            let path = self.path(PathCtx::Value)?;
            return Ok(Operand::Const(
                self.cur.consts.push(ConstKind::FnItem(path)),
            ));
        }
        self.expected("an operand (`copy`, `move`, `const` or a function)")
    }

    /// After `PLACE =`: an rvalue, or a call with its edges.
    fn assign_or_call(&mut self, dest: Place) -> PResult<Option<TerminatorKind>> {
        let rv = self.rvalue_into(self.type_name_of(dest))?;
        if self.peek().is('(') {
            // A call: the callee was read as an operand.
            let Rvalue::Use(func) = rv else {
                return self.expected("`;` after the right-hand side");
            };
            let args = self.call_args()?;
            let (target, unwind) = self.edges()?;
            return Ok(Some(TerminatorKind::Call {
                dest,
                func,
                args,
                target,
                unwind,
            }));
        }
        self.cur.stmts.push(Statement {
            kind: StatementKind::Assign(dest, rv),
            span: None,
        });
        Ok(None)
    }

    /// The last segment of the named type of `place` (its local's declared type, or its last
    /// field projection's), if it is a named type.
    fn type_name_of(&self, place: Place) -> Option<Sym> {
        let ty = match self.cur.projs[place.projs()].last() {
            None => self.cur.locals.get(place.local.index())?.as_ref()?.ty,
            Some(Proj::Field(_, ty)) => *ty,
            Some(_) => return None,
        };
        let TyKind::Path(p) = self.names.ty_kind(ty) else {
            return None;
        };
        match self.names.path_data(*p).segments.last()?.name {
            SegName::Ident(name) => Some(name),
            _ => None,
        }
    }

    fn rvalue(&mut self) -> PResult<Rvalue> {
        self.rvalue_into(None)
    }

    /// An rvalue assigned to a place whose type's name is `dest_type`: `Add(move _1, move _2)`
    /// into a place of a type named `Add` builds that tuple struct, it is not an addition (MIR
    /// prints both alike, and a binary operation never yields a named type).
    fn rvalue_into(&mut self, dest_type: Option<Sym>) -> PResult<Rvalue> {
        let t = self.peek();
        if t.is('&') {
            self.bump();
            if self.eat_kw("raw") {
                let mutable = self.ptr_mutability()?;
                // `&raw const (fake) P`: a pointer made only to read the place's metadata.
                let fake = !mutable && self.peek().is('(') && self.peek2_is_kw("fake");
                if fake {
                    self.bump();
                    self.bump();
                    self.expect(')')?;
                }
                return Ok(Rvalue::RawPtr {
                    mutable,
                    fake,
                    place: self.place()?,
                });
            }
            if self.eat('/') {
                // `&/*tls*/ mut path`
                self.expect('*')?;
                self.expect_kw("tls")?;
                self.expect('*')?;
                self.expect('/')?;
                let mutable = self.eat_kw("mut");
                let path = self.path(PathCtx::Value)?;
                return Ok(Rvalue::ThreadLocalRef { mutable, path });
            }
            let kind = if self.eat_kw("mut") {
                BorrowKind::Mut
            } else if self.eat_kw("fake") {
                if self.eat_kw("shallow") {
                    BorrowKind::FakeShallow
                } else {
                    BorrowKind::Fake
                }
            } else {
                BorrowKind::Shared
            };
            return Ok(Rvalue::Ref(kind, self.place()?));
        }
        if t.is('[') {
            self.bump();
            if self.eat(']') {
                return Ok(Rvalue::Aggregate(AggregateKind::Array, Box::new([])));
            }
            let first = self.operand()?;
            if self.eat(';') {
                let count = self.const_arg()?;
                self.expect(']')?;
                return Ok(Rvalue::Repeat(first, count));
            }
            let mut ops = vec![(None, first)];
            while self.eat(',') {
                ops.push((None, self.operand()?));
            }
            self.expect(']')?;
            return Ok(Rvalue::Aggregate(AggregateKind::Array, ops.into()));
        }
        if t.is('(') {
            self.bump();
            let mut ops = Vec::new();
            if !self.eat(')') {
                loop {
                    ops.push((None, self.operand()?));
                    if self.eat(')') {
                        break;
                    }
                    self.expect(',')?;
                    if self.eat(')') {
                        break;
                    }
                }
            }
            return Ok(Rvalue::Aggregate(AggregateKind::Tuple, ops.into()));
        }
        if t.is('{') {
            // `{closure@FILE:L:C: L:C}` with optional `{ name: op, … }`.
            self.bump();
            let text = self.raw_balanced('{', '}')?;
            let kind = match self.closure_ref(text) {
                Some(c) => AggregateKind::Closure(c),
                None => AggregateKind::Coroutine(self.names.sym(text)),
            };
            let fields = if self.peek().is('{') {
                self.braced_operands()?
            } else {
                Vec::new()
            };
            return Ok(Rvalue::Aggregate(kind, fields.into()));
        }
        if t.is('*') {
            // `*const T from (ptr, meta)`
            self.bump();
            let mutable = self.ptr_mutability()?;
            let pointee = self.ty()?;
            self.expect_kw("from")?;
            let Rvalue::Aggregate(AggregateKind::Tuple, ops) = self.rvalue()? else {
                return self.expected("a tuple after `from`");
            };
            return Ok(Rvalue::Aggregate(
                AggregateKind::RawPtr { pointee, mutable },
                ops,
            ));
        }
        if t.is('<') {
            return self.path_rvalue();
        }
        if t.kind == Tok::Ident {
            let word = self.text(t);
            let two = self.peek2();
            let names_dest_type = dest_type.is_some_and(|d| self.names.str(d) == word);
            if two.is('(') && !names_dest_type {
                if let Some(op) = BinOp::from_name(word) {
                    self.bump();
                    self.bump();
                    let a = self.operand()?;
                    self.expect(',')?;
                    let b = self.operand()?;
                    self.expect(')')?;
                    return Ok(Rvalue::BinaryOp(op, a, b));
                }
                let un = match word {
                    "Not" => Some(UnOp::Not),
                    "Neg" => Some(UnOp::Neg),
                    "PtrMetadata" => Some(UnOp::PtrMetadata),
                    _ => None,
                };
                if let Some(op) = un {
                    self.bump();
                    self.bump();
                    let a = self.operand()?;
                    self.expect(')')?;
                    return Ok(Rvalue::UnaryOp(op, a));
                }
                if word == "discriminant" {
                    self.bump();
                    self.bump();
                    let p = self.place()?;
                    self.expect(')')?;
                    return Ok(Rvalue::Discriminant(p));
                }
            }
            if word == "deref_copy" {
                self.bump();
                return Ok(Rvalue::CopyForDeref(self.place()?));
            }
            if word == "wrap_binder" && two.is('!') {
                return self.err(t.start, "unsafe binders (`wrap_binder!`) are not supported");
            }
            if !matches!(
                word,
                "copy" | "move" | "const" | "UbChecks" | "ContractChecks" | "OverflowChecks"
            ) {
                return self.path_rvalue();
            }
        }
        let op = self.operand()?;
        self.maybe_cast(op)
    }

    /// An ADT aggregate `path`, `path(ops)`, `path { f: op }`, or a function item (the callee of
    /// a call, or an operand cast).
    fn path_rvalue(&mut self) -> PResult<Rvalue> {
        let path = self.path(PathCtx::Value)?;
        let after = self.peek();
        if after.is('{') {
            let fields = self.braced_operands()?;
            return Ok(Rvalue::Aggregate(
                AggregateKind::Adt { path, braced: true },
                fields.into(),
            ));
        }
        if after.is('(') && !self.is_callee() {
            let args = self.call_args()?;
            let fields: Vec<_> = args.iter().map(|&o| (None, o)).collect();
            return Ok(Rvalue::Aggregate(
                AggregateKind::Adt {
                    path,
                    braced: false,
                },
                fields.into(),
            ));
        }
        let op = Operand::Const(self.cur.consts.push(ConstKind::FnItem(path)));
        self.maybe_cast(op)
    }

    /// Whether `path(…)` after `=` is a call rather than a tuple-variant aggregate: a call ends
    /// its line with `-> …`, an aggregate with `;`.
    fn is_callee(&mut self) -> bool {
        self.unpeek();
        let line_end = self.src[self.pos..]
            .find('\n')
            .map_or(self.src.len(), |i| self.pos + i);
        let line = &self.src[self.pos..line_end];
        let code = match line.find("; //") {
            Some(i) => &line[..i],
            None => line.trim_end().trim_end_matches(';'),
        };
        // The edges come last: `) -> bb3`, `) -> [return: …]`, `) -> unwind …`.
        match code.rfind(") -> ") {
            Some(i) => {
                let rest = &code[i + 5..];
                rest.starts_with("bb") || rest.starts_with('[') || rest.starts_with("unwind ")
            }
            None => false,
        }
    }

    fn braced_operands(&mut self) -> PResult<Vec<(Option<Sym>, Operand)>> {
        self.expect('{')?;
        let mut fields = Vec::new();
        if !self.eat('}') {
            loop {
                let t = self.peek();
                let name = match t.kind {
                    Tok::Ident | Tok::Num => self.bump(),
                    _ => return self.expected("a field name"),
                };
                let name = self.names.sym(self.text(name));
                self.expect(':')?;
                fields.push((Some(name), self.operand()?));
                if self.eat('}') {
                    break;
                }
                self.expect(',')?;
            }
        }
        Ok(fields)
    }

    fn maybe_cast(&mut self, op: Operand) -> PResult<Rvalue> {
        if !self.eat_kw("as") {
            return Ok(Rvalue::Use(op));
        }
        let ty = self.ty()?;
        self.expect('(')?;
        let t = self.peek();
        let word = self.ident("a cast kind")?;
        let kind = match word {
            "IntToInt" => CastKind::IntToInt,
            "IntToFloat" => CastKind::IntToFloat,
            "FloatToInt" => CastKind::FloatToInt,
            "FloatToFloat" => CastKind::FloatToFloat,
            "PtrToPtr" => CastKind::PtrToPtr,
            "FnPtrToPtr" => CastKind::FnPtrToPtr,
            "Transmute" => CastKind::Transmute,
            "Subtype" => CastKind::Subtype,
            "PointerExposeProvenance" => CastKind::PointerExposeProvenance,
            "PointerWithExposedProvenance" => CastKind::PointerWithExposedProvenance,
            "PointerCoercion" => {
                self.expect('(')?;
                let inner = self.raw_balanced('(', ')')?;
                CastKind::PointerCoercion(self.names.sym(inner))
            }
            _ => return self.err(t.start, format!("unknown cast kind `{word}`")),
        };
        self.expect(')')?;
        Ok(Rvalue::Cast(kind, op, ty))
    }
}

/// The header of an impl block in Rust source (`impl<T: Clone> const Tr<T> for Box<T> where …`),
/// read with the MIR type reader: the trait (none for an inherent impl), the self type and the
/// names of the impl's type and const parameters. `None` when the text is not such a header (a
/// macro's `impl $tr for $t`, say).
pub struct ImplHeader {
    pub trait_: Option<PathId>,
    pub self_ty: Ty,
    pub params: Vec<Sym>,
    /// The traits each parameter is bounded by, by their last identifier (`T: TrustedStep` in
    /// the parameter list or a `where` clause); `?Sized` and lifetimes are left out.
    pub bounds: Vec<(Sym, Sym)>,
}

/// Trait bounds on generic parameters: (parameter, the trait's last identifier).
type Bounds = Vec<(Sym, Sym)>;

pub fn parse_impl_header(names: &mut Interner, src: &str) -> Option<ImplHeader> {
    with_source_parser(names, src, |p| p.impl_header().ok())
}

/// Runs `f` with a parser over Rust source `src` that interns into `names`.
pub(super) fn with_source_parser<T>(
    names: &mut Interner,
    src: &str,
    f: impl FnOnce(&mut Parser<'_>) -> T,
) -> T {
    let mut p = Parser {
        src,
        pos: 0,
        peeked: None,
        names: std::mem::take(names),
        cur: BodyParts::default(),
    };
    let out = f(&mut p);
    *names = std::mem::take(&mut p.names);
    out
}

impl Parser<'_> {
    /// `<T: Bound, const N: usize, 'a>` of an impl or type definition, if present: the type and
    /// const parameters' names (lifetimes are not kept).
    pub(super) fn generic_param_names(&mut self) -> PResult<Vec<Sym>> {
        Ok(self.generic_params_and_bounds()?.0)
    }

    /// The parameters as `generic_param_names` reads them, and the bounds written on them
    /// (`T: Step + Copy` gives `(T, Step)` and `(T, Copy)`).
    fn generic_params_and_bounds(&mut self) -> PResult<(Vec<Sym>, Bounds)> {
        let mut params = Vec::new();
        let mut bounds = Vec::new();
        if self.eat('<') {
            // Parameter names stand first in each comma-separated entry at depth 1.
            let mut depth = 1;
            let mut entry_start = true;
            while depth > 0 {
                let t = self.bump();
                match t.kind {
                    Tok::Eof => return self.expected("`>` closing the generic parameters"),
                    Tok::Punct('<') => depth += 1,
                    Tok::Punct('>') => depth -= 1,
                    Tok::Punct(',') if depth == 1 => {
                        entry_start = true;
                        continue;
                    }
                    // `#[may_dangle] T` (alloc's `Drop` impls): the attribute is skipped.
                    Tok::Punct('#') if entry_start && self.eat('[') => {
                        let mut brackets = 1;
                        while brackets > 0 {
                            match self.bump().kind {
                                Tok::Eof => return self.expected("`]` closing an attribute"),
                                Tok::Punct('[') => brackets += 1,
                                Tok::Punct(']') => brackets -= 1,
                                _ => {}
                            }
                        }
                        continue;
                    }
                    Tok::Ident if entry_start && depth == 1 && self.text(t) != "const" => {
                        let param = self.names.sym(self.text(t));
                        params.push(param);
                        if self.eat(':') {
                            self.bound_list(param, &mut bounds);
                        }
                    }
                    Tok::Ident if self.text(t) == "const" => continue,
                    _ => {}
                }
                entry_start = false;
            }
        }
        Ok((params, bounds))
    }

    /// After `PARAM:`, the `+`-separated bounds up to a `,`, `>`, `{` or `;` at this depth (left
    /// for the caller), each recorded by its path's last identifier.
    fn bound_list(&mut self, param: Sym, bounds: &mut Vec<(Sym, Sym)>) {
        let mut depth = 0usize;
        let mut last: Option<Sym> = None;
        let mut maybe = false;
        // After `->` in `Fn(A) -> B`: the output type, not a bound.
        let mut output = false;
        loop {
            let t = self.peek();
            match t.kind {
                Tok::Eof => break,
                Tok::Punct(',' | '>' | '{' | ';') if depth == 0 => break,
                Tok::Punct('<' | '(') => depth += 1,
                Tok::Punct('>' | ')') => depth -= 1,
                Tok::Punct('+') if depth == 0 => {
                    if let (Some(b), false) = (last.take(), maybe) {
                        bounds.push((param, b));
                    }
                    maybe = false;
                    output = false;
                }
                Tok::Punct('?') if depth == 0 => maybe = true,
                Tok::Arrow if depth == 0 => output = true,
                Tok::Ident if depth == 0 && !output => last = Some(self.names.sym(self.text(t))),
                _ => {}
            }
            self.bump();
        }
        if let (Some(b), false) = (last, maybe) {
            bounds.push((param, b));
        }
    }

    fn impl_header(&mut self) -> PResult<ImplHeader> {
        self.eat_kw("default");
        self.eat_kw("unsafe");
        // `const impl<A: [const] Allocator> RawVecInner<A>` (alloc's const impls).
        self.eat_kw("const");
        self.expect_kw("impl")?;
        let (params, mut bounds) = self.generic_params_and_bounds()?;
        self.eat_kw("const");
        if self.peek().is('!') {
            return self.expected("a positive impl");
        }
        let first = self.ty()?;
        let (trait_, self_ty) = if self.eat_kw("for") {
            let TyKind::Path(trait_) = *self.names.ty_kind(first) else {
                return self.expected("a trait path before `for`");
            };
            (Some(trait_), self.ty()?)
        } else {
            (None, first)
        };
        // `where T: Bound, U: Other` (bounds on parameters only; other predicates are skipped).
        if self.eat_kw("where") {
            loop {
                let t = self.peek();
                match t.kind {
                    Tok::Eof | Tok::Punct('{') | Tok::Punct(';') => break,
                    Tok::Ident => {
                        let name = self.names.sym(self.text(t));
                        self.bump();
                        if params.contains(&name) && self.eat(':') {
                            self.bound_list(name, &mut bounds);
                        }
                    }
                    _ => {
                        self.bump();
                    }
                }
            }
        }
        Ok(ImplHeader {
            trait_,
            self_ty,
            params,
            bounds,
        })
    }
}
