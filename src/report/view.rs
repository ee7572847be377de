//! A report's `decoded` view. Most kinds build it as JSON; a compact JWS, the one kind a batch
//! inspects by the hundred thousand, keeps it typed: its header and claims as decoded, its notes
//! as the static text and times the checks wrote, so that no map is built per token only to be
//! written out and dropped. Every view serialises to the same JSON (SPEC.md's `decoded`).

use std::borrow::Cow;
use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::codec::json::Object;

/// What a report shows of its input, decoded.
#[derive(Debug, Clone)]
pub enum View {
    /// Any kind's view, as JSON.
    Json(Value),
    /// A compact JWS: header, payload, signature.
    Jws(Box<JwsView>),
}

impl View {
    /// The view as JSON: borrowed when it is JSON already, built for a typed view (for the
    /// renderers and readers that walk it; the JSON-lines writer writes the typed view itself).
    pub fn as_value(&self) -> Cow<'_, Value> {
        match self {
            View::Json(v) => Cow::Borrowed(v),
            // Maps with string keys, strings and numbers: serialising them cannot fail.
            View::Jws(jws) => Cow::Owned(serde_json::to_value(jws).unwrap_or(Value::Null)),
        }
    }
}

impl View {
    /// The view when it was built as JSON (every kind but a compact JWS): borrowed for as long
    /// as the report is.
    pub fn as_json(&self) -> Option<&Value> {
        match self {
            View::Json(v) => Some(v),
            View::Jws(_) => None,
        }
    }
}

impl From<Value> for View {
    fn from(value: Value) -> Self {
        View::Json(value)
    }
}

impl Serialize for View {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            View::Json(v) => v.serialize(s),
            View::Jws(jws) => jws.serialize(s),
        }
    }
}

/// A compact JWS decoded: `{"header", <the payload's members>, "signature"}`.
#[derive(Debug, Clone)]
pub struct JwsView {
    /// The protected header, every member as decoded (shared with the tokens that repeat it).
    pub header: Arc<Map<String, Value>>,
    /// What the payload is.
    pub body: JwsBody,
    /// The signature section the signature checks wrote.
    pub signature: SignatureSection,
}

/// A JWS's `"signature"` member: its length, and the trusted key that verified it, if one did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureSection {
    /// The signature's length in bytes.
    pub length: usize,
    /// The label of the trusted key that verified the signature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified_with: Option<String>,
}

/// A JWS payload as the report shows it.
#[derive(Debug, Clone)]
pub enum JwsBody {
    /// A claim set and the notes on its claims: `"claims"`, `"notes"`.
    Claims {
        /// The claims as decoded.
        claims: Object,
        /// What the claims mean, by claim name.
        notes: Notes,
    },
    /// A nested token (`cty: JWT`), inspected as the outer one: `"nested"`.
    Nested(Box<JwsView>),
    /// Anything else: `"payload"` (as text) and `"payload_note"` (why it is no claim set).
    Other {
        /// The payload, as UTF-8 text (lossy).
        payload: String,
        /// Why it is not a claim set.
        note: String,
    },
}

impl JwsBody {
    /// The body's members, in the order the report shows them, added to `out` as JSON (the JWS
    /// JSON serialisation's view, which is built as JSON). Written by [`Self::serialize_members`],
    /// the one spelling of the members' names.
    pub fn into_members(self, out: &mut Map<String, Value>) {
        // Maps with string keys, strings and numbers: serialising them cannot fail.
        if let Ok(Value::Object(members)) = serde_json::to_value(Members(&self)) {
            out.extend(members);
        }
    }

    fn serialize_members<M: SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        match self {
            JwsBody::Claims { claims, notes } => {
                m.serialize_entry("claims", claims)?;
                m.serialize_entry("notes", notes)
            }
            JwsBody::Nested(view) => m.serialize_entry("nested", view),
            JwsBody::Other { payload, note } => {
                m.serialize_entry("payload", payload)?;
                m.serialize_entry("payload_note", note)
            }
        }
    }
}

/// A body's members on their own, as a JSON object.
struct Members<'a>(&'a JwsBody);

impl Serialize for Members<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        self.0.serialize_members(&mut m)?;
        m.end()
    }
}

impl Serialize for JwsView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("header", &*self.header)?;
        self.body.serialize_members(&mut m)?;
        m.serialize_entry("signature", &self.signature)?;
        m.end()
    }
}

/// Notes on claims, by claim name, in the order they were set: a time in words, or a static
/// explanation of what a claim means.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes(Vec<(&'static str, Cow<'static, str>)>);

impl Notes {
    /// Room for `n` notes.
    pub fn with_capacity(n: usize) -> Self {
        Notes(Vec::with_capacity(n))
    }

    /// Sets the note on `claim`: a claim noted twice keeps its place and takes the later note,
    /// as a JSON object's member would.
    pub fn set(&mut self, claim: &'static str, note: impl Into<Cow<'static, str>>) {
        let note = note.into();
        match self.0.iter_mut().find(|(name, _)| *name == claim) {
            Some((_, slot)) => *slot = note,
            None => self.0.push((claim, note)),
        }
    }

    /// The notes in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(claim, note)| (*claim, note.as_ref()))
    }
}

impl Serialize for Notes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (claim, note) in self.iter() {
            m.serialize_entry(claim, note)?;
        }
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn view(body: JwsBody) -> JwsView {
        JwsView {
            header: Arc::new(
                json!({"alg": "RS256", "kid": "k"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            ),
            body,
            signature: SignatureSection {
                length: 256,
                verified_with: None,
            },
        }
    }

    fn notes() -> Notes {
        let mut n = Notes::with_capacity(2);
        n.set("exp", String::from("2026-06-01T12:50:00Z (in 50 min)"));
        n.set("iss", "Entra v2 token");
        n.set("exp", "set again: keeps its place");
        n
    }

    #[test]
    fn a_typed_view_is_the_json_view_it_stands_for() {
        let claims = json!({"iss": "i", "exp": 1, "aud": ["a", "b"]});
        let typed = view(JwsBody::Claims {
            claims: Object::from(claims.as_object().cloned().unwrap_or_default()),
            notes: notes(),
        });
        let expected = json!({
            "header": {"alg": "RS256", "kid": "k"},
            "claims": claims,
            "notes": {"exp": "set again: keeps its place", "iss": "Entra v2 token"},
            "signature": {"length": 256},
        });
        let as_view = View::Jws(Box::new(typed.clone()));
        assert_eq!(*as_view.as_value(), expected);
        assert_eq!(
            serde_json::to_string(&as_view).unwrap_or_default(),
            serde_json::to_string(&expected).unwrap_or_default()
        );
        let mut members = Map::new();
        typed.body.into_members(&mut members);
        assert_eq!(members.keys().collect::<Vec<_>>(), ["claims", "notes"]);
    }

    #[test]
    fn nested_and_other_payloads_keep_their_member_names() {
        let other = JwsBody::Other {
            payload: "hello".into(),
            note: "the payload is not a JSON claim set: x".into(),
        };
        let outer = view(JwsBody::Nested(Box::new(view(other))));
        let value = serde_json::to_value(&outer).unwrap_or_default();
        assert_eq!(value["nested"]["payload"], "hello");
        let keys: Vec<&String> = value
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        assert_eq!(keys, ["header", "nested", "signature"]);
    }
}
