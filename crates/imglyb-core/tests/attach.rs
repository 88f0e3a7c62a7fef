//! Attaching to a JVM that someone else created in this process.
//!
//! This binary creates the JVM itself through the JNI Invocation API, as JPype or a C host would,
//! and only then asks imglyb-core to start: core must find that JVM and attach to it. It has its
//! own process because a process can hold one JVM only.

use std::ffi::{CString, c_void};
use std::path::PathBuf;
use std::ptr;

use imglyb_core::jni::sys::{JNI_OK, JNI_VERSION_1_8, JavaVM, JavaVMInitArgs, JavaVMOption, jint};
use imglyb_core::{JavaSearch, Jvm, JvmConfig};

type CreateJavaVm =
    unsafe extern "system" fn(*mut *mut JavaVM, *mut *mut c_void, *mut c_void) -> jint;

/// Creates a JVM the way an embedding host would: its own `dlopen` (local symbols), its own
/// options. Returns the raw `JavaVM`.
fn create_foreign_jvm(classpath: &str) -> *mut JavaVM {
    let install = JavaSearch::from_env().find().expect("a JDK for the test");
    let lib = CString::new(install.libjvm.to_str().unwrap()).unwrap();
    let options = [
        CString::new(format!("-Djava.class.path={classpath}")).unwrap(),
        CString::new("-Xcheck:jni").unwrap(),
        CString::new("-Dimglyb.test.host=foreign").unwrap(),
    ];
    let mut raw: Vec<JavaVMOption> = options
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
    // SAFETY: `lib` is a NUL-terminated path; the handle is never closed.
    let handle = unsafe { libc::dlopen(lib.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    assert!(!handle.is_null(), "dlopen {}", install.libjvm.display());
    // SAFETY: `handle` is live and the name is NUL-terminated.
    let sym = unsafe { libc::dlsym(handle, c"JNI_CreateJavaVM".as_ptr()) };
    assert!(!sym.is_null());
    // SAFETY: JNI_CreateJavaVM has this signature in every JDK.
    let create = unsafe { std::mem::transmute::<*mut c_void, CreateJavaVm>(sym) };
    // SAFETY: no JVM exists in this test process yet; `args` outlives the call.
    let rc = unsafe { create(&mut vm, &mut env, (&mut args as *mut JavaVMInitArgs).cast()) };
    assert_eq!(rc, JNI_OK);
    vm
}

#[test]
fn core_attaches_to_an_existing_jvm() {
    let imglib2 = PathBuf::from(imglyb_core::SYSTEM_JARS[0]);
    assert!(imglib2.is_file(), "the test needs Debian's libimglib2-java");
    let foreign = create_foreign_jvm(imglib2.to_str().unwrap());
    assert!(!Jvm::started());

    let jvm = Jvm::start(&JvmConfig {
        system_jars: false,
        ..JvmConfig::default()
    })
    .expect("attach");
    assert_eq!(jvm.raw_vm(), foreign);
    let settings = jvm.settings();
    assert!(!settings.created_here);
    assert_eq!(settings.classpath, vec![imglib2.clone()]);
    let options = settings
        .options
        .as_ref()
        .expect("input arguments are readable");
    assert!(
        options.contains(&"-Dimglyb.test.host=foreign".to_owned()),
        "{options:?}"
    );

    // The bridge classes were loaded into the foreign JVM and work there, from any thread.
    let info = jvm.info().unwrap();
    assert_eq!(info.bridge_version, imglyb_core::VERSION);
    assert_eq!(info.imglib2_location.as_deref(), imglib2.to_str());
    assert_eq!(jvm.imglib2_self_test().unwrap(), 66.0);
    let other = std::thread::spawn(move || jvm.imglib2_self_test().unwrap());
    assert_eq!(other.join().unwrap(), 66.0);

    // Asking for settings the foreign JVM does not have is refused; its own are accepted.
    assert!(
        Jvm::start(&JvmConfig {
            options: vec!["-Xmx77m".into()],
            ..JvmConfig::default()
        })
        .is_err()
    );
    assert!(
        Jvm::start(&JvmConfig {
            options: vec!["-Dimglyb.test.host=foreign".into()],
            classpath: vec![imglib2],
            system_jars: false,
            ..JvmConfig::default()
        })
        .is_ok()
    );
}
