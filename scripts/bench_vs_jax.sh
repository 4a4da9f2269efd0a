#!/usr/bin/env bash
# Times the notebook's VI step in autobatch and in JAX, in the same run, and prints the
# per-step times and their ratios.
#
#   scripts/bench_vs_jax.sh [--steps N] [--batch-size B] [--num-points N]
#                           [--num-features D] [--step-size S] [--rounds R]
#                           [--python PATH]
#
# Each of the R rounds (default 3) times autobatch and then JAX, each in a fresh process
# (each the best of three runs of the loop), so that the two sides of a round meet the
# machine in the same state; every round's ratios are printed, then their medians.
# Both sides run the notebook's loop as the notebook writes it, with its progress line
# (step and ELBO) every tenth step, printed into a buffer; JAX's loop is also timed
# without that line, where it never waits for a result inside the loop.
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
rounds=3
while [ $# -gt 0 ]; do
  case "$1" in
    --steps|--batch-size|--num-points|--num-features|--step-size)
      [ $# -ge 2 ] || { echo "$1 needs a value" >&2; exit 2; }
      size+=("$1" "$2"); shift 2 ;;
    --python) python="$2"; shift 2 ;;
    --rounds)
      [ $# -ge 2 ] && [ "$2" -ge 1 ] 2>/dev/null || { echo "--rounds needs a positive count" >&2; exit 2; }
      rounds="$2"; shift 2 ;;
    *) echo "usage: $0 [--steps N] [--batch-size B] [--num-points N] [--num-features D] [--step-size S] [--rounds R] [--python PATH]" >&2; exit 2 ;;
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
results=()
for _ in $(seq "$rounds"); do
  results+=("$(target/release/autobatch bench "${size[@]}")")
  results+=("$("$python" scripts/jax_notebook_bench.py "${size[@]}")")
done
"$python" - "${results[@]}" <<'PY'
import json, statistics, sys
runs = [json.loads(r) for r in sys.argv[1:]]
rounds = list(zip(runs[0::2], runs[1::2]))
ours, jax = rounds[0]
version = jax["jax_version"]
print(f"notebook VI step (split + normal draw, value_and_grad(elbo), update), {ours['steps']} steps,")
print(f"  {ours['num_points']} points, {ours['num_features']} features, batch {ours['batch_size']}; "
      f"{len(rounds)} rounds, each autobatch then JAX {version}")
med = statistics.median
first = [o["compile_s"] * 1e3 for o, _ in rounds]
print(f"  autobatch first call (trace + optimize + compile + one step): "
      + ", ".join(f"{t:.2f}" for t in first) + " ms")
def row(name, ours_key, jax_key):
    a = [o[ours_key] for o, _ in rounds]
    b = [j[jax_key] for _, j in rounds]
    ratios = [x / y for x, y in zip(a, b)]
    cells = "  ".join(f"{x:7.1f}/{y:7.1f} = {r:.3f}" for x, y, r in zip(a, b, ratios))
    print(f"  {name:<44} {cells}   median {med(ratios):.3f}")
print("per round: autobatch us/step / JAX us/step = ratio")
print("the notebook's loop (jitted sampler, jitted value_and_grad(elbo), eager update, and")
print("every tenth step the notebook's progress line, printed into a buffer):")
row("autobatch loop / JAX notebook loop", "per_step_us", "loop_per_step_us")
row("autobatch loop / JAX loop, no progress line", "per_step_us", "loop_without_progress_per_step_us")
row("autobatch loop / JAX lax.fori_loop", "per_step_us", "fori_loop_per_step_us")
print("the step as one jitted function, called from a Rust loop:")
row("autobatch jit(step) / JAX notebook loop", "jitted_step_per_step_us", "loop_per_step_us")
row("autobatch jit(step) / JAX loop, no progress", "jitted_step_per_step_us", "loop_without_progress_per_step_us")
row("autobatch jit(step) / JAX lax.fori_loop", "jitted_step_per_step_us", "fori_loop_per_step_us")
scan_first = ", ".join(f"{o['scan_compile_s'] * 1e3:.2f}" for o, _ in rounds)
print(f"the whole loop as one compiled loop (first call: {scan_first} ms):")
row("autobatch jit(scan) / JAX jit(lax.fori_loop)", "scan_per_step_us", "fori_loop_per_step_us")
PY
