// With a #[panic_handler], a panic whose location the MIR does not give is refused, naming the
// construct and where it is.
// refused: a panic of a macro of another crate (`panic!`
#![no_std]

#[panic_handler]
fn halt(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

#[unsafe(no_mangle)]
pub extern "C" fn literal(n: u32) -> u32 {
    if n > 2 {
        panic!("too big");
    }
    n
}
