//! The one error type. Both kinds exit with status 2 (`compare` keeps 1 for "regression
//! found"); usage errors also print the usage text.

use std::fmt;

#[derive(Debug)]
pub enum Error {
    /// The command line was wrong.
    Usage(String),
    /// A file, the database, git or the data itself: a sentence naming what and where.
    Data(String),
}

impl Error {
    pub fn data(message: impl Into<String>) -> Self {
        Error::Data(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(message) | Error::Data(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {}

/// Attach what we were doing to a lower-level error.
pub trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error>;
}

impl<T, E: fmt::Display> Context<T> for Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, Error> {
        self.map_err(|error| Error::Data(format!("{}: {error}", what())))
    }
}
