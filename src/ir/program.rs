//! `Program`: a typed SSA program over primitives, the analogue of a jaxpr.

use super::array_type::ArrayType;
use super::primitive::Primitive;
use crate::array::Array;

/// A variable of a [`Program`]: an index into its type table.
///
/// ```
/// let v = autobatch::ir::Var(3);
/// assert_eq!(v.index(), 3);
/// ```
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Var(pub u32);

impl Var {
    /// The position in [`Program::var_types`].
    ///
    /// ```
    /// assert_eq!(autobatch::ir::Var(0).index(), 0);
    /// ```
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One equation: `outputs = primitive(inputs)`.
///
/// ```
/// use autobatch::ir::{Equation, Primitive, UnaryOp, Var};
/// let e = Equation { primitive: Primitive::Unary(UnaryOp::Exp), inputs: vec![Var(0)], outputs: vec![Var(1)] };
/// assert_eq!(e.outputs.len(), e.primitive.num_outputs());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Equation {
    /// The operation and its static parameters.
    pub primitive: Primitive,
    /// The operands, each defined earlier in the program.
    pub inputs: Vec<Var>,
    /// The results, each defined here exactly once.
    pub outputs: Vec<Var>,
}

/// A traced function: constants, inputs, equations in order, outputs.
///
/// Constants are the values the function closed over: concrete arrays, or values of an
/// enclosing trace while that trace is active (closure conversion). Printed, a program
/// reads like a jaxpr:
///
/// ```
/// use autobatch::{make_program, Array};
/// let p = make_program(|x: &Array| (x * 2.0).exp(), &Array::zeros(&[3])).unwrap();
/// assert_eq!(
///     p.to_string(),
///     "{ lambda ; a:f32[3]. let
///     b:f32[3] = broadcast_in_dim[shape=(3,) dims=()] 2.0:f32[]
///     c:f32[3] = mul a b
///     d:f32[3] = exp c
///   in (d) }"
/// );
/// ```
#[derive(Clone, Debug)]
pub struct Program {
    /// The type of every variable, indexed by [`Var::index`].
    pub var_types: Vec<ArrayType>,
    /// Variables bound to [`Program::consts`], in order.
    pub constvars: Vec<Var>,
    /// The closed-over values, one per constvar.
    pub consts: Vec<Array>,
    /// The explicit inputs, in order.
    pub invars: Vec<Var>,
    /// The equations, each using only variables defined before it.
    pub equations: Vec<Equation>,
    /// The results; any defined variable (an input or constant too).
    pub outvars: Vec<Var>,
}

impl Program {
    /// The type of a variable.
    ///
    /// ```
    /// use autobatch::{make_program, Array};
    /// let p = make_program(|x: &Array| x.sum(), &Array::zeros(&[4])).unwrap();
    /// assert_eq!(p.var_type(p.outvars[0]).to_string(), "f32[]");
    /// ```
    pub fn var_type(&self, v: Var) -> &ArrayType {
        &self.var_types[v.index()]
    }

    /// The types of the explicit inputs.
    ///
    /// ```
    /// use autobatch::{make_program, Array};
    /// let p = make_program(|x: &Array| x.sum(), &Array::zeros(&[4])).unwrap();
    /// assert_eq!(p.input_types()[0].shape, vec![4]);
    /// ```
    pub fn input_types(&self) -> Vec<ArrayType> {
        self.invars
            .iter()
            .map(|&v| self.var_type(v).clone())
            .collect()
    }

    /// The types of the outputs.
    ///
    /// ```
    /// use autobatch::{make_program, Array};
    /// let p = make_program(|x: &Array| x.sum(), &Array::zeros(&[4])).unwrap();
    /// assert_eq!(p.output_types()[0].shape, Vec::<usize>::new());
    /// ```
    pub fn output_types(&self) -> Vec<ArrayType> {
        self.outvars
            .iter()
            .map(|&v| self.var_type(v).clone())
            .collect()
    }

    /// For each variable, the index of the last equation that reads it (`usize::MAX` for
    /// outputs and for variables never read). Interpreters drop a value after its last
    /// use, so intermediate buffers are freed as early as possible.
    ///
    /// ```
    /// use autobatch::{make_program, Array};
    /// let p = make_program(|x: &Array| x.exp().sum(), &Array::zeros(&[3])).unwrap();
    /// let last = p.last_uses();
    /// assert_eq!(last[p.invars[0].index()], 0); // read by `exp`, equation 0
    /// ```
    pub fn last_uses(&self) -> Vec<usize> {
        let mut last = vec![usize::MAX; self.var_types.len()];
        for (k, eq) in self.equations.iter().enumerate() {
            for v in &eq.inputs {
                last[v.index()] = k;
            }
        }
        for v in &self.outvars {
            last[v.index()] = usize::MAX;
        }
        last
    }

    /// Counts the equations whose primitive has the given name (handy in tests).
    ///
    /// ```
    /// use autobatch::{make_program, Array};
    /// let p = make_program(|x: &Array| x.dot(x), &Array::zeros(&[4])).unwrap();
    /// assert_eq!(p.count_primitive("dot_general"), 1);
    /// ```
    pub fn count_primitive(&self, name: &str) -> usize {
        self.equations
            .iter()
            .filter(|e| e.primitive.name() == name)
            .count()
    }
}
