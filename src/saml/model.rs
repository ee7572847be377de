//! The typed SAML model, read from the one parsed tree. Every element keeps its `NodeId`, so
//! checks can tell whether the node a consumer reads is the node a signature covers.

use uppsala::{Document, NodeId};

use super::xml::{
    attr, child, child_elements, children, comment_splits_text, descendants, is, local_name,
    namespace, qname, text, xsi_type, NS_DS, NS_FED, NS_MD, NS_SAML, NS_SAMLP, NS_XENC,
};
use crate::artifact::cert::Certificate;
use crate::artifact::DecodeError;
use crate::clock::Clock;

/// A SAML time (`xs:dateTime`) as written, and as Unix seconds when it parses.
#[derive(Debug, Clone)]
pub(crate) struct Instant {
    pub raw: String,
    pub unix: Option<i64>,
}

impl Instant {
    fn read(doc: &Document, id: NodeId, name: &str) -> Option<Instant> {
        let raw = attr(doc, id, name)?;
        let unix = Clock::parse_instant(&raw).ok();
        Some(Instant { raw, unix })
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Status {
    pub code: Option<String>,
    pub sub_codes: Vec<String>,
    pub message: Option<String>,
    pub detail: Option<String>,
}

impl Status {
    pub(crate) fn is_success(&self) -> bool {
        self.code.as_deref() == Some("urn:oasis:names:tc:SAML:2.0:status:Success")
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Confirmation {
    pub method: Option<String>,
    pub not_before: Option<Instant>,
    pub not_on_or_after: Option<Instant>,
    pub recipient: Option<String>,
    pub in_response_to: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Subject {
    pub name_id: Option<String>,
    pub name_id_format: Option<String>,
    pub sp_name_qualifier: Option<String>,
    pub name_id_node: Option<NodeId>,
    pub encrypted_id: bool,
    pub confirmations: Vec<Confirmation>,
}

#[derive(Debug, Clone)]
pub(crate) struct Conditions {
    pub not_before: Option<Instant>,
    pub not_on_or_after: Option<Instant>,
    pub audiences: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Attribute {
    pub name: String,
    pub friendly_name: Option<String>,
    pub values: Vec<String>,
    pub nodes: Vec<NodeId>,
}

#[derive(Debug, Clone)]
pub(crate) struct Authn {
    pub instant: Option<String>,
    pub session_index: Option<String>,
    pub class_ref: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Assertion {
    pub node: NodeId,
    pub id: Option<String>,
    pub issuer: Option<String>,
    pub issue_instant: Option<String>,
    pub subject: Option<Subject>,
    pub conditions: Option<Conditions>,
    pub attributes: Vec<Attribute>,
    pub encrypted_attributes: usize,
    pub authn: Option<Authn>,
    pub signature: Option<NodeId>,
}

#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub node: NodeId,
    pub id: Option<String>,
    pub issuer: Option<String>,
    pub destination: Option<String>,
    pub in_response_to: Option<String>,
    pub issue_instant: Option<String>,
    pub status: Option<Status>,
    pub assertions: Vec<Assertion>,
    pub encrypted_assertions: usize,
    pub signature: Option<NodeId>,
    /// LogoutResponse rather than Response.
    pub logout: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub element: String,
    pub id: Option<String>,
    pub issuer: Option<String>,
    pub destination: Option<String>,
    pub issue_instant: Option<String>,
    pub acs_url: Option<String>,
    pub protocol_binding: Option<String>,
    pub name_id_policy: Option<String>,
    pub requested_authn_context: Vec<String>,
    pub force_authn: Option<String>,
    pub is_passive: Option<String>,
    pub name_id: Option<String>,
    pub signature: Option<NodeId>,
}

#[derive(Debug, Clone)]
pub(crate) struct KeyDescriptor {
    /// `signing`, `encryption`, or none (both).
    pub usage: Option<String>,
    pub certificates: Vec<Result<Certificate, DecodeError>>,
}

impl KeyDescriptor {
    pub(crate) fn is_signing(&self) -> bool {
        self.usage.as_deref().is_none_or(|u| u == "signing")
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Role {
    /// `IDPSSODescriptor`, `SPSSODescriptor`, `RoleDescriptor (SecurityTokenServiceType)`, …
    pub element: String,
    pub idp: bool,
    pub keys: Vec<KeyDescriptor>,
    /// (what, binding, location)
    pub endpoints: Vec<(String, Option<String>, Option<String>)>,
    pub claim_types: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct EntityDescriptor {
    pub entity_id: Option<String>,
    pub valid_until: Option<Instant>,
    pub roles: Vec<Role>,
    pub signature: Option<NodeId>,
}

impl EntityDescriptor {
    /// Signing certificates of the identity-provider roles (IDPSSODescriptor and WS-Fed STS).
    pub(crate) fn idp_signing_certificates(&self) -> Vec<&Certificate> {
        let mut out: Vec<&Certificate> = Vec::new();
        for role in self.roles.iter().filter(|r| r.idp) {
            for key in role.keys.iter().filter(|k| k.is_signing()) {
                for cert in key.certificates.iter().flatten() {
                    if !out.iter().any(|c| c.der == cert.der) {
                        out.push(cert);
                    }
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Metadata {
    pub entities: Vec<EntityDescriptor>,
    /// An `EntitiesDescriptor` around them.
    pub aggregate: bool,
    pub valid_until: Option<Instant>,
    pub signature: Option<NodeId>,
}

#[derive(Debug, Clone)]
pub(crate) enum Message {
    Response(Response),
    Assertion(Assertion),
    Request(Request),
    Metadata(Metadata),
    /// XML that is not a SAML message keyprobe reads: (qualified name, namespace).
    Other(String, String),
}

/// Reads the message at the root of `doc`.
pub(crate) fn read(doc: &Document) -> Message {
    let Some(root) = doc.document_element() else {
        return Message::Other(String::new(), String::new());
    };
    if is(doc, root, NS_SAMLP, "Response") || is(doc, root, NS_SAMLP, "LogoutResponse") {
        Message::Response(read_response(doc, root))
    } else if is(doc, root, NS_SAML, "Assertion") {
        Message::Assertion(read_assertion(doc, root))
    } else if namespace(doc, root) == NS_SAMLP {
        // AuthnRequest and LogoutRequest are judged; any other protocol message (ArtifactResolve,
        // AttributeQuery, ArtifactResponse…) is read for its issuer and signature only.
        Message::Request(read_request(doc, root))
    } else if is(doc, root, NS_MD, "EntityDescriptor") {
        Message::Metadata(Metadata {
            entities: vec![read_entity(doc, root)],
            aggregate: false,
            valid_until: Instant::read(doc, root, "validUntil"),
            signature: signature_of(doc, root),
        })
    } else if is(doc, root, NS_MD, "EntitiesDescriptor") {
        let entities = descendants(doc, root)
            .into_iter()
            .filter(|n| is(doc, *n, NS_MD, "EntityDescriptor"))
            .map(|n| read_entity(doc, n))
            .collect();
        Message::Metadata(Metadata {
            entities,
            aggregate: true,
            valid_until: Instant::read(doc, root, "validUntil"),
            signature: signature_of(doc, root),
        })
    } else {
        Message::Other(qname(doc, root), namespace(doc, root).to_string())
    }
}

/// The `ds:Signature` that is a direct child of `id` (the enveloped position).
pub(crate) fn signature_of(doc: &Document, id: NodeId) -> Option<NodeId> {
    child(doc, id, NS_DS, "Signature")
}

fn issuer(doc: &Document, id: NodeId) -> Option<String> {
    child(doc, id, NS_SAML, "Issuer").map(|n| text(doc, n))
}

fn read_response(doc: &Document, root: NodeId) -> Response {
    let status = child(doc, root, NS_SAMLP, "Status").map(|s| {
        let mut codes = Vec::new();
        let mut code = child(doc, s, NS_SAMLP, "StatusCode");
        // Nested StatusCode elements; bounded by the parser's depth limit.
        while let Some(c) = code {
            if let Some(v) = attr(doc, c, "Value") {
                codes.push(v);
            }
            code = child(doc, c, NS_SAMLP, "StatusCode");
        }
        let mut codes = codes.into_iter();
        Status {
            code: codes.next(),
            sub_codes: codes.collect(),
            message: child(doc, s, NS_SAMLP, "StatusMessage").map(|m| text(doc, m)),
            detail: child(doc, s, NS_SAMLP, "StatusDetail").map(|m| text(doc, m)),
        }
    });
    Response {
        node: root,
        id: attr(doc, root, "ID"),
        issuer: issuer(doc, root),
        destination: attr(doc, root, "Destination"),
        in_response_to: attr(doc, root, "InResponseTo"),
        issue_instant: attr(doc, root, "IssueInstant"),
        status,
        assertions: children(doc, root, NS_SAML, "Assertion")
            .into_iter()
            .map(|a| read_assertion(doc, a))
            .collect(),
        encrypted_assertions: children(doc, root, NS_SAML, "EncryptedAssertion").len(),
        signature: signature_of(doc, root),
        logout: local_name(doc, root) == "LogoutResponse",
    }
}

pub(crate) fn read_assertion(doc: &Document, node: NodeId) -> Assertion {
    let subject = child(doc, node, NS_SAML, "Subject").map(|s| {
        let name_id_node = child(doc, s, NS_SAML, "NameID");
        Subject {
            name_id: name_id_node.map(|n| text(doc, n)),
            name_id_format: name_id_node.and_then(|n| attr(doc, n, "Format")),
            sp_name_qualifier: name_id_node.and_then(|n| attr(doc, n, "SPNameQualifier")),
            name_id_node,
            encrypted_id: child(doc, s, NS_SAML, "EncryptedID").is_some(),
            confirmations: children(doc, s, NS_SAML, "SubjectConfirmation")
                .into_iter()
                .map(|c| {
                    let data = child(doc, c, NS_SAML, "SubjectConfirmationData");
                    Confirmation {
                        method: attr(doc, c, "Method"),
                        not_before: data.and_then(|d| Instant::read(doc, d, "NotBefore")),
                        not_on_or_after: data.and_then(|d| Instant::read(doc, d, "NotOnOrAfter")),
                        recipient: data.and_then(|d| attr(doc, d, "Recipient")),
                        in_response_to: data.and_then(|d| attr(doc, d, "InResponseTo")),
                    }
                })
                .collect(),
        }
    });
    let conditions = child(doc, node, NS_SAML, "Conditions").map(|c| Conditions {
        not_before: Instant::read(doc, c, "NotBefore"),
        not_on_or_after: Instant::read(doc, c, "NotOnOrAfter"),
        audiences: children(doc, c, NS_SAML, "AudienceRestriction")
            .into_iter()
            .flat_map(|r| children(doc, r, NS_SAML, "Audience"))
            .map(|a| text(doc, a))
            .collect(),
    });
    let mut attributes = Vec::new();
    let mut encrypted_attributes = 0;
    for statement in children(doc, node, NS_SAML, "AttributeStatement") {
        encrypted_attributes += children(doc, statement, NS_SAML, "EncryptedAttribute").len();
        for a in children(doc, statement, NS_SAML, "Attribute") {
            let value_nodes = children(doc, a, NS_SAML, "AttributeValue");
            attributes.push(Attribute {
                name: attr(doc, a, "Name").unwrap_or_default(),
                friendly_name: attr(doc, a, "FriendlyName"),
                values: value_nodes.iter().map(|v| text(doc, *v)).collect(),
                nodes: value_nodes,
            });
        }
    }
    let authn = child(doc, node, NS_SAML, "AuthnStatement").map(|s| Authn {
        instant: attr(doc, s, "AuthnInstant"),
        session_index: attr(doc, s, "SessionIndex"),
        class_ref: child(doc, s, NS_SAML, "AuthnContext")
            .and_then(|c| child(doc, c, NS_SAML, "AuthnContextClassRef"))
            .map(|r| text(doc, r)),
    });
    Assertion {
        node,
        id: attr(doc, node, "ID"),
        issuer: issuer(doc, node),
        issue_instant: attr(doc, node, "IssueInstant"),
        subject,
        conditions,
        attributes,
        encrypted_attributes,
        authn,
        signature: signature_of(doc, node),
    }
}

fn read_request(doc: &Document, root: NodeId) -> Request {
    Request {
        element: local_name(doc, root).to_string(),
        id: attr(doc, root, "ID"),
        issuer: issuer(doc, root),
        destination: attr(doc, root, "Destination"),
        issue_instant: attr(doc, root, "IssueInstant"),
        acs_url: attr(doc, root, "AssertionConsumerServiceURL"),
        protocol_binding: attr(doc, root, "ProtocolBinding"),
        name_id_policy: child(doc, root, NS_SAMLP, "NameIDPolicy")
            .and_then(|p| attr(doc, p, "Format")),
        requested_authn_context: child(doc, root, NS_SAMLP, "RequestedAuthnContext")
            .map(|r| {
                children(doc, r, NS_SAML, "AuthnContextClassRef")
                    .into_iter()
                    .map(|c| text(doc, c))
                    .collect()
            })
            .unwrap_or_default(),
        force_authn: attr(doc, root, "ForceAuthn"),
        is_passive: attr(doc, root, "IsPassive"),
        name_id: child(doc, root, NS_SAML, "NameID").map(|n| text(doc, n)),
        signature: signature_of(doc, root),
    }
}

fn read_entity(doc: &Document, node: NodeId) -> EntityDescriptor {
    let mut roles = Vec::new();
    for r in child_elements(doc, node) {
        if namespace(doc, r) != NS_MD {
            continue;
        }
        let name = local_name(doc, r);
        let (element, idp) = match name {
            "IDPSSODescriptor" => (name.to_string(), true),
            "SPSSODescriptor"
            | "AttributeAuthorityDescriptor"
            | "AuthnAuthorityDescriptor"
            | "PDPDescriptor" => (name.to_string(), false),
            "RoleDescriptor" => {
                let t = xsi_type(doc, r).unwrap_or_else(|| "untyped".into());
                // WS-Fed's STS role is Entra's token issuer: its keys sign tokens.
                let idp = t == "SecurityTokenServiceType";
                (format!("RoleDescriptor ({t})"), idp)
            }
            _ => continue,
        };
        let keys = children(doc, r, NS_MD, "KeyDescriptor")
            .into_iter()
            .map(|k| KeyDescriptor {
                usage: attr(doc, k, "use"),
                certificates: descendants(doc, k)
                    .into_iter()
                    .filter(|n| is(doc, *n, NS_DS, "X509Certificate"))
                    .map(|n| Certificate::from_base64(&text(doc, n)))
                    .collect(),
            })
            .collect();
        let mut endpoints = Vec::new();
        let mut claim_types = 0;
        for e in child_elements(doc, r) {
            let l = local_name(doc, e);
            if namespace(doc, e) == NS_MD
                && (l.ends_with("Service") || l == "AssertionConsumerService")
            {
                endpoints.push((
                    l.to_string(),
                    attr(doc, e, "Binding"),
                    attr(doc, e, "Location"),
                ));
            } else if namespace(doc, e) == NS_FED {
                if l == "ClaimTypesOffered" {
                    claim_types += child_elements(doc, e).len();
                } else if l.ends_with("Endpoint") {
                    let address = descendants(doc, e)
                        .into_iter()
                        .find(|n| local_name(doc, *n) == "Address")
                        .map(|n| text(doc, n));
                    endpoints.push((l.to_string(), None, address));
                }
            }
        }
        roles.push(Role {
            element,
            idp,
            keys,
            endpoints,
            claim_types,
        });
    }
    EntityDescriptor {
        entity_id: attr(doc, node, "entityID"),
        valid_until: Instant::read(doc, node, "validUntil"),
        roles,
        signature: signature_of(doc, node),
    }
}

/// Nodes whose text a consumer reads and that a comment splits (NameID, Issuer, attribute values).
pub(crate) fn comment_split_nodes(doc: &Document, a: &Assertion) -> Vec<NodeId> {
    let mut nodes: Vec<NodeId> = Vec::new();
    if let Some(n) = a.subject.as_ref().and_then(|s| s.name_id_node) {
        nodes.push(n);
    }
    if let Some(n) = child(doc, a.node, NS_SAML, "Issuer") {
        nodes.push(n);
    }
    nodes.extend(a.attributes.iter().flat_map(|x| x.nodes.iter().copied()));
    nodes
        .into_iter()
        .filter(|n| comment_splits_text(doc, *n))
        .collect()
}

/// EncryptedAssertion / EncryptedData among a document's `elements`: keyprobe does not decrypt.
pub(crate) fn has_encrypted_data(doc: &Document, elements: &[NodeId]) -> bool {
    elements
        .iter()
        .any(|n| is(doc, *n, NS_XENC, "EncryptedData"))
}
