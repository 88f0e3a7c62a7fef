"""Quickstart: start the JVM inside Python and ask it what it runs.

Run it with ``./ci/demo`` (which sets everything up first), or with ``.venv/bin/python
examples/quickstart.py`` once ``./ci/setup`` has run.
"""

import time

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
    print(f"Java home     {info['java_home']}")
    print(f"ImgLib2       {info['imglib2_version']} from {info['imglib2_location']}")
    print(f"bridge        {info['bridge_version']} (classes embedded in the native module)")
    print(f"ImgLib2 check sum of a 4x3 ArrayImg filled with 0..11 in Java = {total:g}")
    print(
        f"timing        JVM start {1e3 * (started - t0):.0f} ms, "
        f"first ImgLib2 use {1e3 * (first_use - started):.0f} ms"
    )


if __name__ == "__main__":
    main()
