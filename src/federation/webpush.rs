//! Web Push as the push services take it: the message encrypted for the subscriber (RFC 8291's
//! aes128gcm, RFC 8188 framing, one record) and the VAPID authorization (RFC 8292: an ES256 JWT
//! and our P-256 public key). Pure: bytes in, bytes out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::aead::{self, Aad, LessSafeKey, Nonce, UnboundKey};
use ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
use ring::hkdf;
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{EcdsaKeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};

/// Record size announced in the header: larger than any message we send (one record).
const RECORD_SIZE: u32 = 4096;
/// Largest plaintext: push services take 4 KiB bodies; header and tag take 103 bytes.
pub const MAX_PLAINTEXT: usize = 3800;

#[derive(Debug, PartialEq, Eq)]
pub enum PushError {
    /// The subscriber's key or secret is not what RFC 8291 needs.
    BadSubscriptionKey,
    TooLarge,
    Crypto,
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), PushError> {
    hkdf::Salt::new(hkdf::HKDF_SHA256, salt)
        .extract(ikm)
        .expand(&[info], Len(out.len()))
        .and_then(|okm| okm.fill(out))
        .map_err(|_| PushError::Crypto)
}

/// Encrypts `plaintext` for a subscriber's `p256dh` key (65 bytes, uncompressed) and `auth`
/// secret (16 bytes): the body of the push request, sent with `Content-Encoding: aes128gcm`.
pub fn encrypt(p256dh: &[u8], auth: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, PushError> {
    if p256dh.len() != 65 || p256dh[0] != 4 || auth.len() != 16 {
        return Err(PushError::BadSubscriptionKey);
    }
    if plaintext.len() > MAX_PLAINTEXT {
        return Err(PushError::TooLarge);
    }
    let rng = SystemRandom::new();
    let ours = EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng)
        .map_err(|_| PushError::Crypto)?;
    let our_public = ours.compute_public_key().map_err(|_| PushError::Crypto)?;
    let our_public = our_public.as_ref().to_vec();
    let theirs = UnparsedPublicKey::new(&agreement::ECDH_P256, p256dh);
    let shared = agreement::agree_ephemeral(ours, &theirs, |secret| secret.to_vec())
        .map_err(|_| PushError::BadSubscriptionKey)?;
    // RFC 8291 section 3.4: the input keying material from the shared secret and auth.
    let mut key_info = b"WebPush: info\0".to_vec();
    key_info.extend_from_slice(p256dh);
    key_info.extend_from_slice(&our_public);
    let mut ikm = [0u8; 32];
    hkdf(auth, &shared, &key_info, &mut ikm)?;
    let mut salt = [0u8; 16];
    rng.fill(&mut salt).map_err(|_| PushError::Crypto)?;
    let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
    hkdf(&salt, &ikm, b"Content-Encoding: aes128gcm\0", &mut cek)?;
    hkdf(&salt, &ikm, b"Content-Encoding: nonce\0", &mut nonce)?;
    let key =
        LessSafeKey::new(UnboundKey::new(&aead::AES_128_GCM, &cek).map_err(|_| PushError::Crypto)?);
    let mut record = plaintext.to_vec();
    // The padding delimiter of the last (only) record.
    record.push(2);
    key.seal_in_place_append_tag(
        Nonce::assume_unique_for_key(nonce),
        Aad::empty(),
        &mut record,
    )
    .map_err(|_| PushError::Crypto)?;
    let mut body = Vec::with_capacity(16 + 4 + 1 + 65 + record.len());
    body.extend_from_slice(&salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(our_public.len() as u8);
    body.extend_from_slice(&our_public);
    body.extend_from_slice(&record);
    Ok(body)
}

/// A new VAPID key pair, as PKCS#8 to store.
pub fn generate_vapid_key() -> Result<Vec<u8>, PushError> {
    EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &SystemRandom::new())
        .map(|doc| doc.as_ref().to_vec())
        .map_err(|_| PushError::Crypto)
}

pub struct VapidKey(EcdsaKeyPair);

impl VapidKey {
    pub fn from_pkcs8(pkcs8: &[u8]) -> Result<VapidKey, PushError> {
        EcdsaKeyPair::from_pkcs8(
            &ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8,
            &SystemRandom::new(),
        )
        .map(VapidKey)
        .map_err(|_| PushError::Crypto)
    }

    /// The public key as apps are given it (`vapid_key`): URL-safe base64 of the uncompressed
    /// point.
    pub fn public_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.public_key().as_ref())
    }

    /// The `Authorization` header for a push to `endpoint`: `vapid t=JWT, k=KEY`, valid for
    /// 12 hours from `now_secs`, naming `subject` (our origin) as the contact.
    pub fn authorization(
        &self,
        endpoint: &url::Url,
        subject: &str,
        now_secs: i64,
    ) -> Result<String, PushError> {
        let audience = endpoint.origin().ascii_serialization();
        let header = URL_SAFE_NO_PAD.encode(br#"{"typ":"JWT","alg":"ES256"}"#);
        let claims = serde_json::json!({
            "aud": audience,
            "exp": now_secs + 12 * 3600,
            "sub": subject,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        let signature = self
            .0
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .map_err(|_| PushError::Crypto)?;
        let jwt = format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.as_ref())
        );
        Ok(format!("vapid t={jwt}, k={}", self.public_key()))
    }
}

#[cfg(test)]
mod tests;
