//! The way into Java from Python: the running JVM and the layers over it, started lazily, and
//! [`without_gil`], through which every call into Java runs.

use imglyb_core::{Bridge, Jvm, Pixels};
use pyo3::prelude::*;

use crate::errors;

/// Runs `f` with the GIL released and converts its error. Every call into Java goes through
/// here. A Java exception's throwable is wrapped as a proxy while the GIL is still released, so
/// `JavaException.throwable` is ready without another trip into Java.
///
/// On the main thread, Ctrl-C during a long call interrupts the Java thread
/// ([`imglyb_core::interrupt`]); when it did, Python's signal handlers run as the call returns, so
/// the default one raises `KeyboardInterrupt` in place of the call's result or its
/// `InterruptedException`.
pub fn without_gil<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: Send + FnOnce() -> imglyb_core::Result<T>,
{
    if imglyb_core::native_stack::too_deep() {
        return Err(errors::to_py_err(imglyb_core::Error::TooDeep(
            too_deep_message(),
        )));
    }
    let (result, interrupted) = py.detach(|| {
        let jvm = Jvm::get();
        let call = jvm.map(imglyb_core::interrupt::MainCall::enter);
        let result = f().map_err(|e| {
            let throwable = match (&e, jvm) {
                (imglyb_core::Error::Java(t), Some(_)) => {
                    Bridge::current().and_then(|b| b.wrap_throwable(t).ok())
                }
                _ => None,
            };
            (e, throwable)
        });
        let interrupted = match (call, jvm) {
            (Some(call), Some(jvm)) => call.finish(jvm),
            _ => false,
        };
        (result, interrupted)
    });
    if interrupted {
        py.check_signals()?;
    }
    result.map_err(|(e, throwable)| errors::to_py_err_with(e, throwable))
}

fn too_deep_message() -> String {
    format!(
        "Python -> Java -> Python calls nest too deeply: less than {} KiB of this thread's \
         native stack is left (recursion through a jproxy callback?)",
        imglyb_core::native_stack::MARGIN / 1024
    )
}

/// The running JVM, started lazily with the configured settings on first use.
pub(crate) fn jvm() -> PyResult<&'static Jvm> {
    if let Some(jvm) = Jvm::get() {
        return Ok(jvm);
    }
    Python::attach(crate::hooks::ensure_jvm)?;
    started_jvm()
}

/// The call bridge over the running JVM (started lazily, as [`jvm`]).
pub(crate) fn bridge() -> PyResult<&'static Bridge> {
    // Every call comes here: once made, the bridge is one atomic load away.
    if let Some(bridge) = Bridge::current() {
        return Ok(bridge);
    }
    let jvm = jvm()?;
    Bridge::get(jvm).map_err(errors::to_py_err)
}

/// The pixels layer over the running JVM (started lazily, as [`jvm`]).
pub(crate) fn pixels() -> PyResult<&'static Pixels> {
    if let Some(pixels) = Pixels::current() {
        return Ok(pixels);
    }
    let jvm = jvm()?;
    Pixels::get(jvm).map_err(errors::to_py_err)
}

pub(crate) fn started_jvm() -> PyResult<&'static Jvm> {
    Jvm::get().ok_or_else(|| {
        errors::ImglybError::new_err("the JVM is not started; call imglyb.start_jvm() first")
    })
}
