//! `Tree`: values made of arrays (pytrees), flattened to leaves and rebuilt.

use crate::array::Array;

/// A value made of arrays — an `Array`, a tuple, a `Vec`, an array `[T; N]`, or a user
/// struct — that transforms can flatten into its leaves and rebuild from new leaves.
///
/// Transforms take and return Trees, so a function of a tuple of parameters gets its
/// gradients as the same tuple.
///
/// ```
/// use autobatch::{Array, Tree};
/// let params = (Array::zeros(&[2]), vec![Array::ones(&[3]), Array::ones(&[1])]);
/// let leaves = params.leaves();
/// assert_eq!(leaves.len(), 3);
/// let doubled: Vec<Array> = leaves.iter().map(|a| a * 2.0).collect();
/// let rebuilt = params.rebuild(&mut doubled.into_iter());
/// assert_eq!(rebuilt.1[0].to_vec::<f32>().unwrap(), vec![2.0; 3]);
/// ```
///
/// For a struct of your own, list its fields with [`impl_tree!`](crate::impl_tree), or
/// implement the two methods by hand, visiting the fields in one fixed order:
///
/// ```
/// use autobatch::{Array, Tree};
/// struct Params { loc: Array, log_scale: Array }
/// impl Tree for Params {
///     fn flatten_into(&self, leaves: &mut Vec<Array>) {
///         self.loc.flatten_into(leaves);
///         self.log_scale.flatten_into(leaves);
///     }
///     fn rebuild(&self, leaves: &mut dyn Iterator<Item = Array>) -> Self {
///         Params { loc: self.loc.rebuild(leaves), log_scale: self.log_scale.rebuild(leaves) }
///     }
/// }
/// let p = Params { loc: Array::zeros(&[2]), log_scale: Array::zeros(&[2]) };
/// assert_eq!(p.leaves().len(), 2);
/// ```
pub trait Tree: Sized {
    /// Appends the leaves, in a fixed order, to `leaves`.
    fn flatten_into(&self, leaves: &mut Vec<Array>);

    /// A value with `self`'s structure whose leaves are taken, in order, from `leaves`.
    /// A leaf missing from `leaves` becomes an error array (never a panic).
    fn rebuild(&self, leaves: &mut dyn Iterator<Item = Array>) -> Self;

    /// The leaves in order.
    ///
    /// ```
    /// use autobatch::{Array, Tree};
    /// assert_eq!((Array::zeros(&[1]), Array::zeros(&[2])).leaves()[1].shape(), &[2]);
    /// ```
    fn leaves(&self) -> Vec<Array> {
        let mut v = Vec::new();
        self.flatten_into(&mut v);
        v
    }

    /// How many leaves each top-level argument holds: one entry per element for a tuple
    /// (the way several arguments are passed), one entry for anything else. Transforms
    /// use it to apply per-argument options such as `vmap`'s `in_axes`.
    ///
    /// ```
    /// use autobatch::{Array, Tree};
    /// let args = (Array::zeros(&[1]), vec![Array::zeros(&[1]); 3]);
    /// assert_eq!(args.arg_leaf_counts(), vec![1, 3]);
    /// assert_eq!(Array::zeros(&[2]).arg_leaf_counts(), vec![1]);
    /// ```
    fn arg_leaf_counts(&self) -> Vec<usize> {
        vec![self.num_leaves()]
    }

    /// How many leaves there are.
    ///
    /// ```
    /// use autobatch::{Array, Tree};
    /// assert_eq!([Array::zeros(&[1]), Array::zeros(&[1])].num_leaves(), 2);
    /// ```
    fn num_leaves(&self) -> usize {
        self.leaves().len()
    }
}

impl Tree for Array {
    fn flatten_into(&self, leaves: &mut Vec<Array>) {
        leaves.push(self.clone());
    }
    fn num_leaves(&self) -> usize {
        1
    }
    fn rebuild(&self, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        leaves.next().unwrap_or_else(|| {
            Array::from_error(crate::Error::new(
                "tree",
                "a tree was rebuilt from too few leaves",
                None,
            ))
        })
    }
}

impl Tree for () {
    fn flatten_into(&self, _: &mut Vec<Array>) {}
    fn num_leaves(&self) -> usize {
        0
    }
    fn rebuild(&self, _: &mut dyn Iterator<Item = Array>) -> Self {}
}

impl<T: Tree> Tree for Vec<T> {
    fn flatten_into(&self, leaves: &mut Vec<Array>) {
        for x in self {
            x.flatten_into(leaves);
        }
    }
    fn num_leaves(&self) -> usize {
        self.iter().map(Tree::num_leaves).sum()
    }
    fn rebuild(&self, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        self.iter().map(|x| x.rebuild(leaves)).collect()
    }
}

impl<T: Tree, const N: usize> Tree for [T; N] {
    fn flatten_into(&self, leaves: &mut Vec<Array>) {
        for x in self {
            x.flatten_into(leaves);
        }
    }
    fn num_leaves(&self) -> usize {
        self.iter().map(Tree::num_leaves).sum()
    }
    fn rebuild(&self, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        std::array::from_fn(|i| self[i].rebuild(leaves))
    }
}

impl<T: Tree> Tree for Option<T> {
    fn flatten_into(&self, leaves: &mut Vec<Array>) {
        if let Some(x) = self {
            x.flatten_into(leaves);
        }
    }
    fn num_leaves(&self) -> usize {
        self.as_ref().map_or(0, Tree::num_leaves)
    }
    fn rebuild(&self, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        self.as_ref().map(|x| x.rebuild(leaves))
    }
}

macro_rules! tuple_tree {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: Tree),+> Tree for ($($name,)+) {
            fn flatten_into(&self, leaves: &mut Vec<Array>) {
                $(self.$idx.flatten_into(leaves);)+
            }
            fn rebuild(&self, leaves: &mut dyn Iterator<Item = Array>) -> Self {
                ($(self.$idx.rebuild(leaves),)+)
            }
            fn num_leaves(&self) -> usize {
                0 $(+ self.$idx.num_leaves())+
            }
            fn arg_leaf_counts(&self) -> Vec<usize> {
                vec![$(self.$idx.num_leaves()),+]
            }
        }
    };
}
tuple_tree!(A 0);
tuple_tree!(A 0, B 1);
tuple_tree!(A 0, B 1, C 2);
tuple_tree!(A 0, B 1, C 2, D 3);
tuple_tree!(A 0, B 1, C 2, D 3, E 4);
tuple_tree!(A 0, B 1, C 2, D 3, E 4, F 5);
tuple_tree!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
tuple_tree!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// Implements [`Tree`] for a struct by listing its fields (each a `Tree`).
///
/// ```
/// use autobatch::{impl_tree, Array, Tree};
/// struct Posterior { loc: Array, log_scale: Array }
/// impl_tree!(Posterior { loc, log_scale });
/// let p = Posterior { loc: Array::zeros(&[3]), log_scale: Array::ones(&[3]) };
/// let q = p.rebuild(&mut p.leaves().into_iter().rev());
/// assert_eq!(q.loc.to_vec::<f32>().unwrap(), vec![1.0; 3]);
/// ```
#[macro_export]
macro_rules! impl_tree {
    ($name:ident { $($field:ident),* $(,)? }) => {
        impl $crate::Tree for $name {
            fn flatten_into(&self, leaves: &mut Vec<$crate::Array>) {
                $($crate::Tree::flatten_into(&self.$field, leaves);)*
            }
            fn rebuild(&self, leaves: &mut dyn Iterator<Item = $crate::Array>) -> Self {
                $name { $($field: $crate::Tree::rebuild(&self.$field, leaves),)* }
            }
        }
    };
}

/// A function result that is a [`Tree`], or a `Result` of one — so transformed functions
/// (which return `Result`) can be transformed again: `vmap(grad(f))`, `grad(vmap(f))`.
///
/// ```
/// use autobatch::{grad, vmap, Array};
/// let f = |x: &Array| (x * x).sum();
/// let per_row = vmap(grad(f))(&Array::ones(&[3, 2])).unwrap();
/// assert_eq!(per_row.shape(), &[3, 2]);
/// ```
pub trait TreeResult {
    /// The Tree inside.
    type Tree: Tree;
    /// The Tree, or the error.
    fn into_tree_result(self) -> crate::Result<Self::Tree>;
}

impl<T: Tree> TreeResult for T {
    type Tree = T;
    fn into_tree_result(self) -> crate::Result<T> {
        Ok(self)
    }
}

impl<T: Tree> TreeResult for crate::Result<T> {
    type Tree = T;
    fn into_tree_result(self) -> crate::Result<T> {
        self
    }
}

/// A traced result that may have failed: an error flattens to one error leaf, which makes
/// the trace that returns it fail with that error.
pub(crate) struct Fallible<T>(pub crate::Result<T>);

impl<T: Tree> Tree for Fallible<T> {
    fn flatten_into(&self, leaves: &mut Vec<Array>) {
        match &self.0 {
            Ok(t) => t.flatten_into(leaves),
            Err(e) => leaves.push(Array::from_error(e.clone())),
        }
    }
    fn num_leaves(&self) -> usize {
        self.0.as_ref().map_or(1, Tree::num_leaves)
    }
    fn rebuild(&self, leaves: &mut dyn Iterator<Item = Array>) -> Self {
        match &self.0 {
            Ok(t) => Fallible(Ok(t.rebuild(leaves))),
            Err(e) => {
                leaves.next();
                Fallible(Err(e.clone()))
            }
        }
    }
    fn arg_leaf_counts(&self) -> Vec<usize> {
        match &self.0 {
            Ok(t) => t.arg_leaf_counts(),
            Err(_) => vec![1],
        }
    }
}
