//! Running Perch as a service: the worker registry behind `/health`, clean shutdown, the lock a
//! running server holds on its database, scheduled backups and restore, `perch doctor`, and what
//! the owner's server page shows.

pub mod backup;
pub mod doctor;
pub mod lock;
pub mod status;
pub mod workers;
