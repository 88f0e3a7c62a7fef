//! Ctrl-C during a long Java call: `Thread.interrupt()` on the calling Java thread.
//!
//! A host (the Python module) brackets every call it makes into Java from the process's main
//! thread with a [`MainCall`]. While such a call has been running for more than one watch period
//! (50 ms), a watcher thread installs a `SIGINT` handler in front of the host's own one; the
//! handler writes one byte to a pipe and then runs the host's handler as before. The watcher
//! reads the byte and calls `interrupt()` on the main thread's `java.lang.Thread`, so Java code
//! blocked in `Thread.sleep`, `Object.wait`, `join`, a `BlockingQueue` or interruptible I/O gets
//! an `InterruptedException` at once, and code that polls `Thread.interrupted()` can stop.
//! When the outermost call returns, the handler that was there before is put back (only if it
//! is still ours, so a handler installed meanwhile by the host is never overwritten), and
//! [`MainCall::finish`] clears the thread's interrupt status, so the next call starts clean.
//!
//! The handler is installed only for calls that last, so short calls pay a counter update on
//! entry (a plain store) and one locked one on leaving, and nothing else. Java code that neither blocks interruptibly nor checks its interrupt status
//! runs to its end, as with any Java thread; the host sees the signal when it returns.
//!
//! # What this module knows
//! POSIX signals, one pipe, one watcher thread and `java.lang.Thread`. It does not know Python:
//! what an interrupt means to the caller (Python's `KeyboardInterrupt`) is the host's business.

use std::sync::atomic::Ordering::{Relaxed, Release, SeqCst};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicUsize};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::jni::{Frame, JRef, MethodId};

use super::jvm::Jvm;

/// How often the watcher looks at the main thread's call; a call lasting longer gets the handler.
const WATCH_PERIOD: Duration = Duration::from_millis(50);

/// Two counters in one word, so entering a call is one atomic operation: the low 32 bits count
/// main-thread calls into Java in progress (nesting through callbacks counts each level), the
/// high 32 bits count outermost calls (wrapping), so the watcher can tell a long call from a
/// new one.
static CALLS: AtomicU64 = AtomicU64::new(0);
const DEPTH_MASK: u64 = 0xffff_ffff;
const OUTERMOST: u64 = 1 << 32;

/// Main-thread calls into Java in progress.
fn depth() -> u64 {
    CALLS.load(SeqCst) & DEPTH_MASK
}

/// The count of outermost calls so far.
fn generation() -> u64 {
    CALLS.load(SeqCst) >> 32
}
/// Set by the watcher when it interrupted the main Java thread; cleared by [`MainCall::finish`].
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// Whether our handler may be installed (set before installing, cleared after restoring).
static INSTALLED: AtomicBool = AtomicBool::new(false);
/// Serialises install/restore and interrupt/clear between the watcher and the main thread.
static LOCK: Mutex<()> = Mutex::new(());
/// The pipe's write end, for the signal handler; -1 until the watcher runs.
static PIPE_WRITE: AtomicI32 = AtomicI32::new(-1);
/// The handler that was installed before ours: its address and its `sa_flags`.
static PREVIOUS_HANDLER: AtomicUsize = AtomicUsize::new(0);
static PREVIOUS_FLAGS: AtomicUsize = AtomicUsize::new(0);
/// The whole action that was installed before ours, put back by [`restore_handler`].
static SAVED: Mutex<Option<SavedAction>> = Mutex::new(None);
/// The main thread's `java.lang.Thread`, recorded on its first call.
static MAIN_THREAD: OnceLock<JRef> = OnceLock::new();

struct SavedAction(libc::sigaction);
// SAFETY: a sigaction is plain data (a handler address, a mask and flags); it is only read and
// written under `SAVED`'s lock.
unsafe impl Send for SavedAction {}

/// Marks one call from the process's main thread into Java; see the module documentation.
///
/// Create it just before the call and call [`MainCall::finish`] (on the same thread, with the
/// JVM still attached) when it returns. On any other thread it does nothing.
#[derive(Debug)]
pub struct MainCall {
    active: bool,
}

impl MainCall {
    /// Enters a call. Records the main thread's `java.lang.Thread` on first use and starts the
    /// watcher thread once; when either fails, Ctrl-C simply does not reach Java.
    pub fn enter(jvm: &'static Jvm) -> MainCall {
        if !super::native_stack::on_first_thread() {
            return MainCall { active: false };
        }
        if MAIN_THREAD.get().is_none() && !record_main_thread(jvm) {
            return MainCall { active: false };
        }
        // Only this thread (the first) writes CALLS, so a load and a plain store make the update,
        // with no locked instruction. The watcher may see it late, which only delays its
        // handler; leaving is the step whose order matters, and it stays a locked `fetch_sub`.
        let calls = CALLS.load(Relaxed);
        CALLS.store(
            if calls & DEPTH_MASK == 0 {
                calls.wrapping_add(OUTERMOST + 1)
            } else {
                calls + 1
            },
            Release,
        );
        MainCall { active: true }
    }

    /// Leaves the call. Returns whether Ctrl-C interrupted the Java thread during it; the
    /// thread's interrupt status is then cleared, and the host should deliver the signal.
    pub fn finish(mut self, jvm: &Jvm) -> bool {
        self.leave(Some(jvm))
    }

    fn leave(&mut self, jvm: Option<&Jvm>) -> bool {
        if !std::mem::take(&mut self.active) {
            return false;
        }
        let outermost = CALLS.fetch_sub(1, SeqCst) & DEPTH_MASK == 1;
        let mut interrupted = false;
        if INTERRUPTED.load(SeqCst) || (outermost && INSTALLED.load(SeqCst)) {
            let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
            if INTERRUPTED.swap(false, SeqCst) {
                interrupted = true;
                if let Some(jvm) = jvm {
                    clear_interrupt_status(jvm);
                }
            }
            if outermost && depth() == 0 && INSTALLED.swap(false, SeqCst) {
                restore_handler();
            }
        }
        interrupted
    }
}

impl Drop for MainCall {
    fn drop(&mut self) {
        // A call that unwound without `finish` still leaves the bookkeeping balanced.
        self.leave(Jvm::get());
    }
}

/// `java.lang.Thread` and the three methods used here.
struct ThreadIds {
    class: JRef,
    current: MethodId,
    interrupted: MethodId,
    interrupt: MethodId,
}

fn thread_ids() -> Option<&'static ThreadIds> {
    static IDS: OnceLock<Option<ThreadIds>> = OnceLock::new();
    IDS.get_or_init(|| {
        let mut frame = Frame::attach().ok()?;
        let class = frame.find_class(c"java/lang/Thread").ok()?;
        Some(ThreadIds {
            current: frame
                .static_method_id(&class, c"currentThread", c"()Ljava/lang/Thread;")
                .ok()?,
            interrupted: frame
                .static_method_id(&class, c"interrupted", c"()Z")
                .ok()?,
            interrupt: frame.method_id(&class, c"interrupt", c"()V").ok()?,
            class,
        })
    })
    .as_ref()
}

fn record_main_thread(jvm: &'static Jvm) -> bool {
    let thread = (|| {
        let ids = thread_ids()?;
        let mut frame = Frame::attach().ok()?;
        // SAFETY: `current` is the static Thread.currentThread(), with no parameters.
        let thread = unsafe { frame.call_static_object(&ids.class, ids.current, &[]) }.ok()?;
        frame.global(thread).ok()
    })();
    let Some(thread) = thread else { return false };
    let _ = MAIN_THREAD.set(thread);
    start_watcher(jvm)
}

fn clear_interrupt_status(_jvm: &Jvm) {
    let (Some(ids), Ok(frame)) = (thread_ids(), Frame::attach()) else {
        return;
    };
    // SAFETY: `interrupted` is the static boolean Thread.interrupted(), with no parameters.
    let _ = unsafe { frame.call_static_prim::<u8>(&ids.class, ids.interrupted, &[]) };
}

fn start_watcher(jvm: &'static Jvm) -> bool {
    static STARTED: OnceLock<bool> = OnceLock::new();
    *STARTED.get_or_init(|| {
        let Some(fds) = super::platform::nonblocking_pipe() else {
            return false;
        };
        PIPE_WRITE.store(fds[1], SeqCst);
        std::thread::Builder::new()
            .name("imglyb-interrupt".into())
            .spawn(move || watch(jvm, fds[0]))
            .is_ok()
    })
}

fn watch(jvm: &'static Jvm, read_fd: libc::c_int) {
    let mut seen = (0u64, false);
    loop {
        let mut pfd = libc::pollfd {
            fd: read_fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let ready = unsafe { libc::poll(&mut pfd, 1, WATCH_PERIOD.as_millis() as libc::c_int) };
        if ready > 0 && drain(read_fd) {
            interrupt_main(jvm);
        }
        let calls = CALLS.load(SeqCst);
        let (outermost_calls, busy) = (calls >> 32, calls & DEPTH_MASK > 0);
        if busy && seen == (outermost_calls, true) && !INSTALLED.load(SeqCst) {
            let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
            INSTALLED.store(true, SeqCst);
            if depth() == 0 || generation() != outermost_calls || !install() {
                INSTALLED.store(false, SeqCst);
            }
        }
        seen = (outermost_calls, busy);
    }
}

/// Empties the pipe; whether anything was in it.
fn drain(fd: libc::c_int) -> bool {
    let mut buf = [0u8; 64];
    let mut any = false;
    // SAFETY: reads into a local buffer of the given length.
    while unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) } > 0 {
        any = true;
    }
    any
}

fn interrupt_main(jvm: &Jvm) {
    let Some(thread) = MAIN_THREAD.get() else {
        return;
    };
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    INTERRUPTED.store(true, SeqCst);
    if depth() == 0 {
        INTERRUPTED.store(false, SeqCst);
        return;
    }
    let _ = jvm;
    let done = match (thread_ids(), Frame::attach()) {
        // SAFETY: `thread` is a live java.lang.Thread and `interrupt` its void interrupt().
        (Some(ids), Ok(frame)) => unsafe { frame.call_void(thread.as_raw(), ids.interrupt, &[]) },
        _ => Err(crate::Error::Internal(
            "cannot reach java.lang.Thread".into(),
        )),
    };
    if done.is_err() {
        INTERRUPTED.store(false, SeqCst);
    }
}

extern "C" fn on_sigint(sig: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // Only async-signal-safe work here: one write, then the previous handler.
    let fd = PIPE_WRITE.load(SeqCst);
    if fd >= 0 {
        // SAFETY: writes one byte from a live local; write is async-signal-safe.
        unsafe { libc::write(fd, [1u8].as_ptr().cast(), 1) };
    }
    let previous = PREVIOUS_HANDLER.load(SeqCst);
    if previous == libc::SIG_DFL || previous == libc::SIG_IGN || previous == libc::SIG_ERR {
        return;
    }
    if PREVIOUS_FLAGS.load(SeqCst) & libc::SA_SIGINFO as usize != 0 {
        // SAFETY: `install` recorded this address from a sigaction whose flags say SA_SIGINFO,
        // so it is a three-argument handler; the arguments are the kernel's own.
        let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
            unsafe { std::mem::transmute(previous) };
        f(sig, info, context);
    } else {
        // SAFETY: without SA_SIGINFO the recorded address is a one-argument handler.
        let f: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(previous) };
        f(sig);
    }
}

fn current_action() -> Option<libc::sigaction> {
    // SAFETY: sigaction with a null new action only reads the current one into `old`.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        (libc::sigaction(libc::SIGINT, std::ptr::null(), &mut old) == 0).then_some(old)
    }
}

/// Puts our handler in front of the current one; false when there is nothing to chain to (the
/// default action or ignore), which leaves `SIGINT` alone.
fn install() -> bool {
    let Some(old) = current_action() else {
        return false;
    };
    let ours = on_sigint as *const () as usize;
    if old.sa_sigaction == ours {
        return true;
    }
    if old.sa_sigaction == libc::SIG_DFL || old.sa_sigaction == libc::SIG_IGN {
        return false;
    }
    PREVIOUS_HANDLER.store(old.sa_sigaction, SeqCst);
    PREVIOUS_FLAGS.store(old.sa_flags as usize, SeqCst);
    *SAVED.lock().unwrap_or_else(|e| e.into_inner()) = Some(SavedAction(old));
    // SAFETY: a zeroed sigaction is valid; we fill in the handler, flags and an empty mask.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = ours;
        action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | (old.sa_flags & libc::SA_RESTART);
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut()) == 0
    }
}

/// Puts the previous handler back, if ours is still the one installed.
fn restore_handler() {
    let Some(current) = current_action() else {
        return;
    };
    if current.sa_sigaction != on_sigint as *const () as usize {
        return;
    }
    let Some(SavedAction(previous)) = SAVED.lock().unwrap_or_else(|e| e.into_inner()).take() else {
        return;
    };
    // SAFETY: `previous` is the action sigaction itself reported before ours was installed.
    unsafe { libc::sigaction(libc::SIGINT, &previous, std::ptr::null_mut()) };
}
