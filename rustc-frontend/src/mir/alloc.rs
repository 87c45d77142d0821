//! Allocation dumps printed after the bodies that use them:
//!
//! ```text
//! alloc12 (size: 8, align: 4) {
//!     ╾alloc7<imm>╼ 03 00 00 00                         │ ╾──╼....
//! }
//! ```
//!
//! Each line holds up to 16 cells (after a `0xOFFSET │` column when the dump has more than one
//! line): a byte `2a`, an uninitialized byte `__`, or a pointer `╾alloc7+0x4<imm>╼` covering the
//! pointer's size, which may run over into the next line. The ASCII column after the last `│` is
//! ignored.
use super::model::*;
use super::parser::{PResult, Parser};
use super::types::PathCtx;

/// The pointer size of the target the MIR was built for (wasm32).
pub const PTR_SIZE: u64 = 4;

impl<'a> Parser<'a> {
    pub(super) fn allocation(&mut self) -> PResult<Allocation> {
        let id = self.numbered("alloc", "an allocation")?;
        self.expect('(')?;
        let mut a = Allocation {
            id,
            kind: AllocKind::Memory,
            size: 0,
            align: 1,
            bytes: Vec::new(),
            relocs: Vec::new(),
            elided: false,
        };
        let word = self.ident("an allocation kind or `size`")?;
        let has_bytes = match word {
            "size" => true,
            "fn" | "vtable" => {
                self.expect(':')?;
                let text = self.rest_of_line();
                let text = text.trim().strip_suffix(')').unwrap_or(text).trim();
                let s = self.names.sym(text);
                a.kind = if word == "fn" {
                    AllocKind::Function(s)
                } else {
                    AllocKind::VTable(s)
                };
                return Ok(a);
            }
            "typeid" => {
                self.expect_kw("for")?;
                a.kind = AllocKind::TypeId(self.ty()?);
                self.expect(')')?;
                return Ok(a);
            }
            "deallocated" => {
                self.expect(')')?;
                a.kind = AllocKind::Deallocated;
                return Ok(a);
            }
            "extern" => {
                self.expect_kw("static")?;
                self.expect(':')?;
                a.kind = AllocKind::ExternStatic(self.path(PathCtx::Value)?);
                self.expect(')')?;
                return Ok(a);
            }
            "static" => {
                self.expect(':')?;
                a.kind = AllocKind::Static(self.path(PathCtx::Value)?);
                if self.eat(')') {
                    return Ok(a);
                }
                self.expect(',')?;
                if self.is_kw("error") {
                    let t = self.peek();
                    return self.err(t.start, "the static's initializer failed to evaluate");
                }
                self.expect_kw("size")?;
                true
            }
            _ => return self.expected("an allocation kind"),
        };
        debug_assert!(has_bytes);
        self.expect(':')?;
        a.size = self.number("a size")?;
        self.expect(',')?;
        self.expect_kw("align")?;
        self.expect(':')?;
        a.align = self.number("an alignment")?;
        self.expect(')')?;
        self.expect('{')?;
        if self.eat('}') {
            if a.size != 0 {
                return self.err(
                    self.pos as u32,
                    format!("allocation of {} bytes printed empty", a.size),
                );
            }
            return Ok(a);
        }
        if self.peek().kind == super::lexer::Tok::DotDot {
            self.bump();
            self.expect('}')?;
            a.elided = true;
            return Ok(a);
        }
        self.alloc_bytes(&mut a)?;
        Ok(a)
    }

    /// The hex lines up to the closing `}` line.
    fn alloc_bytes(&mut self, a: &mut Allocation) -> PResult<()> {
        self.unpeek();
        // Skip to the next line.
        self.rest_of_line();
        let mut pending: Option<String> = None; // a pointer cell running over a line end
        loop {
            if self.pos >= self.src.len() {
                return self.err(self.pos as u32, "expected `}` closing the allocation");
            }
            self.pos += 1; // the newline
            let line_start = self.pos;
            let line = self.rest_of_line();
            if line.trim() == "}" {
                break;
            }
            let err_at = line_start as u32;
            let Some(bar) = line.rfind('│') else {
                return self.err(
                    err_at,
                    "expected `│` before the ASCII column of an allocation line",
                );
            };
            let mut cells = &line[..bar];
            let trimmed = cells.trim_start();
            if trimmed.starts_with("0x")
                && let Some(i) = trimmed.find('│')
            {
                cells = &trimmed[i + '│'.len_utf8()..];
            }
            let mut rest = cells;
            loop {
                if let Some(buf) = pending.as_mut() {
                    match rest.find('╼') {
                        Some(i) => {
                            buf.push_str(&rest[..i]);
                            rest = &rest[i + '╼'.len_utf8()..];
                            let text = pending.take().unwrap();
                            self.pointer_cell(a, &text, err_at)?;
                        }
                        None => {
                            buf.push_str(rest);
                            break;
                        }
                    }
                }
                rest = rest.trim_start();
                if rest.is_empty() {
                    break;
                }
                if let Some(r) = rest.strip_prefix('╾') {
                    pending = Some(String::new());
                    rest = r;
                    continue;
                }
                let (cell, r) =
                    rest.split_at(rest.char_indices().nth(2).map_or(rest.len(), |(i, _)| i));
                rest = r;
                if cell == "__" {
                    a.bytes.push(None);
                } else if let Ok(b) = u8::from_str_radix(cell, 16) {
                    a.bytes.push(Some(b));
                } else {
                    return self.err(
                        err_at,
                        format!(
                            "expected a byte, `__` or `╾pointer╼` in an allocation, found `{cell}`"
                        ),
                    );
                }
            }
        }
        if pending.is_some() {
            return self.err(
                self.pos as u32,
                "a pointer in an allocation is not closed with `╼`",
            );
        }
        if a.bytes.len() as u64 != a.size {
            return self.err(
                self.pos as u32,
                format!(
                    "allocation alloc{} has {} bytes but its size is {}",
                    a.id,
                    a.bytes.len(),
                    a.size
                ),
            );
        }
        Ok(())
    }

    /// A pointer cell's text (between `╾` and `╼`, padding `─` included): the pointer, stored
    /// as its offset's little-endian bytes plus a relocation.
    fn pointer_cell(&mut self, a: &mut Allocation, text: &str, err_at: u32) -> PResult<()> {
        let text: String = text.chars().filter(|&c| c != '─').collect();
        let text = text.trim();
        if text.contains("ptr fragment") {
            return self.err(
                err_at,
                format!("pointer fragments in allocations are not supported (`{text}`)"),
            );
        }
        // `(4 ptr bytes)` follows a pointer too long for its cell.
        let text = text.split(" (").next().unwrap_or(text);
        // Printed as `alloc7` or, when too long for the cell, `a7`.
        let body = text
            .strip_prefix("alloc")
            .or_else(|| text.strip_prefix('a'));
        let Some(body) = body else {
            return self.err(
                err_at,
                format!("expected a pointer `allocN…` in an allocation, found `{text}`"),
            );
        };
        let (body, immutable) = match body.strip_suffix("<imm>") {
            Some(b) => (b, true),
            None => (body, false),
        };
        let (id, offset) = match body.split_once('+') {
            Some((id, off)) => (
                id,
                off.strip_prefix("0x")
                    .and_then(|h| u64::from_str_radix(h, 16).ok()),
            ),
            None => (body, Some(0)),
        };
        let (Ok(alloc), Some(offset)) = (id.parse::<u32>(), offset) else {
            return self.err(
                err_at,
                format!("expected a pointer `allocN+0xOFF` in an allocation, found `{text}`"),
            );
        };
        let at = a.bytes.len() as u64;
        for i in 0..PTR_SIZE {
            a.bytes.push(Some((offset >> (8 * i)) as u8));
        }
        a.relocs.push((
            at,
            AllocPtr {
                alloc,
                offset,
                immutable,
            },
        ));
        Ok(())
    }
}
