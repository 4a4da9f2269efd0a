//! Printing arrays like NumPy: `Array([1., 2.], dtype=f32)`.

use super::core::{Array, Repr};
use std::fmt;

impl fmt::Display for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Concrete(c) => write!(f, "Array({:?}, dtype={})", c.buffer, c.ty.dtype),
            Repr::Traced(t) => write!(f, "Traced<{}>", t.ty),
            Repr::Error(e) => write!(f, "Error({e})"),
        }
    }
}

impl fmt::Debug for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
