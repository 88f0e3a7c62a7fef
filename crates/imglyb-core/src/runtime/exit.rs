//! Ending the JVM at process exit, where HotSpot's `-Xcheck:jni` needs it.
//!
//! # Rationale
//! imglyb never destroys the JVM it embeds while the process runs (DESIGN: one JVM per process).
//! At `exit()`, though, the C library runs libjvm's static destructors while HotSpot's periodic
//! task thread still runs. Under `-Xcheck:jni` that thread compares the installed signal
//! handlers with a table those destructors have just freed, and prints
//! `Warning: SIGSEGV handler modified!` with a dump of garbage "expected" handlers: about one
//! exit in five measured here (2026-12-06, JDK 17, 21 and 25). Nothing modified a handler; the
//! installed ones were HotSpot's every time. Only HotSpot's own shutdown (`DestroyJavaVM`,
//! `System.exit`) stops that thread, so with `-Xcheck:jni` a C `atexit` hook, registered after
//! the JVM was created and so run before libjvm's destructors, calls `DestroyJavaVM`.
//!
//! # Limitations
//! The hook does nothing, leaving the JVM to the end of the process as without `-Xcheck:jni`, in
//! a child forked after the start, when Java shuts down already (`System.exit`), when a thread
//! other than the exiting one is not a daemon (`DestroyJavaVM` would wait for it: a window's
//! event thread), and when any check fails. After it, Java is gone: a JNI call from a later exit
//! handler gets an error, never the JVM.

use std::ffi::c_void;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use jni::sys::{self, JNINativeMethod, jclass};

use super::loader::Loader;
use crate::jni::error::Result;
use crate::jni::{Frame, natives, vm};

const EXIT_WATCH: &str = "org.imglyb.bridge.ExitWatch";

static VM: AtomicPtr<sys::JavaVM> = AtomicPtr::new(std::ptr::null_mut());
static JAVA_SHUTS_DOWN: AtomicBool = AtomicBool::new(false);
/// Whether [`watch_java_shutdown`] installed its hook.
static WATCHING: Mutex<bool> = Mutex::new(false);

/// Whether `options` ask HotSpot to check JNI (and so its signal handlers).
pub(crate) fn wanted(options: &[String]) -> bool {
    options.iter().any(|o| o == "-Xcheck:jni")
}

/// Arranges for `vm`, which imglyb created, to be destroyed at `exit()` (see the module docs).
pub(crate) fn destroy_at_exit(loader: &Loader, vm: *mut sys::JavaVM) -> Result<()> {
    watch_java_shutdown(loader)?;
    VM.store(vm, Ordering::Release);
    // SAFETY: `at_exit` is an `extern "C" fn()` that lives for the whole program.
    if unsafe { libc::atexit(at_exit) } != 0 {
        VM.store(std::ptr::null_mut(), Ordering::Release);
    }
    Ok(())
}

/// Installs, once, the shutdown hook after which [`java_shuts_down`] is true: exit hooks must
/// not call into a JVM that Java itself shut down (`System.exit`).
pub(crate) fn watch_java_shutdown(loader: &Loader) -> Result<()> {
    let mut watching = WATCHING.lock().unwrap_or_else(|p| p.into_inner());
    if *watching {
        return Ok(());
    }
    let frame = Frame::attach()?;
    let class = loader.class(EXIT_WATCH, true)?;
    let methods = [JNINativeMethod {
        name: c"javaShutsDown0".as_ptr().cast_mut(),
        signature: c"()V".as_ptr().cast_mut(),
        fnPtr: java_shuts_down0 as *mut c_void,
    }];
    // SAFETY: `class` is ExitWatch, which declares `static native void javaShutsDown0()`, and
    // the function has that JNI signature; the strings are static.
    unsafe { natives::register(&frame, &class, &methods) }?;
    let install = frame.static_method_id(&class, c"install", c"()Z")?;
    // SAFETY: install() is a static boolean method of ExitWatch with no parameters.
    unsafe { frame.call_static_prim::<u8>(&class, install, &[]) }?;
    *watching = true;
    Ok(())
}

/// Whether Java has begun to shut down (only known after [`watch_java_shutdown`]).
pub(crate) fn java_shuts_down() -> bool {
    JAVA_SHUTS_DOWN.load(Ordering::Acquire)
}

extern "system" fn java_shuts_down0(env: *mut sys::JNIEnv, _class: jclass) {
    // SAFETY: the JVM passes this native method its env.
    unsafe {
        natives::boundary(env, (), |_| {
            JAVA_SHUTS_DOWN.store(true, Ordering::Release);
            Ok(())
        })
    }
}

extern "C" fn at_exit() {
    let vm = VM.swap(std::ptr::null_mut(), Ordering::AcqRel);
    if vm.is_null() || vm::forked() || java_shuts_down() {
        return;
    }
    // A panic must not unwind out of an exit handler.
    let destroy = std::panic::catch_unwind(|| only_daemons_beside_caller().unwrap_or(false));
    if !matches!(destroy, Ok(true)) {
        return;
    }
    vm::mark_destroyed();
    // SAFETY: `vm` is the live JVM imglyb created; this thread is attached (the check above ran
    // Java on it), no other non-daemon thread runs, and nothing calls Java after this
    // (`vm::env()` refuses from here on).
    unsafe {
        if let Some(destroy) = (**vm).DestroyJavaVM {
            destroy(vm);
        }
    }
}

/// `ExitWatch.onlyDaemonsBesideCaller()`, run on the exiting thread.
fn only_daemons_beside_caller() -> Result<bool> {
    let jvm = super::Jvm::get()
        .ok_or_else(|| crate::Error::Internal("the exit hook found no JVM".into()))?;
    let frame = Frame::attach()?;
    let class = jvm.loader().class(EXIT_WATCH, false)?;
    let check = frame.static_method_id(&class, c"onlyDaemonsBesideCaller", c"()Z")?;
    // SAFETY: onlyDaemonsBesideCaller() is a static boolean method of ExitWatch with no
    // parameters.
    unsafe { frame.call_static_prim::<u8>(&class, check, &[]) }.map(|v| v != 0)
}
