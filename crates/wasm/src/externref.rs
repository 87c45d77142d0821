//! Host references: [`ExternRef<T>`] and the [`ExternTable`] that holds what they refer to.
//!
//! In WebAssembly an `externref` is an opaque reference to a host value (a JavaScript object, a
//! WASI resource) that cannot be stored in linear memory; it lives in locals, globals and
//! tables. This module keeps that shape on every target: the host values live in an
//! [`ExternTable`], and an `ExternRef<T>` names a slot of it. Natively (and on wasm32 built by
//! stock rustc) the table is this crate's fixed-capacity slot array and the reference is an index
//! with a generation; a stale reference (its slot released and reused) is detected and refused,
//! never followed.
//!
//! # Hook for the compiler
//!
//! `rustc-wasmir` recognises the type by its path (`wasm::ExternRef` as rustc prints it in MIR,
//! `ExternRef` in a struct's fields) and lowers a value of it to a WasmIR `externref`: held in a
//! `wasm.local`, passed and returned as a wasm value, so an exported function taking or
//! returning one has `externref` parameters and results and a host passes real references in
//! and out (`rustc-frontend/tests/wasm_crate/`). An externref is opaque and has no address:
//! a struct, tuple, array or enum holding one, a reference to one, and the portable fields
//! (this type's `==`, `Debug` and [`ExternRef::slot`]) are refused with their location. Not done:
//! `wasm::externref::ExternTable` as a wasm table of `externref` (`insert`/`get`/`remove` as
//! `table.set`/`table.get`/`table.set` of null); it is lowered as the Rust slot array it is
//! (`docs/compiler-contract.md`).
use core::fmt;
use core::marker::PhantomData;
use core::sync::atomic::{AtomicU32, Ordering};

/// A reference to a host value of type `T`, kept in an [`ExternTable`].
///
/// It is `Copy`, like a wasm `externref`. It is `Send`/`Sync` only when `T` is both: a host
/// object (a JavaScript object above all) belongs to the thread that made it unless its type
/// says otherwise.
///
/// ```
/// use wasm::{ExternRef, ExternTable};
///
/// struct Canvas { width: u32 }
/// let mut table: ExternTable<Canvas, 4> = ExternTable::new();
/// let canvas: ExternRef<Canvas> = table.insert(Canvas { width: 640 }).unwrap();
/// assert_eq!(table.get(canvas).unwrap().width, 640);
/// let released = table.remove(canvas).unwrap();
/// assert_eq!(released.width, 640);
/// assert!(table.get(canvas).is_err()); // stale: refused, not followed
/// ```
pub struct ExternRef<T> {
    table: u32,
    slot: u32,
    generation: u32,
    _host: PhantomData<*const T>,
}

impl<T> Clone for ExternRef<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for ExternRef<T> {}

impl<T> PartialEq for ExternRef<T> {
    fn eq(&self, other: &Self) -> bool {
        (self.table, self.slot, self.generation) == (other.table, other.slot, other.generation)
    }
}
impl<T> Eq for ExternRef<T> {}

impl<T> fmt::Debug for ExternRef<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ExternRef(table {}, slot {}, generation {})",
            self.table, self.slot, self.generation
        )
    }
}

// SAFETY: the reference itself is three integers; what it reaches is a `T` in a table, and only
// through that table. Sending it to another thread is allowed when `T` may be sent and shared.
unsafe impl<T: Send + Sync> Send for ExternRef<T> {}
// SAFETY: as for `Send`.
unsafe impl<T: Send + Sync> Sync for ExternRef<T> {}

impl<T> ExternRef<T> {
    /// The slot the reference names in its table.
    pub fn slot(self) -> u32 {
        self.slot
    }
}

/// Why an [`ExternTable`] refused a reference.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExternRefError {
    /// The reference was made by another table.
    OtherTable,
    /// Its slot was released (and maybe reused) since the reference was made.
    Stale,
}

impl fmt::Display for ExternRefError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExternRefError::OtherTable => "the externref belongs to another table",
            ExternRefError::Stale => "the externref's slot was released: the reference is stale",
        })
    }
}

impl core::error::Error for ExternRefError {}

/// The table is full; the value that did not fit is given back.
pub struct TableFull<T>(pub T);

// Not derived: host values need not be `Debug`, and `.unwrap()` on an insert should still work.
impl<T> fmt::Debug for TableFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TableFull(the table of {} is full)",
            core::any::type_name::<T>()
        )
    }
}

enum Slot<T> {
    Vacant { generation: u32, next_free: u32 },
    Occupied { generation: u32, value: T },
}

/// No further vacant slot: the end of the free list.
const END: u32 = u32::MAX;

/// Tables get distinct ids so that a reference is never looked up in a table that did not make
/// it. Ids wrap after 2^32 tables; two tables that far apart in creation could then share one.
static NEXT_TABLE_ID: AtomicU32 = AtomicU32::new(0);

/// The host values that [`ExternRef`]s refer to: up to `N` of them, inserted and released in
/// O(1) through a free list.
pub struct ExternTable<T, const N: usize> {
    id: u32,
    slots: [Slot<T>; N],
    first_free: u32,
    len: usize,
}

impl<T, const N: usize> Default for ExternTable<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, const N: usize> ExternTable<T, N> {
    /// An empty table.
    ///
    /// # Panics
    ///
    /// At compile time of the instantiation, when `N` does not fit in a `u32` slot index (wasm
    /// tables are indexed by `i32`).
    pub fn new() -> Self {
        const {
            assert!(
                N < u32::MAX as usize,
                "an ExternTable has fewer than 2^32 - 1 slots"
            )
        };
        let mut index = 0u32;
        let slots = core::array::from_fn(|_| {
            index += 1;
            Slot::Vacant {
                generation: 0,
                next_free: if index as usize == N { END } else { index },
            }
        });
        ExternTable {
            id: NEXT_TABLE_ID.fetch_add(1, Ordering::Relaxed),
            slots,
            first_free: if N == 0 { END } else { 0 },
            len: 0,
        }
    }

    /// How many values the table holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table holds no value.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many values it can hold.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Stores `value` and returns a reference to it, or gives it back when the table is full.
    pub fn insert(&mut self, value: T) -> Result<ExternRef<T>, TableFull<T>> {
        let slot = self.first_free;
        if slot == END {
            return Err(TableFull(value));
        }
        let entry = &mut self.slots[slot as usize];
        let Slot::Vacant {
            generation,
            next_free,
        } = *entry
        else {
            unreachable!("the free list holds only vacant slots");
        };
        *entry = Slot::Occupied { generation, value };
        self.first_free = next_free;
        self.len += 1;
        Ok(ExternRef {
            table: self.id,
            slot,
            generation,
            _host: PhantomData,
        })
    }

    fn check(&self, reference: ExternRef<T>) -> Result<usize, ExternRefError> {
        if reference.table != self.id {
            return Err(ExternRefError::OtherTable);
        }
        match self.slots.get(reference.slot as usize) {
            Some(Slot::Occupied { generation, .. }) if *generation == reference.generation => {
                Ok(reference.slot as usize)
            }
            _ => Err(ExternRefError::Stale),
        }
    }

    /// The value `reference` refers to.
    pub fn get(&self, reference: ExternRef<T>) -> Result<&T, ExternRefError> {
        match &self.slots[self.check(reference)?] {
            Slot::Occupied { value, .. } => Ok(value),
            Slot::Vacant { .. } => unreachable!("`check` accepts only occupied slots"),
        }
    }

    /// The value `reference` refers to, mutably.
    pub fn get_mut(&mut self, reference: ExternRef<T>) -> Result<&mut T, ExternRefError> {
        let slot = self.check(reference)?;
        match &mut self.slots[slot] {
            Slot::Occupied { value, .. } => Ok(value),
            Slot::Vacant { .. } => unreachable!("`check` accepts only occupied slots"),
        }
    }

    /// Releases the slot and gives its value back. Every copy of `reference` becomes stale.
    /// A slot's generation wraps after 2^32 reuses, after which a very old copy could name the
    /// slot's newest value again.
    pub fn remove(&mut self, reference: ExternRef<T>) -> Result<T, ExternRefError> {
        let slot = self.check(reference)?;
        let vacant = Slot::Vacant {
            generation: reference.generation.wrapping_add(1),
            next_free: self.first_free,
        };
        let Slot::Occupied { value, .. } = core::mem::replace(&mut self.slots[slot], vacant) else {
            unreachable!("`check` accepts only occupied slots");
        };
        self.first_free = slot as u32;
        self.len -= 1;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_reused_and_stale_references_refused() {
        let mut table: ExternTable<u64, 2> = ExternTable::new();
        let a = table.insert(10).unwrap();
        let b = table.insert(20).unwrap();
        assert_eq!(table.insert(30).unwrap_err().0, 30);
        assert_eq!(table.len(), 2);
        *table.get_mut(b).unwrap() += 1;
        assert_eq!(table.remove(a), Ok(10));
        let c = table.insert(40).unwrap();
        assert_eq!(c.slot(), a.slot());
        assert_eq!(table.get(a), Err(ExternRefError::Stale));
        assert_eq!(table.remove(a), Err(ExternRefError::Stale));
        assert_eq!(table.get(c), Ok(&40));
        assert_eq!(table.get(b), Ok(&21));
        assert_ne!(a, c);
    }

    #[test]
    fn references_belong_to_their_table() {
        let mut first: ExternTable<&str, 1> = ExternTable::new();
        let mut second: ExternTable<&str, 1> = ExternTable::new();
        let r = first.insert("host object").unwrap();
        second.insert("another").unwrap();
        assert_eq!(second.get(r), Err(ExternRefError::OtherTable));
        assert_eq!(first.get(r), Ok(&"host object"));
    }

    #[test]
    fn an_empty_table_is_full() {
        let mut table: ExternTable<u8, 0> = ExternTable::new();
        assert!(table.insert(1).is_err());
        assert_eq!(table.capacity(), 0);
    }
}
