"""Regression tests for what a reliability run found (memory safety first): each failed before
its fix. Nothing here may crash the process; a crash fails the whole session."""

from __future__ import annotations

import ctypes
import os
import pathlib
import random

import numpy as np
import pytest

import imglyb

L = lambda *v: imglyb.jarray("long", list(v))


def Views():
    return imglyb.jimport("net.imglib2.view.Views")


def test_a_view_whose_extent_overflows_a_long_is_never_a_numpy_view():
    """Views.interval up to 2^62 over 16 strided pixels: the extent overflows a long. It used to
    come back as a NumPy view of 2^62+1 pixels over 64 bytes (reading it segfaulted)."""
    base = np.zeros(64, np.uint8)
    img = imglyb.to_imglib(base[::4])
    iv = Views().interval(img, L(0), L(2**62))
    with pytest.raises(ValueError):
        imglyb.to_numpy(iv, copy=False)
    # A copy of 2^62 pixels cannot be made either: a clear error, never a view past the memory.
    with pytest.raises((ValueError, MemoryError)):
        imglyb.to_numpy(iv)
    # Translations and subsampling that overflow are refused the same way.
    far = Views().interval(Views().translate(img, L(2**62)), L(2**62), L(2**62 + 3))
    with pytest.raises(ValueError):
        imglyb.to_numpy(far, copy=False)
    sub = Views().subsample(Views().interval(img, L(0), L(15)), L(2**61))
    assert imglyb.to_numpy(sub).tolist() == [0]
    # An in-range view still comes back as a view.
    ok = Views().interval(img, L(2), L(5))
    view = imglyb.to_numpy(ok, copy=False)
    assert view.shape == (4,) and np.shares_memory(view, base)


def test_ctypes_arrays_with_null_strides_are_c_contiguous():
    """ctypes exports NULL strides (allowed: C-contiguous); imglyb built a slice from NULL."""
    buf = (ctypes.c_float * 6)(*range(6))
    img = imglyb.to_imglib(buf)
    assert img.dimension(0) == 6
    ra = img.randomAccess()
    ra.setPosition(L(4))
    assert ra.get().getRealDouble() == 4.0
    ra.get().setReal(-1.5)
    assert buf[4] == -1.5  # shared, not copied
    grid = ((ctypes.c_int16 * 3) * 2)()  # shape (2, 3)
    grid[1][2] = 7
    img2 = imglyb.to_imglib(grid)
    assert [img2.dimension(d) for d in range(2)] == [3, 2]
    ra2 = img2.randomAccess()
    ra2.setPosition(L(2, 1))
    assert ra2.get().getRealDouble() == 7.0


@pytest.mark.parametrize("layout", ["slice", "fortran", "reversed", "step"])
def test_positions_outside_the_image_throw_and_leave_the_parent_untouched(layout):
    """big[1:5, 1:5] wrapped, then (4, 0) written: it used to land in big[1, 5]."""
    big = np.arange(100, dtype=np.float64).reshape(10, 10)
    views = {
        "slice": big[1:5, 1:5],
        "fortran": np.asfortranarray(big)[1:5, 1:5],
        "reversed": big[5:1:-1, 5:1:-1],
        "step": big[1:9:2, 1:9:2],
    }
    v = views[layout]
    parent = v.base if v.base is not None else v
    before = np.array(parent, copy=True)
    img = imglyb.to_imglib(v)
    ra = img.randomAccess()
    for pos in ([4, 0], [0, 4], [-1, 0], [0, -1], [4, 4], [5, 1]):
        ra.setPosition(L(*pos))
        with pytest.raises(imglyb.JavaException) as info:
            ra.get().setReal(99)
        assert info.value.java_class == "java.lang.IndexOutOfBoundsException"
        with pytest.raises(imglyb.JavaException):
            ra.get().getRealDouble()
    np.testing.assert_array_equal(parent, before)
    # Inside, reads and writes still work.
    ra.setPosition(L(3, 3))
    ra.get().setReal(-7)
    assert v[3, 3] == -7


def test_c_contiguous_slices_keep_arrayimg_behaviour_within_their_own_memory():
    """A C-ordered slice reads through ImgLib2's ArrayRandomAccess: a position past the end of a
    row is the next row's pixel, as in any ArrayImg (documented); past the slice's memory it
    throws, and the parent array is never reached."""
    big = np.arange(40, dtype=np.int32).reshape(10, 4)
    v = big[2:4]
    before = big.copy()
    ra = imglyb.to_imglib(v).randomAccess()
    ra.setPosition(L(4, 0))  # x = 4 is row 1's first pixel
    assert ra.get().getInteger() == v[1, 0]
    for pos in ([0, 2], [0, -1], [4, 1]):
        ra.setPosition(L(*pos))
        with pytest.raises(imglyb.JavaException) as info:
            ra.get().setInteger(99)
        assert info.value.java_class == "java.lang.IndexOutOfBoundsException"
    np.testing.assert_array_equal(big, before)


@pytest.mark.parametrize("layout", ["c", "strided"])
def test_cursors_past_their_end_throw(layout):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    v = base if layout == "c" else base[:, ::2]
    img = imglyb.to_imglib(v)
    c = img.cursor()
    seen = []
    while c.hasNext():
        seen.append(c.next().getRealDouble())
    assert seen == v.ravel().tolist()
    c.fwd()  # past the end
    with pytest.raises(imglyb.JavaException) as info:
        c.get().getRealDouble()
    assert info.value.java_class in ("java.lang.IndexOutOfBoundsException", "java.lang.ArrayIndexOutOfBoundsException")
    c.reset()
    assert c.next().getRealDouble() == v[0, 0]


def test_the_default_collection_threshold_comes_from_the_machines_memory():
    """Without -Dimglyb.gcThreshold, native memory asks for a collection every eighth of the
    machine's memory (at least 64 MiB, at most 2 GiB), read from /proc/meminfo on first use."""
    args = imglyb.jimport("java.lang.management.ManagementFactory").getRuntimeMXBean().getInputArguments()
    if any("imglyb.gcThreshold" in str(a) for a in args):
        pytest.skip("the session JVM sets its own threshold")
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    _held, threshold, _collections = imglyb.jimport("org.imglyb.memory.Pressure").state()
    assert threshold == max(64 << 20, min(physical // 8, 2 << 30))


def test_native_memory_drives_the_garbage_collector():
    """Wrap a 32 MiB chunk, run one Java pass, drop it: forty times, twenty times the threshold in
    all. Resident memory used to grow by the total (nothing made Java collect, so the Cleaners
    that release the arrays never ran); now it stays within the threshold plus a margin, with no
    System.gc() from the test."""
    from conftest import run_python

    r = run_python("""
        import numpy as np, imglyb, os
        imglyb.start_jvm(options=["-Dimglyb.gcThreshold=64m"])
        P = imglyb.jimport("org.imglyb.memory.Pressure")
        Views = imglyb.jimport("net.imglib2.view.Views")
        page = os.sysconf("SC_PAGE_SIZE")
        rss = lambda: int(open("/proc/self/statm").read().split()[1]) * page
        chunk = 32 << 20
        def one_pass():
            a = np.ones(chunk // 4, np.float32)            # touched: resident
            img = imglyb.to_imglib(a)
            c = img.cursor(); c.fwd(); c.get().setReal(2.0)  # a Java pass over it
            assert a[0] == 2.0
        one_pass()
        start = rss()
        peak = start
        for _ in range(40):
            one_pass()
            peak = max(peak, rss())
        held, threshold, collections = P.state()
        assert threshold == 64 << 20, threshold
        assert collections > 0
        print("growth_mib", (peak - start) >> 20, "collections", collections)
        assert peak - start < threshold + (160 << 20), (peak - start) >> 20
        print("ok")
    """, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok", r.stdout


@pytest.mark.parametrize("options", [
    ["-Xms256m", "-Xmx128m"],
    ["-Xmx1k"],
    ["-agentlib:imglyb_no_such_agent"],
    ["-javaagent:/nonexistent/agent.jar"],
    ["-XX:+UseG1GC", "-XX:+UseSerialGC"],
    ["-Xshare:on", "-XX:SharedArchiveFile=/nonexistent/classes.jsa"],
])
def test_options_hotspot_would_exit_on_are_a_value_error(options):
    """HotSpot calls exit() for these late in start-up, which ended the interpreter (a Jupyter
    kernel died with no message). A probe JVM in a subprocess finds them first; the process
    lives on and can still start a JVM with good options."""
    from conftest import run_python

    r = run_python(f"""
        import imglyb
        try:
            imglyb.start_jvm(options={options!r})
            print("started")
        except ValueError as e:
            print("refused:", e)
        imglyb.start_jvm()
        print("then started:", imglyb._imglyb._imglib2_self_test())
    """, timeout=120)
    assert r.returncode == 0, (r.returncode, r.stdout, r.stderr)
    assert "refused:" in r.stdout and options[-1].split("=")[0].split(":")[0] in r.stdout, r.stdout
    assert "then started: 66.0" in r.stdout


def test_options_that_cannot_end_the_process_start_without_the_probe(tmp_path):
    """The probe costs a process (about as much as the JVM's own start) and only finds options
    HotSpot exits on. Properties only the application reads, a heap the machine can reserve and
    plain switches never are: with only those, no probe runs, and the options are in effect. Any
    other option, or one in ``JAVA_TOOL_OPTIONS`` (HotSpot reads it too), is probed. A Java home
    whose ``bin/java`` notes each run tells the two apart."""
    from conftest import run_python

    real = pathlib.Path(imglyb.jvm_info()["java_home"])
    home = tmp_path / "home"
    (home / "bin").mkdir(parents=True)
    for entry in real.iterdir():
        if entry.name != "bin":
            (home / entry.name).symlink_to(entry)
    marker = tmp_path / "java-ran"
    java = home / "bin" / "java"
    java.write_text(f'#!/bin/sh\necho ran >> "{marker}"\nexec "{real}/bin/java" "$@"\n')
    java.chmod(0o755)
    code = """
        import sys, imglyb
        imglyb.start_jvm(options=sys.argv[1:])
        System = imglyb.jimport("java.lang.System")
        Runtime = imglyb.jimport("java.lang.Runtime")
        print(System.getProperty("app.flag"), System.getProperty("java.awt.headless"),
              Runtime.getRuntime().maxMemory() >> 20, imglyb._imglyb._imglib2_self_test())
    """
    cases = [
        (["-Dimglyb.gcThreshold=64m", "-Dimglyb.warmUp=false"], {}, False),
        (["-Xmx256m", "-Dapp.flag=on", "-Djava.awt.headless=true", "-ea"], {}, False),
        (["-Xmx256m", "-Xms64m"], {}, True),
        (["-Xmx256m", "-XX:+UseSerialGC"], {}, True),
        (["-Dsun.awt.disablegrab=true"], {}, True),
        ([], {"JAVA_TOOL_OPTIONS": "-XX:+UseSerialGC"}, True),
        ([], {"JAVA_TOOL_OPTIONS": "-Xmx256m -Dapp.flag=env"}, False),
    ]
    for options, env, probed in cases:
        marker.unlink(missing_ok=True)
        r = run_python(code.replace("sys.argv[1:]", repr(options)), env={"JAVA_HOME": str(home), "JAVA_TOOL_OPTIONS": None, "_JAVA_OPTIONS": None, **env})
        assert r.returncode == 0, (options, env, r.stdout + r.stderr)
        last = r.stdout.split()[-4:]
        assert last[-1] == "66.0", r.stdout
        assert marker.exists() == probed, (options, env, r.stdout)
        if "-Xmx256m" in options + env.get("JAVA_TOOL_OPTIONS", "").split():
            assert 200 <= int(last[2]) <= 256, (options, env, r.stdout)
        if "-Dapp.flag=on" in options:
            assert last[:2] == ["on", "true"], r.stdout
        if env.get("JAVA_TOOL_OPTIONS", "").endswith("env"):
            assert last[0] == "env", r.stdout


def _bad_java_home(root: pathlib.Path, kind: str) -> pathlib.Path:
    """A Java home broken in the way ``kind`` names, built from the running JDK's files."""
    real = pathlib.Path(imglyb.jvm_info()["java_home"])
    home = root / kind
    if kind == "empty":
        home.mkdir()
        return home
    server = home / "lib" / "server"
    server.mkdir(parents=True)
    for entry in (real / "lib").iterdir():  # the rest of a whole JDK
        if entry.name not in ("server", "modules"):
            (home / "lib" / entry.name).symlink_to(entry)
    (home / "release").write_text((real / "release").read_text())
    libjvm = real / "lib" / "server" / "libjvm.so"
    modules = real / "lib" / "modules"
    library = {
        "empty libjvm": b"",
        "truncated libjvm": libjvm.read_bytes()[: libjvm.stat().st_size // 3],
        "random bytes": random.Random(7).randbytes(1 << 16),
        "not a JVM": (real / "lib" / "libjava.so").read_bytes(),
    }.get(kind)
    if library is None:
        (server / "libjvm.so").write_bytes(libjvm.read_bytes())  # a copy: loaded, it would show in the maps
    else:
        (server / "libjvm.so").write_bytes(library)
    if kind == "no lib/modules":
        return home
    if kind == "random lib/modules":
        (home / "lib" / "modules").write_bytes(random.Random(8).randbytes(1 << 16))
    elif kind == "truncated lib/modules":
        with open(modules, "rb") as whole:
            (home / "lib" / "modules").write_bytes(whole.read(modules.stat().st_size // 2))
    else:
        (home / "lib" / "modules").symlink_to(modules)
    return home


BAD_JAVA_HOMES = {
    "empty": "no lib/server/libjvm.so",
    "empty libjvm": "shorter than an ELF header",
    "truncated libjvm": "truncated",
    "random bytes": "no ELF header",
    "not a JVM": "not a JVM library",
    "no lib/modules": "no lib/modules",
    "random lib/modules": "not a runtime image",
    "truncated lib/modules": "lib/modules is truncated",
}


@pytest.mark.parametrize("how", ["java_home", "JAVA_HOME"])
@pytest.mark.parametrize("kind", list(BAD_JAVA_HOMES))
def test_a_bad_java_home_is_refused_and_a_good_start_follows(tmp_path, kind, how):
    """Every kind of broken Java home is a JVMNotFoundError that says what is wrong, found
    before its libjvm is loaded: a libjvm loaded by a refused start used to stay in the process,
    and the natural retry then died of SIGSEGV in JNI_CreateJavaVM. The retry, with a good Java,
    now starts and runs ImgLib2."""
    from conftest import run_python

    home = _bad_java_home(tmp_path, kind)
    good = imglyb.jvm_info()["java_home"]
    start = f"imglyb.start_jvm(java_home={str(home)!r})" if how == "java_home" else "imglyb.start_jvm()"
    r = run_python(f"""
        import os, imglyb
        if {how == "JAVA_HOME"}:
            os.environ["JAVA_HOME"] = {str(home)!r}
        try:
            {start}
            print("started")
        except imglyb.JVMNotFoundError as e:
            print("refused:", e)
        maps = open("/proc/self/maps").read()
        print("loaded:", {str(home)!r} in maps)
        os.environ["JAVA_HOME"] = {good!r}
        imglyb.start_jvm()
        print("then started:", imglyb._imglyb._imglib2_self_test())
    """, env={"JAVA_HOME": None}, timeout=120)
    assert r.returncode == 0, (kind, how, r.returncode, r.stdout, r.stderr)
    assert "refused:" in r.stdout and BAD_JAVA_HOMES[kind] in r.stdout, (kind, how, r.stdout)
    assert "loaded: False" in r.stdout, r.stdout
    assert "then started: 66.0" in r.stdout, r.stdout


def test_extended_precision_complex_suggests_a_cast_that_keeps_the_imaginary_part():
    if not hasattr(np, "clongdouble") or np.dtype(np.clongdouble).itemsize <= 16:
        pytest.skip("no extended-precision complex dtype on this platform")
    with pytest.raises(TypeError) as info:
        imglyb.to_imglib(np.zeros(3, np.clongdouble))
    assert "astype(np.complex128)" in str(info.value)
    assert "float64" not in str(info.value)


def test_a_released_memoryview_is_a_clear_error():
    m = memoryview(bytearray(8))
    m.release()
    with pytest.raises(ValueError, match="released"):
        imglyb.to_imglib(m)


def test_a_negative_interval_size_is_a_clear_error():
    """Views.interval accepts a max below the min; to_numpy gave an OverflowError about C longs."""
    img = imglyb.to_imglib(np.zeros(10))
    bad = Views().interval(img, L(5), L(2))
    for copy in (None, False, True):
        with pytest.raises(imglyb.JavaException) as info:
            imglyb.to_numpy(bad, copy=copy)
        assert info.value.java_class == "java.lang.IllegalArgumentException"
        assert "negative size" in info.value.message


def test_jproxy_refuses_an_implementation_with_nothing_to_call():
    with pytest.raises(TypeError, match="jproxy needs a callable"):
        imglyb.jproxy("java.lang.Runnable", 3)

    class HasRun:
        def run(self):
            pass

    assert imglyb.jinstance(imglyb.jproxy("java.lang.Runnable", HasRun()), "java.lang.Runnable")


CTRL_C_CHILD = """
import signal, sys, time
import imglyb
Thread = imglyb.jimport("java.lang.Thread")
{prelude}
def call(what):
    print("calling", what, flush=True)
    start = time.monotonic()
    try:
        {call}
        print("returned", time.monotonic() - start, flush=True)
    except KeyboardInterrupt:
        print("interrupted-at", time.monotonic(), flush=True)
    except imglyb.JavaException as e:
        print("java-exception", e.java_class, time.monotonic(), flush=True)
for what in ("first", "second"):
    call(what)
    # The thread's interrupt status is clear again, and the next call works.
    print("status", Thread.currentThread().isInterrupted(), flush=True)
    t0 = time.monotonic(); Thread.sleep(20); print("sleep-ok", round(time.monotonic() - t0, 3), flush=True)
"""


def _interrupt_child(call: str, prelude: str = "") -> list[tuple[float, str]]:
    """Runs a child that makes a long Java call twice, sends it SIGINT 0.5 s into each, and
    returns (seconds from the signal to the child's reaction, that line) per call."""
    import signal
    import subprocess
    import sys
    import time

    code = CTRL_C_CHILD.format(call=call, prelude=prelude)
    reactions = []
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as child:
        try:
            for _ in range(2):
                while not (line := child.stdout.readline()).startswith("calling"):
                    assert line, child.stderr.read()
                time.sleep(0.5)
                sent = time.monotonic()
                child.send_signal(signal.SIGINT)
                line = child.stdout.readline()
                reactions.append((float(line.split()[-1]) - sent, line.strip()))
                assert child.stdout.readline().strip() == "status False"
                assert child.stdout.readline().startswith("sleep-ok")
            assert child.wait(30) == 0, child.stderr.read()
        finally:
            child.kill()
    return reactions


def test_ctrl_c_interrupts_a_java_call_within_100_ms():
    """KeyboardInterrupt during Thread.sleep(5000) used to wait for the call to return."""
    reactions = _interrupt_child("Thread.sleep(5000)")
    for latency, line in reactions:
        assert line.startswith("interrupted-at"), line
        assert latency < 0.1, reactions


def test_ctrl_c_reaches_java_after_the_handler_was_set_again():
    """Jupyter's kernel sets SIGINT's handler again before every cell; imglyb must still chain."""
    reactions = _interrupt_child(
        "signal.signal(signal.SIGINT, signal.default_int_handler); Thread.sleep(5000)")
    assert all(line.startswith("interrupted-at") and latency < 0.1 for latency, line in reactions), reactions


def test_a_python_handler_that_does_not_raise_lets_java_see_the_interrupt():
    """A SIGINT handler that only takes note: the call ends with Java's InterruptedException,
    and the next call is not interrupted."""
    reactions = _interrupt_child(
        "Thread.sleep(5000)", prelude="signal.signal(signal.SIGINT, lambda *a: None)")
    for latency, line in reactions:
        assert line.startswith("java-exception java.lang.InterruptedException"), reactions
        assert latency < 0.1, reactions


def test_deep_python_java_python_recursion_is_a_stack_overflow_error_not_an_internal_error():
    """Recursion through a jproxy used to end at about 185 levels with "internal imglyb error: a
    Java exception was thrown while describing another"."""
    holder = {}

    def f(n):
        return 0 if n == 0 else holder["op"].applyAsInt(n - 1) + 1

    holder["op"] = imglyb.jproxy("java.util.function.IntUnaryOperator", f)
    assert holder["op"].applyAsInt(50) == 50
    with pytest.raises(imglyb.JavaException) as info:
        holder["op"].applyAsInt(100_000)
    assert info.value.java_class == "java.lang.StackOverflowError"
    assert "RecursionError: Python -> Java -> Python calls nest too deeply" in str(info.value)
    # Nothing is left broken: the same proxy works again.
    assert holder["op"].applyAsInt(50) == 50
    # From Python directly, at the deepest level, it is a RecursionError.
    seen = []

    def g(n):
        try:
            return holder["g"].applyAsInt(n + 1)
        except RecursionError as e:
            seen.append(e)
            return n

    holder["g"] = imglyb.jproxy("java.util.function.IntUnaryOperator", g)
    depth = holder["g"].applyAsInt(0)
    assert len(seen) == 1 and depth > 100, depth


def test_a_java_home_naming_an_empty_folder_is_an_error_not_another_java(tmp_path):
    """JAVA_HOME set but useless used to start whatever Java PATH had; java_home= already raised."""
    from conftest import run_python

    r = run_python("""
        import imglyb
        try:
            imglyb.start_jvm()
        except imglyb.JVMNotFoundError as e:
            print("refused:", e)
        else:
            print("started", imglyb.jvm_info()["java_home"])
    """, env={"JAVA_HOME": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    assert "refused:" in r.stdout and f"JAVA_HOME={tmp_path}: no lib/server/libjvm.so" in r.stdout, r.stdout
    assert "unset it" in r.stdout


def test_a_missing_classpath_entry_is_a_value_error(tmp_path):
    """A missing classpath entry used to be accepted silently, so a typo showed up only as a
    missing class much later."""
    from conftest import run_python

    r = run_python(f"""
        import imglyb
        for cp in ([{str(tmp_path / "typo.jar")!r}], [{str(tmp_path / "nodir" / "*")!r}]):
            try:
                imglyb.start_jvm(classpath=cp)
            except ValueError as e:
                print("refused:", e)
        imglyb.start_jvm(classpath=[{str(tmp_path)!r}])
        print("started", imglyb.jvm_started())
    """)
    assert r.returncode == 0, r.stderr
    assert f"classpath entries that do not exist: {tmp_path / 'typo.jar'}" in r.stdout, r.stdout
    assert f"do not exist: {tmp_path / 'nodir' / '*'}" in r.stdout, r.stdout
    assert "started True" in r.stdout


def test_a_layout_whose_span_overflows_is_refused():
    """Found by ci/fuzz: two axes whose strides have opposite signs each fit a signed 64-bit
    offset alone, but the distance between the lowest and highest byte does not."""
    base = np.zeros(16, np.uint8)

    class Claims:
        __array_interface__ = {
            "shape": (3, 4), "typestr": "|u1", "version": 3,
            "data": (base.ctypes.data, False), "strides": (-(1 << 60), 3 << 60),
        }

    with pytest.raises(ValueError, match="overflow"):
        imglyb.to_imglib(Claims())


def test_memory_wrapped_again_counts_once_toward_a_collection():
    """Wrapping the same array again holds no more native memory, so it must not make Java
    collect: a loop that wrapped one 16 MiB array 300 times (4.7 GiB of re-wraps) used to ask for
    a collection every threshold's worth and pay for it in to_imglib. New memory still counts."""
    from conftest import run_python

    r = run_python("""
        import numpy as np, imglyb
        imglyb.start_jvm(options=["-Dimglyb.gcThreshold=64m"])
        P = imglyb.jimport("org.imglyb.memory.Pressure")
        a = np.ones(4 << 20, np.float32)                     # 16 MiB
        imgs = [imglyb.to_imglib(a) for _ in range(300)]     # all alive at once
        held, threshold, collections = P.state()
        assert collections == 0, collections
        assert held >= a.nbytes and held < a.nbytes + (1 << 20), held
        assert imglyb.to_numpy(imgs[-1])[5] == 1.0
        fresh = [imglyb.to_imglib(np.ones(4 << 20, np.float32)) for _ in range(8)]  # 128 MiB new
        held, threshold, collections = P.state()
        assert collections >= 1, collections
        assert held >= 9 * a.nbytes, held
        print("ok")
    """, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1] == "ok", r.stdout


def test_hotspots_signal_handlers_stay_its_own_through_a_million_calls_and_exit():
    """The bench's million-call workload under -Xcheck:jni, in 20 fresh processes: HotSpot never
    reports a modified signal handler. It used to, in about one exit in five: at exit() the C
    library freed HotSpot's table of expected handlers while its periodic checker still read it
    (nothing had modified a handler). imglyb now shuts the JVM down first when -Xcheck:jni is on
    (runtime/exit.rs). The output is checked raw, with no report filtered out."""
    import importlib.util
    import subprocess
    import sys

    spec = importlib.util.spec_from_file_location("bench", pathlib.Path(__file__).parents[2] / "ci" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    script = bench.LEAK_SCRIPT.replace("rounds(125_000)", "rounds(125_000)\nassert imglyb.jvm_started()")
    reports, figures = [], 0
    for batch in range(10):  # two processes at a time, 20 in all
        procs = [
            subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(2)
        ]
        for proc in procs:
            out, _ = proc.communicate(timeout=120)
            assert proc.returncode == 0, out
            if "handler modified" in out or "Signal Handlers:" in out:
                reports.append(out)
            figures += bench.figures_line(out, 3) is not None
    assert figures == 20
    assert not reports, f"{len(reports)} of 20 processes reported a signal handler:\n{reports[0][-3000:]}"
