//! The ratchet file `tests/conformance/ratchet.toml`: recorded pass counts that may only rise.
//!
//! The format is a small TOML subset written and read here (no TOML dependency):
//!
//! ```toml
//! [smith]
//! seeds = 300
//! generated = 297
//! roundtripped = 0
//! behaviour_equal = 0
//!
//! [spec]
//! "wasm-latest/address.wast" = { modules_ok = 0, assertions_ok = 0, rejects_ok = 0 }
//! ```
//!
//! Each test rewrites only its own section, under an exclusive file lock, so the two tests of the
//! binary (or two nextest processes) can bless concurrently.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub const HEADER: &str = "\
# Conformance ratchet: recorded pass counts that may only rise. Checked by
# `cargo test -p conformance` (tests/conformance/tests/conformance.rs). After an improvement,
# re-bless with:  WASMIR_BLESS_CONFORMANCE=1 cargo test -p conformance
# (which also regenerates docs/conformance.md). Never edit counts downwards by hand.
";

pub fn ratchet_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("ratchet.toml")
}

pub fn docs_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/conformance.md")
}

/// One section: keys (file names in `[spec]`, counter names in `[smith]`) to their fields.
pub type Section = BTreeMap<String, BTreeMap<String, u64>>;

#[derive(Default, Debug)]
pub struct Ratchet {
    pub sections: BTreeMap<String, Section>,
}

impl Ratchet {
    pub fn parse(text: &str) -> Result<Ratchet, String> {
        let mut r = Ratchet::default();
        let mut section = String::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |m: &str| format!("{}:{}: {m}: `{line}`", ratchet_path().display(), n + 1);
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.trim().to_string();
                r.sections.entry(section.clone()).or_default();
                continue;
            }
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| err("expected `key = value`"))?;
            let key = key.trim().trim_matches('"').to_string();
            let value = value.trim();
            let sec = r.sections.entry(section.clone()).or_default();
            if let Some(inner) = value.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
                let fields = sec.entry(key).or_default();
                for field in inner.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                    let (k, v) = field
                        .split_once('=')
                        .ok_or_else(|| err("expected `field = number`"))?;
                    let v = v.trim().parse().map_err(|_| err("expected a number"))?;
                    fields.insert(k.trim().to_string(), v);
                }
            } else {
                let v = value.parse().map_err(|_| err("expected a number"))?;
                sec.entry(String::new()).or_default().insert(key, v);
            }
        }
        Ok(r)
    }

    pub fn render(&self) -> String {
        let mut out = String::from(HEADER);
        for (name, sec) in &self.sections {
            out.push_str(&format!("\n[{name}]\n"));
            for (key, fields) in sec {
                if key.is_empty() {
                    for (k, v) in fields {
                        out.push_str(&format!("{k} = {v}\n"));
                    }
                } else {
                    let inner: Vec<String> =
                        fields.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                    out.push_str(&format!("\"{key}\" = {{ {} }}\n", inner.join(", ")));
                }
            }
        }
        out
    }

    /// The plain `key = value` entries of a section (as in `[smith]`).
    pub fn scalars(&self, section: &str) -> BTreeMap<String, u64> {
        self.sections
            .get(section)
            .and_then(|s| s.get(""))
            .cloned()
            .unwrap_or_default()
    }
}

/// Reads the ratchet file (missing file = empty ratchet).
pub fn load() -> Result<Ratchet, String> {
    match std::fs::read_to_string(ratchet_path()) {
        Ok(text) => Ratchet::parse(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ratchet::default()),
        Err(e) => Err(format!("cannot read {}: {e}", ratchet_path().display())),
    }
}

/// Opens `path` for read-modify-write under an exclusive lock and applies `edit` to its text.
pub fn edit_locked(
    path: &Path,
    edit: impl FnOnce(&str) -> Result<String, String>,
) -> Result<(), String> {
    let ctx = |e: std::io::Error| format!("{}: {e}", path.display());
    let mut file: File = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(ctx)?;
    file.lock().map_err(ctx)?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(ctx)?;
    let new = edit(&text)?;
    if new != text {
        file.seek(SeekFrom::Start(0)).map_err(ctx)?;
        file.set_len(0).map_err(ctx)?;
        file.write_all(new.as_bytes()).map_err(ctx)?;
    }
    file.unlock().map_err(ctx)?;
    Ok(())
}

/// Replaces one section of the ratchet file (creating the file if needed).
pub fn bless_section(name: &str, section: Section) -> Result<(), String> {
    edit_locked(&ratchet_path(), |text| {
        let mut r = Ratchet::parse(text)?;
        r.sections.insert(name.to_string(), section);
        Ok(r.render())
    })
}

/// Replaces the text between `<!-- BEGIN name -->` and `<!-- END name -->` in
/// `docs/conformance.md`; `skeleton` is the whole file to start from if it lacks the markers.
pub fn bless_docs_section(name: &str, body: &str, skeleton: &str) -> Result<(), String> {
    let begin = format!("<!-- BEGIN {name} -->");
    let end = format!("<!-- END {name} -->");
    edit_locked(&docs_path(), |text| {
        let base = if text.contains(&begin) && text.contains(&end) {
            text
        } else {
            skeleton
        };
        let (Some(b), Some(e)) = (base.find(&begin), base.find(&end)) else {
            return Err(format!("docs skeleton lacks the {name} markers"));
        };
        if e < b {
            return Err(format!("{}: {end} before {begin}", docs_path().display()));
        }
        Ok(format!("{}{begin}\n{body}{}", &base[..b], &base[e..]))
    })
}
