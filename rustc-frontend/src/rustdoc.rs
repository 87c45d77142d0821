//! The definitions of a library crate's structs, enums and unions, from rustdoc's JSON
//! (`rustdoc --output-format json --document-private-items`), written back as Rust source that
//! `mir::source` reads like the user's: MIR text has no type definitions, and rustdoc knows
//! every one of them, private ones included, after `cfg` evaluation for the target.
//!
//! Each definition is preceded by `#[wasmir_path = "core::ptr::non_null::NonNull"]` (its path
//! from the crate root, as the user's MIR names it) and the attributes layouts depend on:
//! `#[repr(…)]` and rustc's `#[rustc_layout_scalar_valid_range_start(N)]`/`…_end(N)`. Field
//! types are written with the full paths of the types they name, lifetimes left out (MIR erases
//! them). This runs once per compiler, when the library cache is built.
use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde_json::Value;
use std::fmt::Write;

/// The JSON format this reader was written against (rustdoc of rustc 1.96).
pub const FORMAT_VERSION: u64 = 57;

#[derive(Deserialize)]
struct Crate {
    format_version: u64,
    index: FxHashMap<String, Item>,
    paths: FxHashMap<String, Summary>,
}

#[derive(Deserialize)]
struct Item {
    crate_id: u64,
    name: Option<String>,
    #[serde(default)]
    attrs: Vec<Value>,
    inner: Value,
}

#[derive(Deserialize)]
struct Summary {
    path: Vec<String>,
}

/// Rust source holding every struct, enum and union of the crate the JSON documents, or why
/// the JSON cannot be read.
pub fn definitions(json: &[u8]) -> Result<String, String> {
    let krate: Crate =
        serde_json::from_slice(json).map_err(|e| format!("rustdoc's JSON does not read: {e}"))?;
    if krate.format_version != FORMAT_VERSION {
        return Err(format!(
            "rustdoc's JSON has format version {}; this frontend reads version {FORMAT_VERSION} (rustc 1.96)",
            krate.format_version
        ));
    }
    let w = Writer { krate: &krate };
    let mut ids: Vec<(&String, &Item)> = krate
        .index
        .iter()
        .filter(|(_, it)| it.crate_id == 0)
        .collect();
    // A stable output: by id.
    ids.sort_by_key(|(id, _)| id.parse::<u64>().unwrap_or(u64::MAX));
    let mut out = String::new();
    for (id, item) in ids {
        let Some(obj) = item.inner.as_object() else {
            continue;
        };
        let (kw, body) = match obj.iter().next() {
            Some((k, b)) if k == "struct" || k == "enum" || k == "union" => (k.as_str(), b),
            _ => continue,
        };
        let (Some(name), Some(path)) = (&item.name, krate.paths.get(id)) else {
            continue;
        };
        // A definition that cannot be written whole is left out: the type is then unknown,
        // which the lowering reports where it is used.
        let mut text = String::new();
        if w.definition(&mut text, kw, name, &path.path, item, body)
            .is_some()
        {
            out.push_str(&text);
        }
    }
    Ok(out)
}

struct Writer<'a> {
    krate: &'a Crate,
}

impl Writer<'_> {
    fn definition(
        &self,
        out: &mut String,
        kw: &str,
        name: &str,
        path: &[String],
        item: &Item,
        body: &Value,
    ) -> Option<()> {
        writeln!(out, "#[wasmir_path = \"{}\"]", path.join("::")).ok()?;
        for a in &item.attrs {
            if let Some(r) = a.get("repr") {
                let mut parts: Vec<String> = Vec::new();
                match r.get("kind").and_then(Value::as_str) {
                    Some("c") => parts.push("C".into()),
                    Some("transparent") => parts.push("transparent".into()),
                    _ => {}
                }
                if let Some(int) = r.get("int").and_then(Value::as_str) {
                    parts.push(int.into());
                }
                if let Some(n) = r.get("align").and_then(Value::as_u64) {
                    parts.push(format!("align({n})"));
                }
                if let Some(n) = r.get("packed").and_then(Value::as_u64) {
                    parts.push(format!("packed({n})"));
                }
                if !parts.is_empty() {
                    writeln!(out, "#[repr({})]", parts.join(", ")).ok()?;
                }
            } else if let Some(o) = a.get("other").and_then(Value::as_str) {
                for (attr, written) in [
                    (
                        "RustcLayoutScalarValidRangeStart(",
                        "rustc_layout_scalar_valid_range_start",
                    ),
                    (
                        "RustcLayoutScalarValidRangeEnd(",
                        "rustc_layout_scalar_valid_range_end",
                    ),
                ] {
                    if let Some(rest) = o.split(attr).nth(1) {
                        let n = rest.split(')').next()?.trim().replace('_', "");
                        writeln!(out, "#[{written}({n})]").ok()?;
                    }
                }
            }
        }
        let generics = body.get("generics")?;
        // Defaulted type parameters (`Box<T, A = Global>`): MIR leaves them out where the
        // default is taken.
        for p in generics
            .get("params")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let default = p
                .get("kind")
                .and_then(|k| k.get("type"))
                .and_then(|t| t.get("default"));
            if let (Some(param), Some(d)) = (p.get("name").and_then(Value::as_str), default)
                && !d.is_null()
                && let Some(t) = self.ty(d)
            {
                writeln!(out, "#[wasmir_default({param}, \"{t}\")]").ok()?;
            }
        }
        let generics = self.generics(generics);
        write!(out, "{kw} {name}{generics}").ok()?;
        match kw {
            "enum" => {
                out.push_str(" {\n");
                for v in body.get("variants")?.as_array()? {
                    let v = self.item(v)?;
                    let variant = v.inner.get("variant")?;
                    write!(out, "    {}", v.name.as_deref()?).ok()?;
                    self.fields(out, variant.get("kind")?)?;
                    if let Some(d) = variant.get("discriminant").filter(|d| !d.is_null()) {
                        write!(out, " = {}", d.get("value")?.as_str()?).ok()?;
                    }
                    out.push_str(",\n");
                }
                out.push_str("}\n");
            }
            "union" => {
                let mut fields = String::new();
                for f in body.get("fields")?.as_array()? {
                    let f = self.item(f)?;
                    let t = self.ty(f.inner.get("struct_field")?)?;
                    write!(fields, " {}: {t},", f.name.as_deref()?).ok()?;
                }
                writeln!(out, " {{{fields} }}").ok()?;
            }
            _ => {
                let kind = body.get("kind")?;
                if kind.as_str() == Some("unit") {
                    out.push_str(";\n");
                } else {
                    self.fields(out, kind)?;
                    if kind.get("tuple").is_some() {
                        out.push(';');
                    }
                    out.push('\n');
                }
            }
        }
        Some(())
    }

    fn item(&self, id: &Value) -> Option<&Item> {
        self.krate.index.get(&id.as_u64()?.to_string())
    }

    /// `<T, U>`: the type parameters (lifetimes and consts are not kept by the reader).
    fn generics(&self, g: &Value) -> String {
        let names: Vec<&str> = g
            .get("params")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|p| p.get("kind").and_then(|k| k.get("type")).is_some())
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .collect();
        if names.is_empty() {
            String::new()
        } else {
            format!("<{}>", names.join(", "))
        }
    }

    /// The fields of a struct or variant kind: `plain` (`{ a: T }`), `tuple` (`(T, U)`), or a
    /// plain variant (nothing).
    fn fields(&self, out: &mut String, kind: &Value) -> Option<()> {
        if kind.as_str() == Some("plain") {
            return Some(());
        }
        if let Some(t) = kind.get("tuple") {
            let mut parts = Vec::new();
            for f in t.as_array()? {
                // A field rustdoc stripped (`null`) makes the layout unknowable.
                let f = self.item(f)?;
                parts.push(self.ty(f.inner.get("struct_field")?)?);
            }
            write!(out, "({})", parts.join(", ")).ok()?;
            return Some(());
        }
        let plain = kind.get("plain").or_else(|| kind.get("struct"))?;
        if plain.get("has_stripped_fields").and_then(Value::as_bool) == Some(true) {
            return None;
        }
        out.push_str(" {");
        for f in plain.get("fields")?.as_array()? {
            let f = self.item(f)?;
            let t = self.ty(f.inner.get("struct_field")?)?;
            write!(out, " {}: {t},", f.name.as_deref()?).ok()?;
        }
        out.push_str(" }");
        Some(())
    }

    /// A path: the full path of the item it names (`core::ptr::non_null::NonNull`) with its type
    /// and const arguments.
    fn path(&self, p: &Value) -> Option<String> {
        let id = p.get("id").and_then(Value::as_u64);
        let mut s = match id.and_then(|id| self.krate.paths.get(&id.to_string())) {
            Some(sum) => sum.path.join("::"),
            None => p.get("path")?.as_str()?.to_string(),
        };
        if let Some(args) = p
            .get("args")
            .and_then(|a| a.get("angle_bracketed"))
            .and_then(|a| a.get("args"))
            .and_then(Value::as_array)
        {
            let mut parts = Vec::new();
            for a in args {
                if let Some(t) = a.get("type") {
                    parts.push(self.ty(t)?);
                } else if let Some(c) = a.get("const") {
                    parts.push(c.get("expr")?.as_str()?.to_string());
                }
            }
            if !parts.is_empty() {
                write!(s, "<{}>", parts.join(", ")).ok()?;
            }
        }
        Some(s)
    }

    /// A type as MIR writes it; `None` for what the reader has no syntax for. Types nest only as
    /// deep as the library's source does.
    fn ty(&self, t: &Value) -> Option<String> {
        let (kind, v) = t.as_object()?.iter().next()?;
        Some(match kind.as_str() {
            "resolved_path" => self.path(v)?,
            "generic" => v.as_str()?.to_string(),
            "primitive" => match v.as_str()? {
                "never" => "!".to_string(),
                p => p.to_string(),
            },
            "tuple" => {
                let ts: Vec<String> = v
                    .as_array()?
                    .iter()
                    .map(|t| self.ty(t))
                    .collect::<Option<_>>()?;
                match ts.len() {
                    1 => format!("({},)", ts[0]),
                    _ => format!("({})", ts.join(", ")),
                }
            }
            "slice" => format!("[{}]", self.ty(v)?),
            "array" => format!(
                "[{}; {}]",
                self.ty(v.get("type")?)?,
                v.get("len")?.as_str()?
            ),
            "raw_pointer" => {
                let m = if v.get("is_mutable")?.as_bool()? {
                    "mut"
                } else {
                    "const"
                };
                format!("*{m} {}", self.ty(v.get("type")?)?)
            }
            "borrowed_ref" => {
                let m = if v.get("is_mutable")?.as_bool()? {
                    "mut "
                } else {
                    ""
                };
                format!("&{m}{}", self.ty(v.get("type")?)?)
            }
            "function_pointer" => {
                let sig = v.get("sig")?;
                let ins: Vec<String> = sig
                    .get("inputs")?
                    .as_array()?
                    .iter()
                    .map(|i| self.ty(i.get(1)?))
                    .collect::<Option<_>>()?;
                let out = match sig.get("output") {
                    Some(o) if !o.is_null() => format!(" -> {}", self.ty(o)?),
                    _ => String::new(),
                };
                format!("fn({}){out}", ins.join(", "))
            }
            "qualified_path" => {
                let self_ty = self.ty(v.get("self_type")?)?;
                let name = v.get("name")?.as_str()?;
                match v.get("trait").filter(|t| !t.is_null()) {
                    Some(tr) => format!("<{self_ty} as {}>::{name}", self.path(tr)?),
                    None => format!("<{self_ty}>::{name}"),
                }
            }
            "dyn_trait" => {
                let traits: Vec<String> = v
                    .get("traits")?
                    .as_array()?
                    .iter()
                    .map(|b| self.path(b.get("trait")?))
                    .collect::<Option<_>>()?;
                format!("dyn {}", traits.join(" + "))
            }
            // `u32 is 1..=` in rustdoc; MIR writes `(u32) is 1..`.
            "pat" => {
                let base = self.ty(v.get("type")?)?;
                let pat = v.get("__pat_unstable_do_not_use")?.as_str()?;
                let pat = pat
                    .strip_suffix("..=")
                    .map_or(pat.to_string(), |p| format!("{p}.."));
                format!("({base}) is {pat}")
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small crate's JSON in the shape rustdoc 1.96 writes: a generic struct over a raw
    /// pointer with a valid range, a `repr(u8)` enum with a tuple and a struct variant, and a
    /// union.
    #[test]
    fn definitions_from_json() {
        let json = r##"{
          "format_version": 57,
          "paths": {
            "1": {"crate_id": 0, "path": ["core", "ptr", "NonNull"], "kind": "struct"},
            "2": {"crate_id": 0, "path": ["core", "e", "E"], "kind": "enum"},
            "3": {"crate_id": 0, "path": ["core", "u", "U"], "kind": "union"}
          },
          "index": {
            "1": {"crate_id": 0, "name": "NonNull", "docs": "skipped", "attrs": [
                    {"repr": {"kind": "transparent", "align": null, "packed": null, "int": null}},
                    {"other": "#[attr = RustcLayoutScalarValidRangeStart(1)]"}],
                  "inner": {"struct": {"kind": {"plain": {"fields": [10], "has_stripped_fields": false}},
                    "generics": {"params": [{"name": "'a", "kind": {"lifetime": {"outlives": []}}},
                                            {"name": "T", "kind": {"type": {"bounds": []}}}],
                                 "where_predicates": []}}}},
            "10": {"crate_id": 0, "name": "pointer", "attrs": [],
                   "inner": {"struct_field": {"raw_pointer": {"is_mutable": false, "type": {"generic": "T"}}}}},
            "2": {"crate_id": 0, "name": "E", "attrs": [{"repr": {"kind": "rust", "int": "u8", "align": null, "packed": null}}],
                  "inner": {"enum": {"generics": {"params": [], "where_predicates": []},
                    "variants": [20, 21, 22]}}},
            "20": {"crate_id": 0, "name": "A", "attrs": [], "inner": {"variant": {"kind": "plain", "discriminant": {"expr": "3", "value": "3"}}}},
            "21": {"crate_id": 0, "name": "B", "attrs": [], "inner": {"variant": {"kind": {"tuple": [30]}, "discriminant": null}}},
            "22": {"crate_id": 0, "name": "C", "attrs": [], "inner": {"variant": {"kind": {"struct": {"fields": [31], "has_stripped_fields": false}}, "discriminant": null}}},
            "30": {"crate_id": 0, "name": "0", "attrs": [],
                   "inner": {"struct_field": {"resolved_path": {"path": "NonNull", "id": 1,
                     "args": {"angle_bracketed": {"args": [{"lifetime": "'a"}, {"type": {"primitive": "u8"}}], "constraints": []}}}}}},
            "31": {"crate_id": 0, "name": "x", "attrs": [],
                   "inner": {"struct_field": {"array": {"type": {"borrowed_ref": {"lifetime": null, "is_mutable": true, "type": {"primitive": "never"}}}, "len": "4"}}}},
            "3": {"crate_id": 0, "name": "U", "attrs": [],
                  "inner": {"union": {"generics": {"params": [], "where_predicates": []}, "fields": [40], "has_stripped_fields": false}}},
            "40": {"crate_id": 0, "name": "v", "attrs": [], "inner": {"struct_field": {"pat": {"type": {"primitive": "u32"}, "__pat_unstable_do_not_use": "1..="}}}}
          }
        }"##;
        let text = definitions(json.as_bytes()).unwrap();
        assert_eq!(
            text,
            "#[wasmir_path = \"core::ptr::NonNull\"]\n#[repr(transparent)]\n#[rustc_layout_scalar_valid_range_start(1)]\nstruct NonNull<T> { pointer: *const T, }\n\
             #[wasmir_path = \"core::e::E\"]\n#[repr(u8)]\nenum E {\n    A = 3,\n    B(core::ptr::NonNull<u8>),\n    C { x: [&mut !; 4], },\n}\n\
             #[wasmir_path = \"core::u::U\"]\nunion U { v: (u32) is 1.., }\n"
        );
        let old = json.replace("\"format_version\": 57", "\"format_version\": 12");
        assert!(
            definitions(old.as_bytes())
                .unwrap_err()
                .contains("format version 12")
        );
    }
}
