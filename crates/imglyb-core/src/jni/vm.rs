//! The process's `JavaVM`, once the runtime layer has one, and the calling thread's env from it.
//!
//! The runtime layer sets the VM once (`set`); from then on any thread gets its `JNIEnv`
//! through [`env()`], attached as a daemon thread on first use. After `fork()` the child has the
//! JVM's memory but none of its threads, so [`env()`] refuses to run there instead of hanging.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Once, OnceLock};

use ::jni::JavaVM;

use super::env::RawEnv;
use crate::jni::error::{Error, Result};

static VM: OnceLock<JavaVM> = OnceLock::new();
static FORKED: AtomicBool = AtomicBool::new(false);
static DESTROYED: AtomicBool = AtomicBool::new(false);

extern "C" fn mark_forked() {
    FORKED.store(true, Ordering::Relaxed);
}

/// Records the process's JVM (the first call wins: a process has one) and starts watching for
/// `fork()`. Returns the recorded VM.
pub(crate) fn set(vm: JavaVM) -> &'static JavaVM {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // SAFETY: `mark_forked` is async-signal-safe (one atomic store) and lives for the whole
        // program, as pthread_atfork handlers must.
        unsafe {
            libc::pthread_atfork(None, None, Some(mark_forked));
        }
    });
    VM.get_or_init(|| vm)
}

/// The process's JVM, once the runtime layer has set it.
pub fn get() -> Option<&'static JavaVM> {
    VM.get()
}

/// Whether this process is a child forked after the JVM started.
pub fn forked() -> bool {
    FORKED.load(Ordering::Relaxed)
}

/// `Err(ForkedChild)` in a child forked after the JVM started.
pub fn check_not_forked() -> Result<()> {
    if forked() {
        Err(Error::ForkedChild)
    } else {
        Ok(())
    }
}

/// Records that the runtime layer destroys the JVM (at process exit): from now on [`env()`]
/// refuses, so nothing reaches a JVM that is gone.
pub(crate) fn mark_destroyed() {
    DESTROYED.store(true, Ordering::Release);
}

/// The calling thread's `JNIEnv`, attaching the thread (as a daemon, for good) if needed.
pub fn env() -> Result<RawEnv> {
    check_not_forked()?;
    if DESTROYED.load(Ordering::Acquire) {
        return Err(Error::Internal(
            "the JVM was shut down at process exit".into(),
        ));
    }
    let vm = get().ok_or_else(|| Error::Internal("no JVM has been started".into()))?;
    let env = vm.attach_current_thread_as_daemon()?;
    // SAFETY: the env was just obtained for this thread; RawEnv is not Send.
    Ok(unsafe { RawEnv::from_raw(env.get_raw()) })
}
