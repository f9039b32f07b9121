//! Why the BPF layer is not there: one sentence for the log, naming the step that failed.

use std::fmt;

/// A step of loading, attaching or updating a program or map that failed.
#[derive(Debug)]
pub struct Error {
    step: String,
    cause: String,
}

impl Error {
    pub(crate) fn new(step: impl Into<String>, cause: impl fmt::Display) -> Error {
        Error {
            step: step.into(),
            cause: cause.to_string(),
        }
    }

    /// The programs were not compiled into this build.
    pub(crate) fn unbuilt() -> Error {
        Error::new(
            "loading",
            "this build has no BPF programs (clang or libbpf-dev was missing when it was built)",
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.step, self.cause)?;
        // aya's errors wrap the OS error one level down: say it, it is usually the reason.
        Ok(())
    }
}

impl std::error::Error for Error {}

/// Adds the step to a fallible call's error, with the whole chain of causes.
pub(crate) trait Context<T> {
    fn step(self, step: impl Into<String>) -> Result<T, Error>;
}

impl<T, E: std::error::Error> Context<T> for Result<T, E> {
    fn step(self, step: impl Into<String>) -> Result<T, Error> {
        self.map_err(|e| {
            let mut cause = e.to_string();
            let mut source = e.source();
            while let Some(inner) = source {
                cause.push_str(": ");
                cause.push_str(&inner.to_string());
                source = inner.source();
            }
            Error::new(step, cause)
        })
    }
}
