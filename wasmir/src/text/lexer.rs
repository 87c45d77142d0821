//! The lexer: logos produces raw tokens; [`Lexer`] then classifies the few tokens whose role
//! depends on what follows (a value name before `=` is a definition, a block name before `:` is
//! a label, a string before `(` names a generic op), so the grammar stays LR(1).
use crate::diag::Span;
use logos::Logos;
use std::collections::VecDeque;

/// Raw tokens as logos sees them.
#[derive(Logos, Debug, Clone, Copy, PartialEq, Eq)]
#[logos(skip r"[ \t\r\n\f]+")]
#[logos(skip(r"//[^\n]*", allow_greedy = true))]
enum Raw {
    /// `%name`, `%12`, `%name#3`, `%name:2`
    #[regex(r"%([0-9]+|[a-zA-Z_$.\-][a-zA-Z0-9_$.\-]*)([#:][0-9]+)?")]
    Value,
    #[regex(r"\^([0-9]+|[a-zA-Z_$.\-][a-zA-Z0-9_$.\-]*)")]
    Block,
    #[regex(r"@([0-9]+|[a-zA-Z_$.\-][a-zA-Z0-9_$.\-]*)")]
    #[token("@\"", quoted_rest)]
    Symbol,
    /// `!dialect.name` optionally followed by a balanced `<…>` body.
    #[regex(r"![a-zA-Z_][a-zA-Z0-9_$.]*", angle_body)]
    DialectType,
    /// `#dialect.name` optionally followed by a balanced `<…>` body.
    #[regex(r"#[a-zA-Z_][a-zA-Z0-9_$.]*", angle_body)]
    DialectAttr,
    #[regex(r"[a-zA-Z_][a-zA-Z0-9_$.]*")]
    BareId,
    #[regex(r"-?[0-9]+", priority = 3)]
    #[regex(r"-?0x[0-9a-fA-F]+", priority = 4)]
    Int,
    #[regex(r"-?[0-9]+\.[0-9]*([eE][+-]?[0-9]+)?")]
    #[regex(r"-?[0-9]+[eE][+-]?[0-9]+")]
    #[regex(r"[+-]?(nan|inf)(:0x[0-9a-fA-F]+)?", priority = 5)]
    Float,
    #[token("\"", quoted_rest)]
    Str,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("<")]
    Less,
    #[token(">")]
    Greater,
    #[token(",")]
    Comma,
    #[token(":")]
    Colon,
    #[token("::")]
    ColonColon,
    #[token("=")]
    Equal,
    #[token("->")]
    Arrow,
}

/// Consumes the rest of a quoted string after its opening `"`: up to the closing `"`, a `\`
/// escaping the byte after it; a line break or the end of the input first is an error. (A loop:
/// the automaton logos makes of such a regex calls itself once per character, which overflows
/// the stack on strings of a few hundred kilobytes, e.g. data segments.)
fn quoted_rest(lex: &mut logos::Lexer<Raw>) -> bool {
    let rest = lex.remainder().as_bytes();
    let mut i = 0;
    while i < rest.len() {
        match rest[i] {
            b'"' => {
                lex.bump(i + 1);
                return true;
            }
            b'\\' if i + 1 < rest.len() && rest[i + 1] != b'\n' => i += 2,
            b'\n' | b'\\' => return false,
            _ => i += 1,
        }
    }
    false
}

/// Consumes a balanced `<…>` directly after a dialect type or attribute name.
fn angle_body(lex: &mut logos::Lexer<Raw>) -> bool {
    let rest = lex.remainder().as_bytes();
    if rest.first() != Some(&b'<') {
        return true;
    }
    let mut depth = 0usize;
    let mut i = 0;
    let mut in_str = false;
    while i < rest.len() {
        let c = rest[i];
        if in_str {
            if c == b'\\' {
                i += 1;
            } else if c == b'"' {
                in_str = false;
            }
        } else {
            match c {
                b'"' => in_str = true,
                b'<' => depth += 1,
                b'>' => {
                    depth -= 1;
                    if depth == 0 {
                        lex.bump(i + 1);
                        return true;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    false
}

/// Tokens as the grammar sees them. Text-carrying tokens borrow the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok<'a> {
    /// A value use: `%x`, `%x#1`.
    ValueUse(&'a str),
    /// A value definition before `=`: `%x`, `%x:2`.
    ValueDef(&'a str),
    /// A successor reference.
    BlockRef(&'a str),
    /// A block label (`^bb1:` or `^bb1(%a: i32):`).
    BlockDef(&'a str),
    Symbol(&'a str),
    DialectType(&'a str),
    DialectAttr(&'a str),
    /// A registered op written in custom form.
    OpName(&'a str),
    /// A quoted op name followed by `(`: the generic form.
    GenericName(&'a str),
    Word(&'a str),
    Int(&'a str),
    Float(&'a str),
    Str(&'a str),
    KwAttributes,
    KwLoc,
    KwTrue,
    KwFalse,
    KwUnit,
    KwFused,
    KwCallsite,
    KwAt,
    KwUnknown,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Less,
    Greater,
    Comma,
    Colon,
    ColonColon,
    Equal,
    Arrow,
}

impl Tok<'_> {
    /// How the token is named in "expected …" messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::ValueUse(s) | Tok::ValueDef(s) => format!("value `{s}`"),
            Tok::BlockRef(s) | Tok::BlockDef(s) => format!("block `{s}`"),
            Tok::Symbol(s) => format!("symbol `{s}`"),
            Tok::DialectType(s) => format!("type `{s}`"),
            Tok::DialectAttr(s) => format!("attribute `{s}`"),
            Tok::OpName(s) => format!("operation `{s}`"),
            Tok::GenericName(s) => format!("operation {s}"),
            Tok::Word(s) => format!("`{s}`"),
            Tok::Int(s) => format!("integer `{s}`"),
            Tok::Float(s) => format!("float `{s}`"),
            Tok::Str(s) => format!("string {s}"),
            Tok::KwAttributes => "`attributes`".into(),
            Tok::KwLoc => "`loc`".into(),
            Tok::KwTrue => "`true`".into(),
            Tok::KwFalse => "`false`".into(),
            Tok::KwUnit => "`unit`".into(),
            Tok::KwFused => "`fused`".into(),
            Tok::KwCallsite => "`callsite`".into(),
            Tok::KwAt => "`at`".into(),
            Tok::KwUnknown => "`unknown`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Less => "`<`".into(),
            Tok::Greater => "`>`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Colon => "`:`".into(),
            Tok::ColonColon => "`::`".into(),
            Tok::Equal => "`=`".into(),
            Tok::Arrow => "`->`".into(),
        }
    }
}

/// A lexing error: the span of text that is no token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LexError {
    pub span: Span,
    /// A string (or quoted symbol) whose closing `"` is missing on its line.
    pub unterminated_string: bool,
}

pub type Spanned<'a> = (u32, Tok<'a>, u32);

/// The classifying lexer. `is_op` says whether a bare word is a registered op name.
pub struct Lexer<'a, F: Fn(&str) -> bool> {
    raw: logos::Lexer<'a, Raw>,
    base: u32,
    /// Tokens read ahead but not yet handed out, already classified when `ready` > 0.
    buf: VecDeque<(u32, Raw, &'a str, u32)>,
    /// Front tokens already known to form a `%a, %b` definition list (`defs`) or a use list.
    ready_defs: usize,
    ready_uses: usize,
    is_op: F,
    failed: bool,
}

impl<'a, F: Fn(&str) -> bool> Lexer<'a, F> {
    /// Lexes `src`, a slice of the whole input that starts at byte `base` (spans are absolute).
    pub fn new(src: &'a str, base: u32, is_op: F) -> Self {
        Lexer { raw: Raw::lexer(src), base, buf: VecDeque::new(), ready_defs: 0, ready_uses: 0, is_op, failed: false }
    }

    /// Reads one more raw token into the buffer. `Ok(false)` at the end of input.
    fn fill(&mut self) -> Result<bool, LexError> {
        match self.raw.next() {
            None => Ok(false),
            Some(r) => {
                let sp = self.raw.span();
                let (s, e) = (self.base + sp.start as u32, self.base + sp.end as u32);
                match r {
                    Ok(raw) => {
                        self.buf.push_back((s, raw, self.raw.slice(), e));
                        Ok(true)
                    }
                    Err(()) => {
                        let text = self.raw.slice();
                        Err(LexError {
                            span: Span::new(s, e),
                            unterminated_string: text.starts_with('"') || text.starts_with("@\""),
                        })
                    }
                }
            }
        }
    }

    fn peek_kind(&mut self, i: usize) -> Result<Option<Raw>, LexError> {
        while self.buf.len() <= i {
            if !self.fill()? {
                return Ok(None);
            }
        }
        Ok(Some(self.buf[i].1))
    }

    /// Looks ahead from the value token at the front: `%a, %b, … =` makes them all definitions.
    /// Returns whether they are definitions and how many front tokens the answer covers, so
    /// each token is scanned once however long the list.
    fn classify_values(&mut self) -> Result<(bool, usize), LexError> {
        let mut i = 0;
        loop {
            // buf[i] is a Value token.
            match self.peek_kind(i + 1)? {
                Some(Raw::Equal) => return Ok((true, i + 1)),
                Some(Raw::Comma) if self.peek_kind(i + 2)? == Some(Raw::Value) => i += 2,
                _ => return Ok((false, i + 1)),
            }
        }
    }

    /// `^bb:` or `^bb(%a: T …` or `^bb():` is a label; anything else is a successor.
    fn is_block_label(&mut self) -> Result<bool, LexError> {
        Ok(match self.peek_kind(1)? {
            Some(Raw::Colon) => true,
            Some(Raw::LParen) => match self.peek_kind(2)? {
                Some(Raw::RParen) => self.peek_kind(3)? == Some(Raw::Colon),
                Some(Raw::Value) => self.peek_kind(3)? == Some(Raw::Colon),
                _ => false,
            },
            _ => false,
        })
    }

    fn convert(&self, raw: Raw, text: &'a str, value_def: bool, label: bool) -> Tok<'a> {
        match raw {
            Raw::Value if value_def => Tok::ValueDef(text),
            Raw::Value => Tok::ValueUse(text),
            Raw::Block if label => Tok::BlockDef(text),
            Raw::Block => Tok::BlockRef(text),
            Raw::Symbol => Tok::Symbol(text),
            Raw::DialectType => Tok::DialectType(text),
            Raw::DialectAttr => Tok::DialectAttr(text),
            Raw::BareId => match text {
                "attributes" => Tok::KwAttributes,
                "loc" => Tok::KwLoc,
                "true" => Tok::KwTrue,
                "false" => Tok::KwFalse,
                "unit" => Tok::KwUnit,
                "fused" => Tok::KwFused,
                "callsite" => Tok::KwCallsite,
                "at" => Tok::KwAt,
                "unknown" => Tok::KwUnknown,
                _ if (self.is_op)(text) => Tok::OpName(text),
                _ => Tok::Word(text),
            },
            Raw::Int => Tok::Int(text),
            Raw::Float => Tok::Float(text),
            Raw::Str if label => Tok::GenericName(text),
            Raw::Str => Tok::Str(text),
            Raw::LParen => Tok::LParen,
            Raw::RParen => Tok::RParen,
            Raw::LBrace => Tok::LBrace,
            Raw::RBrace => Tok::RBrace,
            Raw::LBracket => Tok::LBracket,
            Raw::RBracket => Tok::RBracket,
            Raw::Less => Tok::Less,
            Raw::Greater => Tok::Greater,
            Raw::Comma => Tok::Comma,
            Raw::Colon => Tok::Colon,
            Raw::ColonColon => Tok::ColonColon,
            Raw::Equal => Tok::Equal,
            Raw::Arrow => Tok::Arrow,
        }
    }

    fn next_tok(&mut self) -> Result<Option<Spanned<'a>>, LexError> {
        if self.buf.is_empty() && !self.fill()? {
            return Ok(None);
        }
        let (s, raw, text, e) = self.buf[0];
        let (mut def, mut label) = (false, false);
        if self.ready_defs > 0 {
            def = raw == Raw::Value;
            self.ready_defs -= 1;
        } else if self.ready_uses > 0 {
            self.ready_uses -= 1;
        } else {
            match raw {
                Raw::Value => {
                    let (is_def, n) = self.classify_values()?;
                    def = is_def;
                    if is_def {
                        self.ready_defs = n - 1;
                    } else {
                        self.ready_uses = n - 1;
                    }
                }
                Raw::Block => label = self.is_block_label()?,
                Raw::Str => label = self.peek_kind(1)? == Some(Raw::LParen),
                _ => {}
            }
        }
        self.buf.pop_front();
        Ok(Some((s, self.convert(raw, text, def, label), e)))
    }
}

impl<'a, F: Fn(&str) -> bool> Iterator for Lexer<'a, F> {
    type Item = Result<Spanned<'a>, LexError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.next_tok() {
            Ok(Some(t)) => Some(Ok(t)),
            Ok(None) => None,
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}
