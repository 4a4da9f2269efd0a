//! The error type every fallible boundary returns.
//!
//! Errors raised inside model code (a bad shape, an axis out of range, a dtype an op does
//! not take) do not interrupt the user's code: the op returns an *error array* that carries
//! this [`Error`] and every later op propagates it. The error surfaces as `Err` at the
//! first boundary that hands data back ([`Array::to_vec`](crate::Array::to_vec),
//! [`Array::check`](crate::Array::check), [`make_program`](crate::make_program), ...).

use std::fmt;
use std::panic::Location;

/// What went wrong, in which op, and where in the user's code.
///
/// ```
/// use autobatch::Array;
/// let a = Array::zeros(&[100]);
/// let b = Array::zeros(&[100, 10]);
/// let err = (&a * &b).check().unwrap_err();
/// assert_eq!(err.op(), "mul");
/// assert!(err.to_string().contains("[100] and [100, 10]"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    op: String,
    message: String,
    location: Option<&'static Location<'static>>,
}

impl Error {
    /// An error raised by `op` (an API function or primitive name) at `location`.
    ///
    /// ```
    /// let e = autobatch::Error::new("reshape", "cannot reshape [3] into [2]", None);
    /// assert_eq!(e.to_string(), "reshape: cannot reshape [3] into [2]");
    /// ```
    pub fn new(
        op: impl Into<String>,
        message: impl Into<String>,
        location: Option<&'static Location<'static>>,
    ) -> Error {
        Error {
            op: op.into(),
            message: message.into(),
            location,
        }
    }

    /// The op (API function or primitive) that raised the error, e.g. `"mul"`.
    ///
    /// ```
    /// let e = autobatch::Error::new("sum", "axis 3 is out of range for shape [2]", None);
    /// assert_eq!(e.op(), "sum");
    /// ```
    pub fn op(&self) -> &str {
        &self.op
    }

    /// The description without the op name and location.
    ///
    /// ```
    /// let e = autobatch::Error::new("sum", "axis 3 is out of range", None);
    /// assert_eq!(e.message(), "axis 3 is out of range");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The place in the user's source that called the failing op, when known.
    ///
    /// ```
    /// let a = autobatch::Array::zeros(&[2]);
    /// let e = a.reshape(&[3]).check().unwrap_err();
    /// assert!(e.location().unwrap().file().ends_with(".rs"));
    /// ```
    pub fn location(&self) -> Option<&'static Location<'static>> {
        self.location
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.op, self.message)?;
        if let Some(loc) = self.location {
            write!(f, " (at {}:{}:{})", loc.file(), loc.line(), loc.column())?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The location type stored in errors: the user's call site, from `#[track_caller]`.
pub type Loc = &'static Location<'static>;
