//! Input depth must not reach the machine stack: 100k nested blocks go through import, print,
//! parse, verify and export, and come back as the same instructions.

/// `(block (result i32) … (i32.const 7) …)` nested `depth` times, as a binary.
fn nested_blocks(depth: usize) -> Vec<u8> {
    let mut wat = String::with_capacity(depth * 21 + 64);
    wat.push_str("(module (func (export \"f\") (result i32)");
    for _ in 0..depth {
        wat.push_str("(block (result i32) ");
    }
    wat.push_str("(i32.const 7)");
    for _ in 0..depth {
        wat.push(')');
    }
    wat.push_str("))");
    wat::parse_str(&wat).expect("valid wat")
}

#[test]
fn hundred_thousand_nested_blocks_round_trip() {
    let input = nested_blocks(100_000);
    // On a small stack, so that any recursion on depth would overflow.
    let out = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || wasmir_translate::roundtrip_wasm(&input).map(|(_, out)| (input, out)))
        .expect("thread")
        .join()
        .expect("no stack overflow");
    let (input, out) = out.expect("round trip");
    // The same code, but for the outermost block: it is the function's own label, so the
    // exporter writes its contents as the body (one `block` with its type and one `end` fewer).
    let code = |b: &[u8]| -> Vec<u8> {
        wasmparser::Parser::new(0)
            .parse_all(b)
            .find_map(|p| match p.ok()? {
                wasmparser::Payload::CodeSectionEntry(body) => Some(body.as_bytes().to_vec()),
                _ => None,
            })
            .expect("one function body")
    };
    let (a, b) = (code(&input), code(&out));
    assert_eq!(a.len() - b.len(), 3, "the body changed more than the folded outer block");
    assert_eq!(&a[a.len() - 100..], &b[b.len() - 100..]);
}

/// The same 100k nested blocks through `lower-to-cfg` (100k blocks in one region) and back
/// through `structurize`, on a small stack: both passes work with explicit stacks.
#[test]
fn hundred_thousand_nested_blocks_through_cfg_and_back() {
    let input = nested_blocks(100_000);
    let out = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let pipeline = wasmir::pass::pipeline::parse("module(func(lower-to-cfg,structurize))").map_err(|d| d.message)?;
            wasmir_translate::roundtrip_wasm_with(&input, Some(&pipeline)).map(|(_, out)| out)
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
    let out = out.expect("round trip through CFG form");
    // The chain of blocks passes 7 along without locals and ends up as straight-line code.
    let text = wasmprinter::print_bytes(&out).expect("printable");
    assert!(text.contains("i32.const 7"), "{text}");
    assert!(text.len() < 1000, "the nesting was not flattened: {} bytes of text", text.len());
}
