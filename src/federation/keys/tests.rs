use super::*;

#[test]
fn generated_key_signs_and_its_pem_verifies() {
    let (der, pem) = generate().unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    let key = SigningKey::from_pkcs8(&der).unwrap();
    let signature = key.sign(b"hello");
    let public = VerifyingKey::from_pem(&pem).unwrap();
    assert!(public.verify(b"hello", &signature));
    assert!(!public.verify(b"hellO", &signature));
    assert_eq!(public.pkcs1_der, key.public_pkcs1_der());
}

#[test]
fn garbage_pem_is_an_error() {
    assert!(
        VerifyingKey::from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
            .is_err()
    );
}
