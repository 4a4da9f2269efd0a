//! Tracing: constants, closure capture across nested traces, replay, escaped tracers,
//! Trees, and the verifier.

use autobatch::{Array, DType, Tree, impl_tree, make_program};

fn v(data: &[f32]) -> Array {
    Array::from_slice(data, &[data.len()])
}

#[test]
fn concrete_values_become_constants_and_ops_on_them_run_eagerly() {
    let w = v(&[1.0, 2.0, 3.0]);
    let p = make_program(
        |x: &Array| {
            // Only concrete operands: computed now, captured as one constant.
            let w2 = &w * &w;
            assert!(w2.is_concrete());
            x * &w2
        },
        &Array::zeros(&[3]),
    )
    .unwrap();
    assert_eq!(p.consts.len(), 1);
    assert_eq!(p.consts[0].to_vec::<f32>().unwrap(), vec![1.0, 4.0, 9.0]);
    assert_eq!(p.equations.len(), 1);
    let out = p.call(&[v(&[1.0, 1.0, 2.0])]).unwrap();
    assert_eq!(out[0].to_vec::<f32>().unwrap(), vec![1.0, 4.0, 18.0]);
}

#[test]
fn the_same_constant_is_captured_once() {
    let w = v(&[1.0, 2.0]);
    let p = make_program(|x: &Array| (x * &w) + &w, &Array::zeros(&[2])).unwrap();
    assert_eq!(p.consts.len(), 1);
}

#[test]
fn values_of_an_outer_trace_are_captured_by_the_inner_program() {
    let outer = make_program(
        |x: &Array| {
            let y = x.exp();
            let inner = make_program(|z: &Array| z * &y, &Array::zeros(&[2])).unwrap();
            // The inner program closes over `y`, a value of the outer trace.
            assert_eq!(inner.consts.len(), 1);
            assert!(inner.consts[0].is_traced());
            assert_eq!(inner.invars.len(), 1);
            // Replaying it inside the outer trace records its equations there.
            inner.call(std::slice::from_ref(x)).unwrap().remove(0)
        },
        &Array::zeros(&[2]),
    )
    .unwrap();
    outer.verify().unwrap();
    assert_eq!(outer.count_primitive("exp"), 1);
    assert_eq!(outer.count_primitive("mul"), 1);
    let out = outer.call(&[v(&[0.0, 1.0])]).unwrap();
    let got = out[0].to_vec::<f32>().unwrap();
    assert_eq!(got[0], 0.0);
    assert!((got[1] - std::f32::consts::E).abs() < 1e-6);
}

#[test]
fn ops_on_outer_values_only_are_recorded_in_the_outer_trace() {
    let outer = make_program(
        |x: &Array| {
            let inner = make_program(|z: &Array| z + &x.sin(), &Array::zeros(&[2])).unwrap();
            // `x.sin()` involves only the outer trace: it is recorded there and captured.
            assert_eq!(inner.equations.len(), 1);
            inner.call(std::slice::from_ref(x)).unwrap().remove(0)
        },
        &Array::zeros(&[2]),
    )
    .unwrap();
    assert_eq!(outer.count_primitive("sin"), 1);
    assert_eq!(outer.count_primitive("add"), 1);
}

#[test]
fn a_traced_value_used_after_its_trace_ends_is_an_error() {
    let mut leaked = None;
    make_program(
        |x: &Array| {
            leaked = Some(x.clone());
            x.clone()
        },
        &Array::zeros(&[2]),
    )
    .unwrap();
    let leaked = leaked.unwrap();
    let err = (&leaked + 1.0).check().unwrap_err();
    assert!(err.message().contains("escaped the transform"), "{err}");
    let err = leaked.to_vec::<f32>().unwrap_err();
    assert!(err.message().contains("traced f32[2]"), "{err}");
}

#[test]
fn reading_values_inside_a_trace_is_an_error() {
    make_program(
        |x: &Array| {
            let err = x.item::<f32>().unwrap_err();
            assert_eq!(err.op(), "item");
            assert!(
                err.message()
                    .contains("cannot read the values of a traced f32[]")
            );
            x.clone()
        },
        &Array::scalar(1.0f32),
    )
    .unwrap();
}

#[test]
fn errors_while_tracing_are_returned() {
    let err = make_program(|x: &Array| x + Array::zeros(&[3]), &Array::zeros(&[2])).unwrap_err();
    assert_eq!(err.op(), "add");
    assert_eq!(err.message(), "cannot broadcast shapes [2] and [3]");
    assert_eq!(err.location().unwrap().file(), file!());
}

#[test]
fn a_panic_inside_a_trace_leaves_no_trace_behind() {
    let r = std::panic::catch_unwind(|| {
        make_program(
            |_: &Array| -> Array { panic!("user code panicked") },
            &Array::zeros(&[1]),
        )
    });
    assert!(r.is_err());
    // Eager evaluation works again: no trace is left on the stack.
    let y = Array::ones(&[2]) * 3.0;
    assert!(y.is_concrete());
}

#[test]
fn call_checks_its_inputs() {
    let p = make_program(|x: &Array| x * 2.0, &Array::zeros(&[2])).unwrap();
    let err = p.call(&[]).unwrap_err();
    assert_eq!(err.message(), "the program takes 1 inputs, got 0");
    let err = p.call(&[Array::zeros(&[3])]).unwrap_err();
    assert_eq!(err.message(), "input 0 should be f32[2], got f32 [3]");
    let err = p
        .call(&[Array::zeros(&[2]).astype(DType::F64)])
        .unwrap_err();
    assert_eq!(err.message(), "input 0 should be f32[2], got f64 [2]");
}

#[test]
fn programs_of_trees() {
    let args = (
        Array::zeros(&[2]),
        vec![Array::zeros(&[3]), Array::zeros(&[])],
    );
    let p = make_program(
        |(a, rest): &(Array, Vec<Array>)| {
            (a.sum() + rest[0].sum() + &rest[1], [a.clone(), a * 2.0])
        },
        &args,
    )
    .unwrap();
    assert_eq!(p.invars.len(), 3);
    assert_eq!(p.outvars.len(), 3);
    p.verify().unwrap();
}

struct Params {
    loc: Array,
    scale: (Array, Array),
}
impl_tree!(Params { loc, scale });

#[test]
fn trees_flatten_and_rebuild_in_order() {
    let p = Params {
        loc: Array::zeros(&[1]),
        scale: (Array::ones(&[2]), Array::ones(&[3])),
    };
    let shapes: Vec<Vec<usize>> = p.leaves().iter().map(|a| a.shape().to_vec()).collect();
    assert_eq!(shapes, vec![vec![1], vec![2], vec![3]]);
    let q =
        p.rebuild(&mut vec![Array::ones(&[5]), Array::ones(&[6]), Array::ones(&[7])].into_iter());
    assert_eq!(q.loc.shape(), &[5]);
    assert_eq!(q.scale.1.shape(), &[7]);
    // Too few leaves: error leaves, no panic.
    let r = p.rebuild(&mut std::iter::empty());
    assert!(r.loc.check().is_err());
    let arr = [Array::zeros(&[1]), Array::zeros(&[2])];
    assert_eq!(arr.num_leaves(), 2);
    let some: Option<Array> = Some(Array::zeros(&[1]));
    assert_eq!(some.num_leaves(), 1);
    assert_eq!(().num_leaves(), 0);
    // Counted without flattening, the count agrees with the leaves for every kind of tree.
    let none: Option<Array> = None;
    let nested = (
        (Array::zeros(&[1]), vec![Array::ones(&[2]); 3]),
        none,
        [(Array::zeros(&[1]), ()), (Array::zeros(&[1]), ())],
        p,
    );
    assert_eq!(nested.num_leaves(), 9);
    assert_eq!(nested.num_leaves(), nested.leaves().len());
    assert_eq!(nested.arg_leaf_counts(), vec![4, 0, 2, 3]);
}

#[test]
fn verifier_rejects_broken_programs() {
    let mut p = make_program(|x: &Array| x.exp().sum(), &Array::zeros(&[3])).unwrap();
    p.verify().unwrap();
    let mut q = p.clone();
    q.equations.swap(0, 1);
    assert!(q.verify().unwrap_err().contains("before it is defined"));
    p.var_types[p.equations[0].outputs[0].index()] =
        autobatch::ir::ArrayType::new(DType::F32, vec![4]);
    assert!(p.verify().unwrap_err().contains("output should be f32[3]"));
}

#[test]
fn arrays_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Array>();
    let a = Array::ones(&[2]);
    let h = std::thread::spawn(move || a.sum().item::<f32>().unwrap());
    assert_eq!(h.join().unwrap(), 2.0);
}
