// The derive is refused wherever it is written, before the attribute too.
#[derive(Clone)]
#[wasm::linear]
struct Token(u32);

fn main() {}
