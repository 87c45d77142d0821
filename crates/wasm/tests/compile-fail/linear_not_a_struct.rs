#[wasm::linear]
enum Resource {
    File(u32),
    Socket(u32),
}

fn main() {}
