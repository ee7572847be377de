-- wrk script for the soak: a mix of what real clients send, and what broken ones send.
-- Counts answers by status class per thread; `done` prints one machine-readable line.
local tenant = os.getenv("SOAK_TENANT")
local cid = "4a1e2b3c-5d6e-4f70-8192-a3b4c5d6e7f8"
local secret = "mock~Secret.ForTests_0123456789abcdefghijkl"
local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local saml_request = "hZBPS8QwEMW%2FSsndJk23tg5toehlYb3sqgcvEtNZttAkNZPIfnyzFWG9KLzD%2FHk%2F3jAtKTMvMMRwsnv8iEghO5vZEqyLjkVvwSmaCKwySBA0HIbHHchcwOJdcNrN7Ar5m1BE6MPkLMu2Dx17u5O6OcqjLMdCb6qmbHQ1bsayLKq6KOr6nWUv6Cn5O5bwBBFF3FoKyoY0EvL2RhRJT0LAqleWDT8Z985SNOgP6D8njc%2F7XcdOISwEnNOSa2eDI5fjWZllRn65nitNrG8vJaxZvv%2BHaPm1%2Bbv7%2Fc%2F%2BCw%3D%3D"
local scope = "api%3A%2F%2F" .. cid .. "%2F.default"
local mix = {
  wrk.format("GET", "/" .. tenant .. "/v2.0/.well-known/openid-configuration"),
  wrk.format("GET", "/" .. tenant .. "/.well-known/openid-configuration"),
  wrk.format("GET", "/common/v2.0/.well-known/openid-configuration"),
  wrk.format("GET", "/" .. tenant .. "/discovery/v2.0/keys"),
  wrk.format("GET", "/" .. tenant .. "/discovery/keys"),
  wrk.format("GET", "/common/discovery/instance?api-version=1.1&authorization_endpoint=https://login.microsoftonline.com/common/oauth2/v2.0/authorize"),
  wrk.format("POST", "/" .. tenant .. "/oauth2/v2.0/token", form,
    "grant_type=client_credentials&client_id=" .. cid .. "&client_secret=" .. secret .. "&scope=" .. scope),
  -- SAML: federation metadata and a Redirect-binding sign-in for the SAML app (an AuthnRequest from
  -- https://sp.contoso.example/saml); the SAML scenarios turn the latter into AADSTS50003 pages.
  wrk.format("GET", "/" .. tenant .. "/federationmetadata/2007-06/federationmetadata.xml"),
  wrk.format("GET", "/" .. tenant .. "/saml2?SAMLRequest=" .. saml_request .. "&RelayState=soak"),
  wrk.format("GET", "/" .. tenant .. "/oauth2/v2.0/authorize?client_id=" .. cid ..
    "&response_type=code&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fcallback&scope=openid&state=s&nonce=n&login_hint=alice%40contoso.onmicrosoft.com"),
  -- Bad requests: each must be an Entra error (4xx), never a 5xx.
  wrk.format("POST", "/" .. tenant .. "/oauth2/v2.0/token", form,
    "grant_type=client_credentials&client_id=" .. cid .. "&client_secret=wrong&scope=" .. scope),
  wrk.format("POST", "/" .. tenant .. "/oauth2/v2.0/token", form, "grant_type=client_credentials"),
  wrk.format("POST", "/" .. tenant .. "/oauth2/v2.0/token", form, "grant_type=authorization_code&code=nope&client_id=" .. cid),
  wrk.format("POST", "/" .. tenant .. "/oauth2/v2.0/token", form, "%%%&&&==="),
  wrk.format("GET", "/not-a-tenant/discovery/v2.0/keys"),
  wrk.format("GET", "/" .. tenant .. "/oauth2/v2.0/authorize?client_id=00000000-0000-0000-0000-000000000000&response_type=code"),
  wrk.format("GET", "/no/such/endpoint"),
  wrk.format("GET", "/_mock/health"),
}
local i = 0
counts = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0 }

function setup(thread)
  table.insert(threads, thread)
end
threads = {}

function init(args)
  i = math.random(#mix) - 1
end

function request()
  i = i % #mix + 1
  return mix[i]
end

function response(status, headers, body)
  if status >= 500 then counts.s5 = counts.s5 + 1
  elseif status >= 400 then counts.s4 = counts.s4 + 1
  elseif status >= 300 then counts.s3 = counts.s3 + 1
  elseif status >= 200 then counts.s2 = counts.s2 + 1
  else counts.other = counts.other + 1 end
end

function done(summary, latency, requests)
  local t = { s2 = 0, s3 = 0, s4 = 0, s5 = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + (thread:get("counts")[k] or 0) end
  end
  io.write(string.format(
    "SOAK requests=%d 2xx=%d 3xx=%d 4xx=%d 5xx=%d other=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d p99_ms=%.1f\n",
    summary.requests, t.s2, t.s3, t.s4, t.s5, t.other, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, latency:percentile(99) / 1000))
end
