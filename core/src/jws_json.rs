//! JWS JSON serialisation (RFC 7515 §7.2), general and flattened. Each signature becomes a [`Jws`]
//! over the shared payload, so that it is judged exactly as a compact token is.

use serde_json::{Map, Value};

use crate::base64;
use crate::jose::{JoseError, JoseHeader, Jws, Problem};
use crate::json;
use crate::limits::MAX_JWS_SIGNATURES;

/// Which of the two JSON shapes (RFC 7515 §7.2.1 general, §7.2.2 flattened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serialization {
    /// `signatures`: an array of one or more signatures.
    General,
    /// One signature, its members at the top level.
    Flattened,
}

/// A member of the JSON serialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// `payload`: the base64url payload shared by every signature.
    Payload,
    /// `signatures` (general shape).
    Signatures,
    /// `protected`: the base64url protected header.
    Protected,
    /// `header`: the unprotected header.
    Header,
    /// `signature`: the base64url signature.
    Signature,
}

impl Member {
    /// The member's name as written in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Member::Payload => "payload",
            Member::Signatures => "signatures",
            Member::Protected => "protected",
            Member::Header => "header",
            Member::Signature => "signature",
        }
    }
}

/// Where a problem is: `signatures[1].protected`, or `protected` in the flattened shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// The signature's index (from 0) in the general shape.
    pub signature: Option<usize>,
    /// The member.
    pub member: Member,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.signature {
            Some(i) if self.member == Member::Signatures => write!(f, "signatures[{i}]"),
            Some(i) => write!(f, "signatures[{i}].{}", self.member.name()),
            None => f.write_str(self.member.name()),
        }
    }
}

/// What is wrong at that place.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JwsJsonProblem {
    /// A required member is absent.
    #[error("is missing")]
    Missing,
    /// Must be a string; the JSON type found.
    #[error("must be a string, found {0}")]
    NotAString(&'static str),
    /// Must be an object; the JSON type found.
    #[error("must be a JSON object, found {0}")]
    NotAnObject(&'static str),
    /// `signatures` is not a non-empty array of objects.
    #[error("must be a non-empty array of objects")]
    NotSignatures,
    /// More signatures than [`crate::limits::MAX_JWS_SIGNATURES`].
    #[error("holds {count} signatures, more than the {limit} keyprobe verifies")]
    TooMany {
        /// How many the input holds.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A signature with no header at all.
    #[error("has neither a protected nor an unprotected header")]
    NoHeader,
    /// A header member named in both headers; the member's name.
    #[error("names \"{0}\", which the protected header names too (RFC 7515 §7.2.1: they must be disjoint)")]
    NotDisjoint(String),
    /// `crit` in the unprotected header.
    #[error("carries \"crit\", which must be integrity protected (RFC 7515 §4.1.11)")]
    CritUnprotected,
    /// Both `signatures` and `signature`.
    #[error("mixes the general (\"signatures\") and flattened (\"signature\") shapes")]
    Mixed,
    /// A part that does not decode as a compact JWS's would.
    #[error(transparent)]
    Jose(#[from] Problem),
}

/// A JWS JSON serialisation that cannot be decoded (or one signature of it that cannot).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{at}: {problem}")]
pub struct JwsJsonError {
    /// Where the problem is.
    pub at: Location,
    /// What it is.
    pub problem: JwsJsonProblem,
}

/// A decoded JWS JSON serialisation: one entry per signature, in order.
#[derive(Debug, Clone)]
pub struct JwsJson {
    /// Which shape the input has.
    pub serialization: Serialization,
    /// Each signature decoded as a compact JWS, or why it could not be.
    pub signatures: Vec<Result<Jws, JwsJsonError>>,
}

/// True when a JSON object has the shape of a JWS JSON serialisation.
pub fn looks_like(object: &Map<String, Value>) -> bool {
    object.contains_key("payload")
        && (object.get("signatures").is_some_and(Value::is_array)
            || object.get("signature").is_some_and(Value::is_string))
}

impl JwsJson {
    /// Decodes a JWS JSON serialisation (general or flattened); a bad signature is kept as its error.
    pub fn decode(object: &Map<String, Value>) -> Result<JwsJson, JwsJsonError> {
        let top = |member, problem| JwsJsonError {
            at: Location {
                signature: None,
                member,
            },
            problem,
        };
        let payload = match object.get("payload") {
            Some(Value::String(p)) => p.as_str(),
            Some(other) => {
                return Err(top(
                    Member::Payload,
                    JwsJsonProblem::NotAString(json::type_name(other)),
                ))
            }
            // Detached content (RFC 7515 Appendix F): nothing to verify the signatures over.
            None => return Err(top(Member::Payload, JwsJsonProblem::Missing)),
        };
        match (object.get("signatures"), object.contains_key("signature")) {
            (Some(_), true) => Err(top(Member::Signatures, JwsJsonProblem::Mixed)),
            (Some(Value::Array(entries)), false) => {
                if entries.is_empty() {
                    return Err(top(Member::Signatures, JwsJsonProblem::NotSignatures));
                }
                if entries.len() > MAX_JWS_SIGNATURES {
                    return Err(top(
                        Member::Signatures,
                        JwsJsonProblem::TooMany {
                            count: entries.len(),
                            limit: MAX_JWS_SIGNATURES,
                        },
                    ));
                }
                let signatures = entries
                    .iter()
                    .enumerate()
                    .map(|(i, entry)| match entry {
                        Value::Object(o) => one_signature(o, payload, Some(i)),
                        _ => Err(JwsJsonError {
                            at: Location {
                                signature: Some(i),
                                member: Member::Signatures,
                            },
                            problem: JwsJsonProblem::NotAnObject(json::type_name(entry)),
                        }),
                    })
                    .collect();
                Ok(JwsJson {
                    serialization: Serialization::General,
                    signatures,
                })
            }
            (Some(_), false) => Err(top(Member::Signatures, JwsJsonProblem::NotSignatures)),
            (None, _) => Ok(JwsJson {
                serialization: Serialization::Flattened,
                signatures: vec![one_signature(object, payload, None)],
            }),
        }
    }
}

/// One signature: its protected and unprotected headers joined (disjoint), then a [`Jws`].
fn one_signature(
    entry: &Map<String, Value>,
    payload: &str,
    index: Option<usize>,
) -> Result<Jws, JwsJsonError> {
    let fail = |member, problem| JwsJsonError {
        at: Location {
            signature: index,
            member,
        },
        problem,
    };
    let string = |member: Member| -> Result<Option<&str>, JwsJsonError> {
        match entry.get(member.name()) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(fail(
                member,
                JwsJsonProblem::NotAString(json::type_name(other)),
            )),
        }
    };
    let protected = string(Member::Protected)?;
    let signature = string(Member::Signature)?
        .ok_or_else(|| fail(Member::Signature, JwsJsonProblem::Missing))?;
    let mut union = match protected {
        Some(segment) => base64::decode_url(segment)
            .map_err(Problem::from)
            .and_then(|bytes| json::parse_object(&bytes).map_err(Problem::from))
            .map_err(|p| fail(Member::Protected, p.into()))?,
        None => Map::new(),
    };
    match entry.get("header") {
        None if protected.is_none() => return Err(fail(Member::Header, JwsJsonProblem::NoHeader)),
        None => {}
        Some(Value::Object(unprotected)) => {
            for (name, value) in unprotected {
                if name == "crit" {
                    return Err(fail(Member::Header, JwsJsonProblem::CritUnprotected));
                }
                if union.contains_key(name) {
                    return Err(fail(
                        Member::Header,
                        JwsJsonProblem::NotDisjoint(name.clone()),
                    ));
                }
                union.insert(name.clone(), value.clone());
            }
        }
        Some(other) => {
            return Err(fail(
                Member::Header,
                JwsJsonProblem::NotAnObject(json::type_name(other)),
            ))
        }
    }
    let header = JoseHeader::from_object(union).map_err(|p| fail(Member::Header, p.into()))?;
    Jws::from_parts(header, protected.unwrap_or(""), payload, signature).map_err(
        |JoseError { part, problem }| {
            let member = match part {
                crate::jose::Part::Payload => Member::Payload,
                _ => Member::Signature,
            };
            fail(member, problem.into())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(o) => o,
            _ => Map::new(),
        }
    }

    #[test]
    fn general_and_flattened_share_the_signing_input() {
        // {"alg":"HS256"} . {"a":1}
        let general = object(json!({"payload": "eyJhIjoxfQ", "signatures": [
            {"protected": "eyJhbGciOiJIUzI1NiJ9", "signature": "c2ln"},
            {"header": {"alg": "ES256", "kid": "e"}, "signature": "c2ln"}
        ]}));
        let decoded = JwsJson::decode(&general).unwrap();
        assert_eq!(decoded.serialization, Serialization::General);
        let first = decoded.signatures[0].as_ref().unwrap();
        assert_eq!(first.signing_input(), b"eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ");
        let second = decoded.signatures[1].as_ref().unwrap();
        assert_eq!(second.signing_input(), b".eyJhIjoxfQ");
        assert_eq!(second.header.kid.as_deref(), Some("e"));
        let flat = object(
            json!({"payload": "eyJhIjoxfQ", "protected": "eyJhbGciOiJIUzI1NiJ9", "signature": "c2ln"}),
        );
        assert_eq!(
            JwsJson::decode(&flat).unwrap().serialization,
            Serialization::Flattened
        );
    }

    #[test]
    fn problems_say_where() {
        let overlap = object(json!({"payload": "e30", "signatures": [
            {"protected": "eyJhbGciOiJIUzI1NiJ9", "header": {"alg": "none"}, "signature": ""}
        ]}));
        let err = JwsJson::decode(&overlap)
            .unwrap()
            .signatures
            .remove(0)
            .unwrap_err();
        assert_eq!(err.at.to_string(), "signatures[0].header");
        assert!(matches!(err.problem, JwsJsonProblem::NotDisjoint(ref n) if n == "alg"));
        let crit = object(
            json!({"payload": "e30", "header": {"alg": "HS256", "crit": ["x"], "x": 1}, "signature": ""}),
        );
        let err = JwsJson::decode(&crit)
            .unwrap()
            .signatures
            .remove(0)
            .unwrap_err();
        assert_eq!(err.problem, JwsJsonProblem::CritUnprotected);
        let detached = object(json!({"signature": "", "protected": "e30"}));
        assert_eq!(
            JwsJson::decode(&detached).unwrap_err().to_string(),
            "payload: is missing"
        );
    }
}
