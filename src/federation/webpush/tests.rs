use super::*;

#[test]
fn the_body_is_one_aes128gcm_record_with_our_ephemeral_key_in_its_header() {
    let rng = SystemRandom::new();
    let theirs = EphemeralPrivateKey::generate(&agreement::ECDH_P256, &rng).unwrap();
    let public = theirs.compute_public_key().unwrap();
    let body = encrypt(public.as_ref(), &[7u8; 16], b"hello").unwrap();
    assert_eq!(&body[16..20], &4096u32.to_be_bytes());
    assert_eq!(body[20], 65);
    assert_eq!(body[21], 4, "an uncompressed point");
    assert_eq!(body.len(), 16 + 4 + 1 + 65 + 5 + 1 + 16);
    assert_eq!(
        encrypt(&public.as_ref()[1..], &[7u8; 16], b"x"),
        Err(PushError::BadSubscriptionKey)
    );
    assert_eq!(
        encrypt(public.as_ref(), &[7u8; 15], b"x"),
        Err(PushError::BadSubscriptionKey)
    );
}

#[test]
fn the_vapid_header_carries_a_jwt_for_the_endpoint_origin_and_our_key() {
    let key = VapidKey::from_pkcs8(&generate_vapid_key().unwrap()).unwrap();
    let endpoint = url::Url::parse("https://push.example/send/abc?x=1").unwrap();
    let header = key
        .authorization(&endpoint, "https://perch.example", 1_000)
        .unwrap();
    let (t, k) = header
        .strip_prefix("vapid t=")
        .unwrap()
        .split_once(", k=")
        .unwrap();
    assert_eq!(k, key.public_key());
    let claims = t.split('.').nth(1).unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    assert_eq!(claims["aud"], "https://push.example");
    assert_eq!(claims["exp"], 1_000 + 43_200);
}
