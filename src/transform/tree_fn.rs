//! Functions of one, two or three Tree arguments, seen uniformly as functions of one
//! tuple of arguments — so every transform is written once and returns a function with
//! the caller's own arity (`value_and_grad(elbo)(&params, &epsilon)`).

use crate::array::Array;
use crate::trace::Tree;

/// A single argument, standing for itself: a one-argument function's options address the
/// argument's own top-level items (a tuple argument's elements act as the arguments).
#[derive(Clone)]
pub struct One<A>(pub A);

impl<A: Tree> Tree for One<A> {
    fn flatten_into(&self, leaves: &mut Vec<Array>) {
        self.0.flatten_into(leaves)
    }
    fn rebuild(&self, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        One(self.0.rebuild(leaves))
    }
    fn arg_leaf_counts(&self) -> Vec<usize> {
        self.0.arg_leaf_counts()
    }
}

/// A Rust function of one, two or three `&Tree` arguments (a closure such as
/// `|x: &Array| ...` or `|params: &(Array, Array), eps: &Array| ...`).
///
/// `M` is the argument list (inferred; users never name it). Transforms take any
/// `TreeFn` and return a boxed function of the same arity.
///
/// ```
/// use autobatch::{grad, Array};
/// // Two arguments: the gradient is taken with respect to the first.
/// let f = |w: &Array, x: &Array| (w * x).sum();
/// let g = grad(f)(&Array::ones(&[2]), &Array::full(&[2], 3.0)).unwrap();
/// assert_eq!(g.to_vec::<f32>().unwrap(), vec![3.0, 3.0]);
/// ```
pub trait TreeFn<'a, M>: 'a {
    /// All arguments as one Tree.
    type Args: Tree + Clone + 'a;
    /// What the function returns.
    type Out;
    /// The first argument (the one derivatives are taken with respect to).
    type First: Tree + Clone + 'a;
    /// A boxed function of the same arity returning `X`.
    type Spread<X: 'a>;

    /// Calls the function on its arguments.
    fn call_args(&self, args: &Self::Args) -> Self::Out;
    /// Splits the arguments into the first and the rest.
    fn first(args: &Self::Args) -> &Self::First;
    /// Replaces the first argument.
    fn with_first(args: &Self::Args, first: Self::First) -> Self::Args;
    /// Turns a function of the argument Tree into one of the same arity as `Self`.
    fn spread<X: 'a>(g: impl Fn(&Self::Args) -> X + 'a) -> Self::Spread<X>;
}

impl<'a, F, A, R> TreeFn<'a, (A,)> for F
where
    F: Fn(&A) -> R + 'a,
    A: Tree + Clone + 'a,
{
    type Args = One<A>;
    type Out = R;
    type First = A;
    type Spread<X: 'a> = Box<dyn Fn(&A) -> X + 'a>;

    fn call_args(&self, args: &One<A>) -> R {
        self(&args.0)
    }
    fn first(args: &One<A>) -> &A {
        &args.0
    }
    fn with_first(_: &One<A>, first: A) -> One<A> {
        One(first)
    }
    fn spread<X: 'a>(g: impl Fn(&One<A>) -> X + 'a) -> Self::Spread<X> {
        Box::new(move |a: &A| g(&One(a.clone())))
    }
}

impl<'a, F, A, B, R> TreeFn<'a, (A, B)> for F
where
    F: Fn(&A, &B) -> R + 'a,
    A: Tree + Clone + 'a,
    B: Tree + Clone + 'a,
{
    type Args = (A, B);
    type Out = R;
    type First = A;
    type Spread<X: 'a> = Box<dyn Fn(&A, &B) -> X + 'a>;

    fn call_args(&self, args: &(A, B)) -> R {
        self(&args.0, &args.1)
    }
    fn first(args: &(A, B)) -> &A {
        &args.0
    }
    fn with_first(args: &(A, B), first: A) -> (A, B) {
        (first, args.1.clone())
    }
    fn spread<X: 'a>(g: impl Fn(&(A, B)) -> X + 'a) -> Self::Spread<X> {
        Box::new(move |a: &A, b: &B| g(&(a.clone(), b.clone())))
    }
}

impl<'a, F, A, B, C, R> TreeFn<'a, (A, B, C)> for F
where
    F: Fn(&A, &B, &C) -> R + 'a,
    A: Tree + Clone + 'a,
    B: Tree + Clone + 'a,
    C: Tree + Clone + 'a,
{
    type Args = (A, B, C);
    type Out = R;
    type First = A;
    type Spread<X: 'a> = Box<dyn Fn(&A, &B, &C) -> X + 'a>;

    fn call_args(&self, args: &(A, B, C)) -> R {
        self(&args.0, &args.1, &args.2)
    }
    fn first(args: &(A, B, C)) -> &A {
        &args.0
    }
    fn with_first(args: &(A, B, C), first: A) -> (A, B, C) {
        (first, args.1.clone(), args.2.clone())
    }
    fn spread<X: 'a>(g: impl Fn(&(A, B, C)) -> X + 'a) -> Self::Spread<X> {
        Box::new(move |a: &A, b: &B, c: &C| g(&(a.clone(), b.clone(), c.clone())))
    }
}
