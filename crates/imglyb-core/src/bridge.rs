//! The embedded Java bridge: class files compiled from `java/` by `build.rs`, loaded into the JVM
//! through a class loader of our own, and the typed calls into them.

use jni::JNIEnv;
use jni::objects::{GlobalRef, JClass, JObject, JObjectArray, JString, JValue};

use crate::error::{Error, JavaThrowable, Result};

include!(concat!(env!("OUT_DIR"), "/bridge_classes.rs"));

const LOADER_CLASS: &str = "org.imglyb.BridgeClassLoader";
const BRIDGE_CLASS: &str = "org.imglyb.Bridge";

/// Binary names of every embedded bridge class, such as `org.imglyb.Bridge`.
pub fn bridge_class_names() -> impl Iterator<Item = &'static str> {
    CLASSES.iter().map(|(name, _)| *name)
}

fn class_file(name: &str) -> &'static [u8] {
    CLASSES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
        .unwrap_or_else(|| panic!("{name} is not embedded; build.rs compiles every class in java/"))
}

/// Global references to the bridge's class loader and its `Bridge` class.
#[derive(Debug)]
pub(crate) struct Bridge {
    pub(crate) loader: GlobalRef,
    pub(crate) class: GlobalRef,
}

impl Bridge {
    /// Defines the bridge class loader (or reuses one that another copy of imglyb defined in this
    /// JVM: its behaviour is generic), gives a new instance of it our class files, and loads
    /// `org.imglyb.Bridge` through it.
    pub(crate) fn load(env: &mut JNIEnv) -> Result<Bridge> {
        env.with_local_frame(16, |env| {
            let system = env
                .call_static_method(
                    "java/lang/ClassLoader",
                    "getSystemClassLoader",
                    "()Ljava/lang/ClassLoader;",
                    &[],
                )
                .and_then(|v| v.l());
            let system = check(env, None, system)?;
            let loader_class = match class_for_name(env, None, LOADER_CLASS, &system, false) {
                Ok(class) => class,
                Err(Error::Java(_)) => {
                    let defined = env.define_class(
                        LOADER_CLASS.replace('.', "/"),
                        &system,
                        class_file(LOADER_CLASS),
                    );
                    JObject::from(check(env, None, defined)?)
                }
                Err(e) => return Err(e),
            };
            let loader_class = JClass::from(loader_class);
            let loader = env.new_object(
                &loader_class,
                "(Ljava/lang/ClassLoader;)V",
                &[JValue::Object(&system)],
            );
            let loader = check(env, None, loader)?;
            for (name, bytes) in CLASSES.iter().filter(|(n, _)| *n != LOADER_CLASS) {
                let added = env.new_string(*name).and_then(|jname| {
                    let jbytes = env.byte_array_from_slice(bytes)?;
                    env.call_method(
                        &loader,
                        "addClass",
                        "(Ljava/lang/String;[B)V",
                        &[JValue::Object(&jname), JValue::Object(&jbytes)],
                    )?;
                    env.delete_local_ref(jbytes)?;
                    env.delete_local_ref(jname)
                });
                check(env, None, added)?;
            }
            let class = class_for_name(env, None, BRIDGE_CLASS, &loader, true)?;
            Ok(Bridge {
                loader: env.new_global_ref(&loader)?,
                class: env.new_global_ref(&class)?,
            })
        })
    }

    fn class(&self) -> &JClass<'static> {
        <&JClass>::from(self.class.as_obj())
    }

    /// Calls a static `String[]`-returning method of `Bridge` and converts the result.
    pub(crate) fn strings(
        &self,
        env: &mut JNIEnv,
        method: &str,
    ) -> Result<Option<Vec<Option<String>>>> {
        env.with_local_frame(8, |env| {
            let r = env
                .call_static_method(self.class(), method, "()[Ljava/lang/String;", &[])
                .and_then(|v| v.l());
            let array = check(env, Some(self), r)?;
            if array.is_null() {
                return Ok(None);
            }
            string_array(env, &JObjectArray::from(array)).map(Some)
        })
    }

    /// Calls `Bridge.imglib2SelfTest()`.
    pub(crate) fn imglib2_self_test(&self, env: &mut JNIEnv) -> Result<f64> {
        let r = env
            .call_static_method(self.class(), "imglib2SelfTest", "()D", &[])
            .and_then(|v| v.d());
        check(env, Some(self), r)
    }

    /// Calls `Bridge.imglib2Available()`.
    pub(crate) fn imglib2_available(&self, env: &mut JNIEnv) -> Result<bool> {
        let r = env
            .call_static_method(self.class(), "imglib2Available", "()Z", &[])
            .and_then(|v| v.z());
        check(env, Some(self), r)
    }
}

/// `Class.forName(name, initialize, loader)`.
pub(crate) fn class_for_name<'local>(
    env: &mut JNIEnv<'local>,
    bridge: Option<&Bridge>,
    name: &str,
    loader: &JObject,
    initialize: bool,
) -> Result<JObject<'local>> {
    let r = env.new_string(name).and_then(|jname| {
        let class = env
            .call_static_method(
                "java/lang/Class",
                "forName",
                "(Ljava/lang/String;ZLjava/lang/ClassLoader;)Ljava/lang/Class;",
                &[
                    JValue::Object(&jname),
                    JValue::Bool(initialize.into()),
                    JValue::Object(loader),
                ],
            )
            .and_then(|v| v.l());
        env.delete_local_ref(jname)?;
        class
    });
    check(env, bridge, r)
}

/// Reads a Java `String[]`; null elements stay `None`.
pub(crate) fn string_array(env: &mut JNIEnv, array: &JObjectArray) -> Result<Vec<Option<String>>> {
    let len = env.get_array_length(array)?;
    let mut out = Vec::with_capacity(len as usize);
    for i in 0..len {
        let element = env.get_object_array_element(array, i)?;
        if element.is_null() {
            out.push(None);
        } else {
            let s = JString::from(element);
            out.push(Some(java_string(env, &s)));
            env.delete_local_ref(s)?;
        }
    }
    Ok(out)
}

/// Reads a `java.lang.String` (by UTF-16, so no modified-UTF-8 surprises and no local
/// references left behind, unlike `JNIEnv::get_string` of jni 0.21).
pub(crate) fn java_string(env: &JNIEnv, s: &JObject) -> String {
    String::from_utf16_lossy(&crate::call::read_string(
        crate::jref::RawEnv::from_jni(env),
        s.as_raw(),
    ))
}

/// Converts a JNI result. A pending Java exception is cleared and becomes [`Error::Java`],
/// described by the bridge when it is loaded and by `Throwable.toString()` before that.
pub(crate) fn check<T>(
    env: &mut JNIEnv,
    bridge: Option<&Bridge>,
    r: jni::errors::Result<T>,
) -> Result<T> {
    match r {
        Ok(v) => Ok(v),
        Err(jni::errors::Error::JavaException) => Err(take_exception(env, bridge)),
        Err(e) => {
            // Some JNI wrappers fail with their own error while an exception is pending.
            if env.exception_check().unwrap_or(false) {
                Err(take_exception(env, bridge))
            } else {
                Err(Error::Jni(e))
            }
        }
    }
}

/// Takes the pending exception off the thread and describes it.
pub(crate) fn take_exception(env: &mut JNIEnv, bridge: Option<&Bridge>) -> Error {
    let throwable = match env.exception_occurred() {
        Ok(t) if !t.is_null() => t,
        _ => return Error::Internal("a Java exception was reported but none is pending".into()),
    };
    if env.exception_clear().is_err() {
        return Error::Internal("could not clear a pending Java exception".into());
    }
    let error = throwable_error(env, bridge, &throwable);
    let _ = env.delete_local_ref(throwable);
    error
}

/// An [`Error::Java`] for `throwable` (a live `java.lang.Throwable`, no exception pending): one
/// just caught, or one that crossed into the host earlier and is to be thrown again.
pub(crate) fn throwable_error(
    env: &mut JNIEnv,
    bridge: Option<&Bridge>,
    throwable: &JObject,
) -> Error {
    let global = match env.new_global_ref(throwable) {
        Ok(g) => g,
        Err(e) => return Error::Jni(e),
    };
    match describe(env, bridge, throwable) {
        Ok((class_name, message, stacktrace)) => Error::Java(Box::new(JavaThrowable {
            class_name,
            message,
            stacktrace,
            throwable: global,
        })),
        Err(e) => e,
    }
}

type Description = (String, Option<String>, String);

fn describe(env: &mut JNIEnv, bridge: Option<&Bridge>, throwable: &JObject) -> Result<Description> {
    let failed = || Error::Internal("a Java exception was thrown while describing another".into());
    if let Some(bridge) = bridge {
        let r = env
            .call_static_method(
                bridge.class(),
                "describeThrowable",
                "(Ljava/lang/Throwable;)[Ljava/lang/String;",
                &[JValue::Object(throwable)],
            )
            .and_then(|v| v.l());
        let Ok(array) = r else {
            let _ = env.exception_clear();
            return Err(failed());
        };
        let array = JObjectArray::from(array);
        let parts = string_array(env, &array);
        // The caller may be outside any local frame (Jvm::take_exception): free the array now,
        // or each exception leaks one local reference (found by the state-machine tests).
        let _ = env.delete_local_ref(array);
        let mut parts = parts?.into_iter();
        let class_name = parts.next().flatten().unwrap_or_default();
        let message = parts.next().flatten();
        let stacktrace = parts.next().flatten().unwrap_or_default();
        return Ok((class_name, message, stacktrace));
    }
    // Before the bridge exists: Throwable.toString() is "class: message".
    let r = env
        .call_method(throwable, "toString", "()Ljava/lang/String;", &[])
        .and_then(|v| v.l());
    let Ok(text) = r else {
        let _ = env.exception_clear();
        return Err(failed());
    };
    let string = java_string(env, &text);
    let _ = env.delete_local_ref(text);
    let text = string;
    let (class_name, message) = match text.split_once(": ") {
        Some((c, m)) => (c.to_owned(), Some(m.to_owned())),
        None => (text.clone(), None),
    };
    Ok((class_name, message, text))
}
