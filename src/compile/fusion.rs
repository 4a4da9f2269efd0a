//! Fusion: which equations of a program run together as one elementwise kernel.
//!
//! A fused group is a set of elementwise equations over the same number of elements
//! (`unary`, `binary`, `compare`, `select`, `convert`, `bitcast`, `threefry2x32`, plus
//! the copies `reshape`, `stop_gradient` and identity `transpose`, and scalars broadcast
//! to the loop's size), optionally ending in reductions over trailing axes of its values. The
//! backend runs a group chunk by chunk: every intermediate lives in a small scratch
//! register that stays in the L1 cache, and only the group's outputs (values read after
//! the group, and the reductions) are written to memory.
//!
//! Groups are formed in one pass in program order. An equation joins the open group of
//! its loop size; a group closes (is scheduled) as soon as an equation outside it reads
//! one of its values, so every group runs after all of its inputs exist and before all
//! of its readers: the schedule is a valid order of the program. A broadcast a kernel
//! computes itself (a scalar, or a pattern along leading axes) is placed when its first
//! reader is, so it joins that reader's kernel instead of being written out by whichever
//! kernel of its size happens to be open.

use crate::array::DType;
use crate::ir::printer::{var_names, write_equation};
use crate::ir::{Primitive, Program, ReduceOp, Var, shape_size};
use std::collections::HashMap;
use std::fmt;

/// The longest row a fused reduction sums within one chunk; longer rows (of floats) are
/// summed a few leaves of their pairwise sum at a time.
pub const MAX_FUSED_ROW: usize = 4096;

/// Equations run as one elementwise kernel over `elements` elements.
#[derive(Clone, Debug, PartialEq)]
pub struct FusedGroup {
    /// The member equations (indices into the program), in program order.
    pub equations: Vec<usize>,
    /// Values read from outside the group, in order of first use.
    pub inputs: Vec<Var>,
    /// Values defined in the group and read after it (or returned by the program).
    pub outputs: Vec<Var>,
    /// The loop length: the element count of every member (of the reduced operands, for
    /// reductions).
    pub elements: usize,
    /// The row length of the group's reductions (1 if it has none).
    pub row: usize,
    /// What every chunk's start and length must be a multiple of: the least common
    /// multiple of the row length and of the periods of operands broadcast along
    /// leading axes (so chunks hold whole rows and every chunk sees the same pattern).
    /// Rows longer than [`MAX_FUSED_ROW`] are split into chunks; then it is the row
    /// length, and only where threads split the work must be a multiple of it.
    pub granule: usize,
}

/// One step of a [`Schedule`].
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// An equation run on its own (by its index in the program).
    Equation(usize),
    /// Equations run as one fused kernel.
    Fused(FusedGroup),
}

/// The order in which the backend runs a program's equations, alone or fused.
///
/// ```
/// use autobatch::{compile::fusion::{schedule, Step}, make_program, Array};
/// let p = make_program(|x: &Array| (x * 2.0).exp().sum_axis(-1), &Array::zeros(&[4, 8])).unwrap();
/// let s = schedule(&p);
/// assert_eq!(s.steps.len(), 1); // broadcast of 2.0, mul, exp and the row sums: one kernel
/// assert!(matches!(&s.steps[0], Step::Fused(g) if g.elements == 32 && g.row == 8));
/// println!("{}", s.display(&p));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// The steps in execution order; every equation appears exactly once.
    pub steps: Vec<Step>,
}

/// How an equation can take part in a fused kernel.
///
/// `Elementwise(n, period)`: over `n` elements, reading an operand that repeats with
/// `period` (a broadcast along leading axes; 1 for none), so chunks must start at
/// multiples of it.
#[derive(Clone, Copy)]
enum Role {
    /// Elementwise over this many elements, with an operand period.
    Elementwise(usize, usize),
    /// A reduction of operands of this many elements in rows of this length.
    Reduction(usize, usize),
    /// Not fusible.
    Alone,
}

fn role(p: &Program, k: usize) -> Role {
    let eq = &p.equations[k];
    let out = p.var_type(eq.outputs[0]);
    let n = out.size();
    let same_size = eq.inputs.iter().all(|&v| p.var_type(v).size() == n);
    match &eq.primitive {
        Primitive::Unary(_)
        | Primitive::Binary(_)
        | Primitive::Compare(_)
        | Primitive::Select
        | Primitive::Fma
        | Primitive::Convert { .. }
        | Primitive::Reshape { .. }
        | Primitive::StopGradient
            if same_size && n > 0 =>
        {
            Role::Elementwise(n, 1)
        }
        Primitive::Bitcast { dtype }
            if same_size
                && n > 0
                && dtype.size_bytes() == 4
                && p.var_type(eq.inputs[0]).dtype.size_bytes() == 4 =>
        {
            Role::Elementwise(n, 1)
        }
        // Four u32 operands, two u32 results, all of one length.
        Primitive::Threefry2x32 if same_size && n > 0 => Role::Elementwise(n, 1),
        Primitive::Transpose { perm } if n > 0 && perm.iter().enumerate().all(|(i, &a)| i == a) => {
            Role::Elementwise(n, 1)
        }
        Primitive::BroadcastInDim { shape, dims } if n > 0 => {
            let x = &p.var_type(eq.inputs[0]).shape;
            let m = shape_size(x);
            // The operand fills the trailing axes: the result repeats it every m elements.
            let trailing = dims.len() == x.len()
                && dims
                    .iter()
                    .enumerate()
                    .all(|(i, &d)| d == shape.len() - x.len() + i && x[i] == shape[d]);
            if m == 1 {
                Role::Elementwise(n, 1)
            } else if trailing && m < n && m <= MAX_FUSED_ROW {
                Role::Elementwise(n, m)
            } else if trailing && m < n {
                // A long pattern: each chunk copies its stretch of it.
                Role::Elementwise(n, 1)
            } else {
                Role::Alone
            }
        }
        Primitive::Reduce { op, axes } => {
            let shape = &p.var_type(eq.inputs[0]).shape;
            let rank = shape.len();
            let trailing = axes
                .iter()
                .enumerate()
                .all(|(i, &a)| a == rank - axes.len() + i);
            let row = shape_size(&shape[rank - axes.len()..]);
            let fusible_op = matches!(op, ReduceOp::Sum | ReduceOp::Max | ReduceOp::Min);
            let total = shape_size(shape);
            // Longer rows are walked a few pairwise-sum leaves at a time, for floats, when
            // there are at least two rows to split between threads.
            let long = row > MAX_FUSED_ROW
                && total / row >= 2
                && matches!(p.var_type(eq.inputs[0]).dtype, DType::F32 | DType::F64);
            if trailing
                && fusible_op
                && !axes.is_empty()
                && ((2..=MAX_FUSED_ROW).contains(&row) || long)
            {
                Role::Reduction(total, row)
            } else {
                Role::Alone
            }
        }
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
        | Primitive::StopGradient
        | Primitive::Slice { .. }
        | Primitive::Pad { .. }
        | Primitive::Concatenate { .. }
        | Primitive::Iota { .. }
        | Primitive::Take { .. }
        | Primitive::ScatterAdd { .. }
        | Primitive::ArgReduce { .. }
        | Primitive::Cumsum { .. }
        | Primitive::DotGeneral { .. }
        | Primitive::Threefry2x32
        | Primitive::CustomJvp(_)
        | Primitive::Cond(_)
        | Primitive::While(_)
        | Primitive::Scan(_)
        | Primitive::Cholesky
        | Primitive::TriangularSolve { .. } => Role::Alone,
    }
}

/// A group being formed.
struct Open {
    equations: Vec<usize>,
    elements: usize,
    row: usize,
    /// What every chunk start must be a multiple of: the rows and the periods.
    granule: usize,
    /// Values its elementwise members define (later members may read them).
    defined: Vec<Var>,
    /// Its reductions' results (read only after the group has run).
    reduced: Vec<Var>,
}

impl Open {
    fn owns(&self, v: Var) -> bool {
        self.defined.contains(&v) || self.reduced.contains(&v)
    }
}

/// Groups the program's fusible equations into kernels (see the module documentation).
/// A group of one equation, or of copies only (`reshape`, `stop_gradient`, identity
/// `transpose`, which the plan passes on without computing), is scheduled as single
/// equations.
pub fn schedule(p: &Program) -> Schedule {
    if p.verify().is_err() {
        // An ill-formed program is not fused: every equation runs alone, in order.
        return Schedule {
            steps: (0..p.equations.len()).map(Step::Equation).collect(),
        };
    }
    let mut state = Scheduling {
        p,
        steps: Vec::new(),
        open: Vec::new(),
        pending: HashMap::new(),
    };
    for k in clustered_order(p) {
        if is_pattern_broadcast(p, k) {
            // Placed with its reader, so that the pattern is tiled inside the reader's
            // kernel instead of materialized by another kernel.
            state.pending.insert(p.equations[k].outputs[0], k);
        } else {
            state.place(k);
        }
    }
    let mut left: Vec<usize> = state.pending.drain().map(|(_, k)| k).collect();
    left.sort_unstable();
    for k in left {
        state.place(k);
    }
    let Scheduling {
        mut steps, open, ..
    } = state;
    steps.extend(open.into_iter().map(group_step));
    finish(p, steps)
}

/// The state of [`schedule`]'s pass over the program.
struct Scheduling<'p> {
    p: &'p Program,
    steps: Vec<Step>,
    open: Vec<Open>,
    /// Broadcasts not placed yet, by the variable they define.
    pending: HashMap<Var, usize>,
}

/// Whether equation `k` is a broadcast a fused kernel computes itself (a scalar or a
/// pattern repeated along leading axes).
fn is_pattern_broadcast(p: &Program, k: usize) -> bool {
    matches!(p.equations[k].primitive, Primitive::BroadcastInDim { .. })
        && matches!(role(p, k), Role::Elementwise(..))
}

impl Scheduling<'_> {
    /// Adds equation `k` to the schedule (after the pending broadcasts it reads), joining
    /// an open group or starting one when it is fusible.
    fn place(&mut self, k: usize) {
        let p = self.p;
        for v in &p.equations[k].inputs {
            if let Some(b) = self.pending.remove(v) {
                self.place(b);
            }
        }
        let (steps, open) = (&mut self.steps, &mut self.open);
        let eq = &p.equations[k];
        let role = role(p, k);
        // The open group this equation would join.
        let join = |open: &[Open]| -> Option<usize> {
            let reads_result = |g: &Open| eq.inputs.iter().any(|v| g.reduced.contains(v));
            match role {
                Role::Elementwise(n, period) => open.iter().position(|g| {
                    g.elements == n
                        && !reads_result(g)
                        && (period == 1 || lcm(g.granule, period) <= MAX_FUSED_ROW)
                }),
                Role::Reduction(n, row) => open.iter().position(|g| {
                    g.defined.contains(&eq.inputs[0])
                        && g.elements == n
                        && (g.row == 1 || g.row == row)
                        && if row <= MAX_FUSED_ROW {
                            lcm(g.granule, row) <= MAX_FUSED_ROW
                        } else {
                            // A long row's chunks start anywhere in it: no patterns.
                            g.granule == 1 || g.granule == row
                        }
                }),
                Role::Alone => None,
            }
        };
        // Schedule every other open group this equation reads from.
        while let Some(i) = eq.inputs.iter().find_map(|&v| {
            let t = join(open);
            open.iter()
                .position(|g| g.owns(v))
                .filter(|&i| Some(i) != t)
        }) {
            let g = open.remove(i);
            steps.push(group_step(g));
        }
        match (role, join(open)) {
            (Role::Elementwise(_, period), Some(t)) => {
                open[t].equations.push(k);
                open[t].defined.extend(&eq.outputs);
                open[t].granule = lcm(open[t].granule, period);
            }
            (Role::Elementwise(n, period), None) => open.push(Open {
                equations: vec![k],
                elements: n,
                row: 1,
                granule: period,
                defined: eq.outputs.clone(),
                reduced: Vec::new(),
            }),
            (Role::Reduction(_, row), Some(t)) => {
                open[t].equations.push(k);
                open[t].row = row;
                open[t].granule = lcm(open[t].granule, row);
                open[t].reduced.extend(&eq.outputs);
            }
            (Role::Reduction(..) | Role::Alone, _) => steps.push(Step::Equation(k)),
        }
    }
}

/// Whether an equation only passes its operand's elements on, in order.
fn is_copy(p: &Program, k: usize) -> bool {
    match &p.equations[k].primitive {
        Primitive::Reshape { .. } | Primitive::StopGradient => true,
        Primitive::Transpose { perm } => perm.iter().enumerate().all(|(i, &a)| i == a),
        _ => false,
    }
}

/// The loop size of a fusible equation.
fn loop_size(role: Role) -> Option<usize> {
    match role {
        Role::Elementwise(n, _) | Role::Reduction(n, _) => Some(n),
        Role::Alone => None,
    }
}

/// A topological order of the equations that keeps fusible equations of one loop size
/// together: among the equations whose inputs are ready, one of the loop size just
/// scheduled goes first, else the earliest in the program. (Gradient programs interleave
/// the forward and backward chains of one size with small reductions in between; in
/// program order each such reduction would split the chain into two kernels.)
fn clustered_order(p: &Program) -> Vec<usize> {
    let n = p.equations.len();
    let mut producer: HashMap<Var, usize> = HashMap::new();
    for (k, eq) in p.equations.iter().enumerate() {
        for &v in &eq.outputs {
            producer.insert(v, k);
        }
    }
    let mut waiting = vec![0usize; n];
    let mut consumers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, eq) in p.equations.iter().enumerate() {
        let mut deps: Vec<usize> = eq
            .inputs
            .iter()
            .filter_map(|v| producer.get(v).copied())
            .collect();
        deps.sort_unstable();
        deps.dedup();
        waiting[k] = deps.len();
        for d in deps {
            consumers[d].push(k);
        }
    }
    let roles: Vec<Role> = (0..n).map(|k| role(p, k)).collect();
    // Ready equations, kept sorted by index.
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&k| waiting[k] == 0).collect();
    let mut order = Vec::with_capacity(n);
    let mut active: Option<usize> = None;
    while let Some(&first) = ready.iter().next() {
        let k = active
            .and_then(|size| {
                ready
                    .iter()
                    .copied()
                    .find(|&k| loop_size(roles[k]) == Some(size))
            })
            .unwrap_or(first);
        ready.remove(&k);
        if let Some(size) = loop_size(roles[k]) {
            active = Some(size);
        }
        order.push(k);
        for &c in &consumers[k] {
            waiting[c] -= 1;
            if waiting[c] == 0 {
                ready.insert(c);
            }
        }
    }
    order
}

fn group_step(g: Open) -> Step {
    Step::Fused(FusedGroup {
        equations: g.equations,
        inputs: Vec::new(),
        outputs: Vec::new(),
        elements: g.elements,
        row: g.row,
        granule: g.granule,
    })
}

/// The least common multiple (saturating).
fn lcm(a: usize, b: usize) -> usize {
    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    if a == 0 || b == 0 {
        return a.max(b);
    }
    (a / gcd(a, b)).saturating_mul(b)
}

/// Fills in each group's inputs and outputs, and turns groups of one equation back into
/// single steps.
fn finish(p: &Program, steps: Vec<Step>) -> Schedule {
    // Which step reads each variable (program outputs count as read by a final step).
    let mut step_of_eq = vec![0usize; p.equations.len()];
    for (s, step) in steps.iter().enumerate() {
        match step {
            Step::Equation(k) => step_of_eq[*k] = s,
            Step::Fused(g) => g.equations.iter().for_each(|&k| step_of_eq[k] = s),
        }
    }
    let mut readers: HashMap<Var, Vec<usize>> = HashMap::new();
    for (k, eq) in p.equations.iter().enumerate() {
        for &v in &eq.inputs {
            readers.entry(v).or_default().push(step_of_eq[k]);
        }
    }
    for &v in &p.outvars {
        readers.entry(v).or_default().push(usize::MAX);
    }
    let steps = steps
        .into_iter()
        .enumerate()
        .flat_map(|(s, step)| match step {
            // A single equation, or only copies (which the plan passes on without a
            // kernel), run alone.
            Step::Fused(g)
                if g.equations.len() == 1 || g.equations.iter().all(|&k| is_copy(p, k)) =>
            {
                g.equations
                    .into_iter()
                    .map(Step::Equation)
                    .collect::<Vec<_>>()
            }
            Step::Fused(mut g) => {
                let mut defined: Vec<Var> = Vec::new();
                for &k in &g.equations {
                    let eq = &p.equations[k];
                    for &v in &eq.inputs {
                        if !defined.contains(&v) && !g.inputs.contains(&v) {
                            g.inputs.push(v);
                        }
                    }
                    for &v in &eq.outputs {
                        defined.push(v);
                        if readers.get(&v).is_some_and(|r| r.iter().any(|&t| t != s)) {
                            g.outputs.push(v);
                        }
                    }
                }
                vec![Step::Fused(g)]
            }
            other => vec![other],
        })
        .collect();
    Schedule { steps }
}

/// A [`Schedule`] printed with the names of its program's printout.
pub struct ScheduleDisplay<'a> {
    schedule: &'a Schedule,
    program: &'a Program,
}

impl Schedule {
    /// The schedule as text: single equations as in the program's printout, fused
    /// kernels as indented blocks with their inputs and outputs.
    ///
    /// ```
    /// use autobatch::{compile::fusion::schedule, make_program, Array};
    /// let p = make_program(|x: &Array| x.exp().log(), &Array::zeros(&[3])).unwrap();
    /// let text = schedule(&p).display(&p).to_string();
    /// assert!(text.starts_with("kernel 0 over 3 elements (a) -> (c):"), "{text}");
    /// ```
    pub fn display<'a>(&'a self, program: &'a Program) -> ScheduleDisplay<'a> {
        ScheduleDisplay {
            schedule: self,
            program,
        }
    }

    /// The number of fused kernels.
    ///
    /// ```
    /// use autobatch::{compile::fusion::schedule, make_program, Array};
    /// let p = make_program(|x: &Array| x.exp().log(), &Array::zeros(&[3])).unwrap();
    /// assert_eq!(schedule(&p).kernel_count(), 1);
    /// ```
    pub fn kernel_count(&self) -> usize {
        self.steps
            .iter()
            .filter(|s| matches!(s, Step::Fused(_)))
            .count()
    }
}

impl fmt::Display for ScheduleDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = self.program;
        let names = var_names(p);
        let list = |vs: &[Var]| {
            vs.iter()
                .map(|v| names.get(v).cloned().unwrap_or_default())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut kernel = 0;
        for (i, step) in self.schedule.steps.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match step {
                Step::Equation(k) => write_equation(f, p, &p.equations[*k], &names)?,
                Step::Fused(g) => {
                    write!(
                        f,
                        "kernel {kernel} over {} elements ({}) -> ({}):",
                        g.elements,
                        list(&g.inputs),
                        list(&g.outputs)
                    )?;
                    kernel += 1;
                    for &k in &g.equations {
                        write!(f, "\n    ")?;
                        write_equation(f, p, &p.equations[k], &names)?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Step, schedule};
    use crate::{Array, make_program};

    /// Every equation is scheduled exactly once, each after the definitions it reads.
    fn assert_valid(p: &crate::ir::Program) {
        let s = schedule(p);
        let mut defined: Vec<crate::ir::Var> =
            p.invars.iter().chain(&p.constvars).copied().collect();
        let mut seen = vec![0; p.equations.len()];
        for step in &s.steps {
            let eqs = match step {
                Step::Equation(k) => vec![*k],
                Step::Fused(g) => {
                    for v in &g.inputs {
                        assert!(defined.contains(v), "group input {v:?} not yet defined");
                    }
                    g.equations.clone()
                }
            };
            for k in eqs {
                seen[k] += 1;
                let eq = &p.equations[k];
                for v in &eq.inputs {
                    assert!(defined.contains(v) || matches!(step, Step::Fused(_)));
                }
                defined.extend(&eq.outputs);
            }
        }
        assert!(seen.iter().all(|&c| c == 1), "{seen:?}");
    }

    #[test]
    fn a_reader_outside_closes_the_group() {
        // exp feeds a dot (not fusible), whose result feeds more elementwise ops.
        let w = Array::ones(&[3, 3]);
        let p = make_program(
            move |x: &Array| {
                let e = x.exp();
                let d = e.dot(&w);
                (d + &e).log()
            },
            &Array::zeros(&[3]),
        )
        .unwrap();
        assert_valid(&p);
        let s = schedule(&p);
        // exp alone, the dot, then add + log fused.
        assert_eq!(s.kernel_count(), 1, "{}", s.display(&p));
        assert!(matches!(s.steps[0], Step::Equation(_)));
    }

    #[test]
    fn groups_of_different_sizes_interleave() {
        let p = make_program(
            |(a, b): &(Array, Array)| {
                let x = a.exp() * 2.0;
                let y = b.log() + 1.0;
                let z = x.sin() - 3.0;
                (z, y.cos())
            },
            &(Array::zeros(&[4]), Array::zeros(&[5])),
        )
        .unwrap();
        assert_valid(&p);
        let s = schedule(&p);
        assert_eq!(s.kernel_count(), 2, "{}", s.display(&p));
        assert_eq!(s.steps.len(), 2);
    }

    #[test]
    fn reductions_end_a_group_and_rows_must_agree() {
        let p = make_program(
            |x: &Array| {
                let e = x.exp();
                (e.sum_axis(-1), e.max_axis(-1), e.sum_axis(0))
            },
            &Array::zeros(&[6, 5]),
        )
        .unwrap();
        assert_valid(&p);
        let s = schedule(&p);
        // exp + both row reductions fused; the column sum runs alone.
        let fused: Vec<_> = s
            .steps
            .iter()
            .filter_map(|st| match st {
                Step::Fused(g) => Some(g),
                Step::Equation(_) => None,
            })
            .collect();
        assert_eq!(fused.len(), 1, "{}", s.display(&p));
        assert_eq!((fused[0].row, fused[0].equations.len()), (5, 3));
        assert_eq!(fused[0].outputs.len(), 3);
    }
}
