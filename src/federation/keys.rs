//! The owner's RSA key and remote actors' public keys.
//!
//! ring signs and verifies; it cannot generate RSA keys, so `rsa` is used for generation and for
//! reading PEM documents only (never for signing: see RUSTSEC-2023-0071).

use ring::signature::{self, KeyPair, RsaKeyPair, UnparsedPublicKey};
use rsa::pkcs1::{DecodeRsaPublicKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding};

#[derive(Debug)]
pub struct KeyError(pub String);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// A new RSA-2048 private key as PKCS#8 DER, with its public half as SPKI PEM.
pub fn generate() -> Result<(Vec<u8>, String), KeyError> {
    let private = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048)
        .map_err(|e| KeyError(format!("cannot generate an RSA key: {e}")))?;
    let der = private
        .to_pkcs8_der()
        .map_err(|e| KeyError(format!("cannot encode the RSA key: {e}")))?;
    let pem = private
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .map_err(|e| KeyError(format!("cannot encode the public key: {e}")))?;
    Ok((der.as_bytes().to_vec(), pem))
}

/// The owner's private key, ready to sign.
pub struct SigningKey {
    pair: RsaKeyPair,
}

impl SigningKey {
    pub fn from_pkcs8(der: &[u8]) -> Result<SigningKey, KeyError> {
        let pair = RsaKeyPair::from_pkcs8(der)
            .map_err(|e| KeyError(format!("the stored private key is unreadable: {e}")))?;
        Ok(SigningKey { pair })
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let mut signature = vec![0; self.pair.public().modulus_len()];
        self.pair
            .sign(
                &signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                message,
                &mut signature,
            )
            .expect("PKCS#1 v1.5 signing is deterministic and the buffer has the modulus length");
        signature
    }

    /// The public key as PKCS#1 DER, for building a `VerifyingKey` in tests.
    pub fn public_pkcs1_der(&self) -> Vec<u8> {
        self.pair.public_key().as_ref().to_vec()
    }
}

/// A remote actor's public key.
#[derive(Clone, Debug)]
pub struct VerifyingKey {
    pkcs1_der: Vec<u8>,
}

impl VerifyingKey {
    /// Reads `-----BEGIN PUBLIC KEY-----` (SPKI, what Mastodon sends) or
    /// `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1, what some older servers send).
    pub fn from_pem(pem: &str) -> Result<VerifyingKey, KeyError> {
        let pem = pem.trim();
        let key = if pem.starts_with("-----BEGIN RSA PUBLIC KEY-----") {
            rsa::RsaPublicKey::from_pkcs1_pem(pem)
        } else {
            rsa::RsaPublicKey::from_public_key_pem(pem)
                .map_err(|e| rsa::pkcs1::Error::Pkcs8(rsa::pkcs8::Error::PublicKey(e)))
        }
        .map_err(|e| KeyError(format!("unreadable public key: {e}")))?;
        let der = key
            .to_pkcs1_der()
            .map_err(|e| KeyError(format!("unreadable public key: {e}")))?;
        Ok(VerifyingKey {
            pkcs1_der: der.as_bytes().to_vec(),
        })
    }

    /// The PKCS#1 `RSAPublicKey` DER, as RFC 9421's verifier takes it.
    pub fn pkcs1_der(&self) -> &[u8] {
        &self.pkcs1_der
    }

    pub fn from_pkcs1_der(der: Vec<u8>) -> VerifyingKey {
        VerifyingKey { pkcs1_der: der }
    }

    /// True when `signature` is a valid RSA-SHA256 signature of `message`; keys under 2048 bits
    /// never verify (ring refuses them).
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&signature::RSA_PKCS1_2048_8192_SHA256, &self.pkcs1_der)
            .verify(message, signature)
            .is_ok()
    }
}

#[cfg(test)]
mod tests;
