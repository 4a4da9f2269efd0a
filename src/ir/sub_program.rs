//! `SubProgram`: a program held by a control-flow equation (a branch of `cond`, the
//! condition or body of `while_loop`, the body of `scan`), with its compiled plan.
//!
//! Sub-programs are closed over their concrete constants only: every value of an
//! enclosing trace they use is an explicit operand of the equation, so transforms of the
//! outer program see it. The plan (optimized and fused, like `jit`'s) is built the first
//! time the equation runs on concrete values and reused by every later iteration and
//! every later call, so a loop never traces again.

use super::program::Program;
use crate::backend::cpu::Plan;
use std::fmt;
use std::sync::{Arc, OnceLock};

struct Inner {
    program: Program,
    plan: OnceLock<Option<Plan>>,
}

/// A shared, immutable program with its lazily compiled plan. Equality and hashing are
/// by identity.
///
/// ```
/// use autobatch::{ir::SubProgram, make_program, Array};
/// let body = SubProgram::new(make_program(|x: &Array| x * 2.0, &Array::zeros(&[2])).unwrap());
/// assert_eq!(body.equations.len(), 2);
/// assert!(body == body.clone());
/// ```
#[derive(Clone)]
pub struct SubProgram(Arc<Inner>);

impl SubProgram {
    /// Wraps `program` (whose constants should be concrete).
    ///
    /// ```
    /// use autobatch::{ir::SubProgram, make_program, Array};
    /// let p = SubProgram::new(make_program(|x: &Array| x.exp(), &Array::zeros(&[1])).unwrap());
    /// assert_eq!(p.invars.len(), 1);
    /// ```
    pub fn new(program: Program) -> SubProgram {
        SubProgram(Arc::new(Inner {
            program,
            plan: OnceLock::new(),
        }))
    }

    /// The program.
    ///
    /// ```
    /// use autobatch::{ir::SubProgram, make_program, Array};
    /// let p = SubProgram::new(make_program(|x: &Array| x.exp(), &Array::zeros(&[1])).unwrap());
    /// assert_eq!(p.program().count_primitive("exp"), 1);
    /// ```
    pub fn program(&self) -> &Program {
        &self.0.program
    }

    /// The optimized plan of the program, compiled on first use (`None` when the program
    /// cannot be planned, say because a constant is not concrete).
    pub(crate) fn plan(&self) -> Option<&Plan> {
        self.0
            .plan
            .get_or_init(|| Plan::new(crate::compile::optimize(&self.0.program)))
            .as_ref()
    }
}

impl std::ops::Deref for SubProgram {
    type Target = Program;
    fn deref(&self) -> &Program {
        &self.0.program
    }
}

impl PartialEq for SubProgram {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl Eq for SubProgram {}
impl std::hash::Hash for SubProgram {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (Arc::as_ptr(&self.0) as usize).hash(state);
    }
}
impl fmt::Debug for SubProgram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SubProgram({} equations)",
            self.0.program.equations.len()
        )
    }
}
