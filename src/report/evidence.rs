//! A finding's evidence: JSON as most checks build it, or named text fields for the findings a
//! batch writes once per token (a verified signature), which then cost no map, no hashed names
//! and no string per name. Both serialise to the same JSON object.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

/// Expected against presented, as data.
#[derive(Debug, Clone)]
pub enum Evidence {
    /// Any JSON (an object, in every finding keyprobe makes).
    Json(Value),
    /// An object of text members, in order, under names fixed in the code.
    Text(Vec<(&'static str, Cow<'static, str>)>),
}

impl Evidence {
    /// The evidence as JSON: borrowed when it is JSON already, built for text fields.
    pub fn as_value(&self) -> Cow<'_, Value> {
        match self {
            Evidence::Json(v) => Cow::Borrowed(v),
            // Names and strings: serialising them cannot fail.
            Evidence::Text(_) => Cow::Owned(serde_json::to_value(self).unwrap_or(Value::Null)),
        }
    }

    /// The evidence as JSON, taken out.
    pub fn into_json(self) -> Value {
        match self {
            Evidence::Json(v) => v,
            text => text.as_value().into_owned(),
        }
    }

    /// Changes the evidence as JSON (text fields become a JSON object first).
    pub fn edit_json(&mut self, edit: impl FnOnce(&mut Value)) {
        let mut value = std::mem::take(self).into_json();
        edit(&mut value);
        *self = Evidence::Json(value);
    }
}

impl Default for Evidence {
    /// No evidence: an empty object.
    fn default() -> Self {
        Evidence::Json(Value::Object(Map::new()))
    }
}

impl From<Value> for Evidence {
    fn from(value: Value) -> Self {
        Evidence::Json(value)
    }
}

impl Serialize for Evidence {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Evidence::Json(v) => v.serialize(s),
            Evidence::Text(fields) => {
                let mut m = s.serialize_map(Some(fields.len()))?;
                for (name, text) in fields {
                    m.serialize_entry(name, text)?;
                }
                m.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text() -> Evidence {
        Evidence::Text(vec![
            ("alg", Cow::Borrowed("RS256")),
            ("key", Cow::Owned("kid 'a\"b' (RSA 2048-bit)".to_string())),
            ("source", Cow::Borrowed("keys.json#1")),
        ])
    }

    #[test]
    fn text_fields_are_the_json_object_they_stand_for() {
        let expected =
            json!({"alg": "RS256", "key": "kid 'a\"b' (RSA 2048-bit)", "source": "keys.json#1"});
        let evidence = text();
        assert_eq!(*evidence.as_value(), expected);
        assert_eq!(
            serde_json::to_string(&evidence).unwrap(),
            serde_json::to_string(&expected).unwrap()
        );
        let keys: Vec<String> = match evidence.as_value().into_owned() {
            Value::Object(m) => m.keys().cloned().collect(),
            other => panic!("not an object: {other}"),
        };
        assert_eq!(keys, ["alg", "key", "source"]);
    }

    #[test]
    fn changing_text_fields_makes_them_json_and_keeps_them() {
        let mut evidence = text();
        evidence.edit_json(|v| {
            if let Some(o) = v.as_object_mut() {
                o.insert("nested_level".into(), json!(1));
            }
        });
        assert!(matches!(evidence, Evidence::Json(_)));
        assert_eq!(
            *evidence.as_value(),
            json!({"alg": "RS256", "key": "kid 'a\"b' (RSA 2048-bit)", "source": "keys.json#1", "nested_level": 1})
        );
    }
}
