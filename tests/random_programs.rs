//! Random compositions of API calls:
//! * replaying the traced program equals eager execution, bit for bit;
//! * random calls with random (often invalid) shapes, axes and dtypes never panic.

use autobatch::{Array, DType, Idx, concatenate, make_program, stack};
use proptest::prelude::*;

/// One API call, its operands given as indices into the values computed so far.
#[derive(Clone, Debug)]
enum Step {
    Unary(u8, usize),
    Binary(u8, usize, usize),
    Reduce(u8, usize, Vec<i8>, bool),
    Shape(u8, usize, Vec<i8>),
    Dot(bool, usize, usize),
    Index(usize, Vec<(i8, i8, i8, u8)>),
    Take(usize, Vec<i8>, i8),
    Join(bool, Vec<usize>, i8),
    Where(usize, usize, usize),
    Astype(usize, u8),
    Clip(usize, i8, i8),
}

const DTYPES: [DType; 5] = [DType::F32, DType::F64, DType::I32, DType::U32, DType::Bool];

fn pick(pool: &[Array], i: usize) -> &Array {
    &pool[i % pool.len()]
}

fn axes(v: &[i8]) -> Vec<isize> {
    v.iter().map(|&a| a as isize).collect()
}

/// Applies one step. Never unwraps: invalid calls give error arrays.
fn apply(step: &Step, pool: &[Array]) -> Array {
    match step {
        Step::Unary(op, i) => {
            let x = pick(pool, *i);
            match op % 16 {
                0 => x.exp(),
                1 => x.log(),
                2 => x.log1p(),
                3 => x.expm1(),
                4 => x.sqrt(),
                5 => x.tanh(),
                6 => x.logistic(),
                7 => x.abs(),
                8 => -x,
                9 => x.sign(),
                10 => x.sin(),
                11 => x.cos(),
                12 => x.floor(),
                13 => x.round(),
                14 => x.logical_not(),
                _ => x.rsqrt(),
            }
        }
        Step::Binary(op, i, j) => {
            let (x, y) = (pick(pool, *i), pick(pool, *j));
            match op % 12 {
                0 => x + y,
                1 => x - y,
                2 => x * y,
                3 => x / y,
                4 => x.maximum(y),
                5 => x.minimum(y),
                6 => x.pow(y),
                7 => x.lt(y),
                8 => x.equal(y),
                9 => x.logical_and(y),
                10 => 2.5 * x - 1,
                _ => x.ge(y),
            }
        }
        Step::Reduce(op, i, ax, keep) => {
            let x = pick(pool, *i);
            let ax = axes(ax);
            match op % 10 {
                0 => x.sum_axes(&ax, *keep),
                1 => x.mean_axes(&ax, *keep),
                2 => x.max_axes(&ax, *keep),
                3 => x.min_axes(&ax, *keep),
                4 => x.prod_axes(&ax, *keep),
                5 => x.var_axes(&ax, *keep),
                6 => x.std_axes(&ax, *keep),
                7 => x.argmax_axis(ax.first().copied().unwrap_or(0), *keep),
                8 => x.cumsum(ax.first().copied().unwrap_or(0)),
                _ => x.sum(),
            }
        }
        Step::Shape(op, i, ax) => {
            let x = pick(pool, *i);
            let ax = axes(ax);
            let a0 = ax.first().copied().unwrap_or(0);
            let a1 = ax.get(1).copied().unwrap_or(-1);
            match op % 9 {
                0 => x.reshape(&ax),
                1 => x.transpose(&ax),
                2 => x.t(),
                3 => x.swapaxes(a0, a1),
                4 => x.moveaxis(a0, a1),
                5 => x.expand_dims(a0),
                6 => x.squeeze_axes(&ax),
                7 => x.broadcast_to(&ax.iter().map(|&a| a.unsigned_abs()).collect::<Vec<_>>()),
                _ => x.flatten(),
            }
        }
        Step::Dot(matmul, i, j) => {
            let (x, y) = (pick(pool, *i), pick(pool, *j));
            if *matmul { x.matmul(y) } else { x.dot(y) }
        }
        Step::Index(i, spec) => {
            let x = pick(pool, *i);
            let idx: Vec<Idx> = spec
                .iter()
                .map(|&(a, b, c, kind)| match kind % 5 {
                    0 => Idx::from(a as isize),
                    1 => Idx::from(..),
                    2 => Idx::from(a as isize..b as isize),
                    3 => Idx::step(Some(a as isize), Some(b as isize), c as isize),
                    _ => Idx::NewAxis,
                })
                .collect();
            x.index(&idx)
        }
        Step::Take(i, idx, axis) => {
            let x = pick(pool, *i);
            let idx: Vec<i32> = idx.iter().map(|&k| k as i32).collect();
            let n = idx.len();
            x.take(&Array::from_vec(idx, &[n]), *axis as isize)
        }
        Step::Join(is_stack, ids, axis) => {
            let xs: Vec<&Array> = ids.iter().map(|&i| pick(pool, i)).collect();
            if *is_stack {
                stack(&xs, *axis as isize)
            } else {
                concatenate(&xs, *axis as isize)
            }
        }
        Step::Where(c, i, j) => {
            let cond = pick(pool, *c).gt(0.0);
            autobatch::where_(&cond, pick(pool, *i), pick(pool, *j))
        }
        Step::Astype(i, d) => pick(pool, *i).astype(DTYPES[*d as usize % 5]),
        Step::Clip(i, lo, hi) => pick(pool, *i).clip(*lo as f64, *hi as f64),
    }
}

/// Runs the steps on `inputs`, returning every value computed (inputs first). A step
/// whose call is invalid (an error array) is dropped from the pool, so later steps build
/// on valid values; whether a call is invalid depends only on shapes and dtypes, so eager
/// and traced runs drop the same steps.
fn run(steps: &[Step], inputs: &[Array]) -> Vec<Array> {
    let mut pool: Vec<Array> = inputs.to_vec();
    for s in steps {
        let out = apply(s, &pool);
        if out.error_value().is_none() {
            pool.push(out);
        }
    }
    pool
}

fn small_axes() -> impl Strategy<Value = Vec<i8>> {
    prop::collection::vec(-4i8..4, 0..4)
}

fn step() -> impl Strategy<Value = Step> {
    let idx = 0usize..64;
    prop_oneof![
        (any::<u8>(), idx.clone()).prop_map(|(o, i)| Step::Unary(o, i)),
        (any::<u8>(), idx.clone(), idx.clone()).prop_map(|(o, i, j)| Step::Binary(o, i, j)),
        (any::<u8>(), idx.clone(), small_axes(), any::<bool>())
            .prop_map(|(o, i, a, k)| Step::Reduce(o, i, a, k)),
        (any::<u8>(), idx.clone(), small_axes()).prop_map(|(o, i, a)| Step::Shape(o, i, a)),
        (any::<bool>(), idx.clone(), idx.clone()).prop_map(|(m, i, j)| Step::Dot(m, i, j)),
        (
            idx.clone(),
            prop::collection::vec((-5i8..5, -5i8..5, -3i8..3, any::<u8>()), 0..4)
        )
            .prop_map(|(i, s)| Step::Index(i, s)),
        (idx.clone(), prop::collection::vec(-6i8..6, 0..4), -3i8..3)
            .prop_map(|(i, k, a)| Step::Take(i, k, a)),
        (
            any::<bool>(),
            prop::collection::vec(idx.clone(), 0..4),
            -3i8..3
        )
            .prop_map(|(s, v, a)| Step::Join(s, v, a)),
        (idx.clone(), idx.clone(), idx.clone()).prop_map(|(c, i, j)| Step::Where(c, i, j)),
        (idx.clone(), any::<u8>()).prop_map(|(i, d)| Step::Astype(i, d)),
        (idx, -3i8..3, -3i8..3).prop_map(|(i, l, h)| Step::Clip(i, l, h)),
    ]
}

/// A random array of a random dtype and small random shape (zero-size axes included).
fn array() -> impl Strategy<Value = Array> {
    (
        prop::collection::vec(0usize..4, 0..4),
        0usize..5,
        any::<u64>(),
    )
        .prop_map(|(shape, d, seed)| {
            let n: usize = shape.iter().product();
            let mut s = seed | 1;
            let mut next = move || {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s % 2001) as f64 - 1000.0) / 250.0
            };
            let vals: Vec<f64> = (0..n).map(|_| next()).collect();
            Array::from_vec(vals, &shape).astype(DTYPES[d])
        })
}

/// Bitwise equality of two results (NaNs equal to NaNs), or both errors.
fn same(a: &Array, b: &Array) -> bool {
    match (a.error_value(), b.error_value()) {
        (Some(x), Some(y)) => x.op() == y.op() && x.message() == y.message(),
        (None, None) => {
            a.array_type() == b.array_type() && a.buffer().map(bits) == b.buffer().map(bits)
        }
        _ => false,
    }
}

fn bits(b: &autobatch::array::Buffer) -> Vec<u64> {
    use autobatch::array::Buffer;
    match b {
        Buffer::F32(v) => v.iter().map(|x| x.to_bits() as u64).collect(),
        Buffer::F64(v) => v.iter().map(|x| x.to_bits()).collect(),
        Buffer::I32(v) => v.iter().map(|&x| x as u32 as u64).collect(),
        Buffer::U32(v) => v.iter().map(|&x| x as u64).collect(),
        Buffer::Bool(v) => v.iter().map(|&x| x as u64).collect(),
    }
}

proptest! {
    /// Tracing the steps into a program and replaying it equals running them eagerly.
    #[test]
    fn replay_equals_eager(
        inputs in prop::collection::vec(array(), 1..4),
        steps in prop::collection::vec(step(), 1..12),
    ) {
        let eager = run(&steps, &inputs);
        let traced = make_program(|xs: &Vec<Array>| run(&steps, xs), &inputs);
        let first_error = eager.iter().find_map(|a| a.error_value());
        match (traced, first_error) {
            (Ok(program), None) => {
                program.verify().map_err(TestCaseError::fail)?;
                let replayed = program.call(&inputs).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(replayed.len(), eager.len());
                for (k, (r, e)) in replayed.iter().zip(&eager).enumerate() {
                    prop_assert!(same(r, e), "value {} differs: replayed {} eager {}", k, r, e);
                }
                // jit (optimized program, compiled plan) gives the same bits too.
                let jitted = autobatch::jit(|xs: &Vec<Array>| run(&steps, xs))(&inputs)
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                for (k, (j, e)) in jitted.iter().zip(&eager).enumerate() {
                    prop_assert!(same(j, e), "value {} differs: jit {} eager {}", k, j, e);
                }
            }
            (Err(err), Some(first)) => {
                prop_assert_eq!(err.op(), first.op());
                prop_assert_eq!(err.message(), first.message());
            }
            (traced, first) => {
                prop_assert!(false, "tracing gave {:?}, eager error {:?}", traced.err(), first);
            }
        }
    }

    /// Random calls with random shapes, axes and dtypes never panic, eagerly or traced.
    #[test]
    fn random_calls_never_panic(
        inputs in prop::collection::vec(array(), 1..5),
        steps in prop::collection::vec(step(), 1..24),
    ) {
        let eager = run(&steps, &inputs);
        for a in &eager {
            let _ = a.to_string();
            let _ = a.to_vec::<f64>();
        }
        let _ = make_program(|xs: &Vec<Array>| run(&steps, xs), &inputs);
    }

    /// Creation functions with random arguments never panic.
    #[test]
    fn creation_never_panics(
        shape in prop::collection::vec(0usize..5, 0..4),
        a in -10.0f64..10.0,
        b in -10.0f64..10.0,
        step in -3.0f64..3.0,
        n in -5i64..50,
        len in 0usize..30,
    ) {
        let _ = Array::zeros(&shape).check();
        let _ = Array::full(&shape, a).check();
        let _ = Array::arange(n).check();
        let _ = Array::arange_f(a, b, step).check();
        let _ = Array::linspace(a, b, n).check();
        let _ = Array::eye(n).check();
        let _ = Array::from_vec(vec![1.0f32; len], &shape).check();
        let _ = Array::full(&[usize::MAX, 2], 1.0).check();
        let _ = Array::arange_f(0.0, 1e30, 1e-30).check();
        let _ = Array::linspace(f64::NAN, b, n).check();
    }
}
