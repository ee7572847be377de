//! What a delegated request's scopes ask for: the resource (`api://app/scope`, an app ID URI, Microsoft
//! Graph) and the permissions that go into `scp`, checked against what the API exposes.

use crate::errors::{AadCode, AadError};
use crate::model::{Resource, Tenant};

/// OIDC scopes that never name a resource.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// The resource a delegated request is for and the `scp` it gets: the first scope that names a resource
/// (`api://app/scope`, `https://graph.microsoft.com/User.Read`), else Microsoft Graph.
#[derive(Debug)]
pub struct DelegatedScopes<'a> {
    pub resource: Resource<'a>,
    pub requested: String,
    pub scp: String,
    /// What the response's `scope` echoes.
    pub granted: String,
}

fn split_scope(scope: &str) -> Option<(&str, &str)> {
    if scope.contains("://") || scope.contains('/') {
        scope.rsplit_once('/')
    } else {
        None
    }
}

pub fn delegated_scopes<'a>(
    tenant: &'a Tenant,
    scopes: &[String],
    v1_resource: Option<&str>,
) -> Result<DelegatedScopes<'a>, AadError> {
    let resource_scopes: Vec<(&str, &str)> = scopes.iter().filter_map(|s| split_scope(s)).collect();
    let (requested, names): (String, Vec<&str>) = match (v1_resource, resource_scopes.first()) {
        (Some(resource), _) => (resource.to_string(), vec!["user_impersonation"]),
        (None, Some((resource, _))) => (
            resource.to_string(),
            resource_scopes
                .iter()
                .filter(|(r, _)| r == resource)
                .map(|(_, name)| *name)
                .collect(),
        ),
        (None, None) => ("https://graph.microsoft.com".to_string(), vec!["User.Read"]),
    };
    let resource = tenant.resource(&requested).ok_or_else(|| {
        AadError::new(AadCode::ResourceNotFound)
            .arg("resource", &requested)
            .arg("tenant", &tenant.id)
    })?;
    let mut scp: Vec<String> = Vec::new();
    for name in names {
        let known = match resource {
            Resource::Graph => true,
            Resource::App(app) => {
                name == ".default"
                    || name == "user_impersonation"
                    || app.scopes.iter().any(|s| s == name)
            }
        };
        if !known {
            return Err(
                AadError::new(AadCode::InvalidScope).arg("scope", format!("{requested}/{name}"))
            );
        }
        match (name, resource) {
            (".default", Resource::App(app)) => scp.extend(app.scopes.iter().cloned()),
            (".default" | "user_impersonation", Resource::Graph) => scp.push("User.Read".into()),
            _ => scp.push(name.to_string()),
        }
    }
    let oidc: Vec<&str> = scopes
        .iter()
        .map(String::as_str)
        .filter(|s| OIDC_SCOPES.contains(s))
        .collect();
    let granted = match resource {
        Resource::Graph => {
            let mut all: Vec<String> = oidc
                .iter()
                .filter(|s| **s != "offline_access")
                .map(|s| s.to_string())
                .collect();
            all.extend(scp.iter().cloned());
            all.join(" ")
        }
        Resource::App(_) => scp
            .iter()
            .map(|s| format!("{requested}/{s}"))
            .collect::<Vec<_>>()
            .join(" "),
    };
    if matches!(resource, Resource::Graph) {
        let mut graph_scp: Vec<String> = oidc
            .iter()
            .filter(|s| **s != "offline_access")
            .map(|s| s.to_string())
            .collect();
        graph_scp.extend(scp.iter().cloned());
        scp = graph_scp;
    }
    Ok(DelegatedScopes {
        resource,
        requested,
        scp: scp.join(" "),
        granted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::LoadedConfig;
    use crate::model::Resource;

    #[test]
    fn oidc_only_scopes_go_to_graph_and_api_scopes_to_the_app() {
        let config = LoadedConfig::embedded_default().unwrap();
        let tenant = &config.directory.tenants[0];
        let scopes: Vec<String> = ["openid", "profile", "offline_access"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let graph = delegated_scopes(tenant, &scopes, None).unwrap();
        assert!(matches!(graph.resource, Resource::Graph));
        assert_eq!(graph.scp, "openid profile User.Read");
        let api = format!("api://{}/access_as_user", tenant.apps[0].client_id);
        let scopes = vec!["openid".to_string(), api.clone()];
        let for_app = delegated_scopes(tenant, &scopes, None).unwrap();
        assert!(matches!(for_app.resource, Resource::App(_)));
        assert_eq!(for_app.scp, "access_as_user");
        assert_eq!(for_app.granted, api);
        let unknown = vec![format!("api://{}/nope", tenant.apps[0].client_id)];
        assert_eq!(
            delegated_scopes(tenant, &unknown, None)
                .unwrap_err()
                .number(),
            70011
        );
    }
}
