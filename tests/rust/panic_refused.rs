// With a #[panic_handler], a panic whose location the MIR does not give is refused, naming the
// construct and where it is: a `panic!` of the crate (rustc's MIR places the macro's call in
// core's source, not at the invocation) and an overflow check inside core's `u32::pow` (not
// `#[track_caller]`: its location is in core's source, whose MIR is read without spans).
// flags: --overflow-checks
// refused: a panic of a macro of another crate (`panic!`
// refused: a panic whose location is in a library's source
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

#[unsafe(no_mangle)]
pub extern "C" fn power(b: u32, e: u32) -> u32 {
    b.pow(e)
}
