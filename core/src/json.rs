//! Strict JSON: duplicate member names are an error (RFC 7515 §5.2 says a JOSE header with them
//! must be rejected, and parsers disagree on which one wins), nesting and size are bounded.

use std::collections::HashSet;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde::Deserialize;
use serde_json::map::Entry;
use serde_json::{Map, Value};
use std::fmt;

use crate::limits::{MAX_JSON_BYTES, MAX_JSON_DEPTH};

/// Why a JSON text was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Longer than [`MAX_JSON_BYTES`].
    #[error("JSON is {bytes} bytes, more than the {limit} byte limit")]
    TooLarge {
        /// The text's length.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// Not JSON, truncated, trailing data, or a duplicate member: serde's message with its line and column.
    #[error("{0}")]
    Syntax(String),
    /// Nested deeper than [`MAX_JSON_DEPTH`].
    #[error("JSON nests {depth} levels deep, more than {limit}")]
    TooDeep {
        /// The value's nesting depth.
        depth: usize,
        /// The limit.
        limit: usize,
    },
    /// Valid JSON, but not the object required.
    #[error("expected a JSON object, found {found}")]
    NotObject {
        /// The JSON type found ("an array").
        found: &'static str,
    },
    /// A member that must be an array of strings is something else.
    #[error("\"{member}\" must be an array of strings, found {found}")]
    NotStringArray {
        /// The member's name.
        member: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
}

/// Parses `bytes` as one JSON value, refusing duplicates, excess depth and excess size.
pub fn parse_strict(bytes: &[u8]) -> Result<Value, JsonError> {
    if bytes.len() > MAX_JSON_BYTES {
        return Err(JsonError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_JSON_BYTES,
        });
    }
    read_bounded(bytes, |de| {
        StrictValue::deserialize(de).map(|StrictValue { value, depth }| (value, depth))
    })
}

/// Reads one JSON text with `read` (which also gives its nesting depth), refusing trailing data
/// and depth beyond [`MAX_JSON_DEPTH`]; serde's errors keep their line and column.
fn read_bounded<'a, T>(
    bytes: &'a [u8],
    read: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::SliceRead<'a>>,
    ) -> Result<(T, usize), serde_json::Error>,
) -> Result<T, JsonError> {
    let syntax = |e: serde_json::Error| JsonError::Syntax(e.to_string());
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let (value, depth) = read(&mut de).map_err(syntax)?;
    de.end().map_err(syntax)?;
    if depth > MAX_JSON_DEPTH {
        return Err(JsonError::TooDeep {
            depth,
            limit: MAX_JSON_DEPTH,
        });
    }
    Ok(value)
}

/// Parses and requires a JSON object.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    match parse_strict(bytes)? {
        Value::Object(map) => Ok(map),
        other => Err(JsonError::NotObject {
            found: type_name(&other),
        }),
    }
}

/// A JSON object as its members in document order, names unique: what a JWT claim set is read
/// into. It keeps no hash index: a claim set is small and read a member at a time, and building
/// an index (hashing every name) cost a batch token more than the few lookups it would save.
/// Lookups are linear, so a caller makes a bounded number of them per object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Object(Vec<(String, Value)>);

impl Object {
    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// The members in document order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&String, &Value)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// No members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The members as a `serde_json` map (same order).
    pub fn into_map(self) -> Map<String, Value> {
        self.0.into_iter().collect()
    }
}

impl From<Map<String, Value>> for Object {
    fn from(map: Map<String, Value>) -> Self {
        Object(map.into_iter().collect())
    }
}

impl<'a> IntoIterator for &'a Object {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (String, Value)>,
        fn(&'a (String, Value)) -> (&'a String, &'a Value),
    >;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// [`parse_object`] into an [`Object`]: the same text is accepted, and the same error given for
/// any other (a text that does not start with `{` is left to [`parse_object`] to name).
pub fn parse_members(bytes: &[u8]) -> Result<Object, JsonError> {
    let starts_an_object = bytes
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .is_some_and(|&b| b == b'{');
    if !starts_an_object || bytes.len() > MAX_JSON_BYTES {
        return parse_object(bytes).map(Object::from);
    }
    read_bounded(bytes, |de| de.deserialize_any(MembersVisitor))
}

/// An optional member that must be an array of strings (`x5c`, `crit`, `key_ops`).
pub fn string_array(
    object: &Map<String, Value>,
    name: &'static str,
) -> Result<Option<Vec<String>>, JsonError> {
    let Some(value) = object.get(name) else {
        return Ok(None);
    };
    value
        .as_array()
        .and_then(|items| {
            items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        })
        .map(Some)
        .ok_or_else(|| JsonError::NotStringArray {
            member: name,
            found: type_name(value),
        })
}

/// How a JSON value's type is named in messages ("a string", "an object").
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A value and its nesting depth (a scalar is 1), measured while it is read rather than in a
/// second walk over the tree.
struct StrictValue {
    value: Value,
    depth: usize,
}

impl StrictValue {
    fn leaf(value: Value) -> Self {
        StrictValue { value, depth: 1 }
    }
}

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = StrictValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<StrictValue, E> {
        Ok(StrictValue::leaf(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<StrictValue, E> {
        Ok(StrictValue::leaf(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<StrictValue, E> {
        Ok(StrictValue::leaf(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<StrictValue, E> {
        let number = serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number);
        Ok(StrictValue::leaf(number))
    }
    fn visit_str<E>(self, v: &str) -> Result<StrictValue, E> {
        Ok(StrictValue::leaf(Value::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<StrictValue, E> {
        Ok(StrictValue::leaf(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<StrictValue, E> {
        Ok(StrictValue::leaf(Value::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StrictValue, A::Error> {
        let mut items = Vec::new();
        let mut inner = 0;
        while let Some(StrictValue { value, depth }) = seq.next_element()? {
            inner = inner.max(depth);
            items.push(value);
        }
        Ok(StrictValue {
            value: Value::Array(items),
            depth: inner + 1,
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<StrictValue, A::Error> {
        // Empty until a member arrives, then grown as members come: presizing saved 0.3% of a
        // token but made every `{}` of a hostile 4 MiB document cost a kilobyte.
        let mut map = Map::new();
        let mut inner = 0;
        while let Some(key) = access.next_key::<String>()? {
            let StrictValue { value, depth } = access.next_value()?;
            inner = inner.max(depth);
            // One lookup: a vacant entry is filled, an occupied one is the duplicate.
            match map.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert(value);
                }
                Entry::Occupied(taken) => {
                    let key = taken.key();
                    return Err(de::Error::custom(format!("duplicate member \"{key}\"")));
                }
            }
        }
        Ok(StrictValue {
            value: Value::Object(map),
            depth: inner + 1,
        })
    }
}

/// The top-level object of [`parse_members`], read as [`StrictVisitor`] reads an object (the same
/// calls on the same reader, so the same errors at the same places), into a list of members.
struct MembersVisitor;

/// Members compared by name one by one up to this many; beyond it, a set of the names seen keeps
/// the duplicate check linear in a hostile document's size.
const LINEAR_NAME_CHECK: usize = 32;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = (Object, usize);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(Object, usize), A::Error> {
        // One per document, so presizing costs a hostile document nothing.
        let mut members: Vec<(String, Value)> = Vec::with_capacity(16);
        let mut seen: Option<HashSet<String>> = None;
        let mut inner = 0;
        while let Some(key) = access.next_key::<String>()? {
            let StrictValue { value, depth } = access.next_value()?;
            inner = inner.max(depth);
            let duplicate = match &mut seen {
                Some(names) => !names.insert(key.clone()),
                // Claim names are mostly three letters: the first byte rules most out without
                // a memcmp.
                None => members
                    .iter()
                    .any(|(k, _)| k.as_bytes().first() == key.as_bytes().first() && *k == key),
            };
            if duplicate {
                return Err(de::Error::custom(format!("duplicate member \"{key}\"")));
            }
            members.push((key, value));
            if seen.is_none() && members.len() >= LINEAR_NAME_CHECK {
                seen = Some(members.iter().map(|(k, _)| k.clone()).collect());
            }
        }
        Ok((Object(members), inner + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_duplicates_at_any_level() {
        assert!(parse_strict(br#"{"a":1,"a":2}"#)
            .unwrap_err()
            .to_string()
            .contains("duplicate member \"a\""));
        assert!(parse_strict(br#"{"x":[{"b":1,"b":1}]}"#).is_err());
        assert!(parse_strict(br#"{"a":1,"b":2}"#).is_ok());
    }

    #[test]
    fn bounds_depth_and_trailing_data() {
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse_strict(deep.as_bytes()).is_err());
        assert!(matches!(parse_strict(b"{} {}"), Err(JsonError::Syntax(_))));
        let deep_but_parsable = "[".repeat(70) + &"]".repeat(70);
        assert_eq!(
            parse_strict(deep_but_parsable.as_bytes()).unwrap_err(),
            JsonError::TooDeep {
                depth: 70,
                limit: MAX_JSON_DEPTH
            }
        );
    }

    /// JSON-ish text: mostly objects with repeated, escaped and nested members, sometimes broken.
    fn jsonish() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let pick = |items: &[&'static str]| prop::sample::select(items.to_vec());
        let name = pick(&["a", "b", "iss", "\\u0061", "x y", "", "\\n", "\u{e9}"]);
        let valid = pick(&[
            "1",
            "-3",
            "2.5e3",
            "true",
            "null",
            "\"s\"",
            "\"\\n\"",
            "[]",
            "{}",
            "[1,\"x\"]",
            "{\"a\":1,\"b\":{}}",
            "-0",
            "18446744073709551616",
            "\"\\u00e9\\/\"",
        ]);
        let broken = pick(&[
            "[1,",
            "{\"a\":1,\"a\":2}",
            "01",
            "\"\\ud800\"",
            "[[[[[[[[[[1]]]]]]]]]]",
            "tru",
            "\"\u{1}\"",
            "1e400",
        ]);
        let scalar = prop_oneof![8 => valid, 1 => broken];
        let member = (name, scalar).prop_map(|(n, v)| format!("\"{n}\":{v}"));
        // Up to 45 more members named k0, k1, …, one of them sometimes named again (past the
        // linear name check too).
        let numbered =
            (0usize..45, prop::option::weighted(0.3, 0usize..45)).prop_map(|(n, again)| {
                let mut m: Vec<String> = (0..n).map(|i| format!("\"k{i}\":{i}")).collect();
                m.extend(again.filter(|a| *a < n).map(|a| format!("\"k{a}\":0")));
                m
            });
        let members = (prop::collection::vec(member, 0..6), numbered).prop_map(|(mut m, k)| {
            m.extend(k);
            m
        });
        let head = prop_oneof![8 => Just("{"), 1 => pick(&[" {", "[", "\"", "", "{{"])];
        let tail = prop_oneof![8 => Just(""), 1 => pick(&[" ", "}", "x", " {}", "\n"])];
        (head, members, tail).prop_map(|(h, m, t)| format!("{h}{}}}{t}", m.join(",")))
    }

    proptest::proptest! {
        #[test]
        fn members_read_as_the_strict_object_parser_reads(text in jsonish()) {
            let ours = parse_members(text.as_bytes()).map(Object::into_map);
            proptest::prop_assert_eq!(ours, parse_object(text.as_bytes()));
        }
    }

    #[test]
    fn members_keep_order_and_refuse_duplicates_past_the_linear_check() {
        let names: Vec<String> = (0..LINEAR_NAME_CHECK + 8)
            .map(|i| format!("\"m{i}\":{i}"))
            .collect();
        let text = format!("{{{}}}", names.join(","));
        let object = parse_members(text.as_bytes()).unwrap();
        assert_eq!(object.len(), LINEAR_NAME_CHECK + 8);
        assert_eq!(object.iter().next().map(|(k, _)| k.as_str()), Some("m0"));
        assert_eq!(object.get("m33"), Some(&Value::from(33)));
        let dup = format!("{{{},\"m3\":0}}", names.join(","));
        assert_eq!(
            parse_members(dup.as_bytes()).unwrap_err(),
            parse_object(dup.as_bytes()).unwrap_err()
        );
        assert!(parse_members(dup.as_bytes())
            .unwrap_err()
            .to_string()
            .contains("duplicate member \"m3\""));
    }

    #[test]
    fn names_what_was_found() {
        assert_eq!(
            parse_object(b"[1]").unwrap_err().to_string(),
            "expected a JSON object, found an array"
        );
        let object = parse_object(br#"{"x5c":[1]}"#).unwrap();
        assert_eq!(
            string_array(&object, "x5c").unwrap_err().to_string(),
            "\"x5c\" must be an array of strings, found an array"
        );
    }
}
