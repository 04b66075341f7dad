package dev.kindling.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The JSON mapper every Kindling HTTP answer is written with: Jackson, Java time as ISO-8601 text.
 *
 * <pre>{@code
 * String text = Json.mapper().writeValueAsString(status);
 * }</pre>
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper().findAndRegisterModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private Json() {
    }

    /** The shared mapper; thread-safe, do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
