//! Scratch folders for the runtime's tests: fake Java homes and jars under the system's temporary
//! folder, removed when the test ends, passed or failed, so that no fake `libjvm.so` outlives it
//! (a Java search rooted at `/`, as JPype's is with `JAVA_HOME=/`, would find one).

use std::ops::Deref;
use std::path::PathBuf;

/// A new, empty folder `imglyb-<name>-<pid>` in the temporary folder, removed on drop.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("imglyb-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Deref for Scratch {
    type Target = PathBuf;

    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
