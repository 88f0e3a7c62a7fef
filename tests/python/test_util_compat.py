"""The original imglyb's ``imglyb.util`` and pyjnius names (docs/migrating.md): what runs without
BigDataViewer. The BigDataViewer half (BdvFunctions, BdvOptions' old static forms, overlays in a
window, the original example scripts) is in test_bdv.py, which needs BigDataViewer's jars."""

from __future__ import annotations

import pytest

import imglyb
from imglyb.util import PythonJavaClass, autoclass, cast, java_method


class Comparing(PythonJavaClass):
    __javainterfaces__ = ["java/util/Comparator"]

    def __init__(self):
        super().__init__()
        self.calls = 0

    @java_method("(Ljava/lang/Object;Ljava/lang/Object;)I")
    def compare(self, a, b):
        self.calls += 1
        return (len(a) > len(b)) - (len(a) < len(b))


def test_a_python_java_class_is_handed_to_java_as_its_interface():
    ArrayList, Collections = autoclass("java.util.ArrayList"), autoclass("java/util/Collections")
    words = ArrayList()
    for w in ["ccc", "a", "bb"]:
        words.add(w)
    comparator = Comparing()
    Collections.sort(words, comparator)               # Java calls Python's compare
    assert list(words) == ["a", "bb", "ccc"]
    assert comparator.calls >= 2
    assert imglyb.jinstance(comparator.__javaobject__, "java.util.Comparator")
    # Also inside a list argument, and through a constructor.
    TreeSet = autoclass("java.util.TreeSet")
    tree = TreeSet(comparator)
    tree.addAll(autoclass("java.util.Arrays").asList(["dddd", "e"]))
    assert tree.first() == "e"


class Renamed(PythonJavaClass):
    __javainterfaces__ = ["java.util.function.IntBinaryOperator"]

    @java_method("(II)I", name="applyAsInt")
    def add(self, a, b):
        return a + b


def test_java_method_name_maps_a_python_method_to_another_java_name():
    op = Renamed()
    IntStream = autoclass("java.util.stream.IntStream")
    assert IntStream.of(imglyb.jarray("int", [1, 2, 3])).reduce(10, op) == 16


class OnlyDragged(PythonJavaClass):
    __javainterfaces__ = ["java/awt/event/MouseMotionListener"]

    @java_method("(Ljava/awt/event/MouseEvent;)V")
    def mouseDragged(self, e):
        self.dragged = e


def test_a_method_the_class_lacks_returns_null_with_a_message(capfd):
    listener = OnlyDragged()
    listener.__javaobject__.mouseMoved(None)          # not implemented: printed, Java gets null
    assert "mouseMoved" in capfd.readouterr().err
    listener.__javaobject__.mouseDragged(None)
    assert listener.dragged is None


def test_no_interfaces_and_bad_signatures_are_clear_errors():
    class Nothing(PythonJavaClass):
        pass

    with pytest.raises(TypeError, match="__javainterfaces__"):
        Nothing()
    with pytest.raises(ValueError, match="JNI signature"):
        java_method("II")
    with pytest.raises(ValueError, match="malformed"):
        java_method("(Ljava/lang/String)V")


def test_cast_checks_and_returns_the_object():
    lst = autoclass("java.util.ArrayList")()
    assert cast("java.util.List", lst) is lst
    assert cast(autoclass("java.util.Collection"), lst) is lst
    assert cast("java.lang.Object", None) is None
    with pytest.raises(TypeError, match="cannot cast a java.util.ArrayList to java.lang.Number"):
        cast("java.lang.Number", lst)
    comparator = Comparing()
    assert cast("java.util.Comparator", comparator) is comparator
    with pytest.raises(TypeError, match="Java object"):
        cast("java.util.List", [1, 2])


def test_generic_mouse_motion_listener_calls_both_functions():
    seen = []
    listener = imglyb.util.GenericMouseMotionListener(lambda e: seen.append("dragged"), lambda e: seen.append("moved"))
    both = autoclass("java.awt.AWTEventMulticaster").add(listener, imglyb.util.GenericMouseMotionListener())
    both.mouseMoved(None)
    both.mouseDragged(None)
    assert seen == ["moved", "dragged"]


def test_the_original_java_helpers_are_embedded():
    check = autoclass("net.imglib2.python.BdvWindowClosedCheck")()
    assert check.isOpen() and not check.isClosed()
    check.windowClosing(None)
    assert check.isClosed() and not check.isOpen()
    Helpers = imglyb.util.Helpers
    assert Helpers.className(check) == "net.imglib2.python.BdvWindowClosedCheck"
    assert Helpers.classNameSimple(None) == "null"


def test_without_bigdataviewer_its_names_say_what_is_missing():
    try:
        imglyb.jimport("bdv.util.BdvFunctions")
    except imglyb.JavaException:
        pass
    else:
        pytest.skip("BigDataViewer is on this classpath")
    with pytest.raises(AttributeError, match="add_fiji"):
        imglyb.util.BdvFunctions
    with pytest.raises(AttributeError, match="BigDataViewer"):
        imglyb.util.options2D()
    with pytest.raises(RuntimeError, match="bdv.viewer.OverlayRenderer"):
        imglyb.util.GenericOverlayRenderer(lambda g: None)
    with pytest.raises(imglyb.JavaException, match="ui-behaviour"):
        imglyb.util.Helpers.behaviours()


def test_util_names_are_the_originals():
    for name in ["to_imglib", "to_imglib_argb", "Views", "options2D", "GenericOverlayRenderer",
                 "GenericMouseMotionListener", "autoclass", "cast", "PythonJavaClass", "java_method"]:
        assert name in imglyb.util.__all__, name
    with pytest.raises(AttributeError, match="imglyb.to_imglib"):
        imglyb.util.NumpyToImgLibConversions

