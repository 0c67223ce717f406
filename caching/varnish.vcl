vcl 4.1;

# Varnish in front of gunicorn: a story that spikes is served from here.
# The app purges it on publish, unpublish, move and correction through
# wagtail.contrib.frontend_cache (WAGTAILFRONTENDCACHE, set from VARNISH_URL),
# and follows the same rules in its own page cache (config/page_cache.py).
# `make bench` runs this file with the backend below rewritten to 127.0.0.1.

backend default {
    .host = "web";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may PURGE: the app's own hosts.
acl purgers {
    "127.0.0.1";
    "::1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        return (purge);
    }
    # A deploy drops everything (`manage.py purge_caches`): pages rendered
    # by the last release's templates must not outlive it.
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        ban("obj.status != 0");
        return (synth(200, "Banned"));
    }
    # The app answers with an ESI include where a page shows the
    # breaking-news banner (live/banner.py), which Varnish fills in from its
    # own copy of the banner: a banner comes and goes without a page purged.
    set req.http.Surrogate-Capability = "varnish=ESI/1.0";
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # Editors and anyone else with a session always reach the app.
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # The admin (at /admin/ unless WAGTAIL_ADMIN_PATH moves it: it sets
    # cookies, so it is never stored either way), search (its query log counts
    # every search), the comment form (it needs the reader's CSRF cookie), the
    # API, health checks and documents go to the app.
    if (req.url ~ "^/(admin|django-admin|search|api|healthz|documents|comments|follow|reads|calendar|__bench__)(/|\?|$)") {
        return (pass);
    }
    # Campaign and click identifiers (the same list as config/page_cache.py):
    # readers arriving from social posts and newsletters share the cached page.
    if (req.url ~ "[?&](utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|twclid|ref_src|_ga)=") {
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|twclid|ref_src|_ga)=[^&]*(&|$)", "");
        set req.url = regsub(req.url, "[?&]$", "");
    }
    # Pagination (of a listing, or of a live story's updates) is the only
    # query string a reader page uses; any other bypasses the cache so that
    # random query strings cannot fill it.
    if (req.url ~ "\?" && req.url !~ "\?(page|updates)=[0-9]+$") {
        return (pass);
    }
    # Other cookies (the CSRF token, analytics) do not change a reader page.
    unset req.http.Cookie;
    return (hash);
}

sub vcl_hash {
    # One site per Varnish: the URL alone, so that a purge sent with the
    # site's hostname finds the copy however readers addressed it.
    hash_data(req.url);
    return (lookup);
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Control ~ "ESI/1.0") {
        unset beresp.http.Surrogate-Control;
        set beresp.do_esi = true;
    }
    if (beresp.status != 200 || beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(private|no-cache|no-store)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # A fragment that must go at a known time (the banner at its expiry)
    # says how long in s-maxage, and is never served past it.
    if (beresp.http.Cache-Control ~ "s-maxage") {
        set beresp.grace = 0s;
        return (deliver);
    }
    # Purged on every change, so it can be kept a while; grace serves the
    # last copy while a fresh one renders, or while the app is down.
    set beresp.ttl = 10m;
    set beresp.grace = 1h;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Edge-Cache = "hit";
    } else {
        set resp.http.X-Edge-Cache = "miss";
    }
}
