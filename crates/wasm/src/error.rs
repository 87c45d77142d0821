use core::fmt;

/// Why an access to memory was refused. Every checked access of this crate reports one of these
/// instead of touching memory it must not.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AccessError {
    /// The access reaches past the end: `end` is one past its last element (or byte), `len` the
    /// number of elements (or bytes) there are.
    OutOfBounds {
        /// One past the last element or byte the access needs.
        end: usize,
        /// How many elements or bytes there are.
        len: usize,
    },
    /// The address is not a multiple of the alignment the type needs.
    Misaligned {
        /// The address (a host address, or an offset in a region).
        address: usize,
        /// The alignment required.
        align: usize,
    },
    /// A byte length that is not a whole number of elements, or a zero-sized element type where
    /// elements must be counted from bytes.
    SizeMismatch {
        /// The byte length given.
        bytes: usize,
        /// The element size.
        element_size: usize,
    },
    /// A null pointer where memory was expected.
    Null,
    /// An atomic view was asked for an element type that this target accesses in smaller
    /// atomic units (for example `u64` where it is only 4-byte aligned): a whole-element atomic
    /// would race with those smaller accesses.
    AtomicUnavailable,
}

impl fmt::Display for AccessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            AccessError::OutOfBounds { end, len } => {
                write!(
                    f,
                    "access out of bounds: it reaches {end}, the length is {len}"
                )
            }
            AccessError::Misaligned { address, align } => {
                write!(
                    f,
                    "misaligned access: address {address:#x} is not a multiple of {align}"
                )
            }
            AccessError::SizeMismatch {
                bytes,
                element_size,
            } => {
                write!(
                    f,
                    "{bytes} bytes are not a whole number of {element_size}-byte elements"
                )
            }
            AccessError::Null => f.write_str("null pointer"),
            AccessError::AtomicUnavailable => f.write_str(
                "no atomic of the element's size at the element's alignment on this target",
            ),
        }
    }
}

impl core::error::Error for AccessError {}

/// `start..end` inside `0..len`, or the error that says how far it reaches.
pub(crate) fn check_range(start: usize, end: usize, len: usize) -> Result<(), AccessError> {
    if start > end || end > len {
        return Err(AccessError::OutOfBounds {
            end: end.max(start),
            len,
        });
    }
    Ok(())
}
