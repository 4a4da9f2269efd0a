//! The storage of a concrete array: one typed, row-major vector.

use super::dtype::DType;

/// Row-major element storage, one variant per [`DType`].
///
/// ```
/// use autobatch::array::Buffer;
/// let b = Buffer::F32(vec![1.0, 2.0]);
/// assert_eq!(b.len(), 2);
/// assert_eq!(b.dtype(), autobatch::DType::F32);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Buffer {
    /// `f32` elements.
    F32(Vec<f32>),
    /// `f64` elements.
    F64(Vec<f64>),
    /// `i32` elements.
    I32(Vec<i32>),
    /// `u32` elements.
    U32(Vec<u32>),
    /// `bool` elements.
    Bool(Vec<bool>),
}

/// Runs `$body` with `$v` bound to the vector inside any [`Buffer`] variant.
///
/// `$body` is instantiated once per element type, so it can be generic code.
#[macro_export]
#[doc(hidden)]
macro_rules! with_buffer {
    ($buf:expr, $v:ident => $body:expr) => {
        match $buf {
            $crate::array::Buffer::F32($v) => $body,
            $crate::array::Buffer::F64($v) => $body,
            $crate::array::Buffer::I32($v) => $body,
            $crate::array::Buffer::U32($v) => $body,
            $crate::array::Buffer::Bool($v) => $body,
        }
    };
}

impl Buffer {
    /// The dtype of the elements.
    ///
    /// ```
    /// assert_eq!(autobatch::array::Buffer::Bool(vec![]).dtype(), autobatch::DType::Bool);
    /// ```
    pub fn dtype(&self) -> DType {
        match self {
            Buffer::F32(_) => DType::F32,
            Buffer::F64(_) => DType::F64,
            Buffer::I32(_) => DType::I32,
            Buffer::U32(_) => DType::U32,
            Buffer::Bool(_) => DType::Bool,
        }
    }

    /// Number of elements.
    ///
    /// ```
    /// assert_eq!(autobatch::array::Buffer::I32(vec![1, 2, 3]).len(), 3);
    /// ```
    pub fn len(&self) -> usize {
        with_buffer!(self, v => v.len())
    }

    /// Whether there are no elements.
    ///
    /// ```
    /// assert!(autobatch::array::Buffer::U32(vec![]).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A buffer of `n` zeros (false for `Bool`), or `None` if the memory cannot be had.
    ///
    /// ```
    /// use autobatch::{array::Buffer, DType};
    /// assert_eq!(Buffer::zeros(DType::I32, 2), Some(Buffer::I32(vec![0, 0])));
    /// ```
    pub fn zeros(dtype: DType, n: usize) -> Option<Buffer> {
        fn z<T: Copy>(n: usize, zero: T) -> Option<Vec<T>> {
            let mut v = Vec::new();
            v.try_reserve_exact(n).ok()?;
            v.resize(n, zero);
            Some(v)
        }
        Some(match dtype {
            DType::F32 => Buffer::F32(z(n, 0.0)?),
            DType::F64 => Buffer::F64(z(n, 0.0)?),
            DType::I32 => Buffer::I32(z(n, 0)?),
            DType::U32 => Buffer::U32(z(n, 0)?),
            DType::Bool => Buffer::Bool(z(n, false)?),
        })
    }

    /// The element at flat index `i` widened to `f64` (`bool` is 0 or 1).
    ///
    /// # Panics
    /// If `i` is out of range (callers index within the length they checked).
    ///
    /// ```
    /// assert_eq!(autobatch::array::Buffer::I32(vec![4, 5]).get_f64(1), 5.0);
    /// ```
    pub fn get_f64(&self, i: usize) -> f64 {
        match self {
            Buffer::F32(v) => v[i] as f64,
            Buffer::F64(v) => v[i],
            Buffer::I32(v) => v[i] as f64,
            Buffer::U32(v) => v[i] as f64,
            Buffer::Bool(v) => {
                if v[i] {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}
