//! A cookie-keeping client that posts forms the way a browser does.

use super::http::{agent, answer, form_encode, Answer, BROWSER};

/// A cookie-keeping client that posts forms like a browser on our own origin.
pub struct Browser {
    pub origin: String,
    pub cookies: Vec<(String, String)>,
    /// Sent as `X-Real-IP`, as a reverse proxy on loopback would, to appear to come from elsewhere.
    pub client_address: Option<String>,
}

impl Browser {
    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&mut self, answer: &Answer) {
        for set in answer.headers_named("set-cookie") {
            let pair = set.split(';').next().unwrap_or("");
            if let Some((name, value)) = pair.split_once('=') {
                self.cookies.retain(|(n, _)| n != name);
                let expired = set.to_ascii_lowercase().contains("max-age=0") || value.is_empty();
                if !expired {
                    self.cookies.push((name.to_string(), value.to_string()));
                }
            }
        }
    }

    pub fn get(&mut self, path: &str) -> Answer {
        let url = format!("{}{path}", self.origin);
        let mut request = agent().get(&url).header("Accept", BROWSER);
        if !self.cookies.is_empty() {
            request = request.header("Cookie", self.cookie_header());
        }
        let answer = answer(request.call());
        self.keep_cookies(&answer);
        answer
    }

    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Answer {
        self.post_form_from(path, fields, &self.origin.clone())
    }

    /// Posts a form as if from a page on `origin`.
    pub fn post_form_from(&mut self, path: &str, fields: &[(&str, &str)], origin: &str) -> Answer {
        let url = format!("{}{path}", self.origin);
        let mut request = agent()
            .post(&url)
            .header("Accept", BROWSER)
            .header("Origin", origin)
            .header("Content-Type", "application/x-www-form-urlencoded");
        if let Some(address) = &self.client_address {
            request = request.header("X-Real-IP", address);
        }
        if !self.cookies.is_empty() {
            request = request.header("Cookie", self.cookie_header());
        }
        let answer = answer(request.send(form_encode(fields)));
        self.keep_cookies(&answer);
        answer
    }

    /// Posts a multipart form with one file field named `file`.
    pub fn post_file(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: &[u8],
        mime: &str,
    ) -> Answer {
        let boundary = "perchtestboundary7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\nContent-Type: {mime}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let url = format!("{}{path}", self.origin);
        let answer = answer(
            agent()
                .post(&url)
                .header("Accept", BROWSER)
                .header("Origin", &self.origin)
                .header("Cookie", self.cookie_header())
                .header(
                    "Content-Type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .send(&body[..]),
        );
        self.keep_cookies(&answer);
        answer
    }

    /// The CSRF token from a page's forms.
    pub fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path);
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        csrf_from(&page.body)
    }
}

pub fn csrf_from(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a CSRF field on the page") + marker.len();
    let end = html[start..].find('"').expect("end of the token") + start;
    html[start..end].to_string()
}
