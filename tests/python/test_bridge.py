"""Java objects from Python: classes, objects, overloads, conversions, arrays, exceptions, proxies.

Everything runs against the session JVM (real ImgLib2, -Xcheck:jni) and the fixture classes
compiled from tests/java; the leak test runs in a fresh process with a small, pre-touched heap.
"""

import gc
import sys
import threading
import time
import weakref

import numpy as np
import pytest

import imglyb
from conftest import run_python

FIXTURE = "imglyb.fixtures.Fixture"


@pytest.fixture(scope="module")
def Fixture():
    return imglyb.jimport(FIXTURE)


@pytest.fixture(scope="module")
def Integer():
    return imglyb.jimport("java.lang.Integer")


# --- classes -----------------------------------------------------------------------------------


def test_parse_int(Integer):
    assert Integer.parseInt("42") == 42
    assert type(Integer.parseInt("42")) is int


def test_parse_int_failure_is_a_java_exception(Integer):
    with pytest.raises(imglyb.JavaException) as info:
        Integer.parseInt("x")
    e = info.value
    assert isinstance(e, imglyb.ImglybError)
    assert e.java_class == "java.lang.NumberFormatException"
    assert e.message == 'For input string: "x"'
    assert "java.lang.NumberFormatException" in str(e) and '"x"' in str(e)
    assert "at java.lang.Integer.parseInt" in e.stacktrace or "Integer.parseInt" in e.stacktrace
    # The throwable is a live proxy of the same exception.
    assert imglyb.jinstance(e.throwable, "java.lang.IllegalArgumentException")
    assert e.throwable.getMessage() == e.message


def test_class_proxy_constructs_and_describes_itself():
    ArrayList = imglyb.jimport("java.util.ArrayList")
    assert repr(ArrayList) == "<java class 'java.util.ArrayList'>"
    assert ArrayList.__javaname__ == "java.util.ArrayList"
    a = ArrayList()
    assert repr(a) == "<java object 'java.util.ArrayList'>"
    assert isinstance(a, imglyb.JavaObject)
    assert isinstance(a, ArrayList)
    assert not isinstance(imglyb.jimport("java.util.HashMap")(), ArrayList)
    assert ArrayList.class_.getName() == "java.util.ArrayList"
    assert "add" in dir(a) and "ensureCapacity" in dir(a)
    assert imglyb.jimport("java.util.ArrayList") == ArrayList


def test_jimport_errors():
    with pytest.raises(imglyb.JavaException) as info:
        imglyb.jimport("no.such.Klass")
    assert info.value.java_class == "java.lang.ClassNotFoundException"
    with pytest.raises(ValueError):
        imglyb.jimport("java/util/ArrayList")
    with pytest.raises(TypeError):
        imglyb.jimport(42)


def test_static_fields_read_and_write(Fixture, Integer):
    assert Integer.MAX_VALUE == 2**31 - 1
    assert Fixture.CONSTANT == 7
    before = Fixture.counter
    Fixture.counter = before + 5
    assert Fixture.counter == before + 5
    # Written on the Java side: a Java read sees it too.
    assert Fixture.class_.getField("counter").get(None) == before + 5
    Fixture.label = "changed"
    assert Fixture.label == "changed"
    Fixture.label = None
    assert Fixture.label is None
    with pytest.raises(TypeError):
        Fixture.counter = "not a number"
    with pytest.raises(TypeError):
        Fixture.counter = 2**31
    assert Fixture.counter == before + 5
    with pytest.raises((ValueError, AttributeError)):
        Fixture.CONSTANT = 8
    assert Fixture.CONSTANT == 7
    with pytest.raises(AttributeError):
        Fixture.noSuchMember


def test_nested_classes():
    Entry = imglyb.jimport("java.util.AbstractMap$SimpleEntry")
    e = Entry("key", 3)
    assert e.getKey() == "key" and e.getValue() == 3
    assert str(e) == "key=3"
    # The dotted spelling finds the same nested class.
    assert imglyb.jimport("java.util.AbstractMap.SimpleEntry") == Entry
    Square = imglyb.jimport(FIXTURE + "$Square")
    assert Square(3.0).area() == 9.0


# --- objects -----------------------------------------------------------------------------------


def test_public_instance_fields(Fixture):
    f = Fixture("mine")
    assert f.name == "mine"
    assert f.value == 0.0
    f.value = 2.5
    assert f.value == 2.5
    with pytest.raises(TypeError):
        f.value = "x"
    with pytest.raises((ValueError, AttributeError)):
        f.name = "other"
    assert f.name == "mine"
    Point = imglyb.jimport("java.awt.Point")
    p = Point(1, 2)
    p.x = 5
    assert p.getX() == 5.0 and str(p) == "java.awt.Point[x=5,y=2]"


def test_str_repr_eq_hash():
    String = imglyb.jimport("java.lang.StringBuilder")
    sb = String("abc")
    assert str(sb) == "abc"
    assert repr(sb) == "<java object 'java.lang.StringBuilder'>"
    ArrayList = imglyb.jimport("java.util.ArrayList")
    a, b = ArrayList(), ArrayList()
    a.add(1)
    b.add(1)
    assert a == b and not (a != b)  # equals, not identity
    assert hash(a) == a.hashCode() == hash(b)
    b.add(2)
    assert a != b
    assert {a: "x"}[a] == "x"
    assert (a == "not java") is False


def test_jinstance(Integer, Fixture):
    big = imglyb.jimport("java.math.BigInteger")("12345")
    assert imglyb.jinstance(big, "java.lang.Number")
    assert imglyb.jinstance(big, imglyb.jimport("java.lang.Comparable"))
    assert not imglyb.jinstance(big, "java.lang.CharSequence")
    assert not imglyb.jinstance(3, "java.lang.Number")  # a Python int is not a Java object
    assert imglyb.jinstance(Fixture.square(2.0), FIXTURE + "$Shape")
    with pytest.raises(TypeError):
        imglyb.jinstance(big, 3)


def test_inherited_interface_and_default_methods(Fixture):
    shape = Fixture.square(2.0)
    assert shape.area() == 4.0
    assert shape.describe() == "Square of area 4.0"  # a default method of the interface
    m = imglyb.jimport("java.util.HashMap")()
    m.put("a", 1)
    assert m.getOrDefault("a", 0) == 1  # Map.getOrDefault is a default method
    assert m.getOrDefault("b", 0) == 0
    seen = []
    lst = imglyb.jimport("java.util.ArrayList")()
    lst.add("x")
    lst.add("y")
    lst.forEach(imglyb.jproxy("java.util.function.Consumer", seen.append))  # Iterable.forEach
    assert seen == ["x", "y"]
    assert lst.getClass().getName() == "java.util.ArrayList"  # inherited from Object


def test_runtime_class_lookup_on_imglib2_generics():
    ArrayImgs = imglyb.jimport("net.imglib2.img.array.ArrayImgs")
    img = ArrayImgs.floats(imglyb.jarray("long", [4, 3]))
    ra = img.randomAccess()
    ra.setPosition(imglyb.jarray("long", [1, 2]))
    # get() erases to Object; the FloatType behind it is still usable.
    ra.get().setReal(2.5)
    assert ra.get().getRealDouble() == 2.5
    assert ra.get().getClass().getName() == "net.imglib2.type.numeric.real.FloatType"
    ra.setPosition(imglyb.jarray("long", [0, 0]))
    assert ra.get().getRealDouble() == 0.0
    ra.setPosition(imglyb.jarray("long", [1, 2]))
    assert ra.get().get() == 2.5


# --- overloads and varargs ---------------------------------------------------------------------


def test_views_rotate_picks_the_interval_overload():
    ArrayImgs = imglyb.jimport("net.imglib2.img.array.ArrayImgs")
    Views = imglyb.jimport("net.imglib2.view.Views")
    img = ArrayImgs.floats(4, 3)
    rotated = Views.rotate(img, 0, 1)
    assert imglyb.jinstance(rotated, "net.imglib2.RandomAccessibleInterval")
    assert [rotated.dimension(0), rotated.dimension(1)] == [3, 4]
    # rotate(0 -> 1) maps (x, y) to (-y, x): pixel (x, y) of the image is at (-y, x) in the view.
    assert [rotated.min(0), rotated.max(0), rotated.min(1), rotated.max(1)] == [-2, 0, 0, 3]
    ra = img.randomAccess()
    ra.setPosition(imglyb.jarray("long", [3, 1]))
    ra.get().setReal(7.0)
    rra = rotated.randomAccess()
    rra.setPosition(imglyb.jarray("long", [-1, 3]))
    assert rra.get().getRealDouble() == 7.0


def test_varargs_spread_or_array(Fixture):
    ArrayImgs = imglyb.jimport("net.imglib2.img.array.ArrayImgs")
    img = ArrayImgs.floats(4, 3)
    assert [img.dimension(0), img.dimension(1)] == [4, 3]
    img2 = ArrayImgs.doubles(imglyb.jarray("long", [2, 5]))
    assert [img2.dimension(0), img2.dimension(1)] == [2, 5]
    assert Fixture.sum() == 0
    assert Fixture.sum(1, 2, 3) == 6
    assert Fixture.sum(imglyb.jarray("int", [4, 5])) == 9
    assert Fixture.sum([4, 5, 6]) == 15
    assert Fixture.join("-", "a", "b", "c") == "a-b-c"
    assert Fixture.join("-") == ""


def test_calls_with_more_arguments_than_are_held_in_place():
    """Up to four converted arguments are held in place; a fifth moves them all to the heap. Both
    paths, for a method with one overload and for an overloaded one, and a refused last argument
    that leaves the next call unharmed."""
    System = imglyb.jimport("java.lang.System")
    src = imglyb.jarray("int", [1, 2, 3, 4])
    dst = imglyb.jarray("int", [0, 0, 0, 0, 0])
    System.arraycopy(src, 1, dst, 2, 3)
    assert list(dst) == [0, 0, 2, 3, 4]
    Arrays = imglyb.jimport("java.util.Arrays")  # equals(a, from, to, b, from, to): nine overloads
    assert Arrays.equals(src, 1, 4, dst, 2, 5) is True
    assert Arrays.equals(src, 0, 3, dst, 2, 5) is False
    with pytest.raises(TypeError):
        Arrays.equals(src, 1, 4, dst, 2, "five")
    assert Arrays.equals(src, 1, 4, dst, 2, 5) is True
    assert Arrays.equals(src, src) is True


def test_set_position_with_a_long_array():
    ArrayImgs = imglyb.jimport("net.imglib2.img.array.ArrayImgs")
    ra = ArrayImgs.floats(4, 3).randomAccess()
    ra.setPosition(imglyb.jarray("long", [3, 2]))
    assert (ra.getLongPosition(0), ra.getLongPosition(1)) == (3, 2)
    ra.setPosition(imglyb.jarray("int", [1, 1]))
    assert (ra.getIntPosition(0), ra.getIntPosition(1)) == (1, 1)
    ra.setPosition(2, 0)  # setPosition(int, int) or (long, int): both place dimension 0 at 2
    assert ra.getLongPosition(0) == 2


def test_overload_choice(Fixture):
    # Equally good primitive matches: the widest wins.
    assert Fixture.pick(3) == "long"
    assert Fixture.pick(2.5) == "double"
    assert Fixture.pick(2**40) == "long"
    # A str goes to the most specific reference type.
    assert Fixture.pick("s") == "String"
    assert Fixture.pick(imglyb.jimport("java.math.BigInteger")("5")) == "Number"
    assert Fixture.pick(imglyb.jimport("java.lang.StringBuilder")("s")) == "CharSequence"
    assert Fixture.pick(imglyb.jimport("java.util.HashMap")()) == "Object"
    assert Fixture.pick(imglyb.jarray("int", [1])) == "int[]"
    assert Fixture.pick(imglyb.jarray("long", [1])) == "long[]"
    assert Fixture.pick(imglyb.jimport("java.util.ArrayList")()) == "List"
    assert Fixture.narrow(3) == "short"
    # Math.abs: exact results for int, long, double.
    Math = imglyb.jimport("java.lang.Math")
    assert Math.abs(-5) == 5
    assert Math.abs(-(2**40)) == 2**40
    assert Math.abs(-2.5) == 2.5
    assert Math.max(1, 2**40) == 2**40


def test_null_is_accepted_by_reference_overloads(Fixture):
    assert Fixture.nullable(None) == "null"
    assert Fixture.nullable("s") == "java.lang.String"
    assert Fixture.nullable(3) == "java.lang.Integer"  # an int that fits 32 bits boxes as Integer
    assert Fixture.nullable(2**40) == "java.lang.Long"
    assert Fixture.nullable(2.5) == "java.lang.Double"
    assert Fixture.nullable(True) == "java.lang.Boolean"


def test_no_overload_lists_the_candidates(Fixture):
    Math = imglyb.jimport("java.lang.Math")
    with pytest.raises(TypeError) as info:
        Math.abs("x")
    text = str(info.value)
    for sig in ("abs(int)", "abs(long)", "abs(float)", "abs(double)"):
        assert sig in text
    assert "str" in text
    with pytest.raises(TypeError, match="onlyInt"):
        Fixture.onlyInt(1, 2)
    assert Math.abs.signatures == [
        "static int abs(int)",
        "static long abs(long)",
        "static float abs(float)",
        "static double abs(double)",
    ]


def test_a_method_object_is_the_same_call_by_every_protocol():
    """JavaMethod is called through vectorcall (its argument array) and through tp_call (a tuple,
    as functools.partial and map pass them): both give the same result and the same errors, and
    a bound method keeps its object alive."""
    import functools

    Math = imglyb.jimport("java.lang.Math")
    String = imglyb.jimport("java.lang.String")
    m = Math.max
    assert isinstance(m, imglyb.JavaMethod)
    assert type(m).__module__ == "imglyb" and repr(m) == "<java method java.lang.Math.max (4 overloads)>"
    assert m(3, 4) == type(m).__call__(m, 3, 4) == functools.partial(m, 3)(4) == 4
    assert list(map(Math.abs, [-1, -2.5])) == [1, 2.5]
    # More arguments than the stack holds, through both protocols.
    fmt = String.format
    args = ("%s-%s-%s-%s-%s", "a", "b", "c", "d", "e")
    assert fmt(*args) == type(fmt).__call__(fmt, *args) == "a-b-c-d-e"
    for call in (lambda: m(a=1), lambda: type(m).__call__(m, 3, b=4)):
        with pytest.raises(TypeError, match="no keyword arguments"):
            call()
    with pytest.raises(TypeError, match="cannot be made directly"):
        imglyb.JavaMethod()
    if sys.version_info >= (3, 10):  # immutable types came with 3.10
        with pytest.raises(TypeError):
            type(m).__call__ = lambda *a: None
    items = imglyb.jimport("java.util.ArrayList")()
    add, size = items.add, items.size
    ref = weakref.ref(items)
    del items
    gc.collect()
    assert ref() is None  # the proxy went; the method holds the Java object itself
    assert add("x") and add("y") and size() == 2


# --- conversions -------------------------------------------------------------------------------


def test_int_range_is_checked_never_truncated(Fixture, Integer):
    assert Fixture.onlyInt(2**31 - 1) == f"int {2**31 - 1}"
    assert Fixture.onlyInt(-(2**31)) == f"int {-(2**31)}"
    for bad in (2**31, -(2**31) - 1, 2**63, 2**100):
        with pytest.raises(TypeError):
            Fixture.onlyInt(bad)
    assert Fixture.onlyByte(-128) == "byte -128"
    with pytest.raises(TypeError):
        Fixture.onlyByte(128)
    with pytest.raises(TypeError):
        Integer.valueOf(2**40)
    with pytest.raises(TypeError):
        imglyb.jarray("int", [1, 2**31])
    with pytest.raises(TypeError):
        imglyb.jarray("byte", [300])
    Long = imglyb.jimport("java.lang.Long")
    assert Long.valueOf(2**63 - 1) == 2**63 - 1
    with pytest.raises(TypeError):
        Long.valueOf(2**63)


def test_primitive_calls_convert_alike_on_first_and_cached_calls():
    """Calls whose overload has only primitive parameters take a lean path once the overload is
    known (the sole one, or cached by the first call): each case runs three times, and the
    first (resolving), the later (cached) and NumPy scalars (the general path) agree, values
    at the types' edges included, and so do the refusals."""
    import struct

    J = imglyb.jimport
    Byte, Short, Long = J("java.lang.Byte"), J("java.lang.Short"), J("java.lang.Long")
    Float, Double, Boolean, Math = J("java.lang.Float"), J("java.lang.Double"), J("java.lang.Boolean"), J("java.lang.Math")
    bits32 = lambda x: struct.unpack("<i", struct.pack("<f", x))[0]  # noqa: E731
    bits64 = lambda x: struct.unpack("<q", struct.pack("<d", x))[0]  # noqa: E731
    cases = [
        (Byte.toUnsignedInt, (-1,), 255),
        (Byte.toUnsignedInt, (-128,), 128),
        (Short.toUnsignedInt, (-1,), 65535),
        (J("java.lang.Integer").bitCount, (-1,), 32),
        (Long.bitCount, (-(2**63),), 1),
        (Float.floatToIntBits, (1.5,), bits32(1.5)),
        (Float.floatToIntBits, (2,), bits32(2.0)),
        (Double.doubleToLongBits, (3,), bits64(3.0)),
        (Double.doubleToLongBits, (-0.0,), bits64(-0.0)),
        (Boolean.logicalXor, (True, False), True),
        (Math.abs, (-5,), 5),
        (Math.abs, (-2.5,), 2.5),
        (Math.max, (2**40, 1), 2**40),
        (Math.max, (1, 2.5), 2.5),
        (Math.max, (-1, 2), 2),
    ]
    for f, args, expected in cases:
        for _ in range(3):
            got = f(*args)
            assert got == expected and type(got) is type(expected), (f, args, got)
    assert Math.abs(np.int32(-5)) == 5 and Math.max(np.float64(1.0), 2) == 2.0
    assert Float.floatToIntBits(np.float32(1.5)) == bits32(1.5)
    refused = [
        (Byte.toUnsignedInt, (128,)),
        (Short.toUnsignedInt, (32768,)),
        (Long.bitCount, (2**63,)),
        (Float.floatToIntBits, (1e300,)),
        (Boolean.logicalXor, (1, 0)),
        (J("java.lang.Integer").bitCount, (True,)),
        (J("java.lang.Integer").bitCount, (1.0,)),
    ]
    for f, args in refused:
        for _ in range(2):
            with pytest.raises(TypeError):
                f(*args)
    # Instance methods, on the object and through the class with the object first.
    BitSet = J("java.util.BitSet")
    bs = BitSet()
    bs.set(1, 4)
    bs.set(7, True)
    assert [bs.get(i) for i in range(9)] == [False, True, True, True, False, False, False, True, False]
    assert BitSet.get(bs, 7) is True and bs.cardinality() == 4 and BitSet.cardinality(bs) == 4
    with pytest.raises(TypeError, match="needs a java.util.BitSet"):
        BitSet.get(5, 7)
    # Plain numbers for an overload with an object parameter: the cache's overload, found by the
    # lean path's look-up, serves the general path (boxing), on every call alike.
    items = J("java.util.ArrayList")()
    for v in (1, 2.5, True, 2**40) * 3:
        assert items.add(v) is True
    assert list(items) == [1, 2.5, True, 2**40] * 3
    assert [type(x) for x in items] == [int, float, bool, int] * 3
    # Constructors take the same path: BitSet() and BitSet(int) resolve, then come from the cache.
    for _ in range(3):
        assert BitSet().size() == 64 and BitSet(200).size() == 256
        with pytest.raises(TypeError):
            BitSet(2**40)


def test_scalar_conversions(Fixture):
    assert Fixture.onlyChar("x") == "char x"
    with pytest.raises(TypeError):
        Fixture.onlyChar("xy")
    assert Fixture.onlyFloat(1.5) == "float 1.5"
    assert Fixture.onlyFloat(2) == "float 2.0"  # int widens to float
    assert Fixture.onlyBoxed(4) == "Integer 4"
    assert Fixture.onlyBoxed(None) == "Integer null"
    with pytest.raises(TypeError):
        Fixture.onlyInt(1.5)  # no silent float -> int
    with pytest.raises(TypeError):
        Fixture.onlyInt("1")
    Boolean = imglyb.jimport("java.lang.Boolean")
    assert Boolean.valueOf(True) is True
    assert Boolean.toString(False) == "false"
    String = imglyb.jimport("java.lang.String")
    s = String.valueOf("héllo ☃ 𝄞")
    assert s == "héllo ☃ 𝄞" and type(s) is str  # strings come back as Python str
    assert String.valueOf(2.5) == "2.5"
    # Boxed values come back as Python values.
    lst = imglyb.jimport("java.util.ArrayList")()
    lst.add(7)
    lst.add(2.5)
    lst.add(True)
    lst.add(None)
    assert [type(v) for v in lst] == [int, float, bool, type(None)]


def test_lists_and_tuples(Fixture):
    assert Fixture.size([1, 2, 3]) == 3
    assert Fixture.size(("a", "b")) == 2
    assert Fixture.total([1.0, 2.5, 3]) == 6.5
    assert Fixture.total((1, 2)) == 3.0
    assert list(Fixture.twice([1, 2, 2**40])) == [2, 4, 2**41]
    Arrays = imglyb.jimport("java.util.Arrays")
    assert Arrays.asList("a", "b").size() == 2
    with pytest.raises(TypeError):
        Fixture.total(["a"])


def test_numpy_arrays_become_java_arrays_by_copy(Fixture):
    a = np.array([1.0, 2.0, 3.5])
    assert Fixture.total(a) == 6.5
    longs = np.array([1, 2, 3], dtype=np.int64)
    out = Fixture.twice(longs)
    assert list(out) == [2, 4, 6]
    assert longs.tolist() == [1, 2, 3]
    strided = np.arange(10, dtype=np.float64)[::2]
    assert Fixture.total(strided) == 20.0
    j = imglyb.jarray("double", np.array([1.5, 2.5]))
    assert list(j) == [1.5, 2.5]
    with pytest.raises(TypeError):
        Fixture.total(np.zeros((2, 2)))  # a 2-d array is not a double[]


def test_arraylist_round_trip():
    ArrayList = imglyb.jimport("java.util.ArrayList")
    values = [1, -2**40, 2.5, "text", True, None]
    a = ArrayList()
    for v in values:
        assert a.add(v) is True
    assert len(a) == a.size() == len(values)
    assert list(a) == values
    assert a.get(3) == "text" and a[3] == "text" and a[-1] is None
    assert a[1:3] == [-2**40, 2.5]
    a[0] = "first"
    assert a.get(0) == "first"
    assert "text" in a and "nope" not in a
    b = ArrayList(a)  # the copy constructor takes the Collection
    assert b == a
    with pytest.raises(IndexError):
        a[len(values)]
    with pytest.raises(imglyb.JavaException) as info:
        a.get(100)
    assert info.value.java_class == "java.lang.IndexOutOfBoundsException"


def test_map_iterator_iterable_protocols():
    HashMap = imglyb.jimport("java.util.TreeMap")
    m = HashMap()
    m["b"] = 2
    m.put("a", 1)
    assert len(m) == 2 and m["a"] == 1 and "b" in m and "c" not in m
    assert list(m) == ["a", "b"]
    with pytest.raises(KeyError):
        m["c"]
    it = m.keySet().iterator()
    assert list(it) == ["a", "b"]
    ArrayImgs = imglyb.jimport("net.imglib2.img.array.ArrayImgs")
    img = ArrayImgs.doubles(imglyb.jarray("double", [1.0, 2.0, 3.0]), 3)
    # An image iterates along its first NumPy axis, like an array (imglyb.arraylike); its pixels,
    # as the Java Iterable it also is, come from its iterator.
    assert [float(v) for v in img] == [1.0, 2.0, 3.0]
    assert [t.getRealDouble() for t in img.iterator()] == [1.0, 2.0, 3.0]
    assert bool(imglyb.jimport("java.util.ArrayList")()) is False


def test_arrays(Fixture):
    a = imglyb.jarray("long", [3, 4])
    assert len(a) == 2 and a[0] == 3 and a[-1] == 4
    a[1] = 2**40
    assert list(a) == [3, 2**40]
    with pytest.raises(TypeError):
        a[0] = 2**63
    with pytest.raises(IndexError):
        a[2]
    assert imglyb.jinstance(a, "[J")
    z = imglyb.jarray("double", 10)
    assert len(z) == 10 and list(z) == [0.0] * 10
    s = imglyb.jarray("java.lang.String", ["a", "b"])
    assert list(s) == ["a", "b"] and s.getClass().getName() == "[Ljava.lang.String;"
    empty = imglyb.jarray(imglyb.jimport("java.lang.Object"), 3)
    assert list(empty) == [None, None, None]
    with pytest.raises(ValueError):
        imglyb.jarray("int", -1)
    with pytest.raises(imglyb.JavaException):
        imglyb.jarray("no.such.Element", 2)
    g = Fixture.grid(2, 3)
    assert len(g) == 2 and list(g[1]) == [10, 11, 12]
    for kind, dtype in [
        ("boolean", np.bool_),
        ("byte", np.int8),
        ("char", np.uint16),
        ("short", np.int16),
        ("int", np.int32),
        ("long", np.int64),
        ("float", np.float32),
        ("double", np.float64),
    ]:
        arr = np.asarray(imglyb.jarray(kind, 4))
        assert arr.dtype == dtype, kind
        assert arr.shape == (4,)


def test_imgutil_copy_then_asarray():
    ArrayImgs = imglyb.jimport("net.imglib2.img.array.ArrayImgs")
    ImgUtil = imglyb.jimport("net.imglib2.util.ImgUtil")
    img = ArrayImgs.floats(imglyb.jarray("long", [4, 3]))
    ra = img.randomAccess()
    for y in range(3):
        for x in range(4):
            ra.setPosition(imglyb.jarray("long", [x, y]))
            ra.get().setReal(10 * y + x)
    n = 12
    dest = imglyb.jarray("double", n)
    ImgUtil.copy(img, dest, 0, imglyb.jarray("int", [1, 4]))
    out = np.asarray(dest)
    assert out.dtype == np.float64
    assert out.reshape(3, 4).tolist() == [[10.0 * y + x for x in range(4)] for y in range(3)]
    # asarray is a copy, never a view of Java memory.
    out[0] = -1
    assert dest[0] == 0.0


# --- proxies -----------------------------------------------------------------------------------


def test_runnable_proxy_on_a_java_thread():
    Thread = imglyb.jimport("java.lang.Thread")
    ran = []

    class Job:
        def run(self):
            ran.append(Thread.currentThread().getName())

    t = Thread(imglyb.jproxy("java.lang.Runnable", Job()), "imglyb-test-thread")
    t.start()
    t.join(10_000)
    assert ran == ["imglyb-test-thread"]


def test_comparator_proxy_sorts():
    Collections = imglyb.jimport("java.util.Collections")
    lst = imglyb.jimport("java.util.ArrayList")()
    for w in ["pear", "fig", "banana", "kiwi"]:
        lst.add(w)
    by_length = imglyb.jproxy("java.util.Comparator", lambda a, b: len(a) - len(b))
    Collections.sort(lst, by_length)
    assert list(lst) == ["fig", "pear", "kiwi", "banana"]
    assert imglyb.jinstance(by_length, "java.util.Comparator")
    assert by_length.compare("aa", "b") == 1
    assert "Comparator" in str(by_length) or "proxy" in str(by_length).lower()
    assert by_length == by_length and hash(by_length) == hash(by_length)


def test_eight_java_threads_call_one_proxy(Fixture):
    seen = set()
    lock = threading.Lock()
    Thread = imglyb.jimport("java.lang.Thread")

    def square(i):
        with lock:
            seen.add(Thread.currentThread().getName())
        return i * i

    f = imglyb.jproxy("java.util.function.IntUnaryOperator", square)
    each = 500
    total = Fixture.hammer(f, 8, each)
    assert total == 8 * sum(i * i for i in range(each))
    assert len(seen) == 8 and all(name.startswith("pool-") for name in seen)


def test_python_exception_becomes_java_and_back():
    Collections = imglyb.jimport("java.util.Collections")
    lst = imglyb.jimport("java.util.ArrayList")()
    lst.add(1)
    lst.add(2)

    def bad(a, b):
        raise ValueError("boom from python")

    with pytest.raises(imglyb.JavaException) as info:
        Collections.sort(lst, imglyb.jproxy("java.util.Comparator", bad))
    e = info.value
    assert e.java_class == "java.lang.RuntimeException"
    assert "ValueError: boom from python" in e.message
    assert "Traceback" in e.message and "in bad" in e.message
    assert "Collections.sort" in e.stacktrace or "sort" in e.stacktrace

    # Java sees a RuntimeException carrying the traceback text.
    Fixture = imglyb.jimport(FIXTURE)

    def fail():
        raise KeyError("missing")

    msg = Fixture.catching(imglyb.jproxy("java.lang.Runnable", fail))
    assert msg.startswith("java.lang.RuntimeException: ") and "KeyError: 'missing'" in msg

    # A Java exception raised inside a callback reaches Java as itself, then Python again.
    Integer = imglyb.jimport("java.lang.Integer")
    with pytest.raises(imglyb.JavaException) as info:
        Collections.sort(lst, imglyb.jproxy("java.util.Comparator", lambda a, b: Integer.parseInt("x")))
    assert info.value.java_class == "java.lang.NumberFormatException"


def test_proxy_return_values_are_checked():
    Collections = imglyb.jimport("java.util.Collections")
    lst = imglyb.jimport("java.util.ArrayList")()
    lst.add(1)
    lst.add(2)
    with pytest.raises(imglyb.JavaException) as info:
        Collections.sort(lst, imglyb.jproxy("java.util.Comparator", lambda a, b: "not an int"))
    assert info.value.java_class in ("java.lang.RuntimeException", "java.lang.ClassCastException")
    with pytest.raises(imglyb.JavaException):
        Collections.sort(lst, imglyb.jproxy("java.util.Comparator", lambda a, b: 2**40))


def test_jproxy_errors():
    with pytest.raises(TypeError):
        imglyb.jproxy("java.util.ArrayList", lambda: None)  # a class, not an interface
    with pytest.raises(imglyb.JavaException):
        imglyb.jproxy("no.such.Interface", lambda: None)
    with pytest.raises(TypeError):
        imglyb.jproxy(3, lambda: None)


def test_proxy_keeps_python_alive_while_java_holds_it():
    class Impl:
        def run(self):
            self.ran = True

    impl = Impl()
    ref = weakref.ref(impl)
    holder = imglyb.jimport("java.util.ArrayList")()
    holder.add(imglyb.jproxy("java.lang.Runnable", impl))
    del impl
    System = imglyb.jimport("java.lang.System")
    for _ in range(3):
        gc.collect()
        System.gc()
        time.sleep(0.05)
    assert ref() is not None  # Java still holds the proxy
    holder.get(0).run()
    assert ref().ran is True

    holder.clear()
    deadline = time.monotonic() + 20
    while ref() is not None and time.monotonic() < deadline:
        gc.collect()
        System.gc()
        time.sleep(0.05)
    assert ref() is None, "the implementation was not released after Java dropped the proxy"


# --- GIL and threads ---------------------------------------------------------------------------


def test_java_sleep_does_not_stall_other_python_threads():
    Thread = imglyb.jimport("java.lang.Thread")
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.005)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        time.sleep(0.02)
        start = time.monotonic()
        Thread.sleep(300)
        end = time.monotonic()
    finally:
        stop.set()
        t.join()
    during = [x for x in ticks if start < x < end]
    assert end - start >= 0.29
    assert len(during) >= 10, f"only {len(during)} ticks while Java slept"


def test_python_threads_use_the_bridge_concurrently(Integer):
    results = []
    errors = []

    def work(k):
        try:
            for i in range(200):
                assert Integer.parseInt(str(k * 1000 + i)) == k * 1000 + i
            results.append(k)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and sorted(results) == [0, 1, 2, 3]


# --- leaks -------------------------------------------------------------------------------------


def test_many_calls_leak_nothing(fixture_classes):
    """Hundreds of thousands of calls: steady RSS and Java heap, no local-reference overflow."""
    r = run_python(
        f"""
        import gc, imglyb
        imglyb.start_jvm(classpath=[{fixture_classes!r}],
                         options=["-Xcheck:jni", "-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch"])
        System = imglyb.jimport("java.lang.System")
        Runtime = imglyb.jimport("java.lang.Runtime").getRuntime()
        Integer = imglyb.jimport("java.lang.Integer")
        Math = imglyb.jimport("java.lang.Math")
        Fixture = imglyb.jimport({FIXTURE!r})
        sb = imglyb.jimport("java.lang.StringBuilder")("x")
        lst = imglyb.jimport("java.util.ArrayList")()
        lst.add("item")
        arr = imglyb.jarray("long", [1, 2, 3])
        cmp = imglyb.jproxy("java.util.function.IntUnaryOperator", lambda i: i + 1)

        def rss_mb():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * 4096 / 2**20

        def heap_mb():
            for _ in range(3):
                System.gc()
            return (Runtime.totalMemory() - Runtime.freeMemory()) / 2**20

        def loop(n):
            for i in range(n):
                System.nanoTime()
                Math.abs(-i)
                Integer.valueOf(i)
                sb.toString()
                lst.get(0)
                arr[1]
                Fixture.pick("s")
                Fixture.sum(1, 2)
            Fixture.hammer(cmp, 2, n // 10)

        loop(20_000)
        gc.collect()
        rss0, heap0 = rss_mb(), heap_mb()
        loop(200_000)
        gc.collect()
        rss1, heap1 = rss_mb(), heap_mb()
        print("RSS", rss0, rss1, "HEAP", heap0, heap1)
        assert rss1 - rss0 < 12, ("RSS grew", rss0, rss1)
        assert heap1 - heap0 < 4, ("Java heap grew", heap0, heap1)
        print("OK")
        """,
        timeout=300,
    )
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "OK" in r.stdout, out
    # -Xcheck:jni reports every local-reference overflow and JNI misuse as a warning.
    assert "WARNING" not in out and "local ref" not in out.lower(), out


def test_numpy_scalars_and_arrays_where_images_are_expected(Fixture):
    Math = imglyb.jimport("java.lang.Math")
    assert Math.abs(np.int64(-3)) == 3
    assert Math.abs(np.float32(-2.5)) == 2.5
    assert Fixture.onlyInt(np.int16(7)) == "int 7"
    with pytest.raises(TypeError):
        Fixture.onlyInt(np.int64(2**40))
    # A NumPy array where ImgLib2 expects an image is wrapped with no copy; an array no image
    # can hold (here float16) is a TypeError naming the candidates.
    Views = imglyb.jimport("net.imglib2.view.Views")
    a = np.zeros((3, 4), dtype=np.float32)
    assert np.shares_memory(imglyb.to_numpy(Views.rotate(a, 0, 1)), a)
    with pytest.raises(TypeError, match="RandomAccessibleInterval"):
        Views.rotate(np.zeros((3, 4), dtype=np.float16), 0, 1)
