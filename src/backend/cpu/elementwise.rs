//! Elementwise kernels: unary, binary, compare, select, convert and bitcast.
//!
//! Each kernel writes into an output slice (`*_into`), so that the same loops serve the
//! one-op-at-a-time path (which allocates the output: [`unary`], [`binary`], ...) and
//! the fused kernels (which run them chunk by chunk on scratch registers). The loops are
//! compiled for the CPU's widest vector instruction set ([`vectorized`]).

use super::alloc;
use super::scalar::{Bits, Float};
use super::simd::vectorized;
use crate::array::{Buffer, DType, Element};
use crate::ir::{BinaryOp, CompareOp, UnaryOp};
use std::mem::MaybeUninit;
use std::ops::Range;

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

/// The identity closure, inlined into the kernel loop.
macro_rules! id {
    () => {
        #[inline(always)]
        |a| a
    };
}

/// Borrowed elements of one dtype.
#[derive(Clone, Copy)]
pub(crate) enum Slice<'a> {
    F32(&'a [f32]),
    F64(&'a [f64]),
    I32(&'a [i32]),
    U32(&'a [u32]),
    Bool(&'a [bool]),
}

impl<'a> Slice<'a> {
    /// All elements of `b`.
    pub(crate) fn of(b: &'a Buffer) -> Slice<'a> {
        match b {
            Buffer::F32(v) => Slice::F32(v),
            Buffer::F64(v) => Slice::F64(v),
            Buffer::I32(v) => Slice::I32(v),
            Buffer::U32(v) => Slice::U32(v),
            Buffer::Bool(v) => Slice::Bool(v),
        }
    }

    /// The elements' dtype.
    pub(crate) fn dtype(&self) -> DType {
        match self {
            Slice::F32(_) => DType::F32,
            Slice::F64(_) => DType::F64,
            Slice::I32(_) => DType::I32,
            Slice::U32(_) => DType::U32,
            Slice::Bool(_) => DType::Bool,
        }
    }

    /// The number of elements.
    pub(crate) fn len(&self) -> usize {
        match self {
            Slice::F32(v) => v.len(),
            Slice::F64(v) => v.len(),
            Slice::I32(v) => v.len(),
            Slice::U32(v) => v.len(),
            Slice::Bool(v) => v.len(),
        }
    }

    /// Where its elements lie in memory, as bytes.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        fn raw<T>(v: &[T]) -> &[u8] {
            // SAFETY: any initialized memory may be viewed as bytes, for the same
            // lifetime and `size_of_val(v)` bytes.
            unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), std::mem::size_of_val(v)) }
        }
        match *self {
            Slice::F32(v) => raw(v),
            Slice::F64(v) => raw(v),
            Slice::I32(v) => raw(v),
            Slice::U32(v) => raw(v),
            Slice::Bool(v) => raw(v),
        }
    }

    /// Element `e` as a one-element slice.
    pub(crate) fn element(self, e: usize) -> Result<Slice<'a>, String> {
        if e < self.len() {
            Ok(self.sub(e..e + 1))
        } else {
            Err(format!("element {e} of a value of {} elements", self.len()))
        }
    }

    /// The elements `range` of this slice (clamped to its length).
    pub(crate) fn sub(self, range: Range<usize>) -> Slice<'a> {
        fn cut<T>(v: &[T], r: Range<usize>) -> &[T] {
            let end = r.end.min(v.len());
            &v[r.start.min(end)..end]
        }
        match self {
            Slice::F32(v) => Slice::F32(cut(v, range)),
            Slice::F64(v) => Slice::F64(cut(v, range)),
            Slice::I32(v) => Slice::I32(cut(v, range)),
            Slice::U32(v) => Slice::U32(cut(v, range)),
            Slice::Bool(v) => Slice::Bool(cut(v, range)),
        }
    }

    /// The elements `range` of `b` (clamped to its length).
    pub(crate) fn range(b: &'a Buffer, range: Range<usize>) -> Slice<'a> {
        fn cut<T>(v: &[T], r: Range<usize>) -> &[T] {
            let end = r.end.min(v.len());
            &v[r.start.min(end)..end]
        }
        match b {
            Buffer::F32(v) => Slice::F32(cut(v, range)),
            Buffer::F64(v) => Slice::F64(cut(v, range)),
            Buffer::I32(v) => Slice::I32(cut(v, range)),
            Buffer::U32(v) => Slice::U32(cut(v, range)),
            Buffer::Bool(v) => Slice::Bool(cut(v, range)),
        }
    }
}

/// Output elements of one dtype, each written exactly once by a kernel (possibly
/// uninitialized before).
pub(crate) enum Out<'a> {
    F32(&'a mut [MaybeUninit<f32>]),
    F64(&'a mut [MaybeUninit<f64>]),
    I32(&'a mut [MaybeUninit<i32>]),
    U32(&'a mut [MaybeUninit<u32>]),
    Bool(&'a mut [MaybeUninit<bool>]),
}

impl<'a> Out<'a> {
    /// The slots `range` of this output, reborrowed.
    pub(crate) fn sub(&mut self, range: Range<usize>) -> Result<Out<'_>, String> {
        fn cut<T>(v: &mut [T], r: Range<usize>) -> Result<&mut [T], String> {
            let len = v.len();
            v.get_mut(r.clone())
                .ok_or_else(|| format!("output slots {r:?} out of {len}"))
        }
        Ok(match self {
            Out::F32(v) => Out::F32(cut(v, range)?),
            Out::F64(v) => Out::F64(cut(v, range)?),
            Out::I32(v) => Out::I32(cut(v, range)?),
            Out::U32(v) => Out::U32(cut(v, range)?),
            Out::Bool(v) => Out::Bool(cut(v, range)?),
        })
    }

    /// The slots as initialized elements.
    ///
    /// # Safety
    /// Every slot has been written.
    pub(crate) unsafe fn assume_init(self) -> Slice<'a> {
        fn init<T>(v: &mut [MaybeUninit<T>]) -> &[T] {
            // SAFETY: the caller guarantees every element was written, and
            // `MaybeUninit<T>` has the layout of `T`.
            unsafe { &*(v as *mut [MaybeUninit<T>] as *const [T]) }
        }
        match self {
            Out::F32(v) => Slice::F32(init(v)),
            Out::F64(v) => Slice::F64(init(v)),
            Out::I32(v) => Slice::I32(init(v)),
            Out::U32(v) => Slice::U32(init(v)),
            Out::Bool(v) => Slice::Bool(init(v)),
        }
    }

    /// The slots before and from `mid` (clamped to the length).
    pub(crate) fn split_at(self, mid: usize) -> (Out<'a>, Out<'a>) {
        macro_rules! split {
            ($v:ident, $variant:ident) => {{
                let (a, b) = $v.split_at_mut(mid.min($v.len()));
                (Out::$variant(a), Out::$variant(b))
            }};
        }
        match self {
            Out::F32(v) => split!(v, F32),
            Out::F64(v) => split!(v, F64),
            Out::I32(v) => split!(v, I32),
            Out::U32(v) => split!(v, U32),
            Out::Bool(v) => split!(v, Bool),
        }
    }
}

/// A new `dtype` buffer of `n` elements, every one written by `fill` (whose kernels
/// check that they cover the whole output).
fn produce(
    dtype: DType,
    n: usize,
    fill: impl FnOnce(Out<'_>) -> Result<(), String>,
) -> Result<Buffer, String> {
    macro_rules! make {
        ($variant:ident) => {{
            let mut v = alloc(n)?;
            fill(Out::$variant(&mut v.spare_capacity_mut()[..n]))?;
            // SAFETY: `alloc` reserved `n` elements, and every kernel fails unless its
            // loop wrote all of its output slots.
            unsafe { v.set_len(n) };
            Buffer::$variant(v)
        }};
    }
    Ok(match dtype {
        DType::F32 => make!(F32),
        DType::F64 => make!(F64),
        DType::I32 => make!(I32),
        DType::U32 => make!(U32),
        DType::Bool => make!(Bool),
    })
}

fn length_error(a: usize, b: usize) -> String {
    format!("elementwise operands have {a} and {b} elements")
}

/// `out[i] = f(x[i])`, in a loop vectorized for this CPU.
#[inline(always)]
fn map<T: Copy, U>(x: &[T], out: &mut [MaybeUninit<U>], f: impl Fn(T) -> U) -> Result<(), String> {
    if x.len() != out.len() {
        return Err(length_error(x.len(), out.len()));
    }
    vectorized(
        #[inline(always)]
        || {
            for (o, &a) in out.iter_mut().zip(x) {
                o.write(f(a));
            }
        },
    );
    Ok(())
}

/// `out[i] = f(x[i], y[i])`, in a loop vectorized for this CPU. One operand may be a
/// single element (a scalar operand of a fused kernel), used for every `i`.
#[inline(always)]
fn zip<T: Copy, U>(
    x: &[T],
    y: &[T],
    out: &mut [MaybeUninit<U>],
    f: impl Fn(T, T) -> U,
) -> Result<(), String> {
    let n = out.len();
    match (x, y) {
        _ if x.len() == n && y.len() == n => vectorized(
            #[inline(always)]
            || {
                for (o, (&a, &b)) in out.iter_mut().zip(x.iter().zip(y)) {
                    o.write(f(a, b));
                }
            },
        ),
        (&[a], _) if y.len() == n => vectorized(
            #[inline(always)]
            || {
                for (o, &b) in out.iter_mut().zip(y) {
                    o.write(f(a, b));
                }
            },
        ),
        (_, &[b]) if x.len() == n => vectorized(
            #[inline(always)]
            || {
                for (o, &a) in out.iter_mut().zip(x) {
                    o.write(f(a, b));
                }
            },
        ),
        _ => return Err(length_error(x.len().max(y.len()), n)),
    }
    Ok(())
}

fn mismatch() -> String {
    "elementwise operands and output differ in dtype".into()
}

/// A one-operand elementwise op into `out` (same dtype and length).
pub(crate) fn unary_into(op: UnaryOp, x: Slice<'_>, out: Out<'_>) -> Result<(), String> {
    match (x, out) {
        (Slice::F32(x), Out::F32(o)) => float_unary(op, x, o),
        (Slice::F64(x), Out::F64(o)) => float_unary(op, x, o),
        (Slice::I32(x), Out::I32(o)) => bits_unary(op, x, o),
        (Slice::U32(x), Out::U32(o)) => bits_unary(op, x, o),
        (Slice::Bool(x), Out::Bool(o)) => bits_unary(op, x, o),
        _ => Err(mismatch()),
    }
}

/// A one-operand elementwise op.
pub(crate) fn unary(op: UnaryOp, x: &Buffer) -> Result<Buffer, String> {
    produce(x.dtype(), x.len(), |o| unary_into(op, Slice::of(x), o))
}

/// A two-operand elementwise op into `out` (operands of one dtype and length).
pub(crate) fn binary_into(
    op: BinaryOp,
    x: Slice<'_>,
    y: Slice<'_>,
    out: Out<'_>,
) -> Result<(), String> {
    match (x, y, out) {
        (Slice::F32(x), Slice::F32(y), Out::F32(o)) => float_binary(op, x, y, o),
        (Slice::F64(x), Slice::F64(y), Out::F64(o)) => float_binary(op, x, y, o),
        (Slice::I32(x), Slice::I32(y), Out::I32(o)) => bits_binary(op, x, y, o),
        (Slice::U32(x), Slice::U32(y), Out::U32(o)) => bits_binary(op, x, y, o),
        (Slice::Bool(x), Slice::Bool(y), Out::Bool(o)) => bits_binary(op, x, y, o),
        _ => Err(mismatch()),
    }
}

/// A two-operand elementwise op on operands of one dtype, of one length or either a
/// single element read for every element of the other (no broadcast copy).
pub(crate) fn binary(op: BinaryOp, x: &Buffer, y: &Buffer) -> Result<Buffer, String> {
    binary_slices(op, Slice::of(x), Slice::of(y))
}

/// [`binary`] on borrowed elements.
pub(crate) fn binary_slices(op: BinaryOp, x: Slice<'_>, y: Slice<'_>) -> Result<Buffer, String> {
    let n = if x.len() == 1 { y.len() } else { x.len() };
    produce(x.dtype(), n, |o| binary_into(op, x, y, o))
}

fn float_unary<T: Float>(op: UnaryOp, x: &[T], o: &mut [MaybeUninit<T>]) -> Result<(), String> {
    match op {
        UnaryOp::Neg => map(x, o, one!(T::neg)),
        UnaryOp::Exp if T::exp_slice(x, o) => Ok(()),
        UnaryOp::Exp => map(x, o, one!(T::exp)),
        UnaryOp::Log if T::ln_slice(x, o) => Ok(()),
        UnaryOp::Log => map(x, o, one!(T::ln)),
        UnaryOp::Log1p => map(x, o, one!(T::ln_1p)),
        UnaryOp::Expm1 => map(x, o, one!(T::exp_m1)),
        UnaryOp::Sqrt => map(x, o, one!(T::sqrt)),
        UnaryOp::Rsqrt => map(x, o, one!(T::rsqrt)),
        UnaryOp::Abs => map(x, o, one!(T::abs)),
        UnaryOp::Sign => map(x, o, one!(T::sign)),
        UnaryOp::Sin => map(x, o, one!(T::sin)),
        UnaryOp::Cos => map(x, o, one!(T::cos)),
        UnaryOp::Tanh => map(x, o, one!(T::tanh)),
        UnaryOp::Logistic => map(x, o, one!(T::logistic)),
        UnaryOp::ErfInv if T::erf_inv_slice(x, o) => Ok(()),
        UnaryOp::ErfInv => map(x, o, one!(T::erf_inv)),
        UnaryOp::Erf => map(x, o, one!(T::erf)),
        UnaryOp::Floor => map(x, o, one!(T::floor)),
        UnaryOp::Ceil => map(x, o, one!(T::ceil)),
        UnaryOp::Round => map(x, o, one!(T::round)),
        UnaryOp::Not => Err("not does not accept float operands".into()),
    }
}

fn bits_unary<T: Bits>(op: UnaryOp, x: &[T], o: &mut [MaybeUninit<T>]) -> Result<(), String> {
    match op {
        UnaryOp::Neg => map(x, o, one!(T::neg)),
        UnaryOp::Abs => map(x, o, one!(T::abs)),
        UnaryOp::Sign => map(x, o, one!(T::sign)),
        UnaryOp::Not => map(x, o, one!(T::not)),
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
        | UnaryOp::Erf
        | UnaryOp::Floor
        | UnaryOp::Ceil
        | UnaryOp::Round => Err(format!("{} accepts only float operands", op.name())),
    }
}

fn float_binary<T: Float>(
    op: BinaryOp,
    x: &[T],
    y: &[T],
    o: &mut [MaybeUninit<T>],
) -> Result<(), String> {
    match op {
        BinaryOp::Add => zip(x, y, o, two!(T::add)),
        BinaryOp::Sub => zip(x, y, o, two!(T::sub)),
        BinaryOp::Mul => zip(x, y, o, two!(T::mul)),
        BinaryOp::Div => zip(x, y, o, two!(T::div)),
        BinaryOp::Rem => zip(x, y, o, two!(T::rem)),
        BinaryOp::Pow => zip(x, y, o, two!(T::pow)),
        BinaryOp::Max => zip(x, y, o, two!(T::max)),
        BinaryOp::Min => zip(x, y, o, two!(T::min)),
        BinaryOp::And
        | BinaryOp::Or
        | BinaryOp::Xor
        | BinaryOp::ShiftLeft
        | BinaryOp::ShiftRightLogical => {
            Err(format!("{} does not accept float operands", op.name()))
        }
    }
}

fn bits_binary<T: Bits>(
    op: BinaryOp,
    x: &[T],
    y: &[T],
    o: &mut [MaybeUninit<T>],
) -> Result<(), String> {
    match op {
        BinaryOp::Add => zip(x, y, o, two!(T::add)),
        BinaryOp::Sub => zip(x, y, o, two!(T::sub)),
        BinaryOp::Mul => zip(x, y, o, two!(T::mul)),
        BinaryOp::Div => zip(x, y, o, two!(T::div)),
        BinaryOp::Rem => zip(x, y, o, two!(T::rem)),
        BinaryOp::Max => zip(x, y, o, two!(T::max)),
        BinaryOp::Min => zip(x, y, o, two!(T::min)),
        BinaryOp::And => zip(x, y, o, two!(T::and)),
        BinaryOp::Or => zip(x, y, o, two!(T::or)),
        BinaryOp::Xor => zip(x, y, o, two!(T::xor)),
        BinaryOp::ShiftLeft => zip(x, y, o, two!(T::shl)),
        BinaryOp::ShiftRightLogical => zip(x, y, o, two!(T::shr)),
        BinaryOp::Pow => Err("pow accepts only float operands".into()),
    }
}

/// An elementwise comparison into `bool` `out` (NaN compares unequal to everything).
pub(crate) fn compare_into(
    op: CompareOp,
    x: Slice<'_>,
    y: Slice<'_>,
    out: Out<'_>,
) -> Result<(), String> {
    let Out::Bool(o) = out else {
        return Err("a comparison gives bool".into());
    };
    match (x, y) {
        (Slice::F32(x), Slice::F32(y)) => compare_typed(op, x, y, o),
        (Slice::F64(x), Slice::F64(y)) => compare_typed(op, x, y, o),
        (Slice::I32(x), Slice::I32(y)) => compare_typed(op, x, y, o),
        (Slice::U32(x), Slice::U32(y)) => compare_typed(op, x, y, o),
        (Slice::Bool(x), Slice::Bool(y)) => compare_typed(op, x, y, o),
        _ => Err(mismatch()),
    }
}

/// An elementwise comparison giving `bool` (NaN compares unequal to everything).
pub(crate) fn compare(op: CompareOp, x: &Buffer, y: &Buffer) -> Result<Buffer, String> {
    produce(DType::Bool, x.len(), |o| {
        compare_into(op, Slice::of(x), Slice::of(y), o)
    })
}

fn compare_typed<T: Element + PartialOrd>(
    op: CompareOp,
    x: &[T],
    y: &[T],
    o: &mut [MaybeUninit<bool>],
) -> Result<(), String> {
    match op {
        CompareOp::Eq => zip(
            x,
            y,
            o,
            #[inline(always)]
            |a, b| a == b,
        ),
        CompareOp::Ne => zip(
            x,
            y,
            o,
            #[inline(always)]
            |a, b| a != b,
        ),
        CompareOp::Lt => zip(
            x,
            y,
            o,
            #[inline(always)]
            |a, b| a < b,
        ),
        CompareOp::Le => zip(
            x,
            y,
            o,
            #[inline(always)]
            |a, b| a <= b,
        ),
        CompareOp::Gt => zip(
            x,
            y,
            o,
            #[inline(always)]
            |a, b| a > b,
        ),
        CompareOp::Ge => zip(
            x,
            y,
            o,
            #[inline(always)]
            |a, b| a >= b,
        ),
    }
}

/// `pred ? on_true : on_false` into `out`, elementwise.
pub(crate) fn select_into(
    pred: Slice<'_>,
    on_true: Slice<'_>,
    on_false: Slice<'_>,
    out: Out<'_>,
) -> Result<(), String> {
    let Slice::Bool(p) = pred else {
        return Err("select needs a bool predicate".into());
    };
    match (on_true, on_false, out) {
        (Slice::F32(t), Slice::F32(f), Out::F32(o)) => select_typed(p, t, f, o),
        (Slice::F64(t), Slice::F64(f), Out::F64(o)) => select_typed(p, t, f, o),
        (Slice::I32(t), Slice::I32(f), Out::I32(o)) => select_typed(p, t, f, o),
        (Slice::U32(t), Slice::U32(f), Out::U32(o)) => select_typed(p, t, f, o),
        (Slice::Bool(t), Slice::Bool(f), Out::Bool(o)) => select_typed(p, t, f, o),
        _ => Err(mismatch()),
    }
}

/// `pred ? on_true : on_false`, elementwise.
pub(crate) fn select(pred: &Buffer, on_true: &Buffer, on_false: &Buffer) -> Result<Buffer, String> {
    produce(on_true.dtype(), pred.len(), |o| {
        select_into(Slice::of(pred), Slice::of(on_true), Slice::of(on_false), o)
    })
}

fn select_typed<T: Copy>(
    p: &[bool],
    t: &[T],
    f: &[T],
    o: &mut [MaybeUninit<T>],
) -> Result<(), String> {
    if p.len() != o.len() || t.len() != o.len() || f.len() != o.len() {
        return Err(length_error(p.len().max(t.len()).max(f.len()), o.len()));
    }
    vectorized(
        #[inline(always)]
        || {
            for (o, (&c, (&a, &b))) in o.iter_mut().zip(p.iter().zip(t.iter().zip(f))) {
                o.write(if c { a } else { b });
            }
        },
    );
    Ok(())
}

/// `a * b + c` with one rounding into `out` (float operands of one dtype and length).
/// `mul_add` is one instruction where the loop runs with FMA and a correctly rounded
/// library call elsewhere: the same result on every CPU.
pub(crate) fn fma_into(
    a: Slice<'_>,
    b: Slice<'_>,
    c: Slice<'_>,
    out: Out<'_>,
) -> Result<(), String> {
    // `b` and `c` may be single elements (scalar operands of a fused kernel).
    fn go<T: Float>(a: &[T], b: &[T], c: &[T], o: &mut [MaybeUninit<T>]) -> Result<(), String> {
        let n = o.len();
        let fits = |v: &[T]| v.len() == n || v.len() == 1;
        if a.len() != n || !fits(b) || !fits(c) {
            return Err(length_error(a.len().max(b.len()).max(c.len()), n));
        }
        match (b, c) {
            (&[y], &[z]) if n != 1 => vectorized(
                #[inline(always)]
                || {
                    for (o, &x) in o.iter_mut().zip(a) {
                        o.write(x.mul_add(y, z));
                    }
                },
            ),
            (&[y], _) if n != 1 => vectorized(
                #[inline(always)]
                || {
                    for (o, (&x, &z)) in o.iter_mut().zip(a.iter().zip(c)) {
                        o.write(x.mul_add(y, z));
                    }
                },
            ),
            (_, &[z]) if n != 1 => vectorized(
                #[inline(always)]
                || {
                    for (o, (&x, &y)) in o.iter_mut().zip(a.iter().zip(b)) {
                        o.write(x.mul_add(y, z));
                    }
                },
            ),
            _ => vectorized(
                #[inline(always)]
                || {
                    for (o, (&x, (&y, &z))) in o.iter_mut().zip(a.iter().zip(b.iter().zip(c))) {
                        o.write(x.mul_add(y, z));
                    }
                },
            ),
        }
        Ok(())
    }
    match (a, b, c, out) {
        (Slice::F32(a), Slice::F32(b), Slice::F32(c), Out::F32(o)) => go(a, b, c, o),
        (Slice::F64(a), Slice::F64(b), Slice::F64(c), Out::F64(o)) => go(a, b, c, o),
        _ => Err("fma needs float operands of one dtype".into()),
    }
}

/// `a * b + c` with one rounding, elementwise.
pub(crate) fn fma(a: &Buffer, b: &Buffer, c: &Buffer) -> Result<Buffer, String> {
    produce(a.dtype(), a.len(), |o| {
        fma_into(Slice::of(a), Slice::of(b), Slice::of(c), o)
    })
}

/// Value conversion into `out` with Rust `as` semantics: floats to integers truncate
/// and saturate (NaN gives 0), integers to integers wrap, nonzero is `true`, `true` is 1.
pub(crate) fn convert_into(x: Slice<'_>, out: Out<'_>) -> Result<(), String> {
    match (x, out) {
        (Slice::I32(v), Out::U32(o)) => map(
            v,
            o,
            #[inline(always)]
            |a| a as u32,
        ),
        (Slice::U32(v), Out::I32(o)) => map(
            v,
            o,
            #[inline(always)]
            |a| a as i32,
        ),
        // Every other pair goes through f64, which holds every f32, i32 and u32 exactly,
        // so the one rounding or saturation is that of the direct `as` cast.
        (Slice::F32(v), o) => convert_via_f64(v, o),
        (Slice::F64(v), o) => convert_via_f64(v, o),
        (Slice::I32(v), o) => convert_via_f64(v, o),
        (Slice::U32(v), o) => convert_via_f64(v, o),
        (Slice::Bool(v), o) => convert_via_f64(v, o),
    }
}

/// Value conversion (see [`convert_into`]).
pub(crate) fn convert(x: &Buffer, dtype: DType) -> Result<Buffer, String> {
    produce(dtype, x.len(), |o| convert_into(Slice::of(x), o))
}

fn convert_via_f64<T: Element>(x: &[T], out: Out<'_>) -> Result<(), String> {
    macro_rules! to {
        ($o:ident, $u:ty) => {
            map(
                x,
                $o,
                #[inline(always)]
                |a| <$u>::from_f64(a.to_f64()),
            )
        };
    }
    match out {
        Out::F32(o) => to!(o, f32),
        Out::F64(o) => to!(o, f64),
        Out::I32(o) => to!(o, i32),
        Out::U32(o) => to!(o, u32),
        Out::Bool(o) => to!(o, bool),
    }
}

/// Reinterprets the bits into `out` (`f32`, `i32`, `u32` among themselves; any dtype to
/// itself).
pub(crate) fn bitcast_into(x: Slice<'_>, out: Out<'_>) -> Result<(), String> {
    match (x, out) {
        (Slice::F32(v), Out::F32(o)) => map(v, o, id!()),
        (Slice::F64(v), Out::F64(o)) => map(v, o, id!()),
        (Slice::I32(v), Out::I32(o)) => map(v, o, id!()),
        (Slice::U32(v), Out::U32(o)) => map(v, o, id!()),
        (Slice::Bool(v), Out::Bool(o)) => map(v, o, id!()),
        (Slice::F32(v), Out::U32(o)) => map(v, o, one!(f32::to_bits)),
        (Slice::F32(v), Out::I32(o)) => map(
            v,
            o,
            #[inline(always)]
            |a| a.to_bits() as i32,
        ),
        (Slice::U32(v), Out::F32(o)) => map(v, o, one!(f32::from_bits)),
        (Slice::I32(v), Out::F32(o)) => map(
            v,
            o,
            #[inline(always)]
            |a| f32::from_bits(a as u32),
        ),
        (Slice::I32(v), Out::U32(o)) => map(
            v,
            o,
            #[inline(always)]
            |a| a as u32,
        ),
        (Slice::U32(v), Out::I32(o)) => map(
            v,
            o,
            #[inline(always)]
            |a| a as i32,
        ),
        _ => Err("bitcast needs operands of one width: f32, i32 or u32".into()),
    }
}

/// Copies `x` into `out` (same dtype and length).
pub(crate) fn copy_into(x: Slice<'_>, out: Out<'_>) -> Result<(), String> {
    match (x, out) {
        (Slice::F32(v), Out::F32(o)) => map(v, o, id!()),
        (Slice::F64(v), Out::F64(o)) => map(v, o, id!()),
        (Slice::I32(v), Out::I32(o)) => map(v, o, id!()),
        (Slice::U32(v), Out::U32(o)) => map(v, o, id!()),
        (Slice::Bool(v), Out::Bool(o)) => map(v, o, id!()),
        _ => Err(mismatch()),
    }
}

/// Reinterprets the bits as `dtype` (`f32`, `i32`, `u32` among themselves; any dtype to
/// itself).
pub(crate) fn bitcast(x: &Buffer, dtype: DType) -> Result<Buffer, String> {
    let from = x.dtype();
    produce(dtype, x.len(), |o| {
        bitcast_into(Slice::of(x), o).map_err(|_| format!("cannot bitcast {from} to {dtype}"))
    })
}
