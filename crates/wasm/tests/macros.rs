//! The macros as a user crate sees them: `#[wasm::linear]`, `#[derive(wasm::Pod)]`,
//! `#[wasm::export]`, `#[wasm::effect(...)]`, run natively.
use wasm::{Handle, Linear, Pod, SharedSlice};

#[wasm::linear]
struct Canvas {
    handle: Handle,
    draws: u32,
}

impl Canvas {
    fn open(raw: u32) -> Canvas {
        Canvas {
            handle: Handle::from_raw(raw),
            draws: 0,
        }
    }

    fn draw(&mut self) {
        self.draws += 1;
    }

    /// Consumes the canvas: the handle goes back to the host.
    fn close(self) -> (u32, u32) {
        let (handle, draws) = self.into_fields();
        (handle.into_raw(), draws)
    }
}

#[wasm::linear]
struct Token(u64);

/// A linear type with no field: a pure capability, consumed to prove it was used.
#[wasm::linear]
struct Permit;

#[wasm::linear]
struct Pair<T: Send> {
    first: T,
    second: T,
}

fn is_linear<T: Linear>() {}

#[test]
fn linear_values_are_consumed_through_their_fields() {
    let mut canvas = Canvas::open(3);
    canvas.draw();
    canvas.draw();
    assert_eq!(canvas.close(), (3, 2));
    let (raw,) = Token(9).into_fields();
    assert_eq!(raw, 9);
    let () = Permit.into_fields();
    let pair = Pair {
        first: String::from("a"),
        second: String::from("b"),
    };
    let (first, second) = pair.into_fields();
    assert_eq!(first + &second, "ab");
    is_linear::<Canvas>();
    is_linear::<Permit>();
    is_linear::<Pair<u8>>();
}

#[test]
#[should_panic(expected = "linear value of type `macros::Token` dropped without being consumed")]
fn an_implicit_drop_is_reported() {
    let token = Token(1);
    let _ = &token;
}

#[derive(Clone, Copy, Pod, PartialEq, Debug)]
#[repr(C)]
struct Vertex {
    position: [f32; 3],
    color: u32,
}

#[derive(Clone, Copy, Pod, PartialEq, Debug)]
#[repr(transparent)]
struct Meters(f64);

#[derive(Clone, Copy, Pod)]
#[repr(C, packed)]
struct Packed {
    tag: u8,
    value: u32,
}

#[test]
fn derived_pod_types_share_and_round_trip() {
    let mut vertices = [Vertex {
        position: [0.0; 3],
        color: 0,
    }; 4];
    let shared = SharedSlice::new(&mut vertices);
    shared
        .set(
            2,
            Vertex {
                position: [1.0, 2.0, 3.0],
                color: 0xff,
            },
        )
        .unwrap();
    assert_eq!(shared.get(2).unwrap().color, 0xff);
    assert_eq!(vertices[2].position, [1.0, 2.0, 3.0]);
    let bytes = wasm::pod::bytes_of(&Meters(2.5));
    assert_eq!(wasm::pod::read_from_bytes::<Meters>(bytes), Ok(Meters(2.5)));
    assert_eq!(core::mem::size_of::<Packed>(), 5);
    let packed: Packed = wasm::pod::zeroed();
    assert_eq!({ packed.value }, 0);
}

#[wasm::export(name = "wasm_crate_test_add")]
fn add(a: i32, b: i32) -> i32 {
    a.wrapping_add(b)
}

#[wasm::export]
fn wasm_crate_test_release(handle: Handle) -> u32 {
    handle.into_raw() + 1
}

/// The exports as the host sees them: symbols with C signatures.
mod host {
    unsafe extern "C" {
        pub fn wasm_crate_test_add(a: i32, b: i32) -> i32;
        pub fn wasm_crate_test_release(handle: u32) -> u32;
    }
}

#[test]
fn exports_are_symbols_of_the_binary() {
    assert_eq!(add(1, 2), 3);
    // SAFETY: the signatures match the exported shims (`Handle` is a transparent `u32`).
    unsafe {
        assert_eq!(host::wasm_crate_test_add(i32::MAX, 1), i32::MIN);
        assert_eq!(host::wasm_crate_test_release(41), 42);
    }
}

struct Cache {
    hits: u32,
}

impl Cache {
    #[wasm::effect(reads(mem), writes(mem))]
    fn hit(&mut self) -> u32 {
        self.hits += 1;
        self.hits
    }
}

#[wasm::effect(pure)]
fn square(x: u32) -> u32 {
    x * x
}

#[wasm::effect(host_call, atomic, reads(mem), trap)]
fn generic_len<T>(items: &[T]) -> usize {
    items.len()
}

#[test]
fn effect_declarations_leave_functions_unchanged() {
    let mut cache = Cache { hits: 0 };
    cache.hit();
    assert_eq!(cache.hit(), 2);
    assert_eq!(square(12), 144);
    assert_eq!(generic_len(&[1, 2, 3]), 3);
}
