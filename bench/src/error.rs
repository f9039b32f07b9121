//! The harness's one error type. Every error is a sentence for the person running the
//! benchmark: which contender or tool, what went wrong, and (where we have it) the tail of the
//! server's log. Usage errors are separate because they get the usage text and exit code 2.

use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// The command line was wrong.
    Usage(String),
    /// Anything else: a tool missing, a contender that would not start, a deadline passed.
    Run(String),
}

impl Error {
    pub fn run(message: impl Into<String>) -> Self {
        Error::Run(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) | Error::Run(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// Attach what the harness was doing to a lower-level error.
pub trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error>;
}

impl<T, E: fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|error| Error::Run(format!("{}: {error}", what())))
    }
}
