//! The MIR reader on hand-written snippets in rustc 1.96's format: each body printed back from the
//! model equals its text, the model holds what the text says (snapshots), malformed text gives an
//! error with its line and column, and deep nesting does not recurse.
use rustc_frontend::mir::print::Printer;
use rustc_frontend::mir::{self, BlockData, Body, MirFile, ParseOptions};
use std::fmt::Write;

const SNIPPETS: &str = include_str!("mir/snippets.mir");

fn parse_ok(text: &str) -> MirFile {
    let out = mir::parse(text, ParseOptions::default());
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    out.file
}

/// The text of a body: from its header to the `}` in column 0.
fn body_text(text: &str, b: &Body) -> String {
    let rest = &text[b.offset as usize..];
    let end = rest.find("\n}\n").map_or(rest.len(), |i| i + 3);
    rest[..end]
        .lines()
        .filter(|l| !l.trim_start().starts_with("// DBG:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn snippets_print_back_as_read() {
    let f = parse_ok(SNIPPETS);
    let p = Printer {
        names: &f.names,
        body: None,
    };
    let mut n = 0;
    for b in f.bodies.values().filter(|b| !b.trivial) {
        assert_eq!(p.body(b), body_text(SNIPPETS, b));
        n += 1;
    }
    assert_eq!(n, 6);
}

fn find<'f>(f: &'f MirFile, name: &str) -> &'f Body {
    let p = Printer {
        names: &f.names,
        body: None,
    };
    f.bodies
        .values()
        .find(|b| p.path(b.name) == name)
        .unwrap_or_else(|| panic!("no body {name}"))
}

/// Each block's terminator as the model holds it.
fn terminators(b: &Body) -> String {
    let mut s = String::new();
    for (bb, BlockData { cleanup, term, .. }) in b.blocks.iter() {
        let _ = writeln!(
            s,
            "{bb}{}: {:?}",
            if *cleanup { " (cleanup)" } else { "" },
            term.kind
        );
    }
    s
}

#[test]
fn terminators_and_edges() {
    let f = parse_ok(SNIPPETS);
    insta::assert_snapshot!(terminators(find(&f, "rvalues")));
    insta::assert_snapshot!(terminators(find(&f, "places")));
}

#[test]
fn constants() {
    let f = parse_ok(SNIPPETS);
    let b = find(&f, "constants");
    let p = Printer {
        names: &f.names,
        body: None,
    };
    let mut s = String::new();
    for (c, k) in b.consts.iter() {
        let _ = writeln!(s, "{c} = {}    {k:?}", p.constant(b, c));
    }
    insta::assert_snapshot!(s);
}

#[test]
fn allocations_and_items() {
    let f = parse_ok(SNIPPETS);
    let mut ids: Vec<_> = f.allocs.keys().copied().collect();
    ids.sort();
    let mut s = String::new();
    for id in ids {
        let _ = writeln!(s, "{:?}", f.allocs[&id]);
    }
    let p = Printer {
        names: &f.names,
        body: None,
    };
    for b in f.bodies.values() {
        let _ = writeln!(
            s,
            "{:?} {} -> {} (trivial: {})",
            b.kind,
            p.path(b.name),
            p.ty(b.return_ty()),
            b.trivial
        );
    }
    insta::assert_snapshot!(s);
}

#[test]
fn ctfe_bodies_are_skipped_unless_asked() {
    let text = "fn f() -> u8 {\n    let mut _0: u8;\n\n    bb0: {\n        _0 = const 1_u8;\n        return;\n    }\n}\n\n// MIR FOR CTFE\nfn f() -> u8 {\n    let mut _0: u8;\n\n    bb0: {\n        _0 = const 1_u8;\n        return;\n    }\n}\n";
    assert_eq!(parse_ok(text).bodies.len(), 1);
    let all = mir::parse(text, ParseOptions { keep_ctfe: true });
    assert_eq!(all.file.bodies.len(), 2);
    assert!(all.file.bodies.values().nth(1).unwrap().ctfe);
}

#[test]
fn spans_from_comments() {
    let text = "fn f(_1: u8) -> u8 {\n    debug x => _1;                    // in scope 0 at src/a.rs:1:6: 1:7\n    let mut _0: u8;                      // return place in scope 0 at src/a.rs:1:16: 1:18\n\n    bb0: {\n        _0 = copy _1;                    // scope 0 at src/a.rs:2:5: 2:6\n        return;                          // scope 0 at src/a.rs:3:2: 3:2\n    }\n}\n";
    let f = parse_ok(text);
    let b = f.bodies.values().next().unwrap();
    let span = b.stmts[0].span.unwrap();
    assert_eq!(
        (
            f.names.str(span.file),
            span.lo_line,
            span.lo_col,
            span.hi_line,
            span.hi_col
        ),
        ("src/a.rs", 2, 5, 2, 6)
    );
    let t = b.blocks.values().next().unwrap().term.span.unwrap();
    assert_eq!((t.lo_line, t.lo_col), (3, 2));
    assert_eq!(b.locals.values().next().unwrap().span.unwrap().lo_col, 16);
}

/// Malformed text: each gives one error, with its line and column and what was expected.
#[test]
fn malformed_text_is_reported() {
    let head = "fn f(_1: u8) -> u8 {\n    let mut _0: u8;\n\n    bb0: {\n";
    let tail = "\n        return;\n    }\n}\n";
    let cases: &[(&str, &str)] = &[
        ("stmt", "        _0 = copy _1 copy _1;"),
        ("place", "        _0 = copy (_1.0: u8;"),
        ("local", "        _0 = copy _9;"),
        ("const", "        _0 = const @;"),
        ("type", "        _0 = copy _1 as [u8; (IntToInt);"),
        ("cast", "        _0 = copy _1 as u8 (Bogus);"),
        ("target", "        goto -> bb7;\n    }\n\n    bb1: {"),
        ("string", "        _0 = const \"open;"),
        ("asm", "        asm!(\"nop\", options(NOMEM));"),
        ("switch", "        switchInt(copy _1) -> [0: bb0, bb1];"),
    ];
    let mut s = String::new();
    for (name, line) in cases {
        let text = format!("{head}{line}{tail}");
        let out = mir::parse(&text, ParseOptions::default());
        assert_eq!(out.errors.len(), 1, "{name}: {:?}", out.errors);
        let _ = writeln!(s, "{name}: {}", out.errors[0]);
    }
    for (name, text) in [
        (
            "alloc",
            "alloc1 (size: 4, align: 1) {\n    01 02 zz 04 │ ....\n}\n",
        ),
        (
            "alloc-size",
            "alloc1 (size: 4, align: 1) {\n    01 02 │ ..\n}\n",
        ),
        (
            "truncated",
            "fn f(_1: u8) -> u8 {\n    let mut _0: u8;\n\n    bb0: {\n        _0 = copy _1;\n",
        ),
        ("args", "fn f(_2: u8) -> u8 {\n"),
    ] {
        let out = mir::parse(text, ParseOptions::default());
        assert_eq!(out.errors.len(), 1, "{name}: {:?}", out.errors);
        let _ = writeln!(s, "{name}: {}", out.errors[0]);
    }
    insta::assert_snapshot!(s);
}

/// A bad body does not hide the good ones after it.
#[test]
fn reading_goes_on_after_an_error() {
    let text = format!(
        "fn bad() -> u8 {{\n    let mut _0: u8;\n\n    bb0: {{\n        _0 = ???;\n        return;\n    }}\n}}\n\n{SNIPPETS}"
    );
    let out = mir::parse(&text, ParseOptions::default());
    assert_eq!(out.errors.len(), 1);
    assert_eq!(out.errors[0].line, 5);
    assert_eq!(out.file.bodies.len(), parse_ok(SNIPPETS).bodies.len());
}

/// Types, places and constants nested far deeper than any real program, read on a small stack.
#[test]
fn deep_nesting_does_not_recurse() {
    let depth = 20_000;
    let ty = format!("{}u8{}", "(".repeat(depth), ",)".repeat(depth));
    let refs = format!("{}u8", "&".repeat(depth));
    let generic = format!("{}u8{}", "a::B<".repeat(depth), ">".repeat(depth));
    let place = format!("{}_1{}", "(*".repeat(depth), ")".repeat(depth));
    let konst = format!("{}1_u8{}", "[".repeat(depth), "]".repeat(depth));
    let text = format!(
        "fn f(_1: {refs}, _2: {ty}, _3: {generic}) -> u8 {{\n    let mut _0: u8;\n\n    bb0: {{\n        _0 = copy {place};\n        _0 = const {konst};\n        return;\n    }}\n}}\n"
    );
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let out = mir::parse(&text, ParseOptions::default());
            (out.errors.len(), out.file.bodies.len())
        })
        .unwrap();
    assert_eq!(handle.join().unwrap(), (0, 1));
}

/// Arbitrary bytes never make the reader panic.
#[test]
fn garbage_does_not_panic() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let pieces = [
        "fn ",
        "(",
        ")",
        "{",
        "}",
        "_1",
        ": ",
        "u8",
        "->",
        " ",
        "\n",
        "bb0",
        "const ",
        "alloc1",
        "╾",
        "╼",
        "│",
        "<",
        ">",
        "::",
        ";",
        "\"",
        "'",
        "=",
        "[",
        "]",
        "0x",
        "1",
        "as",
        "impl",
        "{closure@",
        "is",
        "..",
        "-",
    ];
    let snippet_bytes: Vec<char> = SNIPPETS.chars().collect();
    for round in 0..2000 {
        let mut s = String::new();
        for _ in 0..64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            if round % 2 == 0 {
                s.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            } else {
                // A slice of real text, cut at a random place.
                let at = (seed % snippet_bytes.len() as u64) as usize;
                s.extend(snippet_bytes[at..(at + 40).min(snippet_bytes.len())].iter());
            }
        }
        let _ = mir::parse(&s, ParseOptions::default());
    }
}

/// Tuple structs named like operators (`Add`, `Mul`, `Not`): their constructors print as
/// `Add(move _1)`, which is told apart from an operation by the assigned place's type.
#[test]
fn constructors_named_like_operators() {
    const TEXT: &str = "fn ops(_1: u32, _2: u32) -> u32 {
    let mut _0: u32;
    let mut _3: u32;

    bb0: {
        _3 = Mul(copy _1, copy _2);
        _0 = Not(move _3);
        return;
    }
}

fn Mul(_1: u32, _2: u32) -> Mul {
    let mut _0: Mul;

    bb0: {
        _0 = Mul(move _1, move _2);
        return;
    }
}

fn Not(_1: u32) -> Not {
    let mut _0: Not;

    bb0: {
        _0 = Not(move _1);
        return;
    }
}
";
    let f = parse_ok(TEXT);
    let kinds = |name: &str| -> Vec<String> {
        find(&f, name)
            .stmts
            .iter()
            .map(|s| match &s.kind {
                mir::StatementKind::Assign(_, rv) => match rv {
                    mir::Rvalue::BinaryOp(op, ..) => format!("binary {op:?}"),
                    mir::Rvalue::UnaryOp(op, _) => format!("unary {op:?}"),
                    mir::Rvalue::Aggregate(k, ops) => format!("aggregate {k:?} of {}", ops.len()),
                    other => format!("{other:?}"),
                },
                other => format!("{other:?}"),
            })
            .collect()
    };
    assert_eq!(kinds("ops"), ["binary Mul", "unary Not"]);
    let ctor = |k: &Vec<String>| k.len() == 1 && k[0].starts_with("aggregate Adt");
    assert!(ctor(&kinds("Mul")), "{:?}", kinds("Mul"));
    assert!(ctor(&kinds("Not")), "{:?}", kinds("Not"));
}
