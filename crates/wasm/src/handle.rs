/// A handle to a host resource: the `i32` a host gives out for something it owns (a canvas, a
/// file, a GPU buffer), held by value.
///
/// It is move-only (neither `Copy` nor `Clone`), so a type that wraps it owns the resource; make
/// such a type `#[wasm::linear]` to have the release checked:
///
/// ```
/// #[wasm::linear]
/// struct Canvas(wasm::Handle);
///
/// impl Canvas {
///     fn close(self) -> u32 {
///         let (handle,) = self.into_fields();
///         handle.into_raw() // here the host would be told to release it
///     }
/// }
///
/// let canvas = Canvas(wasm::Handle::from_raw(7));
/// assert_eq!(canvas.close(), 7);
/// ```
///
/// It has the layout of a `u32` (`repr(transparent)`), crosses an export as an `i32`, and has no
/// destructor: dropping a bare `Handle` releases nothing on the host side.
#[repr(transparent)]
#[derive(PartialEq, Eq, Hash, Debug)]
pub struct Handle(u32);

impl Handle {
    /// The handle the host gave as `raw`.
    pub const fn from_raw(raw: u32) -> Self {
        Handle(raw)
    }

    /// The number, without giving the handle up.
    pub const fn raw(&self) -> u32 {
        self.0
    }

    /// The number, giving the handle up (to pass it back to the host).
    pub const fn into_raw(self) -> u32 {
        self.0
    }
}
