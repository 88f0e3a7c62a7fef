"""Wrapped arrays in modern ImgLib2 code, on whichever ImgLib2 the suite runs (ci/test runs it on
Debian's 4.5.0 and on 8.x from Maven Central): PrimitiveBlocks, SharedImgFactory's two shapes,
img.factory()/copy(), Views and Converters, LoopBuilder, pixel types matched by family,
imglib2-unsafe images viewed from NumPy, and slice assignment to Java arrays."""

import gc
import os
import pathlib
import weakref

import numpy as np
import pytest

import imglyb
from conftest import imglib2_at_least, run_python

L = lambda *v: imglyb.jarray("long", list(v))


def has_class(name: str) -> bool:
    try:
        imglyb.jimport(name)
        return True
    except imglyb.JavaException:
        return False


def collect(rounds: int = 3) -> None:
    System = imglyb.jimport("java.lang.System")
    for _ in range(rounds):
        gc.collect()
        System.gc()
        imglyb.jimport("java.lang.Thread").sleep(30)


# Layouts whose strides nest (a C-ordered block, or slices and steps of one) and layouts that are
# reversed, transposed or whose steps do not divide the row (docs/compatibility.md).
BASE = np.arange(7 * 9 * 11, dtype=np.float32).reshape(7, 9, 11)
BASE12 = np.arange(4 * 6 * 12, dtype=np.float32).reshape(4, 6, 12)
NESTED = {
    "c": BASE,
    "slice": BASE[1:6, 2:8, 3:9],
    "step": BASE[::2, 1::3, :],
    "step_x": BASE12[:, ::2, ::3],
    "flat": BASE.ravel()[5:50],
    "ones": BASE[3:4, :, 2:3],
}
PERMUTED = {
    "fortran": np.asfortranarray(BASE),
    "reversed": BASE[::-1, :, ::-1],
    "transposed": BASE.transpose(1, 0, 2),
    "odd_step": BASE[:, :, ::2],
}


def blocks_copy(blocks, v: np.ndarray, prim: str, pos=None, size=None) -> np.ndarray:
    size = list(size or v.shape[::-1])
    out = imglyb.jarray(prim, int(np.prod(size)))
    blocks.copy(L(*(pos or [0] * v.ndim)), out, imglyb.jarray("int", size))
    return np.asarray(out)


needs_blocks = pytest.mark.skipif(
    not imglib2_at_least(7, 1), reason="PrimitiveBlocks reads buffer accesses from ImgLib2 7.1.1 on"
)


@needs_blocks
@pytest.mark.parametrize("name", NESTED)
def test_primitive_blocks_copy_wrapped_arrays_without_fallback(name):
    PB = imglyb.jimport("net.imglib2.blocks.PrimitiveBlocks")
    FAIL = imglyb.jimport("net.imglib2.blocks.PrimitiveBlocks$OnFallback").FAIL
    v = NESTED[name]
    blocks = PB.of(imglyb.to_imglib(v), FAIL)  # FAIL: a fallback would raise
    np.testing.assert_array_equal(blocks_copy(blocks, v, "float").reshape(v.shape), v)
    # A block inside the image, at an offset.
    if v.ndim == 3 and min(v.shape) >= 3:
        got = blocks_copy(blocks, v, "float", pos=[1, 1, 1], size=[2, 2, 2]).reshape(2, 2, 2)
        np.testing.assert_array_equal(got, v[1:3, 1:3, 1:3])
    # NumPy writes are seen by the next copy: the blocks read the array's memory.
    v2 = v.copy()
    img = imglyb.to_imglib(v2)
    blocks = PB.of(img, FAIL)
    v2[(0,) * v2.ndim] = -5
    assert blocks_copy(blocks, v2, "float")[0] == -5


@needs_blocks
@pytest.mark.parametrize("dtype,prim", [(np.uint8, "byte"), (np.int16, "short"), (np.uint32, "int"),
                                        (np.int64, "long"), (np.float64, "double")])
def test_primitive_blocks_every_primitive(dtype, prim):
    PB = imglyb.jimport("net.imglib2.blocks.PrimitiveBlocks")
    FAIL = imglyb.jimport("net.imglib2.blocks.PrimitiveBlocks$OnFallback").FAIL
    v = (np.arange(80) % 97).astype(dtype).reshape(8, 10)[1::2, 2:]
    v.flags.writeable = False  # read-only arrays can be read in blocks too
    got = blocks_copy(PB.of(imglyb.to_imglib(v), FAIL), v, prim)
    np.testing.assert_array_equal(got.astype(np.int64).reshape(v.shape) if dtype != np.float64 else got.reshape(v.shape),
                                  v.astype(np.int64) if dtype != np.float64 else v)


@needs_blocks
@pytest.mark.parametrize("name", PERMUTED)
def test_primitive_blocks_of_other_layouts_fall_back_correctly(name):
    """ImgLib2 8.0.1 cannot permute or invert blocks read from a buffer access, and a step that
    does not divide the row is no view of one block, so these layouts use its fall-back
    (docs/compatibility.md); the values are still right."""
    PB = imglyb.jimport("net.imglib2.blocks.PrimitiveBlocks")
    ACCEPT = imglyb.jimport("net.imglib2.blocks.PrimitiveBlocks$OnFallback").ACCEPT
    v = PERMUTED[name]
    np.testing.assert_array_equal(blocks_copy(PB.of(imglyb.to_imglib(v), ACCEPT), v, "float").reshape(v.shape), v)


@needs_blocks
def test_primitive_blocks_keep_the_array_alive():
    PB = imglyb.jimport("net.imglib2.blocks.PrimitiveBlocks")
    FAIL = imglyb.jimport("net.imglib2.blocks.PrimitiveBlocks$OnFallback").FAIL
    arr = np.arange(64, dtype=np.float32).reshape(8, 8)
    ref = weakref.ref(arr)
    blocks = PB.of(imglyb.to_imglib(arr), FAIL)
    del arr
    collect()
    assert ref() is not None  # only the blocks (their buffer) reach the memory now
    np.testing.assert_array_equal(blocks_copy(blocks, np.empty((8, 8)), "float"), np.arange(64))
    del blocks
    for _ in range(20):
        collect(1)
        if ref() is None:
            break
    assert ref() is None


def test_shared_img_factory_has_both_shapes():
    Factory = imglyb.jimport("org.imglyb.img.SharedImgFactory")
    FloatType = imglyb.jimport("net.imglib2.type.numeric.real.FloatType")
    UnsignedByteType = imglyb.jimport("net.imglib2.type.numeric.integer.UnsignedByteType")
    f = Factory(FloatType())
    assert f.type().getClass().getName() == "net.imglib2.type.numeric.real.FloatType"
    made = [f.create(4, 3), f.create(imglyb.jarray("int", [4, 3])),
            f.create(imglyb.jimport("net.imglib2.FinalInterval")(L(4, 3))),
            Factory().create(L(4, 3), FloatType())]  # ImgLib2 4.5's shape
    for img in made:
        view = imglyb.to_numpy(img, copy=False)
        assert view.shape == (3, 4) and view.dtype == np.float32 and not view.any()
        ra = img.randomAccess()
        ra.setPosition(L(3, 2))
        ra.get().setReal(4.5)
        assert view[2, 3] == 4.5
    u8 = f.imgFactory(UnsignedByteType()).create(2, 2)
    assert imglyb.to_numpy(u8).dtype == np.uint8
    with pytest.raises(imglyb.JavaException, match="IllegalStateException"):
        Factory().create(4, 3)
    with pytest.raises(imglyb.JavaException, match="cannot store"):
        Factory(imglyb.jimport("net.imglib2.type.logic.BitType")())
    with pytest.raises(imglyb.JavaException, match="IncompatibleTypeException"):
        f.imgFactory(imglyb.jimport("net.imglib2.type.logic.BitType")())


@pytest.mark.parametrize("layout", ["c", "fortran", "step"])
def test_factory_create_and_copy_of_wrapped_arrays(layout):
    base = np.arange(30, dtype=np.int16).reshape(5, 6)
    a = {"c": base, "fortran": np.asfortranarray(base), "step": base[::2, ::-1]}[layout]
    img = imglyb.to_imglib(a)
    f = img.factory()
    assert f.type().getClass().getName() == "net.imglib2.type.numeric.integer.ShortType"
    made = f.create(7, 2)  # what modern algorithms call
    assert imglyb.to_numpy(made, copy=False).shape == (2, 7)
    copy = img.copy()
    back = imglyb.to_numpy(copy, copy=False)
    np.testing.assert_array_equal(back, a)
    assert not np.shares_memory(back, a)


def test_views_and_converters_of_wrapped_arrays():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    img = imglyb.to_imglib(a)
    Views = imglyb.jimport("net.imglib2.view.Views")
    np.testing.assert_array_equal(imglyb.to_numpy(Views.hyperSlice(img, 1, 2)), a[2])
    np.testing.assert_array_equal(imglyb.to_numpy(Views.permute(img, 0, 1)), a.T)
    np.testing.assert_array_equal(imglyb.to_numpy(Views.interval(img, L(1, 1), L(2, 2))), a[1:3, 1:3])
    Converters = imglyb.jimport("net.imglib2.converter.Converters")
    DoubleType = imglyb.jimport("net.imglib2.type.numeric.real.DoubleType")
    double = imglyb.jproxy("net.imglib2.converter.Converter", lambda x, y: y.setReal(2 * x.getRealDouble()))
    # convert(img, ...) is ambiguous in Java too (an Img is both a RandomAccessibleInterval and an
    # IterableInterval); through a RandomAccessible it is not.
    converted = Views.interval(Converters.convert(Views.extendBorder(img), double, DoubleType()), img)
    np.testing.assert_array_equal(imglyb.to_numpy(converted), 2 * a.astype(np.float64))


@pytest.mark.skipif(not imglib2_at_least(5, 0), reason="LoopBuilder and ImgUtil.copy(RAI, RAI) are ImgLib2 5+")
def test_loop_builder_and_imgutil_copy_on_wrapped_arrays():
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    b = np.zeros((3, 4), np.float32)[:, ::-1]  # a strided target
    ImgUtil = imglyb.jimport("net.imglib2.util.ImgUtil")
    ImgUtil.copy(imglyb.to_imglib(a), imglyb.to_imglib(b))
    np.testing.assert_array_equal(b, a)
    LoopBuilder = imglyb.jimport("net.imglib2.loops.LoopBuilder")
    out = np.zeros((3, 4), np.float32)
    add = imglyb.jproxy("net.imglib2.loops.LoopBuilder$TriConsumer",
                        lambda x, y, z: z.setReal(x.getRealDouble() + 10 * y.getRealDouble()))
    LoopBuilder.setImages(imglyb.to_imglib(a), imglyb.to_imglib(b), imglyb.to_imglib(out)).forEachPixel(add)
    np.testing.assert_array_equal(out, 11 * a)


_LOOP_BASE = np.arange(3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5)
LOOP_LAYOUTS = {
    "stepped": _LOOP_BASE[:, ::2, ::3],
    "reversed": _LOOP_BASE[::-1, ::-1, ::-1],
    "fortran": np.asfortranarray(_LOOP_BASE),
    "broadcast rows": np.broadcast_to(np.arange(4, dtype=np.float32).reshape(4, 1), (2, 4, 5)),
}


@pytest.mark.skipif(not imglib2_at_least(5, 0), reason="LoopBuilder is ImgLib2 5+")
@pytest.mark.parametrize("layout", list(LOOP_LAYOUTS))
def test_loop_builder_runs_its_cursor_loop_over_strided_layouts(layout):
    """LoopBuilder steps cursors only when it knows every image's cursor class to be fast
    (AbstractArrayCursor among them), and otherwise positions random accesses at every pixel.
    A strided layout's cursor is an AbstractArrayCursor, so it gets the cursor loop, and that loop
    visits every pixel in flat order, into a C-ordered and into a strided target."""
    view = LOOP_LAYOUTS[layout]
    img = imglyb.to_imglib(view)
    AbstractArrayCursor = imglyb.jimport("net.imglib2.img.array.AbstractArrayCursor")
    assert AbstractArrayCursor.class_.isInstance(img.cursor())
    LoopBuilder = imglyb.jimport("net.imglib2.loops.LoopBuilder")
    copy = imglyb.jproxy("java.util.function.BiConsumer", lambda a, b: b.setReal(a.getRealDouble()))
    for target in (np.zeros(view.shape, np.float64), np.zeros(view.shape[::-1], np.float64).T):
        LoopBuilder.setImages(img, imglyb.to_imglib(target)).forEachPixel(copy)
        np.testing.assert_array_equal(target, view)


@pytest.mark.parametrize("shorts,dtype", [(False, np.float32), (True, np.uint16)])
def test_subclasses_of_table_types_convert_by_family(shorts, dtype):
    Variants = imglyb.jimport("imglyb.fixtures.Variants")
    img = Variants.computed(4, 3, shorts)
    arr = imglyb.to_numpy(img)
    y, x = np.mgrid[0:3, 0:4]
    assert arr.dtype == dtype
    np.testing.assert_array_equal(arr, (x + 10 * y).astype(dtype))


@pytest.mark.skipif(not imglib2_at_least(5, 6), reason="NativeBoolType is ImgLib2 5.6+")
def test_native_bool_type_images_come_back_as_bool():
    bools = imglyb.jimport("net.imglib2.img.array.ArrayImgs").booleans(L(4))
    ra = bools.randomAccess()
    ra.setPosition(L(1))
    ra.get().set(True)
    back = imglyb.to_numpy(bools)
    assert back.dtype == bool and back.tolist() == [False, True, False, False]


def _unsafe_jar() -> pathlib.Path:
    folder = pathlib.Path(os.environ.get("IMGLYB_TEST_JARS", pathlib.Path(__file__).resolve().parents[2] / "target" / "jars"))
    found = sorted(folder.glob("imglib2-unsafe-*.jar"))
    if not found:
        pytest.fail(f"imglib2-unsafe is not in {folder}: run ./ci/setup, which fetches it from Maven Central")
    return found[-1]


@pytest.mark.skipif(not imglib2_at_least(7, 0), reason="imglib2-unsafe 1.1.0 is built against ImgLib2 7")
def test_imglib2_unsafe_images_are_writable_views(fixture_classes):
    """The original imglyb's fixture: UnsafeImgs images, whose pixel types are variants of the
    table's, come back as writable NumPy views of their native memory."""
    r = run_python(f"""
        import numpy as np, imglyb, os
        cp = [e for e in os.environ.get("IMGLYB_CLASSPATH", "").split(os.pathsep) if e]
        imglyb.start_jvm(classpath=[{str(_unsafe_jar())!r}, *cp], options=["-Xcheck:jni"])
        U = imglyb.jimport("net.imglib2.img.unsafe.UnsafeImgs")
        # Not U.longs: imglib2-unsafe 1.1.0's OwningLongUnsafe allocates 4 bytes per pixel, not 8,
        # so writing its last pixels (with ImgLib2's own cursor, no imglyb involved) corrupts the
        # native heap on every JDK; glibc aborted about one run in six on JDK 25.
        for make, dtype in ((U.floats, np.float32), (U.unsignedBytes, np.uint8), (U.ints, np.int32),
                            (U.doubles, np.float64), (U.unsignedShorts, np.uint16)):
            img = make(imglyb.jarray("long", [4, 3]))
            v = imglyb.to_numpy(img, copy=False)
            assert v.dtype == dtype and v.shape == (3, 4) and v.flags.writeable, (make, v.dtype)
            v[2, 3] = 7
            ra = img.randomAccess()
            ra.setPosition(imglyb.jarray("long", [3, 2]))
            assert ra.get().getRealDouble() == 7
            ra.setPosition(imglyb.jarray("long", [1, 0]))
            ra.get().setReal(5)
            assert v[0, 1] == 5
        print("ok")
    """, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["ok"]


def test_java_arrays_take_slice_assignment():
    dims = imglyb.jarray("long", [0, 0, 0])
    dims[:] = [1, 1, 1]
    assert list(dims) == [1, 1, 1]
    dims[1:3] = (7, 8)
    assert list(dims) == [1, 7, 8]
    dims[::-1] = np.array([3, 2, 1])
    assert list(dims) == [1, 2, 3]
    names = imglyb.jarray("java.lang.String", ["a", "b", "c"])
    names[::2] = ["x", "z"]
    assert list(names) == ["x", "b", "z"]
    # Nothing is written unless every value fits.
    with pytest.raises(ValueError, match="length is fixed"):
        dims[:] = [9, 9]
    with pytest.raises(TypeError):
        dims[0:2] = [5, "not a number"]
    with pytest.raises(TypeError, match="iterable"):
        dims[:] = 5
    assert list(dims) == [1, 2, 3]
