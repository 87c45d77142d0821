//! The index of a library's MIR (`NAME.mir.index` beside `NAME.mir` in the cache): where each
//! body and each allocation dump is in the text, and what name resolution reads from the
//! library's source for each impl body, so that a compilation reads only the bodies signatures
//! and the bodies its calls reach instead of parsing the whole text (core's 42.6 MB).
//!
//! The format is binary, little-endian, and self-checking:
//!
//! ```text
//! magic "WASMIR-MIR-INDEX" (16 bytes)   version u32   reader u64
//! mir_len u64   mir_hash u64            -- the MIR text the index describes
//! bodies u32, then per body: start u32, end u32, impl_text u32 (NONE or a text), flags u8
//! allocs u32, then per allocation: id u32, start u32, end u32
//! texts  u32, then per text: len u32, UTF-8 bytes
//! checksum u64                          -- FxHash of every byte before it
//! ```
//!
//! Bodies are the text's runtime bodies (not `// MIR FOR CTFE`) in order: the `BodyId`s a full
//! parse gives them. `start..end` is the item as the parser reads it (from `fn`/`const`/`static`
//! to its closing brace or semicolon); an allocation's range is its first dump. A body's
//! `impl_text` is the source text at its `<impl at SPAN>` (an impl header, a derive's name or a
//! macro's `impl $tr for $t`), shared by the bodies of one impl; flag bit 0 says the impl block
//! declares the method `default`.
//!
//! An index is used only if its checksum holds, every count and offset is in range, it was
//! written by the same reader (`reader`: a hash of the source of the MIR reader and of the
//! resolver, which decide where items end and what is read from the library source), and the
//! MIR's length and hash are the ones recorded; otherwise it is rebuilt (`IndexError` says
//! why). Library source files are part of the compiler's installation, which keys the cache
//! directory, so the recorded source texts cannot go stale while the MIR does not.
use std::hash::Hasher;

const MAGIC: &[u8; 16] = b"WASMIR-MIR-INDEX";
/// Bumped whenever the layout above or the meaning of a field changes.
const VERSION: u32 = 1;
/// `impl_text` of a body that is not an impl method.
const NONE: u32 = u32::MAX;
const FLAG_DEFAULT: u8 = 1;

/// The code whose behaviour the index records: item boundaries and the kept bodies (the
/// reader), the texts taken from the library source (the resolver), the format (this file).
const READER_SOURCES: &[&str] = &[
    include_str!("mir/lexer.rs"),
    include_str!("mir/parser.rs"),
    include_str!("mir/types.rs"),
    include_str!("mir/consts.rs"),
    include_str!("mir/alloc.rs"),
    include_str!("resolve.rs"),
    include_str!("index.rs"),
];

/// A hash of `READER_SOURCES`: an index written by another version of the reader is stale.
fn reader_fingerprint() -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    for s in READER_SOURCES {
        h.write(s.as_bytes());
        h.write_u8(0xff);
    }
    h.finish()
}

/// One runtime body of the MIR text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexedBody {
    pub start: u32,
    pub end: u32,
    /// The source text at the impl's span, an index into `MirIndex::texts`.
    pub impl_text: Option<u32>,
    /// The impl block declares this method `default fn` (or is a `default impl`).
    pub is_default: bool,
}

/// The first dump of one allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexedAlloc {
    pub id: u32,
    pub start: u32,
    pub end: u32,
}

/// The index of one MIR text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MirIndex {
    pub bodies: Vec<IndexedBody>,
    pub allocs: Vec<IndexedAlloc>,
    pub texts: Vec<String>,
}

/// Why an index cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexError(pub String);

impl std::fmt::Display for IndexError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The identity of a MIR text: its length and hash.
pub fn mir_hash(text: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(text.as_bytes());
    h.finish()
}

fn checksum(bytes: &[u8]) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(bytes);
    h.finish()
}

impl MirIndex {
    /// The index's bytes, for the MIR text `mir`.
    pub fn encode(&self, mir: &str) -> Vec<u8> {
        let texts_len: usize = self.texts.iter().map(|t| 4 + t.len()).sum();
        let mut out =
            Vec::with_capacity(64 + self.bodies.len() * 13 + self.allocs.len() * 12 + texts_len);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&reader_fingerprint().to_le_bytes());
        out.extend_from_slice(&(mir.len() as u64).to_le_bytes());
        out.extend_from_slice(&mir_hash(mir).to_le_bytes());
        out.extend_from_slice(&(self.bodies.len() as u32).to_le_bytes());
        for b in &self.bodies {
            out.extend_from_slice(&b.start.to_le_bytes());
            out.extend_from_slice(&b.end.to_le_bytes());
            out.extend_from_slice(&b.impl_text.unwrap_or(NONE).to_le_bytes());
            out.push(if b.is_default { FLAG_DEFAULT } else { 0 });
        }
        out.extend_from_slice(&(self.allocs.len() as u32).to_le_bytes());
        for a in &self.allocs {
            out.extend_from_slice(&a.id.to_le_bytes());
            out.extend_from_slice(&a.start.to_le_bytes());
            out.extend_from_slice(&a.end.to_le_bytes());
        }
        out.extend_from_slice(&(self.texts.len() as u32).to_le_bytes());
        for t in &self.texts {
            out.extend_from_slice(&(t.len() as u32).to_le_bytes());
            out.extend_from_slice(t.as_bytes());
        }
        let sum = checksum(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        out
    }

    /// Reads an index of the MIR text `mir`, checking everything a reader relies on: the
    /// checksum, that it describes this very text, and that every offset lies in it.
    pub fn decode(bytes: &[u8], mir: &str) -> Result<MirIndex, IndexError> {
        let Some(body_len) = bytes.len().checked_sub(8) else {
            return Err(IndexError("the index is truncated".into()));
        };
        let (data, sum) = bytes.split_at(body_len);
        if !data.starts_with(MAGIC) {
            return Err(IndexError("not a MIR index (wrong magic)".into()));
        }
        if checksum(data).to_le_bytes() != sum {
            return Err(IndexError(
                "the index's checksum does not match: it is truncated or corrupt".into(),
            ));
        }
        let mut r = Reader {
            bytes: data,
            pos: MAGIC.len(),
        };
        let version = r.u32()?;
        if version != VERSION {
            return Err(IndexError(format!(
                "index format version {version}, this frontend reads version {VERSION}"
            )));
        }
        if r.u64()? != reader_fingerprint() {
            return Err(IndexError(
                "the index was written by another version of the MIR reader (stale)".into(),
            ));
        }
        let (len, hash) = (r.u64()?, r.u64()?);
        if len != mir.len() as u64 || hash != mir_hash(mir) {
            return Err(IndexError(
                "the index describes another MIR text (stale)".into(),
            ));
        }
        let in_text = |start: u32, end: u32| start < end && end as usize <= mir.len();
        let n = r.count(13)?;
        let mut bodies = Vec::with_capacity(n);
        for _ in 0..n {
            let (start, end, text, flags) = (r.u32()?, r.u32()?, r.u32()?, r.u8()?);
            if !in_text(start, end) || bodies.last().is_some_and(|b: &IndexedBody| b.end > start) {
                return Err(IndexError(format!(
                    "body {} has the range {start}..{end}, outside the text or overlapping the previous one",
                    bodies.len()
                )));
            }
            if flags & !FLAG_DEFAULT != 0 {
                return Err(IndexError(format!("unknown flags {flags:#x}")));
            }
            bodies.push(IndexedBody {
                start,
                end,
                impl_text: (text != NONE).then_some(text),
                is_default: flags & FLAG_DEFAULT != 0,
            });
        }
        let n = r.count(12)?;
        let mut allocs = Vec::with_capacity(n);
        for _ in 0..n {
            let (id, start, end) = (r.u32()?, r.u32()?, r.u32()?);
            if !in_text(start, end) {
                return Err(IndexError(format!(
                    "allocation alloc{id} has the range {start}..{end}, outside the text"
                )));
            }
            allocs.push(IndexedAlloc { id, start, end });
        }
        let n = r.count(4)?;
        let mut texts = Vec::with_capacity(n);
        for _ in 0..n {
            let len = r.u32()? as usize;
            let raw = r.take(len)?;
            let text = std::str::from_utf8(raw)
                .map_err(|_| IndexError("a source text is not UTF-8".into()))?;
            texts.push(text.to_string());
        }
        if r.pos != data.len() {
            return Err(IndexError(format!(
                "{} bytes follow the index's last table",
                data.len() - r.pos
            )));
        }
        if let Some(b) = bodies
            .iter()
            .find(|b| b.impl_text.is_some_and(|t| t as usize >= texts.len()))
        {
            return Err(IndexError(format!(
                "the body at {} refers to a source text the index does not hold",
                b.start
            )));
        }
        Ok(MirIndex {
            bodies,
            allocs,
            texts,
        })
    }
}

/// A cursor over the index's bytes whose every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], IndexError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| IndexError("the index ends in the middle of a table".into()))?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, IndexError> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<u32, IndexError> {
        let mut b = [0; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }

    fn u64(&mut self) -> Result<u64, IndexError> {
        let mut b = [0; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }

    /// A table's length, checked against the bytes left (each entry at least `entry` bytes), so
    /// that a corrupt count cannot make the reader reserve memory it will never fill.
    fn count(&mut self, entry: usize) -> Result<usize, IndexError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(entry) > self.bytes.len() - self.pos {
            return Err(IndexError(format!(
                "a table of {n} entries does not fit in the index"
            )));
        }
        Ok(n)
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a rename, so that a
/// reader sees the old file, no file, or the whole new one.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIR: &str = "fn a() -> () {\n    bb0: {\n        return;\n    }\n}\n\nalloc1 (size: 1, align: 1) {\n    00 │ .\n}\n\nfn b() -> () {\n    bb0: {\n        return;\n    }\n}\n";

    fn sample() -> MirIndex {
        MirIndex {
            bodies: vec![
                IndexedBody {
                    start: 0,
                    end: 50,
                    impl_text: None,
                    is_default: false,
                },
                IndexedBody {
                    start: 95,
                    end: 140,
                    impl_text: Some(0),
                    is_default: true,
                },
            ],
            allocs: vec![IndexedAlloc {
                id: 1,
                start: 52,
                end: 93,
            }],
            texts: vec!["impl<T> Tr for S<T>".into()],
        }
    }

    #[test]
    fn round_trip() {
        let idx = sample();
        let bytes = idx.encode(MIR);
        assert_eq!(MirIndex::decode(&bytes, MIR), Ok(idx));
    }

    /// Every truncation and every flipped bit is detected, never read as another index.
    #[test]
    fn corruption_is_detected() {
        let bytes = sample().encode(MIR);
        for len in 0..bytes.len() {
            assert!(
                MirIndex::decode(&bytes[..len], MIR).is_err(),
                "truncated to {len}"
            );
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                assert!(MirIndex::decode(&b, MIR).is_err(), "bit {bit} of byte {i}");
            }
        }
    }

    #[test]
    fn another_text_is_stale() {
        let bytes = sample().encode(MIR);
        let other = MIR.replace("fn b", "fn c");
        let e = MirIndex::decode(&bytes, &other).unwrap_err();
        assert!(e.0.contains("stale"), "{e}");
        let longer = format!("{MIR}\n");
        assert!(MirIndex::decode(&bytes, &longer).is_err());
    }

    /// An index written by another version of the reader is stale even with a good checksum.
    #[test]
    fn another_reader_is_stale() {
        let mut bytes = sample().encode(MIR);
        let at = MAGIC.len() + 4;
        bytes[at] ^= 1;
        let n = bytes.len() - 8;
        let sum = checksum(&bytes[..n]);
        bytes[n..].copy_from_slice(&sum.to_le_bytes());
        let e = MirIndex::decode(&bytes, MIR).unwrap_err();
        assert!(e.0.contains("another version"), "{e}");
    }

    /// An index whose checksum holds but whose content is inconsistent (as a buggy writer would
    /// make it) is refused too.
    #[test]
    fn inconsistent_content_is_refused() {
        let mut idx = sample();
        idx.bodies[1].impl_text = Some(5);
        let e = MirIndex::decode(&idx.encode(MIR), MIR).unwrap_err();
        assert!(e.0.contains("source text"), "{e}");
        let mut idx = sample();
        idx.bodies[1].start = 10;
        assert!(MirIndex::decode(&idx.encode(MIR), MIR).is_err());
        let mut idx = sample();
        idx.allocs[0].end = MIR.len() as u32 + 1;
        assert!(MirIndex::decode(&idx.encode(MIR), MIR).is_err());
    }
}
