//! The closed set of primitives every program is made of.
//!
//! Like `jax.lax`, the set is small: elementwise ops act on operands of EQUAL shapes and
//! dtypes (the NumPy-style API inserts `broadcast_in_dim` and `convert`), everything else
//! is a structural op with static parameters. Each transform matches [`Primitive`]
//! exhaustively, so a new primitive cannot ship without all of its rules.
//!
//! Semantics follow XLA where they differ from Rust: integer arithmetic wraps; integer
//! division by zero gives `-1` (all ones for `u32`) and `i32::MIN / -1 == i32::MIN`; the
//! remainder by zero returns the dividend; shifts by 32 or more give 0; `max`/`min`
//! propagate NaN.

use super::sub_program::SubProgram;
use crate::array::DType;
use std::fmt;

/// Elementwise ops of one operand. The output has the operand's shape and dtype.
///
/// Float-only: `Exp Log Log1p Expm1 Sqrt Rsqrt Sin Cos Tanh Logistic ErfInv Erf Floor
/// Ceil Round`.
/// Numeric (not bool): `Neg Abs Sign`. Bool or integer (bitwise): `Not`.
///
/// ```
/// assert_eq!(autobatch::ir::UnaryOp::Log1p.name(), "log1p");
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-x` (wrapping for integers).
    Neg,
    /// `e^x`.
    Exp,
    /// Natural logarithm.
    Log,
    /// `log(1 + x)`, accurate near 0.
    Log1p,
    /// `e^x - 1`, accurate near 0.
    Expm1,
    /// Square root.
    Sqrt,
    /// `1 / sqrt(x)`.
    Rsqrt,
    /// `|x|` (wrapping for `i32::MIN`).
    Abs,
    /// `-1`, `0` or `1` (NaN stays NaN, `-0.0` stays `-0.0`).
    Sign,
    /// Sine.
    Sin,
    /// Cosine.
    Cos,
    /// Hyperbolic tangent.
    Tanh,
    /// `1 / (1 + e^-x)`, evaluated without overflow.
    Logistic,
    /// The inverse error function, as XLA computes it (`erf_inv(+-1) = +-inf`).
    ErfInv,
    /// The error function `2/sqrt(pi) * integral_0^x exp(-t^2) dt`.
    Erf,
    /// Round toward -inf.
    Floor,
    /// Round toward +inf.
    Ceil,
    /// Round half to even (like `numpy.round`).
    Round,
    /// Logical not (bool) or bitwise not (integers).
    Not,
}

/// Elementwise ops of two operands with equal shapes and dtypes; the output has that
/// shape and dtype.
///
/// Numeric (not bool): `Add Sub Mul Div Rem`. Float-only: `Pow`. Any dtype: `Max Min`
/// (on bool: or / and). Bool or integer: `And Or Xor`. Integer only: `ShiftLeft
/// ShiftRightLogical`.
///
/// ```
/// assert_eq!(autobatch::ir::BinaryOp::Max.name(), "max");
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `x + y`.
    Add,
    /// `x - y`.
    Sub,
    /// `x * y`.
    Mul,
    /// `x / y` (truncating for integers).
    Div,
    /// Remainder with the sign of the dividend (C `fmod`).
    Rem,
    /// `x ^ y` for floats.
    Pow,
    /// Larger of the two (NaN if either is NaN).
    Max,
    /// Smaller of the two (NaN if either is NaN).
    Min,
    /// Logical / bitwise and.
    And,
    /// Logical / bitwise or.
    Or,
    /// Logical / bitwise exclusive or.
    Xor,
    /// `x << y` (0 when `y >= 32`).
    ShiftLeft,
    /// `x >> y` filling with zeros (0 when `y >= 32`).
    ShiftRightLogical,
}

/// Elementwise comparisons of two operands with equal shapes and dtypes; output `bool`.
/// Comparisons involving NaN are false, except `Ne`, which is true.
///
/// ```
/// assert_eq!(autobatch::ir::CompareOp::Le.name(), "le");
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// The combining op of a [`Primitive::Reduce`].
///
/// ```
/// assert_eq!(autobatch::ir::ReduceOp::Sum.name(), "reduce_sum");
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    /// Sum (numeric dtypes). Empty reductions give 0.
    Sum,
    /// Product (numeric dtypes). Empty reductions give 1.
    Prod,
    /// Maximum (any dtype; NaN propagates). Empty reductions give the dtype's lowest value
    /// (`-inf` for floats, `false` for bool).
    Max,
    /// Minimum (any dtype; NaN propagates). Empty reductions give the dtype's highest value.
    Min,
}

/// Which extreme a [`Primitive::ArgReduce`] looks for.
///
/// ```
/// assert_eq!(autobatch::ir::ArgOp::Argmax.name(), "argmax");
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ArgOp {
    /// Index of the largest element.
    Argmax,
    /// Index of the smallest element.
    Argmin,
}

/// A primitive operation with its static parameters.
///
/// Operand order and output types are documented per variant; the shape rules in
/// [`crate::ir::shape_rules`] enforce them.
///
/// ```
/// use autobatch::ir::{Primitive, BinaryOp};
/// assert_eq!(Primitive::Binary(BinaryOp::Mul).name(), "mul");
/// assert_eq!(Primitive::Threefry2x32.num_outputs(), 2);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Primitive {
    /// One-operand elementwise op.
    Unary(UnaryOp),
    /// Two-operand elementwise op on equal shapes and dtypes.
    Binary(BinaryOp),
    /// Elementwise comparison on equal shapes and dtypes, giving `bool`.
    Compare(CompareOp),
    /// `(pred: bool[s], on_true: T[s], on_false: T[s]) -> T[s]`.
    Select,
    /// Fused multiply-add `a * b + c` with one rounding, on floats of one shape and dtype
    /// (what XLA computes on CPU where a product feeds a sum).
    Fma,
    /// Value conversion to `dtype` (floats to integers truncate toward zero and saturate,
    /// NaN gives 0; nonzero is `true`; `true` is 1).
    Convert {
        /// The target dtype.
        dtype: DType,
    },
    /// Reinterpret the bits as `dtype` of the same width (`f32`, `i32`, `u32` among
    /// themselves; `f64` only to itself).
    Bitcast {
        /// The target dtype.
        dtype: DType,
    },
    /// `operand: T[s] -> T[shape]`: operand axis `i` becomes output axis `dims[i]`
    /// (strictly increasing); each operand extent equals the output's or is 1.
    BroadcastInDim {
        /// The output shape.
        shape: Vec<usize>,
        /// For each operand axis, the output axis it maps to.
        dims: Vec<usize>,
    },
    /// Row-major reshape to `shape` (same number of elements).
    Reshape {
        /// The output shape.
        shape: Vec<usize>,
    },
    /// Output axis `i` is operand axis `perm[i]`.
    Transpose {
        /// A permutation of the operand's axes.
        perm: Vec<usize>,
    },
    /// Elements `start[i], start[i] + strides[i], ... < limit[i]` of each axis.
    Slice {
        /// First index per axis.
        start: Vec<usize>,
        /// One past the last index per axis (`start <= limit <= extent`).
        limit: Vec<usize>,
        /// Step per axis (at least 1).
        strides: Vec<usize>,
    },
    /// `(operand: T[s], padding_value: T[]) -> T[...]`: per axis, `low` copies of the
    /// padding before, `interior` between each pair of elements and `high` after; negative
    /// `low`/`high` remove elements. Output extent: `low + high + n + max(n - 1, 0) * interior`.
    Pad {
        /// Padding before each axis (may be negative).
        low: Vec<i64>,
        /// Padding after each axis (may be negative).
        high: Vec<i64>,
        /// Padding between elements of each axis.
        interior: Vec<usize>,
    },
    /// Joins operands (same dtype, same extents except along `axis`) along `axis`.
    Concatenate {
        /// The axis to join along.
        axis: usize,
    },
    /// No operands: the output of `shape` counts 0, 1, 2, ... along axis `dim`.
    Iota {
        /// The output dtype (numeric).
        dtype: DType,
        /// The output shape.
        shape: Vec<usize>,
        /// The axis that counts.
        dim: usize,
    },
    /// `(operand: T[s], indices: i32[t]) -> T[s[..axis] ++ t ++ s[axis+1..]]`: picks
    /// entries of `operand` along `axis`. Indices are clamped into `0..extent` (an
    /// operand with extent 0 along `axis` is an error).
    Take {
        /// The axis indexed by `indices`.
        axis: usize,
    },
    /// `(operand: T[s], indices: i32[t], updates: T[s[..axis] ++ t ++ s[axis+1..]]) -> T[s]`:
    /// a copy of `operand` with each update added at its (clamped) index along `axis`;
    /// duplicate indices accumulate. The transpose of [`Primitive::Take`].
    ScatterAdd {
        /// The axis indexed by `indices`.
        axis: usize,
    },
    /// Reduces `axes` (sorted, distinct) away with `op`.
    Reduce {
        /// The combining op.
        op: ReduceOp,
        /// The axes to remove.
        axes: Vec<usize>,
    },
    /// `i32` index of the first extreme element along `axis` (removed from the shape); a
    /// NaN counts as the extreme. The axis must not be empty.
    ArgReduce {
        /// Maximum or minimum.
        op: ArgOp,
        /// The axis searched.
        axis: usize,
    },
    /// Inclusive running sum along `axis` (numeric dtypes), from the end when `reverse`.
    Cumsum {
        /// The axis summed along.
        axis: usize,
        /// Accumulate from the last element backwards.
        reverse: bool,
    },
    /// Generalized contraction of `(lhs, rhs)` of one numeric dtype. Output axes: the batch
    /// axes (in `lhs_batch` order), then lhs's free axes, then rhs's free axes, each in
    /// increasing order.
    DotGeneral {
        /// Contracted lhs axes.
        lhs_contract: Vec<usize>,
        /// Contracted rhs axes, paired with `lhs_contract`.
        rhs_contract: Vec<usize>,
        /// Batch lhs axes.
        lhs_batch: Vec<usize>,
        /// Batch rhs axes, paired with `lhs_batch`.
        rhs_batch: Vec<usize>,
    },
    /// Identity on values; stops derivatives.
    StopGradient,
    /// `(k0, k1, x0, x1: u32[s]) -> (y0, y1: u32[s])`: the Threefry-2x32 block function
    /// (20 rounds) applied elementwise.
    Threefry2x32,
    /// A function with a user-given derivative rule (see [`crate::custom_jvp`]): evaluates
    /// its primal program; forward mode runs its JVP program instead of differentiating
    /// the primal one, and reverse mode transposes that JVP.
    CustomJvp(CustomJvpCall),
    /// `a: f[..., n, n] -> l: f[..., n, n]`: the lower Cholesky factor (`l lᵀ = a`, zeros
    /// above the diagonal) of each symmetric positive definite matrix, reading only the
    /// lower triangle of `a`. A matrix with a non-positive pivot gives NaN (no error).
    Cholesky,
    /// `(a: f[..., n, n], b: f[..., n, k]) -> x: f[..., n, k]` solving `op(a) x = b` per
    /// matrix, where `op(a)` is `a` or `aᵀ`; only the triangle of `a` named by `lower` is
    /// read. Leading (batch) axes must match exactly.
    TriangularSolve {
        /// Whether `a` is lower (else upper) triangular.
        lower: bool,
        /// Solve with `aᵀ` instead of `a`.
        transpose_a: bool,
        /// Assume ones on the diagonal (the diagonal of `a` is not read).
        unit_diagonal: bool,
    },
    /// `(index: i32[], operands...) -> outputs`: runs branch `clamp(index, 0, n - 1)` on
    /// the operands (see [`crate::control::switch`]).
    Cond(CondCall),
    /// `(cond_consts..., body_consts..., carry...) -> carry`: while the condition holds
    /// on the carry, replaces the carry by the body's result (see
    /// [`crate::control::while_loop`]).
    While(WhileCall),
    /// `(consts..., carry..., xs...) -> (carry..., ys...)`: runs the body once per index
    /// of the leading axis of the `xs`, threading the carry and stacking the per-step
    /// outputs `ys` along a new leading axis (see [`crate::control::scan`]).
    Scan(ScanCall),
}

/// The branches of a [`Primitive::Cond`]: programs of the same input and output types.
///
/// ```
/// use autobatch::{control::cond, make_program, Array};
/// let p = make_program(
///     |x: &Array| cond(&x.sum().gt(0.0), |x: &Array| x * 2.0, |x: &Array| -x, x),
///     &Array::zeros(&[3]),
/// ).unwrap();
/// assert_eq!(p.count_primitive("cond"), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CondCall {
    /// One program per branch, each mapping the operands (after the index) to the outputs.
    pub branches: Vec<SubProgram>,
}

/// The programs of a [`Primitive::While`].
///
/// ```
/// use autobatch::{control::while_loop, make_program, Array};
/// let p = make_program(
///     |x: &Array| while_loop(|x: &Array| x.lt(10.0), |x: &Array| x * 2.0, x),
///     &Array::scalar(1.0f32),
/// ).unwrap();
/// assert_eq!(p.count_primitive("while"), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WhileCall {
    /// `cond_consts ++ carry -> bool[]`.
    pub cond: SubProgram,
    /// `body_consts ++ carry -> carry`.
    pub body: SubProgram,
    /// How many leading operands are the condition's closed-over values.
    pub cond_consts: usize,
    /// How many operands after those are the body's closed-over values.
    pub body_consts: usize,
}

impl WhileCall {
    /// The number of carried values (also the number of outputs).
    ///
    /// ```
    /// use autobatch::{control::while_loop, make_program, Array, ir::Primitive};
    /// let p = make_program(|x: &Array| while_loop(|x: &Array| x.lt(3.0), |x: &Array| x + 1.0, x), &Array::scalar(0.0f32)).unwrap();
    /// let Primitive::While(call) = &p.equations[0].primitive else { unreachable!() };
    /// assert_eq!(call.num_carry(), 1);
    /// ```
    pub fn num_carry(&self) -> usize {
        self.body.outvars.len()
    }
}

/// The body and static parameters of a [`Primitive::Scan`].
///
/// ```
/// use autobatch::{control::scan, make_program, Array};
/// let p = make_program(
///     |xs: &Array| scan(|c: &Array, x: &Array| (c + x, c * x), &Array::scalar(0.0f32), xs),
///     &Array::zeros(&[5]),
/// ).unwrap();
/// assert_eq!(p.count_primitive("scan"), 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ScanCall {
    /// `consts ++ carry ++ x slices -> carry ++ y slices`.
    pub body: SubProgram,
    /// How many leading operands are closed-over values.
    pub consts: usize,
    /// How many operands after those are the initial carry.
    pub carry: usize,
    /// The number of steps (the leading extent of every `xs` operand and every output `ys`).
    pub length: usize,
    /// Whether the steps run from the last index to the first.
    pub reverse: bool,
}

/// The programs of a [`Primitive::CustomJvp`].
///
/// Operands are `primal_consts ++ jvp_consts ++ args`: both programs are closure-converted
/// (their closed-over values are leading inputs), so the equation holds no hidden values.
/// The primal program maps `primal_consts ++ args` to the outputs; the JVP program maps
/// `jvp_consts ++ args ++ tangents` to `outputs ++ output tangents`. Equality and hashing
/// are by identity of the programs.
///
/// ```
/// use autobatch::{custom_jvp, make_program, Array};
/// let square = custom_jvp(|x: &Array| x * x, |x: &Array, t: &Array| (x * x, 2.0 * x * t));
/// let p = make_program(|x: &Array| square(x), &Array::zeros(&[2])).unwrap();
/// assert_eq!(p.count_primitive("custom_jvp_call"), 1);
/// ```
#[derive(Clone)]
pub struct CustomJvpCall {
    /// `primal_consts ++ args -> outputs`.
    pub primal: std::sync::Arc<super::Program>,
    /// `jvp_consts ++ args ++ tangents -> outputs ++ output tangents`.
    pub jvp: std::sync::Arc<super::Program>,
    /// How many leading operands are the primal program's closed-over values.
    pub primal_consts: usize,
    /// How many operands after those are the JVP program's closed-over values.
    pub jvp_consts: usize,
}

impl CustomJvpCall {
    /// Number of outputs.
    ///
    /// ```
    /// use autobatch::{custom_jvp, make_program, Array, ir::Primitive};
    /// let f = custom_jvp(|x: &Array| x.exp(), |x: &Array, t: &Array| (x.exp(), x.exp() * t));
    /// let p = make_program(|x: &Array| f(x), &Array::zeros(&[1])).unwrap();
    /// let Primitive::CustomJvp(call) = &p.equations[0].primitive else { unreachable!() };
    /// assert_eq!(call.num_outputs(), 1);
    /// ```
    pub fn num_outputs(&self) -> usize {
        self.primal.outvars.len()
    }
}

impl PartialEq for CustomJvpCall {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.primal, &other.primal)
            && std::sync::Arc::ptr_eq(&self.jvp, &other.jvp)
    }
}
impl Eq for CustomJvpCall {}
impl std::hash::Hash for CustomJvpCall {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (std::sync::Arc::as_ptr(&self.primal) as usize).hash(state);
        (std::sync::Arc::as_ptr(&self.jvp) as usize).hash(state);
    }
}
impl fmt::Debug for CustomJvpCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CustomJvpCall({} equations)",
            self.primal.equations.len()
        )
    }
}

impl UnaryOp {
    /// Every unary op.
    ///
    /// ```
    /// assert!(autobatch::ir::UnaryOp::ALL.contains(&autobatch::ir::UnaryOp::Tanh));
    /// ```
    pub const ALL: [UnaryOp; 19] = [
        UnaryOp::Neg,
        UnaryOp::Exp,
        UnaryOp::Log,
        UnaryOp::Log1p,
        UnaryOp::Expm1,
        UnaryOp::Sqrt,
        UnaryOp::Rsqrt,
        UnaryOp::Abs,
        UnaryOp::Sign,
        UnaryOp::Sin,
        UnaryOp::Cos,
        UnaryOp::Tanh,
        UnaryOp::Logistic,
        UnaryOp::ErfInv,
        UnaryOp::Erf,
        UnaryOp::Floor,
        UnaryOp::Ceil,
        UnaryOp::Round,
        UnaryOp::Not,
    ];

    /// The name in printed programs.
    ///
    /// ```
    /// assert_eq!(autobatch::ir::UnaryOp::Neg.name(), "neg");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            UnaryOp::Neg => "neg",
            UnaryOp::Exp => "exp",
            UnaryOp::Log => "log",
            UnaryOp::Log1p => "log1p",
            UnaryOp::Expm1 => "expm1",
            UnaryOp::Sqrt => "sqrt",
            UnaryOp::Rsqrt => "rsqrt",
            UnaryOp::Abs => "abs",
            UnaryOp::Sign => "sign",
            UnaryOp::Sin => "sin",
            UnaryOp::Cos => "cos",
            UnaryOp::Tanh => "tanh",
            UnaryOp::Logistic => "logistic",
            UnaryOp::ErfInv => "erf_inv",
            UnaryOp::Erf => "erf",
            UnaryOp::Floor => "floor",
            UnaryOp::Ceil => "ceil",
            UnaryOp::Round => "round",
            UnaryOp::Not => "not",
        }
    }

    /// Whether the op accepts only float operands.
    ///
    /// ```
    /// assert!(autobatch::ir::UnaryOp::Exp.float_only());
    /// assert!(!autobatch::ir::UnaryOp::Abs.float_only());
    /// ```
    pub fn float_only(self) -> bool {
        !matches!(
            self,
            UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign | UnaryOp::Not
        )
    }
}

impl BinaryOp {
    /// Every binary op.
    ///
    /// ```
    /// assert_eq!(autobatch::ir::BinaryOp::ALL.len(), 13);
    /// ```
    pub const ALL: [BinaryOp; 13] = [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Rem,
        BinaryOp::Pow,
        BinaryOp::Max,
        BinaryOp::Min,
        BinaryOp::And,
        BinaryOp::Or,
        BinaryOp::Xor,
        BinaryOp::ShiftLeft,
        BinaryOp::ShiftRightLogical,
    ];

    /// The name in printed programs.
    ///
    /// ```
    /// assert_eq!(autobatch::ir::BinaryOp::ShiftRightLogical.name(), "shift_right_logical");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::Rem => "rem",
            BinaryOp::Pow => "pow",
            BinaryOp::Max => "max",
            BinaryOp::Min => "min",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Xor => "xor",
            BinaryOp::ShiftLeft => "shift_left",
            BinaryOp::ShiftRightLogical => "shift_right_logical",
        }
    }

    /// Whether the op accepts `dtype` operands.
    ///
    /// ```
    /// use autobatch::{ir::BinaryOp, DType};
    /// assert!(BinaryOp::Pow.accepts(DType::F64));
    /// assert!(!BinaryOp::Add.accepts(DType::Bool));
    /// ```
    pub fn accepts(self, dtype: DType) -> bool {
        match self {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                dtype != DType::Bool
            }
            BinaryOp::Pow => dtype.is_float(),
            BinaryOp::Max | BinaryOp::Min => true,
            BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => !dtype.is_float(),
            BinaryOp::ShiftLeft | BinaryOp::ShiftRightLogical => dtype.is_int(),
        }
    }
}

impl CompareOp {
    /// Every comparison.
    ///
    /// ```
    /// assert_eq!(autobatch::ir::CompareOp::ALL.len(), 6);
    /// ```
    pub const ALL: [CompareOp; 6] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Lt,
        CompareOp::Le,
        CompareOp::Gt,
        CompareOp::Ge,
    ];

    /// The name in printed programs.
    ///
    /// ```
    /// assert_eq!(autobatch::ir::CompareOp::Gt.name(), "gt");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
        }
    }
}

impl ReduceOp {
    /// The name in printed programs.
    ///
    /// ```
    /// assert_eq!(autobatch::ir::ReduceOp::Max.name(), "reduce_max");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ReduceOp::Sum => "reduce_sum",
            ReduceOp::Prod => "reduce_prod",
            ReduceOp::Max => "reduce_max",
            ReduceOp::Min => "reduce_min",
        }
    }
}

impl ArgOp {
    /// The name in printed programs.
    ///
    /// ```
    /// assert_eq!(autobatch::ir::ArgOp::Argmin.name(), "argmin");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            ArgOp::Argmax => "argmax",
            ArgOp::Argmin => "argmin",
        }
    }
}

impl Primitive {
    /// The name in printed programs and error messages.
    ///
    /// ```
    /// use autobatch::ir::Primitive;
    /// assert_eq!(Primitive::Reshape { shape: vec![2] }.name(), "reshape");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Primitive::Unary(op) => op.name(),
            Primitive::Binary(op) => op.name(),
            Primitive::Compare(op) => op.name(),
            Primitive::Select => "select",
            Primitive::Fma => "fma",
            Primitive::Convert { .. } => "convert",
            Primitive::Bitcast { .. } => "bitcast",
            Primitive::BroadcastInDim { .. } => "broadcast_in_dim",
            Primitive::Reshape { .. } => "reshape",
            Primitive::Transpose { .. } => "transpose",
            Primitive::Slice { .. } => "slice",
            Primitive::Pad { .. } => "pad",
            Primitive::Concatenate { .. } => "concatenate",
            Primitive::Iota { .. } => "iota",
            Primitive::Take { .. } => "take",
            Primitive::ScatterAdd { .. } => "scatter_add",
            Primitive::Reduce { op, .. } => op.name(),
            Primitive::ArgReduce { op, .. } => op.name(),
            Primitive::Cumsum { .. } => "cumsum",
            Primitive::DotGeneral { .. } => "dot_general",
            Primitive::StopGradient => "stop_gradient",
            Primitive::Threefry2x32 => "threefry2x32",
            Primitive::CustomJvp(_) => "custom_jvp_call",
            Primitive::Cholesky => "cholesky",
            Primitive::TriangularSolve { .. } => "triangular_solve",
            Primitive::Cond(_) => "cond",
            Primitive::While(_) => "while",
            Primitive::Scan(_) => "scan",
        }
    }

    /// The control-flow sub-programs the primitive holds, labelled as printed programs
    /// show them (`branch0`, `branch1`, ...; `cond` and `body`; `body`).
    ///
    /// ```
    /// use autobatch::{control::while_loop, make_program, Array};
    /// let p = make_program(|x: &Array| while_loop(|x: &Array| x.lt(3.0), |x: &Array| x + 1.0, x), &Array::scalar(0.0f32)).unwrap();
    /// let labels: Vec<String> = p.equations[0].primitive.sub_programs().into_iter().map(|(l, _)| l).collect();
    /// assert_eq!(labels, ["cond", "body"]);
    /// ```
    pub fn sub_programs(&self) -> Vec<(String, &super::Program)> {
        match self {
            Primitive::Cond(call) => call
                .branches
                .iter()
                .enumerate()
                .map(|(k, b)| (format!("branch{k}"), b.program()))
                .collect(),
            Primitive::While(call) => vec![
                ("cond".to_string(), call.cond.program()),
                ("body".to_string(), call.body.program()),
            ],
            Primitive::Scan(call) => vec![("body".to_string(), call.body.program())],
            _ => Vec::new(),
        }
    }

    /// How many arrays the primitive returns.
    ///
    /// ```
    /// assert_eq!(autobatch::ir::Primitive::Select.num_outputs(), 1);
    /// ```
    pub fn num_outputs(&self) -> usize {
        match self {
            Primitive::Threefry2x32 => 2,
            Primitive::CustomJvp(call) => call.num_outputs(),
            Primitive::Cond(call) => call.branches.first().map_or(0, |b| b.outvars.len()),
            Primitive::While(call) => call.num_carry(),
            Primitive::Scan(call) => call.body.outvars.len(),
            Primitive::Unary(_)
            | Primitive::Binary(_)
            | Primitive::Compare(_)
            | Primitive::Select
            | Primitive::Fma
            | Primitive::Convert { .. }
            | Primitive::Bitcast { .. }
            | Primitive::BroadcastInDim { .. }
            | Primitive::Reshape { .. }
            | Primitive::Transpose { .. }
            | Primitive::Slice { .. }
            | Primitive::Pad { .. }
            | Primitive::Concatenate { .. }
            | Primitive::Iota { .. }
            | Primitive::Take { .. }
            | Primitive::ScatterAdd { .. }
            | Primitive::Reduce { .. }
            | Primitive::ArgReduce { .. }
            | Primitive::Cumsum { .. }
            | Primitive::DotGeneral { .. }
            | Primitive::Cholesky
            | Primitive::TriangularSolve { .. }
            | Primitive::StopGradient => 1,
        }
    }

    /// The static parameters as printed in a program, e.g. `[axes=(0,)]`; empty if none.
    ///
    /// ```
    /// use autobatch::ir::{Primitive, ReduceOp};
    /// let p = Primitive::Reduce { op: ReduceOp::Sum, axes: vec![0, 1] };
    /// assert_eq!(p.params_string(), "[axes=(0,1)]");
    /// ```
    pub fn params_string(&self) -> String {
        fn list<T: fmt::Display>(v: &[T]) -> String {
            let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            if items.len() == 1 {
                format!("({},)", items[0])
            } else {
                format!("({})", items.join(","))
            }
        }
        match self {
            Primitive::Unary(_)
            | Primitive::Binary(_)
            | Primitive::Compare(_)
            | Primitive::Select
            | Primitive::Fma
            | Primitive::StopGradient
            | Primitive::Cholesky
            | Primitive::Threefry2x32 => String::new(),
            Primitive::TriangularSolve {
                lower,
                transpose_a,
                unit_diagonal,
            } => format!("[lower={lower} transpose_a={transpose_a} unit_diagonal={unit_diagonal}]"),
            Primitive::CustomJvp(call) => format!("[equations={}]", call.primal.equations.len()),
            Primitive::Cond(call) => format!("[branches={}]", call.branches.len()),
            Primitive::While(call) => format!(
                "[cond_consts={} body_consts={}]",
                call.cond_consts, call.body_consts
            ),
            Primitive::Scan(call) => {
                let mut s = format!(
                    "[length={} consts={} carry={}",
                    call.length, call.consts, call.carry
                );
                if call.reverse {
                    s += " reverse=true";
                }
                s + "]"
            }
            Primitive::Convert { dtype } | Primitive::Bitcast { dtype } => {
                format!("[dtype={dtype}]")
            }
            Primitive::BroadcastInDim { shape, dims } => {
                format!("[shape={} dims={}]", list(shape), list(dims))
            }
            Primitive::Reshape { shape } => format!("[shape={}]", list(shape)),
            Primitive::Transpose { perm } => format!("[perm={}]", list(perm)),
            Primitive::Slice {
                start,
                limit,
                strides,
            } => {
                if strides.iter().all(|&s| s == 1) {
                    format!("[start={} limit={}]", list(start), list(limit))
                } else {
                    format!(
                        "[start={} limit={} strides={}]",
                        list(start),
                        list(limit),
                        list(strides)
                    )
                }
            }
            Primitive::Pad {
                low,
                high,
                interior,
            } => format!(
                "[low={} high={} interior={}]",
                list(low),
                list(high),
                list(interior)
            ),
            Primitive::Concatenate { axis } => format!("[axis={axis}]"),
            Primitive::Iota { dtype, shape, dim } => {
                format!("[dtype={dtype} shape={} dim={dim}]", list(shape))
            }
            Primitive::Take { axis } | Primitive::ScatterAdd { axis } => format!("[axis={axis}]"),
            Primitive::Reduce { axes, .. } => format!("[axes={}]", list(axes)),
            Primitive::ArgReduce { axis, .. } => format!("[axis={axis}]"),
            Primitive::Cumsum { axis, reverse } => {
                if *reverse {
                    format!("[axis={axis} reverse=true]")
                } else {
                    format!("[axis={axis}]")
                }
            }
            Primitive::DotGeneral {
                lhs_contract,
                rhs_contract,
                lhs_batch,
                rhs_batch,
            } => {
                let mut s = format!("[contract=({}, {})", list(lhs_contract), list(rhs_contract));
                if !lhs_batch.is_empty() {
                    s += &format!(" batch=({}, {})", list(lhs_batch), list(rhs_batch));
                }
                s + "]"
            }
        }
    }
}

impl fmt::Display for Primitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.name(), self.params_string())
    }
}
