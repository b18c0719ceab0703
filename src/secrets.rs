//! Values too sensitive for the database alone (Web Push keys, the app's bearer token), sealed
//! with AES-256-GCM under a 32-byte key kept in a file beside the database: a copy of the
//! database without that file gives nothing away.

use std::io::Write;
use std::path::{Path, PathBuf};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};

/// The first byte of every sealed value, so a later format can be told apart.
const VERSION: u8 = 1;
const KEY_LEN: usize = 32;

pub struct SecretKey {
    key: LessSafeKey,
}

/// Where the key of `database` lives: `<database>.secret`.
pub fn key_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".secret");
    PathBuf::from(name)
}

impl SecretKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<SecretKey, String> {
        let unbound = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| format!("a secret key is {KEY_LEN} bytes"))?;
        Ok(SecretKey {
            key: LessSafeKey::new(unbound),
        })
    }

    /// The key of `database`, made (mode 0600) when there is none yet. `created` tells.
    pub fn load_or_create(database: &Path) -> Result<(SecretKey, bool), String> {
        let path = key_path(database);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let key = SecretKey::from_bytes(&bytes).map_err(|e| {
                    format!(
                        "{}: {e}; restore the right file or remove it",
                        path.display()
                    )
                })?;
                Ok((key, false))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; KEY_LEN];
                SystemRandom::new()
                    .fill(&mut bytes)
                    .map_err(|_| "no randomness for the secret key".to_string())?;
                write_private(&path, &bytes)?;
                Ok((SecretKey::from_bytes(&bytes)?, true))
            }
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// `VERSION || nonce || ciphertext+tag`, with a fresh random nonce each time.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        // The system's randomness failing is not something to go on without.
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the system's randomness");
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + plain.len() + 16);
        sealed.push(VERSION);
        sealed.extend_from_slice(&nonce);
        let mut body = plain.to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut body)
            .expect("AES-GCM seals any length Perch stores");
        sealed.extend_from_slice(&body);
        sealed
    }

    /// The plain value, or None when it was sealed under another key or altered.
    pub fn open(&self, sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != VERSION {
            return None;
        }
        let nonce = Nonce::try_assume_unique_for_key(&sealed[1..1 + NONCE_LEN]).ok()?;
        let mut body = sealed[1 + NONCE_LEN..].to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::empty(), &mut body)
            .ok()?;
        Some(plain.to_vec())
    }
}

/// Copies the key of database `from` to sit beside database `to` (mode 0600, replacing one
/// there): a backup carries its key, and a restore puts it back. False when `from` has none.
pub fn copy_key(from: &Path, to: &Path) -> Result<bool, String> {
    let source = key_path(from);
    let bytes = match std::fs::read(&source) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(format!("{}: {e}", source.display())),
    };
    SecretKey::from_bytes(&bytes).map_err(|e| format!("{}: {e}", source.display()))?;
    let target = key_path(to);
    let mut temporary = target.as_os_str().to_owned();
    temporary.push(".new");
    let temporary = PathBuf::from(temporary);
    let _ = std::fs::remove_file(&temporary);
    write_private(&temporary, &bytes)?;
    std::fs::rename(&temporary, &target).map_err(|e| format!("{}: {e}", target.display()))?;
    Ok(true)
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests;
