# Varnish 7 in front of clipdesk (docs/deploy.md, "Varnish in front"). Needs the xkey module
# (Debian: apt-get install varnish varnish-modules).
#
# - Anonymous readers share one copy of each public page: their cookies are dropped, since no cookie
#   changes a public page (clipdesk sets none on them).
# - Staff (a session cookie), API clients with a token, and anything but GET and HEAD go to clipdesk.
# - Only responses clipdesk marks `Cache-Control: public` are kept, for their s-maxage (or max-age),
#   and served stale for their stale-while-revalidate while Varnish fetches them again.
# - clipdesk purges by surrogate key after each change: PURGE with `xkey-purge: clip-8891 list ...`,
#   from the addresses in the purgers ACL only. The purge is hard: nothing purged is served stale.
vcl 4.1;

import std;
import xkey;

backend clipdesk {
    .host = "127.0.0.1";
    .port = "8000";  # where `clipdesk serve` listens (CLIPDESK_BIND)
}

# Who may purge: the machines clipdesk runs on. Add their addresses here.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "PURGE needs an xkey-purge header"));
        }
        set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.X-Purged));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Signed in (Django's session cookie), a message waiting to be shown, or an API token: clipdesk
    # answers these itself, privately. Rename sessionid/messages here if settings rename the cookies.
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    unset req.http.Cookie;
    return (hash);
}

sub vcl_backend_response {
    # Keep only what clipdesk says may be shared; everything else is fetched for each request.
    if (beresp.http.Cache-Control !~ "public" || beresp.http.Set-Cookie) {
        set beresp.uncacheable = true;
        set beresp.ttl = 30s;
        return (deliver);
    }
    if (beresp.http.Cache-Control ~ "stale-while-revalidate=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, ".*stale-while-revalidate=([0-9]+).*", "\1s"), 0s);
    }
    return (deliver);
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    # The surrogate keys are for this cache; a CDN in front of it reads Surrogate-Key.
    unset resp.http.xkey;
}
