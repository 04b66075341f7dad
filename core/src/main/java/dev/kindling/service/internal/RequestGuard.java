package dev.kindling.service.internal;

import dev.kindling.config.Settings;
import dev.kindling.service.Problem;
import dev.kindling.service.ProblemException;
import dev.kindling.service.ServiceSettings;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a request must be before any route sees it, checked in this order: a body within
 * {@code kindling.http.max-request-bytes} (413, and the connection is closed), one of the bearer tokens on every
 * route but the probes when a token is set (401), no write sent by a web page of another site (403), and a JSON body
 * on POST, PUT and PATCH (415). Each refusal is a {@link ProblemException} whose detail says what to send instead.
 * Thread-safe and immutable.
 */
final class RequestGuard {
    private static final Set<HandlerType> WITH_BODY = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH);
    private static final Set<HandlerType> CHANGES_STATE = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.PATCH, HandlerType.DELETE);
    private static final Set<String> PROBES = Set.of("/healthz", "/readyz");

    private final String serviceName;
    private final List<byte[]> tokens;
    private final boolean metricsPublic;
    private final long maxRequestBytes;

    RequestGuard(String serviceName, Settings settings) {
        this.serviceName = serviceName;
        this.tokens = tokens(settings);
        this.metricsPublic = settings.get(ServiceSettings.METRICS_PUBLIC);
        this.maxRequestBytes = settings.get(ServiceSettings.MAX_REQUEST_BYTES);
    }

    /** The accepted bearer tokens: the setting split at commas and line breaks; empty when none is set. */
    static List<byte[]> tokens(Settings settings) {
        String t = settings.get(ServiceSettings.AUTH_TOKEN);
        if (t == null || t.isBlank()) {
            return List.of();
        }
        return Arrays.stream(t.split("[,\\s]+")).filter(x -> !x.isBlank()).map(x -> x.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** Whether a token is set. */
    boolean secured() {
        return !tokens.isEmpty();
    }

    long maxRequestBytes() {
        return maxRequestBytes;
    }

    /**
     * Refuses the request when it breaks one of the rules.
     *
     * @throws ProblemException 413, 401, 403 or 415, with a detail that says what to send instead
     */
    void check(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxRequestBytes) {
            // the body is not read: the connection cannot carry another request, and the client is told so
            ctx.header("Connection", "close");
            throw new ProblemException(Problem.of(413, "Content Too Large", "the request body has " + declared
                    + " bytes; the limit is " + maxRequestBytes + " (setting kindling.http.max-request-bytes)"));
        }
        if (!tokens.isEmpty() && needsToken(ctx.path()) && !authorised(ctx.header("Authorization"))) {
            ctx.header("WWW-Authenticate", "Bearer realm=\"" + serviceName + "\"");
            throw new ProblemException(Problem.of(401, "Unauthorized", ctx.method() + " " + ctx.path()
                    + " needs the header 'Authorization: Bearer <token>' with one of the service's tokens"));
        }
        if (CHANGES_STATE.contains(ctx.method()) && crossSite(ctx)) {
            throw new ProblemException(Problem.of(403, "Forbidden", ctx.method() + " " + ctx.path()
                    + " was sent by a web page of another site (Origin '" + shorten(String.valueOf(ctx.header("Origin")))
                    + "'); a service takes writes from programs, not from pages it did not serve"));
        }
        if (WITH_BODY.contains(ctx.method()) && hasBody(ctx) && !isJson(ctx.contentType())) {
            throw new ProblemException(Problem.of(415, "Unsupported Media Type", ctx.method() + " " + ctx.path()
                    + " takes a JSON body: send it with 'Content-Type: application/json'; got "
                    + (ctx.contentType() == null ? "no Content-Type" : "'" + shorten(ctx.contentType()) + "'")));
        }
    }

    private boolean needsToken(String path) {
        return !PROBES.contains(path) && !(metricsPublic && path.equals("/metrics"));
    }

    /** Any of the tokens, compared in constant time (every token is compared, whatever matched); the scheme in any case. */
    private boolean authorised(String header) {
        if (header == null) {
            return false;
        }
        String h = header.trim();
        int space = h.indexOf(' ');
        if (space < 0 || !h.substring(0, space).equalsIgnoreCase("Bearer")) {
            return false;
        }
        byte[] given = h.substring(space + 1).trim().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] t : tokens) {
            ok |= MessageDigest.isEqual(given, t);
        }
        return ok;
    }

    /**
     * A browser's request made by a page of another site: {@code Sec-Fetch-Site} says {@code cross-site} or
     * {@code same-site}, or an {@code Origin} names another host and port than the request's. Programs (curl, clients)
     * send neither header; a body-less POST such as {@code /pause} is thus safe from pages as well as JSON ones.
     */
    private static boolean crossSite(Context ctx) {
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && (site.equalsIgnoreCase("cross-site") || site.equalsIgnoreCase("same-site"))) {
            return true;
        }
        String origin = ctx.header("Origin");
        if (origin == null || origin.isBlank()) {
            return false;
        }
        String host = ctx.header("Host");
        try {
            URI o = URI.create(origin.trim());
            String authority = o.getPort() < 0 ? o.getHost() : o.getHost() + ":" + o.getPort();
            return o.getHost() == null || host == null || !authority.equalsIgnoreCase(host.trim());
        } catch (IllegalArgumentException e) {
            return true; // "null" (a sandboxed page) and anything unparsable
        }
    }

    private static boolean hasBody(Context ctx) {
        long length = ctx.req().getContentLengthLong();
        return length > 0 || length < 0 && ctx.header("Transfer-Encoding") != null;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String t = contentType.toLowerCase(Locale.ROOT).split(";")[0].trim();
        return t.equals("application/json") || t.startsWith("application/") && t.endsWith("+json");
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
