//! `Array`: the one user-facing value — concrete, traced, or an error.

use super::buffer::Buffer;
use super::dtype::{DType, Element};
use crate::backend::cpu::recycle;
use crate::error::{Error, Result};
use crate::ir::{ArrayType, Primitive, Var, shape_str};
use crate::transform::DeferredCall;
use std::panic::Location;
use std::sync::Arc;

/// An n-dimensional array with a static shape and a dtype.
///
/// Immutable and cheap to clone (reference counted), `Send + Sync`. Behind the same type
/// an array is one of three things, which users rarely need to tell apart:
///
/// * **concrete**: a buffer of values (the usual case outside transforms) — for a result
///   of a `jit`ted call, computed when first read (see
///   [`block_until_ready`](Array::block_until_ready));
/// * **traced**: a variable of an active trace (inside `make_program`, `vmap`, `grad`,
///   `jit`, ...), whose shape and dtype are known but whose values are not;
/// * **an error**: a failed op, carrying the [`Error`]. Later ops propagate it, and
///   every read-out ([`to_vec`](Array::to_vec), [`item`](Array::item),
///   [`check`](Array::check)) returns it as `Err`.
///
/// ```
/// use autobatch::Array;
/// let x = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
/// let y = (&x * 2.0 + 1.0).exp().log();
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![3.0, 5.0, 7.0]);
/// ```
#[derive(Clone)]
pub struct Array {
    pub(crate) repr: Repr,
}

/// What an [`Array`] is underneath.
#[derive(Clone)]
pub(crate) enum Repr {
    Concrete(Arc<Concrete>),
    Traced(Arc<Tracer>),
    Error(Arc<Error>),
}

/// A buffer with its type.
pub(crate) struct Concrete {
    pub ty: ArrayType,
    values: Values,
}

/// The values of a concrete array: a buffer, or result `.1` of a jitted call that is
/// computed when first read (by the [`DeferredCall`], which keeps it).
enum Values {
    Ready(Buffer),
    Deferred(Arc<DeferredCall>, usize),
}

impl Concrete {
    /// The values (computed now if deferred), or the error computing them raised.
    pub(crate) fn value(&self) -> Result<&Buffer> {
        match &self.values {
            Values::Ready(b) => Ok(b),
            // SAFETY: this array is result `i`'s only one (its clones share it).
            Values::Deferred(call, i) => unsafe { call.result(*i) },
        }
    }

    /// The values, `None` where computing them failed.
    pub(crate) fn buffer(&self) -> Option<&Buffer> {
        self.value().ok()
    }

    /// The call still to run for these values, and which of its results they are: a
    /// deferred result of a call that has not run.
    pub(crate) fn pending(&self) -> Option<(&Arc<DeferredCall>, usize)> {
        match &self.values {
            Values::Deferred(call, i) if !call.has_run() => Some((call, *i)),
            _ => None,
        }
    }
}

impl Drop for Concrete {
    /// The buffer's memory goes to the pool, for the next results of its size.
    fn drop(&mut self) {
        match &mut self.values {
            Values::Deferred(call, i) => call.release(*i),
            Values::Ready(b) => recycle(std::mem::replace(b, Buffer::F32(Vec::new()))),
        }
    }
}

/// A variable of the trace with id `trace`.
pub(crate) struct Tracer {
    pub trace: u64,
    pub var: Var,
    pub ty: ArrayType,
}

/// The type reported for error arrays, which have none.
static ERROR_TYPE: ArrayType = ArrayType {
    dtype: DType::F32,
    shape: Vec::new(),
};

impl Array {
    pub(crate) fn from_concrete(ty: ArrayType, buffer: Buffer) -> Array {
        debug_assert_eq!(ty.size(), buffer.len(), "buffer length matches its type");
        debug_assert_eq!(ty.dtype, buffer.dtype(), "buffer dtype matches its type");
        Array {
            repr: Repr::Concrete(Arc::new(Concrete {
                ty,
                values: Values::Ready(buffer),
            })),
        }
    }

    /// Result `index` (of type `ty`) of `call`, computed when first read.
    pub(crate) fn deferred(ty: ArrayType, call: Arc<DeferredCall>, index: usize) -> Array {
        Array {
            repr: Repr::Concrete(Arc::new(Concrete {
                ty,
                values: Values::Deferred(call, index),
            })),
        }
    }

    pub(crate) fn from_tracer(trace: u64, var: Var, ty: ArrayType) -> Array {
        Array {
            repr: Repr::Traced(Arc::new(Tracer { trace, var, ty })),
        }
    }

    /// An error array: every op on it returns it, every read-out returns `Err(error)`.
    ///
    /// ```
    /// let e = autobatch::Error::new("my_op", "bad input", None);
    /// let a = autobatch::Array::from_error(e.clone());
    /// assert_eq!((a + 1.0).check().unwrap_err(), e);
    /// ```
    pub fn from_error(error: Error) -> Array {
        Array {
            repr: Repr::Error(Arc::new(error)),
        }
    }

    /// An error array raised by `op` at the caller's location.
    #[track_caller]
    pub(crate) fn error(op: &str, message: impl Into<String>) -> Array {
        Array::from_error(Error::new(op, message, Some(Location::caller())))
    }

    /// An array of `data` in row-major order with the given shape; an error array if the
    /// lengths disagree.
    ///
    /// ```
    /// use autobatch::Array;
    /// let a = Array::from_vec(vec![1i32, 2, 3, 4, 5, 6], &[2, 3]);
    /// assert_eq!(a.shape(), &[2, 3]);
    /// assert!(Array::from_vec(vec![1.0f32], &[2]).check().is_err());
    /// ```
    #[track_caller]
    pub fn from_vec<T: Element>(data: Vec<T>, shape: &[usize]) -> Array {
        let ty = ArrayType::new(T::DTYPE, shape.to_vec());
        let size = shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if size != Some(data.len()) {
            return Array::error(
                "from_vec",
                format!(
                    "{} elements cannot fill shape {}",
                    data.len(),
                    shape_str(shape)
                ),
            );
        }
        Array::from_concrete(ty, T::into_buffer(data))
    }

    /// Like [`from_vec`](Array::from_vec), copying from a slice.
    ///
    /// ```
    /// let a = autobatch::Array::from_slice(&[1.0f64, 2.0], &[2]);
    /// assert_eq!(a.dtype(), autobatch::DType::F64);
    /// ```
    #[track_caller]
    pub fn from_slice<T: Element>(data: &[T], shape: &[usize]) -> Array {
        Array::from_vec(data.to_vec(), shape)
    }

    /// A 0-d array holding `value`, with the dtype of its Rust type.
    ///
    /// ```
    /// let a = autobatch::Array::scalar(2.5f32);
    /// assert_eq!(a.item::<f32>().unwrap(), 2.5);
    /// assert_eq!(a.shape(), &[] as &[usize]);
    /// ```
    pub fn scalar<T: Element>(value: T) -> Array {
        Array::from_concrete(
            ArrayType::new(T::DTYPE, vec![]),
            T::into_buffer(vec![value]),
        )
    }

    /// The shape (empty for a scalar and for an error array).
    ///
    /// ```
    /// assert_eq!(autobatch::Array::zeros(&[4, 2]).shape(), &[4, 2]);
    /// ```
    pub fn shape(&self) -> &[usize] {
        &self.type_ref().shape
    }

    /// The dtype (`F32` for an error array).
    ///
    /// ```
    /// assert_eq!(autobatch::Array::scalar(1i32).dtype(), autobatch::DType::I32);
    /// ```
    pub fn dtype(&self) -> DType {
        self.type_ref().dtype
    }

    /// Number of axes.
    ///
    /// ```
    /// assert_eq!(autobatch::Array::zeros(&[4, 2]).ndim(), 2);
    /// ```
    pub fn ndim(&self) -> usize {
        self.shape().len()
    }

    /// Number of elements.
    ///
    /// ```
    /// assert_eq!(autobatch::Array::zeros(&[4, 2]).size(), 8);
    /// ```
    pub fn size(&self) -> usize {
        crate::ir::shape_size(self.shape())
    }

    /// The dtype and shape together.
    ///
    /// ```
    /// assert_eq!(autobatch::Array::zeros(&[3]).array_type().to_string(), "f32[3]");
    /// ```
    pub fn array_type(&self) -> ArrayType {
        self.type_ref().clone()
    }

    pub(crate) fn type_ref(&self) -> &ArrayType {
        match &self.repr {
            Repr::Concrete(c) => &c.ty,
            Repr::Traced(t) => &t.ty,
            Repr::Error(_) => &ERROR_TYPE,
        }
    }

    /// The error this array carries, if it is an error array.
    ///
    /// ```
    /// let a = autobatch::Array::zeros(&[2]).reshape(&[3]);
    /// assert_eq!(a.error_value().unwrap().op(), "reshape");
    /// ```
    pub fn error_value(&self) -> Option<&Error> {
        match &self.repr {
            Repr::Error(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the values are known (not traced, not an error).
    ///
    /// ```
    /// assert!(autobatch::Array::zeros(&[2]).is_concrete());
    /// ```
    pub fn is_concrete(&self) -> bool {
        matches!(self.repr, Repr::Concrete(_))
    }

    /// Whether this is a variable of an active trace.
    ///
    /// ```
    /// use autobatch::{make_program, Array};
    /// make_program(|x: &Array| { assert!(x.is_traced()); x.clone() }, &Array::zeros(&[1])).unwrap();
    /// ```
    pub fn is_traced(&self) -> bool {
        matches!(self.repr, Repr::Traced(_))
    }

    /// `Ok` with (a cheap clone of) this array unless it is an error array, whose error is
    /// returned.
    ///
    /// ```
    /// use autobatch::Array;
    /// let bad = Array::zeros(&[100]) * Array::zeros(&[100, 10]);
    /// let err = bad.check().unwrap_err();
    /// assert!(err.to_string().starts_with("mul: cannot broadcast shapes [100] and [100, 10]"));
    /// ```
    pub fn check(&self) -> Result<Array> {
        match &self.repr {
            Repr::Error(e) => Err((**e).clone()),
            _ => Ok(self.clone()),
        }
    }

    pub(crate) fn concrete(&self) -> Option<&Concrete> {
        match &self.repr {
            Repr::Concrete(c) => Some(c),
            _ => None,
        }
    }

    /// Waits until the values are computed: the results of a jitted call are computed
    /// when first read (see [`jit`](crate::jit)), so a timing of a call includes its work
    /// only with this (or another read) inside it. Returns the array, or the error
    /// computing it raised (an error array's error).
    ///
    /// ```
    /// use autobatch::{jit, Array};
    /// let f = jit(|x: &Array| x.exp());
    /// let y = f(&Array::zeros(&[3])).unwrap();
    /// assert_eq!(y.block_until_ready().unwrap().to_vec::<f32>().unwrap(), vec![1.0; 3]);
    /// ```
    pub fn block_until_ready(&self) -> Result<&Array> {
        match &self.repr {
            Repr::Concrete(c) => c.value().map(|_| self),
            Repr::Error(e) => Err((**e).clone()),
            Repr::Traced(_) => Ok(self),
        }
    }

    /// The buffer, when concrete (a deferred result of a jitted call is computed now;
    /// `None` if that failed, which the read-outs report as an error).
    ///
    /// ```
    /// let a = autobatch::Array::from_vec(vec![1u32, 2], &[2]);
    /// assert_eq!(a.buffer(), Some(&autobatch::array::Buffer::U32(vec![1, 2])));
    /// ```
    pub fn buffer(&self) -> Option<&Buffer> {
        self.concrete().and_then(Concrete::buffer)
    }

    /// The values and type, for reading out: fails for an error array (with its error),
    /// a traced array, and a deferred result whose computation failed.
    #[track_caller]
    fn readable(&self, what: &str) -> Result<(&Buffer, &ArrayType)> {
        match &self.repr {
            Repr::Concrete(c) => Ok((c.value()?, &c.ty)),
            Repr::Error(e) => Err((**e).clone()),
            Repr::Traced(t) => Err(Error::new(
                what,
                format!(
                    "cannot read the values of a traced {} inside a transform; \
                     values exist only once the transformed function is called",
                    t.ty
                ),
                Some(Location::caller()),
            )),
        }
    }

    /// The elements in row-major order, converted to `T` like [`astype`](Array::astype).
    ///
    /// Fails for an error array (with its error) and for a traced array.
    ///
    /// ```
    /// let a = autobatch::Array::from_vec(vec![1.5f32, -2.0], &[2]);
    /// assert_eq!(a.to_vec::<f32>().unwrap(), vec![1.5, -2.0]);
    /// assert_eq!(a.to_vec::<i32>().unwrap(), vec![1, -2]);
    /// ```
    #[track_caller]
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        let (buffer, _) = self.readable("to_vec")?;
        if let Some(s) = T::slice_of(buffer) {
            return Ok(s.to_vec());
        }
        let converted = super::lax::convert(self, T::DTYPE);
        let (buffer, _) = converted.readable("to_vec")?;
        T::slice_of(buffer)
            .map(|s| s.to_vec())
            .ok_or_else(|| Error::new("to_vec", "conversion produced the wrong dtype", None))
    }

    /// The single element of a one-element array, converted to `T`.
    ///
    /// ```
    /// let a = autobatch::Array::from_vec(vec![7.0f32], &[1, 1]);
    /// assert_eq!(a.item::<f64>().unwrap(), 7.0);
    /// assert!(autobatch::Array::zeros(&[2]).item::<f32>().is_err());
    /// ```
    #[track_caller]
    pub fn item<T: Element>(&self) -> Result<T> {
        let (_, ty) = self.readable("item")?;
        if ty.size() != 1 {
            return Err(Error::new(
                "item",
                format!(
                    "needs an array of exactly one element, got shape {}",
                    shape_str(&ty.shape)
                ),
                Some(Location::caller()),
            ));
        }
        Ok(self.to_vec::<T>()?[0])
    }

    /// The value of a concrete scalar formatted as a literal (for printing programs).
    pub(crate) fn scalar_literal(&self) -> Option<String> {
        let c = self.concrete()?;
        if c.ty.size() != 1 {
            return None;
        }
        Some(match c.buffer()? {
            Buffer::F32(v) => format!("{:?}", v[0]),
            Buffer::F64(v) => format!("{:?}", v[0]),
            Buffer::I32(v) => v[0].to_string(),
            Buffer::U32(v) => v[0].to_string(),
            Buffer::Bool(v) => v[0].to_string(),
        })
    }
}

/// Applies a primitive to arrays: the single entry point of every op (see `trace::bind`).
#[track_caller]
pub(crate) fn apply(prim: Primitive, inputs: &[&Array]) -> Vec<Array> {
    crate::trace::bind(prim, inputs, Location::caller())
}

/// Applies a one-output primitive.
#[track_caller]
pub(crate) fn apply1(prim: Primitive, inputs: &[&Array]) -> Array {
    let mut out = crate::trace::bind(prim, inputs, Location::caller());
    out.swap_remove(0)
}

/// Applies a one-output primitive, recorded into the innermost trace among `inputs` and
/// `context` (see `trace::bind_within`).
#[track_caller]
pub(crate) fn apply1_within(prim: Primitive, inputs: &[&Array], context: &[&Array]) -> Array {
    let mut out = crate::trace::bind_within(prim, inputs, context, Location::caller());
    out.swap_remove(0)
}
