//! Symbol names for imported items: from the name section, else an import or export name, else
//! the kind and index. Symbols share one table per module, so names are made unique.
use rustc_hash::{FxHashMap, FxHashSet};
use wasmir::{Attr, Context};

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Kind {
    Func,
    Table,
    Memory,
    Global,
    Data,
    Elem,
    Tag,
    Type,
}

/// Proposed names per kind and index; the first proposal wins.
pub struct Hints {
    names: FxHashMap<(Kind, u32), String>,
    locals: LocalNames,
    nfuncs: usize,
}

/// Local names from the name section: function index → (local index → name).
#[derive(Default)]
pub struct LocalNames {
    map: FxHashMap<u32, FxHashMap<u32, String>>,
}

impl LocalNames {
    pub fn get(&self, func: u32) -> Option<&FxHashMap<u32, String>> {
        self.map.get(&func)
    }
}

impl Hints {
    pub fn new(nfuncs: usize, _counts: [u32; 6]) -> Self {
        Hints { names: FxHashMap::default(), locals: LocalNames::default(), nfuncs }
    }

    pub fn fallback(&mut self, kind: Kind, index: u32, name: &str) {
        self.names.entry((kind, index)).or_insert_with(|| name.to_string());
    }

    pub fn get(&self, kind: Kind, index: u32) -> Option<&str> {
        self.names.get(&(kind, index)).map(String::as_str)
    }

    /// Reads what it can of the name section; a malformed subsection is ignored (names are
    /// advisory, and the validator accepts modules with broken name sections).
    pub fn read_name_section(&mut self, reader: wasmparser::NameSectionReader<'_>) {
        use wasmparser::Name;
        for sub in reader {
            let Ok(sub) = sub else { return };
            let (kind, map) = match sub {
                Name::Function(m) => (Kind::Func, m),
                Name::Table(m) => (Kind::Table, m),
                Name::Memory(m) => (Kind::Memory, m),
                Name::Global(m) => (Kind::Global, m),
                Name::Data(m) => (Kind::Data, m),
                Name::Element(m) => (Kind::Elem, m),
                Name::Tag(m) => (Kind::Tag, m),
                Name::Type(m) => (Kind::Type, m),
                Name::Local(m) => {
                    for f in m {
                        let Ok(f) = f else { break };
                        if f.index as usize >= self.nfuncs {
                            continue;
                        }
                        let entry = self.locals.map.entry(f.index).or_default();
                        for n in f.names {
                            let Ok(n) = n else { break };
                            entry.entry(n.index).or_insert_with(|| n.name.to_string());
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            for n in map {
                let Ok(n) = n else { break };
                self.names.entry((kind, n.index)).or_insert_with(|| n.name.to_string());
            }
        }
    }

    pub fn take_local_names(&mut self) -> LocalNames {
        std::mem::take(&mut self.locals)
    }
}

/// Hands out unique symbol names.
#[derive(Default)]
pub struct Symbols {
    used: FxHashSet<String>,
}

impl Symbols {
    /// A unique symbol from the hint, or `{prefix}{index}`.
    pub fn make(&mut self, ctx: &mut Context, hint: Option<&str>, prefix: &str, index: u32) -> Attr {
        let base = match hint {
            Some(h) if !h.is_empty() => h.to_string(),
            _ => format!("{prefix}{index}"),
        };
        let mut name = base.clone();
        let mut n = 1;
        while self.used.contains(&name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        self.used.insert(name.clone());
        let id = ctx.ident(&name);
        ctx.symbol_attr(id)
    }
}
