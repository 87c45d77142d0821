// The crate's #[panic_handler] is called with core's `PanicInfo`: the handler records the
// location's line and column and the message's length (`PanicMessage::as_str`, `None` for a
// message with formatting arguments) in statics, counts its calls, and traps. Each panicking
// invocation is followed by `then:` calls on the same instance that read what it recorded.
// Compared with the build-std reference only: a crate with its own #[panic_handler] cannot be
// linked into a native program (std defines the `panic_impl` lang item too), and a native
// process could not be asked anything after its panic.
// references: build-std
// flags: --overflow-checks
// invoke: index 1
// invoke: index 7
// then: line
// then: column
// then: message
// then: calls
// invoke: add 4000000000 1
// invoke: add 4000000000 400000000
// then: line
// then: column
// then: message
// invoke: sub 3 5
// then: line
// then: column
// then: message
// invoke: divide 7 2
// invoke: divide 7 0
// then: line
// then: column
// then: message
// invoke: remainder 7 0
// then: line
// then: column
// then: message
// invoke: unwrap 3
// invoke: unwrap 0
// then: line
// then: column
// then: message
// invoke: expect 0
// then: line
// then: column
// then: message
// invoke: split 2
// invoke: split 9
// then: line
// then: column
// then: message
// invoke: nested 1 1
// invoke: nested 1 9
// then: line
// then: column
// then: calls
// invoke: own 2
// invoke: own 5
// then: line
// then: column
// then: message
// invoke: line
// invoke: calls
#![no_std]

use core::panic::PanicInfo;

static mut LINE: u32 = 0;
static mut COLUMN: u32 = 0;
static mut MESSAGE: u32 = 0;
static mut CALLS: u32 = 0;

#[panic_handler]
fn record(info: &PanicInfo) -> ! {
    unsafe {
        CALLS += 1;
        if let Some(at) = info.location() {
            LINE = at.line();
            COLUMN = at.column();
        }
        MESSAGE = match info.message().as_str() {
            Some(text) => text.len() as u32,
            None => 1000,
        };
    }
    core::arch::wasm32::unreachable()
}

#[unsafe(no_mangle)]
pub extern "C" fn line() -> u32 {
    unsafe { LINE }
}

#[unsafe(no_mangle)]
pub extern "C" fn column() -> u32 {
    unsafe { COLUMN }
}

#[unsafe(no_mangle)]
pub extern "C" fn message() -> u32 {
    unsafe { MESSAGE }
}

#[unsafe(no_mangle)]
pub extern "C" fn calls() -> u32 {
    unsafe { CALLS }
}

#[unsafe(no_mangle)]
pub extern "C" fn index(i: u32) -> u32 {
    let table = [10u32, 20, 30];
    table[i as usize]
}

#[unsafe(no_mangle)]
pub extern "C" fn add(x: u32, y: u32) -> u32 {
    x + y
}

#[unsafe(no_mangle)]
pub extern "C" fn sub(x: u32, y: u32) -> u32 {
    let d =
        x - y;
    d
}

#[unsafe(no_mangle)]
pub extern "C" fn divide(x: u32, y: u32) -> u32 {
    x / y
}

#[unsafe(no_mangle)]
pub extern "C" fn remainder(x: i32, y: i32) -> i32 {
    x % y
}

fn maybe(n: u32) -> Option<u32> {
    if n > 0 { Some(n * 2) } else { None }
}

#[unsafe(no_mangle)]
pub extern "C" fn unwrap(n: u32) -> u32 {
    maybe(n).unwrap()
}

#[unsafe(no_mangle)]
pub extern "C" fn expect(n: u32) -> u32 {
    maybe(n).expect("a positive number")
}

#[unsafe(no_mangle)]
pub extern "C" fn split(at: u32) -> u32 {
    let all = [1u32, 2, 3, 4];
    let (left, right) = all.split_at(at as usize);
    left.len() as u32 * 10 + right.len() as u32
}

/// A generic function of the crate whose bounds check fails.
fn pick<T: Copy>(items: &[T], i: usize) -> T {
    items[i]
}

#[unsafe(no_mangle)]
pub extern "C" fn nested(x: u32, i: u32) -> u32 {
    let items = [x, x + 1, x + 2];
    pick(&items, i as usize)
}

/// The crate's own `#[track_caller]` function: its panics are located at its caller's call.
#[track_caller]
fn element(items: &[u32], i: usize) -> u32 {
    match items.get(i) {
        Some(v) => *v,
        None => None::<u32>.unwrap(),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn own(i: u32) -> u32 {
    let items = [7u32, 8, 9];
    3 + element(&items, i as usize)
}
