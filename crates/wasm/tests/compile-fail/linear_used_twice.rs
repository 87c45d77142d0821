// A linear value is moved by its first use; a second use is a use after move.
#[wasm::linear]
struct Token(u32);

fn consume(token: Token) -> u32 {
    token.into_fields().0
}

fn main() {
    let token = Token(1);
    consume(token);
    consume(token);
}
