"""One process with JPype and scyjava (docs/pyimagej.md): Java objects handed over both ways, the
original imglyb 2.x API, and both start orders. Each test runs in a fresh interpreter, since the
JVM's owner is fixed when it starts."""

from __future__ import annotations

import glob
import os
import pathlib
import re

import imglyb
import pytest

from conftest import ENV_CLASSPATH, IMGLIB2_JAR, imglib2_at_least, run_python

pytest.importorskip("jpype")

CLASSPATH = [e for e in ENV_CLASSPATH if e.endswith(".jar")] or ["/usr/share/java/imglib2.jar"]

JPYPE_FIRST = f"""
import gc, time, weakref
import numpy as np
import jpype
jpype.startJVM(classpath={CLASSPATH!r})
import imglyb
System = jpype.JClass("java.lang.System")
def collect(until, rounds=100):
    for _ in range(rounds):
        gc.collect(); System.gc(); time.sleep(0.02); imglyb.jvm_started(); gc.collect()
        if until():
            return True
    return False
"""


def run(code: str, timeout: float = 120):
    result = run_python(code, timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ok", result.stdout
    return result


def test_jpype_first_then_imglyb_shares_pixels_both_ways():
    run(JPYPE_FIRST + """
assert not imglyb.jvm_info()["created_here"]
arr = np.arange(12, dtype=np.float32).reshape(3, 4)
img = imglyb.to_imglib(arr)                    # the original API: a JPype object, no copy
assert isinstance(img, jpype.JObject), type(img)
Views = jpype.JClass("net.imglib2.view.Views")
rotated = Views.rotate(img, 0, 1)               # JPype calls ImgLib2 on an imglyb image
ra = img.randomAccess()
ra.setPosition(jpype.JArray(jpype.JLong)([1, 2]))
ra.get().set(99.0)                              # a write through JPype...
assert arr[2, 1] == 99.0                        # ...is in the NumPy array
view = imglyb.to_numpy(rotated)                 # imglyb takes JPype objects
assert np.shares_memory(view, arr) and view.shape == (4, 3)
back = imglyb.to_numpy(img)
assert np.shares_memory(back, arr) and back.flags.writeable

# A JPype image to imglyb and back: the same Java object.
ArrayImgs = jpype.JClass("net.imglib2.img.array.ArrayImgs")
jimg = ArrayImgs.floats(jpype.JArray(jpype.JLong)([4, 3]))
mine = imglyb.from_jpype(jimg)
assert isinstance(mine, imglyb.JavaObject)
assert System.identityHashCode(imglyb.to_jpype(mine)) == System.identityHashCode(jimg)
assert imglyb.to_jpype(jimg) is jimg and imglyb.from_jpype(mine) is mine
IViews = imglyb.jimport("net.imglib2.view.Views")
sub = IViews.interval(jimg, imglyb.jarray("long", [0, 0]), imglyb.jarray("long", [1, 1]))  # a JPype argument
assert int(sub.dimension(0)) == 2
assert imglyb.jinstance(jimg, "net.imglib2.img.Img") and imglyb.jinstance(mine, jpype.JClass("net.imglib2.img.Img"))
pixels = imglyb.to_numpy(jimg)                  # a heap image: a copy
assert pixels.shape == (3, 4) and not pixels.any()
assert isinstance(imglyb.from_jpype(jpype.JClass("java.lang.Math")), imglyb.JavaClass)
assert imglyb.to_jpype(None) is None
with_lists = imglyb.jimport("java.util.Arrays").asList([jimg, jimg])   # JPype objects inside a list
assert int(with_lists.size()) == 2
assert imglyb.to_jpype(imglyb.jimport("java.lang.Math")) == jpype.JClass("java.lang.Math")
assert imglyb.lazy(rotated).shape == (4, 3) and imglyb.lazy(rotated)[1, 2] == view[1, 2]
try:
    import dask
    assert imglyb.to_dask(rotated).compute(scheduler="sync").shape == (4, 3)
except ImportError:
    pass
print("ok")
""")


def test_a_jpype_proxy_keeps_the_array_alive_and_dropping_both_frees_it():
    run(JPYPE_FIRST + """
arr = np.arange(1000, dtype=np.float64)
ref = weakref.ref(arr)
img = imglyb.to_imglib(arr)                     # JPype's proxy; imglyb's is gone already
del arr
for _ in range(5):
    gc.collect(); System.gc(); time.sleep(0.02)
assert ref() is not None, "the array was freed while JPype still holds the image"
assert float(img.randomAccess().get().get()) == 0.0
mine = imglyb.from_jpype(img)                   # both sides hold it now
del img
for _ in range(5):
    gc.collect(); System.gc(); time.sleep(0.02)
assert ref() is not None
assert imglyb.to_numpy(mine)[999] == 999.0
del mine
assert collect(lambda: ref() is None), "the array leaked after both sides dropped it"
print("ok")
""")


def test_imglyb_first_then_jpype_is_a_clear_error():
    result = run_python(f"""
import numpy as np, imglyb
imglyb.start_jvm()
import importlib.util
assert importlib.util.find_spec("jpype") is not None   # a probe does not use the guard up
import jpype
try:
    jpype.startJVM(classpath={CLASSPATH!r})
except Exception as e:
    print("jpype refused:", type(e).__name__, isinstance(e, RuntimeError), isinstance(e, imglyb.ImglybError))
    assert "start JPype first" in str(e), str(e)
try:
    import scyjava
except ImportError:
    print("scyjava absent")
else:
    scyjava.config.set_java_constraints(fetch="never")
    try:
        scyjava.start_jvm()                         # through scyjava: the same
    except RuntimeError as e:                       # as the docs say: also a RuntimeError
        print("scyjava refused")
try:
    imglyb.to_jpype(imglyb.to_imglib(np.zeros(3)))
except imglyb.ImglybError as e:
    assert "start JPype first" in str(e), str(e)
    print("ok")
""")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ok", result.stdout
    # JPype's start is refused with imglyb's error, at once, whichever Java JPype would pick.
    assert "jpype refused: JPypeStartError True True" in result.stdout
    assert "scyjava refused" in result.stdout or "scyjava absent" in result.stdout


def test_scyjava_started_after_imglyb_with_its_defaults_uses_the_local_java():
    """The original imglyb's own example (examples/wrap_arraylike.py) imports imglyb, then starts
    the JVM with a bare scyjava.start_jvm(). scyjava 1.12 then downloads a Java by default, even
    with one installed (and fails without a network); after imglyb's import it uses the Java in
    JAVA_HOME or on PATH, and the example's cell image reads back the array's values. Its JVM has
    imglib2-unsafe, as the original's did (its own tests use UnsafeImgs)."""
    pytest.importorskip("scyjava")
    carried = os.listdir(imglyb._jvm._JARS) if os.path.isdir(imglyb._jvm._JARS) else []  # whatever IMGLYB_BUNDLED_JARS says
    if not any(re.fullmatch(r"imglib2-unsafe-[0-9].*\.jar", j) for j in carried):
        pytest.skip("this imglyb was built without the jars the wheel carries")
    result = run_python(
        """
import os, shutil
import imglyb
import numpy as np
import scyjava
assert scyjava.config.get_fetch_java() == "auto", scyjava.config.get_fetch_java()
home = os.environ.get("JAVA_HOME")
local = os.path.realpath(os.path.join(home, "bin", "java") if home else shutil.which("java"))
scyjava.start_jvm()
info = imglyb.jvm_info()
assert not info["created_here"]
started = os.path.realpath(os.path.join(info["java_home"], "bin", "java"))
assert started == local, (started, local)
data = np.arange(15).reshape(3, 5)
img, _ = imglyb.as_cell_img(data, (2, 2), access_type="native", cache=1)
cursor = imglyb.util.Views.flatIterable(img).cursor()
seen = []
while cursor.hasNext():
    seen.append(cursor.next().get())
assert seen == list(range(15)), seen
cells = img.getCells().cursor()
values = []
while cells.hasNext():
    access = cells.next().getData()
    values.append(access.getValue(0))
assert values == [0, 2, 4, 10, 12, 14], values
unsafe = scyjava.jimport("net.imglib2.img.unsafe.UnsafeImgs").bytes(2, 3, 4)
view = imglyb.to_numpy(unsafe)
view[3, 2, 1] = 9
import jpype
ra = unsafe.randomAccess(); ra.setPosition(jpype.JArray(jpype.JLong)([1, 2, 3]))
assert view.shape == (4, 3, 2) and ra.get().get() == 9
print("ok")
""",
        env={"IMGLYB_CLASSPATH": None, "IMGLYB_BUNDLED_JARS": None},
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ok", result.stdout
    # scyjava imported first: the same. A mode set after imglyb's import, or other than scyjava's
    # default before it, is the user's and stays.
    run("""
import scyjava, imglyb
assert scyjava.config.get_fetch_java() == "auto"
scyjava.config.set_java_constraints(fetch="always")
import imglyb.interop
assert scyjava.config.get_fetch_java() == "always"
print("ok")
""")
    run("""
import scyjava
scyjava.config.set_java_constraints(fetch="never")
import imglyb
assert scyjava.config.get_fetch_java() == "never"
print("ok")
""")


def test_scyjava_with_no_java_on_path_starts_the_java_imglyb_would(tmp_path):
    """scyjava looks for a Java in JAVA_HOME and on PATH only, and downloads one otherwise
    (which fails without a network). With neither, importing imglyb sets JAVA_HOME to the Java
    its own start takes (the usual folders', else the imglyb[jdk] extra's), and scyjava's bare
    start_jvm() starts it; with a Java on PATH, JAVA_HOME is left alone."""
    pytest.importorskip("scyjava")
    import shutil

    no_java = tmp_path / "bin"
    no_java.mkdir()
    no_dirs = tmp_path / "no-java-folders"
    no_dirs.mkdir()
    code = """
import os, sys
import imglyb
import scyjava
expected, under = sys.argv[1:3]
home = os.environ.get("JAVA_HOME")
if expected == "unset":
    assert home is None, home
else:
    assert home is not None and os.path.realpath(home).startswith(os.path.realpath(under)), (home, under)
scyjava.start_jvm()
info = imglyb.jvm_info()
assert not info["created_here"]
if home is not None:
    assert os.path.realpath(info["java_home"]) == os.path.realpath(home), (info["java_home"], home)
else:
    assert os.path.realpath(info["java_home"]) == os.path.realpath(under), (info["java_home"], under)
assert scyjava.jimport("net.imglib2.img.array.ArrayImgs").floats(2, 3).size() == 6
print("ok")
"""
    cases = []
    if glob.glob("/usr/lib/jvm/*/lib/server/libjvm.so"):
        # No Java on PATH: one of the usual folders' (Debian's /usr/lib/jvm here).
        cases.append(({"PATH": str(no_java), "IMGLYB_JAVA_SEARCH_DIRS": None}, "set", "/usr/lib/jvm"))
    if shutil.which("java"):
        # A Java on PATH: scyjava finds it itself.
        on_path = os.path.dirname(os.path.dirname(os.path.realpath(shutil.which("java"))))
        cases.append(({"IMGLYB_JAVA_SEARCH_DIRS": None}, "unset", on_path))
    pypi = imglyb._jvm.pypi_java_homes()
    if pypi:
        # Nothing on PATH or in the usual folders: the imglyb[jdk] extra's.
        cases.append(({"PATH": str(no_java), "IMGLYB_JAVA_SEARCH_DIRS": str(no_dirs)}, "set", pypi[0]))
    if not cases:
        pytest.skip("no Java in /usr/lib/jvm, on PATH or from the imglyb[jdk] extra")
    for env, expected, under in cases:
        result = run_python(
            f"import sys; sys.argv[1:] = [{expected!r}, {under!r}]\n" + code,
            env={"JAVA_HOME": None, "IMGLYB_CLASSPATH": None, "IMGLYB_BUNDLED_JARS": None, **env},
            timeout=120,
        )
        assert result.returncode == 0, (env, result.stdout + result.stderr)
        assert result.stdout.strip().splitlines()[-1] == "ok", result.stdout


def test_scyjava_to_java_and_to_python_round_trip_shares_memory():
    pytest.importorskip("scyjava")
    run(f"""
import numpy as np
import scyjava
scyjava.config.set_java_constraints(fetch="never")   # this machine's Java, nothing downloaded
scyjava.config.add_classpath(*{CLASSPATH!r})
scyjava.start_jvm()
import imglyb                                   # registers its converters with scyjava
arr = np.arange(24, dtype=np.uint16).reshape(2, 3, 4)
img = scyjava.to_java(arr)
assert img.getClass().getName() == "org.imglyb.img.StridedImg", img.getClass().getName()
assert [int(img.dimension(d)) for d in range(3)] == [4, 3, 2]
back = scyjava.to_python(img)
assert isinstance(back, np.ndarray) and np.shares_memory(back, arr)
assert scyjava.to_java([1, 2]).size() == 2      # other conversions are scyjava's own
for odd in (np.zeros(3, np.float16), np.zeros(3, ">f4")):
    # Not what imglyb shares: scyjava's own converters answer (or refuse), not imglyb's TypeError.
    try:
        other = scyjava.to_java(odd)
    except TypeError as e:
        assert "imglyb" not in str(e), str(e)
    else:
        assert other.getClass().getName() != "org.imglyb.img.StridedImg"
print("ok")
""")


def test_original_imglyb_usage_patterns_work_or_name_their_replacement():
    run(JPYPE_FIRST + """
import imglyb.util, imglyb.types
arr = np.zeros((5, 6), dtype=np.uint8)
img = imglyb.util.to_imglib(arr)
assert isinstance(img, jpype.JObject)
argb = imglyb.to_imglib_argb(np.zeros((2, 2), np.uint32))
assert argb.randomAccess().get().getClass().getSimpleName() == "ARGBType"
t = imglyb.types.for_np_dtype(np.float32)
assert isinstance(t, jpype.JObject) and t.getClass().getSimpleName() == "FloatType"
assert imglyb.types.for_np_dtype(np.dtype(">i2")).getClass().getSimpleName() == "ShortType"
try:
    imglyb.types.for_np_dtype(np.float16)
except TypeError as e:
    assert "float16" in str(e)
# as_cell_img: a lazily loaded image of a chunked array; no reference store to keep.
big = np.arange(20 * 30, dtype=np.float32).reshape(20, 30)
cells, store = imglyb.as_cell_img(big, (8, 8), 4)
assert store is None and isinstance(cells, jpype.JObject)
np.testing.assert_array_equal(imglyb.to_numpy(cells), big)
cells2, _ = imglyb.as_cell_img_with_native_accesses(big, (8, 8), lambda c: np.asarray(c) * 2, 4)
np.testing.assert_array_equal(imglyb.to_numpy(cells2), big * 2)
try:
    imglyb.as_cell_img(big, (8, 8), jpype.JClass("java.lang.Object")())
except TypeError as e:
    assert "imglyb.to_imglib(array, chunks=" in str(e)
print("ok")
""")


def test_the_version_satisfies_pyimagej():
    import imglyb

    major, minor = (int(p) for p in imglyb.__version__.split(".")[:2])
    assert (major, minor) >= (2, 1), "pyimagej requires imglyb>=2.1.0"


@pytest.mark.parametrize("order", ["classpath given", "imglyb imported first"])
def test_pyimagej_conversions_that_need_only_imglib2_run_on_this_imglyb(order):
    """pyimagej 1.8.0's ndarray_to_img and xarray_to_img (imagej.convert) call imglyb.to_imglib
    and hand the result on; neither needs an ImageJ2 gateway for an image that is already an Img.
    Its way back, images.create_ndarray and then ImgUtil.copy(rai, scyjava.to_java(narr)) (the
    copy that images.copy_rai_into_ndarray makes on ImgLib2 5.9 and newer), needs none either.
    Everything else in pyimagej needs the gateway (imagej.init), which needs the SciJava
    repository or a Fiji."""
    pytest.importorskip("imagej")
    pytest.importorskip("scyjava")
    setup = (
        "import imglyb  # its jars go onto scyjava's classpath by themselves"
        if order == "imglyb imported first"
        else f"scyjava.config.add_classpath(*{CLASSPATH!r})"
    )
    run(f"""
import importlib.metadata, re
import numpy as np, xarray as xr
import scyjava
scyjava.config.set_java_constraints(fetch="never")
{setup}
scyjava.start_jvm()
import imglyb, jpype
import imagej.convert as convert
spec = next(r for r in importlib.metadata.requires("pyimagej") if r.startswith("imglyb"))
lowest = tuple(int(p) for p in re.search(r">=\\s*([0-9.]+)", spec).group(1).split("."))
assert tuple(int(p) for p in imglyb.__version__.split(".")) >= lowest, (spec, imglyb.__version__)
assert convert.imglyb is imglyb
arr = np.arange(12, dtype=np.float32).reshape(3, 4)
img = convert.ndarray_to_img(None, arr)
assert img.getClass().getName() == "org.imglyb.img.StridedImg"
ra = img.randomAccess()
ra.setPosition(jpype.JArray(jpype.JLong)([1, 2]))
ra.get().set(42.0)
assert arr[2, 1] == 42.0 and np.shares_memory(imglyb.to_numpy(img), arr)
from_xarray = convert.xarray_to_img(None, xr.DataArray(arr, dims=("y", "x")))
assert np.shares_memory(imglyb.to_numpy(from_xarray), arr)
# The way back (ij.py.from_java of an image): pyimagej makes an ndarray of the image's shape and
# has ImgLib2 copy into it (ImgUtil.copy(rai, scyjava.to_java(narr))), through imglyb's scyjava
# converter: an image over the ndarray's memory.
import imagej.images as images
heap = jpype.JClass("net.imglib2.img.array.ArrayImgs").floats(jpype.JArray(jpype.JLong)([4, 3]))
c, v = heap.cursor(), 0
while c.hasNext():
    c.next().setReal(v)
    v += 1
narr = images.create_ndarray(heap)  # float64 here: pyimagej's type table names classes only Fiji has
assert narr.shape == (3, 4), narr.shape
# copy_rai_into_ndarray's copy on ImgLib2 5.9 and newer, as it is (it asks scijava-common for
# ImgLib2's version first, which this classpath does not have).
if {imglib2_at_least(5, 9)!r}:
    jpype.JClass("net.imglib2.util.ImgUtil").copy(heap, scyjava.to_java(narr))
    np.testing.assert_array_equal(narr, np.arange(12).reshape(3, 4))
print("ok")
""")


# imglyb imported before JPype starts: its jars go onto the classpath JPype starts with, whichever
# way JPype is started, each only for a library that classpath lacks.
IMGLYB_FIRST_STARTS = {
    "jpype.startJVM()": "import jpype\njpype.startJVM()",
    "jpype.startJVM(classpath=...)": "import jpype\njpype.startJVM(classpath=[FIXTURES])",
    "-Djava.class.path": "import jpype\njpype.startJVM('-Djava.class.path=' + FIXTURES)",
    "scyjava.start_jvm()": (
        "import scyjava\nscyjava.config.set_java_constraints(fetch='never')\n"
        "scyjava.config.add_classpath(FIXTURES)\nscyjava.start_jvm()"
    ),
}


@pytest.mark.parametrize("start", list(IMGLYB_FIRST_STARTS))
def test_imglyb_imported_first_puts_its_jars_on_jpypes_classpath(start, fixture_classes):
    if start.startswith("scyjava"):
        pytest.importorskip("scyjava")
    code = f"""
import re
import numpy as np
import imglyb
FIXTURES = {fixture_classes!r}
{IMGLYB_FIRST_STARTS[start]}
import jpype
classpath = str(jpype.JClass("java.lang.System").getProperty("java.class.path")).split(":")
if "FIXTURES" in {IMGLYB_FIRST_STARTS[start]!r}:         # the user's own entries stay first
    assert classpath[0] == FIXTURES, classpath
info = imglyb.jvm_info()
assert not info["created_here"]
assert info["imglib2_location"] in imglyb.jars(), (info["imglib2_location"], imglyb.jars())
assert sum(re.fullmatch(r"imglib2(-[0-9].*)?[.]jar", e.rsplit("/", 1)[-1]) is not None for e in classpath) == 1, classpath
arr = np.arange(6, dtype=np.float32).reshape(2, 3)
img = imglyb.to_imglib(arr)
ra = img.randomAccess(); ra.setPosition(jpype.JArray(jpype.JLong)([2, 1])); ra.get().set(9.0)
assert arr[1, 2] == 9.0
print("ok")
"""
    run(code)


def test_imagej_init_order_with_fijis_imglib2_keeps_fijis(tmp_path):
    """A Fiji's jars/ (through scyjava, as imagej.init("Fiji.app") adds them) with its own
    ImgLib2: that one is used, and imglyb adds no second ImgLib2."""
    pytest.importorskip("scyjava")
    fiji_jar = tmp_path / "Fiji.app" / "jars" / "imglib2-8.0.1.jar"
    fiji_jar.parent.mkdir(parents=True)
    fiji_jar.write_bytes(pathlib.Path(IMGLIB2_JAR).read_bytes())
    run(f"""
import numpy as np
import imglyb, scyjava
scyjava.config.set_java_constraints(fetch="never")
scyjava.config.add_classpath({str(fiji_jar.parent / "*")!r})
scyjava.start_jvm()
import jpype
classpath = str(jpype.JClass("java.lang.System").getProperty("java.class.path")).split(":")
assert [e for e in classpath if "imglib2" in e.rsplit("/", 1)[-1]] == [{str(fiji_jar)!r}], classpath
assert imglyb.jvm_info()["imglib2_location"] == {str(fiji_jar)!r}
arr = np.zeros((2, 2))
assert np.shares_memory(imglyb.to_numpy(imglyb.to_imglib(arr)), arr)
print("ok")
""")


def test_jpype_started_without_imglib2_names_the_fix():
    """JPype first with no ImgLib2 on its classpath (imglyb imported after the start): the first
    imglyb call is an ImgLib2NotFoundError naming imglyb.jars(), not a NoClassDefFoundError, and
    every later call says the same."""
    result = run_python("""
import numpy as np
import jpype
jpype.startJVM()
import imglyb
for _ in range(2):
    try:
        imglyb.to_imglib(np.zeros((2, 3)))
    except imglyb.ImgLib2NotFoundError as e:
        assert "imglyb.jars()" in str(e) and "Import imglyb before JPype starts" in str(e), str(e)
        print("refused")
print("ok")
""")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split() == ["refused", "refused", "ok"], result.stdout


def test_jars_is_a_classpath_jpype_can_start_with():
    """The fix the error names: imglyb.jars() handed to JPype (here without importing imglyb
    first) gives a JVM imglyb works in."""
    import imglyb

    jars = imglyb.jars()
    assert any("imglib2" in os.path.basename(j) for j in jars), jars
    assert all(os.path.exists(j) for j in jars), jars
    run(f"""
import numpy as np
import jpype
jpype.startJVM(classpath={jars!r})
import imglyb
arr = np.ones((2, 3))
assert np.shares_memory(imglyb.to_numpy(imglyb.to_imglib(arr)), arr)
print("ok")
""")


def test_the_original_accesses_module_gives_jpype_objects_when_jpype_runs():
    """imglyb 2.x code under scyjava: imglyb.accesses.as_array_access returns a JPype object of
    ImgLib2's access, as 2.x did, holding the array's values."""
    pytest.importorskip("scyjava")
    result = run_python(
        """
import imglyb, scyjava, jpype, numpy as np
scyjava.start_jvm()
from imglyb import accesses
access = accesses.as_array_access(np.arange(4, dtype=np.float32) * 2, volatile=True)
assert isinstance(access, jpype.JObject), type(access)
assert str(access.getClass().getName()) == "net.imglib2.img.basictypeaccess.volatiles.array.VolatileFloatArray"
assert [access.getValue(i) for i in range(4)] == [0.0, 2.0, 4.0, 6.0] and access.isValid()
print("ok")
""",
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1] == "ok", result.stdout
