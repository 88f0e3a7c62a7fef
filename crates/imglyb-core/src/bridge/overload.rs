//! Overload resolution, as javac would choose, for values that come from a dynamic language.
//!
//! A binding layer describes each argument as an [`ArgKind`]. Every overload is rated per
//! argument with a [`Level`]: exact, widening, boxing, and (for a spread varargs call) varargs.
//! The overloads whose worst level is lowest compete; among them the most specific wins:
//! - reference parameters: the subtype beats the supertype (`RandomAccessibleInterval` beats
//!   `RandomAccessible`);
//! - primitive parameters: the *widest* wins (`long` beats `int`, `double` beats `float`), since a
//!   Python `int` or `float` carries no Java width of its own;
//! - a primitive beats a reference at the same level.
//!
//! No winner is an ambiguity; no candidate is a mismatch. Both errors list the candidates.
//! Results are cached per argument key ([`CallKey`]), so a call site resolves once.
//!
//! # For a host
//! A host implements [`HostArgs`] for its argument lists (a Python object, say): the cheap kind of a
//! plain value, and the full kind of anything. [`resolve_args`] builds the cache key from
//! those kinds (one tag function, [`key_tag`], here and nowhere else), looks it up, and
//! resolves only on a miss. Class relations come through [`Classes`]: the JVM's
//! (`IsAssignableFrom`) in a real call, a table in the unit tests, which need no JVM.

use std::fmt::Write as _;

pub use super::cache::{CallCache, CallKey, KEY_ARGS, Resolved};
use super::reflect::{ClassInfo, JType, MethodGroup, MethodInfo, box_flag, flags};
use crate::jni::error::{Error, Result};
use crate::jni::{Prim, RawEnv};

/// How classes relate, for ranking reference parameters.
pub trait Classes {
    /// Whether `a` and `b` are the same class.
    fn same(&self, a: &JType, b: &JType) -> bool;
    /// Whether a value of class `from` can be passed where a `to` is expected.
    fn assignable(&self, from: &JType, to: &JType) -> bool;
}

/// The JVM's answer, through JNI.
impl Classes for RawEnv {
    fn same(&self, a: &JType, b: &JType) -> bool {
        a.name == b.name && RawEnv::same(*self, a.raw_class(), b.raw_class())
    }

    fn assignable(&self, from: &JType, to: &JType) -> bool {
        let (f, t) = (from.raw_class(), to.raw_class());
        !f.is_null() && !t.is_null() && RawEnv::assignable(*self, f, t)
    }
}

/// A call's arguments as a host holds them (Python objects, say).
pub trait HostArgs {
    /// The host's error.
    type Error;

    /// A core [`Error`] (a mismatch, an ambiguity) as the host's error.
    fn error(&self, e: Error) -> Self::Error;

    /// How many arguments there are.
    fn len(&self) -> usize;

    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The kind of argument `i` when it is a plain value (null, boolean, integer, float,
    /// string, Java object), found without looking inside it; `None` for anything else (a
    /// sequence, an array).
    fn plain_kind(&self, i: usize) -> Result<Option<ArgKind<'static>>, Self::Error>;

    /// The full kind of argument `i`, sequences and arrays included.
    fn kind(&self, i: usize) -> Result<ArgKind<'static>, Self::Error>;
}

/// The cache tag of one argument kind: what resolution depends on (integer range class, float
/// range, one-unit string, the Java class's identity); `None` for kinds that are not cached.
pub fn key_tag(kind: &ArgKind) -> Option<usize> {
    Some(match kind {
        ArgKind::Null => 1,
        ArgKind::Bool => 2,
        ArgKind::Int(Some(v)) if i8::try_from(*v).is_ok() => 10,
        ArgKind::Int(Some(v)) if i16::try_from(*v).is_ok() => 11,
        ArgKind::Int(Some(v)) if i32::try_from(*v).is_ok() => 12,
        ArgKind::Int(Some(_)) => 13,
        ArgKind::Int(None) => 14,
        ArgKind::Float(x) if fits_f32(*x) => 20,
        ArgKind::Float(_) => 21,
        ArgKind::Str { len1 } => 30 + usize::from(*len1),
        // Every ClassInfo lives in the class cache for good, so its address is its identity.
        ArgKind::Object(c) => *c as *const ClassInfo as usize,
        ArgKind::Seq(_) | ArgKind::NdArray { .. } => return None,
    })
}

fn key_of(
    kinds: impl IntoIterator<Item = Option<usize>>,
    len: usize,
    mode: Mode,
) -> Option<CallKey> {
    if len > KEY_ARGS {
        return None;
    }
    let mut tags = [0usize; KEY_ARGS];
    for (slot, tag) in tags.iter_mut().zip(kinds) {
        *slot = tag?;
    }
    Some(CallKey {
        tags,
        len: len as u8,
        mode: mode as u8,
    })
}

/// The overload the cache holds for a host's `args`, when every argument is plain and the same
/// kinds were resolved before; `None` otherwise. Makes no JNI call.
pub fn cached_args<A: HostArgs>(
    group: &MethodGroup,
    mode: Mode,
    args: &A,
) -> Result<Option<Resolved>, A::Error> {
    if args.len() > KEY_ARGS {
        return Ok(None);
    }
    let mut tags = [0usize; KEY_ARGS];
    for (i, slot) in tags.iter_mut().enumerate().take(args.len()) {
        // Untaggable kinds (none of them plain today) skip the cache too.
        match args.plain_kind(i)?.as_ref().and_then(key_tag) {
            Some(tag) => *slot = tag,
            None => return Ok(None),
        }
    }
    let key = CallKey {
        tags,
        len: args.len() as u8,
        mode: mode as u8,
    };
    Ok(group.cache.get(&key))
}

/// Chooses the overload of `group` for a host's `args`: through the cache when every argument
/// is plain ([`cached_args`]), otherwise by classifying them all (and caching the result when they
/// can be keyed).
///
/// `classes` is asked for only on a miss: a cache hit makes no JNI call.
pub fn resolve_args<A: HostArgs, C: Classes>(
    classes: impl FnOnce() -> Result<C, A::Error>,
    owner: &str,
    group: &MethodGroup,
    mode: Mode,
    args: &A,
) -> Result<Resolved, A::Error> {
    if let Some(r) = cached_args(group, mode, args)? {
        return Ok(r);
    }
    let kinds = (0..args.len())
        .map(|i| args.kind(i))
        .collect::<Result<Vec<_>, A::Error>>()?;
    let key = key_of(kinds.iter().map(key_tag), kinds.len(), mode);
    let classes = classes()?;
    resolve(&classes, owner, group, mode, &kinds, key).map_err(|e| args.error(e))
}

/// How well an argument fits a parameter; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The value's own Java type (a Python `int` for `long`, `int`, `short`, `byte` when in range).
    Exact,
    /// A widening conversion (`int` to `double`, a subclass to its superclass, a sequence to an
    /// array or `List`).
    Widening,
    /// Boxing (`int` to `Integer`, `Object`, `Number`).
    Boxing,
    /// The arguments are spread over a varargs parameter.
    Varargs,
}

/// What the binding layer knows about one argument value.
#[derive(Debug)]
pub enum ArgKind<'a> {
    /// `None` / null.
    Null,
    /// A boolean.
    Bool,
    /// An integer; `None` when it does not fit 64 bits.
    Int(Option<i64>),
    /// A floating-point number.
    Float(f64),
    /// A string; `len1` when it is one UTF-16 code unit long (so it can be a `char`).
    Str {
        /// One UTF-16 unit long.
        len1: bool,
    },
    /// A Java object of this runtime class.
    Object(&'a ClassInfo),
    /// A sequence of values (a Python list or tuple).
    Seq(Vec<ArgKind<'a>>),
    /// An N-d array of numbers (NumPy).
    NdArray {
        /// The Java primitive of its dtype when it is one-dimensional and has one, else `None`.
        prim: Option<Prim>,
        /// Whether it can be wrapped zero-copy as an ImgLib2 image.
        img: bool,
    },
}

impl ArgKind<'_> {
    /// A short description for error messages.
    pub fn summary(&self) -> String {
        match self {
            ArgKind::Null => "None".into(),
            ArgKind::Bool => "bool".into(),
            ArgKind::Int(Some(v)) => format!("int {v}"),
            ArgKind::Int(None) => "int beyond 64 bits".into(),
            ArgKind::Float(_) => "float".into(),
            ArgKind::Str { .. } => "str".into(),
            ArgKind::Object(c) => c.name().to_owned(),
            ArgKind::Seq(items) => {
                let inner: Vec<String> = items.iter().take(4).map(|a| a.summary()).collect();
                let more = if items.len() > 4 { ", ..." } else { "" };
                format!("list [{}{more}]", inner.join(", "))
            }
            ArgKind::NdArray { prim: Some(p), .. } => format!("1-d numpy array of {}", p.name()),
            ArgKind::NdArray { prim: None, .. } => "numpy array".into(),
        }
    }
}

fn fits(v: i64, p: Prim) -> bool {
    match p {
        Prim::Byte => i8::try_from(v).is_ok(),
        Prim::Short => i16::try_from(v).is_ok(),
        Prim::Int => i32::try_from(v).is_ok(),
        Prim::Long | Prim::Float | Prim::Double => true,
        Prim::Boolean | Prim::Char | Prim::Void => false,
    }
}

/// Whether a finite double is within float's range (infinities and NaN convert as such).
pub fn fits_f32(x: f64) -> bool {
    !x.is_finite() || x.abs() <= f64::from(f32::MAX)
}

/// The box a Python int becomes for a reference parameter: `Integer` when it fits and is
/// accepted, else `Long`, else `Short` or `Byte`.
pub fn int_box(v: i64, param_flags: u32) -> Option<Prim> {
    [Prim::Int, Prim::Long, Prim::Short, Prim::Byte]
        .into_iter()
        .find(|p| param_flags & box_flag(*p) != 0 && fits(v, *p))
}

/// The box a Python float becomes: `Double`, or `Float` when only that is accepted.
pub fn float_box(x: f64, param_flags: u32) -> Option<Prim> {
    if param_flags & flags::DOUBLE != 0 {
        Some(Prim::Double)
    } else if param_flags & flags::FLOAT != 0 && fits_f32(x) {
        Some(Prim::Float)
    } else {
        None
    }
}

/// How well `arg` fits a parameter of type `ty`, or `None` when it cannot be passed.
pub fn level(env: &impl Classes, arg: &ArgKind, ty: &JType) -> Option<Level> {
    use Level::*;
    match (arg, ty.prim) {
        (ArgKind::Null, None) => Some(Exact),
        (ArgKind::Null, Some(_)) => None,
        (ArgKind::Bool, Some(Prim::Boolean)) => Some(Exact),
        (ArgKind::Bool, None) => (ty.flags & flags::BOOLEAN != 0).then_some(Boxing),
        (ArgKind::Int(Some(v)), Some(p)) => match p {
            Prim::Long | Prim::Int | Prim::Short | Prim::Byte => fits(*v, p).then_some(Exact),
            Prim::Float | Prim::Double => Some(Widening),
            _ => None,
        },
        (ArgKind::Int(Some(v)), None) => int_box(*v, ty.flags).map(|_| Boxing),
        (ArgKind::Float(_), Some(Prim::Double)) => Some(Exact),
        (ArgKind::Float(x), Some(Prim::Float)) => fits_f32(*x).then_some(Exact),
        (ArgKind::Float(x), None) => float_box(*x, ty.flags).map(|_| Boxing),
        (ArgKind::Str { len1 }, None) => {
            if ty.flags & flags::STRING != 0 {
                Some(if ty.name == "java.lang.String" {
                    Exact
                } else {
                    Widening
                })
            } else {
                (*len1 && ty.flags & flags::CHAR != 0).then_some(Boxing)
            }
        }
        (ArgKind::Str { len1: true }, Some(Prim::Char)) => Some(Widening),
        (ArgKind::Object(c), None) => {
            if env.same(&c.ty, ty) {
                Some(Exact)
            } else {
                env.assignable(&c.ty, ty).then_some(Widening)
            }
        }
        (ArgKind::Object(c), Some(p)) => (c.unboxes_to == Some(p)).then_some(Boxing),
        (ArgKind::Seq(items), None) => {
            if let Some(component) = &ty.component {
                items
                    .iter()
                    .map(|item| level(env, item, component))
                    .try_fold(Widening, |worst, l| l.map(|l| worst.max(l)))
            } else if ty.flags & flags::LIST != 0 {
                let level = if ty.name == "java.lang.Object" {
                    Boxing
                } else {
                    Widening
                };
                items.iter().all(object_convertible).then_some(level)
            } else {
                None
            }
        }
        (ArgKind::NdArray { prim, img }, None) => {
            let array_match =
                matches!((prim, &ty.component), (Some(p), Some(c)) if c.prim == Some(*p));
            if array_match {
                Some(Exact)
            } else {
                (*img && ty.flags & flags::IMG != 0).then_some(Widening)
            }
        }
        _ => None,
    }
}

/// Whether a value can become a `java.lang.Object` (inside a `List`, say).
pub fn object_convertible(arg: &ArgKind) -> bool {
    match arg {
        ArgKind::Int(v) => v.is_some(),
        ArgKind::Seq(items) => items.iter().all(object_convertible),
        ArgKind::NdArray { .. } => false,
        _ => true,
    }
}

/// Which overloads a call may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Through an instance: every overload.
    Any = 0,
    /// Through the class: static methods.
    Static = 1,
    /// Through the class with the instance as first argument: instance methods.
    Instance = 2,
}

impl Mode {
    /// Whether a method of this kind may be called in this mode.
    pub fn admits(self, m: &MethodInfo) -> bool {
        match self {
            Mode::Any => true,
            Mode::Static => m.is_static,
            Mode::Instance => !m.is_static,
        }
    }
}

struct Rated<'m> {
    index: usize,
    phase: Level,
    spread: bool,
    /// Per argument: its level and the parameter type it is passed as.
    args: Vec<(Level, &'m JType)>,
}

fn rate<'m>(
    env: &impl Classes,
    index: usize,
    m: &'m MethodInfo,
    args: &[ArgKind],
) -> Option<Rated<'m>> {
    let n = m.params.len();
    if args.len() == n {
        let rated: Option<Vec<_>> = args
            .iter()
            .zip(&m.params)
            .map(|(a, p)| level(env, a, p).map(|l| (l, &**p)))
            .collect();
        if let Some(rated) = rated {
            let phase = rated.iter().map(|r| r.0).max().unwrap_or(Level::Exact);
            return Some(Rated {
                index,
                phase,
                spread: false,
                args: rated,
            });
        }
    }
    if m.varargs && args.len() + 1 >= n {
        let component = m.params[n - 1].component.as_deref()?;
        let rated: Option<Vec<_>> = args
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let p: &JType = if i + 1 < n { &m.params[i] } else { component };
                level(env, a, p).map(|l| (l, p))
            })
            .collect();
        return rated.map(|args| Rated {
            index,
            phase: Level::Varargs,
            spread: true,
            args,
        });
    }
    None
}

#[derive(PartialEq)]
enum Cmp {
    Better,
    Same,
    Worse,
    Unrelated,
}

fn compare_types(env: &impl Classes, a: &JType, b: &JType) -> Cmp {
    if a.name == b.name {
        return Cmp::Same;
    }
    match (a.prim, b.prim) {
        (Some(pa), Some(pb)) => match pa.width_rank().cmp(&pb.width_rank()) {
            std::cmp::Ordering::Greater => Cmp::Better,
            std::cmp::Ordering::Less => Cmp::Worse,
            std::cmp::Ordering::Equal => Cmp::Unrelated,
        },
        (Some(_), None) => Cmp::Better,
        (None, Some(_)) => Cmp::Worse,
        (None, None) => {
            // Primitive arrays filled from a Python sequence: the wider element wins, as for
            // single values.
            if let (Some(ca), Some(cb)) = (&a.component, &b.component)
                && ca.prim.is_some()
                && cb.prim.is_some()
            {
                return compare_types(env, ca, cb);
            }
            if env.assignable(a, b) {
                Cmp::Better
            } else if env.assignable(b, a) {
                Cmp::Worse
            } else {
                Cmp::Unrelated
            }
        }
    }
}

/// Whether `a` is at least as good as `b` for every argument.
fn dominates(env: &impl Classes, a: &Rated, b: &Rated) -> bool {
    a.args.iter().zip(&b.args).all(|((la, ta), (lb, tb))| {
        la < lb || (la == lb && matches!(compare_types(env, ta, tb), Cmp::Better | Cmp::Same))
    })
}

/// The cached resolution for `key`, without classifying the arguments.
pub fn cached(group: &MethodGroup, key: &CallKey) -> Option<Resolved> {
    group.cache.get(key)
}

/// The one overload a call with `arity` arguments in `mode` can reach without resolution: the
/// group has exactly one method, it is not varargs, it takes `arity` parameters and the mode
/// admits it. Converting the arguments to its parameter types is then the whole check.
pub fn sole(group: &MethodGroup, mode: Mode, arity: usize) -> Option<&MethodInfo> {
    match group.overloads.as_slice() {
        [m] if !m.varargs && m.params.len() == arity && mode.admits(m) => Some(m),
        _ => None,
    }
}

/// Chooses the overload of `group` for `args`, through the cache when a key is given.
pub fn resolve(
    env: &impl Classes,
    owner: &str,
    group: &MethodGroup,
    mode: Mode,
    args: &[ArgKind],
    key: Option<CallKey>,
) -> Result<Resolved> {
    if let Some(key) = key
        && let Some(r) = group.cache.get(&key)
    {
        return Ok(r);
    }
    let rated: Vec<Rated> = group
        .overloads
        .iter()
        .enumerate()
        .filter(|(_, m)| mode.admits(m))
        .filter_map(|(index, m)| rate(env, index, m, args))
        .collect();
    let Some(best_phase) = rated.iter().map(|r| r.phase).min() else {
        return Err(mismatch(owner, group, mode, args, "no overload accepts"));
    };
    let contenders: Vec<&Rated> = rated.iter().filter(|r| r.phase == best_phase).collect();
    let winner = contenders.iter().find(|a| {
        contenders
            .iter()
            .all(|b| a.index == b.index || dominates(env, a, b))
    });
    let Some(winner) = winner else {
        let mut text = format!(
            "ambiguous call {owner}.{}({}); these overloads fit equally well:",
            display_name(group),
            arg_list(args)
        );
        for r in &contenders {
            let _ = write!(text, "\n  {}", group.overloads[r.index].signature());
        }
        return Err(Error::TypeMismatch(text));
    };
    let r = Resolved {
        index: winner.index,
        spread: winner.spread,
    };
    if let Some(key) = key {
        group.cache.put(key, r);
    }
    Ok(r)
}

fn display_name(group: &MethodGroup) -> &str {
    if group.name == "<init>" {
        "<constructor>"
    } else {
        &group.name
    }
}

fn arg_list(args: &[ArgKind]) -> String {
    args.iter()
        .map(ArgKind::summary)
        .collect::<Vec<_>>()
        .join(", ")
}

fn mismatch(owner: &str, group: &MethodGroup, mode: Mode, args: &[ArgKind], why: &str) -> Error {
    let mut text = format!(
        "{why} {owner}.{}({}); the candidates are:",
        display_name(group),
        arg_list(args)
    );
    for m in &group.overloads {
        let note = if mode.admits(m) {
            ""
        } else if m.is_static {
            "  (static: call it on the class)"
        } else {
            "  (instance method: call it on an object, or on the class with the object first)"
        };
        let _ = write!(text, "\n  {}{note}", m.signature());
    }
    if args.iter().any(|a| {
        matches!(a, ArgKind::Int(None))
            || matches!(a, ArgKind::Int(Some(v)) if i32::try_from(*v).is_err())
    }) {
        text.push_str("\n(an int argument is out of range for some of these parameter types; Java integers are never truncated)");
    }
    Error::TypeMismatch(text)
}

/// Overload ranking without a JVM: types are made by name, and class relations come from a
/// table of supertypes.
#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::{Arc, OnceLock};

    use super::*;
    use crate::bridge::reflect::{ClassInfo, JType, MethodGroup, MethodInfo};
    use crate::jni::MethodId;

    /// Each class with every class and interface it can be passed as (itself included).
    const SUPERTYPES: &[(&str, &[&str])] = &[
        ("java.lang.Object", &["java.lang.Object"]),
        (
            "java.lang.String",
            &[
                "java.lang.String",
                "java.lang.CharSequence",
                "java.lang.Object",
            ],
        ),
        (
            "java.lang.CharSequence",
            &["java.lang.CharSequence", "java.lang.Object"],
        ),
        (
            "java.lang.Number",
            &["java.lang.Number", "java.lang.Object"],
        ),
        (
            "java.lang.Integer",
            &["java.lang.Integer", "java.lang.Number", "java.lang.Object"],
        ),
        (
            "java.lang.Long",
            &["java.lang.Long", "java.lang.Number", "java.lang.Object"],
        ),
        (
            "java.lang.Double",
            &["java.lang.Double", "java.lang.Number", "java.lang.Object"],
        ),
        (
            "java.util.Collection",
            &["java.util.Collection", "java.lang.Object"],
        ),
        (
            "java.util.List",
            &["java.util.List", "java.util.Collection", "java.lang.Object"],
        ),
        (
            "java.util.ArrayList",
            &[
                "java.util.ArrayList",
                "java.util.List",
                "java.util.Collection",
                "java.lang.Object",
            ],
        ),
        (
            "net.imglib2.RandomAccessible",
            &["net.imglib2.RandomAccessible", "java.lang.Object"],
        ),
        (
            "net.imglib2.RandomAccessibleInterval",
            &[
                "net.imglib2.RandomAccessibleInterval",
                "net.imglib2.RandomAccessible",
                "java.lang.Object",
            ],
        ),
        (
            "net.imglib2.img.Img",
            &[
                "net.imglib2.img.Img",
                "net.imglib2.RandomAccessibleInterval",
                "net.imglib2.RandomAccessible",
                "java.lang.Object",
            ],
        ),
        (
            "[Ljava.lang.Object;",
            &["[Ljava.lang.Object;", "java.lang.Object"],
        ),
        (
            "[Ljava.lang.String;",
            &[
                "[Ljava.lang.String;",
                "[Ljava.lang.Object;",
                "java.lang.Object",
            ],
        ),
    ];

    struct Table;

    impl Classes for Table {
        fn same(&self, a: &JType, b: &JType) -> bool {
            a.name == b.name
        }

        fn assignable(&self, from: &JType, to: &JType) -> bool {
            if from.name.starts_with('[') && from.name.len() == 2 {
                return from.name == to.name || to.name == "java.lang.Object";
            }
            SUPERTYPES
                .iter()
                .find(|(c, _)| *c == from.name)
                .is_some_and(|(_, supers)| supers.contains(&to.name.as_str()))
        }
    }

    /// The flags `org.imglyb.bridge.Reflect` computes, from the same table.
    fn flags_of(name: &str) -> u32 {
        let accepts = |class: &str| Table.assignable(&plain(class), &plain(name));
        let mut f = 0;
        if accepts("java.lang.String") {
            f |= flags::STRING;
        }
        for p in Prim::VALUES {
            if SUPERTYPES.iter().any(|(c, _)| *c == p.box_name()) && accepts(p.box_name()) {
                f |= box_flag(p);
            }
        }
        if accepts("java.util.ArrayList") {
            f |= flags::LIST;
        }
        if name != "java.lang.Object" && accepts("net.imglib2.img.Img") {
            f |= flags::IMG;
        }
        f
    }

    fn plain(name: &str) -> JType {
        JType {
            name: name.into(),
            prim: Prim::from_name(name),
            class: None,
            flags: 0,
            component: None,
        }
    }

    /// A type by Java name: `int`, `java.lang.String`, `long[]`, `java.lang.Object[]`.
    fn ty(name: &str) -> Arc<JType> {
        if let Some(element) = name.strip_suffix("[]") {
            let component = ty(element);
            let binary = match component.prim {
                Some(p) => format!("[{}", p.code()),
                None => format!("[L{};", component.name),
            };
            return Arc::new(JType {
                flags: flags_of(&binary),
                component: Some(component),
                ..plain(&binary)
            });
        }
        Arc::new(JType {
            flags: flags_of(name),
            ..plain(name)
        })
    }

    fn class(name: &str) -> &'static ClassInfo {
        static CLASSES: OnceLock<std::sync::Mutex<HashMap<String, &'static ClassInfo>>> =
            OnceLock::new();
        let mut map = CLASSES.get_or_init(Default::default).lock().unwrap();
        map.entry(name.into()).or_insert_with(|| {
            Box::leak(Box::new(ClassInfo {
                ty: ty(name),
                methods: HashMap::new(),
                constructors: None,
                fields: HashMap::new(),
                is_string: name == "java.lang.String",
                unboxes_to: Prim::from_box_name(name),
            }))
        })
    }

    /// `static void m(params...)` for each parameter list; a trailing `...` makes it varargs.
    fn group(overloads: &[&[&str]]) -> MethodGroup {
        let methods = overloads
            .iter()
            .map(|params| {
                let varargs = params.last().is_some_and(|p| p.ends_with("..."));
                MethodInfo {
                    name: "m".into(),
                    // SAFETY: never called: these tests only rank.
                    id: unsafe { MethodId::from_raw(std::ptr::null_mut()) },
                    is_static: true,
                    varargs,
                    declaring: ty("Test"),
                    ret: ty("void"),
                    params: params.iter().map(|p| ty(&p.replace("...", "[]"))).collect(),
                    returned: OnceLock::new(),
                }
            })
            .collect();
        MethodGroup {
            name: "m".into(),
            overloads: methods,
            cache: CallCache::default(),
        }
    }

    fn obj(name: &str) -> ArgKind<'static> {
        ArgKind::Object(class(name))
    }

    fn int(v: i64) -> ArgKind<'static> {
        ArgKind::Int(Some(v))
    }

    fn string() -> ArgKind<'static> {
        ArgKind::Str { len1: false }
    }

    enum Expect {
        /// The overload at this index, spread over varargs or not.
        Picks(usize, bool),
        Ambiguous,
        NoMatch,
    }
    use Expect::*;

    /// A case: its name, the overloads' parameter lists, the arguments, the outcome.
    type Case = (
        &'static str,
        Vec<&'static [&'static str]>,
        Vec<ArgKind<'static>>,
        Expect,
    );

    #[test]
    fn ranking_follows_javac_phases_and_imglyb_widest_rule() {
        let cases: Vec<Case> = vec![
            // Phase 1 (exact or widening) beats boxing; among primitives the widest wins.
            (
                "int fits all",
                vec![&["int"], &["long"], &["short"]],
                vec![int(5)],
                Picks(1, false),
            ),
            (
                "int too big for int",
                vec![&["int"], &["short"]],
                vec![int(1 << 40)],
                NoMatch,
            ),
            (
                "long beats double",
                vec![&["double"], &["long"]],
                vec![int(5)],
                Picks(1, false),
            ),
            (
                "float arg",
                vec![&["float"], &["double"]],
                vec![ArgKind::Float(0.5)],
                Picks(1, false),
            ),
            (
                "float beyond f32",
                vec![&["float"]],
                vec![ArgKind::Float(1e300)],
                NoMatch,
            ),
            (
                "primitive beats box",
                vec![&["java.lang.Integer"], &["int"]],
                vec![int(1)],
                Picks(1, false),
            ),
            (
                "box when no primitive",
                vec![&["java.lang.Object"]],
                vec![int(1)],
                Picks(0, false),
            ),
            (
                "Number over Object",
                vec![&["java.lang.Object"], &["java.lang.Number"]],
                vec![int(1)],
                Picks(1, false),
            ),
            (
                "bool",
                vec![&["int"], &["boolean"]],
                vec![ArgKind::Bool],
                Picks(1, false),
            ),
            (
                "null needs a reference",
                vec![&["int"]],
                vec![ArgKind::Null],
                NoMatch,
            ),
            // Most specific reference wins.
            (
                "subtype beats supertype",
                vec![
                    &["net.imglib2.RandomAccessible"],
                    &["net.imglib2.RandomAccessibleInterval"],
                ],
                vec![obj("net.imglib2.img.Img")],
                Picks(1, false),
            ),
            (
                "exact class",
                vec![&["java.util.List"], &["java.util.ArrayList"]],
                vec![obj("java.util.ArrayList")],
                Picks(1, false),
            ),
            (
                "unrelated refused",
                vec![&["java.lang.String"]],
                vec![obj("java.util.ArrayList")],
                NoMatch,
            ),
            (
                "string exact",
                vec![&["java.lang.Object"], &["java.lang.String"]],
                vec![string()],
                Picks(1, false),
            ),
            (
                "CharSequence widening",
                vec![&["java.lang.CharSequence"]],
                vec![string()],
                Picks(0, false),
            ),
            (
                "one-unit string as char",
                vec![&["char"]],
                vec![ArgKind::Str { len1: true }],
                Picks(0, false),
            ),
            (
                "long string not a char",
                vec![&["char"]],
                vec![string()],
                NoMatch,
            ),
            (
                "null is ambiguous between unrelated references",
                vec![&["java.lang.String"], &["java.util.List"]],
                vec![ArgKind::Null],
                Ambiguous,
            ),
            (
                "crossed subtypes are ambiguous",
                vec![
                    &["java.util.List", "java.lang.Object"],
                    &["java.lang.Object", "java.util.List"],
                ],
                vec![obj("java.util.ArrayList"), obj("java.util.ArrayList")],
                Ambiguous,
            ),
            // Varargs: only when no fixed-arity overload fits.
            (
                "fixed before varargs",
                vec![&["int..."], &["int"]],
                vec![int(1)],
                Picks(1, false),
            ),
            (
                "spread",
                vec![&["int..."]],
                vec![int(1), int(2), int(3)],
                Picks(0, true),
            ),
            (
                "empty spread",
                vec![&["java.lang.String", "int..."]],
                vec![string()],
                Picks(0, true),
            ),
            // Sequences fill arrays (the wider element wins) and lists.
            (
                "sequence to the wider array",
                vec![&["int[]"], &["long[]"]],
                vec![ArgKind::Seq(vec![int(1), int(2)])],
                Picks(1, false),
            ),
            (
                "sequence to a List",
                vec![&["java.util.List"]],
                vec![ArgKind::Seq(vec![int(1)])],
                Picks(0, false),
            ),
            (
                "sequence of strings to String[]",
                vec![&["java.lang.String[]"], &["int[]"]],
                vec![ArgKind::Seq(vec![string()])],
                Picks(0, false),
            ),
            // NumPy arrays: a matching primitive array exactly, an image by wrapping.
            (
                "ndarray to its primitive array",
                vec![&["double[]"], &["float[]"]],
                vec![ArgKind::NdArray {
                    prim: Some(Prim::Float),
                    img: true,
                }],
                Picks(1, false),
            ),
            (
                "ndarray to an image",
                vec![
                    &["net.imglib2.RandomAccessibleInterval"],
                    &["java.lang.String"],
                ],
                vec![ArgKind::NdArray {
                    prim: None,
                    img: true,
                }],
                Picks(0, false),
            ),
            ("wrong arity", vec![&["int", "int"]], vec![int(1)], NoMatch),
        ];
        for (name, overloads, args, expect) in cases {
            let g = group(&overloads);
            let r = resolve(&Table, "Test", &g, Mode::Static, &args, None);
            match (expect, r) {
                (Picks(i, spread), Ok(r)) => {
                    assert_eq!((r.index, r.spread), (i, spread), "{name}");
                }
                (Ambiguous, Err(Error::TypeMismatch(m))) => {
                    assert!(m.starts_with("ambiguous"), "{name}: {m}");
                }
                (NoMatch, Err(Error::TypeMismatch(m))) => {
                    assert!(m.starts_with("no overload accepts"), "{name}: {m}");
                }
                (_, r) => panic!("{name}: unexpected {r:?}"),
            }
        }
    }

    #[test]
    fn modes_admit_static_or_instance_methods() {
        let mut g = group(&[&["int"], &["long"]]);
        g.overloads[1].is_static = false;
        let r = resolve(&Table, "T", &g, Mode::Static, &[int(1)], None).unwrap();
        assert_eq!(r.index, 0);
        let r = resolve(&Table, "T", &g, Mode::Instance, &[int(1)], None).unwrap();
        assert_eq!(r.index, 1);
        let r = resolve(&Table, "T", &g, Mode::Any, &[int(1)], None).unwrap();
        assert_eq!(r.index, 1);
    }

    /// Host arguments for the cache tests: kinds, and a counter of full classifications.
    struct Values(
        Vec<ArgKind<'static>>,
        &'static std::sync::atomic::AtomicUsize,
    );

    impl HostArgs for Values {
        type Error = Error;

        fn error(&self, e: Error) -> Error {
            e
        }

        fn len(&self) -> usize {
            self.0.len()
        }

        fn plain_kind(&self, i: usize) -> Result<Option<ArgKind<'static>>> {
            Ok(match &self.0[i] {
                ArgKind::Seq(_) | ArgKind::NdArray { .. } => None,
                k => Some(clone_kind(k)),
            })
        }

        fn kind(&self, i: usize) -> Result<ArgKind<'static>> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Ok(clone_kind(&self.0[i]))
        }
    }

    fn clone_kind(k: &ArgKind<'static>) -> ArgKind<'static> {
        match k {
            ArgKind::Null => ArgKind::Null,
            ArgKind::Bool => ArgKind::Bool,
            ArgKind::Int(v) => ArgKind::Int(*v),
            ArgKind::Float(x) => ArgKind::Float(*x),
            ArgKind::Str { len1 } => ArgKind::Str { len1: *len1 },
            ArgKind::Object(c) => ArgKind::Object(c),
            ArgKind::Seq(items) => ArgKind::Seq(items.iter().map(clone_kind).collect()),
            ArgKind::NdArray { prim, img } => ArgKind::NdArray {
                prim: *prim,
                img: *img,
            },
        }
    }

    #[test]
    fn plain_arguments_resolve_once_per_key() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static CLASSIFIED: AtomicUsize = AtomicUsize::new(0);
        let g = group(&[&["int"], &["long"], &["java.lang.String"]]);
        let call = |k: ArgKind<'static>| {
            resolve_args(
                || Ok(Table),
                "T",
                &g,
                Mode::Static,
                &Values(vec![k], &CLASSIFIED),
            )
            .unwrap()
        };
        assert_eq!(call(int(1)).index, 1);
        assert_eq!(CLASSIFIED.load(Ordering::Relaxed), 1);
        // Same key (a byte-sized int): from the cache, no classification.
        assert_eq!(call(int(2)).index, 1);
        assert_eq!(CLASSIFIED.load(Ordering::Relaxed), 1);
        // Another key: resolved and cached.
        assert_eq!(call(string()).index, 2);
        assert_eq!(call(string()).index, 2);
        assert_eq!(CLASSIFIED.load(Ordering::Relaxed), 2);
        // A cache hit makes no call for the class relations (a JNI call in a real host).
        let r = resolve_args(
            || -> Result<Table> { panic!("a cache hit asked for the class relations") },
            "T",
            &g,
            Mode::Static,
            &Values(vec![int(3)], &CLASSIFIED),
        );
        assert_eq!(r.unwrap().index, 1);
        // Sequences are never cached.
        let seq = || ArgKind::Seq(vec![int(1)]);
        assert!(
            resolve_args(
                || Ok(Table),
                "T",
                &g,
                Mode::Static,
                &Values(vec![seq()], &CLASSIFIED)
            )
            .is_err()
        );
        assert!(
            resolve_args(
                || Ok(Table),
                "T",
                &g,
                Mode::Static,
                &Values(vec![seq()], &CLASSIFIED)
            )
            .is_err()
        );
        assert_eq!(CLASSIFIED.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn key_tags_separate_what_resolution_depends_on() {
        assert_ne!(key_tag(&int(1)), key_tag(&int(1 << 20)));
        assert_eq!(key_tag(&int(1)), key_tag(&int(100)));
        assert_ne!(
            key_tag(&ArgKind::Float(0.5)),
            key_tag(&ArgKind::Float(1e300))
        );
        assert_ne!(
            key_tag(&obj("java.util.List")),
            key_tag(&obj("java.util.ArrayList"))
        );
        assert_eq!(key_tag(&ArgKind::Seq(vec![])), None);
    }
}
