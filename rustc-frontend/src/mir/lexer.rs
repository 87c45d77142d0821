//! Tokens of rustc's MIR text. The lexer works on demand over the whole file: the parser asks for
//! one token at a time, and reads raw text (comments, allocation dumps, spans) itself where the
//! text is not made of tokens.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Tok {
    /// `foo`, `_12`, `bb3`, `alloc7`, `r#type`, `NaN_f32`.
    Ident,
    /// Starts with a digit: `5`, `5_u32`, `0x1f`, `1.5E+3f64`.
    Num,
    /// `"…"` with Rust escapes.
    Str,
    /// `b"…"`.
    ByteStr,
    /// `'a'`, `'\u{1}'`.
    Char,
    /// `'a`, `'_`, `'static`.
    Lifetime,
    ColonColon,
    Arrow,
    FatArrow,
    DotDot,
    DotDotEq,
    /// Any other single character (ASCII punctuation, or a stray character).
    Punct(char),
    Eof,
}

#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub kind: Tok,
    pub start: u32,
    pub end: u32,
}

impl Token {
    pub fn is(&self, c: char) -> bool {
        self.kind == Tok::Punct(c)
    }
}

fn ident_start(c: char) -> bool {
    c == '_' || c.is_alphabetic()
}

fn ident_continue(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// Skips spaces and comments from `pos`; returns the new position.
pub fn skip_trivia(src: &str, pos: usize) -> usize {
    skip_trivia_noting(src, pos, &mut false)
}

/// Skips spaces and comments like [`skip_trivia`], noting whether one of the comments is
/// `// MIR FOR CTFE` (which announces a body for compile-time evaluation only).
pub fn skip_trivia_noting(src: &str, mut pos: usize, ctfe: &mut bool) -> usize {
    let b = src.as_bytes();
    loop {
        while pos < b.len() && matches!(b[pos], b' ' | b'\t' | b'\n' | b'\r') {
            pos += 1;
        }
        if b[pos..].starts_with(b"//") {
            let start = pos;
            while pos < b.len() && b[pos] != b'\n' {
                pos += 1;
            }
            if src[start..pos].trim_end() == "// MIR FOR CTFE" {
                *ctfe = true;
            }
            continue;
        }
        return pos;
    }
}

/// Lexes one token at `pos` (after trivia). Never fails: an unterminated literal becomes a
/// `Punct` of its first character, which the parser reports as unexpected.
pub fn lex(src: &str, pos: usize) -> Token {
    let pos = skip_trivia(src, pos);
    let b = src.as_bytes();
    let tok = |kind, end: usize| Token {
        kind,
        start: pos as u32,
        end: end as u32,
    };
    let Some(c) = src[pos..].chars().next() else {
        return tok(Tok::Eof, pos);
    };
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    match c {
        '0'..='9' => {
            let mut i = pos + 1;
            loop {
                match at(i) {
                    b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'_' => {
                        // An exponent sign: `1E+5`, `2.5e-3`.
                        if matches!(at(i), b'E' | b'e')
                            && matches!(at(i + 1), b'+' | b'-')
                            && at(i + 2).is_ascii_digit()
                        {
                            i += 2;
                        }
                        i += 1;
                    }
                    // A fraction: `1.5`, but not the range `1..`.
                    b'.' if at(i + 1).is_ascii_digit() => i += 1,
                    _ => break,
                }
            }
            tok(Tok::Num, i)
        }
        'b' if at(pos + 1) == b'"' => match scan_quoted(src, pos + 1, b'"') {
            Some(end) => tok(Tok::ByteStr, end),
            None => tok(Tok::Punct('b'), pos + 1),
        },
        'r' if at(pos + 1) == b'#' && src[pos + 2..].chars().next().is_some_and(ident_start) => {
            tok(Tok::Ident, ident_end(src, pos + 2))
        }
        c if ident_start(c) => tok(Tok::Ident, ident_end(src, pos)),
        '"' => match scan_quoted(src, pos, b'"') {
            Some(end) => tok(Tok::Str, end),
            None => tok(Tok::Punct('"'), pos + 1),
        },
        '\'' => {
            // A char literal `'x'` / `'\n'`, or a lifetime `'a`.
            let next = src[pos + 1..].chars().next();
            match next {
                Some('\\') => match scan_quoted(src, pos, b'\'') {
                    Some(end) => tok(Tok::Char, end),
                    None => tok(Tok::Punct('\''), pos + 1),
                },
                Some(ch) if src[pos + 1 + ch.len_utf8()..].starts_with('\'') => {
                    tok(Tok::Char, pos + 2 + ch.len_utf8())
                }
                Some(ch) if ident_start(ch) => tok(Tok::Lifetime, ident_end(src, pos + 1)),
                _ => tok(Tok::Punct('\''), pos + 1),
            }
        }
        ':' if at(pos + 1) == b':' => tok(Tok::ColonColon, pos + 2),
        '-' if at(pos + 1) == b'>' => tok(Tok::Arrow, pos + 2),
        '=' if at(pos + 1) == b'>' => tok(Tok::FatArrow, pos + 2),
        '.' if at(pos + 1) == b'.' => {
            if at(pos + 2) == b'=' {
                tok(Tok::DotDotEq, pos + 3)
            } else {
                tok(Tok::DotDot, pos + 2)
            }
        }
        c => tok(Tok::Punct(c), pos + c.len_utf8()),
    }
}

fn ident_end(src: &str, start: usize) -> usize {
    let mut end = start;
    for (i, c) in src[start..].char_indices() {
        if !ident_continue(c) {
            return start + i;
        }
        end = start + i + c.len_utf8();
    }
    end
}

/// The end of a quoted literal starting at `start` (the opening quote), or `None` when it does not
/// end on the same line.
fn scan_quoted(src: &str, start: usize, quote: u8) -> Option<usize> {
    let b = src.as_bytes();
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Decodes the body of a string or char literal as rustc's `Debug` escapes it (`\n`, `\"`,
/// `\u{…}`, `\x7f` in byte strings). Returns `None` on a malformed escape.
pub fn unescape(body: &str, bytes: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let simple = |b: u8| Some(b);
        let e = chars.next()?;
        let byte = match e {
            'n' => simple(b'\n'),
            't' => simple(b'\t'),
            'r' => simple(b'\r'),
            '0' => simple(0),
            '\\' | '"' | '\'' => Some(e as u8),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                let v = u8::from_str_radix(&hex, 16).ok()?;
                if !bytes && v > 0x7f {
                    return None;
                }
                Some(v)
            }
            'u' if !bytes => {
                if chars.next()? != '{' {
                    return None;
                }
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let ch = char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?;
                let mut buf = [0; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                None
            }
            _ => return None,
        };
        if let Some(b) = byte {
            out.push(b);
        }
    }
    Some(out)
}

/// Fills in the line and column of each error from its offset, in one pass over the text.
pub fn fill_line_cols(src: &str, errors: &mut [crate::mir::ParseError]) {
    let mut order: Vec<usize> = (0..errors.len()).collect();
    order.sort_by_key(|&i| errors[i].offset);
    let (mut line, mut line_start, mut at) = (1u32, 0usize, 0usize);
    for i in order {
        let off = (errors[i].offset as usize).min(src.len());
        for (j, &c) in src.as_bytes()[at..off].iter().enumerate() {
            if c == b'\n' {
                line += 1;
                line_start = at + j + 1;
            }
        }
        at = off;
        let col = src
            .get(line_start..off)
            .map_or(off - line_start, |s| s.chars().count())
            + 1;
        (errors[i].line, errors[i].col) = (line, col as u32);
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(src: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(src.len());
    let before = &src.as_bytes()[..offset];
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    let col = src
        .get(line_start..offset)
        .map_or(offset - line_start, |s| s.chars().count())
        + 1;
    (line as u32, col as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Tok, &str)> {
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            let t = lex(src, pos);
            if t.kind == Tok::Eof {
                return out;
            }
            out.push((t.kind, &src[t.start as usize..t.end as usize]));
            pos = t.end as usize;
        }
    }

    #[test]
    fn numbers_ranges_and_literals() {
        let toks = kinds(
            r#"5_u32 1.5E+3f64 0x1f 1..=2 'a' '\u{1}' 'static b"a\x00" "q\"" <T as X>::Y -> => // c"#,
        );
        let texts: Vec<_> = toks.iter().map(|t| t.1).collect();
        assert_eq!(
            texts,
            [
                "5_u32",
                "1.5E+3f64",
                "0x1f",
                "1",
                "..=",
                "2",
                "'a'",
                r"'\u{1}'",
                "'static",
                r#"b"a\x00""#,
                r#""q\"""#,
                "<",
                "T",
                "as",
                "X",
                ">",
                "::",
                "Y",
                "->",
                "=>"
            ]
        );
        assert_eq!(toks[8].0, Tok::Lifetime);
        assert_eq!(unescape(r"a\x00\n", true).unwrap(), b"a\0\n");
        assert_eq!(unescape(r"\u{3c2}", false).unwrap(), "ς".as_bytes());
    }
}
