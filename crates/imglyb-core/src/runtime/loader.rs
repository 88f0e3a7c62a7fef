//! The embedded Java classes: class files compiled from `java/` by `build.rs`, loaded into the
//! JVM through a class loader of our own ([`Loader`]), and the few calls the runtime makes into
//! `org.imglyb.bridge.Bridge` (JVM facts, the ImgLib2 self-test, exception descriptions).

use jni::JNIEnv;
use jni::objects::{GlobalRef, JClass, JObject, JValue};

use crate::jni::error::{Error, Result};
use crate::jni::exception::{self, check_jni};
use crate::jni::{Frame, JRef, MethodId, RawEnv};

include!(concat!(env!("OUT_DIR"), "/bridge_classes.rs"));

const LOADER_CLASS: &str = "org.imglyb.bridge.BridgeClassLoader";
const BRIDGE_CLASS: &str = "org.imglyb.bridge.Bridge";

/// Binary names of every embedded bridge class, such as `org.imglyb.bridge.Bridge`.
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

/// Global references to imglyb's class loader and its `org.imglyb.bridge.Bridge` class.
#[derive(Debug)]
pub struct Loader {
    pub(crate) loader: GlobalRef,
    class: GlobalRef,
}

impl Loader {
    /// Defines the bridge class loader (or reuses one that another copy of imglyb defined in this
    /// JVM: its behaviour is generic), gives a new instance of it our class files, and loads
    /// `org.imglyb.bridge.Bridge` through it.
    pub(crate) fn load(env: &mut JNIEnv) -> Result<Loader> {
        env.with_local_frame(16, |env| {
            let system = env
                .call_static_method(
                    "java/lang/ClassLoader",
                    "getSystemClassLoader",
                    "()Ljava/lang/ClassLoader;",
                    &[],
                )
                .and_then(|v| v.l());
            let system = check_jni(env, system)?;
            let loader_class = match class_for_name(env, LOADER_CLASS, &system, false) {
                Ok(class) => class,
                Err(Error::Java(_)) => {
                    let defined = env.define_class(
                        LOADER_CLASS.replace('.', "/"),
                        &system,
                        class_file(LOADER_CLASS),
                    );
                    JObject::from(check_jni(env, defined)?)
                }
                Err(e) => return Err(e),
            };
            let loader_class = JClass::from(loader_class);
            let loader = env.new_object(
                &loader_class,
                "(Ljava/lang/ClassLoader;)V",
                &[JValue::Object(&system)],
            );
            let loader = check_jni(env, loader)?;
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
                check_jni(env, added)?;
            }
            let class = class_for_name(env, BRIDGE_CLASS, &loader, true)?;
            let text = env.get_static_method_id(
                JClass::from(env.new_local_ref(&class)?),
                "throwableText",
                "(Ljava/lang/Throwable;)[Ljava/lang/String;",
            );
            let text = check_jni(env, text)?;
            let raw = RawEnv::from_jni(env);
            // SAFETY: the id is a static method of `class`, which the global reference below
            // keeps loaded for good.
            let text = unsafe { MethodId::from_raw(text.into_raw()) };
            exception::set_throwable_text(raw.global(class.as_raw())?, text);
            Ok(Loader {
                loader: env.new_global_ref(&loader)?,
                class: env.new_global_ref(&class)?,
            })
        })
    }

    fn bridge_class(&self) -> &JClass<'static> {
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
                .call_static_method(self.bridge_class(), method, "()[Ljava/lang/String;", &[])
                .and_then(|v| v.l());
            let array = check_jni(env, r)?;
            if array.is_null() {
                return Ok(None);
            }
            let mut frame = Frame::new(RawEnv::from_jni(env));
            crate::jni::strings::read_string_array(&mut frame, array.as_raw()).map(Some)
        })
    }

    /// Calls `Bridge.imglib2SelfTest()`.
    pub(crate) fn imglib2_self_test(&self, env: &mut JNIEnv) -> Result<f64> {
        let r = env
            .call_static_method(self.bridge_class(), "imglib2SelfTest", "()D", &[])
            .and_then(|v| v.d());
        check_jni(env, r)
    }

    /// Calls `Bridge.imglib2Available()`.
    pub(crate) fn imglib2_available(&self, env: &mut JNIEnv) -> Result<bool> {
        let r = env
            .call_static_method(self.bridge_class(), "imglib2Available", "()Z", &[])
            .and_then(|v| v.z());
        check_jni(env, r)
    }
}

/// `Class.forName(name, initialize, loader)`.
pub(crate) fn class_for_name<'local>(
    env: &mut JNIEnv<'local>,
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
    check_jni(env, r)
}

impl Loader {
    /// A class by binary name through imglyb's class loader, as a global reference.
    pub fn class(&self, name: &str, initialize: bool) -> Result<JRef> {
        let mut env = crate::jni::vm::env()?.to_jni()?;
        env.with_local_frame(4, |env| {
            let class = class_for_name(env, name, self.loader.as_obj(), initialize)?;
            RawEnv::from_jni(env).global(class.as_raw())
        })
    }
}
