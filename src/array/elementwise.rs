//! Elementwise math with NumPy broadcasting and JAX's type promotion.
//!
//! Every function promotes its operands (`promote.rs`), broadcasts them (`broadcast.rs`)
//! and applies one elementwise primitive. Float-only functions (`exp`, `log`, ...)
//! promote integer and bool inputs to `f32` first, as `jax.numpy` does.

use super::broadcast::broadcast_all;
use super::buffer::Buffer;
use super::core::Array;
use super::dtype::DType;
use super::lax;
use super::promote::{ArrayLike, Operand, result_type};
use crate::backend::cpu::Slice;
use crate::ir::{BinaryOp, CompareOp, UnaryOp};

/// Promotes and broadcasts operands to one dtype and shape (`dtype` overrides the
/// promoted dtype when given); an error array naming `op` if they do not broadcast.
#[track_caller]
pub(crate) fn prepare(
    op: &str,
    operands: Vec<Operand>,
    dtype: Option<DType>,
) -> Result<Vec<Array>, Array> {
    let dtype = dtype.unwrap_or_else(|| result_type(&operands));
    let arrays: Vec<Array> = operands.into_iter().map(|o| o.into_array(dtype)).collect();
    broadcast_all(&arrays, op)
}

/// The arithmetic dtype of operands: bool arithmetic computes in `i32`.
fn arithmetic_dtype(operands: &[Operand]) -> DType {
    match result_type(operands) {
        DType::Bool => DType::I32,
        d => d,
    }
}

/// `op` applied elementwise after promotion and broadcasting.
#[track_caller]
pub(crate) fn binary_op(name: &str, op: BinaryOp, a: Operand, b: Operand) -> Array {
    let operands = [a, b];
    let dtype = match op {
        BinaryOp::Div | BinaryOp::Pow => {
            let d = result_type(&operands);
            if d.is_float() { d } else { DType::F32 }
        }
        BinaryOp::Max | BinaryOp::Min | BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => {
            result_type(&operands)
        }
        _ => arithmetic_dtype(&operands),
    };
    if let Some(y) = eager_binary(op, dtype, &operands[0], &operands[1]) {
        return y;
    }
    match prepare(name, Vec::from(operands), Some(dtype)) {
        Ok(v) => lax::binary(op, &v[0], &v[1]),
        Err(e) => e,
    }
}

/// The eager shortcut of [`binary_op`]: where both operands are concrete arrays already of
/// `dtype` (or numbers), of one shape or one of them a scalar, the kernel runs on their
/// buffers directly, a scalar read in place: no broadcast is materialized and no trace is
/// consulted (concrete operands are evaluated eagerly under any trace). The same kernel
/// as the general path, so the same bits. `None` where the general path must run
/// (traced or erroneous operands, conversions, broadcasts between non-scalars).
fn eager_binary(op: BinaryOp, dtype: DType, a: &Operand, b: &Operand) -> Option<Array> {
    let (a, a_shape) = eager_operand(a, dtype)?;
    let (b, b_shape) = eager_operand(b, dtype)?;
    let shape = match (a_shape, b_shape) {
        (x, y) if x == y => x,
        (x, []) => x,
        ([], y) => y,
        _ => return None,
    };
    let y = crate::backend::cpu::binary_slices(op, a.slice(), b.slice()).ok()?;
    Some(Array::from_concrete(
        crate::ir::ArrayType::new(dtype, shape.to_vec()),
        y,
    ))
}

/// An eager operand's elements: a concrete array's buffer, or a number held here as one
/// element of the operation's dtype (read in place, no buffer made for it).
enum EagerValue<'a> {
    Buffer(&'a Buffer),
    F32(f32),
    F64(f64),
    I32(i32),
    U32(u32),
    Bool(bool),
}

impl EagerValue<'_> {
    fn slice(&self) -> Slice<'_> {
        use std::slice::from_ref;
        match self {
            EagerValue::Buffer(b) => Slice::of(b),
            EagerValue::F32(v) => Slice::F32(from_ref(v)),
            EagerValue::F64(v) => Slice::F64(from_ref(v)),
            EagerValue::I32(v) => Slice::I32(from_ref(v)),
            EagerValue::U32(v) => Slice::U32(from_ref(v)),
            EagerValue::Bool(v) => Slice::Bool(from_ref(v)),
        }
    }
}

/// An operand's elements (borrowed from a concrete array of `dtype`, or a number as one
/// element of `dtype`, converted as [`Operand::into_array`] converts it) and its shape.
fn eager_operand(o: &Operand, dtype: DType) -> Option<(EagerValue<'_>, &[usize])> {
    let number = |v: f64| match dtype {
        DType::F32 => EagerValue::F32(v as f32),
        DType::F64 => EagerValue::F64(v),
        DType::I32 => EagerValue::I32(v as i32),
        DType::U32 => EagerValue::U32(v as u32),
        DType::Bool => EagerValue::Bool(v != 0.0),
    };
    match o {
        Operand::Array(a) => {
            let c = a.concrete()?;
            (c.ty.dtype == dtype).then_some((EagerValue::Buffer(c.buffer()?), &c.ty.shape[..]))
        }
        Operand::Float(v) => Some((number(*v), &[])),
        Operand::Int(v) => Some((
            match dtype {
                DType::I32 => EagerValue::I32(*v as i32),
                DType::U32 => EagerValue::U32(*v as u32),
                _ => number(*v as f64),
            },
            &[],
        )),
    }
}

#[track_caller]
fn compare_op(name: &str, op: CompareOp, a: Operand, b: Operand) -> Array {
    match prepare(name, vec![a, b], None) {
        Ok(v) => lax::compare(op, &v[0], &v[1]),
        Err(e) => e,
    }
}

/// A float-only unary op: integer and bool inputs are promoted to `f32`.
#[track_caller]
fn float_unary(x: &Array, op: UnaryOp) -> Array {
    let x = if x.dtype().is_float() {
        x.clone()
    } else {
        lax::convert(x, DType::F32)
    };
    lax::unary(op, &x)
}

/// A sign-aware unary op that rejects bool, naming `name`.
#[track_caller]
fn numeric_unary(x: &Array, op: UnaryOp, name: &str) -> Array {
    if x.dtype() == DType::Bool && x.error_value().is_none() {
        return Array::error(name, "does not accept dtype bool");
    }
    lax::unary(op, x)
}

/// `x` as bool: nonzero is true.
#[track_caller]
fn truthy(x: &Array) -> Array {
    if x.dtype() == DType::Bool {
        x.clone()
    } else {
        lax::convert(x, DType::Bool)
    }
}

macro_rules! float_unary_methods {
    ($($(#[$doc:meta])* $name:ident => $op:ident;)*) => {
        impl Array {
            $(
                $(#[$doc])*
                #[track_caller]
                pub fn $name(&self) -> Array {
                    float_unary(self, UnaryOp::$op)
                }
            )*
        }
    };
}

float_unary_methods! {
    /// `e^x`.
    /// ```
    /// let y = autobatch::Array::from_vec(vec![0.0f32], &[1]).exp();
    /// assert_eq!(y.to_vec::<f32>().unwrap(), vec![1.0]);
    /// ```
    exp => Exp;
    /// Natural logarithm.
    /// ```
    /// let y = autobatch::Array::from_vec(vec![1.0f32], &[1]).log();
    /// assert_eq!(y.to_vec::<f32>().unwrap(), vec![0.0]);
    /// ```
    log => Log;
    /// `log(1 + x)`, accurate for small `x`.
    /// ```
    /// let y = autobatch::Array::scalar(1e-10f64).log1p().item::<f64>().unwrap();
    /// assert!((y - 1e-10).abs() < 1e-20); // log(1 + x) would lose 7 digits here
    /// ```
    log1p => Log1p;
    /// `e^x - 1`, accurate for small `x`.
    /// ```
    /// let y = autobatch::Array::scalar(1e-10f64).expm1().item::<f64>().unwrap();
    /// assert!((y - 1e-10).abs() < 1e-20); // exp(x) - 1 would lose 7 digits here
    /// ```
    expm1 => Expm1;
    /// Square root.
    /// ```
    /// assert_eq!(autobatch::Array::scalar(4.0f32).sqrt().item::<f32>().unwrap(), 2.0);
    /// ```
    sqrt => Sqrt;
    /// `1 / sqrt(x)`.
    /// ```
    /// assert_eq!(autobatch::Array::scalar(4.0f32).rsqrt().item::<f32>().unwrap(), 0.5);
    /// ```
    rsqrt => Rsqrt;
    /// Sine.
    /// ```
    /// assert_eq!(autobatch::Array::scalar(0.0f32).sin().item::<f32>().unwrap(), 0.0);
    /// ```
    sin => Sin;
    /// Cosine.
    /// ```
    /// assert_eq!(autobatch::Array::scalar(0.0f32).cos().item::<f32>().unwrap(), 1.0);
    /// ```
    cos => Cos;
    /// Hyperbolic tangent.
    /// ```
    /// assert_eq!(autobatch::Array::scalar(0.0f32).tanh().item::<f32>().unwrap(), 0.0);
    /// ```
    tanh => Tanh;
    /// The logistic sigmoid `1 / (1 + e^-x)`, without overflow.
    /// ```
    /// assert_eq!(autobatch::Array::scalar(0.0f32).logistic().item::<f32>().unwrap(), 0.5);
    /// ```
    logistic => Logistic;
    /// Alias of [`logistic`](Array::logistic).
    /// ```
    /// assert_eq!(autobatch::Array::scalar(0.0f32).sigmoid().item::<f32>().unwrap(), 0.5);
    /// ```
    sigmoid => Logistic;
}

impl Array {
    /// Rounds toward -inf (integers are unchanged).
    ///
    /// ```
    /// assert_eq!(autobatch::Array::scalar(-1.5f32).floor().item::<f32>().unwrap(), -2.0);
    /// ```
    #[track_caller]
    pub fn floor(&self) -> Array {
        self.rounding(UnaryOp::Floor)
    }

    /// Rounds toward +inf (integers are unchanged).
    ///
    /// ```
    /// assert_eq!(autobatch::Array::scalar(-1.5f32).ceil().item::<f32>().unwrap(), -1.0);
    /// ```
    #[track_caller]
    pub fn ceil(&self) -> Array {
        self.rounding(UnaryOp::Ceil)
    }

    /// Rounds half to even, like `numpy.round` (integers are unchanged).
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![0.5f32, 1.5, 2.5], &[3]);
    /// assert_eq!(x.round().to_vec::<f32>().unwrap(), vec![0.0, 2.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn round(&self) -> Array {
        self.rounding(UnaryOp::Round)
    }

    #[track_caller]
    fn rounding(&self, op: UnaryOp) -> Array {
        if self.dtype().is_float() {
            lax::unary(op, self)
        } else {
            self.clone()
        }
    }

    /// `-x` (bool is an error).
    ///
    /// ```
    /// assert_eq!(autobatch::Array::scalar(2i32).neg().item::<i32>().unwrap(), -2);
    /// ```
    #[track_caller]
    pub fn neg(&self) -> Array {
        numeric_unary(self, UnaryOp::Neg, "neg")
    }

    /// `|x|` (bool is an error).
    ///
    /// ```
    /// assert_eq!(autobatch::Array::scalar(-2.5f32).abs().item::<f32>().unwrap(), 2.5);
    /// ```
    #[track_caller]
    pub fn abs(&self) -> Array {
        numeric_unary(self, UnaryOp::Abs, "abs")
    }

    /// `-1`, `0` or `1` by sign (bool is an error).
    ///
    /// ```
    /// assert_eq!(autobatch::Array::scalar(-2.5f32).sign().item::<f32>().unwrap(), -1.0);
    /// ```
    #[track_caller]
    pub fn sign(&self) -> Array {
        numeric_unary(self, UnaryOp::Sign, "sign")
    }

    /// `self + other` with broadcasting and promotion (the `+` operator as a method).
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1i32, 2], &[2]);
    /// assert_eq!(x.add(1).to_vec::<i32>().unwrap(), vec![2, 3]);
    /// ```
    #[track_caller]
    pub fn add(&self, other: impl ArrayLike) -> Array {
        binary_op(
            "add",
            BinaryOp::Add,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// `self - other` with broadcasting and promotion.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1.0f32, 2.0], &[2]);
    /// assert_eq!(x.subtract(0.5).to_vec::<f32>().unwrap(), vec![0.5, 1.5]);
    /// ```
    #[track_caller]
    pub fn subtract(&self, other: impl ArrayLike) -> Array {
        binary_op(
            "sub",
            BinaryOp::Sub,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// `self * other` with broadcasting and promotion.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1.0f32, 2.0], &[2]);
    /// assert_eq!(x.multiply(&x).to_vec::<f32>().unwrap(), vec![1.0, 4.0]);
    /// ```
    #[track_caller]
    pub fn multiply(&self, other: impl ArrayLike) -> Array {
        binary_op(
            "mul",
            BinaryOp::Mul,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// True division `self / other` (integers and bools promote to `f32`).
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1i32, 3], &[2]);
    /// assert_eq!(x.divide(2).to_vec::<f32>().unwrap(), vec![0.5, 1.5]);
    /// ```
    #[track_caller]
    pub fn divide(&self, other: impl ArrayLike) -> Array {
        binary_op(
            "div",
            BinaryOp::Div,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// Alias of [`pow`](Array::pow) (NumPy's name).
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![4.0f32, 9.0], &[2]);
    /// assert_eq!(x.power(0.5).to_vec::<f32>().unwrap(), vec![2.0, 3.0]);
    /// ```
    #[track_caller]
    pub fn power(&self, exponent: impl ArrayLike) -> Array {
        binary_op(
            "pow",
            BinaryOp::Pow,
            self.into_operand(),
            exponent.into_operand(),
        )
    }

    /// `self ^ exponent`, computed in floating point: integer and bool operands promote to
    /// `f32` (unlike `jnp.power`, which keeps integers; the float result is exact for
    /// small integer powers).
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![2.0f32, 3.0], &[2]);
    /// assert_eq!(x.pow(2.0).to_vec::<f32>().unwrap(), vec![4.0, 9.0]);
    /// ```
    #[track_caller]
    pub fn pow(&self, exponent: impl ArrayLike) -> Array {
        binary_op(
            "pow",
            BinaryOp::Pow,
            self.into_operand(),
            exponent.into_operand(),
        )
    }

    /// Elementwise maximum (NaN propagates).
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![-1.0f32, 2.0], &[2]);
    /// assert_eq!(x.maximum(0.0).to_vec::<f32>().unwrap(), vec![0.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn maximum(&self, other: impl ArrayLike) -> Array {
        binary_op(
            "maximum",
            BinaryOp::Max,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// Elementwise minimum (NaN propagates).
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![-1.0f32, 2.0], &[2]);
    /// assert_eq!(x.minimum(0.0).to_vec::<f32>().unwrap(), vec![-1.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn minimum(&self, other: impl ArrayLike) -> Array {
        binary_op(
            "minimum",
            BinaryOp::Min,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// `self < other`, elementwise.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1.0f32, 3.0], &[2]);
    /// assert_eq!(x.lt(2.0).to_vec::<bool>().unwrap(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn lt(&self, other: impl ArrayLike) -> Array {
        compare_op(
            "less",
            CompareOp::Lt,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// `self <= other`, elementwise.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1.0f32, 3.0], &[2]);
    /// assert_eq!(x.le(1.0).to_vec::<bool>().unwrap(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn le(&self, other: impl ArrayLike) -> Array {
        compare_op(
            "less_equal",
            CompareOp::Le,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// `self > other`, elementwise.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1.0f32, 3.0], &[2]);
    /// assert_eq!(x.gt(2.0).to_vec::<bool>().unwrap(), vec![false, true]);
    /// ```
    #[track_caller]
    pub fn gt(&self, other: impl ArrayLike) -> Array {
        compare_op(
            "greater",
            CompareOp::Gt,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// `self >= other`, elementwise.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1.0f32, 3.0], &[2]);
    /// assert_eq!(x.ge(3.0).to_vec::<bool>().unwrap(), vec![false, true]);
    /// ```
    #[track_caller]
    pub fn ge(&self, other: impl ArrayLike) -> Array {
        compare_op(
            "greater_equal",
            CompareOp::Ge,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// `self == other`, elementwise.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1i32, 3], &[2]);
    /// assert_eq!(x.equal(3).to_vec::<bool>().unwrap(), vec![false, true]);
    /// ```
    #[track_caller]
    pub fn equal(&self, other: impl ArrayLike) -> Array {
        compare_op(
            "equal",
            CompareOp::Eq,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// `self != other`, elementwise.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1i32, 3], &[2]);
    /// assert_eq!(x.not_equal(3).to_vec::<bool>().unwrap(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn not_equal(&self, other: impl ArrayLike) -> Array {
        compare_op(
            "not_equal",
            CompareOp::Ne,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// Logical and (nonzero counts as true); a bool result.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![true, false], &[2]);
    /// assert_eq!(x.logical_and(true).to_vec::<bool>().unwrap(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn logical_and(&self, other: impl ArrayLike) -> Array {
        logical(
            "logical_and",
            BinaryOp::And,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// Logical or (nonzero counts as true); a bool result.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![true, false], &[2]);
    /// assert_eq!(x.logical_or(false).to_vec::<bool>().unwrap(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn logical_or(&self, other: impl ArrayLike) -> Array {
        logical(
            "logical_or",
            BinaryOp::Or,
            self.into_operand(),
            other.into_operand(),
        )
    }

    /// Logical not (nonzero counts as true); a bool result.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![0.0f32, 2.0], &[2]);
    /// assert_eq!(x.logical_not().to_vec::<bool>().unwrap(), vec![true, false]);
    /// ```
    #[track_caller]
    pub fn logical_not(&self) -> Array {
        lax::unary(UnaryOp::Not, &truthy(self))
    }

    /// Limits values to `[lo, hi]` (`minimum(maximum(x, lo), hi)`), keeping `self`'s dtype
    /// for number bounds.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![-2.0f32, 0.5, 3.0], &[3]);
    /// assert_eq!(x.clip(-1.0, 1.0).to_vec::<f32>().unwrap(), vec![-1.0, 0.5, 1.0]);
    /// ```
    #[track_caller]
    pub fn clip(&self, lo: impl ArrayLike, hi: impl ArrayLike) -> Array {
        clip_impl(self.into_operand(), lo.into_operand(), hi.into_operand())
    }

    /// The values converted to `dtype` (floats to integers truncate toward zero and
    /// saturate; NaN becomes 0; nonzero is `true`).
    ///
    /// ```
    /// use autobatch::{Array, DType};
    /// let x = Array::from_vec(vec![1.7f32, -1.7], &[2]).astype(DType::I32);
    /// assert_eq!(x.to_vec::<i32>().unwrap(), vec![1, -1]);
    /// ```
    #[track_caller]
    pub fn astype(&self, dtype: DType) -> Array {
        lax::convert(self, dtype)
    }
}

/// `x + y` with broadcasting and promotion.
///
/// ```
/// let y = autobatch::add(&autobatch::Array::ones(&[2]), 1.0);
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![2.0, 2.0]);
/// ```
#[track_caller]
pub fn add(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binary_op("add", BinaryOp::Add, x.into_operand(), y.into_operand())
}

/// `x - y` with broadcasting and promotion.
///
/// ```
/// let y = autobatch::subtract(&autobatch::Array::ones(&[2]), 1.0);
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![0.0, 0.0]);
/// ```
#[track_caller]
pub fn subtract(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binary_op("sub", BinaryOp::Sub, x.into_operand(), y.into_operand())
}

/// `x * y` with broadcasting and promotion.
///
/// ```
/// let y = autobatch::multiply(&autobatch::Array::ones(&[2]), 3.0);
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![3.0, 3.0]);
/// ```
#[track_caller]
pub fn multiply(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binary_op("mul", BinaryOp::Mul, x.into_operand(), y.into_operand())
}

/// True division `x / y` (integers promote to `f32`).
///
/// ```
/// let y = autobatch::divide(autobatch::Array::scalar(1i32), 2);
/// assert_eq!(y.item::<f32>().unwrap(), 0.5);
/// ```
#[track_caller]
pub fn divide(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binary_op("div", BinaryOp::Div, x.into_operand(), y.into_operand())
}

/// `x ^ y`, computed in floating point.
///
/// ```
/// assert_eq!(autobatch::power(autobatch::Array::scalar(2.0f32), 3.0).item::<f32>().unwrap(), 8.0);
/// ```
#[track_caller]
pub fn power(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binary_op("pow", BinaryOp::Pow, x.into_operand(), y.into_operand())
}

/// Elementwise maximum.
///
/// ```
/// assert_eq!(autobatch::maximum(autobatch::Array::scalar(-1.0f32), 0.0).item::<f32>().unwrap(), 0.0);
/// ```
#[track_caller]
pub fn maximum(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binary_op("maximum", BinaryOp::Max, x.into_operand(), y.into_operand())
}

/// Elementwise minimum.
///
/// ```
/// assert_eq!(autobatch::minimum(autobatch::Array::scalar(-1.0f32), 0.0).item::<f32>().unwrap(), -1.0);
/// ```
#[track_caller]
pub fn minimum(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    binary_op("minimum", BinaryOp::Min, x.into_operand(), y.into_operand())
}

/// `cond ? x : y`, elementwise, broadcasting all three (nonzero `cond` counts as true).
///
/// ```
/// use autobatch::{where_, Array};
/// let x = Array::from_vec(vec![-1.0f32, 2.0], &[2]);
/// assert_eq!(where_(&x.gt(0.0), &x, 0.0).to_vec::<f32>().unwrap(), vec![0.0, 2.0]);
/// ```
#[track_caller]
pub fn where_(cond: impl ArrayLike, x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let cond = truthy_operand(cond.into_operand());
    let operands = vec![x.into_operand(), y.into_operand()];
    let dtype = result_type(&operands);
    let mut all = vec![cond];
    all.extend(operands.into_iter().map(|o| o.into_array(dtype)));
    match broadcast_all(&all, "where") {
        Ok(v) => lax::select(&v[0], &v[1], &v[2]),
        Err(e) => e,
    }
}

/// Alias of [`where_`].
///
/// ```
/// use autobatch::{select, Array};
/// let c = Array::from_vec(vec![true, false], &[2]);
/// assert_eq!(select(&c, 1.0, 2.0).to_vec::<f32>().unwrap(), vec![1.0, 2.0]);
/// ```
#[track_caller]
pub fn select(cond: impl ArrayLike, x: impl ArrayLike, y: impl ArrayLike) -> Array {
    where_(cond, x, y)
}

/// `x < y`, elementwise.
///
/// ```
/// assert!(autobatch::less(autobatch::Array::scalar(1.0f32), 2.0).item::<bool>().unwrap());
/// ```
#[track_caller]
pub fn less(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    compare_op("less", CompareOp::Lt, x.into_operand(), y.into_operand())
}

/// `x <= y`, elementwise.
///
/// ```
/// assert!(autobatch::less_equal(autobatch::Array::scalar(2.0f32), 2.0).item::<bool>().unwrap());
/// ```
#[track_caller]
pub fn less_equal(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    compare_op(
        "less_equal",
        CompareOp::Le,
        x.into_operand(),
        y.into_operand(),
    )
}

/// `x > y`, elementwise.
///
/// ```
/// assert!(autobatch::greater(autobatch::Array::scalar(3.0f32), 2.0).item::<bool>().unwrap());
/// ```
#[track_caller]
pub fn greater(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    compare_op("greater", CompareOp::Gt, x.into_operand(), y.into_operand())
}

/// `x >= y`, elementwise.
///
/// ```
/// assert!(autobatch::greater_equal(autobatch::Array::scalar(2.0f32), 2.0).item::<bool>().unwrap());
/// ```
#[track_caller]
pub fn greater_equal(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    compare_op(
        "greater_equal",
        CompareOp::Ge,
        x.into_operand(),
        y.into_operand(),
    )
}

/// `x == y`, elementwise.
///
/// ```
/// assert!(autobatch::equal(autobatch::Array::scalar(2i32), 2).item::<bool>().unwrap());
/// ```
#[track_caller]
pub fn equal(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    compare_op("equal", CompareOp::Eq, x.into_operand(), y.into_operand())
}

/// `x != y`, elementwise.
///
/// ```
/// assert!(autobatch::not_equal(autobatch::Array::scalar(2i32), 3).item::<bool>().unwrap());
/// ```
#[track_caller]
pub fn not_equal(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    compare_op(
        "not_equal",
        CompareOp::Ne,
        x.into_operand(),
        y.into_operand(),
    )
}

/// Logical and of `x` and `y` (nonzero counts as true), broadcast; a bool result.
///
/// ```
/// use autobatch::{array::logical_and, Array};
/// let x = Array::from_vec(vec![0i32, 2, 3], &[3]);
/// assert_eq!(logical_and(&x, x.lt(3)).to_vec::<bool>().unwrap(), vec![false, true, false]);
/// ```
#[track_caller]
pub fn logical_and(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    logical(
        "logical_and",
        BinaryOp::And,
        x.into_operand(),
        y.into_operand(),
    )
}

/// Logical or of `x` and `y` (nonzero counts as true), broadcast; a bool result.
///
/// ```
/// use autobatch::{array::logical_or, Array};
/// let x = Array::from_vec(vec![0.0f32, 0.5], &[2]);
/// assert_eq!(logical_or(&x, false).to_vec::<bool>().unwrap(), vec![false, true]);
/// ```
#[track_caller]
pub fn logical_or(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    logical(
        "logical_or",
        BinaryOp::Or,
        x.into_operand(),
        y.into_operand(),
    )
}

/// Logical not of `x` (nonzero counts as true); a bool result.
///
/// ```
/// use autobatch::{array::logical_not, Array};
/// let x = Array::from_vec(vec![0u32, 9], &[2]);
/// assert_eq!(logical_not(&x).to_vec::<bool>().unwrap(), vec![true, false]);
/// ```
#[track_caller]
pub fn logical_not(x: impl ArrayLike) -> Array {
    lax::unary(UnaryOp::Not, &truthy_operand(x.into_operand()))
}

/// `x` limited to `[lo, hi]`: `minimum(maximum(x, lo), hi)` (see [`Array::clip`]).
///
/// ```
/// use autobatch::{array::clip, Array};
/// let x = Array::from_vec(vec![-5i32, 5], &[2]);
/// assert_eq!(clip(&x, -1, 1).to_vec::<i32>().unwrap(), vec![-1, 1]);
/// ```
#[track_caller]
pub fn clip(x: impl ArrayLike, lo: impl ArrayLike, hi: impl ArrayLike) -> Array {
    clip_impl(x.into_operand(), lo.into_operand(), hi.into_operand())
}

#[track_caller]
fn clip_impl(x: Operand, lo: Operand, hi: Operand) -> Array {
    let lower = binary_op("clip", BinaryOp::Max, x, lo);
    binary_op("clip", BinaryOp::Min, lower.into_operand(), hi)
}

/// An operand as a bool array: nonzero is true.
#[track_caller]
fn truthy_operand(x: Operand) -> Array {
    match x {
        Operand::Array(a) => truthy(&a),
        Operand::Float(v) => Array::scalar(v != 0.0),
        Operand::Int(v) => Array::scalar(v != 0),
    }
}

/// A logical binary op on operands made bool, broadcast together.
#[track_caller]
fn logical(name: &str, op: BinaryOp, x: Operand, y: Operand) -> Array {
    match broadcast_all(&[truthy_operand(x), truthy_operand(y)], name) {
        Ok(v) => lax::binary(op, &v[0], &v[1]),
        Err(e) => e,
    }
}
