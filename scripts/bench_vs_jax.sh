#!/usr/bin/env bash
# Times the notebook's VI step in autobatch and in JAX, in the same run, and prints the
# per-step times and their ratios.
#
#   scripts/bench_vs_jax.sh [--steps N] [--batch-size B] [--num-points N]
#                           [--num-features D] [--step-size S] [--python PATH]
#
# The defaults are the notebook's sizes; the large case of BENCHMARKS.md is
#   scripts/bench_vs_jax.sh --steps 20 --num-points 100000 --num-features 100 --step-size 1e-5
#
# Without --python, creates .venv/ in the repository and installs jax[cpu], numpy and
# scipy from PyPI into it (once).
set -euo pipefail
cd "$(dirname "$0")/.."
python=""
size=()
while [ $# -gt 0 ]; do
  case "$1" in
    --steps|--batch-size|--num-points|--num-features|--step-size)
      [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
      size+=("$1" "$2"); shift 2 ;;
    --python) python="$2"; shift 2 ;;
    *) echo "usage: $0 [--steps N] [--batch-size B] [--num-points N] [--num-features D] [--step-size S] [--python PATH]" >&2; exit 2 ;;
  esac
done
if [ -z "$python" ]; then
  if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet "jax[cpu]" numpy scipy
  fi
  python=.venv/bin/python
fi
cargo build --release --quiet
# Read the binary once, so that its first call is timed as tracing, optimizing and
# compiling rather than as reading the program from disk: this machine drops idle
# files from memory, and a cold binary adds about 10 ms to the first call (as JAX's
# timings leave out importing jax).
cat target/release/autobatch > /dev/null
ours=$(target/release/autobatch bench "${size[@]}")
jax=$("$python" scripts/jax_notebook_bench.py "${size[@]}")
"$python" - "$ours" "$jax" <<'PY'
import json, sys
ours, jax = json.loads(sys.argv[1]), json.loads(sys.argv[2])
a = ours["per_step_us"]
print(f"notebook VI step (split + normal draw, value_and_grad(elbo), update), {ours['steps']} steps,")
print(f"  {ours['num_points']} points, {ours['num_features']} features, batch {ours['batch_size']}")
print(f"  autobatch first call (trace + optimize + compile + one step): {ours['compile_s'] * 1e3:.2f} ms")
print("the notebook's loop (jitted sampler, jitted value_and_grad(elbo), eager update):")
print(f"  autobatch                   {a:8.1f} us/step")
print(f"  JAX {jax['jax_version']} notebook loop     {jax['loop_per_step_us']:8.1f} us/step   autobatch/JAX = {a / jax['loop_per_step_us']:.3f}")
print(f"  JAX {jax['jax_version']} lax.fori_loop     {jax['fori_loop_per_step_us']:8.1f} us/step   autobatch/JAX = {a / jax['fori_loop_per_step_us']:.3f}")
j = ours["jitted_step_per_step_us"]
print("the step as one jitted function, called from a Rust loop:")
print(f"  autobatch jit(step)         {j:8.1f} us/step")
print(f"  JAX {jax['jax_version']} notebook loop     {jax['loop_per_step_us']:8.1f} us/step   autobatch/JAX = {j / jax['loop_per_step_us']:.3f}")
print(f"  JAX {jax['jax_version']} lax.fori_loop     {jax['fori_loop_per_step_us']:8.1f} us/step   autobatch/JAX = {j / jax['fori_loop_per_step_us']:.3f}")
s = ours["scan_per_step_us"]
print(f"the whole loop as one compiled loop (first call: {ours['scan_compile_s'] * 1e3:.2f} ms):")
print(f"  autobatch jit(scan)         {s:8.1f} us/step")
print(f"  JAX {jax['jax_version']} jit(lax.fori_loop) {jax['fori_loop_per_step_us']:7.1f} us/step   autobatch/JAX = {s / jax['fori_loop_per_step_us']:.3f}")
PY
