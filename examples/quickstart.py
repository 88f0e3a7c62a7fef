"""Quickstart: start the JVM inside Python, ask it what it runs, and share pixels with it.

Run it with ``./ci/demo`` (which sets everything up first), or with ``.venv/bin/python
examples/quickstart.py`` once ``./ci/setup`` has run.
"""

import textwrap
import time

import numpy as np

import imglyb


def main() -> None:
    t0 = time.perf_counter()
    imglyb.start_jvm()
    started = time.perf_counter()
    info = imglyb.jvm_info()
    total = imglyb._imglyb._imglib2_self_test()
    first_use = time.perf_counter()

    print(f"imglyb        {imglyb.__version__}")
    print(f"Java          {info['java_version']} ({info['java_vm']}, {info['java_vendor']})")
    print(f"Java home     {info['java_home']} (found through {info['java_source']})")
    print(f"ImgLib2       {info['imglib2_version']} from {info['imglib2_location']}")
    print(f"bridge        {info['bridge_version']} (classes embedded in the native module)")
    print(f"ImgLib2 check sum of a 4x3 ArrayImg filled with 0..11 in Java = {total:g}")
    print(
        f"timing        JVM start {1e3 * (started - t0):.0f} ms, "
        f"first ImgLib2 use {1e3 * (first_use - started):.0f} ms"
    )

    shared_pixels()


def shared_pixels() -> None:
    """A NumPy array *is* an ImgLib2 image: Java reads and writes the array's own memory."""
    Views = imglyb.jimport("net.imglib2.view.Views")
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    img = imglyb.to_imglib(a)  # no copy; ImgLib2 sees 4 x 3 (NumPy's axes, reversed)
    rotated = Views.rotate(img, 0, 1)  # a Java view: no pixel moves
    print(f"\nshared pixels NumPy {a.shape} is ImgLib2 {img.getClass().getSimpleName()} "
          f"{[img.dimension(d) for d in range(img.numDimensions())]}")

    # ImgLib2's cursors (stepped from Python here, for show) copy the rotated view into a second
    # wrapped array: each get and set reads or writes NumPy's memory from Java.
    dst = np.zeros((4, 3), np.float32)
    source = Views.flatIterable(Views.zeroMin(rotated)).cursor()
    target = Views.flatIterable(imglyb.to_imglib(dst)).cursor()
    while source.hasNext():
        target.next().set(source.next())
    assert np.array_equal(dst, np.rot90(a, -1))
    print("              Java copied Views.rotate(a) into another array: np.rot90(a, -1) ==")
    print(textwrap.indent(str(dst), " " * 14))

    # A write through the Java view lands in the array at once, and the view comes back to
    # NumPy as a view of the same memory.
    ra = Views.zeroMin(rotated).randomAccess()
    ra.setPosition([0, 0])
    ra.get().set(-1.0)
    back = imglyb.to_numpy(rotated)
    assert a[2, 0] == -1.0 and back[0, 0] == -1.0 and np.shares_memory(back, a)
    print("              Java wrote -1 at the rotated view's origin; NumPy sees a[2, 0] =", a[2, 0])
    print("              to_numpy(rotated view) shares a's memory:", np.shares_memory(back, a))


if __name__ == "__main__":
    main()
