// mock-sts dashboard: talks only to its own server; everything is inserted as text.
"use strict";

const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") node.className = v; else node.setAttribute(k, v);
  }
  for (const c of children) if (c != null) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function call(method, url, body) {
  const response = await fetch(url, {
    method,
    // A JSON body or the X-Mock-STS header: the control API changes nothing for a simple (form) request.
    headers: body ? { "Content-Type": "application/json" } : { "X-Mock-STS": "dashboard" },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!response.ok) throw new Error((data && (data.message || data.error)) || `HTTP ${response.status}`);
  return data;
}

function say(message) { $("status").textContent = message; }

// A SAML app's certificates, whatever the exact shape the config gives them.
// (`app.certificates` are the client-assertion certificates of OIDC apps, not SAML signing ones.)
function certificatesOf(app) {
  const saml = app.saml || {};
  return saml.signing_certificates || saml.key_credentials || saml.certificates || [];
}
function activeThumbprintOf(app) {
  const saml = app.saml || {};
  return app.preferred_token_signing_key_thumbprint || saml.preferred_token_signing_key_thumbprint || app.preferredTokenSigningKeyThumbprint || null;
}

function renderApp(app) {
  const id = app.client_id || app.app_id || app.id;
  const box = el("div", { class: "app", "data-app": id },
    el("h4", {}, `${app.display_name || id} `, el("span", { class: "mono" }, `(${app.kind || "app"}, ${id})`)));
  const facts = el("ul");
  for (const [label, value] of [["redirect URIs", app.redirect_uris], ["SPA redirect URIs", app.spa_redirect_uris], ["app ID URIs", app.app_id_uris],
    ["entity ID", app.entity_id || (app.saml && app.saml.entity_id)], ["ACS URLs", app.reply_urls || app.acs_urls || (app.saml && (app.saml.reply_urls || app.saml.acs_urls))]]) {
    if (value && (!Array.isArray(value) || value.length)) facts.append(el("li", {}, `${label}: ${Array.isArray(value) ? value.join(", ") : value}`));
  }
  box.append(facts);
  if (app.kind === "saml") {
    const certs = certificatesOf(app);
    const active = activeThumbprintOf(app);
    const table = el("table", { class: "certs" },
      el("caption", { class: "visually-hidden" }, `Signing certificates of ${id}`),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Thumbprint (SHA-1)"), el("th", { scope: "col" }, "Valid from"),
        el("th", { scope: "col" }, "Valid until"), el("th", { scope: "col" }, "State"), el("th", { scope: "col" }, "Actions"))));
    const body = el("tbody");
    if (!certs.length) body.append(el("tr", {}, el("td", { colspan: "5" }, "No signing certificate: SAML sign-in ends in AADSTS50003.")));
    for (const c of certs) {
      const tp = c.thumbprint || c.custom_key_identifier || c.customKeyIdentifier;
      const isActive = c.active === true || (active && tp && active.toUpperCase() === tp.toUpperCase());
      const expired = c.expired === true || (c.end_date_time && Date.parse(c.end_date_time) < Date.now()) || (c.not_after && Date.parse(c.not_after) < Date.now());
      const state = [isActive ? "active" : "inactive", expired ? "expired" : null].filter(Boolean).join(", ");
      const activate = el("button", { type: "button", class: "secondary", "data-action": "activate", "data-thumbprint": tp }, "Make active");
      activate.addEventListener("click", () => act("POST", `/_mock/apps/${id}/certificates/${tp}/activate`, `certificate ${tp} is now active`));
      const remove = el("button", { type: "button", class: "danger", "data-action": "remove", "data-thumbprint": tp }, "Remove");
      remove.addEventListener("click", () => act("DELETE", `/_mock/apps/${id}/certificates/${tp}`, `certificate ${tp} removed`));
      body.append(el("tr", { "data-thumbprint": tp },
        el("td", { class: "mono" }, tp || "?"),
        el("td", {}, c.start_date_time || c.not_before || ""),
        el("td", {}, c.end_date_time || c.not_after || ""),
        el("td", { class: isActive ? "active" : (expired ? "expired" : "") }, state),
        el("td", {}, isActive ? "" : activate, " ", remove)));
    }
    table.append(body);
    const create = el("button", { type: "button", "data-action": "new-certificate" }, "New certificate");
    create.addEventListener("click", async () => {
      try {
        const made = await call("POST", `/_mock/apps/${id}/certificates`);
        say(`new certificate ${made && made.thumbprint ? made.thumbprint : ""} created (inactive until you make it active)`);
        await refresh();
      } catch (e) { say(`could not create a certificate: ${e.message}`); }
    });
    box.append(el("h5", {}, "SAML signing certificates"), table, el("p", {}, create));
    box.append(...verificationCertificates(app, id));
  }
  return box;
}

// The app's request-verification certificates (what signed AuthnRequests and LogoutRequests are checked
// against): listed with Remove buttons, and a PEM to upload.
function verificationCertificates(app, id) {
  const settings = (app.saml && app.saml.request_verification) || {};
  const certs = settings.certificates || [];
  const table = el("table", { class: "certs", "data-list": "verification-certificates" },
    el("caption", { class: "visually-hidden" }, `Verification certificates of ${id}`),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Thumbprint (SHA-1)"), el("th", { scope: "col" }, "Valid from"),
      el("th", { scope: "col" }, "Valid until"), el("th", { scope: "col" }, "Actions"))));
  const body = el("tbody");
  if (!certs.length) body.append(el("tr", {}, el("td", { colspan: "4" }, "No verification certificate.")));
  for (const c of certs) {
    const remove = el("button", { type: "button", class: "danger", "data-action": "remove-verification", "data-thumbprint": c.thumbprint }, "Remove");
    remove.addEventListener("click", () => act("DELETE", `/_mock/apps/${id}/verification-certificates/${c.thumbprint}`, `verification certificate ${c.thumbprint} removed`));
    body.append(el("tr", { "data-thumbprint": c.thumbprint }, el("td", { class: "mono" }, c.thumbprint),
      el("td", {}, c.not_before || ""), el("td", {}, c.not_after || ""), el("td", {}, remove)));
  }
  table.append(body);
  const pem = el("textarea", { rows: "3", cols: "64", "aria-label": `PEM certificate to add to ${id}`, placeholder: "-----BEGIN CERTIFICATE-----" });
  const add = el("button", { type: "button", "data-action": "add-verification" }, "Add verification certificate");
  add.addEventListener("click", async () => {
    try {
      const made = await call("POST", `/_mock/apps/${id}/verification-certificates`, { certificate: pem.value });
      say(`verification certificate ${made.thumbprint} added`);
      await refresh();
    } catch (e) { say(`could not add the certificate: ${e.message}`); }
  });
  const required = settings.required ? "on" : "off";
  return [el("h5", {}, "Verification certificates"), el("p", {}, `Require verification certificates: ${required}`), table,
    el("p", {}, pem, " ", add)];
}

async function act(method, url, done) {
  try { await call(method, url); say(done); } catch (e) { say(`failed: ${e.message}`); }
  await refresh();
}

function renderConfig(config) {
  $("scenario-current").textContent = config.scenario;
  const select = $("scenario-select");
  if (!select.options.length) {
    for (const name of config.scenarios || []) select.append(el("option", { value: name }, name));
  }
  select.value = config.scenario;
  const box = $("tenants");
  box.replaceChildren();
  for (const t of config.tenants || []) {
    const tenant = el("div", { class: "tenant" }, el("h3", {}, `${t.display_name || t.id} `, el("span", { class: "mono" }, t.id)));
    if (t.domains && t.domains.length) tenant.append(el("p", {}, `Domains: ${t.domains.join(", ")}`));
    if (t.users && t.users.length) {
      tenant.append(el("p", {}, "Users: " + t.users.map((u) => u.upn || u.user_principal_name || u.email || u.name || u.object_id).join(", ")));
    }
    for (const app of t.apps || []) tenant.append(renderApp(app));
    box.append(tenant);
  }
}

function renderRequests(records) {
  const body = $("requests").tBodies[0];
  body.replaceChildren();
  for (const r of records.slice(0, 50)) {
    body.append(el("tr", { "data-status": String(r.status) },
      el("td", { class: "mono" }, r.time),
      el("td", { class: "mono" }, `${r.method} ${r.path}`),
      el("td", {}, String(r.status)),
      el("td", { class: r.aadsts ? "code-error" : "" }, r.aadsts || ""),
      el("td", { class: "mono" }, r.correlation_id || "")));
  }
}

// Device codes waiting for approval, each with the tenant's users to sign in as.
let usersByTenant = {};
function renderDeviceCodes(list) {
  const body = $("device-code-list").tBodies[0];
  body.replaceChildren();
  const codes = (list && list.device_codes) || [];
  if (!codes.length) body.append(el("tr", {}, el("td", { colspan: "6" }, "No device code is waiting.")));
  for (const d of codes) {
    const cell = el("td");
    if (d.status === "pending") {
      const select = el("select", { "aria-label": `User to sign in as for code ${d.user_code}` });
      for (const upn of usersByTenant[d.tenant] || []) select.append(el("option", { value: upn }, upn));
      const button = el("button", { type: "button", "data-action": "approve-device-code", "data-user-code": d.user_code }, "Approve");
      button.addEventListener("click", async () => {
        try {
          await call("POST", `/_mock/device-codes/${encodeURIComponent(d.user_code)}/approve`, select.value ? { user: select.value } : {});
          say(`device code ${d.user_code} approved as ${select.value}`);
        } catch (e) { say(`could not approve ${d.user_code}: ${e.message}`); }
        await refresh();
      });
      cell.append(select, " ", button);
    } else {
      cell.append(d.approved_by || "");
    }
    body.append(el("tr", { "data-user-code": d.user_code },
      el("td", { class: "mono" }, d.user_code),
      el("td", { class: "mono" }, d.client_id),
      el("td", {}, (d.scopes || []).join(" ") + (d.resource ? ` (resource ${d.resource})` : "")),
      el("td", {}, d.expires_at),
      el("td", {}, d.status),
      cell));
  }
}

async function refresh() {
  try {
    const config = await call("GET", "/_mock/config");
    usersByTenant = Object.fromEntries((config.tenants || []).map((t) => [t.id, (t.users || []).map((u) => u.user_principal_name)]));
    renderConfig(config);
    renderDeviceCodes(await call("GET", "/_mock/device-codes"));
    renderRequests(await call("GET", "/_mock/requests"));
  } catch (e) { say(`mock-sts did not answer: ${e.message}`); }
}

document.addEventListener("DOMContentLoaded", () => {
  $("scenario-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const scenario = $("scenario-select").value;
    try { await call("PUT", "/_mock/scenario", { scenario }); say(`scenario switched to ${scenario}`); }
    catch (err) { say(`could not switch: ${err.message}`); }
    await refresh();
  });
  $("rotate-keys").addEventListener("click", () => act("POST", "/_mock/keys/rotate", "tenant keys rotated"));
  refresh();
  setInterval(() => {
    call("GET", "/_mock/requests").then(renderRequests).catch(() => {});
    call("GET", "/_mock/device-codes").then(renderDeviceCodes).catch(() => {});
  }, 2000);
});
