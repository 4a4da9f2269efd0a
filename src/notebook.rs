//! The notebook "Autobatching for Bayesian inference" as a library function: Bayesian
//! logistic regression fit by variational inference (ADVI with a mean-field normal
//! family), written exactly as the notebook writes it — a log-joint for ONE `beta`,
//! batched with `vmap`, an ELBO differentiated with `value_and_grad`, all under `jit`.
//!
//! `autobatch demo` runs [`run_vi`]; `examples/vmapped_log_probs.rs` shows the same code
//! cell by cell.

use crate::array::{Array, DType};
use crate::control::{ScanOptions, scan_with};
use crate::datasets::{LogisticRegressionData, logistic_regression};
use crate::error::{Error, Result};
use crate::random;
use crate::transform::{jit, value_and_grad, vmap};
use std::time::Instant;

/// The notebook's settings; `Default` reproduces the notebook.
///
/// ```
/// let c = autobatch::notebook::ViConfig::default();
/// assert_eq!((c.steps, c.batch_size, c.key), (1000, 128, 10003));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ViConfig {
    /// Optimization steps.
    pub steps: usize,
    /// Monte Carlo samples of `beta` per step.
    pub batch_size: usize,
    /// SGD step size (rounded to f32 as in the notebook).
    pub step_size: f64,
    /// Seed of NumPy's generator for the data set.
    pub data_seed: u32,
    /// Data points.
    pub num_points: usize,
    /// Features (the dimension of `beta`).
    pub num_features: usize,
    /// Scale of the normal prior on each coefficient.
    pub prior_scale: f64,
    /// Seed of the PRNG key for the Monte Carlo draws.
    pub key: i64,
}

impl Default for ViConfig {
    fn default() -> Self {
        ViConfig {
            steps: 1000,
            batch_size: 128,
            step_size: 0.01,
            data_seed: 10009,
            num_points: 100,
            num_features: 10,
            prior_scale: 10.0,
            key: 10003,
        }
    }
}

/// What a run produced.
///
/// ```
/// use autobatch::notebook::{run_vi, ViConfig};
/// let run = run_vi(&ViConfig { steps: 3, ..ViConfig::default() }, |_, _| {}).unwrap();
/// assert_eq!(run.elbo.len(), 3);
/// ```
#[derive(Clone, Debug)]
pub struct ViRun {
    /// The data set.
    pub data: LogisticRegressionData,
    /// The ELBO at every step, before that step's update.
    pub elbo: Vec<f32>,
    /// The final posterior means.
    pub beta_loc: Array,
    /// The final posterior log standard deviations.
    pub beta_log_scale: Array,
    /// Seconds the first step took beyond a typical step (tracing and compiling).
    pub compile_s: f64,
    /// Seconds the timed steps took (all steps after the first for [`run_vi`]; every
    /// step, in a second call, for [`run_vi_scan`]).
    pub steps_s: f64,
    /// How many steps `steps_s` covers.
    pub timed_steps: usize,
}

impl ViRun {
    /// Microseconds per step after the first.
    ///
    /// ```
    /// use autobatch::notebook::{run_vi, ViConfig};
    /// let run = run_vi(&ViConfig { steps: 2, ..ViConfig::default() }, |_, _| {}).unwrap();
    /// assert!(run.per_step_us() > 0.0);
    /// ```
    pub fn per_step_us(&self) -> f64 {
        self.steps_s / self.timed_steps.max(1) as f64 * 1e6
    }
}

/// `log N(x; 0, scale)` elementwise, as `jax.scipy.stats.norm.logpdf(x, 0, scale)`.
///
/// ```
/// use autobatch::{notebook::norm_logpdf, Array};
/// let v = norm_logpdf(&Array::scalar(0.0f64), 1.0).item::<f64>().unwrap();
/// assert!((v + 0.9189385332046727).abs() < 1e-15);
/// ```
pub fn norm_logpdf(x: &Array, scale: f64) -> Array {
    let z = x / scale;
    -0.5 * &z * &z - (scale.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln())
}

/// The notebook's log-joint, written for ONE `beta` (no axis arguments): a normal prior
/// with `prior_scale` on each coefficient plus the logistic-regression likelihood.
///
/// ```
/// use autobatch::{datasets::logistic_regression, notebook::log_joint, Array};
/// let (data, _) = logistic_regression(10009, 100, 10).unwrap();
/// let lj = log_joint(&data, 1.0);
/// assert!((lj(&Array::zeros(&[10])).item::<f32>().unwrap() + 78.50413).abs() < 1e-3);
/// assert!(lj(&Array::zeros(&[3, 10])).check().is_err()); // not written for a batch
/// ```
pub fn log_joint(data: &LogisticRegressionData, prior_scale: f64) -> impl Fn(&Array) -> Array + '_ {
    move |beta: &Array| {
        norm_logpdf(beta, prior_scale).sum()
            + (-(1.0 + (-(2 * &data.y - 1) * data.all_x.dot(beta)).exp()).log()).sum()
    }
}

/// The notebook's hand-batched log-joint for a `[batch, features]` array of betas: every
/// `sum` needs an axis, and the transposes are by hand.
///
/// ```
/// use autobatch::{datasets::logistic_regression, notebook::batched_log_joint, Array};
/// let (data, _) = logistic_regression(10009, 100, 10).unwrap();
/// assert_eq!(batched_log_joint(&data, 1.0)(&Array::zeros(&[3, 10])).shape(), &[3]);
/// ```
pub fn batched_log_joint(
    data: &LogisticRegressionData,
    prior_scale: f64,
) -> impl Fn(&Array) -> Array + '_ {
    move |beta: &Array| {
        norm_logpdf(beta, prior_scale).sum_axis(-1)
            + (-(1.0 + (-(2 * &data.y - 1) * data.all_x.dot(&beta.t()).t()).exp()).log())
                .sum_axis(-1)
    }
}

/// The ELBO of a mean-field normal family `N(beta_loc, exp(beta_log_scale)^2)`, estimated
/// with the standard-normal draws `epsilon` (`[samples, features]`), given a batched
/// log-joint.
///
/// ```
/// use autobatch::{datasets::logistic_regression, notebook::{elbo, log_joint}, vmap, Array};
/// let (data, _) = logistic_regression(10009, 100, 10).unwrap();
/// let f = elbo(vmap(log_joint(&data, 10.0)));
/// let params = (Array::zeros(&[10]), Array::zeros(&[10]));
/// assert_eq!(f(&params, &Array::zeros(&[4, 10])).unwrap().shape(), &[] as &[usize]);
/// ```
pub fn elbo<'a>(
    batched_log_joint: impl Fn(&Array) -> Result<Array> + 'a,
) -> impl Fn(&(Array, Array), &Array) -> Result<Array> + 'a {
    move |(beta_loc, beta_log_scale): &(Array, Array), epsilon: &Array| {
        let beta_sample = beta_loc + beta_log_scale.exp() * epsilon;
        batched_log_joint(&beta_sample).map(|lj| {
            lj.mean_axis(0) + (beta_log_scale - 0.5 * (2.0 * std::f64::consts::PI).ln()).sum()
        })
    }
}

/// The notebook's quasi-stateful sampler: split the key, draw `[samples, features]`
/// standard normals with the sub-key; returns `(new_key, draws)`.
///
/// ```
/// use autobatch::{notebook::normal_sample, random};
/// let (key, eps) = normal_sample(128, 10)(&random::key(10003));
/// assert_eq!(eps.shape(), &[128, 10]);
/// # let _ = key;
/// ```
pub fn normal_sample(samples: usize, features: usize) -> impl Fn(&Array) -> (Array, Array) {
    move |key: &Array| {
        let (new_key, sub_key) = random::split2(key);
        (
            new_key,
            random::normal(&sub_key, &[samples, features], DType::F32),
        )
    }
}

/// Runs the notebook's variational inference, calling `on_step(i, elbo_i)` after each step.
///
/// ```
/// use autobatch::notebook::{run_vi, ViConfig};
/// let run = run_vi(&ViConfig { steps: 5, ..ViConfig::default() }, |_, _| {}).unwrap();
/// assert!((run.elbo[0] + 175.56161).abs() < 5e-4); // JAX's first ELBO
/// ```
pub fn run_vi(config: &ViConfig, mut on_step: impl FnMut(usize, f32)) -> Result<ViRun> {
    check_sizes(config, "run_vi")?;
    let (data, _) = logistic_regression(config.data_seed, config.num_points, config.num_features)?;
    let d = config.num_features;
    let batched_log_joint = jit(vmap(log_joint(&data, config.prior_scale)));
    let elbo_val_and_grad = jit(value_and_grad(elbo(batched_log_joint)));
    let normal_sample = jit(normal_sample(config.batch_size, d));

    let mut key = random::key(config.key);
    let mut params = (Array::zeros(&[d]), Array::zeros(&[d]));
    let timed = timed_loop(config.steps, |i| {
        let (new_key, epsilon) = normal_sample(&key)?;
        key = new_key;
        let (elbo_val, (g_loc, g_log_scale)) = elbo_val_and_grad(&params, &epsilon)?;
        params = (
            &params.0 + config.step_size * g_loc,
            &params.1 + config.step_size * g_log_scale,
        );
        let value = elbo_val.item::<f32>()?;
        on_step(i, value);
        Ok(value)
    })?;
    timed.into_run(&data, params.0, params.1)
}

/// The ELBOs of a loop of steps and its timing: the first step (which traces and
/// compiles) apart from the others.
struct TimedLoop {
    elbo: Vec<f32>,
    first_step_s: f64,
    steps_s: f64,
}

/// Runs `step(i)` (which gives step `i`'s ELBO) for each of `steps` steps, timing the
/// first apart from the rest.
fn timed_loop(steps: usize, mut step: impl FnMut(usize) -> Result<f32>) -> Result<TimedLoop> {
    let mut elbo = Vec::with_capacity(steps);
    let mut first_step_s = 0.0;
    let start = Instant::now();
    let mut after_first = start;
    for i in 0..steps {
        elbo.push(step(i)?);
        if i == 0 {
            first_step_s = start.elapsed().as_secs_f64();
            after_first = Instant::now();
        }
    }
    Ok(TimedLoop {
        elbo,
        first_step_s,
        steps_s: after_first.elapsed().as_secs_f64(),
    })
}

impl TimedLoop {
    /// The run: `compile_s` is the first step's time beyond a typical step's.
    fn into_run(
        self,
        data: &LogisticRegressionData,
        beta_loc: Array,
        beta_log_scale: Array,
    ) -> Result<ViRun> {
        let timed_steps = self.elbo.len().saturating_sub(1);
        let typical = self.steps_s / timed_steps.max(1) as f64;
        Ok(ViRun {
            data: data.clone(),
            elbo: self.elbo,
            beta_loc: beta_loc.check()?,
            beta_log_scale: beta_log_scale.check()?,
            compile_s: (self.first_step_s - typical).max(0.0),
            steps_s: self.steps_s,
            timed_steps,
        })
    }
}

/// The state [`vi_step`] carries from step to step: `(key, beta_loc, beta_log_scale)`.
///
/// ```
/// use autobatch::{notebook::ViState, random, Array};
/// let start: ViState = (random::key(10003), Array::zeros(&[10]), Array::zeros(&[10]));
/// assert_eq!(start.1.shape(), &[10]);
/// ```
pub type ViState = (Array, Array, Array);

/// The notebook's whole step as one function of `(key, beta_loc, beta_log_scale)`: split
/// the key, draw the normals, evaluate the ELBO and its gradient, update the parameters;
/// returns the next state and the ELBO. [`run_vi_jitted_step`] jits it, [`run_vi_scan`]
/// scans it.
///
/// ```
/// use autobatch::{datasets::logistic_regression, notebook::{vi_step, ViConfig}, random, Array};
/// let config = ViConfig::default();
/// let (data, _) = logistic_regression(config.data_seed, 100, 10).unwrap();
/// let step = vi_step(&data, &config);
/// let state = (random::key(config.key), Array::zeros(&[10]), Array::zeros(&[10]));
/// let (_, elbo) = step(&state).unwrap();
/// assert!((elbo.item::<f32>().unwrap() + 175.56161).abs() < 5e-4); // JAX's first ELBO
/// ```
pub fn vi_step<'a>(
    data: &'a LogisticRegressionData,
    config: &ViConfig,
) -> impl Fn(&ViState) -> Result<(ViState, Array)> + 'a {
    let elbo_val_and_grad = value_and_grad(elbo(vmap(log_joint(data, config.prior_scale))));
    let normal_sample = normal_sample(config.batch_size, config.num_features);
    let step_size = config.step_size;
    move |(key, loc, log_scale): &(Array, Array, Array)| {
        let (key, epsilon) = normal_sample(key);
        let params = (loc.clone(), log_scale.clone());
        let (elbo_val, (g_loc, g_log_scale)) = elbo_val_and_grad(&params, &epsilon)?;
        let next = (
            key,
            loc + step_size * g_loc,
            log_scale + step_size * g_log_scale,
        );
        Ok((next, elbo_val))
    }
}

/// Checks a run's sizes (`what` names the caller in the error).
fn check_sizes(config: &ViConfig, what: &str) -> Result<()> {
    if config.batch_size == 0 || config.num_points == 0 || config.num_features == 0 {
        return Err(Error::new(
            what,
            "batch_size, num_points and num_features must be positive",
            None,
        ));
    }
    Ok(())
}

/// [`run_vi`] with the whole step compiled as ONE program ([`vi_step`] under `jit`),
/// called once per step from a Rust loop that reads out each ELBO: the way to write the
/// notebook's loop for speed while keeping a loop of your own. `compile_s` and `steps_s`
/// as for [`run_vi`].
///
/// ```
/// use autobatch::notebook::{run_vi, run_vi_jitted_step, ViConfig};
/// let config = ViConfig { steps: 5, ..ViConfig::default() };
/// let jitted = run_vi_jitted_step(&config).unwrap();
/// let stepped = run_vi(&config, |_, _| {}).unwrap();
/// assert!((jitted.elbo[4] - stepped.elbo[4]).abs() < 1e-3);
/// ```
pub fn run_vi_jitted_step(config: &ViConfig) -> Result<ViRun> {
    check_sizes(config, "run_vi_jitted_step")?;
    let (data, _) = logistic_regression(config.data_seed, config.num_points, config.num_features)?;
    let d = config.num_features;
    let step = jit(vi_step(&data, config));
    let mut state = (
        random::key(config.key),
        Array::zeros(&[d]),
        Array::zeros(&[d]),
    );
    let timed = timed_loop(config.steps, |_| {
        let (next, elbo_val) = step(&state)?;
        state = next;
        elbo_val.item::<f32>()
    })?;
    let (_, beta_loc, beta_log_scale) = state;
    timed.into_run(&data, beta_loc, beta_log_scale)
}

/// [`run_vi`] with the whole optimization loop compiled as ONE program: a jitted `scan`
/// of [`vi_step`] over the steps (like a `lax.fori_loop` over the notebook's step). The
/// ELBO of every step comes out stacked. `compile_s` is the first call's extra time;
/// `steps_s` is the fastest of three later calls, which run the compiled loop only.
///
/// ```
/// use autobatch::notebook::{run_vi, run_vi_scan, ViConfig};
/// let config = ViConfig { steps: 5, ..ViConfig::default() };
/// let looped = run_vi_scan(&config).unwrap();
/// let stepped = run_vi(&config, |_, _| {}).unwrap();
/// assert_eq!(looped.elbo.len(), 5);
/// assert!((looped.elbo[4] - stepped.elbo[4]).abs() < 1e-3);
/// ```
pub fn run_vi_scan(config: &ViConfig) -> Result<ViRun> {
    check_sizes(config, "run_vi_scan")?;
    let (data, _) = logistic_regression(config.data_seed, config.num_points, config.num_features)?;
    let d = config.num_features;
    let step = vi_step(&data, config);
    let steps = ScanOptions::new().length(config.steps);
    let train =
        jit(|init: &(Array, Array, Array)| scan_with(|s, _: &()| step(s), init, &(), steps));
    let init = (
        random::key(config.key),
        Array::zeros(&[d]),
        Array::zeros(&[d]),
    );
    let start = Instant::now();
    train(&init)?.1.block_until_ready()?;
    let first_s = start.elapsed().as_secs_f64();
    // The fastest of three more calls: the first call's extra time is then not lost in
    // the noise of one run of the loop (a millisecond or so either way).
    let mut steps_s = f64::INFINITY;
    let mut last = None;
    for _ in 0..3 {
        let start = Instant::now();
        let out = train(&init)?;
        out.1.block_until_ready()?;
        steps_s = steps_s.min(start.elapsed().as_secs_f64());
        last = Some(out);
    }
    let ((_, beta_loc, beta_log_scale), elbos) = last.expect("the loop above runs three times");
    Ok(ViRun {
        data: data.clone(),
        elbo: elbos.to_vec::<f32>()?,
        beta_loc: beta_loc.check()?,
        beta_log_scale: beta_log_scale.check()?,
        compile_s: (first_s - steps_s).max(0.0),
        steps_s,
        timed_steps: config.steps,
    })
}
