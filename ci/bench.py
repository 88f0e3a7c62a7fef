"""imglyb benchmarks: figures as medians over repetitions, in one run on one machine.

Each benchmark that needs its own JVM runs in a fresh subprocess, since a process holds one JVM.
Results go to target/bench/results.json as a flat object of metric name -> number.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import textwrap

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "target" / "bench" / "results.json"

# metric -> (unit, goal as (comparison, value) or None, what it measures)
METRICS = {
    "startup_ms": ("ms", ("<=", 120.0), "import imglyb + JVM start + first ImgLib2 use, in-process"),
    "startup_process_ms": ("ms", None, "the same as a whole fresh process, interpreter start included"),
    "import_ms": ("ms", None, "import imglyb"),
    "jvm_start_ms": ("ms", None, "imglyb.start_jvm() with the default classpath"),
    "first_imglib2_ms": ("ms", None, "first ImgLib2 use: 4x3 ArrayImg filled and summed in Java"),
    "startup_ms_jdk25": ("ms", ("<=", 120.0), "startup_ms on a JDK 25, when one is installed"),
}

STARTUP_SCRIPT = textwrap.dedent(
    """
    import time
    t0 = time.perf_counter()
    import imglyb
    t1 = time.perf_counter()
    imglyb.start_jvm()
    t2 = time.perf_counter()
    assert imglyb._imglyb._imglib2_self_test() == 66.0
    t3 = time.perf_counter()
    print((t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t3 - t0) * 1e3)
    """
)


def find_jdk(major: int) -> str | None:
    """A Java home of the given major version among the usual install folders, if any."""
    for home in sorted(pathlib.Path("/usr/lib/jvm").glob("*")):
        release = home / "release"
        if release.is_file() and f'JAVA_VERSION="{major}' in release.read_text():
            return str(home)
    return None


def bench_startup(reps: int, java_home: str | None = None) -> dict[str, float]:
    """Fresh processes doing import, JVM start and a first ImgLib2 use."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGLYB_")}
    if java_home:
        env["JAVA_HOME"] = java_home
    rows, walls = [], []
    for _ in range(reps + 1):  # the first run warms the page cache and is discarded
        start = _now()
        out = subprocess.run(
            [sys.executable, "-c", STARTUP_SCRIPT], env=env, capture_output=True, text=True, check=True
        ).stdout
        walls.append((_now() - start) * 1e3)
        rows.append([float(x) for x in out.split()])
    rows, walls = rows[1:], walls[1:]
    med = [statistics.median(col) for col in zip(*rows)]
    return {
        "import_ms": med[0],
        "jvm_start_ms": med[1],
        "first_imglib2_ms": med[2],
        "startup_ms": med[3],
        "startup_process_ms": statistics.median(walls),
    }


def _now() -> float:
    import time

    return time.perf_counter()


def meets(goal, value) -> str:
    if goal is None:
        return ""
    op, target = goal
    ok = value <= target if op == "<=" else value >= target
    return "yes" if ok else "NO"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small smoke run (used by ci/test)")
    args = parser.parse_args()
    reps = 3 if args.quick else 15

    results: dict[str, float] = {}
    results.update(bench_startup(reps))
    jdk25 = find_jdk(25)
    if jdk25:
        results["startup_ms_jdk25"] = bench_startup(reps, jdk25)["startup_ms"]
    else:
        print("no JDK 25 under /usr/lib/jvm: startup_ms_jdk25 not measured", file=sys.stderr)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")

    print(f"{'metric':<22} {'imglyb':>10} {'unit':<5} {'goal':>9}  met  what")
    for name, value in results.items():
        unit, goal, what = METRICS[name]
        goal_text = f"{goal[0]} {goal[1]:g}" if goal else ""
        print(f"{name:<22} {value:>10.1f} {unit:<5} {goal_text:>9}  {meets(goal, value):<3}  {what}")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}" + (" (quick run)" if args.quick else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
