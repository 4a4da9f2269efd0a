//! Control flow (`cond`, `switch`, `while_loop`, `scan`, `fori_loop`, `map`): forward
//! mode against central finite differences (f64), reverse mode against forward mode by
//! the dot-product test, `vmap` against the per-example loop, `jit` against eager
//! evaluation, tracing counts, and the error messages.

// The models take `&Vec<Array>`: a `Vec` is the Tree the transforms differentiate.
#![allow(clippy::ptr_arg)]

mod common;
use autobatch::control::{ScanOptions, cond, fori_loop, map, scan, scan_with, switch, while_loop};
use autobatch::ir::BinaryOp;
use autobatch::{
    Array, Axes, DType, Idx, VmapOptions, grad, jit, jvp, lax, make_program, stack, vjp, vmap_with,
};
use common::Rng;
use std::cell::Cell;

fn cases() -> usize {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(|n: usize| n.max(1) / 8 + 1)
        .unwrap_or(6)
}

fn rem(x: &Array, m: i32) -> Array {
    lax::binary(BinaryOp::Rem, x, &Array::full_like(x, m as f64))
}

fn dot(a: &[Array], b: &[Array]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x * y).sum().item::<f64>().unwrap())
        .sum()
}

type Model = dyn Fn(&Vec<Array>) -> autobatch::Result<Array>;

/// Checks forward mode against central differences and, when `reverse`, reverse mode
/// against forward mode.
fn check_derivatives(name: &str, make: &dyn Fn(&mut Rng) -> Vec<Array>, f: &Model, reverse: bool) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ name.len() as u64);
    for case in 0..cases() {
        let x = make(&mut rng);
        let v: Vec<Array> = x
            .iter()
            .map(|a| rng.array_in(a.shape(), -1.0, 1.0))
            .collect();
        let (y, jv) =
            jvp(|xs: &Vec<Array>| f(xs), &x, &v).unwrap_or_else(|e| panic!("{name}: {e}"));
        let h = 1e-6;
        let plus: Vec<Array> = x.iter().zip(&v).map(|(a, d)| a + h * d).collect();
        let minus: Vec<Array> = x.iter().zip(&v).map(|(a, d)| a - h * d).collect();
        let fd = (f(&plus).unwrap() - f(&minus).unwrap()) / (2.0 * h);
        for (i, (a, b)) in jv
            .to_vec::<f64>()
            .unwrap()
            .iter()
            .zip(&fd.to_vec::<f64>().unwrap())
            .enumerate()
        {
            assert!(
                (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                "{name} case {case}: jvp[{i}] = {a}, finite differences {b}"
            );
        }
        if !reverse {
            continue;
        }
        let u = rng.array_in(y.shape(), -1.0, 1.0);
        let (_, pullback) = vjp(|xs: &Vec<Array>| f(xs), &x).unwrap();
        let jtu = pullback.call(&u).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (lhs, rhs) = (dot(&[jv], std::slice::from_ref(&u)), dot(&v, &jtu));
        assert!(
            (lhs - rhs).abs() <= 1e-9 * (1.0 + lhs.abs()),
            "{name} case {case}: <Jv, u> = {lhs} but <v, J^T u> = {rhs}"
        );
        // The same gradient under jit.
        let jitted = jit(|xs: &Vec<Array>| {
            let (_, pb) = vjp(|xs: &Vec<Array>| f(xs), xs)?;
            pb.call(&u)
        });
        let again = jitted(&x).unwrap();
        assert!(
            (dot(&v, &again) - rhs).abs() <= 1e-9 * (1.0 + rhs.abs()),
            "{name}: jit"
        );
    }
}

/// An RNN-like scan: `h <- tanh(w h + x_t)`, output `h . w` per step, plus the final
/// state's sum.
fn rnn(xs: &Vec<Array>) -> autobatch::Result<Array> {
    let (w, h0, seq) = (&xs[0], &xs[1], &xs[2]);
    let (h, ys): (Array, Array) = scan(
        |h: &Array, x: &Array| {
            let h = (w * h + x).tanh();
            let y = (&h * w).sum();
            (h, y)
        },
        h0,
        seq,
    )?;
    Ok(ys + h.sum())
}

fn rnn_inputs(rng: &mut Rng) -> Vec<Array> {
    let d = 1 + rng.below(3);
    let t = 1 + rng.below(5);
    vec![
        rng.array_in(&[d], -1.0, 1.0),
        rng.array_in(&[d], -1.0, 1.0),
        rng.array_in(&[t, d], -1.0, 1.0),
    ]
}

#[test]
fn scan_derivatives() {
    check_derivatives("rnn", &rnn_inputs, &rnn, true);
}

/// A reverse scan with an integer counter in the carry and two scanned inputs.
fn reverse_scan(xs: &Vec<Array>) -> autobatch::Result<Array> {
    let (a, u, v) = (&xs[0], &xs[1], &xs[2]);
    let ((_, acc), ys): ((Array, Array), (Array, Array)) = scan_with(
        |(k, acc): &(Array, Array), (ui, vi): &(Array, Array)| {
            let kf = k.astype(DType::F64);
            let acc = acc * a.cos() + ui * vi.exp() + &kf * 0.1;
            ((k + 1, acc.clone()), (acc.sin(), ui * &kf))
        },
        &(Array::scalar(0i32), Array::scalar(0.5f64)),
        &(u.clone(), v.clone()),
        ScanOptions::new().reverse(true),
    )?;
    Ok(ys.0 + ys.1 + acc)
}

#[test]
fn reverse_scan_derivatives() {
    let make = |rng: &mut Rng| {
        let t = 1 + rng.below(4);
        vec![
            rng.array_in(&[], -1.0, 1.0),
            rng.array_in(&[t], -1.0, 1.0),
            rng.array_in(&[t], -1.0, 1.0),
        ]
    };
    check_derivatives("reverse scan", &make, &reverse_scan, true);
}

/// A cond inside a fori_loop: which branch runs depends on the carry.
fn branchy_loop(xs: &Vec<Array>) -> autobatch::Result<Array> {
    let (x, s) = (&xs[0], &xs[1]);
    fori_loop(
        0,
        5,
        |i: &Array, c: &Array| {
            let odd = rem(i, 2).equal(1);
            cond(
                &odd,
                |c: &Array| c.sin() * s,
                |c: &Array| c * c.cos() + s,
                c,
            )
        },
        x,
    )
}

#[test]
fn cond_in_fori_loop_derivatives() {
    let make = |rng: &mut Rng| vec![rng.array_in(&[3], -1.0, 1.0), rng.array_in(&[], 0.5, 1.5)];
    check_derivatives("cond in fori_loop", &make, &branchy_loop, true);
}

/// A three-way switch on a value of the data, each branch closing over something else.
fn switched(xs: &Vec<Array>) -> autobatch::Result<Array> {
    let (x, a, b) = (&xs[0], &xs[1], &xs[2]);
    let index = (x.sum() * 2.0).floor().astype(DType::I32);
    let f0 = |x: &Array| x * a;
    let f1 = |x: &Array| x.exp() * b;
    let f2 = |x: &Array| (x * a * b).sin();
    let branches: [&dyn Fn(&Array) -> Array; 3] = [&f0, &f1, &f2];
    switch(&index, &branches, x)
}

#[test]
fn switch_derivatives() {
    let make = |rng: &mut Rng| {
        vec![
            rng.array_in(&[2], -0.7, 1.2),
            rng.array_in(&[2], -1.0, 1.0),
            rng.array_in(&[], -1.0, 1.0),
        ]
    };
    check_derivatives("switch", &make, &switched, true);
}

/// `x <- x * a + 0.1` until `|x|` exceeds 4 (at most 50 steps): forward mode only.
fn grow(xs: &Vec<Array>) -> autobatch::Result<Array> {
    let (x, a) = (&xs[0], &xs[1]);
    let (_, out) = while_loop(
        |(k, x): &(Array, Array)| k.lt(50).logical_and(x.abs().max().lt(4.0)),
        |(k, x): &(Array, Array)| (k + 1, x * a + 0.1),
        &(Array::scalar(0i32), x.clone()),
    )?;
    Ok(out)
}

#[test]
fn while_loop_forward_mode() {
    let make = |rng: &mut Rng| vec![rng.array_in(&[3], -1.0, 1.0), rng.array_in(&[], 1.2, 1.8)];
    check_derivatives("while_loop", &make, &grow, false);
}

#[test]
fn while_loop_reverse_mode_is_a_clear_error() {
    let x = vec![
        Array::from_vec(vec![0.5f64, 1.0], &[2]),
        Array::scalar(1.5f64),
    ];
    let e = grad(|xs: &Vec<Array>| grow(xs).map(|y| y.sum()))(&x).unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("while_loop"), "{msg}");
    assert!(msg.contains("use scan, or fori_loop"), "{msg}");
}

#[test]
fn map_derivatives() {
    let f = |xs: &Vec<Array>| -> autobatch::Result<Array> {
        let w = &xs[1];
        map(|row: &Array| (row * w).sum().tanh(), &xs[0])
    };
    let make = |rng: &mut Rng| {
        let n = 1 + rng.below(4);
        vec![
            rng.array_in(&[n, 3], -1.0, 1.0),
            rng.array_in(&[3], -1.0, 1.0),
        ]
    };
    check_derivatives("map", &make, &f, true);
}

/// `vmap(f)` over the leading axis of every input equals stacking `f` per example, and
/// `jit(vmap(f))` equals both.
fn check_vmap(name: &str, inputs: &[Array], axes: Vec<Option<isize>>, f: &Model) {
    let n = inputs
        .iter()
        .zip(&axes)
        .find_map(|(a, ax)| ax.map(|_| a.shape()[0]))
        .unwrap();
    let per_example: Vec<Array> = (0..n)
        .map(|i| {
            let xs: Vec<Array> = inputs
                .iter()
                .zip(&axes)
                .map(|(a, ax)| {
                    if ax.is_some() {
                        a.index(&[Idx::At(i as isize)])
                    } else {
                        a.clone()
                    }
                })
                .collect();
            f(&xs).unwrap_or_else(|e| panic!("{name}: example {i}: {e}"))
        })
        .collect();
    let want = stack(&per_example.iter().collect::<Vec<_>>(), 0);
    let opts = || VmapOptions::new().in_axes(Axes::PerLeaf(axes.clone()));
    let got = vmap_with(|xs: &Vec<Array>| f(xs), opts())(&inputs.to_vec())
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let jitted = jit(vmap_with(|xs: &Vec<Array>| f(xs), opts()))(&inputs.to_vec()).unwrap();
    for (what, got) in [("vmap", got), ("jit(vmap)", jitted)] {
        assert_eq!(got.shape(), want.shape(), "{name}: {what} shape");
        let (g, w) = (got.to_vec::<f64>().unwrap(), want.to_vec::<f64>().unwrap());
        for (i, (a, b)) in g.iter().zip(&w).enumerate() {
            assert!(
                (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
                "{name}: {what}[{i}] {a} vs {b}"
            );
        }
    }
}

#[test]
fn vmap_equals_the_per_example_loop() {
    let mut rng = Rng(7);
    for _ in 0..cases() {
        let n = 1 + rng.below(4);
        let t = 1 + rng.below(4);
        // Every input batched; only the sequence batched; only the weights batched.
        let w = rng.array_in(&[n, 2], -1.0, 1.0);
        let h = rng.array_in(&[n, 2], -1.0, 1.0);
        let seq = rng.array_in(&[n, t, 2], -1.0, 1.0);
        check_vmap(
            "rnn all",
            &[w.clone(), h.clone(), seq.clone()],
            vec![Some(0); 3],
            &rnn,
        );
        check_vmap(
            "rnn seq",
            &[w.index(&[Idx::At(0)]), h.index(&[Idx::At(0)]), seq.clone()],
            vec![None, None, Some(0)],
            &rnn,
        );
        check_vmap(
            "rnn w",
            &[w.clone(), h.index(&[Idx::At(0)]), seq.index(&[Idx::At(0)])],
            vec![Some(0), None, None],
            &rnn,
        );
        let a = rng.array_in(&[n], -1.0, 1.0);
        let u = rng.array_in(&[n, t], -1.0, 1.0);
        check_vmap(
            "reverse scan",
            &[a.clone(), u.clone(), u.clone()],
            vec![Some(0); 3],
            &reverse_scan,
        );
        // A batched predicate (the branch depends on the example) and an unbatched one.
        let x = rng.array_in(&[n, 2], -0.7, 1.2);
        let b = rng.array_in(&[n], -1.0, 1.0);
        check_vmap(
            "switch batched index",
            &[x.clone(), x.clone(), b.clone()],
            vec![Some(0); 3],
            &switched,
        );
        check_vmap(
            "switch shared index",
            &[x.index(&[Idx::At(0)]), x.clone(), b.clone()],
            vec![None, Some(0), Some(0)],
            &switched,
        );
        let s = rng.array_in(&[n], 0.5, 1.5);
        check_vmap(
            "cond in fori_loop",
            &[rng.array_in(&[n, 3], -1.0, 1.0), s],
            vec![Some(0); 2],
            &branchy_loop,
        );
        // Each example stops after its own number of steps.
        let x = rng.array_in(&[n, 3], -1.0, 1.0);
        let a = rng.array_in(&[n], 1.2, 1.8);
        check_vmap(
            "while batched",
            &[x.clone(), a.clone()],
            vec![Some(0); 2],
            &grow,
        );
        check_vmap(
            "while shared rate",
            &[x, a.index(&[Idx::At(0)])],
            vec![Some(0), None],
            &grow,
        );
    }
}

#[test]
fn jit_traces_a_loop_body_once() {
    let traces = Cell::new(0);
    let f = jit(|x: &Array| {
        fori_loop(
            0,
            1000,
            |_: &Array, c: &Array| {
                traces.set(traces.get() + 1);
                c * 0.999 + 0.001
            },
            x,
        )
    });
    let a = f(&Array::ones(&[4])).unwrap();
    let b = f(&Array::zeros(&[4])).unwrap();
    assert_eq!(traces.get(), 1, "one trace for 2000 iterations");
    let (a, b) = (a.to_vec::<f32>().unwrap(), b.to_vec::<f32>().unwrap());
    assert!((a[0] - 1.0).abs() < 1e-5, "{a:?}");
    let want = 1.0 - 0.999f64.powi(1000);
    assert!((b[0] as f64 - want).abs() < 1e-4, "{b:?} vs {want}");
}

#[test]
fn programs_show_the_control_flow_equations() {
    let p = make_program(
        |x: &Array| {
            scan(
                |c: &Array, xi: &Array| (c + xi, c * xi),
                &Array::scalar(0.0f32),
                x,
            )
        },
        &Array::zeros(&[5]),
    )
    .unwrap();
    let text = p.to_string();
    assert!(text.contains("scan[length=5 consts=0 carry=1]"), "{text}");
    // The body prints below its equation, indented.
    assert!(
        text.contains(
            "\n      body = { lambda ; a:f32[] b:f32[]. let\n          c:f32[] = add a b\n"
        ),
        "{text}"
    );
    assert!(p.verify().is_ok());
    let w = Array::ones(&[3]);
    let p = make_program(
        |x: &Array| while_loop(|c: &Array| c.sum().lt(10.0), |c: &Array| c + &w, x),
        &Array::zeros(&[3]),
    )
    .unwrap();
    assert!(
        p.to_string().contains("while[cond_consts=0 body_consts=0]"),
        "{p}"
    );
}

#[test]
fn errors_say_what_is_wrong() {
    let x = Array::zeros(&[3]);
    // A carry that changes shape.
    let e = scan(
        |c: &Array, xi: &Array| (c.sum() + xi, xi.clone()),
        &Array::zeros(&[2]),
        &x,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains(
            "the body must return a carry with the shapes and dtypes (f32[2]), got (f32[])"
        ),
        "{e}"
    );
    let e = while_loop(
        |c: &Array| c.sum().lt(1.0),
        |c: &Array| c.astype(DType::I32),
        &x,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("the body must return the carry's shapes and dtypes (f32[3]), got (i32[3])"),
        "{e}"
    );
    let e = while_loop(|c: &Array| c.lt(1.0), |c: &Array| c + 1.0, &x).unwrap_err();
    assert!(
        e.to_string()
            .contains("the condition must return a bool scalar, got (bool[3])"),
        "{e}"
    );
    let e = cond(
        &Array::scalar(true),
        |c: &Array| c.sum(),
        |c: &Array| c.clone(),
        &x,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("branch 1 returns (f32[]) but branch 0 returns (f32[3])"),
        "{e}"
    );
    let e = cond(&x, |c: &Array| c.clone(), |c: &Array| c.clone(), &x).unwrap_err();
    assert!(
        e.to_string()
            .contains("the predicate must be a scalar, got f32[3]"),
        "{e}"
    );
    let e = scan(|c: &Array, _: &()| (c.clone(), ()), &x, &()).unwrap_err();
    assert!(
        e.to_string()
            .contains("give the number of steps with ScanOptions::length"),
        "{e}"
    );
    let e = scan(
        |c: &Array, xi: &Array| (c.clone(), xi.clone()),
        &x,
        &Array::scalar(1.0f32),
    )
    .unwrap_err();
    assert!(e.to_string().contains("scanned input 0 is a scalar"), "{e}");
    let two = (Array::zeros(&[3]), Array::zeros(&[4]));
    let e = scan(
        |c: &Array, xi: &(Array, Array)| (c.clone(), xi.0.clone()),
        &x,
        &two,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("scanned input 1 has leading extent 4, but the scan has length 3"),
        "{e}"
    );
    let e = switch(&Array::scalar(1.0f32), &[&|c: &Array| c.clone()], &x).unwrap_err();
    assert!(
        e.to_string()
            .contains("the index must be an integer scalar, got f32[]"),
        "{e}"
    );
    // An error inside a body is reported, not a panic.
    let e = fori_loop(0, 3, |_: &Array, c: &Array| c + Array::zeros(&[5]), &x).unwrap_err();
    assert!(e.to_string().contains("add"), "{e}");
}

#[test]
fn loops_run_eagerly_with_the_expected_values() {
    // Collatz steps of 27: a while_loop with integer carries.
    let (_, steps) = while_loop(
        |(n, _): &(Array, Array)| n.gt(1),
        |(n, k): &(Array, Array)| {
            let even = rem(n, 2).equal(0);
            (
                autobatch::where_(
                    &even,
                    lax::binary(BinaryOp::Div, n, &Array::scalar(2i32)),
                    &(n * 3 + 1),
                ),
                k + 1,
            )
        },
        &(Array::scalar(27i32), Array::scalar(0i32)),
    )
    .unwrap();
    assert_eq!(steps.item::<i32>().unwrap(), 111);
    // A zero-length scan returns its initial carry and empty outputs.
    let (c, ys): (Array, Array) = scan(
        |c: &Array, x: &Array| (c + x.sum(), x * 2.0),
        &Array::scalar(1.0f32),
        &Array::zeros(&[0, 2]),
    )
    .unwrap();
    assert_eq!(c.item::<f32>().unwrap(), 1.0);
    assert_eq!(ys.shape(), &[0, 2]);
}

#[test]
fn second_derivatives_through_scan_agree() {
    use autobatch::{hessian, jacfwd, jacrev};
    let f = |x: &Array| -> autobatch::Result<Array> {
        let (c, ys): (Array, Array) = scan(
            |c: &Array, xi: &Array| {
                let p = (c * xi).sin() + c;
                (p.clone(), p)
            },
            &Array::scalar(0.7f64),
            x,
        )?;
        Ok(ys.sum() + c)
    };
    let x = Array::from_vec(vec![0.3f64, -0.5, 1.2], &[3]);
    let h = hessian(f)(&x).unwrap().to_vec::<f64>().unwrap();
    let ff = jacfwd(jacfwd(f))(&x).unwrap().to_vec::<f64>().unwrap();
    let rr = jacrev(jacrev(f))(&x).unwrap().to_vec::<f64>().unwrap();
    for i in 0..9 {
        assert!(
            (h[i] - ff[i]).abs() < 1e-12 && (h[i] - rr[i]).abs() < 1e-12,
            "{h:?} {ff:?} {rr:?}"
        );
        assert!((h[i] - h[(i % 3) * 3 + i / 3]).abs() < 1e-12, "symmetric");
    }
}
