// An export's parameters and result must each be one wasm value.
#[wasm::export]
fn greet(name: String) -> u32 {
    name.len() as u32
}

fn main() {}
