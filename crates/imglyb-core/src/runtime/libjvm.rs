//! Raw FFI to libjvm: loading it with `dlopen` and calling its two invocation entry points.
//!
//! This is the only module of imglyb-core that calls C directly. Nothing links against a JDK at
//! build time: libjvm is opened at run time from the Java home that the search found, and a JVM
//! that someone else already created in this process is found through the libjvm they loaded.

use std::ffi::{CStr, CString, c_void};
use std::path::{Path, PathBuf};
use std::ptr;

use jni::sys::{JNI_OK, JNI_VERSION_1_8, JavaVM, JavaVMInitArgs, JavaVMOption, jint, jsize};

use crate::jni::error::{Error, Result};

type CreateJavaVm =
    unsafe extern "system" fn(*mut *mut JavaVM, *mut *mut c_void, *mut c_void) -> jint;
type GetCreatedJavaVms = unsafe extern "system" fn(*mut *mut JavaVM, jsize, *mut jsize) -> jint;

/// Why the file at `path` is not a whole ELF shared library for this process, if it is not: it
/// must be readable, start with an ELF header of this machine's word size and byte order, and
/// hold every byte its program and section headers point to.
pub(crate) fn check_elf(path: &Path) -> std::result::Result<(), String> {
    use std::io::Read;

    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read it ({e})"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot read it ({e})"))?
        .len();
    let mut header = [0u8; 64];
    file.read_exact(&mut header)
        .map_err(|_| format!("not a shared library ({len} bytes, shorter than an ELF header)"))?;
    if &header[..4] != b"\x7fELF" {
        return Err("not a shared library (no ELF header)".to_owned());
    }
    if header[4] != 2 || header[5] != if cfg!(target_endian = "little") { 1 } else { 2 } {
        return Err(
            "an ELF library for another kind of machine (not 64-bit, native byte order)".to_owned(),
        );
    }
    let u16_at = |b: &[u8], i: usize| u64::from(u16::from_ne_bytes([b[i], b[i + 1]]));
    let u32_at = |b: &[u8], i: usize| u32::from_ne_bytes(b[i..i + 4].try_into().unwrap());
    let u64_at = |b: &[u8], i: usize| u64::from_ne_bytes(b[i..i + 8].try_into().unwrap());
    let truncated = |what: &str, end: u64| {
        format!("truncated: its {what} reach byte {end}, but the file has {len} bytes")
    };
    let (phoff, phentsize, phnum) = (
        u64_at(&header, 0x20),
        u16_at(&header, 0x36),
        u16_at(&header, 0x38),
    );
    let (shoff, shentsize, shnum) = (
        u64_at(&header, 0x28),
        u16_at(&header, 0x3a),
        u16_at(&header, 0x3c),
    );
    let table_end = |off: u64, size: u64, n: u64| off.checked_add(size.checked_mul(n)?);
    let ph_end = table_end(phoff, phentsize, phnum).unwrap_or(u64::MAX);
    if ph_end > len || (phnum > 0 && phentsize < 56) {
        return Err(truncated("program headers", ph_end));
    }
    let sh_end = table_end(shoff, shentsize, shnum).unwrap_or(u64::MAX);
    if sh_end > len {
        return Err(truncated("section headers", sh_end));
    }
    if phnum == 0 {
        return Err("not a loadable library (no program headers)".to_owned());
    }
    let mut table = vec![0u8; (ph_end - phoff) as usize];
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(phoff))
        .and_then(|_| file.read_exact(&mut table))
        .map_err(|e| format!("cannot read it ({e})"))?;
    for entry in table.chunks_exact(phentsize as usize) {
        const PT_LOAD: u32 = 1;
        if u32_at(entry, 0) != PT_LOAD {
            continue;
        }
        let end = u64_at(entry, 8).saturating_add(u64_at(entry, 32));
        if end > len {
            return Err(truncated("loadable segments", end));
        }
    }
    Ok(())
}

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
        let create = symbol(c"JNI_CreateJavaVM")?;
        let get_created = symbol(c"JNI_GetCreatedJavaVMs")?;
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

    /// Loads libjvm from `path`, after checking that the file is a whole ELF shared library:
    /// `dlopen` maps segments past the end of a truncated file, and touching them is a SIGBUS.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        check_elf(path).map_err(|why| Error::JvmNotFound {
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

#[cfg(test)]
mod tests {
    use super::check_elf;
    use std::path::PathBuf;

    /// A libjvm of this machine: the test JDK's.
    fn real_libjvm() -> PathBuf {
        let home = crate::runtime::discovery::JavaSearch::from_env()
            .find()
            .expect("a JDK (ci/setup installs one)")
            .home;
        crate::runtime::discovery::libjvm_in(&home)
            .expect("libjvm")
            .libjvm
    }

    #[test]
    fn whole_libraries_pass_and_truncated_or_foreign_files_are_refused() {
        let real = real_libjvm();
        check_elf(&real).unwrap();
        let dir = std::env::temp_dir().join(format!("imglyb-elf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bytes = std::fs::read(&real).unwrap();
        let cut = dir.join("truncated.so");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        assert!(check_elf(&cut).unwrap_err().contains("truncated"));
        let header_only = dir.join("header.so");
        std::fs::write(&header_only, &bytes[..64]).unwrap();
        assert!(check_elf(&header_only).unwrap_err().contains("truncated"));
        let empty = dir.join("empty.so");
        std::fs::write(&empty, b"").unwrap();
        assert!(
            check_elf(&empty)
                .unwrap_err()
                .contains("shorter than an ELF header")
        );
        let text = dir.join("text.so");
        std::fs::write(&text, vec![b'#'; 100]).unwrap();
        assert!(check_elf(&text).unwrap_err().contains("no ELF header"));
        assert!(
            check_elf(&dir.join("missing.so"))
                .unwrap_err()
                .contains("cannot read")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
