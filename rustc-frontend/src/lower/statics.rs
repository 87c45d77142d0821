//! Static data: string literals, the allocations constants and statics point to (with their
//! pointers resolved), and the values of promoted constants, placed in the module's memory by
//! active data segments (one per stretch of bytes between long runs of zeros).
//!
//! **Memory map** (`memory` of `MEMORY_PAGES` 64 KiB pages, wasm32):
//!
//! | addresses | what |
//! |---|---|
//! | `0..DATA_BASE` | never used: no valid pointer is null or near it |
//! | `DATA_BASE..DATA_LIMIT` | static data, placed in the order the lowering meets it |
//! | `DATA_LIMIT..top` | the shadow stack, growing down from the top (`__stack_pointer`) |
//! | `top..` | the default allocator's heap, when a crate using alloc links it (`memory.grow`) |
//!
//! Data is placed as it is first needed, each item at its alignment; identical string literals
//! share one copy; an allocation is placed once per crate (its id), with the allocations its
//! pointers reach, whose addresses are written into its bytes. More data than the region holds is
//! refused.
use super::{Allocs, Krate, MEMORY};
use crate::mir::*;
use rustc_hash::FxHashMap;
use wasmir::{Builder, Context, Module, Region};

/// Where static data starts.
pub const DATA_BASE: u64 = 16;
/// Where static data must end: the shadow stack has the rest of the memory.
pub const DATA_LIMIT: u64 = 65536;
/// The data segment's symbol.
pub const DATA_SYMBOL: &str = "__rust_static_data";

/// A promoted constant's body under a substitution: (crate, body index, substitution).
pub type PromotedKey = (Krate, u32, Vec<(Sym, Ty)>);

/// The static data of one module.
#[derive(Default)]
pub struct StaticData {
    /// The bytes from `DATA_BASE` on.
    bytes: Vec<u8>,
    /// Addresses of placed allocations, by crate and id.
    allocs: FxHashMap<(Krate, u32), u64>,
    /// Addresses of placed byte strings (literals), by content.
    strings: FxHashMap<Vec<u8>, u64>,
    /// Addresses of evaluated promoted constants, by crate, body and substitution.
    pub promoted: FxHashMap<PromotedKey, u64>,
}

impl StaticData {
    /// Places `bytes` at the next address aligned to `align`; returns the address.
    pub fn place(&mut self, bytes: &[u8], align: u64) -> Result<u64, String> {
        let start = (DATA_BASE + self.bytes.len() as u64).next_multiple_of(align.max(1));
        let end = start + bytes.len() as u64;
        if end > DATA_LIMIT {
            return Err(format!(
                "static data of more than {} bytes (the region below the shadow stack)",
                DATA_LIMIT - DATA_BASE
            ));
        }
        self.bytes.resize((start - DATA_BASE) as usize, 0);
        self.bytes.extend_from_slice(bytes);
        Ok(start)
    }

    /// The address of a string literal's bytes (placed once per content).
    pub fn string(&mut self, bytes: &[u8]) -> Result<u64, String> {
        if let Some(&a) = self.strings.get(bytes) {
            return Ok(a);
        }
        let a = self.place(bytes, 1)?;
        self.strings.insert(bytes.to_vec(), a);
        Ok(a)
    }

    /// The address of allocation `id` of `krate` (from `allocs`), placing it and every
    /// allocation its pointers reach — from a worklist, addresses first, then the bytes with
    /// the pointers written in.
    pub fn alloc(&mut self, krate: Krate, allocs: Allocs, id: u32) -> Result<u64, String> {
        if let Some(&a) = self.allocs.get(&(krate, id)) {
            return Ok(a);
        }
        let mut order = Vec::new();
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            if self.allocs.contains_key(&(krate, id)) {
                continue;
            }
            let a = allocs.get(id)?;
            match &a.kind {
                AllocKind::Memory | AllocKind::Static(_) if !a.elided => {}
                AllocKind::Memory | AllocKind::Static(_) => {
                    return Err(format!(
                        "the allocation alloc{id}, printed without its bytes"
                    ));
                }
                AllocKind::ExternStatic(_) => return Err("extern statics".into()),
                AllocKind::Function(_) => {
                    return Err("function pointers in constant data".into());
                }
                AllocKind::VTable(_) => return Err("vtables in constant data".into()),
                AllocKind::TypeId(_) => return Err("type ids in constant data".into()),
                AllocKind::Deallocated => {
                    return Err(format!("the deallocated allocation alloc{id}"));
                }
            }
            if a.relocs
                .iter()
                .any(|(off, _)| off + 4 > a.bytes.len() as u64)
            {
                return Err(format!(
                    "the allocation alloc{id} has a pointer past its end"
                ));
            }
            let bytes: Vec<u8> = a.bytes.iter().map(|b| b.unwrap_or(0)).collect();
            let addr = self.place(&bytes, a.align)?;
            self.allocs.insert((krate, id), addr);
            order.push((id, a));
            stack.extend(a.relocs.iter().map(|(_, p)| p.alloc));
        }
        for (id, a) in order {
            let base = self.allocs[&(krate, id)];
            for (off, p) in &a.relocs {
                let target = self.allocs[&(krate, p.alloc)] + p.offset;
                let at = (base + off - DATA_BASE) as usize;
                self.bytes[at..at + 4].copy_from_slice(&(target as u32).to_le_bytes());
            }
        }
        Ok(self.allocs[&(krate, id)])
    }

    /// Adds the data segments (when there is data) to the module: the bytes from `DATA_BASE`,
    /// without the runs of at least `ZERO_RUN` zeros (memory starts zeroed), so a large zeroed
    /// static — an allocator's arena — costs nothing in the module. The first segment is
    /// `DATA_SYMBOL`, the others `DATA_SYMBOL.1`, `.2`, ….
    pub fn emit(&self, ctx: &mut Context, module: &mut Module) {
        let mut b = Builder::at_module_end(ctx, module);
        for (n, (start, end)) in nonzero_chunks(&self.bytes).into_iter().enumerate() {
            let region = i32_region(&mut b, (DATA_BASE + start as u64) as i32);
            let name = match n {
                0 => b.ctx.string_attr(DATA_SYMBOL),
                n => b.ctx.string_attr(&format!("{DATA_SYMBOL}.{n}")),
            };
            let bytes = b.ctx.bytes_attr(&self.bytes[start..end]);
            let mem = b.ctx.ident(MEMORY);
            let mem = b.ctx.symbol_attr(mem);
            b.create(
                "wasm.data",
                &[],
                &[],
                &[("sym_name", name), ("bytes", bytes), ("memory", mem)],
                &[],
                &[region],
            );
        }
    }
}

/// A region of the module body yielding the `i32` constant `value`: the initializer of a global
/// or the offset of an active data segment.
pub fn i32_region(b: &mut Builder, value: i32) -> Region {
    super::func::yield_region(b, |b| vec![b.i32_const(value)])
}

/// Runs of zeros at least this long separate data segments.
const ZERO_RUN: usize = 64;

/// The ranges of `bytes` left after taking out the runs of at least `ZERO_RUN` zeros (and the
/// zeros at either end).
fn nonzero_chunks(bytes: &[u8]) -> Vec<(usize, usize)> {
    let mut chunks = Vec::new();
    let mut start: Option<usize> = None;
    let mut zeros = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if byte != 0 {
            start.get_or_insert(i);
            zeros = 0;
            continue;
        }
        zeros += 1;
        if zeros == ZERO_RUN
            && let Some(s) = start.take()
        {
            chunks.push((s, i + 1 - ZERO_RUN));
        }
    }
    if let Some(s) = start {
        chunks.push((s, bytes.len() - zeros));
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_runs_split_the_data() {
        let mut bytes = vec![0u8; 300];
        bytes[3] = 1;
        bytes[10] = 2;
        bytes[200] = 3;
        bytes[201] = 4;
        assert_eq!(nonzero_chunks(&bytes), [(3, 11), (200, 202)]);
        assert!(nonzero_chunks(&[0; 10]).is_empty());
        // A short run of zeros stays inside a segment.
        let short: Vec<u8> = (0..100).map(|i| u8::from(i % 50 == 0)).collect();
        assert_eq!(nonzero_chunks(&short), [(0, 51)]);
    }
}
