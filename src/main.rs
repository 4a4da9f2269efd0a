//! The `autobatch` command line: `autobatch demo` runs the notebook "Autobatching for
//! Bayesian inference" end to end.

use autobatch::notebook::{ViConfig, ViRun, run_vi, run_vi_jitted_step, run_vi_scan};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// JAX's programming model (vmap, grad, jit) for Bayesian inference in Rust.
#[derive(Parser)]
#[command(name = "autobatch", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the notebook "Autobatching for Bayesian inference"
    ///
    /// Bayesian logistic regression fit by variational inference: the log-joint written
    /// for one beta and batched with vmap, the ELBO differentiated with value_and_grad,
    /// all under jit. Prints `step<TAB>elbo` every --print-every steps (a progress bar
    /// on a terminal), the posterior, and the timing, and plots the posterior.
    Demo(DemoArgs),
    /// Time the notebook's VI step (the best of three runs) and print one JSON object
    ///
    /// No plot and no printing per step; `scripts/bench_vs_jax.sh` runs it beside JAX.
    Bench(BenchArgs),
}

/// The size of a run: shared by `demo` and `bench`.
#[derive(clap::Args)]
struct RunSize {
    /// Optimization steps
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "N",
        default_value_t = 1000
    )]
    steps: usize,
    /// Monte Carlo samples of beta per step (positive)
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "B",
        default_value_t = 128
    )]
    batch_size: usize,
    /// SGD step size (finite)
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "S",
        default_value_t = 0.01
    )]
    step_size: f64,
    /// Data points (positive)
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "N",
        default_value_t = 100
    )]
    num_points: usize,
    /// Features, the dimension of beta (positive)
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "D",
        default_value_t = 10
    )]
    num_features: usize,
}

#[derive(clap::Args)]
struct BenchArgs {
    #[command(flatten)]
    size: RunSize,
}

#[derive(clap::Args)]
struct DemoArgs {
    #[command(flatten)]
    size: RunSize,
    /// Seed of NumPy's legacy generator for the data set
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "S",
        default_value_t = 10009
    )]
    data_seed: u32,
    /// Scale of the normal prior on each coefficient (positive)
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "S",
        default_value_t = 10.0
    )]
    prior_scale: f64,
    /// Seed of the PRNG key for the Monte Carlo draws
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "K",
        default_value_t = 10003
    )]
    key: i64,
    /// Print the ELBO every K steps (positive)
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "K",
        default_value_t = 10
    )]
    print_every: usize,
    /// Where to write the plot: a .png or .svg file
    #[arg(
        long,
        allow_negative_numbers = true,
        value_name = "PATH",
        default_value = "posterior.png"
    )]
    out: PathBuf,
    /// Print one JSON object (ELBO per step, final parameters, timing) instead of text
    #[arg(long)]
    json: bool,
}

/// A usage error: one line on stderr, exit code 2.
fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                    ExitCode::from(2)
                } else {
                    ExitCode::SUCCESS
                };
            }
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            eprintln!("{}", first.trim_end());
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Demo(args) => demo(args),
        Command::Bench(args) => bench(args),
    }
}

/// Checks what can be checked before any work: positive sizes, finite numbers, and an
/// output path with a known extension in a writable directory.
fn validate(args: &DemoArgs) -> Result<(), String> {
    for (name, value) in [
        ("--batch-size", args.size.batch_size),
        ("--num-points", args.size.num_points),
        ("--num-features", args.size.num_features),
        ("--print-every", args.print_every),
    ] {
        if value == 0 {
            return Err(format!("invalid value '0' for '{name}': must be positive"));
        }
    }
    if !args.size.step_size.is_finite() {
        return Err(format!(
            "invalid value '{}' for '--step-size': must be finite",
            args.size.step_size
        ));
    }
    if !(args.prior_scale.is_finite() && args.prior_scale > 0.0) {
        return Err(format!(
            "invalid value '{}' for '--prior-scale': must be positive and finite",
            args.prior_scale
        ));
    }
    check_output(&args.out)
}

fn check_output(out: &Path) -> Result<(), String> {
    let ext = out
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if !matches!(ext.as_deref(), Some("png" | "svg")) {
        return Err(format!(
            "invalid value '{}' for '--out': the file must end in .png or .svg",
            out.display()
        ));
    }
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let probe = dir.join(format!(".autobatch-write-check-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(format!(
            "invalid value '{}' for '--out': cannot write in {}: {e}",
            out.display(),
            dir.display()
        )),
    }
}

fn demo(args: DemoArgs) -> ExitCode {
    if let Err(message) = validate(&args) {
        return usage_error(message);
    }
    let config = ViConfig {
        steps: args.size.steps,
        batch_size: args.size.batch_size,
        step_size: args.size.step_size,
        data_seed: args.data_seed,
        num_points: args.size.num_points,
        num_features: args.size.num_features,
        prior_scale: args.prior_scale,
        key: args.key,
    };
    let interactive = !args.json && std::io::stdout().is_terminal();
    let bar = if interactive {
        let bar = ProgressBar::new(args.size.steps as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} steps  ELBO {msg}  [{elapsed_precise}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let print_every = args.print_every;
    let json = args.json;
    let result = run_vi(&config, |i, elbo| {
        if let Some(bar) = &bar {
            bar.set_position(i as u64 + 1);
            bar.set_message(format!("{elbo:.4}"));
            if i % print_every == 0 {
                bar.println(format!("{i}\t{elbo}"));
            }
        } else if !json && i % print_every == 0 {
            println!("{i}\t{elbo}");
        }
    });
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let run = match result {
        Ok(run) => run,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = report(&run, &args) {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn report(run: &ViRun, args: &DemoArgs) -> autobatch::Result<()> {
    let scale = run.beta_log_scale.exp();
    autobatch::plot::posterior_vs_truth(&run.data.true_beta, &run.beta_loc, &scale, &args.out)?;
    if args.json {
        let value = serde_json::json!({
            "elbo": run.elbo,
            "beta_loc": run.beta_loc.to_vec::<f32>()?,
            "beta_log_scale": run.beta_log_scale.to_vec::<f32>()?,
            "true_beta": run.data.true_beta.to_vec::<f32>()?,
            "timing": {
                "compile_s": run.compile_s,
                "steps_s": run.steps_s,
                "per_step_us": run.per_step_us(),
            },
        });
        println!("{value}");
    } else {
        println!("posterior means:       {}", run.beta_loc);
        println!("posterior std devs:    {scale}");
        println!("true beta:             {}", run.data.true_beta);
        println!(
            "compile {:.3} s, {} steps in {:.3} s ({:.1} us per step); plot written to {}",
            run.compile_s,
            run.elbo.len().saturating_sub(1),
            run.steps_s,
            run.per_step_us(),
            args.out.display()
        );
    }
    Ok(())
}

/// How many times `bench` runs the loop (it reports the fastest, as the JAX script does).
const BENCH_REPEATS: usize = 3;

/// A way to run the notebook's loop (`run_vi`, `run_vi_jitted_step`, `run_vi_scan`).
type ViRunner = fn(&ViConfig) -> autobatch::Result<ViRun>;

/// The first run's compile time, then the fastest of [`BENCH_REPEATS`] runs' time and
/// microseconds per step.
fn best_of(config: &ViConfig, run: ViRunner) -> autobatch::Result<(f64, f64, f64)> {
    let mut compile_s = 0.0;
    let mut best = (f64::INFINITY, f64::INFINITY);
    for repeat in 0..BENCH_REPEATS {
        let r = run(config)?;
        if repeat == 0 {
            compile_s = r.compile_s;
        }
        if r.per_step_us() < best.1 {
            best = (r.steps_s, r.per_step_us());
        }
    }
    Ok((compile_s, best.0, best.1))
}

fn bench(args: BenchArgs) -> ExitCode {
    let size = &args.size;
    if size.steps < 2
        || size.batch_size == 0
        || size.num_points == 0
        || size.num_features == 0
        || !size.step_size.is_finite()
    {
        return usage_error(format!(
            "invalid run size: need at least 2 steps, positive sizes and a finite step size, got --steps {} --batch-size {} --num-points {} --num-features {} --step-size {}",
            size.steps, size.batch_size, size.num_points, size.num_features, size.step_size
        ));
    }
    let config = ViConfig {
        steps: size.steps,
        batch_size: size.batch_size,
        step_size: size.step_size,
        num_points: size.num_points,
        num_features: size.num_features,
        ..ViConfig::default()
    };
    // Like the JAX script: the best of `BENCH_REPEATS` runs of each way to run the loop,
    // each after its own first call (the first run's first call is the compile time).
    let ways: [(&str, ViRunner); 3] = [
        ("notebook loop", |c| {
            // The notebook's progress line every tenth step, into a buffer (as the JAX
            // script does), so that both sides run the loop as the notebook writes it.
            let mut progress = String::new();
            run_vi(c, |i, elbo| {
                if i % 10 == 0 {
                    writeln!(progress, "{i}\t{elbo}").expect("writing to a String cannot fail");
                }
            })
        }),
        ("jitted step", run_vi_jitted_step),
        ("scan", run_vi_scan),
    ];
    let mut results = Vec::with_capacity(ways.len());
    for (name, run) in ways {
        match best_of(&config, run) {
            Ok(r) => results.push(r),
            Err(e) => {
                eprintln!("error: {name}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    let [
        (compile_s, steps_s, per_step_us),
        (jitted_compile_s, jitted_steps_s, jitted_per_step_us),
        (scan_compile_s, scan_steps_s, scan_per_step_us),
    ] = results[..]
    else {
        unreachable!("one result per way to run the loop");
    };
    let value = serde_json::json!({
        "steps": size.steps,
        "batch_size": size.batch_size,
        "num_points": size.num_points,
        "num_features": size.num_features,
        "compile_s": compile_s,
        "steps_s": steps_s,
        "per_step_us": per_step_us,
        "jitted_step_compile_s": jitted_compile_s,
        "jitted_step_steps_s": jitted_steps_s,
        "jitted_step_per_step_us": jitted_per_step_us,
        "scan_compile_s": scan_compile_s,
        "scan_steps_s": scan_steps_s,
        "scan_per_step_us": scan_per_step_us,
    });
    println!("{value}");
    ExitCode::SUCCESS
}
