//! `GET /docs`: the API's reference as one HTML page, rendered from the same
//! OpenAPI document `GET /openapi.json` serves, with no script and nothing
//! fetched from elsewhere (it works offline and behind any proxy).
use serde_json::Value;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `#/components/schemas/Name` → `Name`.
fn ref_name(v: &Value) -> Option<&str> {
    v.get("$ref")?.as_str()?.rsplit('/').next()
}

fn type_of(v: &Value) -> String {
    if let Some(r) = ref_name(v) {
        return format!("<a href=\"#schema-{r}\">{r}</a>");
    }
    if let Some(one) = v.get("oneOf").and_then(Value::as_array) {
        let parts: Vec<String> = one.iter().map(type_of).collect();
        return parts.join(" | ");
    }
    match v.get("type") {
        Some(Value::String(t)) if t == "array" => {
            format!("array of {}", v.get("items").map_or("?".into(), type_of))
        }
        Some(Value::String(t)) => esc(t),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".into(),
    }
}

fn schema_html(name: &str, s: &Value) -> String {
    let mut out = format!("<h3 id=\"schema-{name}\">{name}</h3>");
    if let Some(d) = s.get("description").and_then(Value::as_str) {
        out += &format!("<p>{}</p>", esc(d));
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array) {
        let vals: Vec<String> = e
            .iter()
            .filter_map(Value::as_str)
            .map(|v| format!("<code>{}</code>", esc(v)))
            .collect();
        out += &format!("<p>One of: {}</p>", vals.join(", "));
    }
    if let Some(one) = s.get("oneOf").and_then(Value::as_array) {
        out += "<ul>";
        for o in one {
            let vals: Vec<String> = o
                .get("enum")
                .and_then(Value::as_array)
                .map(|e| {
                    e.iter()
                        .filter_map(Value::as_str)
                        .map(|v| format!("<code>{}</code>", esc(v)))
                        .collect()
                })
                .unwrap_or_default();
            let d = o.get("description").and_then(Value::as_str).unwrap_or("");
            out += &format!("<li>{} {}</li>", vals.join(", "), esc(d));
        }
        out += "</ul>";
    }
    if let Some(props) = s.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        out += "<table><tr><th>field</th><th>type</th><th></th><th>description</th></tr>";
        for (k, v) in props {
            let d = v.get("description").and_then(Value::as_str).unwrap_or("");
            let req = if required.contains(&k.as_str()) {
                "required"
            } else {
                "optional"
            };
            out += &format!(
                "<tr><td><code>{}</code></td><td>{}</td><td>{req}</td><td>{}</td></tr>",
                esc(k),
                type_of(v),
                esc(d)
            );
        }
        out += "</table>";
    }
    out
}

fn operation_html(method: &str, path: &str, op: &Value) -> String {
    let mut out = format!(
        "<div class=\"op\"><h3><span class=\"m {m}\">{M}</span> <code>{p}</code></h3>",
        m = method,
        M = method.to_uppercase(),
        p = esc(path)
    );
    if let Some(d) = op.get("description").and_then(Value::as_str) {
        out += &format!("<p>{}</p>", esc(d));
    }
    if let Some(params) = op.get("parameters").and_then(Value::as_array) {
        let list: Vec<String> = params
            .iter()
            .map(|p| {
                format!(
                    "<code>{}</code> ({})",
                    esc(p.get("name").and_then(Value::as_str).unwrap_or("")),
                    esc(p.get("in").and_then(Value::as_str).unwrap_or(""))
                )
            })
            .collect();
        out += &format!("<p>Parameters: {}</p>", list.join(", "));
    }
    if let Some(b) = op.pointer("/requestBody/content/application~1json/schema") {
        out += &format!("<p>Request body: {}</p>", type_of(b));
    }
    if let Some(r) = op.get("responses").and_then(Value::as_object) {
        let list: Vec<String> = r
            .iter()
            .map(|(status, v)| {
                let t = v
                    .pointer("/content/application~1json/schema")
                    .map_or(String::new(), type_of);
                format!("<code>{}</code> {t}", esc(status))
            })
            .collect();
        out += &format!("<p>Responses: {}</p>", list.join("; "));
    }
    out + "</div>"
}

/// The page, rendered once per request from the embedded OpenAPI document.
pub fn page() -> String {
    let doc: Value = serde_json::from_str(&aktiver_protocol::openapi::json()).unwrap_or_default();
    let title = doc
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("API");
    let desc = doc
        .pointer("/info/description")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut body = format!(
        "<h1>{}</h1><p>{}</p><p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>. \
         The README's walkthrough takes every step with curl.</p><h2>Operations</h2>",
        esc(title),
        esc(desc)
    );
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for m in ["get", "post", "delete"] {
                if let Some(op) = item.get(m) {
                    body += &operation_html(m, path, op);
                }
            }
        }
    }
    body += "<h2>Schemas</h2>";
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, s) in schemas {
            body += &schema_html(name, s);
        }
    }
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{t}</title><style>\
         body{{font:15px/1.5 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}}\
         code{{background:#f3f3f3;padding:0 .2em}} table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}}\
         .op{{border-left:3px solid #ccc;padding-left:1em;margin:1em 0}}\
         .m{{font-family:monospace;padding:.1em .4em;color:#fff;border-radius:3px}}\
         .get{{background:#2a7}} .post{{background:#27a}} .delete{{background:#a33}}\
         </style></head><body>{body}</body></html>",
        t = esc(title)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn page_lists_every_endpoint_and_needs_nothing_external() {
        let p = super::page();
        for e in aktiver_protocol::endpoints::ALL {
            assert!(
                p.contains(&format!("<code>{}</code>", e.path)),
                "{}",
                e.path
            );
        }
        assert!(p.contains("id=\"schema-ErrorCode\""));
        assert!(!p.contains("<script") && !p.contains("http://") && !p.contains("https://"));
    }
}
