//! One error type: a status and a message fit for a stranger, plus the detail for the log only.

use std::fmt;

#[derive(Debug)]
pub struct Error {
    pub status: u16,
    /// Safe to show to anyone: one line, no secrets, no internals.
    pub message: String,
    /// For the log only.
    pub detail: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(status: u16, message: impl Into<String>) -> Error {
        Error {
            status,
            message: message.into(),
            detail: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Error {
        Error::new(400, message)
    }

    pub fn not_found() -> Error {
        Error::new(404, "not found")
    }

    /// A failure of ours: the client learns only that something went wrong.
    pub fn internal(detail: impl fmt::Display) -> Error {
        Error {
            status: 500,
            message: "internal error".into(),
            detail: Some(detail.to_string()),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{}: {detail}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        Error::internal(format!("database: {e}"))
    }
}
