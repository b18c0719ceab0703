//! The protocol: bytes and documents in, Rust values out, and back. No SQL and no rocket here.

pub mod build;
pub mod client;
pub mod guard;
pub mod keys;
pub mod proofs;
pub mod rfc9421;
pub mod signatures;
pub mod vocab;
pub mod webfinger;
pub mod webpush;
