# Varnish in front of ScholarGate's application servers: readers' pages are
# kept until a change purges them by surrogate key (varnish-modules' xkey).
#
# Each page names what it shows in its `xkey` header ("topic-12 tag-3
# recent all"); after a change commits, the application sends
#   PURGE / HTTP/1.1
#   xkey-purge: topic-12 recent tag-3
# to every address in HTTP_CACHE_PURGE_URLS, and every page carrying one of
# those keys is dropped at once. Signed-in users, the admin, and a client
# that has just written (the `sg_primary` pin cookie) go past the cache.
#
# Purges are taken only on a listen address of their own, named "purge",
# from the addresses in the `purgers` ACL (the application servers): a
# TLS proxy on this host makes every reader come from 127.0.0.1 too.
#
# Debian: apt-get install varnish varnish-modules; start with
#   varnishd -a :80 -a purge=10.0.0.5:6091 -f /etc/varnish/scholargate.vcl \
#            -s malloc,1G -p http_resp_hdr_len=65536 -p http_resp_size=98304
# (a topic page's key header can be a few kilobytes) and set
# HTTP_CACHE_PURGE_URLS=http://10.0.0.5:6091/ on the application servers.
# Put them in the backend (or a `directors` round robin for several).

vcl 4.1;

import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may purge: the application servers (add their addresses).
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (local.socket != "purge" || client.ip !~ purgers) {
            return (synth(403, "Purging is for the application servers."));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the keys to purge in an xkey-purge header."));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/admin(/|$)") {
        return (pass);
    }
    # Signed in (session), a message waiting, or pinned to the primary
    # after a write: the application answers.
    if (req.http.Cookie ~ "(^|;\s*)(__Host-)?(sessionid|messages|sg_primary)=") {
        return (pass);
    }
    # Any other cookie (analytics, the CSRF token) changes nothing readers get.
    unset req.http.Cookie;
    unset req.http.Authorization;
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.xkey && !beresp.http.Set-Cookie && beresp.status < 500) {
        # A reader's page with its keys: kept until a purge names one of
        # them (a day at most), whatever it tells browsers (they revalidate).
        set beresp.ttl = 1d;
        set beresp.grace = 1m;
        set beresp.http.X-Cache-TTL = "purged by key";
        return (deliver);
    }
    # Anything else (static files, redirects, errors) follows its own
    # Cache-Control, as Varnish's built-in rules do.
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    unset resp.http.X-Cache-TTL;
    # The keys are for this cache only (set DEBUG_XKEY to see them).
    if (!req.http.DEBUG-XKEY) {
        unset resp.http.xkey;
    }
}
