"""Times the notebook's VI step in JAX, for comparison with autobatch in the same run.

Prints one JSON object: per-step microseconds, after compilation, of
- the notebook's Python loop as the notebook writes it: split + normal draw,
  jit(value_and_grad(elbo)), eager parameter update, and every tenth step the progress
  line `print('{}\t{}'.format(i, elbo_val))` (here printed into a string buffer, so the
  terminal's speed is not timed; formatting the ELBO waits for its value);
- the same loop without the progress line (JAX then never waits inside the loop);
- the whole loop as one `lax.fori_loop`.
Usage:
    python scripts/jax_notebook_bench.py [--steps N] [--batch-size B] [--num-points N]
        [--num-features D] [--step-size S] [--repeats R]
"""

import argparse
import io
import json
import time

import numpy as np
import scipy.special
import jax
import jax.numpy as jnp
import jax.scipy as jsp
from jax import random


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--num-points", type=int, default=100)
    p.add_argument("--num-features", type=int, default=10)
    p.add_argument("--step-size", type=float, default=0.01)
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()

    np.random.seed(10009)
    num_features, num_points = a.num_features, a.num_points
    true_beta = np.random.randn(num_features).astype(jnp.float32)
    all_x = np.random.randn(num_points, num_features).astype(jnp.float32)
    y = (np.random.rand(num_points) < scipy.special.expit(all_x.dot(true_beta))).astype(jnp.int32)

    def log_joint(beta):
        result = 0.0
        result = result + jnp.sum(jsp.stats.norm.logpdf(beta, loc=0.0, scale=10.0))
        result = result + jnp.sum(-jnp.log(1 + jnp.exp(-(2 * y - 1) * jnp.dot(all_x, beta))))
        return result

    batched_log_joint = jax.jit(jax.vmap(log_joint))

    def elbo(beta_loc, beta_log_scale, epsilon):
        beta_sample = beta_loc + jnp.exp(beta_log_scale) * epsilon
        return jnp.mean(batched_log_joint(beta_sample), 0) + jnp.sum(beta_log_scale - 0.5 * np.log(2 * np.pi))

    elbo_val_and_grad = jax.jit(jax.value_and_grad(elbo, argnums=(0, 1)))

    def normal_sample(key, shape):
        new_key, sub_key = random.split(key)
        return new_key, random.normal(sub_key, shape)

    normal_sample = jax.jit(normal_sample, static_argnums=(1,))
    shape = (a.batch_size, num_features)
    step_size = a.step_size

    def python_loop(steps, progress):
        key = random.key(10003)
        beta_loc = jnp.zeros(num_features, jnp.float32)
        beta_log_scale = jnp.zeros(num_features, jnp.float32)
        for i in range(steps):
            key, epsilon = normal_sample(key, shape)
            elbo_val, (g_loc, g_scale) = elbo_val_and_grad(beta_loc, beta_log_scale, epsilon)
            beta_loc += step_size * g_loc
            beta_log_scale += step_size * g_scale
            if progress is not None and i % 10 == 0:
                print('{}\t{}'.format(i, elbo_val), file=progress)
        beta_loc.block_until_ready()
        return beta_loc

    def best_loop(progress):
        best = float("inf")
        for _ in range(a.repeats):
            t = time.perf_counter()
            python_loop(a.steps, progress)
            best = min(best, time.perf_counter() - t)
        return best

    @jax.jit
    def fori(key):
        def body(i, state):
            key, loc, log_scale = state
            key, epsilon = normal_sample(key, shape)
            _, (g_loc, g_scale) = elbo_val_and_grad(loc, log_scale, epsilon)
            return key, loc + step_size * g_loc, log_scale + step_size * g_scale
        zeros = jnp.zeros(num_features, jnp.float32)
        return jax.lax.fori_loop(0, a.steps, body, (key, zeros, zeros))

    python_loop(2, io.StringIO())
    best_notebook_loop = best_loop(io.StringIO())
    best_silent_loop = best_loop(None)
    fori(random.key(10003))[1].block_until_ready()
    best_fori = float("inf")
    for _ in range(a.repeats):
        t = time.perf_counter()
        fori(random.key(10003))[1].block_until_ready()
        best_fori = min(best_fori, time.perf_counter() - t)
    print(json.dumps({
        "jax_version": jax.__version__,
        "loop_per_step_us": best_notebook_loop / a.steps * 1e6,
        "loop_without_progress_per_step_us": best_silent_loop / a.steps * 1e6,
        "fori_loop_per_step_us": best_fori / a.steps * 1e6,
    }))


if __name__ == "__main__":
    main()
