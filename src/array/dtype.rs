//! Element types, and the Rust types that hold them.

use std::fmt;

/// The element type of an [`Array`](crate::Array). `F32` is the default, as in JAX.
///
/// ```
/// use autobatch::{Array, DType};
/// assert_eq!(Array::zeros(&[2]).dtype(), DType::F32);
/// assert_eq!(DType::F64.to_string(), "f64");
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    /// 32-bit IEEE float (the default).
    F32,
    /// 64-bit IEEE float.
    F64,
    /// 32-bit signed integer, wrapping on overflow.
    I32,
    /// 32-bit unsigned integer, wrapping on overflow.
    U32,
    /// Boolean.
    Bool,
}

impl DType {
    /// Every dtype, in a fixed order (useful for tests and tables).
    ///
    /// ```
    /// assert_eq!(autobatch::DType::ALL.len(), 5);
    /// ```
    pub const ALL: [DType; 5] = [DType::F32, DType::F64, DType::I32, DType::U32, DType::Bool];

    /// Whether this is `F32` or `F64`.
    ///
    /// ```
    /// assert!(autobatch::DType::F64.is_float());
    /// assert!(!autobatch::DType::I32.is_float());
    /// ```
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64)
    }

    /// Whether this is `I32` or `U32`.
    ///
    /// ```
    /// assert!(autobatch::DType::U32.is_int());
    /// ```
    pub fn is_int(self) -> bool {
        matches!(self, DType::I32 | DType::U32)
    }

    /// Size of one element in bytes (`Bool` counts 1).
    ///
    /// ```
    /// assert_eq!(autobatch::DType::F64.size_bytes(), 8);
    /// ```
    pub fn size_bytes(self) -> usize {
        match self {
            DType::F64 => 8,
            DType::F32 | DType::I32 | DType::U32 => 4,
            DType::Bool => 1,
        }
    }

    /// The short name used in printed programs and messages: `f32`, `f64`, `i32`, `u32`, `bool`.
    ///
    /// ```
    /// assert_eq!(autobatch::DType::Bool.name(), "bool");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::F64 => "f64",
            DType::I32 => "i32",
            DType::U32 => "u32",
            DType::Bool => "bool",
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A Rust type that can be an array element: `f32`, `f64`, `i32`, `u32`, `bool`.
///
/// ```
/// use autobatch::{DType, Element};
/// assert_eq!(<f64 as Element>::DTYPE, DType::F64);
/// assert_eq!(f32::from_f64(0.5), 0.5f32);
/// ```
pub trait Element: Copy + Send + Sync + PartialEq + fmt::Debug + 'static {
    /// The dtype that stores this type.
    const DTYPE: DType;
    /// Convert from `f64` with `as`-cast semantics (saturating, NaN to 0 for integers).
    fn from_f64(v: f64) -> Self;
    /// Convert to `f64` (exact for every element type but large `u32`/`i32`, which are exact too).
    fn to_f64(self) -> f64;
    /// Wrap a vector of this type into a [`Buffer`](crate::array::Buffer).
    fn into_buffer(v: Vec<Self>) -> crate::array::Buffer;
    /// Borrow the data of a buffer of this type, or `None` for another dtype.
    fn slice_of(b: &crate::array::Buffer) -> Option<&[Self]>;
}

macro_rules! element {
    ($t:ty, $variant:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$variant;
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn into_buffer(v: Vec<Self>) -> crate::array::Buffer {
                crate::array::Buffer::$variant(v)
            }
            fn slice_of(b: &crate::array::Buffer) -> Option<&[Self]> {
                match b {
                    crate::array::Buffer::$variant(v) => Some(v),
                    _ => None,
                }
            }
        }
    };
}
element!(f32, F32);
element!(f64, F64);
element!(i32, I32);
element!(u32, U32);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    fn to_f64(self) -> f64 {
        if self { 1.0 } else { 0.0 }
    }
    fn into_buffer(v: Vec<Self>) -> crate::array::Buffer {
        crate::array::Buffer::Bool(v)
    }
    fn slice_of(b: &crate::array::Buffer) -> Option<&[Self]> {
        match b {
            crate::array::Buffer::Bool(v) => Some(v),
            _ => None,
        }
    }
}
