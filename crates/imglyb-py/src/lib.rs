//! imglyb-py: the PyO3 module `imglyb._imglyb`.
//!
//! # What this layer knows
//! Python: argument and value conversion, the GIL, and exceptions. Every call into Java runs with
//! the GIL released ([`without_gil`]), so Java work never stalls other Python threads.
//!
//! # What it must not know
//! How the JVM is found or started, the bridge, or memory layout: those live in `imglyb-core`.
//! The public Python API, lazy start and `imglyb.config` live in `python/imglyb/`.

#![deny(missing_docs)]

mod callback;
mod convert;
mod dlpack;
mod errors;
mod handles;
mod hooks;
mod images;
mod java;
mod objects;

use std::path::PathBuf;

use imglyb_core::{JavaSearch, Jvm, JvmConfig, Pixels};
use pyo3::prelude::*;
use pyo3::types::PyDict;

pub use errors::to_py_err;
use java::started_jvm;
pub use java::without_gil;

/// Starts the JVM, or attaches to one already running in this process.
///
/// `classpath` entries come first, then `IMGLYB_CLASSPATH`, then Debian's jars, then each of
/// `fallback_jars` whose library is not there yet; `options` come after `IMGLYB_JAVA_OPTIONS`.
/// `fallback_java_homes` are tried when the search finds no other Java. Idempotent when the
/// running JVM has every requested setting.
#[pyfunction]
#[pyo3(signature = (classpath=None, options=None, java_home=None, fallback_jars=None, fallback_java_homes=None))]
fn start_jvm(
    py: Python<'_>,
    classpath: Option<Vec<PathBuf>>,
    options: Option<Vec<String>>,
    java_home: Option<PathBuf>,
    fallback_jars: Option<Vec<PathBuf>>,
    fallback_java_homes: Option<Vec<PathBuf>>,
) -> PyResult<()> {
    let mut config = JvmConfig::from_env();
    if let Some(cp) = classpath {
        config.classpath.splice(0..0, cp);
    }
    config.options.extend(options.unwrap_or_default());
    config.java_home = java_home;
    config.fallback_jars = fallback_jars.unwrap_or_default();
    config.fallback_java_homes = fallback_java_homes.unwrap_or_default();
    without_gil(py, || {
        let jvm = Jvm::start(&config)?;
        // Binds the natives of imglyb's image classes now, so that Java code (a
        // SharedImgFactory made from Python, say) can use them before any wrap.
        Pixels::get(jvm).map(|_| ())
    })
}

/// The classpath a JVM started now would get: `classpath` first (a `folder/*` entry stands for
/// its jars), then, with `environment`, `IMGLYB_CLASSPATH` and Debian's jars; then each of
/// `fallback_jars` whose library (ImgLib2, ImageJ 1) nothing before it provides. Reads jars, and
/// starts nothing.
#[pyfunction]
fn resolve_classpath(
    py: Python<'_>,
    classpath: Vec<PathBuf>,
    fallback_jars: Vec<PathBuf>,
    environment: bool,
) -> Vec<String> {
    let mut config = if environment {
        JvmConfig::from_env()
    } else {
        JvmConfig {
            system_jars: false,
            ..JvmConfig::default()
        }
    };
    config.classpath.splice(0..0, classpath);
    config.fallback_jars = fallback_jars;
    py.detach(|| {
        config
            .resolved_classpath()
            .into_iter()
            .map(|p| p.display().to_string())
            .collect()
    })
}

/// The Java home a JVM started now would use: `JAVA_HOME`, `java` on `PATH`, the usual
/// folders, then `fallback_java_homes`; `None` when there is none. Starts nothing.
#[pyfunction]
fn _find_java_home(py: Python<'_>, fallback_java_homes: Vec<PathBuf>) -> Option<String> {
    let search = JavaSearch {
        fallback_homes: fallback_java_homes,
        ..JavaSearch::from_env()
    };
    py.detach(|| search.find().ok())
        .map(|install| install.home.display().to_string())
}

/// Whether imglyb created the running JVM (false when it attached to one someone else
/// started); read from the settings, without calling Java.
#[pyfunction]
fn _jvm_created_here() -> PyResult<bool> {
    Ok(started_jvm()?.settings().created_here)
}

/// Whether the JVM runs (started or attached by imglyb).
#[pyfunction]
fn jvm_started() -> bool {
    Jvm::started()
}

/// Facts about the running JVM, read from inside it.
#[pyfunction]
fn jvm_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let jvm = started_jvm()?;
    let info = without_gil(py, || jvm.info())?;
    let settings = jvm.settings();
    let dict = PyDict::new(py);
    dict.set_item("java_version", info.java_version)?;
    dict.set_item("java_vendor", info.java_vendor)?;
    dict.set_item("java_vm", info.java_vm)?;
    dict.set_item("java_home", info.java_home)?;
    dict.set_item("classpath", info.classpath)?;
    dict.set_item("imglib2_version", info.imglib2_version)?;
    dict.set_item("imglib2_location", info.imglib2_location)?;
    dict.set_item("bridge_version", info.bridge_version)?;
    dict.set_item("options", settings.options.clone())?;
    dict.set_item("libjvm", settings.libjvm.display().to_string())?;
    dict.set_item("created_here", settings.created_here)?;
    // Where each classpath entry and the Java came from, as core recorded it at the start.
    let sources: Vec<(String, &str)> = if settings.created_here {
        settings
            .classpath
            .iter()
            .zip(&settings.classpath_sources)
            .map(|(entry, source)| (entry.display().to_string(), source.as_str()))
            .collect()
    } else {
        dict.get_item("classpath")?
            .map(|cp| cp.extract::<Vec<String>>())
            .transpose()?
            .unwrap_or_default()
            .into_iter()
            .map(|entry| (entry, "attached"))
            .collect()
    };
    dict.set_item("classpath_sources", sources)?;
    dict.set_item(
        "java_source",
        settings.java_source.map_or("attached", |s| s.as_str()),
    )?;
    Ok(dict)
}

/// Runs a first ImgLib2 operation in Java and returns its result (66.0).
#[pyfunction]
fn _imglib2_self_test(py: Python<'_>) -> PyResult<f64> {
    let jvm = started_jvm()?;
    without_gil(py, || jvm.imglib2_self_test())
}

/// Binary names of the embedded bridge classes.
#[pyfunction]
fn _bridge_classes() -> Vec<&'static str> {
    imglyb_core::bridge_class_names().collect()
}

/// Loads each named class through the bridge's class loader; raises `JavaException` for a class
/// that cannot be loaded.
#[pyfunction]
fn _load_classes(py: Python<'_>, names: Vec<String>) -> PyResult<()> {
    let jvm = started_jvm()?;
    without_gil(py, || {
        for name in &names {
            jvm.load_class(name)?;
        }
        Ok(())
    })
}

/// The contract's table and limits (`imglyb_core::contract`), from which the Python package
/// derives its own: `DTYPES`, one `(code, numpy, imglib2, volatile, primitive, entities)` tuple
/// per pixel type, indexed by code (`volatile` is `""` where ImgLib2 has none); `PRIMITIVES`, Java's
/// name of each storage primitive, indexed by the rows' `primitive`; `MAX_DIMENSIONS`.
fn add_contract(m: &Bound<'_, PyModule>) -> PyResult<()> {
    use imglyb_core::contract as c;
    let rows: Vec<_> = c::DTYPES
        .iter()
        .map(|r| {
            (
                r.code,
                r.numpy,
                r.imglib2,
                r.volatile,
                r.primitive,
                r.entities,
            )
        })
        .collect();
    m.add("DTYPES", pyo3::types::PyTuple::new(m.py(), rows)?)?;
    m.add(
        "PRIMITIVES",
        pyo3::types::PyTuple::new(m.py(), c::PRIMITIVE_NAMES)?,
    )?;
    m.add("MAX_DIMENSIONS", c::MAX_DIMENSIONS)?;
    Ok(())
}

/// Pumps macOS's main-thread event loop, which Java's windows need, for `seconds`:
/// `python -m imglyb.gui` calls it in a loop on the first thread while the user's script runs on
/// another. Raises `ImglybError` on other systems and off the first thread.
#[pyfunction]
fn _gui_pump(py: Python<'_>, seconds: f64) -> PyResult<()> {
    if !(seconds.is_finite() && seconds >= 0.0) {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "seconds must be a finite number >= 0, got {seconds}"
        )));
    }
    let slice = std::time::Duration::from_secs_f64(seconds);
    py.detach(|| imglyb_core::gui_loop::pump_for(slice))
        .map_err(|why| errors::ImglybError::new_err(format!("imglyb.gui: {why}")))
}

/// The module `imglyb._imglyb`.
// Free-threaded CPython (3.13t and newer) is not tested yet (no such interpreter from the
// registries this project builds with), so the module declares that it needs the GIL: a
// free-threaded interpreter then re-enables the GIL when it imports imglyb, with a warning.
#[pymodule(gil_used = true)]
fn _imglyb(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", imglyb_core::VERSION)?;
    add_contract(m)?;
    errors::register(m)?;
    m.add_function(wrap_pyfunction!(start_jvm, m)?)?;
    m.add_function(wrap_pyfunction!(jvm_started, m)?)?;
    m.add_function(wrap_pyfunction!(jvm_info, m)?)?;
    m.add_function(wrap_pyfunction!(resolve_classpath, m)?)?;
    m.add_function(wrap_pyfunction!(_find_java_home, m)?)?;
    m.add_function(wrap_pyfunction!(_jvm_created_here, m)?)?;
    m.add_function(wrap_pyfunction!(_imglib2_self_test, m)?)?;
    m.add_function(wrap_pyfunction!(_bridge_classes, m)?)?;
    m.add_function(wrap_pyfunction!(_load_classes, m)?)?;
    m.add_function(wrap_pyfunction!(_gui_pump, m)?)?;
    objects::register(m)?;
    m.add_function(wrap_pyfunction!(hooks::_register_hooks, m)?)?;
    m.add_function(wrap_pyfunction!(callback::jproxy, m)?)?;
    m.add_function(wrap_pyfunction!(images::to_imglib, m)?)?;
    m.add_function(wrap_pyfunction!(images::to_imglib_argb, m)?)?;
    m.add_function(wrap_pyfunction!(images::to_numpy, m)?)?;
    m.add_class::<images::JavaMemory>()?;
    Ok(())
}
