//! What a delegated request's scopes ask for: the resource (`api://app/scope`, an app ID URI, Microsoft
//! Graph) and the permissions that go into `scp`, checked against what the API exposes.

use crate::errors::{AadCode, AadError};
use crate::model::{Resource, Tenant};

/// OIDC scopes that never name a resource.
const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// The resource a delegated request is for and the `scp` it gets: the first scope that names a resource
/// (`api://app/scope`, `https://graph.microsoft.com/User.Read`), else Microsoft Graph.
#[derive(Debug)]
pub(crate) struct DelegatedScopes<'a> {
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

pub(crate) fn delegated_scopes<'a>(
    tenant: &'a Tenant,
    scopes: &[String],
    v1_resource: Option<&str>,
) -> Result<DelegatedScopes<'a>, AadError> {
    let (requested, names) = requested_resource(scopes, v1_resource);
    let resource = tenant.resource(&requested).ok_or_else(|| {
        AadError::new(AadCode::ResourceNotFound)
            .arg("resource", &requested)
            .arg("tenant", &tenant.id)
    })?;
    let permissions = permissions(resource, &requested, &names)?;
    let (scp, granted) = match resource {
        // Microsoft Graph's tokens also carry the OIDC scopes asked for (never `offline_access`).
        Resource::Graph => {
            let scp: Vec<String> = scopes
                .iter()
                .map(String::as_str)
                .filter(|s| OIDC_SCOPES.contains(s) && *s != "offline_access")
                .map(str::to_string)
                .chain(permissions)
                .collect();
            let granted = scp.join(" ");
            (scp, granted)
        }
        Resource::App(_) => {
            let granted: Vec<String> = permissions
                .iter()
                .map(|s| format!("{requested}/{s}"))
                .collect();
            (permissions, granted.join(" "))
        }
    };
    Ok(DelegatedScopes {
        resource,
        requested,
        scp: scp.join(" "),
        granted,
    })
}

/// The resource asked for and the permission names asked of it: v1's `resource` (user_impersonation), else
/// the resource of the first scope that names one, else Microsoft Graph (User.Read).
fn requested_resource<'s>(
    scopes: &'s [String],
    v1_resource: Option<&str>,
) -> (String, Vec<&'s str>) {
    let resource_scopes: Vec<(&str, &str)> = scopes.iter().filter_map(|s| split_scope(s)).collect();
    match (v1_resource, resource_scopes.first()) {
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
    }
}

/// The permissions that go into `scp`: each name must be one the API exposes (AADSTS70011 otherwise);
/// `.default` stands for all of them (User.Read for Microsoft Graph).
fn permissions(
    resource: Resource<'_>,
    requested: &str,
    names: &[&str],
) -> Result<Vec<String>, AadError> {
    let mut scp: Vec<String> = Vec::new();
    for name in names.iter().copied() {
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
    Ok(scp)
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
