//! Type promotion (JAX's table, 32-bit mode) and weakly typed Rust scalars.
//!
//! Rust numbers used as operands are *weakly typed*, like Python scalars in JAX: they
//! take the dtype of the array they meet (`2.0 * x` keeps `x`'s float dtype, `x + 1`
//! keeps `x`'s integer dtype). A float number meeting an integer or bool array gives the
//! default float dtype `f32`. Two arrays promote by the lattice
//! `bool < {i32, u32} < f32 < f64`, with `i32` and `u32` meeting at `i32`.

use super::core::Array;
use super::dtype::DType;

/// Anything usable as an array operand: an `Array`, `&Array`, or a Rust number (weakly
/// typed) or `bool` (a `bool` scalar).
///
/// ```
/// use autobatch::{array::{ArrayLike, Operand}, Array};
/// assert!(matches!(2.0.into_operand(), Operand::Float(_)));
/// assert!(matches!((&Array::zeros(&[1])).into_operand(), Operand::Array(_)));
/// ```
pub trait ArrayLike {
    /// The operand this value stands for.
    fn into_operand(self) -> Operand;
}

/// An operand before promotion: an array, or a weakly typed number.
///
/// ```
/// use autobatch::{array::{ArrayLike, Operand}, DType};
/// let x = Operand::Float(0.5).into_array(DType::F64);
/// assert_eq!(x.dtype(), DType::F64);
/// ```
#[derive(Clone, Debug)]
pub enum Operand {
    /// An array (strongly typed).
    Array(Array),
    /// A Rust float literal or value (weakly typed).
    Float(f64),
    /// A Rust integer literal or value (weakly typed).
    Int(i64),
}

impl Operand {
    /// The operand as an array of `dtype`: a weak number becomes a scalar of that dtype
    /// (rounded or wrapped as `as` does); an array is converted if its dtype differs.
    ///
    /// ```
    /// use autobatch::{array::Operand, DType};
    /// assert_eq!(Operand::Int(3).into_array(DType::F32).item::<f32>().unwrap(), 3.0);
    /// ```
    #[track_caller]
    pub fn into_array(self, dtype: DType) -> Array {
        match self {
            Operand::Array(a) => super::lax::convert(&a, dtype),
            Operand::Float(v) => scalar_of(v, dtype),
            Operand::Int(v) => match dtype {
                DType::I32 => Array::scalar(v as i32),
                DType::U32 => Array::scalar(v as u32),
                _ => scalar_of(v as f64, dtype),
            },
        }
    }

    /// The dtype this operand contributes to promotion, and whether it is weak.
    ///
    /// ```
    /// use autobatch::{array::Operand, DType};
    /// assert_eq!(Operand::Float(1.0).dtype_and_weakness(), (DType::F32, true));
    /// ```
    pub fn dtype_and_weakness(&self) -> (DType, bool) {
        match self {
            Operand::Array(a) => (a.dtype(), false),
            Operand::Float(_) => (DType::F32, true),
            Operand::Int(_) => (DType::I32, true),
        }
    }

    /// The shape the operand has (`[]` for numbers).
    ///
    /// ```
    /// assert!(autobatch::array::Operand::Int(1).shape().is_empty());
    /// ```
    pub fn shape(&self) -> &[usize] {
        match self {
            Operand::Array(a) => a.shape(),
            _ => &[],
        }
    }
}

fn scalar_of(v: f64, dtype: DType) -> Array {
    match dtype {
        DType::F32 => Array::scalar(v as f32),
        DType::F64 => Array::scalar(v),
        DType::I32 => Array::scalar(v as i32),
        DType::U32 => Array::scalar(v as u32),
        DType::Bool => Array::scalar(v != 0.0),
    }
}

impl ArrayLike for Array {
    fn into_operand(self) -> Operand {
        Operand::Array(self)
    }
}
impl ArrayLike for &Array {
    fn into_operand(self) -> Operand {
        Operand::Array(self.clone())
    }
}
impl ArrayLike for &&Array {
    fn into_operand(self) -> Operand {
        Operand::Array((*self).clone())
    }
}
impl ArrayLike for Operand {
    fn into_operand(self) -> Operand {
        self
    }
}
impl ArrayLike for bool {
    fn into_operand(self) -> Operand {
        Operand::Array(Array::scalar(self))
    }
}
macro_rules! weak_number {
    ($variant:ident: $($t:ty),*) => {$(
        impl ArrayLike for $t {
            fn into_operand(self) -> Operand {
                Operand::$variant(self as _)
            }
        }
    )*};
}
weak_number!(Float: f32, f64);
weak_number!(Int: i32, i64, u32, usize, isize);

/// The dtype two strongly typed dtypes promote to.
///
/// ```
/// use autobatch::{array::promote_types, DType};
/// assert_eq!(promote_types(DType::I32, DType::F32), DType::F32);
/// assert_eq!(promote_types(DType::F32, DType::F64), DType::F64);
/// assert_eq!(promote_types(DType::I32, DType::U32), DType::I32);
/// assert_eq!(promote_types(DType::Bool, DType::U32), DType::U32);
/// ```
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    match (a, b) {
        _ if a == b => a,
        (Bool, x) | (x, Bool) => x,
        (F64, _) | (_, F64) => F64,
        (F32, _) | (_, F32) => F32,
        (I32, U32) | (U32, I32) => I32,
        _ => a,
    }
}

/// The dtype a set of operands promotes to, honouring weak numbers.
///
/// ```
/// use autobatch::{array::{result_type, ArrayLike}, Array, DType};
/// let x = Array::zeros(&[2]).astype(DType::F64);
/// assert_eq!(result_type(&[(&x).into_operand(), 2.0.into_operand()]), DType::F64);
/// let i = Array::scalar(1i32);
/// assert_eq!(result_type(&[i.into_operand(), 2.0.into_operand()]), DType::F32);
/// assert_eq!(result_type(&[2.into_operand(), 3.into_operand()]), DType::I32);
/// ```
pub fn result_type(operands: &[Operand]) -> DType {
    let mut strong: Option<DType> = None;
    let mut weak_float = false;
    let mut weak_int = false;
    for op in operands {
        match op {
            Operand::Array(a) => {
                strong = Some(match strong {
                    None => a.dtype(),
                    Some(d) => promote_types(d, a.dtype()),
                })
            }
            Operand::Float(_) => weak_float = true,
            Operand::Int(_) => weak_int = true,
        }
    }
    match strong {
        Some(d) if weak_float && !d.is_float() => DType::F32,
        Some(DType::Bool) if weak_int => DType::I32,
        Some(d) => d,
        None if weak_float => DType::F32,
        None => DType::I32,
    }
}
