// A linear value that is made and thrown away is flagged by `#[must_use]` (here made an error).
#![deny(unused_must_use)]

#[wasm::linear]
struct Token(u32);

fn issue() -> Token {
    Token(1)
}

fn main() {
    issue();
}
