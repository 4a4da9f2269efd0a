//! The verifier: a program is well formed and every equation is well typed.

use super::program::{Program, Var};
use super::shape_rules::output_types;

impl Program {
    /// Checks that every variable is defined exactly once before it is used, constants
    /// match their variables' types, and each equation's output types follow from its
    /// inputs by the primitive's shape rule.
    ///
    /// ```
    /// use autobatch::{make_program, Array};
    /// let p = make_program(|x: &Array| x.exp().sum(), &Array::zeros(&[3])).unwrap();
    /// assert!(p.verify().is_ok());
    /// ```
    pub fn verify(&self) -> Result<(), String> {
        let n = self.var_types.len();
        let mut defined = vec![false; n];
        let define = |v: Var, defined: &mut Vec<bool>| -> Result<(), String> {
            match defined.get_mut(v.index()) {
                None => Err(format!("variable {} has no type", v.0)),
                Some(true) => Err(format!("variable {} is defined twice", v.0)),
                Some(slot) => {
                    *slot = true;
                    Ok(())
                }
            }
        };
        if self.constvars.len() != self.consts.len() {
            return Err("constvars and consts differ in number".into());
        }
        for (v, c) in self.constvars.iter().zip(&self.consts) {
            define(*v, &mut defined)?;
            if c.array_type() != *self.var_type(*v) {
                return Err(format!(
                    "constant {} has type {} but its variable {}",
                    v.0,
                    c.array_type(),
                    self.var_type(*v)
                ));
            }
        }
        for v in &self.invars {
            define(*v, &mut defined)?;
        }
        for (k, eq) in self.equations.iter().enumerate() {
            if let Some(v) = eq
                .inputs
                .iter()
                .find(|v| !defined.get(v.index()).copied().unwrap_or(false))
            {
                return Err(format!(
                    "equation {k} uses variable {} before it is defined",
                    v.0
                ));
            }
            let ins: Vec<_> = eq.inputs.iter().map(|&v| self.var_type(v)).collect();
            let outs = output_types(&eq.primitive, &ins)
                .map_err(|e| format!("equation {k} ({}): {e}", eq.primitive.name()))?;
            if outs.len() != eq.outputs.len() {
                return Err(format!("equation {k} has the wrong number of outputs"));
            }
            for (o, t) in eq.outputs.iter().zip(&outs) {
                define(*o, &mut defined)?;
                if self.var_type(*o) != t {
                    return Err(format!(
                        "equation {k} ({}) output should be {t}, is {}",
                        eq.primitive.name(),
                        self.var_type(*o)
                    ));
                }
            }
        }
        if let Some(v) = self
            .outvars
            .iter()
            .find(|v| !defined.get(v.index()).copied().unwrap_or(false))
        {
            return Err(format!("output variable {} is never defined", v.0));
        }
        Ok(())
    }
}
