// Effects are WasmIR's names; a JavaScript call is `host_call`.
#[wasm::effect(reads(mem), js_call)]
fn fetch(url: &str) -> usize {
    url.len()
}

fn main() {}
