//! jit: equals eager evaluation, traces once per signature, composes with vmap and grad.

mod common;
use autobatch::{Array, DType, grad, jit, jit_program, make_program, value_and_grad, vmap};
use common::{Rng, bits};
use std::cell::Cell;

fn f(x: &Array) -> Array {
    (x.sin() * x + x.exp().log1p()).sum_axis(-1) / 3.0
}

#[test]
fn jit_equals_eager_on_random_inputs() {
    let mut rng = Rng(21);
    let jf = jit(f);
    for _ in 0..20 {
        let shape = [1 + rng.below(4), 1 + rng.below(4)];
        let x = rng.array(&shape, DType::F64);
        assert_eq!(
            jf(&x).unwrap().to_vec::<f64>().unwrap(),
            f(&x).to_vec::<f64>().unwrap()
        );
    }
}

#[test]
fn traces_once_per_signature() {
    let traces = Cell::new(0);
    let g = jit(|x: &Array, y: &Array| {
        traces.set(traces.get() + 1);
        x * y + 1.0
    });
    let a = Array::ones(&[3]);
    g(&a, &a).unwrap();
    g(&(&a * 2.0), &a).unwrap();
    assert_eq!(traces.get(), 1, "new values reuse the program");
    g(&Array::ones(&[4]), &Array::ones(&[4])).unwrap();
    assert_eq!(traces.get(), 2, "a new shape traces again");
    g(&a.astype(DType::F64), &a.astype(DType::F64)).unwrap();
    assert_eq!(traces.get(), 3, "a new dtype traces again");
    let out = g(&Array::full(&[3], 2.0), &Array::full(&[3], 5.0)).unwrap();
    assert_eq!(out.to_vec::<f32>().unwrap(), vec![11.0; 3]);
    assert_eq!(traces.get(), 3);
    // The same leaf types split differently between the arguments: another signature.
    let traces = Cell::new(0);
    let h = jit(|a: &Vec<Array>, b: &Vec<Array>| {
        traces.set(traces.get() + 1);
        a.iter().fold(Array::zeros(&[2]), |s, x| s + x) * (10 + b.len()) as f64
    });
    let one = Array::ones(&[2]);
    let sums: Vec<f32> = [(2, 1), (1, 2), (2, 1), (1, 2)]
        .iter()
        .map(|&(n, m)| {
            let out = h(&vec![one.clone(); n], &vec![one.clone(); m]).unwrap();
            out.to_vec::<f32>().unwrap()[0]
        })
        .collect();
    assert_eq!(sums, vec![22.0, 12.0, 22.0, 12.0]);
    assert_eq!(
        traces.get(),
        2,
        "one trace per layout, alternating calls reuse them"
    );
}

#[test]
fn jit_composes_with_vmap_and_grad() {
    let x = Array::from_vec((0..12).map(|i| i as f64 * 0.25 - 1.0).collect(), &[4, 3]);
    let row = |r: &Array| (r.sin() * r).sum();
    // jit of transforms.
    assert_eq!(
        jit(vmap(row))(&x).unwrap().to_vec::<f64>().unwrap(),
        vmap(row)(&x).unwrap().to_vec::<f64>().unwrap()
    );
    assert_eq!(
        jit(grad(row))(&x.index(autobatch::s![0]))
            .unwrap()
            .to_vec::<f64>()
            .unwrap(),
        grad(row)(&x.index(autobatch::s![0]))
            .unwrap()
            .to_vec::<f64>()
            .unwrap()
    );
    assert_eq!(
        jit(vmap(grad(row)))(&x).unwrap().to_vec::<f64>().unwrap(),
        vmap(grad(row))(&x).unwrap().to_vec::<f64>().unwrap()
    );
    // Transforms of a jitted function.
    let jrow = jit(row);
    assert_eq!(
        vmap(&jrow)(&x).unwrap().to_vec::<f64>().unwrap(),
        vmap(row)(&x).unwrap().to_vec::<f64>().unwrap()
    );
    assert_eq!(
        grad(&jrow)(&x).unwrap().to_vec::<f64>().unwrap(),
        grad(row)(&x).unwrap().to_vec::<f64>().unwrap()
    );
    let (v, g) = value_and_grad(jit(|m: &Array| vmap(row)(m).map(|r| r.sum())))(&x).unwrap();
    let (v2, g2) = value_and_grad(|m: &Array| vmap(row)(m).map(|r| r.sum()))(&x).unwrap();
    assert_eq!(v.item::<f64>().unwrap(), v2.item::<f64>().unwrap());
    assert_eq!(g.to_vec::<f64>().unwrap(), g2.to_vec::<f64>().unwrap());
    // jit inside a trace records the optimized program there.
    let p = make_program(|m: &Array| jit(f)(m), &x).unwrap();
    assert_eq!(p.count_primitive("exp"), 1);
}

#[test]
fn the_optimized_program_has_no_repeats_or_dead_code() {
    let p = jit_program(
        |x: &Array| {
            let _unused = x.cos();
            x.exp() * x.exp()
        },
        &Array::zeros(&[3]),
    )
    .unwrap();
    assert_eq!(p.count_primitive("exp"), 1, "{p}");
    assert_eq!(p.count_primitive("cos"), 0, "{p}");
}

#[test]
fn errors_come_back_from_the_first_call() {
    let bad = jit(|x: &Array| x + Array::zeros(&[5]));
    let err = bad(&Array::zeros(&[3])).unwrap_err();
    assert_eq!(err.op(), "add");
    assert_eq!(err.message(), "cannot broadcast shapes [3] and [5]");
}

/// A long mixed-dtype elementwise chain with row reductions, broadcast scalars, uniform
/// constants, copies and an unfusible op in the middle, over sizes that span several
/// chunks: the fused kernels give exactly the eager results.
#[test]
fn fused_kernels_equal_eager_bit_for_bit() {
    use autobatch::compile::fusion::schedule;
    let chain = |x: &Array| {
        let half = Array::full(x.shape(), 0.5); // a constant with equal elements
        let y = (x * 3.0 - &half).exp() / (x.abs() + 1.0);
        let z = y.log1p().tanh() + y.logistic();
        let big = z.gt(&half);
        let w = autobatch::select(&big, &z, z.sqrt() * -2.0);
        let i = w.astype(DType::I32) + 7;
        let u = i.astype(DType::U32);
        let bits = autobatch::lax::bitcast(
            &autobatch::lax::binary(autobatch::ir::BinaryOp::Xor, &u, &u.astype(DType::U32)),
            DType::F32,
        );
        let v = w.astype(DType::F64).exp() + bits.astype(DType::F64);
        // A row vector broadcast along the leading axes (a tiled operand).
        let last = *x.shape().last().unwrap_or(&1);
        let row = Array::arange_f(0.0, last as f64, 1.0).astype(DType::F64) * 0.25;
        let r = autobatch::stop_gradient(&(&v + &row).reshape(&[-1]));
        let dims: Vec<isize> = x.shape().iter().map(|&d| d as isize).collect();
        let m = r.reshape(&dims);
        let s = m.sum_axis(-1);
        (m.max_axis(-1), s, m.astype(DType::F32).cumsum(0) * &y)
    };
    let mut rng = Rng(77);
    // Kernels of at most 16 elements run with their registers on the stack, the others
    // with registers kept from run to run: both give the eager bits, at every call.
    for shape in [
        &[3usize, 700][..],
        &[1000],
        &[5, 9, 11],
        &[1],
        &[16],
        &[2, 8],
        &[3, 5],
        &[17],
        &[2, 4096],
        &[3, 5000],
    ] {
        let x = rng.array_in(shape, -2.0, 2.0);
        let p = jit_program(chain, &x).unwrap();
        assert!(schedule(&p).kernel_count() >= 2, "{shape:?}");
        if shape.len() >= 2 && x.size() > autobatch::compile::MAX_FOLDED {
            // The row vector's broadcast (too large to fold into a constant) runs inside
            // a kernel, tiled, not alone.
            let text = schedule(&p).display(&p).to_string();
            let fused_broadcast = text.lines().any(|l| {
                l.starts_with("    ") && l.contains("broadcast_in_dim") && l.contains("f64")
            });
            assert!(fused_broadcast, "{shape:?}: {text}");
            // ... and the kernel compiler accepts it (no broadcast runs on its own).
            let plan = autobatch::backend::cpu::describe_plan(&p);
            assert!(!plan.contains("broadcast_in_dim"), "{shape:?}: {plan}");
        }
        let jitted = jit(chain);
        let first = jitted(&x).unwrap();
        let got = jitted(&x).unwrap();
        assert_eq!(
            bits(&first.1),
            bits(&got.1),
            "{shape:?}: a second call differs"
        );
        let want = chain(&x);
        assert_eq!(
            got.0.to_vec::<f64>().unwrap(),
            want.0.to_vec::<f64>().unwrap()
        );
        assert_eq!(
            got.1.to_vec::<f64>().unwrap(),
            want.1.to_vec::<f64>().unwrap()
        );
        let (g, w) = (
            got.2.to_vec::<f32>().unwrap(),
            want.2.to_vec::<f32>().unwrap(),
        );
        assert!(
            g.iter()
                .zip(&w)
                .all(|(a, b)| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()))
        );
    }
}

/// Batched work over rows — products with a shared matrix, kernels over `[rows, ...]`,
/// reductions along each row and across rows — runs split by rows between two threads
/// under `jit`; every element is computed by the same operations as eagerly.
#[test]
fn row_split_programs_equal_eager_bit_for_bit() {
    let mut rng = common::Rng(11);
    for &(rows, k, n) in &[
        (128usize, 10usize, 100usize),
        (64, 7, 33),
        (130, 3, 250),
        (9, 4, 5),
    ] {
        let w = rng
            .array_in(&[n, k], -1.0, 1.0)
            .astype(autobatch::DType::F32);
        let v = rng
            .array_in(&[k, n], -1.0, 1.0)
            .astype(autobatch::DType::F32);
        let f = |x: &Array| {
            let z = x.dot(&w.t());
            let e = z.exp();
            let s = (1.0 + &e).log();
            let back = (&e / (1.0 + &e)).dot(&w);
            let u = &back * x + x.sin();
            let rows_out = s.sum_axis(-1) + u.sum_axis(-1);
            (rows_out.clone(), u.dot(&v).tanh(), rows_out.sum())
        };
        let x = rng
            .array_in(&[rows, k], -1.0, 1.0)
            .astype(autobatch::DType::F32);
        if rows == 128 && std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2 {
            let plan = autobatch::backend::cpu::describe_plan(&jit_program(f, &x).unwrap());
            assert!(plan.contains("rows 128 split at 60: "), "{plan}");
        }
        let eager = f(&x);
        let jitted = jit(f)(&x).unwrap();
        for (a, b, what) in [
            (&eager.0, &jitted.0, "per-row sums"),
            (&eager.1, &jitted.1, "second product"),
            (&eager.2, &jitted.2, "total"),
        ] {
            let (a, b) = (a.to_vec::<f32>().unwrap(), b.to_vec::<f32>().unwrap());
            let same = a.iter().zip(&b).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same, "{rows}x{k}x{n}: {what} differ");
        }
    }
}

/// A batched program's unbatched constants stay patterns: under `vmap` a `[n]` constant
/// meets the batch already broadcast to `[batch, n]`; `jit` turns it back into a
/// broadcast that the reading kernel tiles, and no kernel materializes a broadcast for
/// another one to read.
#[test]
fn batched_constants_are_tiled_inside_their_kernels() {
    use autobatch::compile::fusion::{Step, schedule};
    let c = Array::arange(100).astype(DType::F32) / 50.0 - 1.0;
    let data = Array::arange(1000).astype(DType::F32).reshape(&[100, 10]) / 1000.0;
    // The notebook's likelihood shape: a product, then constants applied elementwise.
    let log_lik = |beta: &Array| (-(1.0 + (&c * data.dot(beta)).exp()).log()).sum();
    let f = value_and_grad(|b: &Array| vmap(log_lik)(b).map(|l| l.sum()));
    let b = Array::arange(1280).astype(DType::F32).reshape(&[128, 10]) / 1280.0;
    let p = jit_program(&f, &b).unwrap();
    let big: Vec<Vec<usize>> = p
        .consts
        .iter()
        .filter(|a| a.shape().iter().product::<usize>() > autobatch::compile::MAX_FOLDED)
        .map(|a| a.shape().to_vec())
        .collect();
    assert!(!big.contains(&vec![128, 100]), "{p}");
    // The notebook's whole step too: the normal draw's kernel runs first, over as many
    // elements as the ELBO's [batch, features] kernels that read broadcast constants.
    let (data, _) = autobatch::datasets::logistic_regression(10009, 100, 10).unwrap();
    let elbo = autobatch::notebook::elbo(vmap(autobatch::notebook::log_joint(&data, 10.0)));
    let draw = autobatch::notebook::normal_sample(128, 10);
    let step = |(key, loc, log_scale): &(Array, Array, Array)| {
        let (key, eps) = draw(key);
        let (v, (g_loc, g_scale)) = value_and_grad(&elbo)(&(loc.clone(), log_scale.clone()), &eps)?;
        autobatch::Result::Ok(((key, loc + 0.01 * g_loc, log_scale + 0.01 * g_scale), v))
    };
    let init = (
        autobatch::random::key(10003),
        Array::zeros(&[10]),
        Array::zeros(&[10]),
    );
    for p in [p.clone(), jit_program(step, &init).unwrap()] {
        let defined_by_broadcast = |v| {
            p.equations
                .iter()
                .any(|eq| eq.outputs.contains(&v) && eq.primitive.name() == "broadcast_in_dim")
        };
        // Broadcasts a kernel writes out are read by equations that need them whole
        // (threefry), never by another kernel.
        let groups: Vec<_> = schedule(&p)
            .steps
            .into_iter()
            .filter_map(|s| match s {
                Step::Fused(g) => Some(g),
                Step::Equation(_) => None,
            })
            .collect();
        for g in &groups {
            for &v in g.outputs.iter().filter(|&&v| defined_by_broadcast(v)) {
                assert!(!groups.iter().any(|h| h.inputs.contains(&v)), "{p}");
            }
        }
    }
    let (eager, jitted) = (f(&b).unwrap(), jit(&f)(&b).unwrap());
    assert_eq!(
        eager.0.to_vec::<f32>().unwrap(),
        jitted.0.to_vec::<f32>().unwrap()
    );
    assert_eq!(
        eager.1.to_vec::<f32>().unwrap(),
        jitted.1.to_vec::<f32>().unwrap()
    );
}

/// Threefry runs inside fused kernels (with the broadcast keys and the bit twiddling
/// that turns its words into floats), and gives the same draws as eager evaluation.
#[test]
fn random_draws_fuse_and_equal_eager_bit_for_bit() {
    use autobatch::random;
    for (seed, shape) in [
        (0i64, vec![7]),
        (5, vec![2, 8]),
        (3, vec![128, 10]),
        (42, vec![5, 3, 33]),
    ] {
        let draw = |key: &Array| {
            let (k1, k2) = random::split2(key);
            (
                random::normal(&k1, &shape, DType::F32),
                random::uniform(&k2, &shape, DType::F64),
                k1,
            )
        };
        let key = random::key(seed);
        let p = jit_program(draw, &key).unwrap();
        let plan = autobatch::backend::cpu::describe_plan(&p);
        assert!(!plan.contains("threefry2x32"), "{plan}");
        let (eager, jitted) = (draw(&key), jit(draw)(&key).unwrap());
        assert_eq!(
            eager.0.to_vec::<f32>().unwrap(),
            jitted.0.to_vec::<f32>().unwrap()
        );
        assert_eq!(
            eager.1.to_vec::<f64>().unwrap(),
            jitted.1.to_vec::<f64>().unwrap()
        );
        assert_eq!(
            eager.2.to_vec::<u32>().unwrap(),
            jitted.2.to_vec::<u32>().unwrap()
        );
    }
}

/// Rows longer than a chunk are reduced inside their kernel a few pairwise leaves at a
/// time, with the same results as eager evaluation (which sums each row at once).
#[test]
fn long_rows_reduce_inside_kernels_bit_for_bit() {
    let mut rng = Rng(5);
    for (rows, len) in [(2, 4097), (3, 10_000), (2, 100_003)] {
        for dtype in [DType::F32, DType::F64] {
            let c = rng.array_in(&[len], -1.0, 1.0).astype(dtype);
            let f = |x: &Array| {
                let y = (x * &c).exp() - 0.5;
                (y.sum_axis(-1), y.max_axis(-1), y.min_axis(-1), &y * 3.0)
            };
            let x = rng.array_in(&[rows, len], -2.0, 2.0).astype(dtype);
            let p = jit_program(f, &x).unwrap();
            let plan = autobatch::backend::cpu::describe_plan(&p);
            assert!(!plan.contains("reduce_"), "{rows}x{len}: {plan}");
            let (eager, jitted) = (f(&x), jit(f)(&x).unwrap());
            for (a, b, what) in [
                (&eager.0, &jitted.0, "sum"),
                (&eager.1, &jitted.1, "max"),
                (&eager.2, &jitted.2, "min"),
                (&eager.3, &jitted.3, "elementwise"),
            ] {
                assert_eq!(bits(a), bits(b), "{rows}x{len} {dtype:?} {what}");
            }
        }
    }
}

#[test]
fn broadcast_fills_follow_their_inputs_from_call_to_call() {
    // A constant pattern (filled once per register set) beside a pattern and a scalar
    // computed from the arguments (filled every call), in kernels large enough to
    // split between threads and small enough not to.
    for rows in [3i64, 64, 4096] {
        let c = Array::arange(10).astype(DType::F32) / 7.0 - 0.5;
        let f = |x: &Array, p: &Array| -> autobatch::Result<Array> {
            let scale = p.exp();
            Ok((x * &scale + &c) * p.sum())
        };
        let fast = jit(f);
        for k in 0..4 {
            let x = Array::arange(rows * 10)
                .astype(DType::F32)
                .reshape(&[rows as isize, 10])
                / 100.0;
            let p = Array::arange(10).astype(DType::F32) / (10.0 + k as f32) - 0.3;
            assert_eq!(
                fast(&x, &p).unwrap().to_vec::<f32>().unwrap(),
                f(&x, &p).unwrap().to_vec::<f32>().unwrap(),
                "rows {rows}, call {k}"
            );
        }
    }
}

#[test]
fn column_sums_finish_across_a_row_split_bit_for_bit() {
    let two_cores = std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2;
    let mut rng = common::Rng(23);
    // 128 rows: one summation block split between its accumulators; 256: a tree split
    // at its middle; 100 and 8: splits the summation does not allow (summed after).
    for &(rows, k, n) in &[
        (128usize, 10usize, 100usize),
        (256, 4, 60),
        (100, 5, 40),
        (8, 3, 9),
    ] {
        for dtype in [DType::F32, DType::F64] {
            let w = rng.array_in(&[k, n], -1.0, 1.0).astype(dtype);
            let f = |x: &Array| {
                let z = x.dot(&w);
                let g = (z.exp() + 1.0).log() * 3.0;
                // A column sum of a value only the region reads, and one of a value
                // returned too.
                let back = g.dot(&w.t());
                (g.sum_axis(0), ((&back * x).sin() * 2.0).sum_axis(0), back)
            };
            let x = rng.array_in(&[rows, k], -1.0, 1.0).astype(dtype);
            let plan = autobatch::backend::cpu::describe_plan(&jit_program(f, &x).unwrap());
            if two_cores && (rows == 128 || rows == 256) {
                let region = plan.lines().find(|l| l.starts_with("rows ")).unwrap_or("");
                assert_eq!(region.matches("reduce_sum").count(), 2, "{plan}");
            }
            let eager = f(&x);
            // A second call reuses the region's kept buffers and summation states, on
            // other values.
            let jf = jit(f);
            let first = jf(&(&x * 0.5)).unwrap();
            let jitted = jf(&x).unwrap();
            assert_eq!(
                bits(&first.0),
                bits(&f(&(&x * 0.5)).0),
                "{rows}x{k}x{n} {dtype:?}"
            );
            for (a, b, what) in [
                (&eager.0, &jitted.0, "sum of an internal value"),
                (&eager.1, &jitted.1, "sum of a product"),
                (&eager.2, &jitted.2, "returned value"),
            ] {
                assert_eq!(
                    bits(a),
                    bits(b),
                    "{rows}x{k}x{n} {dtype:?}: {what} differ\n{plan}"
                );
            }
        }
    }
}

#[test]
fn scalar_operands_inside_kernels_equal_eager_bit_for_bit() {
    // Scalars on either side of binary operations, both sides, in comparisons and
    // selects (which read them from registers), computed from an argument (filled every
    // call) or constant, in f32 and f64, and a scalar that is itself an output.
    for dtype in [DType::F32, DType::F64] {
        let f = |x: &Array, s: &Array| {
            let t = s.exp();
            let a = (x * &t + 1.5) / &t - (2.0 - x).maximum(&t);
            let b = autobatch::where_(x.gt(&t), 0.25, x * 3.0);
            let c = (&t + 2.0).broadcast_to(x.shape());
            let d = x.maximum(0.5) * s.sin() + (&t - 1.0).minimum(x);
            (a, b, c, d)
        };
        for rows in [1usize, 7, 300] {
            let x = (Array::arange((rows * 33) as i64).astype(dtype) / 100.0 - 2.0)
                .reshape(&[rows as isize, 33]);
            let fast = jit(f);
            for k in [0.0f64, 0.7, -1.3] {
                let s = Array::full(&[], k).astype(dtype);
                let (eager, jitted) = (f(&x, &s), fast(&x, &s).unwrap());
                for (e, j) in [
                    (&eager.0, &jitted.0),
                    (&eager.1, &jitted.1),
                    (&eager.2, &jitted.2),
                    (&eager.3, &jitted.3),
                ] {
                    assert_eq!(bits(e), bits(j), "{dtype:?} rows {rows} s {k}");
                }
            }
        }
    }
}

/// Small values computed only by moving elements (slices, reshapes, transposes,
/// concatenations, broadcasts) are copied in the plan straight from the values they were
/// cut from: random chains of such steps, read by later arithmetic and returned, give
/// eager evaluation's values in every dtype.
#[test]
fn small_layout_chains_move_elements_straight_from_their_sources() {
    use autobatch::lax;
    let mut rng = Rng(5);
    for case in 0..60 {
        let dtype = [DType::F32, DType::F64, DType::I32, DType::U32][case % 4];
        let shape = [1 + rng.below(4), 1 + rng.below(4)];
        let x = rng.array(&shape, dtype);
        let ops: Vec<usize> = (0..2 + rng.below(4)).map(|_| rng.below(5)).collect();
        let chain = |x: &Array| {
            let mut v = x.clone();
            for &op in &ops {
                let s = v.shape().to_vec();
                v = match op {
                    0 => lax::transpose(&v, &[1, 0]),
                    1 => lax::reshape(&v, &[s[1], s[0]]),
                    2 => lax::slice(&v, &[0, s[1] / 2], &[s[0], s[1]], &[1, 1 + s[1] / 3]),
                    3 => lax::concatenate(&[&v, &(&v * 2)], 1),
                    _ => lax::reshape(
                        &lax::broadcast_in_dim(&v, &[2, s[0], s[1]], &[1, 2]),
                        &[2 * s[0], s[1]],
                    ),
                };
            }
            (
                v.clone(),
                v.sum(),
                lax::slice(&v, &[0, 0], &[1, 1], &[1, 1]),
            )
        };
        let (want, got) = (chain(&x), jit(chain)(&x).unwrap());
        for (w, g) in [(&want.0, &got.0), (&want.1, &got.1), (&want.2, &got.2)] {
            assert_eq!(g.shape(), w.shape(), "case {case}: {ops:?}");
            assert_eq!(bits(g), bits(w), "case {case}: {ops:?}");
        }
    }
    // A key split reads its words through such a chain: no layout step is left.
    let key = autobatch::random::key(3);
    let split = |k: &Array| autobatch::random::split2(k);
    let plan = autobatch::backend::cpu::describe_plan(&jit_program(split, &key).unwrap());
    assert!(
        plan.contains("moves") && !plan.contains("concatenate"),
        "{plan}"
    );
    let (a, b) = jit(split)(&key).unwrap();
    let (c, d) = split(&key);
    assert_eq!(bits(&a), bits(&c));
    assert_eq!(bits(&b), bits(&d));
}

#[test]
fn key_words_are_read_in_place_by_the_kernels_that_use_them() {
    // Splitting a key and drawing with the subkey cuts single words out of keys; the
    // kernels read them where they lie, leaving one layout step (the new key), and the
    // draws are eager's bit for bit, whatever the shape (one element included).
    let draw = |shape: &'static [usize]| {
        move |k: &Array| {
            let (next, sub) = autobatch::random::split2(k);
            (next, autobatch::random::normal(&sub, shape, DType::F32))
        }
    };
    for shape in [&[1][..], &[3], &[128, 10]] {
        let start = autobatch::random::key(7);
        let plan =
            autobatch::backend::cpu::describe_plan(&jit_program(draw(shape), &start).unwrap());
        assert_eq!(plan.matches("moves").count(), 1, "{shape:?}: {plan}");
        let jitted = jit(draw(shape));
        let mut key = start;
        for step in 0..5 {
            let (k1, x1) = jitted(&key).unwrap();
            let (k2, x2) = draw(shape)(&key);
            assert_eq!(bits(&k1), bits(&k2), "{shape:?}, step {step}");
            assert_eq!(bits(&x1), bits(&x2), "{shape:?}, step {step}");
            key = k1;
        }
    }
}
