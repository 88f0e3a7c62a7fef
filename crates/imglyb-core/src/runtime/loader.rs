//! The embedded Java classes: class files compiled from `java/` by `build.rs`, loaded into the
//! JVM through a class loader of our own ([`Loader`]), and the few calls the runtime makes into
//! `org.imglyb.bridge.Bridge` (JVM facts, the ImgLib2 self-test, exception descriptions).

use std::ffi::CStr;

use jni::sys::{jobject, jvalue};

use crate::jni::error::{Error, Result};
use crate::jni::exception;
use crate::jni::strings::{new_string, read_rust_string, read_string_array};
use crate::jni::{Frame, JRef, MethodId};

include!(concat!(env!("OUT_DIR"), "/bridge_classes.rs"));

const LOADER_CLASS: &str = "org.imglyb.bridge.BridgeClassLoader";
/// Hands objects between imglyb and other bridges (JPype); defined in the system class loader,
/// like [`LOADER_CLASS`], so that they find it by name.
const EXCHANGE_CLASS: &str = "org.imglyb.bridge.Exchange";
/// The classes defined in the system class loader rather than in imglyb's own.
const SYSTEM_CLASSES: [&str; 2] = [LOADER_CLASS, EXCHANGE_CLASS];
const BRIDGE_CLASS: &str = "org.imglyb.bridge.Bridge";
/// The class whose presence means "ImgLib2 is on the classpath".
const IMGLIB2_CLASS: &str = "net.imglib2.img.Img";

/// Binary names of every embedded bridge class, such as `org.imglyb.bridge.Bridge`.
pub fn bridge_class_names() -> impl Iterator<Item = &'static str> {
    CLASSES.iter().map(|(name, _)| *name)
}

/// The embedded class files, every one (what `build.rs` compiled from `java/`).
pub(crate) fn class_files() -> impl Iterator<Item = &'static [u8]> {
    CLASSES.iter().map(|(_, bytes)| *bytes)
}

fn class_file(name: &str) -> &'static [u8] {
    CLASSES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
        .unwrap_or_else(|| panic!("{name} is not embedded; build.rs compiles every class in java/"))
}

/// Global references to imglyb's class loader and its `org.imglyb.bridge.Bridge` class, and the
/// ids the runtime calls them through.
#[derive(Debug)]
pub struct Loader {
    loader: JRef,
    bridge: JRef,
    class_class: JRef,
    for_name: MethodId,
}

/// `Class.forName(String, boolean, ClassLoader)`.
const FOR_NAME_SIG: &CStr = c"(Ljava/lang/String;ZLjava/lang/ClassLoader;)Ljava/lang/Class;";

impl Loader {
    /// Defines the bridge class loader and the exchange class in the system class loader (or
    /// reuses those another copy of imglyb defined in this JVM: their behaviour is generic), gives
    /// a new instance of the loader our other class files, and loads `org.imglyb.bridge.Bridge`
    /// through it.
    pub(crate) fn load() -> Result<Loader> {
        let mut frame = Frame::attach()?;
        let class_loader = frame.find_class(c"java/lang/ClassLoader")?;
        let system_id = frame.static_method_id(
            &class_loader,
            c"getSystemClassLoader",
            c"()Ljava/lang/ClassLoader;",
        )?;
        // SAFETY: getSystemClassLoader() is a static method of ClassLoader with no parameters.
        let system = unsafe { frame.call_static_object(&class_loader, system_id, &[]) }?;
        let class_class = frame.find_class(c"java/lang/Class")?;
        let for_name = frame.static_method_id(&class_class, c"forName", FOR_NAME_SIG)?;
        let mut system_classes = Vec::with_capacity(SYSTEM_CLASSES.len());
        for name in SYSTEM_CLASSES {
            let jni_name = std::ffi::CString::new(name.replace('.', "/"))
                .map_err(|e| Error::Internal(e.to_string()))?;
            // Defined first, looked up only when that fails: a lookup that misses (the usual
            // case, a JVM without them) searches every jar of the classpath and throws, 1-3 ms
            // of a start. It fails when another copy of imglyb in this JVM defined them (a
            // `LinkageError`, duplicate definition); theirs are then used, being generic.
            // SAFETY: `system` is the system class loader.
            let class = match unsafe { frame.define_class(&jni_name, system, class_file(name)) } {
                Ok(defined) => frame.global(defined)?,
                Err(Error::Java(_)) => {
                    let class =
                        for_name_in(&mut frame, &class_class, for_name, name, system, false)?;
                    frame.global(class)?
                }
                Err(e) => return Err(e),
            };
            system_classes.push(class);
        }
        let loader_class = system_classes.swap_remove(0);
        let init = frame.method_id(&loader_class, c"<init>", c"(Ljava/lang/ClassLoader;)V")?;
        // SAFETY: `init` is BridgeClassLoader(ClassLoader), given the system class loader.
        let loader = unsafe { frame.new_object(&loader_class, init, &[jvalue { l: system }]) }?;
        let loader = frame.global(loader)?;
        let add = frame.method_id(&loader_class, c"addClass", c"(Ljava/lang/String;[B)V")?;
        for (name, bytes) in CLASSES.iter().filter(|(n, _)| !SYSTEM_CLASSES.contains(n)) {
            let mut item = Frame::new(frame.env());
            let units: Vec<u16> = name.encode_utf16().collect();
            let jname = new_string(&mut item, &units)?;
            let jbytes = item.new_bytes(bytes)?;
            // SAFETY: `add` is addClass(String, byte[]) of the loader's class.
            unsafe {
                item.call_void(
                    loader.as_raw(),
                    add,
                    &[jvalue { l: jname }, jvalue { l: jbytes }],
                )
            }?;
        }
        // The bridge's verification loads ImgLib2's classes: in a JVM started without ImgLib2
        // (by JPype, say) that is a NoClassDefFoundError, which names no fix. Say what it is.
        if let Err(Error::Java(_)) = for_name_in(
            &mut frame,
            &class_class,
            for_name,
            IMGLIB2_CLASS,
            system,
            false,
        ) {
            return Err(Error::ImgLib2NotFound {
                classpath: system_classpath(&mut frame)?,
            });
        }
        let bridge = for_name_in(
            &mut frame,
            &class_class,
            for_name,
            BRIDGE_CLASS,
            loader.as_raw(),
            true,
        )?;
        let bridge = frame.global(bridge)?;
        let text = frame.static_method_id(
            &bridge,
            c"throwableText",
            c"(Ljava/lang/Throwable;)[Ljava/lang/String;",
        )?;
        exception::set_throwable_text(frame.global(bridge.as_raw())?, text);
        Ok(Loader {
            loader,
            bridge,
            class_class,
            for_name,
        })
    }

    /// A class by binary name through imglyb's class loader, as a global reference.
    pub fn class(&self, name: &str, initialize: bool) -> Result<JRef> {
        let mut frame = Frame::attach()?;
        let class = for_name_in(
            &mut frame,
            &self.class_class,
            self.for_name,
            name,
            self.loader.as_raw(),
            initialize,
        )?;
        frame.global(class)
    }

    /// Calls a static `String[]`-returning method of `Bridge` with no parameters.
    pub(crate) fn strings(&self, method: &CStr) -> Result<Option<Vec<Option<String>>>> {
        let mut frame = Frame::attach()?;
        let id = frame.static_method_id(&self.bridge, method, c"()[Ljava/lang/String;")?;
        // SAFETY: `id` is a static String[] method of Bridge with no parameters.
        let array = unsafe { frame.call_static_object(&self.bridge, id, &[]) }?;
        if array.is_null() {
            return Ok(None);
        }
        read_string_array(&mut frame, array).map(Some)
    }

    /// Calls `Bridge.imglib2SelfTest()`.
    pub(crate) fn imglib2_self_test(&self) -> Result<f64> {
        let frame = Frame::attach()?;
        let id = frame.static_method_id(&self.bridge, c"imglib2SelfTest", c"()D")?;
        // SAFETY: `id` is the static double imglib2SelfTest() of Bridge.
        unsafe { frame.call_static_prim::<f64>(&self.bridge, id, &[]) }
    }

    /// Calls `Bridge.warmUp()`: starts the thread that prepares a first image's descriptions;
    /// returns whether it started.
    pub(crate) fn warm_up(&self) -> Result<bool> {
        let frame = Frame::attach()?;
        let id = frame.static_method_id(&self.bridge, c"warmUp", c"()Z")?;
        // SAFETY: `id` is the static boolean warmUp() of Bridge.
        unsafe { frame.call_static_prim::<u8>(&self.bridge, id, &[]) }.map(|v| v != 0)
    }

    /// Calls `Bridge.imglib2Available()`.
    pub(crate) fn imglib2_available(&self) -> Result<bool> {
        let frame = Frame::attach()?;
        let id = frame.static_method_id(&self.bridge, c"imglib2Available", c"()Z")?;
        // SAFETY: `id` is the static boolean imglib2Available() of Bridge.
        unsafe { frame.call_static_prim::<u8>(&self.bridge, id, &[]) }.map(|v| v != 0)
    }
}

/// The JVM's classpath (`java.class.path`), split into entries.
fn system_classpath(frame: &mut Frame) -> Result<Vec<String>> {
    let system = frame.find_class(c"java/lang/System")?;
    let get_property = frame.static_method_id(
        &system,
        c"getProperty",
        c"(Ljava/lang/String;)Ljava/lang/String;",
    )?;
    let key: Vec<u16> = "java.class.path".encode_utf16().collect();
    let key = new_string(frame, &key)?;
    // SAFETY: getProperty(String) is a static method of System taking one String, and `key` is
    // a live String.
    let value = unsafe { frame.call_static_object(&system, get_property, &[jvalue { l: key }]) }?;
    if value.is_null() {
        return Ok(Vec::new());
    }
    let joined = read_rust_string(frame.env(), value);
    Ok(std::env::split_paths(&joined)
        .map(|p| p.display().to_string())
        .collect())
}

/// `Class.forName(name, initialize, loader)`: a local reference kept in `frame`.
fn for_name_in(
    frame: &mut Frame,
    class_class: &JRef,
    for_name: MethodId,
    name: &str,
    loader: jobject,
    initialize: bool,
) -> Result<jobject> {
    let units: Vec<u16> = name.encode_utf16().collect();
    let jname = new_string(frame, &units)?;
    let args = [
        jvalue { l: jname },
        jvalue {
            z: u8::from(initialize),
        },
        jvalue { l: loader },
    ];
    // SAFETY: `for_name` is Class.forName(String, boolean, ClassLoader), and `loader` is a live
    // class loader (the system one, or imglyb's).
    unsafe { frame.call_static_object(class_class, for_name, &args) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jni::jcall;

    /// A second copy of imglyb in a JVM (the C library beside the Python one, say) finds the
    /// system classes the first defined: its own definition fails as a duplicate, and it takes
    /// theirs.
    #[test]
    fn a_second_copy_takes_the_system_classes_the_first_defined() {
        let jvm = crate::Jvm::start(&crate::JvmConfig::from_env()).expect("a JVM with ImgLib2");
        let second = Loader::load().expect("a second load into the same JVM");
        let frame = Frame::attach().unwrap();
        let env = frame.env();
        // SAFETY: both loaders are live global references; the calls have no Java side effects.
        let same = unsafe {
            let first = jcall!(env, GetObjectClass, jvm.loader().loader.as_raw());
            let other = jcall!(env, GetObjectClass, second.loader.as_raw());
            jcall!(env, IsSameObject, first, other)
        };
        assert!(
            same != 0,
            "the second copy defined a BridgeClassLoader of its own"
        );
        assert!(second.class(EXCHANGE_CLASS, false).is_ok());
        assert!(second.class(BRIDGE_CLASS, false).is_ok());
    }
}
