//! Raw FFI to libjvm: loading it with `dlopen` and calling its two invocation entry points.
//!
//! This is the only module of imglyb-core that calls C directly. Nothing links against a JDK at
//! build time: libjvm is opened at run time from the Java home that the search found, and a JVM
//! that someone else already created in this process is found through the libjvm they loaded.

use std::ffi::{CStr, CString, c_void};
use std::path::{Path, PathBuf};
use std::ptr;

use jni::sys::{JNI_OK, JNI_VERSION_1_8, JavaVM, JavaVMInitArgs, JavaVMOption, jint, jsize};

use super::install_check::check_libjvm;
use crate::jni::error::{Error, Result};

type CreateJavaVm =
    unsafe extern "system" fn(*mut *mut JavaVM, *mut *mut c_void, *mut c_void) -> jint;
type GetCreatedJavaVms = unsafe extern "system" fn(*mut *mut JavaVM, jsize, *mut jsize) -> jint;

/// An opened libjvm. The library is never closed: a JVM cannot be unloaded.
#[derive(Debug)]
pub(crate) struct LibJvm {
    pub(crate) path: PathBuf,
    create: CreateJavaVm,
    get_created: GetCreatedJavaVms,
}

fn dl_error() -> String {
    // SAFETY: dlerror returns NULL or a pointer to a NUL-terminated, thread-local message that
    // stays valid until the next dl* call on this thread; it is copied at once.
    unsafe {
        let msg = libc::dlerror();
        if msg.is_null() {
            "unknown dlopen error".to_owned()
        } else {
            CStr::from_ptr(msg).to_string_lossy().into_owned()
        }
    }
}

impl LibJvm {
    /// Opens libjvm at `path` (`flags` adds to `RTLD_NOW`), or `Ok(None)` when `RTLD_NOLOAD`
    /// was given and the library is not loaded.
    fn open_with(path: &Path, flags: libc::c_int) -> Result<Option<Self>> {
        let c_path = CString::new(path.as_os_str().as_encoded_bytes())
            .map_err(|_| Error::InvalidArgument(format!("path {} contains NUL", path.display())))?;
        // SAFETY: `c_path` is a valid NUL-terminated string. libjvm's initialisers are safe to
        // run at any time; the handle is deliberately never closed.
        let handle = unsafe { libc::dlopen(c_path.as_ptr(), libc::RTLD_NOW | flags) };
        if handle.is_null() {
            if flags & libc::RTLD_NOLOAD != 0 {
                return Ok(None);
            }
            return Err(Error::Internal(format!(
                "cannot load {}: {}",
                path.display(),
                dl_error()
            )));
        }
        let symbol = |name: &CStr| {
            // SAFETY: `handle` is a live dlopen handle and `name` is NUL-terminated.
            let sym = unsafe { libc::dlsym(handle, name.as_ptr()) };
            if sym.is_null() {
                Err(Error::Internal(format!(
                    "{} has no symbol {}",
                    path.display(),
                    name.to_string_lossy()
                )))
            } else {
                Ok(sym)
            }
        };
        let (create, get_created) = match symbol(c"JNI_CreateJavaVM")
            .and_then(|create| Ok((create, symbol(c"JNI_GetCreatedJavaVMs")?)))
        {
            Ok(pair) => pair,
            Err(e) => {
                // SAFETY: `handle` came from dlopen above and nothing of the library is in use:
                // it is not a JVM, so it is unloaded again (or its reference count dropped).
                unsafe { libc::dlclose(handle) };
                return Err(e);
            }
        };
        Ok(Some(LibJvm {
            path: path.to_path_buf(),
            // SAFETY: the JNI Invocation API defines these two symbols with exactly these
            // signatures and the "system" (C) calling convention.
            create: unsafe { std::mem::transmute::<*mut c_void, CreateJavaVm>(create) },
            // SAFETY: as above.
            get_created: unsafe {
                std::mem::transmute::<*mut c_void, GetCreatedJavaVms>(get_created)
            },
        }))
    }

    /// Loads libjvm from `path`, after checking that the file is a whole ELF shared library
    /// that exports the invocation API ([`check_libjvm`]): `dlopen` maps segments past the end
    /// of a truncated file, and touching them is a SIGBUS; a library that is not a JVM would
    /// stay loaded for nothing. Call it last, once nothing else can refuse the installation: a
    /// loaded libjvm is never unloaded, and its symbols would shadow those of a later one.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        check_libjvm(path).map_err(|why| Error::JvmNotFound {
            tried: vec![format!("{}: {why}", path.display())],
        })?;
        Self::open_with(path, libc::RTLD_GLOBAL)?
            .ok_or_else(|| Error::Internal(format!("cannot load {}", path.display())))
    }

    /// Every libjvm already mapped into this process, as listed by `/proc/self/maps`.
    pub(crate) fn already_loaded() -> Vec<Self> {
        let Ok(maps) = std::fs::read_to_string("/proc/self/maps") else {
            return Vec::new();
        };
        let mut paths: Vec<&str> = maps
            .lines()
            .filter_map(|line| line.split_whitespace().nth(5))
            .filter(|p| p.ends_with("/libjvm.so"))
            .collect();
        paths.dedup();
        paths
            .into_iter()
            .filter_map(|p| {
                Self::open_with(Path::new(p), libc::RTLD_NOLOAD)
                    .ok()
                    .flatten()
            })
            .collect()
    }

    /// The JVM this library already runs in this process, if any.
    pub(crate) fn created_vm(&self) -> Option<*mut JavaVM> {
        let mut vm: *mut JavaVM = ptr::null_mut();
        let mut count: jsize = 0;
        // SAFETY: the out-pointers are valid for one JavaVM pointer and one jsize.
        let rc = unsafe { (self.get_created)(&mut vm, 1, &mut count) };
        (rc == JNI_OK && count > 0 && !vm.is_null()).then_some(vm)
    }

    /// Creates the process's JVM with `options`, attaching the calling thread to it.
    ///
    /// # Safety
    /// No JVM may exist in this process yet; a failed creation must not be retried.
    pub(crate) unsafe fn create_vm(&self, options: &[String]) -> Result<*mut JavaVM> {
        let c_options = options
            .iter()
            .map(|o| CString::new(o.as_bytes()))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|_| Error::InvalidArgument("a JVM option contains a NUL byte".to_owned()))?;
        let mut raw: Vec<JavaVMOption> = c_options
            .iter()
            .map(|o| JavaVMOption {
                optionString: o.as_ptr() as *mut _,
                extraInfo: ptr::null_mut(),
            })
            .collect();
        let mut args = JavaVMInitArgs {
            version: JNI_VERSION_1_8,
            nOptions: raw.len() as jint,
            options: raw.as_mut_ptr(),
            ignoreUnrecognized: 0,
        };
        let mut vm: *mut JavaVM = ptr::null_mut();
        let mut env: *mut c_void = ptr::null_mut();
        // SAFETY: `args` and the option strings it points to outlive the call; the out-pointers
        // are valid. The caller guarantees no JVM exists yet.
        let rc =
            unsafe { (self.create)(&mut vm, &mut env, (&mut args as *mut JavaVMInitArgs).cast()) };
        if rc != JNI_OK || vm.is_null() {
            return Err(Error::JvmCreate {
                code: rc,
                libjvm: self.path.clone(),
            });
        }
        Ok(vm)
    }
}
