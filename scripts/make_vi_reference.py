"""Writes a JAX reference run of the notebook's VI with non-default options, for
tests/data/vi_alt_config.json. Usage: python scripts/make_vi_reference.py OUT.json"""

import json
import sys

import numpy as np
import scipy.special
import jax
import jax.numpy as jnp
import jax.scipy as jsp
from jax import random

CONFIG = dict(steps=300, batch_size=64, step_size=0.02, data_seed=42, num_points=60,
              num_features=4, prior_scale=3.0, key=7)


def run(steps, batch_size, step_size, data_seed, num_points, num_features, prior_scale, key):
    np.random.seed(data_seed)
    true_beta = np.random.randn(num_features).astype(jnp.float32)
    all_x = np.random.randn(num_points, num_features).astype(jnp.float32)
    y = (np.random.rand(num_points) < scipy.special.expit(all_x.dot(true_beta))).astype(jnp.int32)

    def log_joint(beta):
        result = 0.0
        result = result + jnp.sum(jsp.stats.norm.logpdf(beta, loc=0.0, scale=prior_scale))
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
    k = random.key(key)
    beta_loc = jnp.zeros(num_features, jnp.float32)
    beta_log_scale = jnp.zeros(num_features, jnp.float32)
    elbos = []
    for _ in range(steps):
        k, epsilon = normal_sample(k, (batch_size, num_features))
        elbo_val, (g_loc, g_scale) = elbo_val_and_grad(beta_loc, beta_log_scale, epsilon)
        beta_loc += step_size * g_loc
        beta_log_scale += step_size * g_scale
        elbos.append(float(elbo_val))
    return dict(config=CONFIG, jax_version=jax.__version__, true_beta=[float(v) for v in true_beta],
                elbo=elbos, beta_loc=[float(v) for v in beta_loc],
                beta_log_scale=[float(v) for v in beta_log_scale])


if __name__ == "__main__":
    with open(sys.argv[1], "w") as f:
        json.dump(run(**CONFIG), f)
