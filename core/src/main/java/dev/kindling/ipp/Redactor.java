package dev.kindling.ipp;

import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one redactor every message passes through before it leaves the process — in a log line, an
 * HTTP answer, a component's {@code lastError}, a job's error. It hides:
 *
 * <ul>
 *   <li>the password of URL user-info ({@code postgresql://app:s3cret@db} → {@code app:****@db});</li>
 *   <li>the value of any name that contains {@code password}, {@code secret}, {@code token},
 *       {@code key}, {@code credential} or {@code jaas}, in any position and case, written
 *       {@code name=value}, {@code "name": "value"}, or {@code name: value} where the name is no English word
 *       ({@code db.password: ...}, {@code PGPASSWORD: ...})
 *       ({@code fs.s3a.secret.key=...}, {@code ?password=...}, {@code "apiToken": "..."});</li>
 *   <li>{@code Authorization: Bearer ...} and {@code Basic ...} credentials;</li>
 *   <li>every secret value in use, where it stands alone (not inside a longer word): those {@linkplain #register registered} when a
 *       {@code Secret} or a secret setting was read, wherever they appear.</li>
 * </ul>
 *
 * <pre>{@code
 * Redactor.register(password);
 * log.warn("cannot connect: {}", Redactor.redact(error.getMessage()));
 * }</pre>
 *
 * <p>Thread-safe; registered values are kept for the life of the JVM.
 */
public final class Redactor {
    /** What a hidden value is replaced with. */
    public static final String MASK = "****";
    /** Secret values shorter than this are not replaced by value (they would mask ordinary words). */
    public static final int MIN_REGISTERED_LENGTH = 4;

    private static final String NAME = "[A-Za-z0-9_.\\-]*(?:password|passwd|pwd|secret|token|key|credential|jaas)[A-Za-z0-9_.\\-]*";
    private static final Pattern QUOTED = Pattern.compile("(\"" + NAME + "\"\\s*:\\s*\")((?:[^\"\\\\]|\\\\.)*)(\")",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern ASSIGNED = Pattern.compile("(?<![A-Za-z0-9_.\\-])(" + NAME + ")(\\s*=\\s*)([^\\s&;,\"'}\\])]+)",
            Pattern.CASE_INSENSITIVE);
    /** {@code name: value} only for names that are not prose: with a separator ({@code db.password:}) or in capitals. */
    private static final Pattern COLON = Pattern.compile("(?<![A-Za-z0-9_.\\-])([A-Za-z0-9]+[._\\-]" + NAME + "|" + NAME
            + "[._\\-][A-Za-z0-9]+|[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIALS?|JAAS)[A-Z0-9_]*)(\\s*:\\s*)([^\\s&;,\"'}\\])]+)");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@\\s?#]+:)([^/@\\s?#]+)(@)");
    private static final Pattern AUTH_HEADER = Pattern.compile("(?i)\\b(bearer|basic)(\\s+)([A-Za-z0-9._~+/=\\-]+)");
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    /** Names that contain "key" but name no secret: a record's key, the key columns of an upsert, serializers. */
    private static final Set<String> NOT_SECRET = Set.of("key", "keys", "keycolumn", "key.serializer", "key.deserializer",
            "key.converter", "partition.key", "primary.key", "sort.key", "keyby");

    private Redactor() {
    }

    /** Remembers {@code value} as a secret in use, so that it is hidden wherever it appears. */
    public static void register(String value) {
        if (value != null && value.length() >= MIN_REGISTERED_LENGTH) {
            SECRETS.add(value);
        }
    }

    /** The secrets registered so far (for tests of the redaction itself). */
    public static Set<String> registered() {
        return Collections.unmodifiableSet(SECRETS);
    }

    /** {@code text} with every secret hidden; null stays null. */
    public static String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String s : SECRETS) {
            if (out.contains(s)) {
                out = replaceWhole(out, s);
            }
        }
        out = replace(USER_INFO, out, 2, 0);
        out = replace(QUOTED, out, 2, 1);
        out = replace(ASSIGNED, out, 3, 1);
        out = replace(COLON, out, 3, 1);
        out = replace(AUTH_HEADER, out, 3, 0);
        return out;
    }

    /**
     * {@code text} with each occurrence of {@code secret} that stands alone masked: one that a letter or
     * digit continues on either side is part of another word (a password {@code postgres} does not mask
     * the {@code postgres} of {@code jdbc:postgresql:}).
     */
    private static String replaceWhole(String text, String secret) {
        StringBuilder out = new StringBuilder(text.length());
        int from = 0;
        int at;
        while ((at = text.indexOf(secret, from)) >= 0) {
            int end = at + secret.length();
            boolean alone = (at == 0 || !Character.isLetterOrDigit(text.charAt(at - 1)) || !Character.isLetterOrDigit(secret.charAt(0)))
                    && (end == text.length() || !Character.isLetterOrDigit(text.charAt(end))
                    || !Character.isLetterOrDigit(secret.charAt(secret.length() - 1)));
            out.append(text, from, at).append(alone ? MASK : secret);
            from = end;
        }
        return out.append(text, from, text.length()).toString();
    }

    /** Whether a setting or option name says its value is a secret. */
    public static boolean isSecretName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (NOT_SECRET.contains(lower)) {
            return false;
        }
        for (String word : List.of("password", "passwd", "secret", "token", "key", "credential", "jaas")) {
            if (lower.contains(word)) {
                return true;
            }
        }
        return false;
    }

    /** Replaces {@code group} of each match by the mask; with {@code nameGroup} > 0 only where that group names a secret. */
    private static String replace(Pattern p, String text, int group, int nameGroup) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            return text;
        }
        StringBuilder out = new StringBuilder();
        do {
            String value = m.group(group);
            String name = nameGroup > 0 ? m.group(nameGroup).replace("\"", "") : null;
            boolean keep = value.equals(MASK) || name != null && !isSecretName(name.replaceAll("[\\s:=]+$", ""));
            String replacement = keep ? m.group() : m.group().substring(0, m.start(group) - m.start())
                    + MASK + m.group().substring(m.end(group) - m.start());
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        } while (m.find());
        m.appendTail(out);
        return out.toString();
    }
}
