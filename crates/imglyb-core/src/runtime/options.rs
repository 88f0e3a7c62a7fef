//! Which JVM options need the option probe before the one real start.
//!
//! HotSpot calls `exit()` for some option errors late in start-up, which would end the host
//! process, so start-up first runs `java OPTIONS -version` in a short-lived process (the probe,
//! in [`super::jvm`]). That process costs about as much as the JVM's own start, so it is run only
//! when an option could end the process. The options known not to:
//!
//! - a `-D` property outside the JDK's and HotSpot's own namespaces (`java.`, `jdk.`, `sun.`,
//!   `com.sun.` and the like), which only the application's code reads: imglyb's own
//!   (`-Dimglyb.gcThreshold`), Fiji's, a user's; and `-Djava.awt.headless=true` or `=false`;
//! - `-Xmx` with a size HotSpot parses, at least [`MIN_PROBE_FREE_HEAP`] and at most the
//!   machine's physical memory, in a process whose address space is not limited (`ulimit -v`),
//!   so that reserving the heap cannot fail;
//! - `-Xrs`, `-Xcheck:jni` and the assertion switches (`-ea`, `-da`, `-esa`, `-dsa`, their long
//!   forms, and `-ea:` or `-da:` with a package or class).
//!
//! Anything else is probed: every `-XX:` option, `-Xms`, `-Xss`, agents, module options, `-D`
//! properties the JDK reads (`-Djava.system.class.loader`, `-Dcom.sun.management.*`, ...).
//! HotSpot also reads `JAVA_TOOL_OPTIONS` and `_JAVA_OPTIONS` from the environment; their options
//! are judged the same way.

/// The smallest `-Xmx` that starts without the probe: HotSpot ends the process for a heap below
/// about 2 MiB (`Too small maximum heap`, JDK 17), and a heap of a few MiB may not hold its start.
pub(crate) const MIN_PROBE_FREE_HEAP: u64 = 16 << 20;

/// The namespaces of the properties the JDK and HotSpot read during start-up, where a bad value
/// can end the process (a missing `java.system.class.loader`, a management agent's port).
const JDK_PROPERTY_PREFIXES: &[&str] = &[
    "java.",
    "javax.",
    "jdk.",
    "sun.",
    "com.sun.",
    "jvmci.",
    "graal.",
    "libgraal.",
    "org.graalvm.",
    "apple.",
    "file.",
    "user.",
    "os.",
    "path.",
    "line.",
    "native.",
    "stdout.",
    "stderr.",
];

/// What bounds a heap reservation in this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct MemoryRoom {
    /// The machine's physical memory in bytes, or `None` when unknown.
    pub(crate) physical: Option<u64>,
    /// Whether the process's address space is limited (`RLIMIT_AS`), or unknown.
    pub(crate) address_space_limited: bool,
}

/// Whether starting a JVM with `options` (and the environment's `JAVA_TOOL_OPTIONS` and
/// `_JAVA_OPTIONS`, given as `env_options`) needs the probe: whether any option could make
/// HotSpot end the process.
pub(crate) fn needs_probe<'a>(
    options: impl IntoIterator<Item = &'a str>,
    env_options: &'a [String],
    room: MemoryRoom,
) -> bool {
    options
        .into_iter()
        .chain(env_options.iter().flat_map(|v| v.split_whitespace()))
        .any(|option| !cannot_end_the_process(option, room))
}

/// Whether `option` is one that HotSpot accepts whatever happens (see the module's list).
fn cannot_end_the_process(option: &str, room: MemoryRoom) -> bool {
    const FLAGS: &[&str] = &[
        "-Xrs",
        "-Xcheck:jni",
        "-ea",
        "-da",
        "-esa",
        "-dsa",
        "-enableassertions",
        "-disableassertions",
        "-enablesystemassertions",
        "-disablesystemassertions",
    ];
    if FLAGS.contains(&option) {
        return true;
    }
    for switch in ["-ea:", "-da:", "-enableassertions:", "-disableassertions:"] {
        if let Some(target) = option.strip_prefix(switch) {
            return !target.is_empty() && !target.contains(char::is_whitespace);
        }
    }
    if let Some(property) = option.strip_prefix("-D") {
        return application_property(property);
    }
    if let Some(size) = option.strip_prefix("-Xmx") {
        return parse_size(size).is_some_and(|bytes| {
            bytes >= MIN_PROBE_FREE_HEAP
                && !room.address_space_limited
                && room.physical.is_some_and(|physical| bytes <= physical)
        });
    }
    false
}

/// Whether `-D<property>` sets a property only the application reads.
fn application_property(property: &str) -> bool {
    let (key, value) = property.split_once('=').unwrap_or((property, ""));
    if key == "java.awt.headless" {
        return value == "true" || value == "false";
    }
    !key.is_empty()
        && !key.contains(char::is_whitespace)
        && !JDK_PROPERTY_PREFIXES.iter().any(|p| key.starts_with(p))
}

/// A size as HotSpot writes it (`512m`, `4G`, `1048576`), in bytes; `None` for anything else
/// or a size that overflows.
pub(crate) fn parse_size(text: &str) -> Option<u64> {
    parse_size_in(text, 1)
}

/// [`parse_size`], with plain digits counted in `unit` bytes (`-XX:ThreadStackSize=` counts
/// KiB).
pub(crate) fn parse_size_in(text: &str, unit: u64) -> Option<u64> {
    let (digits, scale) = match text.as_bytes().last()? {
        b'k' | b'K' => (&text[..text.len() - 1], 1 << 10),
        b'm' | b'M' => (&text[..text.len() - 1], 1 << 20),
        b'g' | b'G' => (&text[..text.len() - 1], 1 << 30),
        b't' | b'T' => (&text[..text.len() - 1], 1 << 40),
        _ => (text, unit),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u64 = digits.parse().ok()?;
    number.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOMY: MemoryRoom = MemoryRoom {
        physical: Some(24 << 30),
        address_space_limited: false,
    };

    fn probed(options: &[&str]) -> bool {
        needs_probe(options.iter().copied(), &[], ROOMY)
    }

    #[test]
    fn sizes_parse_as_hotspot_writes_them() {
        assert_eq!(parse_size("512m"), Some(512 << 20));
        assert_eq!(parse_size("4G"), Some(4 << 30));
        assert_eq!(parse_size("2t"), Some(2 << 40));
        assert_eq!(parse_size("64k"), Some(64 << 10));
        assert_eq!(parse_size("1048576"), Some(1 << 20));
        assert_eq!(parse_size_in("512", 1024), Some(512 << 10));
        assert_eq!(parse_size_in("2m", 1024), Some(2 << 20));
        for bad in [
            "",
            "m",
            "1.5g",
            "-1g",
            "1gb",
            "0x10m",
            " 1g",
            "99999999999999999999",
            "20000000000t",
        ] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn application_properties_heaps_that_fit_and_plain_switches_start_without_the_probe() {
        assert!(!probed(&[]));
        assert!(!probed(&[
            "-Dimglyb.gcThreshold=64m",
            "-Dimglyb.warmUp=false",
            "-Dscijava.log.level=info",
            "-Dmy.flag",
            "-Djava.awt.headless=true",
            "-Xmx1g",
            "-Xmx16m",
            "-Xmx24g",
            "-Xrs",
            "-Xcheck:jni",
            "-ea",
            "-ea:net.imglib2...",
            "-da:org.example.Slow",
            "-esa",
        ]));
    }

    #[test]
    fn options_hotspot_can_end_the_process_on_are_probed() {
        for option in [
            "-Xmx1k",
            "-Xmx15m",
            "-Xmx25g",
            "-Xmx",
            "-Xmx1gb",
            "-Xms256m",
            "-Xss1k",
            "-XX:+UseSerialGC",
            "-Xshare:on",
            "-agentlib:jdwp=transport=dt_socket",
            "-javaagent:/nonexistent/agent.jar",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "-Djava.system.class.loader=org.example.Loader",
            "-Djava.security.manager=allow",
            "-Djdk.module.main=x",
            "-Dsun.boot.library.path=/x",
            "-Dcom.sun.management.jmxremote.port=bad",
            "-Dfile.encoding=nope",
            "-Djava.awt.headless=yes",
            "-D",
            "-D=value",
            "-ea:",
            "-verbose:gc",
            "-Xlog:gc",
            "-Xbad",
            "",
        ] {
            assert!(probed(&[option]), "{option:?} starts without the probe");
            assert!(
                probed(&["-Xmx1g", option]),
                "{option:?} after a safe option"
            );
        }
    }

    #[test]
    fn a_heap_is_probed_when_the_memory_it_may_reserve_is_unknown_or_limited() {
        let limited = MemoryRoom {
            address_space_limited: true,
            ..ROOMY
        };
        let unknown = MemoryRoom {
            physical: None,
            ..ROOMY
        };
        for room in [limited, unknown] {
            assert!(needs_probe(["-Xmx1g"], &[], room), "{room:?}");
            assert!(
                !needs_probe(["-Dimglyb.warmUp=false"], &[], room),
                "{room:?}"
            );
        }
    }

    #[test]
    fn the_environments_options_are_judged_alike() {
        let env = |v: &str| vec![v.to_owned()];
        assert!(!needs_probe([], &env("-Xmx2g  -Dfile_tag=x"), ROOMY));
        assert!(!needs_probe([], &env(""), ROOMY));
        assert!(needs_probe([], &env("-Xmx2g -XX:+UseSerialGC"), ROOMY));
        assert!(needs_probe(["-Xmx1g"], &env("-Xms4g"), ROOMY));
    }
}
