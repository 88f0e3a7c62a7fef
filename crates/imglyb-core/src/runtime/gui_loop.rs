//! The main-thread event loop that Java's AWT and Swing windows need on macOS.
//!
//! On macOS, AppKit delivers events on the process's first thread only, and AWT hands its work
//! to that thread. A plain `python` keeps that thread for the interpreter, so a Java window
//! never appears (or AWT waits for ever). `python -m imglyb.gui script.py` runs the script on a
//! second thread and gives the first to [`pump_for`], in slices: it makes the process a regular
//! application (Dock icon, keyboard focus) and pumps AppKit's events. Linux and Windows need
//! none of this, and [`pump_for`] refuses there (`docs/macos.md`).
//!
//! AppKit and the Objective-C runtime are reached at run time (`dlopen`), so the module links
//! nothing beyond the system library and builds from Linux. The loop itself ([`pump_until`]) is
//! the same code on every system and is tested on Linux; the AppKit
//! calls are built for macOS here but cannot run on this project's machines.

use std::time::{Duration, Instant};

/// Pumps the main thread's AppKit events for `slice` (at least one round), then returns, so that
/// the caller (Python's wrapper, in a loop) handles signals between slices. The thread must be
/// the process's first. Refused on systems other than macOS and off the first thread.
pub fn pump_for(slice: Duration) -> Result<(), String> {
    if !cfg!(target_os = "macos") {
        return Err("only macOS needs a main-thread event loop for Java windows".to_owned());
    }
    if !super::platform::is_first_thread() {
        return Err(
            "the event loop must run on the process's first thread (python -m imglyb.gui \
             arranges this)"
                .to_owned(),
        );
    }
    #[cfg(target_os = "macos")]
    {
        thread_local! {
            // Made once, on the first thread: the shared application, regular and launched.
            static APP: std::cell::OnceCell<Result<appkit::App, String>> =
                const { std::cell::OnceCell::new() };
        }
        APP.with(|app| {
            let app = app
                .get_or_init(appkit::App::open)
                .as_ref()
                .map_err(Clone::clone)?;
            pump_until(Instant::now() + slice, || app.pump_once())
        })
    }
    #[cfg(not(target_os = "macos"))]
    {
        let _ = slice;
        unreachable!("refused above")
    }
}

/// Calls `pump` once, and again until `deadline`; a pump's error ends it. `pump` handles the
/// events that are there, waiting briefly for one.
pub fn pump_until(
    deadline: Instant,
    mut pump: impl FnMut() -> Result<(), String>,
) -> Result<(), String> {
    loop {
        pump()?;
        if Instant::now() >= deadline {
            return Ok(());
        }
    }
}

#[cfg(target_os = "macos")]
mod appkit {
    //! `NSApplication` through the Objective-C runtime's C functions.

    use std::ffi::{CStr, c_void};

    type Id = *mut c_void;
    type Sel = *mut c_void;

    const OBJC: &CStr = c"/usr/lib/libobjc.A.dylib";
    const APPKIT: &CStr = c"/System/Library/Frameworks/AppKit.framework/AppKit";
    /// `NSApplicationActivationPolicyRegular`: a Dock icon, menus and keyboard focus.
    const POLICY_REGULAR: isize = 0;
    /// `NSEventMaskAny`.
    const ANY_EVENT: u64 = u64::MAX;
    /// How long one pump waits for an event, in seconds: short, so that a stop is seen soon.
    const WAIT: f64 = 0.05;

    /// The shared application and what one pump needs.
    pub(super) struct App {
        send: *const c_void,
        pool_push: unsafe extern "C" fn() -> *mut c_void,
        pool_pop: unsafe extern "C" fn(*mut c_void),
        app: Id,
        date_class: Id,
        mode: Id,
        sel_date: Sel,
        sel_next: Sel,
        sel_send_event: Sel,
        sel_update: Sel,
    }

    fn open_lib(path: &CStr) -> Result<*mut c_void, String> {
        // SAFETY: `path` is a NUL-terminated string; dlopen returns null on failure.
        let lib = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
        if lib.is_null() {
            return Err(format!("cannot load {}", path.to_string_lossy()));
        }
        Ok(lib)
    }

    fn symbol(lib: *mut c_void, name: &CStr) -> Result<*mut c_void, String> {
        // SAFETY: `lib` is a handle from dlopen and `name` is NUL-terminated.
        let sym = unsafe { libc::dlsym(lib, name.as_ptr()) };
        if sym.is_null() {
            return Err(format!("no symbol {}", name.to_string_lossy()));
        }
        Ok(sym)
    }

    impl App {
        /// Loads the runtime and AppKit, and makes this process a regular, launched application.
        pub(super) fn open() -> Result<App, String> {
            let objc = open_lib(OBJC)?;
            let appkit = open_lib(APPKIT)?;
            let send = symbol(objc, c"objc_msgSend")?;
            // SAFETY: each symbol is the Objective-C runtime's C function of that name, with the
            // signature given to it; `NSDefaultRunLoopMode` is AppKit's global `NSString *`.
            unsafe {
                let get_class: unsafe extern "C" fn(*const i8) -> Id =
                    std::mem::transmute(symbol(objc, c"objc_getClass")?);
                let sel: unsafe extern "C" fn(*const i8) -> Sel =
                    std::mem::transmute(symbol(objc, c"sel_registerName")?);
                let pool_push = std::mem::transmute::<
                    *mut c_void,
                    unsafe extern "C" fn() -> *mut c_void,
                >(symbol(objc, c"objc_autoreleasePoolPush")?);
                let pool_pop = std::mem::transmute::<*mut c_void, unsafe extern "C" fn(*mut c_void)>(
                    symbol(objc, c"objc_autoreleasePoolPop")?,
                );
                let mode = *(symbol(appkit, c"NSDefaultRunLoopMode")? as *const Id);
                let application = get_class(c"NSApplication".as_ptr());
                let date_class = get_class(c"NSDate".as_ptr());
                if application.is_null() || date_class.is_null() {
                    return Err("AppKit has no NSApplication or NSDate".to_owned());
                }
                let msg0: unsafe extern "C" fn(Id, Sel) -> Id = std::mem::transmute(send);
                let msg_policy: unsafe extern "C" fn(Id, Sel, isize) -> i8 =
                    std::mem::transmute(send);
                let msg_bool: unsafe extern "C" fn(Id, Sel, i8) = std::mem::transmute(send);
                let pool = pool_push();
                let app = msg0(application, sel(c"sharedApplication".as_ptr()));
                msg_policy(app, sel(c"setActivationPolicy:".as_ptr()), POLICY_REGULAR);
                msg0(app, sel(c"finishLaunching".as_ptr()));
                msg_bool(app, sel(c"activateIgnoringOtherApps:".as_ptr()), 1);
                pool_pop(pool);
                Ok(App {
                    send,
                    pool_push,
                    pool_pop,
                    app,
                    date_class,
                    mode,
                    sel_date: sel(c"dateWithTimeIntervalSinceNow:".as_ptr()),
                    sel_next: sel(c"nextEventMatchingMask:untilDate:inMode:dequeue:".as_ptr()),
                    sel_send_event: sel(c"sendEvent:".as_ptr()),
                    sel_update: sel(c"updateWindows".as_ptr()),
                })
            }
        }

        /// Waits briefly for an event, dispatches it, and lets windows redraw.
        pub(super) fn pump_once(&self) -> Result<(), String> {
            // SAFETY: `send` is objc_msgSend, called with the argument types of each selector;
            // the objects made here are autoreleased into the pool popped at the end.
            unsafe {
                let msg_date: unsafe extern "C" fn(Id, Sel, f64) -> Id =
                    std::mem::transmute(self.send);
                let msg_next: unsafe extern "C" fn(Id, Sel, u64, Id, Id, i8) -> Id =
                    std::mem::transmute(self.send);
                let msg_id: unsafe extern "C" fn(Id, Sel, Id) = std::mem::transmute(self.send);
                let msg0: unsafe extern "C" fn(Id, Sel) -> Id = std::mem::transmute(self.send);
                let pool = (self.pool_push)();
                let until = msg_date(self.date_class, self.sel_date, WAIT);
                let event = msg_next(self.app, self.sel_next, ANY_EVENT, until, self.mode, 1);
                if !event.is_null() {
                    msg_id(self.app, self.sel_send_event, event);
                }
                msg0(self.app, self.sel_update);
                (self.pool_pop)(pool);
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pumps_at_least_once_and_until_the_deadline() {
        let mut pumps = 0;
        pump_until(Instant::now(), || {
            pumps += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(pumps, 1);
        let start = Instant::now();
        pump_until(start + Duration::from_millis(30), || {
            std::thread::sleep(Duration::from_millis(5));
            Ok(())
        })
        .unwrap();
        assert!(start.elapsed() >= Duration::from_millis(30));
        let err =
            pump_until(start + Duration::from_secs(60), || Err("gone".to_owned())).unwrap_err();
        assert_eq!(err, "gone");
        if !cfg!(target_os = "macos") {
            assert!(pump_for(Duration::ZERO).unwrap_err().contains("only macOS"));
        }
    }
}
