//! vmap: the notebook check, a generic property test for every primitive and API
//! function (vmap equals stacking per-example results), nesting, and errors.

mod common;
use autobatch::ir::{ArgOp, BinaryOp, CompareOp, ReduceOp, UnaryOp};
use autobatch::{Array, Axes, DType, VmapOptions, lax, make_program, vmap, vmap_with};

use common::Rng;

fn cases() -> usize {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(|n: usize| n.max(1) / 8 + 1)
        .unwrap_or(24)
}

/// Stacks per-example arrays along `axis`.
fn stack_at(xs: &[Array], axis: usize) -> Array {
    let refs: Vec<&Array> = xs.iter().collect();
    autobatch::stack(&refs, axis as isize)
}

/// Values as f64 with NaNs replaced by a sentinel, for comparison.
fn values(a: &Array) -> Vec<f64> {
    a.to_vec::<f64>()
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|x| if x.is_nan() { 1e300 } else { x })
        .collect()
}

fn assert_close(got: &Array, want: &Array, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    assert_eq!(got.dtype(), want.dtype(), "{what}: dtype");
    let (g, w) = (values(got), values(want));
    for (i, (a, b)) in g.iter().zip(&w).enumerate() {
        let tol = 1e-12 * (1.0 + b.abs());
        assert!(
            (a - b).abs() <= tol || a == b,
            "{what}[{i}]: vmap {a} vs per-example {b}\n got {got}\n want {want}"
        );
    }
}

/// Checks `vmap_with(f)` against a per-example loop, on random batch sizes and axes.
/// `examples(rng)` makes the arguments of ONE example.
fn check(
    name: &str,
    rng: &mut Rng,
    examples: &dyn Fn(&mut Rng) -> Vec<Array>,
    f: &dyn Fn(&Vec<Array>) -> Array,
) {
    for case in 0..cases() {
        let n = 1 + rng.below(3);
        // One example's argument shapes, then n examples with those shapes.
        let seed = rng.next();
        let per_example: Vec<Vec<Array>> = (0..n)
            .map(|i| {
                let mut r = Rng(seed);
                let proto = examples(&mut r);
                // Same shapes, different values for each example.
                let mut vr = Rng(seed ^ (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15));
                proto
                    .iter()
                    .map(|p| vr.array(p.shape(), p.dtype()))
                    .collect()
            })
            .collect();
        let k = per_example[0].len();
        // Each argument: batched at a random axis, or shared (taken from example 0).
        let mut in_axes = Vec::new();
        let mut args = Vec::new();
        for j in 0..k {
            let rank = per_example[0][j].ndim();
            if k > 1 && rng.below(4) == 0 {
                in_axes.push(None);
                args.push(per_example[0][j].clone());
            } else {
                let axis = rng.below(rank + 1);
                let xs: Vec<Array> = per_example.iter().map(|e| e[j].clone()).collect();
                args.push(stack_at(&xs, axis));
                let neg = rng.below(2) == 0;
                in_axes.push(Some(if neg {
                    axis as i32 - rank as i32 - 1
                } else {
                    axis as i32
                }));
            }
        }
        let expected_each: Vec<Array> = (0..n)
            .map(|i| {
                let ex: Vec<Array> = (0..k)
                    .map(|j| {
                        if in_axes[j].is_none() {
                            per_example[0][j].clone()
                        } else {
                            per_example[i][j].clone()
                        }
                    })
                    .collect();
                f(&ex)
            })
            .collect();
        if let Some(e) = expected_each.iter().find_map(|a| a.error_value()) {
            panic!("{name}: per-example call failed: {e}");
        }
        let out_rank = expected_each[0].ndim();
        let out_axis = rng.below(out_rank + 1);
        let expected = stack_at(&expected_each, out_axis);
        let options = VmapOptions::new()
            .in_axes(Axes::PerLeaf(
                in_axes.iter().map(|a| a.map(|a| a as isize)).collect(),
            ))
            .out_axes(out_axis as i32)
            .axis_size(n);
        let got = vmap_with(|xs: &Vec<Array>| f(xs), options)(&args)
            .unwrap_or_else(|e| panic!("{name} case {case}: {e}"));
        assert_close(
            &got,
            &expected,
            &format!("{name} case {case} in_axes {in_axes:?} out {out_axis}"),
        );
    }
}

fn f64_arg(shape: Vec<usize>) -> impl Fn(&mut Rng) -> Vec<Array> {
    move |r: &mut Rng| vec![r.array(&shape, DType::F64)]
}

#[test]
fn every_elementwise_primitive_batches() {
    let mut rng = Rng(1);
    for op in UnaryOp::ALL {
        let dtype = if op == UnaryOp::Not {
            DType::I32
        } else {
            DType::F64
        };
        check(
            op.name(),
            &mut rng,
            &move |r: &mut Rng| {
                let s = r.shape(3);
                vec![r.array(&s, dtype)]
            },
            &move |xs| lax::unary(op, &xs[0]),
        );
    }
    for op in BinaryOp::ALL {
        let dtype = match op {
            BinaryOp::And | BinaryOp::Or | BinaryOp::Xor => DType::Bool,
            BinaryOp::ShiftLeft | BinaryOp::ShiftRightLogical => DType::U32,
            _ => DType::F64,
        };
        check(
            op.name(),
            &mut rng,
            &move |r: &mut Rng| {
                let s = r.shape(3);
                vec![r.array(&s, dtype), r.array(&s, dtype)]
            },
            &move |xs| lax::binary(op, &xs[0], &xs[1]),
        );
    }
    for op in CompareOp::ALL {
        check(
            op.name(),
            &mut rng,
            &|r: &mut Rng| {
                let s = r.shape(3);
                vec![r.array(&s, DType::F64), r.array(&s, DType::F64)]
            },
            &move |xs| lax::compare(op, &xs[0], &xs[1]),
        );
    }
    check(
        "select",
        &mut rng,
        &|r: &mut Rng| {
            let s = r.shape(3);
            vec![
                r.array(&s, DType::Bool),
                r.array(&s, DType::F64),
                r.array(&s, DType::F64),
            ]
        },
        &|xs| lax::select(&xs[0], &xs[1], &xs[2]),
    );
    check(
        "fma",
        &mut rng,
        &|r: &mut Rng| {
            let s = r.shape(3);
            (0..3).map(|_| r.array(&s, DType::F64)).collect()
        },
        &|xs| lax::fma(&xs[0], &xs[1], &xs[2]),
    );
    check("convert", &mut rng, &f64_arg(vec![2, 3]), &|xs| {
        lax::convert(&xs[0], DType::I32)
    });
    check(
        "bitcast",
        &mut rng,
        &|r: &mut Rng| vec![r.array(&[3], DType::F32)],
        &|xs| lax::bitcast(&xs[0], DType::U32),
    );
    check("stop_gradient", &mut rng, &f64_arg(vec![2]), &|xs| {
        lax::stop_gradient(&xs[0])
    });
    check(
        "threefry2x32",
        &mut rng,
        &|r: &mut Rng| {
            let s = r.shape(2);
            (0..4).map(|_| r.array(&s, DType::U32)).collect()
        },
        &|xs| {
            let (a, b) = lax::threefry2x32(&xs[0], &xs[1], &xs[2], &xs[3]);
            lax::binary(BinaryOp::Xor, &a, &b)
        },
    );
}

#[test]
fn every_structural_primitive_batches() {
    let mut rng = Rng(2);
    check("broadcast_in_dim", &mut rng, &f64_arg(vec![3, 1]), &|xs| {
        lax::broadcast_in_dim(&xs[0], &[2, 3, 4], &[1, 2])
    });
    check(
        "broadcast_in_dim scalar",
        &mut rng,
        &f64_arg(vec![]),
        &|xs| lax::broadcast_in_dim(&xs[0], &[2, 3], &[]),
    );
    check("reshape", &mut rng, &f64_arg(vec![2, 3]), &|xs| {
        lax::reshape(&xs[0], &[3, 1, 2])
    });
    check("transpose", &mut rng, &f64_arg(vec![2, 3, 4]), &|xs| {
        lax::transpose(&xs[0], &[2, 0, 1])
    });
    check("slice", &mut rng, &f64_arg(vec![5, 4]), &|xs| {
        lax::slice(&xs[0], &[1, 0], &[5, 3], &[2, 2])
    });
    check(
        "pad",
        &mut rng,
        &|r: &mut Rng| vec![r.array(&[3, 2], DType::F64), r.array(&[], DType::F64)],
        &|xs| lax::pad(&xs[0], &xs[1], &[1, -1], &[2, 0], &[1, 0]),
    );
    check(
        "concatenate",
        &mut rng,
        &|r: &mut Rng| {
            vec![
                r.array(&[2, 3], DType::F64),
                r.array(&[2, 1], DType::F64),
                r.array(&[2, 2], DType::F64),
            ]
        },
        &|xs| lax::concatenate(&[&xs[0], &xs[1], &xs[2]], 1),
    );
    // iota has no operands: only axis_size batches it.
    let f = vmap_with(
        |_: &Array| lax::iota(DType::I32, &[3], 0),
        VmapOptions::new().in_axes(None).axis_size(2),
    );
    assert_eq!(
        f(&Array::zeros(&[])).unwrap().to_vec::<i32>().unwrap(),
        vec![0, 1, 2, 0, 1, 2]
    );
    for axis in 0..2 {
        check(
            "take",
            &mut rng,
            &|r: &mut Rng| {
                let idx: Vec<i32> = (0..4).map(|_| r.below(7) as i32 - 1).collect();
                vec![r.array(&[4, 3], DType::F64), Array::from_vec(idx, &[2, 2])]
            },
            &move |xs| lax::take(&xs[0], &lax::convert(&xs[1], DType::I32), axis),
        );
        check(
            "scatter_add",
            &mut rng,
            &move |r: &mut Rng| {
                let idx: Vec<i32> = (0..3).map(|_| r.below(5) as i32 - 1).collect();
                let upd_shape = if axis == 0 { vec![3, 3] } else { vec![4, 3] };
                vec![
                    r.array(&[4, 3], DType::F64),
                    Array::from_vec(idx, &[3]),
                    r.array(&upd_shape, DType::F64),
                ]
            },
            &move |xs| lax::scatter_add(&xs[0], &lax::convert(&xs[1], DType::I32), &xs[2], axis),
        );
    }
}

#[test]
fn every_reduction_batches() {
    let mut rng = Rng(3);
    for op in [ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Max, ReduceOp::Min] {
        for axes in [vec![0], vec![1], vec![0, 2], vec![]] {
            check(op.name(), &mut rng, &f64_arg(vec![2, 3, 2]), &move |xs| {
                lax::reduce(op, &xs[0], &axes)
            });
        }
    }
    for op in [ArgOp::Argmax, ArgOp::Argmin] {
        for axis in 0..3 {
            check(op.name(), &mut rng, &f64_arg(vec![2, 3, 2]), &move |xs| {
                lax::arg_reduce(op, &xs[0], axis)
            });
        }
    }
    for axis in 0..2 {
        for reverse in [false, true] {
            check("cumsum", &mut rng, &f64_arg(vec![3, 2]), &move |xs| {
                lax::cumsum(&xs[0], axis, reverse)
            });
        }
    }
}

#[test]
fn dot_general_batches_for_every_dimension_pattern() {
    let mut rng = Rng(4);
    type Dims = (
        Vec<usize>,
        Vec<usize>,
        Vec<usize>,
        Vec<usize>,
        Vec<usize>,
        Vec<usize>,
    );
    let patterns: Vec<Dims> = vec![
        (vec![3], vec![3], vec![0], vec![0], vec![], vec![]),
        (vec![2, 3], vec![3], vec![1], vec![0], vec![], vec![]),
        (vec![2, 3], vec![3, 4], vec![1], vec![0], vec![], vec![]),
        (vec![3, 2], vec![4, 3], vec![0], vec![1], vec![], vec![]),
        (
            vec![2, 3, 4],
            vec![2, 4, 5],
            vec![2],
            vec![1],
            vec![0],
            vec![0],
        ),
        (
            vec![4, 2, 3],
            vec![3, 4],
            vec![2, 0],
            vec![0, 1],
            vec![],
            vec![],
        ),
        (vec![2], vec![3], vec![], vec![], vec![], vec![]),
    ];
    for (ls, rs, lc, rc, lb, rb) in patterns {
        check(
            "dot_general",
            &mut rng,
            &move |r: &mut Rng| vec![r.array(&ls, DType::F64), r.array(&rs, DType::F64)],
            &move |xs| lax::dot_general(&xs[0], &xs[1], &lc, &rc, &lb, &rb),
        );
    }
}

#[test]
fn api_functions_batch() {
    let mut rng = Rng(5);
    check(
        "matmul",
        &mut rng,
        &|r: &mut Rng| vec![r.array(&[2, 3], DType::F64), r.array(&[3, 2], DType::F64)],
        &|xs| xs[0].matmul(&xs[1]),
    );
    check(
        "dot",
        &mut rng,
        &|r: &mut Rng| vec![r.array(&[3], DType::F64), r.array(&[3], DType::F64)],
        &|xs| xs[0].dot(&xs[1]),
    );
    check(
        "broadcasting add",
        &mut rng,
        &|r: &mut Rng| vec![r.array(&[3, 1], DType::F64), r.array(&[4], DType::F64)],
        &|xs| &xs[0] + &xs[1],
    );
    check("mean", &mut rng, &f64_arg(vec![3, 2]), &|xs| {
        xs[0].mean_axis(-1)
    });
    check("var", &mut rng, &f64_arg(vec![3, 2]), &|xs| xs[0].var());
    check("where", &mut rng, &f64_arg(vec![4]), &|xs| {
        autobatch::where_(xs[0].gt(0.0), &xs[0], 0.0)
    });
    check("index", &mut rng, &f64_arg(vec![4, 3]), &|xs| {
        xs[0].index(autobatch::s![1.., 2])
    });
    check("reversed", &mut rng, &f64_arg(vec![4]), &|xs| {
        xs[0].index(&[autobatch::Idx::step(None, None, -1)])
    });
    check("take api", &mut rng, &f64_arg(vec![4]), &|xs| {
        xs[0].take(&Array::from_vec(vec![-1i32, 0, 2], &[3]), 0)
    });
    check("reshape -1", &mut rng, &f64_arg(vec![2, 3]), &|xs| {
        xs[0].reshape(&[-1])
    });
    check(
        "concatenate",
        &mut rng,
        &|r: &mut Rng| vec![r.array(&[2], DType::F64), r.array(&[3], DType::F64)],
        &|xs| autobatch::concatenate(&[&xs[0], &xs[1]], 0),
    );
    check("sum keepdims", &mut rng, &f64_arg(vec![3, 2]), &|xs| {
        xs[0].sum_axes(&[0], true)
    });
    check("prod", &mut rng, &f64_arg(vec![3, 2]), &|xs| {
        xs[0].prod_axes(&[-1], false)
    });
    check("max min", &mut rng, &f64_arg(vec![3, 2]), &|xs| {
        xs[0].max_axis(0) - xs[0].min()
    });
    check("std", &mut rng, &f64_arg(vec![4]), &|xs| xs[0].std());
    check("argmax", &mut rng, &f64_arg(vec![3, 4]), &|xs| {
        xs[0].argmax_axis(1, false)
    });
    check("argmin flat", &mut rng, &f64_arg(vec![3, 4]), &|xs| {
        xs[0].argmin()
    });
    check("cumsum api", &mut rng, &f64_arg(vec![3, 2]), &|xs| {
        xs[0].cumsum(-1)
    });
    check("transpose api", &mut rng, &f64_arg(vec![2, 3, 4]), &|xs| {
        xs[0].transpose(&[1, -1, 0])
    });
    check("swapaxes", &mut rng, &f64_arg(vec![2, 3]), &|xs| {
        xs[0].swapaxes(0, 1)
    });
    check("moveaxis", &mut rng, &f64_arg(vec![2, 3, 4]), &|xs| {
        xs[0].moveaxis(0, -1)
    });
    check("expand squeeze", &mut rng, &f64_arg(vec![3]), &|xs| {
        xs[0].expand_dims(0).expand_dims(-1).squeeze()
    });
    check("broadcast_to", &mut rng, &f64_arg(vec![3]), &|xs| {
        xs[0].broadcast_to(&[2, 3])
    });
    check(
        "stack",
        &mut rng,
        &|r: &mut Rng| vec![r.array(&[2], DType::F64), r.array(&[2], DType::F64)],
        &|xs| autobatch::stack(&[&xs[0], &xs[1]], -1),
    );
    check("clip pow maximum", &mut rng, &f64_arg(vec![4]), &|xs| {
        xs[0].clip(-1.0, 1.0).pow(2.0).maximum(0.5)
    });
    check("astype", &mut rng, &f64_arg(vec![4]), &|xs| {
        (xs[0].clone() * 3.0).astype(DType::I32)
    });
    check("logical", &mut rng, &f64_arg(vec![4]), &|xs| {
        xs[0].gt(0.0).logical_and(xs[0].lt(1.0)).logical_not()
    });
    check(
        "matmul batch",
        &mut rng,
        &|r: &mut Rng| {
            vec![
                r.array(&[2, 2, 3], DType::F64),
                r.array(&[3, 2], DType::F64),
            ]
        },
        &|xs| xs[0].matmul(&xs[1]),
    );
    check("index newaxis", &mut rng, &f64_arg(vec![3, 4]), &|xs| {
        xs[0].index(&[
            autobatch::Idx::NewAxis,
            autobatch::Idx::from(..),
            autobatch::Idx::from(-1),
        ])
    });
    check("logsumexp-like", &mut rng, &f64_arg(vec![5]), &|xs| {
        let m = xs[0].max();
        (&xs[0] - &m).exp().sum().log() + m
    });
}

fn normal_logpdf(x: &Array, scale: f64) -> Array {
    let z = x / scale;
    -0.5 * &z * &z - (scale.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln())
}

#[test]
fn notebook_vmap_equals_hand_batched_and_jax() {
    let golden = common::load("seed_notebook.json");
    let part = &golden["part_b_batched"];
    let y = common::array_i32(&golden["data"]["y"]);
    let all_x = common::array_f32(&golden["data"]["all_x"]);
    let log_joint = |beta: &Array| {
        normal_logpdf(beta, 1.0).sum()
            + (-(1.0 + (-(2 * &y - 1) * all_x.dot(beta)).exp()).log()).sum()
    };
    let batched_log_joint = |beta: &Array| {
        normal_logpdf(beta, 1.0).sum_axis(-1)
            + (-(1.0 + (-(2 * &y - 1) * all_x.dot(&beta.t()).t()).exp()).log()).sum_axis(-1)
    };
    let beta = common::array_f32(&part["batched_test_beta_f32_as_used"]);
    let by_vmap = vmap(log_joint)(&beta).unwrap();
    let by_hand = batched_log_joint(&beta);
    let want: Vec<f64> = common::f32s(&part["vmap_batched_f32"])
        .into_iter()
        .map(f64::from)
        .collect();
    common::assert_rel(&by_vmap.to_vec::<f64>().unwrap(), &want, 1e-5, "vmap");
    common::assert_rel(
        &by_vmap.to_vec::<f64>().unwrap(),
        &by_hand.to_vec::<f64>().unwrap(),
        1e-6,
        "vmap vs hand",
    );

    // The batched program: one batched dot_general, nothing per example.
    let program = make_program(|b: &Array| vmap(log_joint)(b).unwrap(), &beta).unwrap();
    assert_eq!(program.count_primitive("dot_general"), 1, "{program}");
    let dot = program
        .equations
        .iter()
        .find(|e| e.primitive.name() == "dot_general")
        .unwrap();
    // The example axis comes first, as in the hand-batched layout, with no transpose.
    assert_eq!(
        program.var_type(dot.outputs[0]).shape,
        vec![10, 100],
        "{program}"
    );
    assert_eq!(program.count_primitive("transpose"), 0, "{program}");
    assert_eq!(program.count_primitive("slice"), 0);
    assert_eq!(program.count_primitive("concatenate"), 0);
}

#[test]
fn nested_vmap_two_and_three_levels() {
    // Pairwise: out[i, j] = a_i . b_j
    let a = Array::from_vec((0..6).map(|i| i as f64).collect(), &[2, 3]);
    let b = Array::from_vec((0..12).map(|i| (i as f64) * 0.5).collect(), &[4, 3]);
    let inner = |(x, y): &(Array, Array)| x.dot(y);
    let pairwise = vmap_with(
        |(x, bs): &(Array, Array)| {
            vmap_with(inner, VmapOptions::new().in_axes([None, Some(0)]))(&(x.clone(), bs.clone()))
                .unwrap()
        },
        VmapOptions::new().in_axes([Some(0), None]),
    );
    let got = pairwise(&(a.clone(), b.clone())).unwrap();
    assert_close(&got, &a.matmul(&b.t()), "pairwise");

    // Three levels: sum over the innermost of products.
    let x = Array::from_vec((0..24).map(|i| i as f64 * 0.1).collect(), &[2, 3, 4]);
    let triple =
        vmap(|m: &Array| vmap(|r: &Array| vmap(|e: &Array| e * e)(r).unwrap().sum())(m).unwrap());
    let got = triple(&x).unwrap();
    assert_close(&got, &(&x * &x).sum_axis(-1), "three levels");
}

#[test]
fn vmap_inside_a_trace_and_closing_over_traced_values() {
    let p = make_program(
        |(w, xs): &(Array, Array)| {
            // The vmapped function closes over `w`, a value of the outer trace.
            vmap(|x: &Array| (x * w).sum())(xs).unwrap()
        },
        &(Array::zeros(&[3]), Array::zeros(&[5, 3])),
    )
    .unwrap();
    p.verify().unwrap();
    let w = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
    let xs = Array::ones(&[5, 3]);
    let out = p.call(&[w, xs]).unwrap();
    assert_eq!(out[0].to_vec::<f32>().unwrap(), vec![6.0; 5]);
}

#[test]
fn transforms_json_vmap_cases() {
    let data = common::load("transforms.json");
    let case = |name: &str| {
        data["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no case {name}"))
            .clone()
    };
    let arr = |v: &serde_json::Value| common::array_f64(v);
    let close = |got: &Array, want: &serde_json::Value, what: &str| {
        assert_eq!(got.shape(), common::shape(want).as_slice(), "{what}");
        let expected = common::f64s(want);
        let got = got.to_vec::<f64>().unwrap();
        for (a, b) in got.iter().zip(&expected) {
            assert!(
                (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
                "{what}: {a} vs {b}"
            );
        }
    };

    let c = case("vmap_in_axes_0_None");
    let f = vmap_with(
        |(x, w): &(Array, Array)| x.dot(w).tanh(),
        VmapOptions::new().in_axes([Some(0), None]),
    );
    let out = f(&(arr(&c["inputs"]["X"]), arr(&c["inputs"]["w"]))).unwrap();
    close(&out, &c["outputs"]["out"], "vmap_in_axes_0_None");

    let col = |v: &Array| v * v.sum() + v.cumsum(0);
    let c = case("vmap_in_axes_1_out_axes_1");
    let out =
        vmap_with(col, VmapOptions::new().in_axes(1).out_axes(1))(&arr(&c["inputs"]["M"])).unwrap();
    close(&out, &c["outputs"]["out"], "in 1 out 1");
    let c = case("vmap_in_axes_1_out_axes_0");
    let out =
        vmap_with(col, VmapOptions::new().in_axes(1).out_axes(0))(&arr(&c["inputs"]["M"])).unwrap();
    close(&out, &c["outputs"]["out"], "in 1 out 0");

    let c = case("nested_vmap_pairwise");
    let p = |(a, b): &(Array, Array)| a.dot(b) / (1.0 + a.dot(a)) + b.sum();
    let inner = move |(a, bs): &(Array, Array)| {
        vmap_with(p, VmapOptions::new().in_axes([None, Some(0)]))(&(a.clone(), bs.clone())).unwrap()
    };
    let out = vmap_with(inner, VmapOptions::new().in_axes([Some(0), None]))(&(
        arr(&c["inputs"]["A"]),
        arr(&c["inputs"]["B"]),
    ))
    .unwrap();
    close(&out, &c["outputs"]["out"], "nested pairwise");

    let c = case("vmap_mixed_in_axes");
    let q = |(x, y, c): &(Array, Array, Array)| c * x * y + x.sum() * y.sum();
    let out = vmap_with(q, VmapOptions::new().in_axes([Some(0), Some(1), None]))(&(
        arr(&c["inputs"]["X"]),
        arr(&c["inputs"]["Y"]),
        arr(&c["inputs"]["c"]),
    ))
    .unwrap();
    close(&out, &c["outputs"]["out"], "mixed in_axes");

    let c = case("vmap_tuple_out_axes");
    let two = |x: &Array| {
        (
            (x * x).sum(),
            x.index(&[autobatch::Idx::step(None, None, -1)]) * 2.0,
        )
    };
    let (s, r) =
        vmap_with(two, VmapOptions::new().out_axes([Some(0), Some(1)]))(&arr(&c["inputs"]["X"]))
            .unwrap();
    let outs = &c["outputs"];
    let keys: Vec<&String> = outs.as_object().unwrap().keys().collect();
    close(&s, &outs[keys[0].as_str()], "tuple out 0");
    close(&r, &outs[keys[1].as_str()], "tuple out 1");
}

#[test]
fn errors_name_the_argument_and_sizes() {
    let f = vmap(|(a, b): &(Array, Array)| a + b);
    let err = f(&(Array::zeros(&[3, 2]), Array::zeros(&[4, 2]))).unwrap_err();
    assert_eq!(err.op(), "vmap");
    assert_eq!(
        err.message(),
        "inconsistent batch sizes: argument 0 has size 3 along axis 0, argument 1 has size 4 along axis 0"
    );
    let f = vmap_with(|a: &Array| a * 2.0, VmapOptions::new().in_axes(2));
    let err = f(&Array::zeros(&[3, 2])).unwrap_err();
    assert_eq!(
        err.message(),
        "in_axes 2 is out of range for argument 0 of shape [3, 2]"
    );
    let f = vmap_with(
        |(a, _b): &(Array, Array)| a * 2.0,
        VmapOptions::new().in_axes([Some(0)]),
    );
    let err = f(&(Array::zeros(&[3]), Array::zeros(&[3]))).unwrap_err();
    assert_eq!(
        err.message(),
        "in_axes has 1 entries but there are 2 arguments"
    );
    let f = vmap_with(|a: &Array| a * 2.0, VmapOptions::new().in_axes(None));
    let err = f(&Array::zeros(&[3])).unwrap_err();
    assert_eq!(
        err.message(),
        "no argument is batched (every in_axes entry is None); give axis_size"
    );
    let f = vmap_with(|a: &Array| a * 2.0, VmapOptions::new().axis_size(4));
    let err = f(&Array::zeros(&[3])).unwrap_err();
    assert_eq!(
        err.message(),
        "inconsistent batch sizes: axis_size is 4, argument 0 has size 3 along axis 0"
    );
    let f = vmap_with(|a: &Array| a * 2.0, VmapOptions::new().out_axes(None));
    let err = f(&Array::zeros(&[3])).unwrap_err();
    assert_eq!(
        err.message(),
        "result 0 depends on the batch but its out_axes is None"
    );
    let f = vmap_with(|a: &Array| a * 2.0, VmapOptions::new().out_axes(3));
    let err = f(&Array::zeros(&[3, 2])).unwrap_err();
    assert_eq!(
        err.message(),
        "out_axes 3 is out of range for result 0 of rank 1"
    );
    // An error inside the function comes back with the op and the user's line.
    let f = vmap(|a: &Array| a + Array::zeros(&[5]));
    let err = f(&Array::zeros(&[3, 2])).unwrap_err();
    assert_eq!(err.op(), "add");
    assert_eq!(err.message(), "cannot broadcast shapes [2] and [5]");
    assert_eq!(err.location().unwrap().file(), file!());
}
