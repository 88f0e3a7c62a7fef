//! What the call machinery knows about a Java class: its public methods, constructors and fields
//! with their JNI ids and parameter types, read once per class through `org.imglyb.bridge.Reflect` and
//! cached for the life of the process.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use jni::sys::jobject;

use super::cache::CallCache;
use crate::jni::error::{Error, Result};
use crate::jni::strings::read_rust_string;
use crate::jni::{FieldId, Frame, JRef, MethodId, Prim, RawEnv, jcall};
use crate::runtime::Loader;

/// Bits of [`JType::flags`], computed in Java (`org.imglyb.bridge.Reflect.flags`); the values are the
/// contract's (`crate::contract::T_*`).
pub mod flags {
    /// A `String` can be passed (String, CharSequence, Object, ...).
    pub const STRING: u32 = crate::contract::T_STRING;
    /// A `Boolean` can be passed.
    pub const BOOLEAN: u32 = crate::contract::T_BOOLEAN;
    /// A `Byte` can be passed.
    pub const BYTE: u32 = crate::contract::T_BYTE;
    /// A `Character` can be passed.
    pub const CHAR: u32 = crate::contract::T_CHAR;
    /// A `Short` can be passed.
    pub const SHORT: u32 = crate::contract::T_SHORT;
    /// An `Integer` can be passed.
    pub const INT: u32 = crate::contract::T_INT;
    /// A `Long` can be passed.
    pub const LONG: u32 = crate::contract::T_LONG;
    /// A `Float` can be passed.
    pub const FLOAT: u32 = crate::contract::T_FLOAT;
    /// A `Double` can be passed.
    pub const DOUBLE: u32 = crate::contract::T_DOUBLE;
    /// An `ArrayList` can be passed (List, Collection, Iterable, Object).
    pub const LIST: u32 = crate::contract::T_LIST;
    /// An ImgLib2 `Img` can be passed, and the type is not `Object`.
    pub const IMG: u32 = crate::contract::T_IMG;
    /// The type is an interface.
    pub const INTERFACE: u32 = crate::contract::T_INTERFACE;
    /// The type is a `java.util.Iterator`.
    pub const ITERATOR: u32 = crate::contract::T_ITERATOR;
    /// The type is a `java.lang.Iterable`.
    pub const ITERABLE: u32 = crate::contract::T_ITERABLE;
    /// The type is a `java.util.Collection`.
    pub const COLLECTION: u32 = crate::contract::T_COLLECTION;
    /// The type is a `java.util.List`.
    pub const LIST_CLASS: u32 = crate::contract::T_LIST_CLASS;
    /// The type is a `java.util.Map`.
    pub const MAP: u32 = crate::contract::T_MAP;
    /// The type is abstract (or an interface).
    pub const ABSTRACT: u32 = crate::contract::T_ABSTRACT;
    /// The type is a `Throwable`.
    pub const THROWABLE: u32 = crate::contract::T_THROWABLE;
}

/// The flag of [`JType::flags`] saying a parameter accepts this primitive's box.
pub fn box_flag(p: Prim) -> u32 {
    match p {
        Prim::Boolean => flags::BOOLEAN,
        Prim::Byte => flags::BYTE,
        Prim::Char => flags::CHAR,
        Prim::Short => flags::SHORT,
        Prim::Int => flags::INT,
        Prim::Long => flags::LONG,
        Prim::Float => flags::FLOAT,
        Prim::Double => flags::DOUBLE,
        Prim::Void => 0,
    }
}

/// A Java type as it appears in a signature.
// Non-exhaustive: only reflection makes these, so ids, types and classes agree, which the
// safe calls rely on.
#[derive(Debug)]
#[non_exhaustive]
pub struct JType {
    /// The binary name: `int`, `java.lang.String`, `[J`, `[Ljava.lang.String;`.
    pub name: String,
    /// The primitive, for primitive types and `void`.
    pub prim: Option<Prim>,
    /// The class, for reference types.
    pub class: Option<Arc<JRef>>,
    /// [`flags`] bits.
    pub flags: u32,
    /// The element type, for arrays.
    pub component: Option<Arc<JType>>,
}

impl JType {
    /// The type of a primitive (`int`, `double`, ...): no class, no flags.
    pub fn primitive(p: Prim) -> JType {
        JType {
            name: p.name().to_owned(),
            prim: Some(p),
            class: None,
            flags: 0,
            component: None,
        }
    }

    /// Whether this is a reference type.
    pub fn is_ref(&self) -> bool {
        self.prim.is_none()
    }

    /// The readable Java spelling: `long[]` rather than `[J`.
    pub fn display(&self) -> String {
        match &self.component {
            Some(c) => format!("{}[]", c.display()),
            None => self.name.clone(),
        }
    }

    /// The class reference of a reference type.
    pub(crate) fn raw_class(&self) -> jobject {
        self.class
            .as_ref()
            .map_or(std::ptr::null_mut(), |c| c.as_raw())
    }
}

/// One public method or constructor.
// Non-exhaustive: only reflection makes these, so ids, types and classes agree, which the
// safe calls rely on.
#[derive(Debug)]
#[non_exhaustive]
pub struct MethodInfo {
    /// The name (`<init>` for constructors).
    pub name: String,
    /// The JNI id.
    pub id: MethodId,
    /// Static method.
    pub is_static: bool,
    /// Declared with `...`.
    pub varargs: bool,
    /// The class that declares it.
    pub declaring: Arc<JType>,
    /// The return type (`void` for constructors).
    pub ret: Arc<JType>,
    /// The parameter types.
    pub params: Vec<Arc<JType>>,
    /// The runtime class of the first object it returned: most methods return one class, and a
    /// match spares the class-cache lookup for every later result.
    pub returned: OnceLock<Arc<ClassInfo>>,
}

impl MethodInfo {
    /// `static long abs(long)`, for error messages.
    pub fn signature(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| {
                if self.varargs && i + 1 == self.params.len() {
                    p.component
                        .as_ref()
                        .map_or_else(|| p.display(), |c| format!("{}...", c.display()))
                } else {
                    p.display()
                }
            })
            .collect();
        let stat = if self.is_static { "static " } else { "" };
        if self.name == "<init>" {
            format!("{}({})", self.declaring.name, params.join(", "))
        } else {
            format!(
                "{stat}{} {}({})",
                self.ret.display(),
                self.name,
                params.join(", ")
            )
        }
    }
}

/// All public methods of one name (or all constructors), with the overload cache.
#[derive(Debug)]
pub struct MethodGroup {
    /// The Java name.
    pub name: String,
    /// The overloads.
    pub overloads: Vec<MethodInfo>,
    /// Resolution results by argument key.
    pub cache: CallCache,
}

impl MethodGroup {
    /// Whether any overload is static.
    pub fn has_static(&self) -> bool {
        self.overloads.iter().any(|m| m.is_static)
    }

    /// Whether any overload is an instance method.
    pub fn has_instance(&self) -> bool {
        self.overloads.iter().any(|m| !m.is_static)
    }
}

/// One public field.
// Non-exhaustive: only reflection makes these, so ids, types and classes agree, which the
// safe calls rely on.
#[derive(Debug)]
#[non_exhaustive]
pub struct FieldInfo {
    /// The name.
    pub name: String,
    /// The JNI id.
    pub id: FieldId,
    /// Static field.
    pub is_static: bool,
    /// Final field: read-only.
    pub is_final: bool,
    /// The class that declares it.
    pub declaring: Arc<JType>,
    /// Its type.
    pub ty: Arc<JType>,
}

/// What imglyb knows about one Java class.
// Non-exhaustive: only reflection makes these, so ids, types and classes agree, which the
// safe calls rely on.
#[derive(Debug)]
#[non_exhaustive]
pub struct ClassInfo {
    /// The class itself as a type (name, class reference, flags, component for arrays).
    pub ty: Arc<JType>,
    /// Public methods by name, static and instance alike, inherited ones included.
    pub methods: HashMap<String, Arc<MethodGroup>>,
    /// Public constructors; `None` for interfaces, abstract classes and arrays.
    pub constructors: Option<Arc<MethodGroup>>,
    /// Public fields by name, inherited ones included.
    pub fields: HashMap<String, Arc<FieldInfo>>,
    /// `java.lang.String`.
    pub is_string: bool,
    /// For `java.lang.Integer` and the other boxes: the primitive they hold.
    pub unboxes_to: Option<Prim>,
}

impl ClassInfo {
    /// This description for the life of the process: every `ClassInfo` is made by the class
    /// cache, which keeps it for good, so a host may hold it as `&'static` (in a cache key, an
    /// [`ArgKind`](super::overload::ArgKind)).
    pub fn forever(this: &Arc<ClassInfo>) -> &'static ClassInfo {
        let ptr = Arc::as_ptr(this);
        // SAFETY: ClassInfo is non-exhaustive, so only this crate makes one, and it makes them
        // only in ClassCache::for_class, which keeps every description it hands out in a map
        // that is never shrunk or dropped (the cache lives in a static). The pointee therefore
        // lives until the process exits, and it is never mutated (no `&mut` is ever taken).
        unsafe { &*ptr }
    }

    /// The binary name.
    pub fn name(&self) -> &str {
        &self.ty.name
    }

    /// The class reference.
    pub fn class(&self) -> &Arc<JRef> {
        self.ty
            .class
            .as_ref()
            .expect("a described class is a reference type")
    }

    /// Whether a [`flags`] bit is set for the class.
    pub fn has(&self, flag: u32) -> bool {
        self.ty.flags & flag != 0
    }

    /// For arrays: the element type.
    pub fn component(&self) -> Option<&Arc<JType>> {
        self.ty.component.as_ref()
    }

    /// Sorted names of public methods and fields, for `dir()`.
    pub fn member_names(&self, statics_only: bool) -> Vec<String> {
        let mut names: Vec<String> = self
            .methods
            .values()
            .filter(|g| !statics_only || g.has_static())
            .map(|g| g.name.clone())
            .chain(
                self.fields
                    .values()
                    .filter(|f| !statics_only || f.is_static)
                    .map(|f| f.name.clone()),
            )
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

/// One row of `Reflect.inspect`'s type table, read.
struct TypeRow {
    name: String,
    prim: Option<Prim>,
    class: Option<Arc<JRef>>,
    flags: u32,
    component: Option<usize>,
}

/// Builds type `i` of the table after its element type (arrays nest at most 255 deep in Java).
fn build_type(
    rows: &[TypeRow],
    built: &mut [Option<Arc<JType>>],
    i: usize,
    depth: usize,
) -> Result<Arc<JType>> {
    if let Some(t) = &built[i] {
        return Ok(t.clone());
    }
    let row = rows
        .get(i)
        .filter(|_| depth < 256)
        .ok_or_else(|| Error::Internal(format!("bad type index {i}")))?;
    let component = match row.component {
        Some(c) if c < rows.len() => Some(build_type(rows, built, c, depth + 1)?),
        Some(c) => return Err(Error::Internal(format!("bad element type index {c}"))),
        None => None,
    };
    let t = Arc::new(JType {
        name: row.name.clone(),
        prim: row.prim,
        class: row.class.clone(),
        flags: row.flags,
        component,
    });
    built[i] = Some(t.clone());
    Ok(t)
}

/// Field ids of `Reflect.TypeRow`.
#[derive(Debug)]
struct TypeRowFields {
    name: FieldId,
    code: FieldId,
    flags: FieldId,
    component: FieldId,
    ty: FieldId,
}

/// Field ids of `Reflect.MemberRow`.
#[derive(Debug)]
struct MemberRowFields {
    kind: FieldId,
    name: FieldId,
    flags: FieldId,
    declaring: FieldId,
    ret: FieldId,
    params: FieldId,
    member: FieldId,
}

/// Cached ids the machinery uses on every call and every class description. The global
/// references keep their classes, and so the ids, valid.
#[derive(Debug)]
pub(crate) struct Ids {
    pub(crate) system: JRef,
    pub(crate) identity_hash: MethodId,
    pub(crate) reflect: JRef,
    pub(crate) inspect: MethodId,
    _classes: [JRef; 3],
    types: FieldId,
    members: FieldId,
    type_row: TypeRowFields,
    member_row: MemberRowFields,
}

/// Every [`ClassInfo`] made so far, by class identity and by name.
#[derive(Debug)]
pub(crate) struct ClassCache {
    pub(crate) ids: Ids,
    by_hash: RwLock<HashMap<i32, Vec<Arc<ClassInfo>>>>,
    by_name: RwLock<HashMap<String, Arc<ClassInfo>>>,
}

impl ClassCache {
    pub(crate) fn new(loader: &Loader) -> Result<ClassCache> {
        let mut frame = Frame::attach()?;
        let system = frame.find_class(c"java/lang/System")?;
        let identity_hash =
            frame.static_method_id(&system, c"identityHashCode", c"(Ljava/lang/Object;)I")?;
        let reflect = loader.class("org.imglyb.bridge.Reflect", true)?;
        let inspect = frame.static_method_id(
            &reflect,
            c"inspect",
            c"(Ljava/lang/Class;)Lorg/imglyb/bridge/Reflect$Description;",
        )?;
        let description = loader.class("org.imglyb.bridge.Reflect$Description", false)?;
        let type_row = loader.class("org.imglyb.bridge.Reflect$TypeRow", false)?;
        let member_row = loader.class("org.imglyb.bridge.Reflect$MemberRow", false)?;
        let f = |class: &JRef, name: &std::ffi::CStr, sig: &std::ffi::CStr| {
            frame.field_id(class, name, sig)
        };
        let ids = Ids {
            identity_hash,
            inspect,
            types: f(
                &description,
                c"types",
                c"[Lorg/imglyb/bridge/Reflect$TypeRow;",
            )?,
            members: f(
                &description,
                c"members",
                c"[Lorg/imglyb/bridge/Reflect$MemberRow;",
            )?,
            type_row: TypeRowFields {
                name: f(&type_row, c"name", c"Ljava/lang/String;")?,
                code: f(&type_row, c"code", c"C")?,
                flags: f(&type_row, c"flags", c"I")?,
                component: f(&type_row, c"component", c"I")?,
                ty: f(&type_row, c"type", c"Ljava/lang/Class;")?,
            },
            member_row: MemberRowFields {
                kind: f(&member_row, c"kind", c"C")?,
                name: f(&member_row, c"name", c"Ljava/lang/String;")?,
                flags: f(&member_row, c"flags", c"I")?,
                declaring: f(&member_row, c"declaring", c"I")?,
                ret: f(&member_row, c"ret", c"I")?,
                params: f(&member_row, c"params", c"[I")?,
                member: f(&member_row, c"member", c"Ljava/lang/reflect/Member;")?,
            },
            system,
            reflect,
            _classes: [description, type_row, member_row],
        };
        Ok(ClassCache {
            ids,
            by_hash: RwLock::new(HashMap::new()),
            by_name: RwLock::new(HashMap::new()),
        })
    }

    /// The cached description of a class loaded by name, if any.
    pub(crate) fn by_name(&self, name: &str) -> Option<Arc<ClassInfo>> {
        self.by_name.read().ok()?.get(name).cloned()
    }

    pub(crate) fn remember_name(&self, name: &str, info: &Arc<ClassInfo>) {
        if let Ok(mut map) = self.by_name.write() {
            map.insert(name.to_owned(), info.clone());
        }
    }

    /// The description of `class` (a live `java.lang.Class` reference), made on first use.
    pub(crate) fn for_class(&self, env: RawEnv, class: jobject) -> Result<Arc<ClassInfo>> {
        let args = [jni::sys::jvalue { l: class }];
        // SAFETY: `identity_hash` is System.identityHashCode(Object), static, on the class
        // `system`; the argument array matches its one Object parameter.
        let hash = unsafe {
            jcall!(
                env,
                CallStaticIntMethodA,
                self.ids.system.as_raw(),
                self.ids.identity_hash.raw(),
                args.as_ptr()
            )
        };
        Frame::new(env).check()?;
        if let Some(found) = self.lookup(env, hash, class) {
            return Ok(found);
        }
        let info = Arc::new(self.inspect(env, class)?);
        let mut map = self
            .by_hash
            .write()
            .map_err(|_| Error::Internal("class cache poisoned".into()))?;
        let bucket = map.entry(hash).or_default();
        if let Some(found) = bucket.iter().find(|c| env.same(c.class().as_raw(), class)) {
            return Ok(found.clone());
        }
        bucket.push(info.clone());
        Ok(info)
    }

    fn lookup(&self, env: RawEnv, hash: i32, class: jobject) -> Option<Arc<ClassInfo>> {
        let map = self.by_hash.read().ok()?;
        map.get(&hash)?
            .iter()
            .find(|c| env.same(c.class().as_raw(), class))
            .cloned()
    }

    fn inspect(&self, env: RawEnv, class: jobject) -> Result<ClassInfo> {
        let mut frame = Frame::new(env);
        let ids = &self.ids;
        let args = [jni::sys::jvalue { l: class }];
        // SAFETY: `describe` is the static Reflect.inspect(Class) of the class `reflect`, and
        // the argument array holds its one Class parameter.
        let described = unsafe {
            jcall!(
                env,
                CallStaticObjectMethodA,
                ids.reflect.as_raw(),
                ids.inspect.raw(),
                args.as_ptr()
            )
        };
        let described = frame.checked_local(described)?;
        let bad = |what: &str| Error::Internal(format!("Reflect.inspect returned {what}"));
        if described.is_null() {
            return Err(bad("null"));
        }
        // The field reads below are sound because `described` is a Reflect.Description, its
        // arrays hold TypeRow and MemberRow objects (Java never stores null there), and each id
        // is a field of the class it is read from, with the type read ("as above").
        // SAFETY: as said.
        let type_rows = unsafe { frame.object_field(described, ids.types) }?;
        // SAFETY: as above.
        let member_rows = unsafe { frame.object_field(described, ids.members) }?;
        let t = &ids.type_row;
        // SAFETY: `type_rows` is a live TypeRow[].
        let n_types = unsafe { frame.array_len(type_rows) };
        let mut rows = Vec::with_capacity(n_types);
        for i in 0..n_types {
            let mut row_frame = Frame::new(env);
            // SAFETY: as above.
            let row = unsafe { row_frame.element(type_rows, i) }?;
            // SAFETY: as above.
            let name = unsafe { row_frame.object_field(row, t.name) }?;
            let name = read_rust_string(env, name);
            // SAFETY: as above.
            let code = unsafe { row_frame.char_field(row, t.code) };
            // SAFETY: as above.
            let flags = unsafe { row_frame.int_field(row, t.flags) };
            // SAFETY: as above.
            let component = unsafe { row_frame.int_field(row, t.component) };
            let prim = Prim::from_code(char::from_u32(u32::from(code)).unwrap_or('L'));
            let class = if prim.is_none() {
                // SAFETY: as above.
                let c = unsafe { row_frame.object_field(row, t.ty) }?;
                Some(Arc::new(row_frame.global(c)?))
            } else {
                None
            };
            rows.push(TypeRow {
                name,
                prim,
                class,
                flags: flags as u32,
                component: usize::try_from(component).ok(),
            });
        }
        if rows.is_empty() {
            return Err(bad("no types"));
        }
        let mut built: Vec<Option<Arc<JType>>> = vec![None; rows.len()];
        for i in 0..rows.len() {
            build_type(&rows, &mut built, i, 0)?;
        }
        let types: Vec<Arc<JType>> = built.into_iter().flatten().collect();
        let ty = |i: i32| -> Result<Arc<JType>> {
            usize::try_from(i)
                .ok()
                .and_then(|i| types.get(i).cloned())
                .ok_or_else(|| Error::Internal(format!("bad type index {i}")))
        };

        let m = &ids.member_row;
        let mut groups: HashMap<String, Vec<MethodInfo>> = HashMap::new();
        let mut ctors = Vec::new();
        let mut fields = HashMap::new();
        // SAFETY: `member_rows` is a live MemberRow[].
        let n_members = unsafe { frame.array_len(member_rows) };
        for i in 0..n_members {
            let mut row_frame = Frame::new(env);
            // SAFETY: as above.
            let row = unsafe { row_frame.element(member_rows, i) }?;
            // SAFETY: as above.
            let kind = unsafe { row_frame.char_field(row, m.kind) };
            // SAFETY: as above.
            let name = unsafe { row_frame.object_field(row, m.name) }?;
            let name = read_rust_string(env, name);
            // SAFETY: as above.
            let mflags = unsafe { row_frame.int_field(row, m.flags) } as u32;
            // SAFETY: as above.
            let declaring = ty(unsafe { row_frame.int_field(row, m.declaring) })?;
            // SAFETY: as above.
            let ret = ty(unsafe { row_frame.int_field(row, m.ret) })?;
            // SAFETY: as above.
            let member = unsafe { row_frame.object_field(row, m.member) }?;
            if kind == u16::from(b'F') {
                // SAFETY: `member` is a live java.lang.reflect.Field.
                let id = unsafe { jcall!(env, FromReflectedField, member) };
                row_frame.check()?;
                fields.insert(
                    name.clone(),
                    Arc::new(FieldInfo {
                        name,
                        // SAFETY: the id is of a field of a class this ClassInfo keeps loaded.
                        id: unsafe { FieldId::from_raw(id) },
                        is_static: mflags & crate::contract::M_STATIC != 0,
                        is_final: mflags & crate::contract::M_FINAL != 0,
                        declaring,
                        ty: ret,
                    }),
                );
                continue;
            }
            // SAFETY: as above.
            let params = unsafe { row_frame.object_field(row, m.params) }?;
            // SAFETY: `params` is a live int[].
            let n = unsafe { row_frame.array_len(params) };
            let mut indices = vec![0i32; n];
            if n > 0 {
                // SAFETY: `indices` has room for the array's `n` ints.
                unsafe {
                    jcall!(
                        env,
                        GetIntArrayRegion,
                        params,
                        0,
                        n as i32,
                        indices.as_mut_ptr()
                    )
                };
                row_frame.check()?;
            }
            // SAFETY: `member` is a live java.lang.reflect.Method or Constructor.
            let id = unsafe { jcall!(env, FromReflectedMethod, member) };
            row_frame.check()?;
            let info = MethodInfo {
                name: name.clone(),
                // SAFETY: the id is of a method of a class this ClassInfo keeps loaded.
                id: unsafe { MethodId::from_raw(id) },
                is_static: mflags & crate::contract::M_STATIC != 0,
                varargs: mflags & crate::contract::M_VARARGS != 0,
                declaring,
                ret,
                params: indices.into_iter().map(ty).collect::<Result<Vec<_>>>()?,
                returned: OnceLock::new(),
            };
            if kind == u16::from(b'C') {
                ctors.push(info);
            } else {
                groups.entry(name).or_default().push(info);
            }
        }
        let this = types[0].clone();
        let group = |name: String, overloads| {
            Arc::new(MethodGroup {
                name,
                overloads,
                cache: CallCache::default(),
            })
        };
        Ok(ClassInfo {
            is_string: this.name == "java.lang.String",
            unboxes_to: Prim::from_box_name(&this.name),
            methods: groups
                .into_iter()
                .map(|(name, overloads)| (name.clone(), group(name, overloads)))
                .collect(),
            constructors: (!ctors.is_empty()).then(|| group("<init>".into(), ctors)),
            fields,
            ty: this,
        })
    }
}
