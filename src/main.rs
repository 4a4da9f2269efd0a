//! The `autobatch` command line.

use autobatch::datasets::logistic_regression;
use autobatch::{Array, DType, Result, make_program};
use std::process::ExitCode;

const HELP: &str = "\
autobatch — JAX's programming model for Bayesian inference in Rust

Usage: autobatch <COMMAND>

Commands:
  demo    Run the notebook \"Autobatching for Bayesian inference\"
  help    Print this help

Options:
  -h, --help  Print this help";

const DEMO_HELP: &str = "\
Run the notebook \"Autobatching for Bayesian inference\": builds its data set
(NumPy's legacy generator, seed 10009, 100 points, 10 features), evaluates the
log-joint written for one beta, shows the error it gives on a batch, the
hand-batched version, and the traced program.

Usage: autobatch demo

Options:
  -h, --help  Print this help";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] | ["-h" | "--help" | "help"] => {
            println!("{HELP}");
            ExitCode::SUCCESS
        }
        ["demo", "-h" | "--help"] => {
            println!("{DEMO_HELP}");
            ExitCode::SUCCESS
        }
        ["demo"] => match demo() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        ["demo", other, ..] => {
            eprintln!(
                "error: unexpected argument '{other}' for 'demo' (see 'autobatch demo --help')"
            );
            ExitCode::from(2)
        }
        [other, ..] => {
            eprintln!("error: unknown command '{other}' (see 'autobatch --help')");
            ExitCode::from(2)
        }
    }
}

/// `log N(x; 0, scale)` elementwise.
fn normal_logpdf(x: &Array, scale: f64) -> Array {
    let z = x / scale;
    -0.5 * &z * &z - (scale.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln())
}

fn demo() -> Result<()> {
    println!("## Generate a fake binary classification dataset");
    let (data, mut np) = logistic_regression(10009, 100, 10)?;
    let (y, all_x) = (&data.y, &data.all_x);
    println!("y = {y}\n");

    println!("## Non-batched log-joint, written for ONE beta");
    let log_joint = |beta: &Array| {
        normal_logpdf(beta, 1.0).sum()
            + (-(1.0 + (-(2 * y - 1) * all_x.dot(beta)).exp()).log()).sum()
    };
    let test_beta = np.randn(&[10])?.astype(DType::F32);
    println!("log_joint(test_beta) = {}\n", log_joint(&test_beta));

    println!("## This doesn't work: log_joint was not written for a batch");
    let _ = np.randn(&[10, 10])?;
    if let Err(e) = log_joint(&np.randn(&[10, 10])?.astype(DType::F32)).check() {
        println!("Caught expected error: {e}\n");
    }

    println!("## Manually batched: axes and transposes by hand");
    let batched_log_joint = |beta: &Array| {
        normal_logpdf(beta, 1.0).sum_axis(-1)
            + (-(1.0 + (-(2 * y - 1) * all_x.dot(&beta.t()).t()).exp()).log()).sum_axis(-1)
    };
    let batched_test_beta = np.randn(&[10, 10])?.astype(DType::F32);
    println!(
        "batched_log_joint(batched_test_beta) =\n{}\n",
        batched_log_joint(&batched_test_beta)
    );

    println!("## The traced log-joint (like jax.make_jaxpr)");
    println!("{}", make_program(log_joint, &Array::zeros(&[10]))?);
    Ok(())
}
