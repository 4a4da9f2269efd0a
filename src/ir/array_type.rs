//! The abstract value of an array: its dtype and static shape.

use crate::array::DType;
use std::fmt;

/// What is known about an array at trace time: dtype and shape (an "aval" in JAX).
///
/// Prints like a jaxpr type annotation:
/// ```
/// use autobatch::{ir::ArrayType, DType};
/// let t = ArrayType::new(DType::F32, vec![100, 10]);
/// assert_eq!(t.to_string(), "f32[100,10]");
/// assert_eq!(t.size(), 1000);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ArrayType {
    /// The element type.
    pub dtype: DType,
    /// The extent of each axis, outermost first; empty for a scalar.
    pub shape: Vec<usize>,
}

impl ArrayType {
    /// An array type from a dtype and shape.
    ///
    /// ```
    /// let t = autobatch::ir::ArrayType::new(autobatch::DType::I32, vec![]);
    /// assert_eq!(t.rank(), 0);
    /// ```
    pub fn new(dtype: DType, shape: Vec<usize>) -> ArrayType {
        ArrayType { dtype, shape }
    }

    /// Number of axes.
    ///
    /// ```
    /// assert_eq!(autobatch::ir::ArrayType::new(autobatch::DType::F32, vec![2, 3]).rank(), 2);
    /// ```
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements (1 for a scalar; saturating at `usize::MAX`, which no valid
    /// array reaches).
    ///
    /// ```
    /// use autobatch::{ir::ArrayType, DType};
    /// assert_eq!(ArrayType::new(DType::F32, vec![2, 0]).size(), 0);
    /// assert_eq!(ArrayType::new(DType::F32, vec![usize::MAX, 2, 0]).size(), 0);
    /// ```
    pub fn size(&self) -> usize {
        shape_size(&self.shape)
    }
}

impl fmt::Display for ArrayType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[", self.dtype)?;
        for (i, d) in self.shape.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{d}")?;
        }
        f.write_str("]")
    }
}

/// The number of elements of `shape`: 0 if any extent is 0, else the product saturating
/// at `usize::MAX` (never overflowing, whatever the shape).
///
/// ```
/// assert_eq!(autobatch::ir::shape_size(&[3, 4]), 12);
/// assert_eq!(autobatch::ir::shape_size(&[usize::MAX, 0]), 0);
/// ```
pub fn shape_size(shape: &[usize]) -> usize {
    if shape.contains(&0) {
        return 0;
    }
    shape.iter().fold(1usize, |n, &d| n.saturating_mul(d))
}

/// Formats a shape the way messages show it: `[100, 10]`, `[]` for a scalar.
///
/// ```
/// assert_eq!(autobatch::ir::shape_str(&[100, 10]), "[100, 10]");
/// ```
pub fn shape_str(shape: &[usize]) -> String {
    format!("{shape:?}")
}
