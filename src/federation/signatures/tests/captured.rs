//! Requests captured from other servers (Mastodon, bovine, Pixelfed) and the draft's own example.

use super::*;

fn fixtures() -> Option<PathBuf> {
    let root = std::env::var_os("PERCH_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures"))
        });
    let dir = root.join("http-signatures");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "skipped: no fixtures at {} (set PERCH_FIXTURES)",
            dir.display()
        );
        None
    }
}

struct Captured {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Captured {
    fn request(&self) -> IncomingRequest<'_> {
        request(&self.method, &self.path, &self.headers, Some(&self.body))
    }

    fn date(&self) -> SystemTime {
        let date = &self
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("date"))
            .unwrap()
            .1;
        httpdate::parse_http_date(date).unwrap()
    }
}

/// Request line, headers, blank line, body (cut to Content-Length: the files end in a newline).
fn read_request(path: &std::path::Path) -> Captured {
    let raw = std::fs::read(path).unwrap();
    let split = raw.windows(2).position(|w| w == b"\n\n").unwrap();
    let head = std::str::from_utf8(&raw[..split]).unwrap();
    let mut body = raw[split + 2..].to_vec();
    let mut lines = head.lines();
    let mut request_line = lines.next().unwrap().split(' ');
    let (method, path) = (
        request_line.next().unwrap().to_string(),
        request_line.next().unwrap().to_string(),
    );
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.to_string(), value.trim().to_string())
        })
        .collect();
    if let Some((_, length)) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        body.truncate(length.parse().unwrap());
    }
    Captured {
        method,
        path,
        headers,
        body,
    }
}

fn pem_key(path: &std::path::Path) -> VerifyingKey {
    VerifyingKey::from_pem(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn real_bovine_and_pixelfed_requests_verify() {
    let Some(dir) = fixtures() else { return };
    for name in ["funfedi-bovine-like", "pixelfed-0.11.9-undo-follow"] {
        let captured = read_request(&dir.join(format!("{name}.request.http")));
        let pending =
            check(&captured.request(), captured.date()).unwrap_or_else(|e| panic!("{name}: {e}"));
        pending
            .verify(&pem_key(&dir.join(format!("{name}.pubkey.pem"))))
            .unwrap();
        let mut tampered = captured.body.clone();
        tampered[0] = b' ';
        let req = request(
            &captured.method,
            &captured.path,
            &captured.headers,
            Some(&tampered),
        );
        assert_eq!(
            check(&req, captured.date()).unwrap_err(),
            SignatureError::DigestMismatch
        );
        let late = captured.date() + Duration::from_secs(2 * 3600);
        assert_eq!(
            check(&captured.request(), late).unwrap_err(),
            SignatureError::DateOutsideWindow
        );
    }
}

#[test]
fn real_mastodon_request_passes_the_structural_checks() {
    let Some(dir) = fixtures() else { return };
    let captured = read_request(&dir.join("mastodon-4.2.12-follow.request.http"));
    let pending = check(&captured.request(), captured.date()).unwrap();
    assert_eq!(
        pending.key_id,
        "https://climatejustice.social/users/benpate#main-key"
    );
}

/// The draft's Appendix C key is 1024 bits: ring refuses it for Perch (rightly), so these
/// cases verify with ring's legacy algorithm, here only.
fn legacy_verify(pem_path: &std::path::Path, message: &str, signature: &[u8]) -> bool {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::DecodePublicKey;
    let key = rsa::RsaPublicKey::from_public_key_pem(&std::fs::read_to_string(pem_path).unwrap())
        .unwrap();
    let der = key.to_pkcs1_der().unwrap();
    ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
        der.as_bytes(),
    )
    .verify(message.as_bytes(), signature)
    .is_ok()
}

#[test]
fn cavage_draft_appendix_c() {
    let Some(dir) = fixtures() else { return };
    let mut captured = read_request(&dir.join("cavage-draft-test.request.http"));
    let expected =
        std::fs::read_to_string(dir.join("cavage-draft-test.expected-signatures.txt")).unwrap();
    let lines: Vec<&str> = expected.lines().collect();
    let after = |prefix: &str| lines.iter().position(|l| l.starts_with(prefix)).unwrap() + 1;
    let pem = dir.join("cavage-draft-test.pubkey.pem");
    // The 1024-bit key never verifies through keys::VerifyingKey.
    assert!(VerifyingKey::from_pem(&std::fs::read_to_string(&pem).unwrap()).is_ok());

    for (case, refusal) in [("# C.1", "(request-target)"), ("# C.2", "digest")] {
        let header = lines[after(case)].strip_prefix("Signature: ").unwrap();
        captured.headers.retain(|(n, _)| n != "Signature");
        captured.headers.push(("Signature".into(), header.into()));
        let params = parse_signature_header(header).unwrap();
        let text = signing_string(&captured.request(), &params).unwrap();
        assert!(legacy_verify(&pem, &text, &params.signature), "{case}");
        // Both cases cover too little for an inbox POST.
        let err = check(&captured.request(), captured.date()).unwrap_err();
        assert_eq!(err, SignatureError::NotCovered(refusal), "{case}");
    }

    // The all-headers signing string, with (created)/(expires) (hs2019 allows them).
    let start = after("# signing string");
    let want = lines[start..].join("\n");
    let header = r#"keyId="Test",algorithm="hs2019",created=1402170695,expires=1402170699,headers="(request-target) (created) (expires) host date content-type digest content-length",signature="AQID""#;
    captured.headers.retain(|(n, _)| n != "Signature");
    captured.headers.push(("Signature".into(), header.into()));
    // Its created time is months after its Date, so only the signing string is compared.
    let params = parse_signature_header(header).unwrap();
    let text = signing_string(&captured.request(), &params).unwrap();
    assert_eq!(text, want.trim_end());
}
