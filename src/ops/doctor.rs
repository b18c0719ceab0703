//! `perch doctor`: what can be checked from the machine itself.

use crate::config::Config;

pub fn run(_config: &Config) -> Result<(), String> {
    Err("not yet".into())
}
