//! Elementwise kernels: unary, binary, compare, select, convert and bitcast.

use super::scalar::{Bits, Float};
use super::simd::vectorized;
use super::{alloc, copy_vec, typed};
use crate::array::{Buffer, DType, Element};
use crate::ir::{BinaryOp, CompareOp, UnaryOp};

/// A closure calling the one-operand function `$f`, inlined into the kernel loop (a
/// function item would be called through a shim compiled without the loop's vector
/// instructions).
macro_rules! one {
    ($f:path) => {
        #[inline(always)]
        |a| $f(a)
    };
}

/// The two-operand form of [`one!`].
macro_rules! two {
    ($f:path) => {
        #[inline(always)]
        |a, b| $f(a, b)
    };
}

/// `f` applied to every element of `x`, in a loop vectorized for this CPU.
fn map<T: Copy, U>(x: &[T], f: impl Fn(T) -> U) -> Result<Vec<U>, String> {
    let mut out = alloc(x.len())?;
    vectorized(
        #[inline(always)]
        || {
            for (o, &a) in out.spare_capacity_mut().iter_mut().zip(x) {
                o.write(f(a));
            }
        },
    );
    // SAFETY: `alloc` reserved `x.len()` elements and the loop initialized all of them.
    unsafe { out.set_len(x.len()) };
    Ok(out)
}

/// `f` applied to every pair of elements of `x` and `y` (equal lengths), in a loop
/// vectorized for this CPU.
fn zip<T: Copy, U>(x: &[T], y: &[T], f: impl Fn(T, T) -> U) -> Result<Vec<U>, String> {
    let n = x.len().min(y.len());
    let mut out = alloc(n)?;
    vectorized(
        #[inline(always)]
        || {
            for (o, (&a, &b)) in out.spare_capacity_mut().iter_mut().zip(x.iter().zip(y)) {
                o.write(f(a, b));
            }
        },
    );
    // SAFETY: `alloc` reserved `n` elements and the loop initialized all of them.
    unsafe { out.set_len(n) };
    Ok(out)
}

/// A one-operand elementwise op.
pub(crate) fn unary(op: UnaryOp, x: &Buffer) -> Result<Buffer, String> {
    match x {
        Buffer::F32(v) => float_unary(op, v).map(Buffer::F32),
        Buffer::F64(v) => float_unary(op, v).map(Buffer::F64),
        Buffer::I32(v) => bits_unary(op, v).map(Buffer::I32),
        Buffer::U32(v) => bits_unary(op, v).map(Buffer::U32),
        Buffer::Bool(v) => bits_unary(op, v).map(Buffer::Bool),
    }
}

fn float_unary<T: Float>(op: UnaryOp, x: &[T]) -> Result<Vec<T>, String> {
    match op {
        UnaryOp::Neg => map(x, one!(T::neg)),
        UnaryOp::Exp => map(x, one!(T::exp)),
        UnaryOp::Log => map(x, one!(T::ln)),
        UnaryOp::Log1p => map(x, one!(T::ln_1p)),
        UnaryOp::Expm1 => map(x, one!(T::exp_m1)),
        UnaryOp::Sqrt => map(x, one!(T::sqrt)),
        UnaryOp::Rsqrt => map(x, one!(T::rsqrt)),
        UnaryOp::Abs => map(x, one!(T::abs)),
        UnaryOp::Sign => map(x, one!(T::sign)),
        UnaryOp::Sin => map(x, one!(T::sin)),
        UnaryOp::Cos => map(x, one!(T::cos)),
        UnaryOp::Tanh => map(x, one!(T::tanh)),
        UnaryOp::Logistic => map(x, one!(T::logistic)),
        UnaryOp::ErfInv => map(x, one!(T::erf_inv)),
        UnaryOp::Floor => map(x, one!(T::floor)),
        UnaryOp::Ceil => map(x, one!(T::ceil)),
        UnaryOp::Round => map(x, one!(T::round)),
        UnaryOp::Not => Err("not does not accept float operands".into()),
    }
}

fn bits_unary<T: Bits>(op: UnaryOp, x: &[T]) -> Result<Vec<T>, String> {
    match op {
        UnaryOp::Neg => map(x, one!(T::neg)),
        UnaryOp::Abs => map(x, one!(T::abs)),
        UnaryOp::Sign => map(x, one!(T::sign)),
        UnaryOp::Not => map(x, one!(T::not)),
        UnaryOp::Exp
        | UnaryOp::Log
        | UnaryOp::Log1p
        | UnaryOp::Expm1
        | UnaryOp::Sqrt
        | UnaryOp::Rsqrt
        | UnaryOp::Sin
        | UnaryOp::Cos
        | UnaryOp::Tanh
        | UnaryOp::Logistic
        | UnaryOp::ErfInv
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round => Err(format!("{} accepts only float operands", op.name())),
    }
}

/// A two-operand elementwise op on operands of one dtype and length.
pub(crate) fn binary(op: BinaryOp, x: &Buffer, y: &Buffer) -> Result<Buffer, String> {
    match x {
        Buffer::F32(v) => float_binary(op, v, typed(y)?).map(Buffer::F32),
        Buffer::F64(v) => float_binary(op, v, typed(y)?).map(Buffer::F64),
        Buffer::I32(v) => bits_binary(op, v, typed(y)?).map(Buffer::I32),
        Buffer::U32(v) => bits_binary(op, v, typed(y)?).map(Buffer::U32),
        Buffer::Bool(v) => bits_binary(op, v, typed(y)?).map(Buffer::Bool),
    }
}

fn float_binary<T: Float>(op: BinaryOp, x: &[T], y: &[T]) -> Result<Vec<T>, String> {
    match op {
        BinaryOp::Add => zip(x, y, two!(T::add)),
        BinaryOp::Sub => zip(x, y, two!(T::sub)),
        BinaryOp::Mul => zip(x, y, two!(T::mul)),
        BinaryOp::Div => zip(x, y, two!(T::div)),
        BinaryOp::Rem => zip(x, y, two!(T::rem)),
        BinaryOp::Pow => zip(x, y, two!(T::pow)),
        BinaryOp::Max => zip(x, y, two!(T::max)),
        BinaryOp::Min => zip(x, y, two!(T::min)),
        BinaryOp::And
        | BinaryOp::Or
        | BinaryOp::Xor
        | BinaryOp::ShiftLeft
        | BinaryOp::ShiftRightLogical => {
            Err(format!("{} does not accept float operands", op.name()))
        }
    }
}

fn bits_binary<T: Bits>(op: BinaryOp, x: &[T], y: &[T]) -> Result<Vec<T>, String> {
    match op {
        BinaryOp::Add => zip(x, y, two!(T::add)),
        BinaryOp::Sub => zip(x, y, two!(T::sub)),
        BinaryOp::Mul => zip(x, y, two!(T::mul)),
        BinaryOp::Div => zip(x, y, two!(T::div)),
        BinaryOp::Rem => zip(x, y, two!(T::rem)),
        BinaryOp::Max => zip(x, y, two!(T::max)),
        BinaryOp::Min => zip(x, y, two!(T::min)),
        BinaryOp::And => zip(x, y, two!(T::and)),
        BinaryOp::Or => zip(x, y, two!(T::or)),
        BinaryOp::Xor => zip(x, y, two!(T::xor)),
        BinaryOp::ShiftLeft => zip(x, y, two!(T::shl)),
        BinaryOp::ShiftRightLogical => zip(x, y, two!(T::shr)),
        BinaryOp::Pow => Err("pow accepts only float operands".into()),
    }
}

/// An elementwise comparison giving `bool` (NaN compares unequal to everything).
pub(crate) fn compare(op: CompareOp, x: &Buffer, y: &Buffer) -> Result<Buffer, String> {
    crate::with_buffer!(x, v => compare_typed(op, v, typed(y)?).map(Buffer::Bool))
}

fn compare_typed<T: Element + PartialOrd>(
    op: CompareOp,
    x: &[T],
    y: &[T],
) -> Result<Vec<bool>, String> {
    match op {
        CompareOp::Eq => zip(
            x,
            y,
            #[inline(always)]
            |a, b| a == b,
        ),
        CompareOp::Ne => zip(
            x,
            y,
            #[inline(always)]
            |a, b| a != b,
        ),
        CompareOp::Lt => zip(
            x,
            y,
            #[inline(always)]
            |a, b| a < b,
        ),
        CompareOp::Le => zip(
            x,
            y,
            #[inline(always)]
            |a, b| a <= b,
        ),
        CompareOp::Gt => zip(
            x,
            y,
            #[inline(always)]
            |a, b| a > b,
        ),
        CompareOp::Ge => zip(
            x,
            y,
            #[inline(always)]
            |a, b| a >= b,
        ),
    }
}

/// `pred ? on_true : on_false`, elementwise.
pub(crate) fn select(pred: &Buffer, on_true: &Buffer, on_false: &Buffer) -> Result<Buffer, String> {
    let p: &[bool] = typed(pred)?;
    crate::with_buffer!(on_true, t => select_typed(p, t, typed(on_false)?).map(Element::into_buffer))
}

fn select_typed<T: Copy>(p: &[bool], t: &[T], f: &[T]) -> Result<Vec<T>, String> {
    let n = p.len().min(t.len()).min(f.len());
    let mut out = alloc(n)?;
    vectorized(
        #[inline(always)]
        || {
            let items = p.iter().zip(t.iter().zip(f));
            for (o, (&c, (&a, &b))) in out.spare_capacity_mut().iter_mut().zip(items) {
                o.write(if c { a } else { b });
            }
        },
    );
    // SAFETY: `alloc` reserved `n` elements and the loop initialized all of them.
    unsafe { out.set_len(n) };
    Ok(out)
}

/// Value conversion with Rust `as` semantics: floats to integers truncate and saturate
/// (NaN gives 0), integers to integers wrap, nonzero is `true`, `true` is 1.
pub(crate) fn convert(x: &Buffer, dtype: DType) -> Result<Buffer, String> {
    match (x, dtype) {
        (Buffer::I32(v), DType::U32) => map(v, |a| a as u32).map(Buffer::U32),
        (Buffer::U32(v), DType::I32) => map(v, |a| a as i32).map(Buffer::I32),
        // Every other pair goes through f64, which holds every f32, i32 and u32 exactly,
        // so the one rounding or saturation is that of the direct `as` cast.
        _ => crate::with_buffer!(x, v => convert_via_f64(v, dtype)),
    }
}

fn convert_via_f64<T: Element>(x: &[T], dtype: DType) -> Result<Buffer, String> {
    fn to<T: Element, U: Element>(x: &[T]) -> Result<Buffer, String> {
        map(x, |a| U::from_f64(a.to_f64())).map(U::into_buffer)
    }
    match dtype {
        DType::F32 => to::<T, f32>(x),
        DType::F64 => to::<T, f64>(x),
        DType::I32 => to::<T, i32>(x),
        DType::U32 => to::<T, u32>(x),
        DType::Bool => to::<T, bool>(x),
    }
}

/// Reinterprets the bits as `dtype` (`f32`, `i32`, `u32` among themselves; any dtype to
/// itself).
pub(crate) fn bitcast(x: &Buffer, dtype: DType) -> Result<Buffer, String> {
    let bits: Vec<u32> = match x {
        Buffer::F32(v) => map(v, f32::to_bits)?,
        Buffer::I32(v) => map(v, |a| a as u32)?,
        Buffer::U32(v) => copy_vec(v)?,
        Buffer::F64(_) | Buffer::Bool(_) => {
            return if x.dtype() == dtype {
                crate::with_buffer!(x, v => copy_vec(v).map(Element::into_buffer))
            } else {
                Err(format!("cannot bitcast {} to {dtype}", x.dtype()))
            };
        }
    };
    match dtype {
        DType::F32 => map(&bits, f32::from_bits).map(Buffer::F32),
        DType::I32 => map(&bits, |a| a as i32).map(Buffer::I32),
        DType::U32 => Ok(Buffer::U32(bits)),
        DType::F64 | DType::Bool => Err(format!("cannot bitcast {} to {dtype}", x.dtype())),
    }
}
