//! A Mastodon API client for the tests: an app registered on an instance and a bearer token
//! from the password grant, with JSON and form requests.

use super::http::{agent, answer, form_encode, Answer};
use super::Instance;

#[allow(dead_code)] // the API tests each use a part of it
pub struct Api {
    pub origin: String,
    pub token: String,
    pub client_id: String,
    pub client_secret: String,
}

/// Registers an app with `scopes` (space-separated).
pub fn register_app(instance: &Instance, scopes: &str) -> (String, String) {
    let body = form_encode(&[
        ("client_name", "perch tests"),
        ("redirect_uris", "urn:ietf:wg:oauth:2.0:oob"),
        ("scopes", scopes),
    ]);
    let app = super::post_raw(
        &instance.url("/api/v1/apps"),
        &[("Content-Type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(app.status, 200, "register app: {}", app.body);
    let app = app.json();
    (
        app["client_id"].as_str().expect("client_id").to_string(),
        app["client_secret"]
            .as_str()
            .expect("client_secret")
            .to_string(),
    )
}

#[allow(dead_code)]
impl Api {
    /// An app and a token with `scopes` for an instance whose owner password is `password`.
    pub fn login(instance: &Instance, password: &str, scopes: &str) -> Api {
        let (client_id, client_secret) = register_app(instance, scopes);
        let body = form_encode(&[
            ("grant_type", "password"),
            ("client_id", &client_id),
            ("client_secret", &client_secret),
            ("username", "owner"),
            ("password", password),
            ("scope", scopes),
        ]);
        let token = super::post_raw(
            &instance.url("/oauth/token"),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        );
        assert_eq!(token.status, 200, "token: {}", token.body);
        Api {
            origin: instance.origin.clone(),
            token: token.json()["access_token"]
                .as_str()
                .expect("access_token")
                .to_string(),
            client_id,
            client_secret,
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.origin)
        }
    }

    fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    pub fn get(&self, path: &str) -> Answer {
        answer(
            agent()
                .get(self.url(path))
                .header("Authorization", self.bearer())
                .header("Accept", "application/json")
                .call(),
        )
    }

    pub fn delete(&self, path: &str) -> Answer {
        answer(
            agent()
                .delete(self.url(path))
                .header("Authorization", self.bearer())
                .call(),
        )
    }

    /// A request with a JSON body (`method`: POST, PUT or PATCH).
    pub fn send_json(&self, method: &str, path: &str, body: &serde_json::Value) -> Answer {
        let body = body.to_string();
        let url = self.url(path);
        let request = match method {
            "PUT" => agent().put(url),
            "PATCH" => agent().patch(url),
            _ => agent().post(url),
        };
        answer(
            request
                .header("Authorization", self.bearer())
                .header("Content-Type", "application/json")
                .send(body.as_bytes()),
        )
    }

    /// Any method with a body of any type (a PATCH of a form or multipart).
    pub fn send_raw(&self, method: &str, path: &str, content_type: &str, body: &[u8]) -> Answer {
        let method = ureq::http::Method::from_bytes(method.as_bytes()).expect("a method");
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(self.url(path))
            .header("Authorization", self.bearer())
            .header("Content-Type", content_type)
            .body(body.to_vec())
            .expect("a request");
        answer(agent().run(request))
    }

    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> Answer {
        self.send_json("POST", path, body)
    }

    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Answer {
        answer(
            agent()
                .post(self.url(path))
                .header("Authorization", self.bearer())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .send(form_encode(fields).as_bytes()),
        )
    }
}
