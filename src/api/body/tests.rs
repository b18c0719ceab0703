use super::*;

#[test]
fn forms_become_nested_json() {
    let value = form_to_json(b"status=hi&media_ids[]=1&media_ids[]=2&poll[options][]=a&poll[expires_in]=60&alerts[follow]=true").unwrap();
    assert_eq!(
        value,
        serde_json::json!({
            "status": "hi",
            "media_ids": ["1", "2"],
            "poll": {"options": ["a"], "expires_in": "60"},
            "alerts": {"follow": "true"},
        })
    );
}

#[test]
fn malformed_or_deep_keys_are_refused() {
    assert!(form_to_json(b"[x]=1").is_err());
    assert!(form_to_json(b"a[b=1").is_err());
    assert!(form_to_json(b"a[b][c][d][e]=1").is_err());
    let many = "a=1&".repeat(MAX_PAIRS + 1);
    assert!(form_to_json(many.as_bytes()).is_err());
}

#[derive(serde::Deserialize)]
struct Params {
    #[serde(default, deserialize_with = "flex::opt_bool")]
    sensitive: Option<bool>,
    #[serde(default, deserialize_with = "flex::opt_i64")]
    limit: Option<i64>,
    #[serde(default, deserialize_with = "flex::vec_string")]
    media_ids: Vec<String>,
    #[serde(default, deserialize_with = "flex::opt_id")]
    in_reply_to_id: Option<String>,
}

#[test]
fn flexible_fields_read_json_and_form_values_alike() {
    let from_form: Params = serde_json::from_value(
        form_to_json(b"sensitive=1&limit=40&media_ids[]=7&in_reply_to_id=").unwrap(),
    )
    .unwrap();
    let from_json: Params = serde_json::from_value(serde_json::json!({
        "sensitive": true, "limit": 40, "media_ids": [7], "in_reply_to_id": null
    }))
    .unwrap();
    for params in [from_form, from_json] {
        assert_eq!(params.sensitive, Some(true));
        assert_eq!(params.limit, Some(40));
        assert_eq!(params.media_ids, vec!["7"]);
        assert_eq!(params.in_reply_to_id, None);
    }
    let bad = serde_json::from_value::<Params>(serde_json::json!({"sensitive": "maybe"}));
    assert!(bad.is_err());
}
